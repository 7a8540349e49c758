"""Settings of the Queue component: constants with their units and the settings dataclasses.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.queue.component`.
"""

from __future__ import annotations

from dataclasses import dataclass

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
MAX_VISIBILITY_TIMEOUT = 43200  # 12 hours in seconds
MIN_RETENTION = 60  # 1 minute in seconds
MAX_RETENTION = 1209600  # 14 days in seconds
MAX_MAX_RECEIVES = 1000
MAX_QUEUE_NAME = 80
FIFO_SUFFIX = ".fifo"

#: What an API that uses the queue may do with it, and no more.
LINK_ACTIONS = ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
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
        ValueError: A value outside SQS's limits, or a non-positive threshold.
    """

    fifo: bool = False
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT
    retention: int = DEFAULT_RETENTION
    max_receives: int = DEFAULT_MAX_RECEIVES
    content_based_deduplication: bool = True
    alarms: bool = False
    oldest_message_age_threshold: int = DEFAULT_OLDEST_MESSAGE_AGE_THRESHOLD

    def __post_init__(self) -> None:
        checks = (
            ("visibility_timeout", self.visibility_timeout, 0, MAX_VISIBILITY_TIMEOUT),
            ("retention", self.retention, MIN_RETENTION, MAX_RETENTION),
            ("max_receives", self.max_receives, 1, MAX_MAX_RECEIVES),
        )
        for field_name, value, low, high in checks:
            if not low <= value <= high:
                raise ValueError(f"{field_name} must be between {low} and {high}, got {value}")
        if self.oldest_message_age_threshold <= 0:
            raise ValueError(
                "oldest_message_age_threshold must be a positive number of seconds, "
                f"got {self.oldest_message_age_threshold}"
            )
