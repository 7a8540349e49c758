"""An encrypted SNS topic that alarms and APIs publish to, with its subscribers.

The component is in :mod:`blueprints.notifications.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.notifications.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "settings": [
        "MAX_TOPIC_NAME",
        "MAX_ALIAS_NAME",
        "KEY_DELETION_WINDOW",
        "Protocol",
        "Subscriber",
        "NotificationsSettings",
        "topic_arn",
    ],
    "component": [
        "Notifications",
        "topic_policy",
        "key_policy",
    ],
})
