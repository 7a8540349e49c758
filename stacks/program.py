"""From a blueprint to a Pulumi program: spec -> blueprint -> components.

:func:`build_stack` creates every component of one environment, wires the links
between them and exports the values a team needs (API URLs, database
endpoints, queue URLs, topic ARNs, cache hosts). ``scaffold plan`` (offline),
``scaffold generate`` (a project on disk) and ``scaffold deploy`` (Automation
API) all run it through :func:`build_program`, so what ``plan`` shows is what
``deploy`` creates.

Wiring order: the network first; then queues (each allowing the topics that
subscribe it, by their predicted ARN, so that a queue keeps one policy and no
cycle forms), databases and caches; then notifications (subscribing the
queues); then the shared ECS cluster and the APIs, each linked to what it
``uses``. Every alarm goes to the topic named by ``alarms.notify``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from blueprints.api import Api, ServiceCluster
from blueprints.base import Component, StackContext
from blueprints.cache import Cache
from blueprints.database import Database
from blueprints.network import Network
from blueprints.notifications import Notifications
from blueprints.queue import Queue
from stacks.settings import (
    api_settings,
    cache_settings,
    database_settings,
    network_settings,
    notifications_settings,
    queue_settings,
)

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint

#: Logical names of the stack-wide components; the spec reserves them.
NETWORK_COMPONENT = "network"
CLUSTER_COMPONENT = "services"


@dataclass
class StackComponents:
    """What :func:`build_stack` created.

    Attributes:
        network: The VPC.
        cluster: The shared ECS cluster, or ``None`` when there is no API.
        components: Every spec component's component resource, by name.
    """

    network: Network
    cluster: ServiceCluster | None
    components: dict[str, Component] = field(default_factory=dict)


def build_stack(bp: Blueprint) -> StackComponents:
    """Create every component of one environment and export its outputs.

    Must run inside a Pulumi program (a real engine, or the mock runtime).

    Raises:
        ValueError: A component rejected its settings, or a physical name would be
            one AWS refuses (:func:`scaffold.spec.names.refused_names`); the spec
            validation should have caught it first.
    """
    from scaffold.spec.names import refused_names  # pulumi-free; the names validate predicts

    refused = [f"{r.name.name!r}: {'; '.join(r.problems)}" for r in refused_names(bp)]
    if refused:
        raise ValueError("AWS would refuse these physical names: " + ", ".join(refused))
    ctx = StackContext(project=bp.project, environment=bp.environment)
    alarms = bp.alarms.enabled
    topic_arns = {name: Notifications.expected_topic_arn(name, ctx) for name in bp.of_kind("notifications")}
    alarm_topic = topic_arns.get(bp.alarms.notify) if alarms and bp.alarms.notify else None

    network = Network(NETWORK_COMPONENT, network_settings(bp), context=ctx)
    attachment = network.attachment
    built: dict[str, Component] = {}
    exports: dict[str, dict[str, Any]] = {}

    subscribed_by: dict[str, list[pulumi.Input[str]]] = {}
    for topic_name, topic in bp.of_kind("notifications").items():
        for sub in topic.subscribers:  # type: ignore[union-attr]
            if sub.protocol == "queue":
                subscribed_by.setdefault(sub.endpoint, []).append(topic_arns[topic_name])

    for name, c in bp.components.items():
        if c.kind == "queue":
            queue = Queue(name, queue_settings(c, alarms), context=ctx, alarm_topic_arn=alarm_topic,
                          allowed_sns_topic_arns=subscribed_by.get(name, ()))
            built[name] = queue
            exports[name] = {"url": queue.url, "arn": queue.arn,
                             "dead_letter_queue_url": queue.dead_letter_queue.url}
        elif c.kind == "database":
            db = Database(name, database_settings(c, alarms), context=ctx, network=attachment,
                          alarm_topic_arn=alarm_topic)
            built[name] = db
            exports[name] = {"endpoint": db.endpoint, "reader_endpoint": db.reader_endpoint,
                             "host": db.host, "reader_host": db.reader_host,  # the proxy's, with proxy
                             "port": db.port, "secret_arn": db.secret_arn}
        elif c.kind == "cache":
            cache = Cache(name, cache_settings(c, alarms), context=ctx, network=attachment,
                          alarm_topic_arn=alarm_topic)
            built[name] = cache
            exports[name] = {"host": cache.host, "reader_host": cache.reader_host, "port": cache.port,
                             "auth_secret_arn": cache.auth_secret.arn}

    for name, c in bp.of_kind("notifications").items():
        queues = {s.endpoint: built[s.endpoint].arn  # type: ignore[attr-defined]
                  for s in c.subscribers if s.protocol == "queue"}  # type: ignore[union-attr]
        topic = Notifications(name, notifications_settings(c), context=ctx,  # type: ignore[arg-type]
                              queue_subscriptions=queues)
        built[name] = topic
        exports[name] = {"topic_arn": topic.topic_arn}

    apis = bp.of_kind("api")
    cluster = ServiceCluster(CLUSTER_COMPONENT, context=ctx) if apis else None
    for name, c in apis.items():
        links = [built[used].link() for used in c.uses]  # type: ignore[union-attr, attr-defined]
        api = Api(name, api_settings(c, alarms), context=ctx, network=attachment,  # type: ignore[arg-type]
                  cluster=cluster, links=links, alarm_topic_arn=alarm_topic)
        built[name] = api
        exports[name] = {"url": api.url, "load_balancer_dns": api.load_balancer.dns_name}

    pulumi.export("vpc_id", network.vpc.id)
    for name in bp.components:
        pulumi.export(name, exports[name])
    return StackComponents(network=network, cluster=cluster, components=built)


def build_program(bp: Blueprint) -> Callable[[], None]:
    """The Pulumi program of one environment, for an inline Automation API stack or the mock runtime."""

    def program() -> None:
        build_stack(bp)

    return program
