"""From a blueprint to a Pulumi program: spec -> blueprint -> components.

:func:`build_stack` creates every component of one environment, wires the links
between them and exports the values a team needs (API URLs, database
endpoints, queue URLs, topic ARNs, cache hosts). ``scaffold plan`` (offline),
``scaffold generate`` (a project on disk) and ``scaffold deploy`` (Automation
API) all run it through :func:`build_program`, so what ``plan`` shows is what
``deploy`` creates.

Each kind's wiring entry (:mod:`stacks.kinds`, looked up by kind) maps its blueprint to
its component's settings, builds it, links it and names its exports. Order: the
network first; then the components of each phase (:data:`stacks.kinds.STORAGE`:
queues, databases, caches; :data:`~stacks.kinds.MESSAGING`: notifications,
subscribing the queues; :data:`~stacks.kinds.SERVICES`: APIs, in the shared ECS
cluster created before the first of them), in spec order within a phase. A queue
allows the topics that subscribe it by their ARN known in advance
(:attr:`stacks.kinds.Wiring.expected_address`), so no cycle forms. Every alarm goes
to the topic named by ``alarms.notify``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from blueprints.api import ServiceCluster
from blueprints.base import Component, StackContext
from blueprints.network import Network
from stacks.kinds import WIRING, StackBuild
from stacks.settings import network_settings

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
    expected: dict[str, Any] = {}
    for name, c in bp.components.items():
        address = WIRING[c.kind].expected_address
        if address is not None:
            expected[name] = address(name, ctx)
    alarm_topic = expected.get(bp.alarms.notify) if bp.alarms.enabled and bp.alarms.notify else None

    network = Network(NETWORK_COMPONENT, network_settings(bp), context=ctx)
    stack = StackBuild(blueprint=bp, context=ctx, network=network.attachment, alarm_topic_arn=alarm_topic,
                       expected=expected, built={},
                       cluster_factory=lambda: ServiceCluster(CLUSTER_COMPONENT, context=ctx))
    exports: dict[str, Mapping[str, Any]] = {}
    for phase in sorted({w.phase for w in WIRING.values()}):
        for name, c in bp.components.items():
            wiring = WIRING[c.kind]
            if wiring.phase != phase:
                continue
            component = wiring.build(name, c, wiring.settings(c, bp), stack)
            stack.built[name] = component
            exports[name] = wiring.exports(component)

    pulumi.export("vpc_id", network.vpc.id)
    for name in bp.components:
        pulumi.export(name, exports[name])
    return StackComponents(network=network, cluster=stack._cluster, components=stack.built)


def build_program(bp: Blueprint) -> Callable[[], None]:
    """The Pulumi program of one environment, for an inline Automation API stack or the mock runtime."""

    def program() -> None:
        build_stack(bp)

    return program
