"""An encrypted SNS topic that alarms and APIs publish to, with its subscribers.

The component is in :mod:`blueprints.notifications.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.notifications.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "MAX_TOPIC_NAME": "blueprints.notifications.settings",
    "MAX_ALIAS_NAME": "blueprints.notifications.settings",
    "KEY_DELETION_WINDOW": "blueprints.notifications.settings",
    "Protocol": "blueprints.notifications.settings",
    "Subscriber": "blueprints.notifications.settings",
    "NotificationsSettings": "blueprints.notifications.settings",
    "topic_arn": "blueprints.notifications.settings",
    "Notifications": "blueprints.notifications.component",
    "topic_policy": "blueprints.notifications.component",
    "key_policy": "blueprints.notifications.component",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
