"""Worker Service → ``worker`` that ``consumes`` a ``queue`` made from ``subscribe.queue``.

Reference: aws/copilot-cli ``site/content/docs/manifest/worker-service.en.md``. Copilot always
creates a worker's queue (``subscribe.queue`` tunes it): ``timeout`` → ``visibility_timeout``,
``retention`` → ``retention``, ``dead_letter.tries`` → ``max_receives``, ``fifo`` → ``fifo`` (and
``content_based_deduplication``). The queue is named ``<worker>-queue``; the worker's link sets
``<QUEUE>_QUEUE_URL`` (:mod:`stacks.kinds.queue`), where Copilot set ``COPILOT_QUEUE_URI``.
A topic-specific queue (``subscribe.topics[].queue``) is not kept: a scaffold worker consumes
one queue, so every topic delivers to it.
"""

from __future__ import annotations

import math
from typing import Any

from scaffold.importers.copilot.draft import ComponentDraft
from scaffold.importers.copilot.workloads.conv import Conv, go_duration, located
from scaffold.importers.copilot.workloads.topics import PubSub, Subscription
from scaffold.importers.copilot.yamlsource import Located

QUEUE_KEYS = {"timeout", "retention", "delay", "dead_letter", "fifo"}


def subscribe(conv: Conv, data: Located, state: PubSub, file: str) -> None:
    """The worker's queue and subscriptions (base conversion); ``consumes`` in every conversion."""
    if conv.env is not None:
        conv.fields["consumes"] = state.queues[conv.workload]
        if "subscribe" in data:
            conv.left_out(data.at("subscribe"), "subscribe", "a queue or subscriptions set per environment are "
                          "not kept: the base manifest's are used in every environment")
        return
    raw = data.get("subscribe")
    origin = data.at("subscribe") if "subscribe" in data else data.origin
    if raw is not None and not isinstance(raw, Located):
        conv.wrong_type(origin, "subscribe", "a mapping", raw)
        raw = None
    if raw is None:
        raw = located(origin, [])
    conv.unknown(raw, {"queue", "topics"}, "subscribe.", "worker-service")
    queue: dict[str, Any] = {}
    if "queue" in raw:
        _queue(conv, raw, queue)
    name = conv.ctx.draft.component_name(f"{conv.workload}-queue", origin, f"queue of {conv.workload}")
    conv.ctx.draft.add_component(ComponentDraft(name, "queue", origin,
                                                f"from {file} (the Worker Service's queue)", queue))
    state.queues[conv.workload] = name
    conv.fields["consumes"] = name
    conv.notes.append(f"its queue (`subscribe.queue`) became queue `{name}`, which it consumes")
    topics = raw.get("topics")
    if topics is None:
        return
    if not isinstance(topics, list):
        conv.wrong_type(raw.at("topics"), "subscribe.topics", "a list", topics)
        return
    for topic in topics:
        if not isinstance(topic, Located) or not isinstance(topic.get("name"), str) \
                or not isinstance(topic.get("service"), str):
            conv.wrong_type(raw.at("topics"), "subscribe.topics", "a mapping with name and service", topic)
            continue
        sub = f"subscribe.topics.{topic['name']}"
        conv.unknown(topic, {"name", "service", "filter_policy", "queue"}, f"{sub}.", "worker-service")
        if "filter_policy" in topic:
            conv.left_out(topic.at("filter_policy"), f"{sub}.filter_policy",
                          "subscription filter policies are not kept: every message of the topic reaches the "
                          "queue; filter in the worker")
        if topic.get("queue") not in (None, False):
            conv.left_out(topic.at("queue"), f"{sub}.queue",
                          f"a queue of this topic's own is not kept: a scaffold worker consumes one queue, so "
                          f"the topic delivers to `{name}`")
        state.subscriptions.append(Subscription(conv.workload, name, topic["service"], topic["name"], topic.origin))


def _queue(conv: Conv, raw: Located, queue: dict[str, Any]) -> None:
    from blueprints.queue.settings import MAX_MAX_RECEIVES, MAX_RETENTION, MAX_VISIBILITY_TIMEOUT
    from scaffold.spec.units import format_duration

    value = raw["queue"]
    if not isinstance(value, Located):
        conv.wrong_type(raw.at("queue"), "subscribe.queue", "a mapping", value)
        return
    conv.unknown(value, QUEUE_KEYS, "subscribe.queue.", "worker-service")
    for key, target, low, high in (("timeout", "visibility_timeout", 0, MAX_VISIBILITY_TIMEOUT),
                                   ("retention", "retention", 60, MAX_RETENTION)):
        if key not in value:
            continue
        seconds = go_duration(value[key])
        if seconds is None or not low <= math.ceil(seconds) <= high:
            conv.wrong_type(value.at(key), f"subscribe.queue.{key}",
                            f"a duration from {format_duration(low) if low else '0s'} to {format_duration(high)}",
                            value[key])
            continue
        queue[target] = format_duration(math.ceil(seconds)) if seconds else 0
    if "delay" in value:
        conv.left_out(value.at("delay"), "subscribe.queue.delay", "a delivery delay is not kept: scaffold's "
                      "queues deliver at once")
    if "dead_letter" in value:
        dead = value["dead_letter"]
        tries = dead.get("tries") if isinstance(dead, Located) else None
        if isinstance(tries, int) and not isinstance(tries, bool) and 1 <= tries <= MAX_MAX_RECEIVES:
            queue["max_receives"] = tries
        else:
            conv.wrong_type(value.at("dead_letter"), "subscribe.queue.dead_letter",
                            f"a mapping with tries from 1 to {MAX_MAX_RECEIVES}", dead)
    if "fifo" in value and value["fifo"] not in (None, False):
        fifo = value["fifo"]
        queue["fifo"] = True
        if isinstance(fifo, Located):
            if fifo.get("content_based_deduplication") is True:
                queue["content_based_deduplication"] = True
            for key in sorted(set(fifo) - {"content_based_deduplication"}, key=lambda k: fifo.key_lines.get(k, 0)):
                conv.left_out(fifo.at(key), f"subscribe.queue.fifo.{key}",
                              "FIFO high-throughput settings are not kept: scaffold's FIFO queues use SQS's defaults")
