"""Wiring of the ``notifications`` kind: an SNS topic, built after the queues it delivers to.

Spec: :mod:`scaffold.spec.kinds.notifications`; component: :mod:`blueprints.notifications`.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from blueprints.constraints import SettingProblem, raise_problems
from blueprints.notifications.settings import NotificationsSettings, Subscriber, link_variables
from stacks.kinds import MESSAGING, StackBuild, Wiring
from stacks.settings import nested

if TYPE_CHECKING:
    from blueprints.base import StackContext
    from scaffold.spec.blueprint import Blueprint, NotificationsBlueprint


def notifications_settings(c: NotificationsBlueprint, bp: Blueprint | None = None) -> NotificationsSettings:
    """The settings of a notifications component (a ``queue`` subscriber is SNS protocol ``sqs``).

    Raises:
        SettingsError: Every problem of every subscriber (``subscribers.<i>.endpoint``) and of
            the list (``subscribers.<i>`` for a repeated one).
    """
    problems: list[SettingProblem] = []
    subscribers = [
        nested(problems, f"subscribers.{i}.",
                lambda s=s: Subscriber(protocol="sqs" if s.protocol == "queue" else s.protocol,  # type: ignore[misc]
                                       endpoint=s.endpoint))
        for i, s in enumerate(c.subscribers)]
    settings = nested(problems, "", lambda: NotificationsSettings(
        subscribers=tuple(s for s in subscribers if s is not None)))
    raise_problems(problems)
    assert settings is not None
    return settings


def expected_address(name: str, context: StackContext) -> Any:
    """The topic's ARN before it exists, for the queues it delivers to and the alarms."""
    from blueprints.notifications import Notifications

    return Notifications.expected_topic_arn(name, context)


def build(name: str, c: NotificationsBlueprint, settings: NotificationsSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.notifications.Notifications` topic, subscribing its queues."""
    from blueprints.notifications import Notifications

    queues = {s.endpoint: stack.built[s.endpoint].arn for s in c.subscribers if s.protocol == "queue"}
    return Notifications(name, settings, context=stack.context, queue_subscriptions=queues)


def exports(topic: Any) -> dict[str, Any]:
    """The topic's ARN."""
    return {"topic_arn": topic.topic_arn}


def physical_names(n: Any, c: NotificationsBlueprint) -> None:
    """Each AWS name the topic sets (:mod:`scaffold.spec.names`)."""
    from blueprints.notifications.settings import MAX_ALIAS_NAME, MAX_TOPIC_NAME

    n.add("aws:kms/alias:Alias", "name", "alias/" + n.stem(max_len=MAX_ALIAS_NAME - len("alias/")), "kms_alias")
    n.add("aws:sns/topic:Topic", "name", n.stem(max_len=MAX_TOPIC_NAME), "sns_topic")


#: The topic's children besides its subscriptions: logical-name suffix -> resource types.
CHILDREN: dict[str, tuple[str, ...]] = {
    "key": ("aws:kms/alias:Alias", "aws:kms/key:Key"), "policy": ("aws:sns/topicPolicy:TopicPolicy",),
    "topic": ("aws:sns/topic:Topic",),
}


def children(c: NotificationsBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN` and one subscription per subscriber."""
    # blueprints.notifications.component._subscription_suffix: <protocol>-<8 hex of the endpoint>
    subscriptions = {
        f"sub-sqs-{s.endpoint}" if s.protocol == "queue"
        else f"sub-{s.protocol}-{hashlib.sha256(s.endpoint.encode()).hexdigest()[:8]}":
            ("aws:sns/topicSubscription:TopicSubscription",)
        for s in c.subscribers}
    return {**CHILDREN, **subscriptions}


WIRING = Wiring(kind="notifications", phase=MESSAGING, settings=notifications_settings, build=build,
                exports=exports, link_variables=link_variables, physical_names=physical_names,
                children=children, expected_address=expected_address)
