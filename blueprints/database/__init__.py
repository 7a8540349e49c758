"""An Aurora cluster (PostgreSQL or MySQL) in the network's private subnets.

The component is in :mod:`blueprints.database.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.database.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "DatabaseEngine": "blueprints.database.settings",
    "DEFAULT_ENGINE": "blueprints.database.settings",
    "DEFAULT_VERSION": "blueprints.database.settings",
    "DEFAULT_INSTANCE_CLASS": "blueprints.database.settings",
    "SERVERLESS_INSTANCE_CLASS": "blueprints.database.settings",
    "DEFAULT_DATABASE_NAME": "blueprints.database.settings",
    "DEFAULT_MASTER_USERNAME": "blueprints.database.settings",
    "DEFAULT_BACKUP_RETENTION_DAYS": "blueprints.database.settings",
    "MAX_BACKUP_RETENTION_DAYS": "blueprints.database.settings",
    "MAX_REPLICAS": "blueprints.database.settings",
    "PERFORMANCE_INSIGHTS_RETENTION": "blueprints.database.settings",
    "DEFAULT_CPU_ALARM_THRESHOLD": "blueprints.database.settings",
    "DEFAULT_FREEABLE_MEMORY_ALARM_THRESHOLD": "blueprints.database.settings",
    "DEFAULT_REPLICA_LAG_ALARM_THRESHOLD": "blueprints.database.settings",
    "MIN_SERVERLESS_ACU": "blueprints.database.settings",
    "MAX_SERVERLESS_ACU": "blueprints.database.settings",
    "ENGINES": "blueprints.database.settings",
    "ServerlessCapacity": "blueprints.database.settings",
    "DatabaseSettings": "blueprints.database.settings",
    "MONITORING_INTERVALS": "blueprints.database.settings",
    "MONITORING_POLICY": "blueprints.database.settings",
    "ENGINE_VERSIONS": "blueprints.database.settings",
    "EngineVersions": "blueprints.database.settings",
    "PROXY_ENGINE_FAMILIES": "blueprints.database.settings",
    "TLS_PARAMETERS": "blueprints.database.settings",
    "database_problems": "blueprints.database.settings",
    "serverless_problems": "blueprints.database.settings",
    "version_problems": "blueprints.database.settings",
    "parameter_group_family": "blueprints.database.settings",
    "link_variables": "blueprints.database.settings",
    "Database": "blueprints.database.component",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
