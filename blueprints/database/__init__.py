"""An Aurora cluster (PostgreSQL or MySQL) in the network's private subnets.

The component is in :mod:`blueprints.database.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.database.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "settings": [
        "DatabaseEngine",
        "DEFAULT_ENGINE",
        "DEFAULT_VERSION",
        "DEFAULT_INSTANCE_CLASS",
        "SERVERLESS_INSTANCE_CLASS",
        "DEFAULT_DATABASE_NAME",
        "DEFAULT_MASTER_USERNAME",
        "DEFAULT_BACKUP_RETENTION_DAYS",
        "MAX_BACKUP_RETENTION_DAYS",
        "MAX_REPLICAS",
        "PERFORMANCE_INSIGHTS_RETENTION",
        "DEFAULT_CPU_ALARM_THRESHOLD",
        "DEFAULT_FREEABLE_MEMORY_ALARM_THRESHOLD",
        "DEFAULT_REPLICA_LAG_ALARM_THRESHOLD",
        "MIN_SERVERLESS_ACU",
        "MAX_SERVERLESS_ACU",
        "ENGINES",
        "ServerlessCapacity",
        "DatabaseSettings",
        "MONITORING_INTERVALS",
        "MONITORING_POLICY",
        "ENGINE_VERSIONS",
        "EngineVersions",
        "PROXY_ENGINE_FAMILIES",
        "TLS_PARAMETERS",
        "database_problems",
        "serverless_problems",
        "version_problems",
        "parameter_group_family",
        "link_variables",
    ],
    "component": [
        "Database",
    ],
})
