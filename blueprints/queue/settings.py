"""Settings of the Queue component: constants with their units and the settings dataclasses.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.queue.component`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from blueprints.constraints import SettingProblem, raise_problems
from blueprints.naming import env_prefix

#: Default visibility timeout, in seconds.
DEFAULT_VISIBILITY_TIMEOUT = 30  # 30 seconds
#: Default message retention of the queue, in seconds.
DEFAULT_RETENTION = 345600  # 4 days in seconds
#: Default receives before a message moves to the dead-letter queue.
DEFAULT_MAX_RECEIVES = 5
#: Default age of the oldest message that raises the alarm, in seconds.
DEFAULT_OLDEST_MESSAGE_AGE_THRESHOLD = 300  # 5 minutes in seconds
#: Message retention of the dead-letter queue, in seconds (SQS's maximum).
DLQ_RETENTION = 1209600  # 14 days in seconds
#: SQS limits: visibility timeout 0..43200 s (12 h), retention 60..1209600 s (1 min..14 days),
#: maxReceiveCount 1..1000, queue names at most 80 characters (including ``.fifo``).
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html,
#: terraform-provider-aws internal/service/sqs/queue.go (visibility_timeout_seconds
#: IntBetween(0, 43200), message_retention_seconds IntBetween(60, 1209600)).
MAX_VISIBILITY_TIMEOUT = 43200  # 12 hours in seconds
MIN_RETENTION = 60  # 1 minute in seconds
MAX_RETENTION = 1209600  # 14 days in seconds
MAX_MAX_RECEIVES = 1000
MAX_QUEUE_NAME = 80
FIFO_SUFFIX = ".fifo"

#: What an API that uses the queue may do with it, and no more.
LINK_ACTIONS = ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                "sqs:GetQueueAttributes")
#: What a worker that ``consumes`` the queue may do with it, and no more: receive a message,
#: delete it once processed, extend (or end) its visibility timeout while it works on it, and
#: read the queue's attributes. All four take the ``queue`` resource type, so they are granted on
#: the queue's ARN only. https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
CONSUMER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes")


@dataclass(frozen=True, kw_only=True)
class QueueSettings:
    """How a :class:`Queue` behaves.

    Attributes:
        fifo: First-in-first-out queue (and DLQ) with exactly-once processing.
        visibility_timeout: Seconds a received message stays hidden, ``0``..``43200``.
        retention: Seconds the queue keeps a message, ``60``..``1209600``.
        max_receives: Receives before a message moves to the DLQ, ``1``..``1000``.
        content_based_deduplication: FIFO only: deduplicate by a SHA-256 of the
            body; ignored for standard queues.
        alarms: Create the oldest-message-age and DLQ-not-empty alarms.
        oldest_message_age_threshold: Seconds the oldest message may wait before
            the age alarm fires.

    Raises:
        blueprints.constraints.SettingsError: A value outside SQS's limits, or a
            non-positive threshold (every problem at once; a ``ValueError``).
    """

    fifo: bool = False
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT
    retention: int = DEFAULT_RETENTION
    max_receives: int = DEFAULT_MAX_RECEIVES
    content_based_deduplication: bool = True
    alarms: bool = False
    oldest_message_age_threshold: int = DEFAULT_OLDEST_MESSAGE_AGE_THRESHOLD

    def __post_init__(self) -> None:
        raise_problems(queue_problems(self))


def queue_problems(s: QueueSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`QueueSettings`, by settings field (SQS's limits above)."""
    source = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html"
    checks = (
        ("visibility_timeout", s.visibility_timeout, 0, MAX_VISIBILITY_TIMEOUT, "0s to 12h"),
        ("retention", s.retention, MIN_RETENTION, MAX_RETENTION, "1m to 14d"),
        ("max_receives", s.max_receives, 1, MAX_MAX_RECEIVES, "1 to 1000"),
    )
    for field_name, value, low, high, readable in checks:
        if not low <= value <= high:
            yield SettingProblem(field_name, f"must be between {low} and {high}, got {value}",
                                 f"SQS allows {readable}", source)
    if s.oldest_message_age_threshold <= 0:
        yield SettingProblem("oldest_message_age_threshold",
                             f"must be a positive number of seconds, got {s.oldest_message_age_threshold}")


def link_variables(component: str, settings: QueueSettings) -> dict[str, str]:
    """The variables a queue's link sets on an API that uses it: name -> ``"environment"``.

    :meth:`blueprints.queue.Queue.link` sets exactly these, so ``scaffold validate`` can
    report a name that the API or another link also sets.

    >>> link_variables("jobs", QueueSettings())
    {'JOBS_QUEUE_URL': 'environment'}
    """
    return {f"{env_prefix(component)}_QUEUE_URL": "environment"}


def consumer_link_variables(component: str, settings: QueueSettings) -> dict[str, str]:
    """The variables a queue's consumer link sets on the worker that ``consumes`` it: name -> ``"environment"``.

    The same name as :func:`link_variables` (the worker finds the queue where an API would);
    :meth:`blueprints.queue.Queue.consumer_link` sets exactly these.

    >>> consumer_link_variables("jobs", QueueSettings())
    {'JOBS_QUEUE_URL': 'environment'}
    """
    return link_variables(component, settings)
