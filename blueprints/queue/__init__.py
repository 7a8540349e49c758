"""An SQS queue with a dead-letter queue, encryption, TLS-only access and alarms.

The component is in :mod:`blueprints.queue.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.queue.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "settings": [
        "DEFAULT_VISIBILITY_TIMEOUT",
        "DEFAULT_RETENTION",
        "DEFAULT_MAX_RECEIVES",
        "DEFAULT_OLDEST_MESSAGE_AGE_THRESHOLD",
        "DLQ_RETENTION",
        "MAX_VISIBILITY_TIMEOUT",
        "MIN_RETENTION",
        "MAX_RETENTION",
        "MAX_MAX_RECEIVES",
        "MAX_QUEUE_NAME",
        "FIFO_SUFFIX",
        "LINK_ACTIONS",
        "QueueSettings",
    ],
    "component": [
        "Queue",
        "queue_policy",
    ],
})
