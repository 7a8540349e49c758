"""The ``database`` kind: an Amazon Aurora cluster (PostgreSQL or MySQL) with a writer and readers.

Component: :class:`blueprints.database.Database`; wiring: :mod:`stacks.kinds.database`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from blueprints.constraints import zone_spread_problem
from blueprints.database.settings import (
    DATABASE_NAME_PATTERN,
    MAX_BACKUP_RETENTION_DAYS,
    MAX_REPLICAS,
    MAX_SERVERLESS_ACU,
    MIN_SERVERLESS_ACU,
)
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.findings import Finding
from scaffold.spec.kinds import Kind
from scaffold.spec.units import DAY, Duration

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.source import FieldPath


class ServerlessSpec(SpecModel):
    """Aurora Serverless v2 capacity, in Aurora capacity units (ACU)."""

    min: float = Field(ge=MIN_SERVERLESS_ACU, le=MAX_SERVERLESS_ACU, multiple_of=0.5, description="Minimum capacity in ACU, 0 to 256 in steps of 0.5.")
    max: float = Field(ge=1, le=MAX_SERVERLESS_ACU, multiple_of=0.5, description="Maximum capacity in ACU, 1 to 256 in steps of 0.5.")


class DatabaseSpec(SpecModel):
    """An Amazon Aurora cluster (PostgreSQL or MySQL) with a writer and readers."""

    kind: Literal["database"] = Field(description="`database`: an Amazon Aurora cluster.")
    engine: Literal["postgres", "mysql"] | None = Field(None, description="Aurora engine: `postgres` or `mysql`.")
    version: str | None = Field(None, description='Engine version, e.g. `"16.4"` (PostgreSQL) or `"8.0.mysql_aurora.3.08.0"` (MySQL). Quote it so YAML keeps it a string.')
    instance: str | None = Field(None, pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$",
                                 description="Instance class, e.g. `db.r6g.large`. Leave out with `serverless`.")
    serverless: ServerlessSpec | None = Field(None, description="Aurora Serverless v2 capacity in ACU, instead of `instance`.")
    replicas: int | None = Field(None, ge=0, le=MAX_REPLICAS, description="Readers, each in another AZ. 1 or more gives automatic failover.")
    backup_retention: Duration | None = Field(None, le=MAX_BACKUP_RETENTION_DAYS * DAY,
                                              description="How long automated backups are kept: whole days, 1d to 35d.")
    database: str | None = Field(None, pattern=DATABASE_NAME_PATTERN, description="Name of the database created in the cluster.")
    deletion_protection: bool | None = Field(None, description="Refuse to delete the cluster until this is turned off.")
    final_snapshot: bool | None = Field(None, description="Take a final snapshot when the cluster is deleted (its name ends with a random suffix).")
    proxy: bool | None = Field(None, description="Connect apps through an RDS Proxy with IAM authentication: pooled connections, "
                               "faster failover, and no password in the app, so rotation never breaks it. On in staging and production.")
    performance_insights: bool | None = Field(None, description="Performance Insights on every instance, 7 days (free tier). On in production.")
    monitoring_interval: Duration | None = Field(None, description="Enhanced Monitoring interval: `0` (off), `1s`, `5s`, `10s`, `15s`, `30s` or `60s`. "
                                                 "`60s` in production.")
    allow_replacement: bool | None = Field(None, description="Allow a change that replaces the cluster (and loses its data) in a production "
                                           "environment; see `scaffold validate --against`.")


class ServerlessBlueprint(Resolved):
    min: float = Field(ge=0, le=256, multiple_of=0.5)
    max: float = Field(ge=1, le=256, multiple_of=0.5)


class DatabaseBlueprint(Resolved):
    kind: Literal["database"]
    engine: Literal["postgres", "mysql"]
    version: str
    instance: str | None
    serverless: ServerlessBlueprint | None
    replicas: int = Field(ge=0, le=15)
    backup_retention: Duration = Field(ge=0)
    database: str
    deletion_protection: bool
    final_snapshot: bool
    proxy: bool
    performance_insights: bool
    monitoring_interval: Duration = Field(ge=0)
    allow_replacement: bool


def _common(**changes: Any) -> dict[str, Any]:
    return {
        "engine": "postgres", "instance": "db.t4g.medium", "serverless": None, "replicas": 0,
        "backup_retention": 1 * DAY, "database": "app",
        "deletion_protection": False, "final_snapshot": False,
        "proxy": False, "performance_insights": False, "monitoring_interval": 0, "allow_replacement": False,
        **changes,
    }


PROFILES = {
    "dev": _common(),
    "staging": _common(replicas=1, backup_retention=7 * DAY, final_snapshot=True, proxy=True),
    "production": _common(instance="db.r6g.large", replicas=1, backup_retention=14 * DAY,
                          deletion_protection=True, final_snapshot=True, proxy=True,
                          performance_insights=True, monitoring_interval=60),
}


def complete(merged: dict[str, Any], given: Mapping[str, Any]) -> None:
    """The engine's default version; no instance class with ``serverless`` (unless one is given)."""
    from scaffold.spec.profiles import ENGINE_VERSIONS

    merged.setdefault("version", ENGINE_VERSIONS.get(str(merged.get("engine")), ""))
    if merged.get("serverless") and "instance" not in given:
        merged["instance"] = None


def replicas_hint(replicas: int, azs: int) -> str:
    """Fewer replicas, or more AZs where a VPC can have them (``MIN_AZS`` to ``MAX_AZS``)."""
    from blueprints.network.settings import MAX_AZS, MIN_AZS  # pulumi-free

    needed = max(replicas + 1, MIN_AZS)
    if needed <= MAX_AZS:
        return f"set replicas to at most {azs - 1}, or network.azs to {needed}"
    more = f", or network.azs to {MAX_AZS}" if azs < MAX_AZS else ""
    return (f"set replicas to at most {azs - 1}{more}; network.azs is at most {MAX_AZS}, so at most "
            f"{MAX_AZS - 1} replicas fit")


def replica_rules(bp: Blueprint, base: FieldPath, c: Any) -> Iterator[Finding]:
    """Each reader (database) or replica (cache) lives in another AZ: ``replicas <= azs - 1``."""
    azs = bp.network.azs
    if zone_spread_problem(c.replicas + 1, azs):
        yield Finding((*base, "replicas"),
                      f"{c.replicas} replicas need {c.replicas + 1} AZs, but environment {bp.environment!r} "
                      f"has network.azs {azs}; each reader lives in another AZ",
                      replicas_hint(c.replicas, azs))


def blueprint_rules(bp: Blueprint, base: FieldPath, c: DatabaseBlueprint) -> Iterator[Finding]:
    """Readers fit the AZs; ``instance`` and ``serverless`` exclude each other."""
    yield from replica_rules(bp, base, c)
    if c.instance and c.serverless:
        yield Finding((*base, "serverless"), "set either instance or serverless, not both",
                      "remove instance to run Aurora Serverless v2")


KIND = Kind(
    name="database",
    spec_model=DatabaseSpec,
    blueprint_model=DatabaseBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: database)", DatabaseSpec), ("components.NAME.serverless", ServerlessSpec)),
    duration_fields=frozenset({"backup_retention", "monitoring_interval"}),
    usable=True,
    summary="an Amazon Aurora cluster (PostgreSQL or MySQL) with readers and failover",
    complete=complete,
    blueprint_rules=blueprint_rules,
)
