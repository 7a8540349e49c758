"""The ``cache`` kind: an ElastiCache replication group (Redis OSS or Valkey).

Component: :class:`blueprints.cache.Cache`; wiring: :mod:`stacks.kinds.cache`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from blueprints.cache.settings import MAX_REPLICAS, MAX_SNAPSHOT_RETENTION_DAYS
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.kinds import Kind
from scaffold.spec.kinds.database import replica_rules
from scaffold.spec.units import DAY, Duration

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.findings import Finding
    from scaffold.spec.source import FieldPath


class CacheSpec(SpecModel):
    """An ElastiCache replication group (Redis OSS or Valkey)."""

    kind: Literal["cache"] = Field(description="`cache`: an ElastiCache replication group.")
    engine: Literal["redis", "valkey"] | None = Field(None, description="`redis` or `valkey`.")
    version: str | None = Field(None, description='Engine version as `major.minor`, e.g. `"7.1"` (Redis OSS) or `"8.0"` (Valkey); not `"7.1.0"`.')
    node: str | None = Field(None, pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$", description="Node type, e.g. `cache.r7g.large`.")
    replicas: int | None = Field(None, ge=0, le=MAX_REPLICAS, description="Replicas, each in another AZ. 1 or more gives automatic failover and Multi-AZ.")
    snapshot_retention: Duration | None = Field(None, le=MAX_SNAPSHOT_RETENTION_DAYS * DAY,
                                                description="How long daily snapshots are kept: whole days, 0d to 35d.")
    allow_replacement: bool | None = Field(None, description="Allow a change that replaces the replication group (and loses its data) in a "
                                           "production environment; see `scaffold validate --against`.")


class CacheBlueprint(Resolved):
    kind: Literal["cache"]
    engine: Literal["redis", "valkey"]
    version: str
    node: str
    replicas: int = Field(ge=0, le=5)
    snapshot_retention: Duration = Field(ge=0)
    allow_replacement: bool


PROFILES = {
    "dev": {"engine": "redis", "node": "cache.t4g.micro", "replicas": 0, "snapshot_retention": 0,
            "allow_replacement": False},
    "staging": {"engine": "redis", "node": "cache.t4g.small", "replicas": 1, "snapshot_retention": 1 * DAY,
                "allow_replacement": False},
    "production": {"engine": "redis", "node": "cache.r7g.large", "replicas": 1, "snapshot_retention": 7 * DAY,
                   "allow_replacement": False},
}


def complete(merged: dict[str, Any], given: Mapping[str, Any]) -> None:
    """The engine's default version."""
    from scaffold.spec.profiles import ENGINE_VERSIONS

    merged.setdefault("version", ENGINE_VERSIONS.get(str(merged.get("engine")), ""))


def blueprint_rules(bp: Blueprint, base: FieldPath, c: CacheBlueprint) -> Iterator[Finding]:
    """Replicas fit the AZs."""
    yield from replica_rules(bp, base, c)


KIND = Kind(
    name="cache",
    spec_model=CacheSpec,
    blueprint_model=CacheBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: cache)", CacheSpec),),
    duration_fields=frozenset({"snapshot_retention"}),
    usable=True,
    summary="an ElastiCache replication group (Redis OSS or Valkey) with replicas and Multi-AZ",
    complete=complete,
    blueprint_rules=blueprint_rules,
)
