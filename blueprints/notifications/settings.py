"""Settings of the Notifications component: constants with their units and the settings dataclasses.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.notifications.component`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from blueprints.constraints import SettingProblem, raise_problems
from blueprints.naming import env_prefix

#: SNS topic names are at most 256 characters.
MAX_TOPIC_NAME = 256
#: KMS alias names are at most 256 characters, ``alias/`` included.
MAX_ALIAS_NAME = 256
#: Waiting period before the topic's KMS key is deleted, in days.
KEY_DELETION_WINDOW = 30  # days

Protocol = Literal["email", "sms", "https", "sqs"]
_PROTOCOLS = ("email", "sms", "https", "sqs")
#: Endpoint forms per protocol (the spec's subscriber fields use the same patterns):
#: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html (Endpoint), E.164 for SMS.
EMAIL_PATTERN = r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$"
SMS_PATTERN = r"^\+[1-9][0-9]{6,14}$"
HTTPS_PATTERN = r"^https://[!-~]+$"
_ENDPOINT_PATTERNS = {
    "email": (re.compile(EMAIL_PATTERN), "an email address"),
    "sms": (re.compile(SMS_PATTERN), "a phone number in E.164 form, e.g. +15555550100"),
    "https": (re.compile(HTTPS_PATTERN), "an https:// URL"),
    "sqs": (re.compile(r"^[!-~]+$"), "the name of a queue component"),
}


@dataclass(frozen=True)
class Subscriber:
    """One subscriber of the topic.

    Attributes:
        protocol: ``"email"``, ``"sms"``, ``"https"`` or ``"sqs"``.
        endpoint: The address, E.164 phone number or https URL; for ``"sqs"``, the
            queue component's name (its ARN is passed as ``queue_subscriptions``).

    Raises:
        blueprints.constraints.SettingsError: An unknown protocol, or an endpoint that
            does not fit it (a ``ValueError``).
    """

    protocol: Protocol
    endpoint: str

    def __post_init__(self) -> None:
        raise_problems(subscriber_problems(self))


def subscriber_problems(s: Subscriber) -> Iterator[SettingProblem]:
    """The problems of one :class:`Subscriber` (fields ``protocol`` and ``endpoint``).

    Protocols and endpoint forms: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
    """
    if s.protocol not in _PROTOCOLS:
        yield SettingProblem("protocol", f"subscriber protocol must be one of {', '.join(_PROTOCOLS)}, "
                             f"got {s.protocol!r}")
        return
    pattern, what = _ENDPOINT_PATTERNS[s.protocol]
    if not pattern.fullmatch(s.endpoint):
        yield SettingProblem("endpoint", f"{s.protocol} subscriber endpoint must be {what}, got {s.endpoint!r}",
                             source="https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html")


@dataclass(frozen=True, kw_only=True)
class NotificationsSettings:
    """Who receives the topic's messages.

    Attributes:
        subscribers: The subscribers, each at most once.

    Raises:
        blueprints.constraints.SettingsError: The same subscriber (protocol and
            endpoint) appears twice; the problem is on the second, ``subscribers.<index>``.
    """

    subscribers: tuple[Subscriber, ...] = ()

    def __post_init__(self) -> None:
        raise_problems(notifications_problems(self))


def notifications_problems(s: NotificationsSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`NotificationsSettings`: each repeated subscriber, at its index.

    SNS keeps one subscription per topic, protocol and endpoint, so a second one is the
    same resource twice (https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
    """
    first: dict[Subscriber, int] = {}
    for i, subscriber in enumerate(s.subscribers):
        if subscriber in first:
            yield SettingProblem(
                f"subscribers.{i}",
                f"subscriber {subscriber.protocol} {subscriber.endpoint!r} is listed twice "
                f"(also subscribers[{first[subscriber]}])", "list each subscriber once")
        else:
            first[subscriber] = i


def link_variables(component: str, settings: NotificationsSettings) -> dict[str, str]:
    """The variables a topic's link sets on an API that uses it: name -> ``"environment"``.

    :meth:`blueprints.notifications.Notifications.link` sets exactly these.

    >>> link_variables("alerts", NotificationsSettings())
    {'ALERTS_TOPIC_ARN': 'environment'}
    """
    return {f"{env_prefix(component)}_TOPIC_ARN": "environment"}


def topic_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """An SNS topic's ARN: ``arn:<partition>:sns:<region>:<account>:<name>``.

    >>> topic_arn("aws", "eu-west-1", "123456789012", "shop-prod-alerts")
    'arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts'
    """
    return f"arn:{partition}:sns:{region}:{account_id}:{name}"
