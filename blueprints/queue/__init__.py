"""An SQS queue with a dead-letter queue, encryption, TLS-only access and alarms.

The component is in :mod:`blueprints.queue.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.queue.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DEFAULT_VISIBILITY_TIMEOUT": "blueprints.queue.settings",
    "DEFAULT_RETENTION": "blueprints.queue.settings",
    "DEFAULT_MAX_RECEIVES": "blueprints.queue.settings",
    "DEFAULT_OLDEST_MESSAGE_AGE_THRESHOLD": "blueprints.queue.settings",
    "DLQ_RETENTION": "blueprints.queue.settings",
    "MAX_VISIBILITY_TIMEOUT": "blueprints.queue.settings",
    "MIN_RETENTION": "blueprints.queue.settings",
    "MAX_RETENTION": "blueprints.queue.settings",
    "MAX_MAX_RECEIVES": "blueprints.queue.settings",
    "MAX_QUEUE_NAME": "blueprints.queue.settings",
    "FIFO_SUFFIX": "blueprints.queue.settings",
    "LINK_ACTIONS": "blueprints.queue.settings",
    "QueueSettings": "blueprints.queue.settings",
    "Queue": "blueprints.queue.component",
    "queue_policy": "blueprints.queue.component",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
