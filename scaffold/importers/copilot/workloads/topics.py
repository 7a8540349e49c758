"""Copilot's publish/subscribe: ``publish.topics`` → ``notifications``, subscriptions → their ``subscribers``.

Reference: aws/copilot-cli ``site/content/docs/include/publish.en.md`` (any service or job may
publish SNS topics, each named ``<app>-<env>-<workload>-<topic>``) and ``worker-service.en.md``
(``subscribe.topics``: a worker's queue subscribes to topics by ``name`` and publishing
``service``). Each standard topic becomes a ``notifications`` component ``<workload>-<topic>``
that the publisher ``uses`` (its link sets ``<TOPIC>_TOPIC_ARN``); each subscription becomes a
``{queue: <worker queue>}`` subscriber of it. scaffold's topics are standard SNS topics, so a
FIFO topic is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scaffold.importers.copilot.context import Context
from scaffold.importers.copilot.draft import ComponentDraft
from scaffold.importers.copilot.workloads.conv import Conv
from scaffold.importers.copilot.yamlsource import Located, Origin


@dataclass(frozen=True)
class Subscription:
    """A worker's ``subscribe.topics`` entry, linked once every workload is converted."""

    worker: str
    queue: str
    service: str
    topic: str
    origin: Origin


@dataclass
class PubSub:
    """Topics and queues of the import: what :func:`link` connects."""

    #: (publishing workload, topic name) → notifications component.
    topics: dict[tuple[str, str], str] = field(default_factory=dict)
    #: workload → the topic components it uses.
    uses: dict[str, list[str]] = field(default_factory=dict)
    #: worker workload → its queue component.
    queues: dict[str, str] = field(default_factory=dict)
    subscriptions: list[Subscription] = field(default_factory=list)
    #: FIFO topics left out, by (workload, topic): for the subscriptions' messages.
    fifo: set[tuple[str, str]] = field(default_factory=set)


def publish(conv: Conv, data: Located, state: PubSub, file: str) -> None:
    """``publish.topics`` → a ``notifications`` component per standard topic, in the publisher's ``uses``."""
    if conv.env is not None:
        if state.uses.get(conv.workload):
            conv.fields["uses"] = list(state.uses[conv.workload])
        if "publish" in data:
            conv.left_out(data.at("publish"), "publish", "topics set per environment are not kept: the topics "
                          "of the base manifest are created in every environment")
        return
    raw = data.get("publish")
    if raw is None:
        return
    if not isinstance(raw, Located) or not isinstance(raw.get("topics", []), list):
        conv.wrong_type(data.at("publish"), "publish", "a mapping with a list of topics", raw)
        return
    conv.unknown(raw, {"topics"}, "publish.", "lb-web-service")
    uses: list[str] = []
    for topic in raw.get("topics") or []:
        origin = topic.origin if isinstance(topic, Located) else raw.at("topics")
        name = topic.get("name") if isinstance(topic, Located) else None
        if not isinstance(name, str) or not name:
            conv.wrong_type(origin, "publish.topics", "a mapping with a name", topic)
            continue
        sub = f"publish.topics.{name}"
        if (conv.workload, name) in state.topics or (conv.workload, name) in state.fifo:
            conv.left_out(origin, sub, "the topic is named twice; the first is kept")
            continue
        fifo = topic.get("fifo")
        if fifo not in (None, False):
            state.fifo.add((conv.workload, name))
            conv.left_out(origin, sub, "a FIFO topic is not kept: scaffold's notifications are standard SNS "
                          "topics (no ordering, no deduplication). Send to a FIFO queue directly instead")
            continue
        conv.unknown(topic, {"name", "fifo"}, f"{sub}.", "lb-web-service")
        component = conv.ctx.draft.component_name(f"{conv.workload}-{name}", origin, f"topic {name} of {conv.workload}")
        conv.ctx.draft.add_component(ComponentDraft(component, "notifications", origin,
                                                    f"from {file} (publish.topics {name})", {}))
        conv.ctx.report.imported(origin, conv.subject(sub), f"became notifications `{component}`, which "
                                 f"`{conv.name}` uses")
        state.topics[(conv.workload, name)] = component
        uses.append(component)
    if uses:
        state.uses[conv.workload] = uses
        conv.fields["uses"] = list(uses)


def link(ctx: Context, state: PubSub) -> None:
    """Each subscription → a ``{queue: …}`` subscriber of the publisher's topic, or a report."""
    workloads = {m.name for m in ctx.workspace.workloads}
    for sub in state.subscriptions:
        subject = f"{sub.worker}: subscribe.topics.{sub.topic}"
        key = (sub.service, sub.topic)
        queue = ctx.draft.components.get(sub.queue)
        if key in state.topics:
            if queue is not None and queue.fields.get("fifo"):
                ctx.report.left_out(sub.origin, subject, f"the queue `{sub.queue}` is FIFO, and scaffold's "
                                    "standard SNS topics cannot deliver to a FIFO queue; the subscription is not "
                                    "kept")
                continue
            topic = ctx.draft.components[state.topics[key]]
            subscribers = topic.fields.setdefault("subscribers", [])
            if {"queue": sub.queue} not in subscribers:
                subscribers.append({"queue": sub.queue})
            ctx.report.imported(sub.origin, subject, f"became the subscriber `queue: {sub.queue}` of notifications "
                                f"`{topic.name}`")
        elif key in state.fifo:
            ctx.report.left_out(sub.origin, subject, f"`{sub.service}` publishes `{sub.topic}` as a FIFO topic, "
                                "which is not kept; the subscription is not kept either")
        elif sub.service in workloads:
            ctx.report.left_out(sub.origin, subject, f"`{sub.service}` publishes no topic `{sub.topic}` in its "
                                "manifest (`publish.topics`); the subscription is not kept")
        else:
            ctx.report.left_out(sub.origin, subject, f"the publisher `{sub.service}` is not in this workspace: "
                                f"its topic is not created here. Import it too (one spec), or subscribe "
                                f"`{sub.queue}` to the topic outside scaffold")
