"""A Redis or Valkey replication group (ElastiCache) in the network's private subnets.

The component is in :mod:`blueprints.cache.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.cache.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CacheEngine": "blueprints.cache.settings",
    "DEFAULT_ENGINE": "blueprints.cache.settings",
    "DEFAULT_NODE_TYPE": "blueprints.cache.settings",
    "MAX_REPLICAS": "blueprints.cache.settings",
    "DEFAULT_SNAPSHOT_RETENTION_DAYS": "blueprints.cache.settings",
    "MAX_SNAPSHOT_RETENTION_DAYS": "blueprints.cache.settings",
    "PORT": "blueprints.cache.settings",
    "AUTH_TOKEN_LENGTH": "blueprints.cache.settings",
    "DEFAULT_CPU_ALARM_THRESHOLD": "blueprints.cache.settings",
    "DEFAULT_MEMORY_ALARM_THRESHOLD": "blueprints.cache.settings",
    "DEFAULT_EVICTIONS_ALARM_THRESHOLD": "blueprints.cache.settings",
    "ENGINES": "blueprints.cache.settings",
    "CacheSettings": "blueprints.cache.settings",
    "ENGINE_VERSIONS": "blueprints.cache.settings",
    "cache_problems": "blueprints.cache.settings",
    "version_problems": "blueprints.cache.settings",
    "link_variables": "blueprints.cache.settings",
    "Cache": "blueprints.cache.component",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
