"""Profiles: the defaults for every field a spec leaves out, as data, in one place.

``dev`` is the cheapest correct shape; ``production`` turns on everything that
makes failover real; ``staging`` sits between, with failover on so it can be
rehearsed. Encryption at rest and in transit, dead-letter queues, TLS-only
policies and deploy rollback are not here: they are on in every profile and
cannot be turned off.

The same data feeds the resolver (:mod:`scaffold.spec.resolve`), the docs table
(:func:`profile_table`, embedded in ``docs/spec.md``) and its test.
Durations are in seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from scaffold.spec.units import format_duration

DAY: Final = 86400  # seconds

#: Default engine version of each engine (Aurora PostgreSQL/MySQL, ElastiCache Redis OSS/Valkey).
#: Each passes the components' version checks (blueprints.database.settings.ENGINE_VERSIONS,
#: blueprints.cache.settings.ENGINE_VERSIONS); a test holds them to it.
ENGINE_VERSIONS: Final[Mapping[str, str]] = {
    "postgres": "16.6",  # = blueprints.database.settings.DEFAULT_VERSION
    "mysql": "8.0.mysql_aurora.3.08.0",
    "redis": "7.1",
    "valkey": "8.0",
}

_COMMON_QUEUE = {
    "fifo": False,
    "content_based_deduplication": False,
    "visibility_timeout": 30,
    "retention": 4 * DAY,
    "max_receives": 5,
}

#: The defaults of each profile, by section (``network``, ``alarms``) or component kind.
PROFILES: Final[Mapping[str, Mapping[str, Mapping[str, Any]]]] = {
    "dev": {
        "network": {"azs": 2, "nat": "single", "cidr": "10.0.0.0/16", "flow_logs": False},
        "alarms": {"enabled": False, "notify": None},
        "database": {
            "engine": "postgres", "instance": "db.t4g.medium", "serverless": None, "replicas": 0,
            "backup_retention": 1 * DAY, "database": "app",
            "deletion_protection": False, "final_snapshot": False,
            "proxy": False, "performance_insights": False, "monitoring_interval": 0, "allow_replacement": False,
        },
        "cache": {"engine": "redis", "node": "cache.t4g.micro", "replicas": 0, "snapshot_retention": 0,
                  "allow_replacement": False},
        "queue": dict(_COMMON_QUEUE),
        "notifications": {"subscribers": []},
        "api": {
            "port": 8080, "cpu": 256, "memory": 512, "health_check": "/", "health_check_grace_period": 60,
            "public": True, "domain": None,
            "scaling": {"min": 1, "max": 2, "cpu": 60, "memory": None, "requests": None},
            "environment": {}, "secrets": {}, "uses": [],
            "log_retention": 7 * DAY, "access_logs": False, "deletion_protection": False,
            "zone": None, "certificate": None, "waf": False,
        },
    },
    "staging": {
        "network": {"azs": 2, "nat": "single", "cidr": "10.0.0.0/16", "flow_logs": False},
        "alarms": {"enabled": True, "notify": None},
        "database": {
            "engine": "postgres", "instance": "db.t4g.medium", "serverless": None, "replicas": 1,
            "backup_retention": 7 * DAY, "database": "app",
            "deletion_protection": False, "final_snapshot": True,
            "proxy": True, "performance_insights": False, "monitoring_interval": 0, "allow_replacement": False,
        },
        "cache": {"engine": "redis", "node": "cache.t4g.small", "replicas": 1, "snapshot_retention": 1 * DAY,
                  "allow_replacement": False},
        "queue": dict(_COMMON_QUEUE),
        "notifications": {"subscribers": []},
        "api": {
            "port": 8080, "cpu": 256, "memory": 512, "health_check": "/", "health_check_grace_period": 60,
            "public": True, "domain": None,
            "scaling": {"min": 1, "max": 4, "cpu": 60, "memory": None, "requests": None},
            "environment": {}, "secrets": {}, "uses": [],
            "log_retention": 14 * DAY, "access_logs": False, "deletion_protection": False,
            "zone": None, "certificate": None, "waf": False,
        },
    },
    "production": {
        "network": {"azs": 3, "nat": "per_az", "cidr": "10.0.0.0/16", "flow_logs": True},
        "alarms": {"enabled": True, "notify": None},
        "database": {
            "engine": "postgres", "instance": "db.r6g.large", "serverless": None, "replicas": 1,
            "backup_retention": 14 * DAY, "database": "app",
            "deletion_protection": True, "final_snapshot": True,
            "proxy": True, "performance_insights": True, "monitoring_interval": 60, "allow_replacement": False,
        },
        "cache": {"engine": "redis", "node": "cache.r7g.large", "replicas": 1, "snapshot_retention": 7 * DAY,
                  "allow_replacement": False},
        "queue": dict(_COMMON_QUEUE),
        "notifications": {"subscribers": []},
        "api": {
            "port": 8080, "cpu": 512, "memory": 1024, "health_check": "/", "health_check_grace_period": 60,
            "public": True, "domain": None,
            "scaling": {"min": 2, "max": 10, "cpu": 60, "memory": None, "requests": None},
            "environment": {}, "secrets": {}, "uses": [],
            "log_retention": 30 * DAY, "access_logs": True, "deletion_protection": True,
            "zone": None, "certificate": None, "waf": True,
        },
    },
}

#: Fields whose value is a duration in seconds (shown as ``14d`` in the docs table).
_DURATION_FIELDS = {"backup_retention", "snapshot_retention", "visibility_timeout", "retention",
                    "log_retention", "health_check_grace_period", "monitoring_interval"}


def _flatten(prefix: str, value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        rows: list[tuple[str, Any]] = []
        for key, inner in value.items():
            rows.extend(_flatten(f"{prefix}.{key}", inner))
        return rows
    return [(prefix, value)]


def _cell(field: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field.rsplit(".", 1)[-1] in _DURATION_FIELDS and isinstance(value, int):
        return format_duration(value) if value else "0"
    if value in ([], {}):
        return "none"
    return f"`{value}`"


def profile_table(section: str | None = None) -> str:
    """The profile defaults as a Markdown table: one row per field, one column per profile.

    Args:
        section: Only this section or component kind (``"database"`` …); ``None`` for all.
    """
    names = list(PROFILES)
    columns: dict[str, dict[str, Any]] = {}
    for name in names:
        for part, fields in PROFILES[name].items():
            if section is not None and part != section:
                continue
            for field, value in _flatten(part, fields):
                columns.setdefault(field, {})[name] = value
    lines = ["| field | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for field, values in columns.items():
        lines.append(f"| `{field}` | " + " | ".join(_cell(field, values.get(n)) for n in names) + " |")
    return "\n".join(lines)
