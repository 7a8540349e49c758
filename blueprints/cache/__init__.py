"""A Redis or Valkey replication group (ElastiCache) in the network's private subnets.

The component is in :mod:`blueprints.cache.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.cache.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "settings": [
        "CacheEngine",
        "DEFAULT_ENGINE",
        "DEFAULT_NODE_TYPE",
        "MAX_REPLICAS",
        "DEFAULT_SNAPSHOT_RETENTION_DAYS",
        "MAX_SNAPSHOT_RETENTION_DAYS",
        "PORT",
        "AUTH_TOKEN_LENGTH",
        "DEFAULT_CPU_ALARM_THRESHOLD",
        "DEFAULT_MEMORY_ALARM_THRESHOLD",
        "DEFAULT_EVICTIONS_ALARM_THRESHOLD",
        "ENGINES",
        "CacheSettings",
        "ENGINE_VERSIONS",
        "cache_problems",
        "version_problems",
        "link_variables",
    ],
    "component": [
        "Cache",
    ],
})
