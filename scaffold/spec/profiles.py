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

from scaffold.spec.kinds import KINDS
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

#: The profiles' defaults of the stack-wide sections: the network and the alarms.
_SECTIONS: Final[Mapping[str, Mapping[str, Mapping[str, Any]]]] = {
    "dev": {
        "network": {"azs": 2, "nat": "single", "cidr": "10.0.0.0/16", "flow_logs": False},
        "alarms": {"enabled": False, "notify": None},
    },
    "staging": {
        "network": {"azs": 2, "nat": "single", "cidr": "10.0.0.0/16", "flow_logs": False},
        "alarms": {"enabled": True, "notify": None},
    },
    "production": {
        "network": {"azs": 3, "nat": "per_az", "cidr": "10.0.0.0/16", "flow_logs": True},
        "alarms": {"enabled": True, "notify": None},
    },
}

#: The defaults of each profile, by section (``network``, ``alarms``) or component kind; each
#: kind's come from its module (:attr:`scaffold.spec.kinds.Kind.profiles`).
PROFILES: Final[Mapping[str, Mapping[str, Mapping[str, Any]]]] = {
    profile: {**sections, **{name: k.profiles[profile] for name, k in KINDS.items()}}
    for profile, sections in _SECTIONS.items()
}

#: Fields whose value is a duration in seconds (shown as ``14d`` in the docs table).
_DURATION_FIELDS = frozenset().union(*(k.duration_fields for k in KINDS.values()))


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
