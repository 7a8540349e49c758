"""Settings of the Notifications component: constants with their units and the settings dataclasses.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.notifications.component`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: SNS topic names are at most 256 characters.
MAX_TOPIC_NAME = 256
#: KMS alias names are at most 256 characters, ``alias/`` included.
MAX_ALIAS_NAME = 256
#: Waiting period before the topic's KMS key is deleted, in days.
KEY_DELETION_WINDOW = 30  # days

Protocol = Literal["email", "sms", "https", "sqs"]
_PROTOCOLS = ("email", "sms", "https", "sqs")
_ENDPOINT_PATTERNS = {
    "email": (re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an email address"),
    "sms": (re.compile(r"^\+[1-9]\d{6,14}$"), "a phone number in E.164 form, e.g. +15555550100"),
    "https": (re.compile(r"^https://\S+$"), "an https:// URL"),
    "sqs": (re.compile(r"^\S+$"), "the name of a queue component"),
}


@dataclass(frozen=True)
class Subscriber:
    """One subscriber of the topic.

    Attributes:
        protocol: ``"email"``, ``"sms"``, ``"https"`` or ``"sqs"``.
        endpoint: The address, E.164 phone number or https URL; for ``"sqs"``, the
            queue component's name (its ARN is passed as ``queue_subscriptions``).

    Raises:
        ValueError: An unknown protocol, or an endpoint that does not fit it.
    """

    protocol: Protocol
    endpoint: str

    def __post_init__(self) -> None:
        if self.protocol not in _PROTOCOLS:
            raise ValueError(
                f"subscriber protocol must be one of {', '.join(_PROTOCOLS)}, got {self.protocol!r}")
        pattern, what = _ENDPOINT_PATTERNS[self.protocol]
        if not pattern.match(self.endpoint):
            raise ValueError(f"{self.protocol} subscriber endpoint must be {what}, got {self.endpoint!r}")


@dataclass(frozen=True, kw_only=True)
class NotificationsSettings:
    """Who receives the topic's messages.

    Attributes:
        subscribers: The subscribers, each at most once.

    Raises:
        ValueError: The same subscriber appears twice.
    """

    subscribers: tuple[Subscriber, ...] = ()

    def __post_init__(self) -> None:
        seen: set[Subscriber] = set()
        for subscriber in self.subscribers:
            if subscriber in seen:
                raise ValueError(
                    f"subscriber {subscriber.protocol} {subscriber.endpoint!r} is listed twice")
            seen.add(subscriber)


def topic_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """An SNS topic's ARN: ``arn:<partition>:sns:<region>:<account>:<name>``.

    >>> topic_arn("aws", "eu-west-1", "123456789012", "shop-prod-alerts")
    'arn:aws:sns:eu-west-1:123456789012:shop-prod-alerts'
    """
    return f"arn:{partition}:sns:{region}:{account_id}:{name}"
