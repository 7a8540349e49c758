"""Wiring of the ``queue`` kind: an SQS queue and its dead-letter queue, built first.

Spec: :mod:`scaffold.spec.kinds.queue`; component: :mod:`blueprints.queue`.

A queue allows the topics that subscribe it, by their ARN known in advance, so that
it keeps one policy and no cycle forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprints.queue.settings import QueueSettings, link_variables
from stacks.kinds import ALARM, STORAGE, StackBuild, Wiring

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint, QueueBlueprint


def queue_settings(c: QueueBlueprint, bp: Blueprint) -> QueueSettings:
    """The settings of a queue component; durations in seconds."""
    return QueueSettings(fifo=c.fifo, content_based_deduplication=c.content_based_deduplication,
                         visibility_timeout=c.visibility_timeout, retention=c.retention,
                         max_receives=c.max_receives, alarms=bp.alarms.enabled)


def subscribing_topics(name: str, stack: StackBuild) -> list[Any]:
    """The expected ARNs of the topics that deliver to queue ``name``, in spec order."""
    return [stack.expected[topic] for topic, c in stack.blueprint.of_kind("notifications").items()
            for sub in c.subscribers if sub.protocol == "queue" and sub.endpoint == name]


def build(name: str, c: QueueBlueprint, settings: QueueSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.queue.Queue`, allowing its subscribing topics to send."""
    from blueprints.queue import Queue

    return Queue(name, settings, context=stack.context, alarm_topic_arn=stack.alarm_topic_arn,
                 allowed_sns_topic_arns=subscribing_topics(name, stack))


def exports(queue: Any) -> dict[str, Any]:
    """The queue's URL and ARN, and its dead-letter queue's URL."""
    return {"url": queue.url, "arn": queue.arn, "dead_letter_queue_url": queue.dead_letter_queue.url}


def physical_names(n: Any, c: QueueBlueprint) -> None:
    """Each AWS name the queue sets (:mod:`scaffold.spec.names`)."""
    from blueprints.queue.settings import MAX_QUEUE_NAME

    def queue_name(suffix: str = "") -> str:  # blueprints.queue.component.Queue.queue_name
        if c.fifo:
            return n.stem(suffix, max_len=MAX_QUEUE_NAME - len(".fifo")) + ".fifo"
        return n.stem(suffix, max_len=MAX_QUEUE_NAME)

    n.add("aws:sqs/queue:Queue", "name", queue_name(), "sqs_queue")
    n.add("aws:sqs/queue:Queue", "name", queue_name("dlq"), "sqs_queue")
    if n.bp.alarms.enabled:
        n.alarms(["dlq-not-empty", "oldest-message-age"])


#: The queue's children: logical-name suffix -> resource types.
CHILDREN: dict[str, tuple[str, ...]] = {
    "queue": ("aws:sqs/queue:Queue",), "dlq": ("aws:sqs/queue:Queue",),
    "policy": ("aws:sqs/queuePolicy:QueuePolicy",), "dlq-policy": ("aws:sqs/queuePolicy:QueuePolicy",),
    "dlq-redrive-allow": ("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",),
    "alarm-dlq-not-empty": (ALARM,), "alarm-oldest-message-age": (ALARM,),
}


def children(c: QueueBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN`."""
    return dict(CHILDREN)


WIRING = Wiring(kind="queue", phase=STORAGE, settings=queue_settings, build=build, exports=exports,
                link_variables=link_variables, physical_names=physical_names, children=children)
