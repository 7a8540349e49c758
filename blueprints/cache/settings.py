"""Settings of the Cache component: constants with their units, the settings dataclass and its checks.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`) through :mod:`stacks.settings`. The component is in
:mod:`blueprints.cache.component`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from blueprints.constraints import SettingProblem, raise_problems
from blueprints.naming import env_prefix

CacheEngine = Literal["redis", "valkey"]

DEFAULT_ENGINE: CacheEngine = "redis"
DEFAULT_NODE_TYPE = "cache.t4g.micro"  # 2 vCPU, 0.5 GiB
#: A replication group without cluster mode has at most 5 read replicas.
MAX_REPLICAS = 5  # read replicas per shard: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Replication.html
DEFAULT_SNAPSHOT_RETENTION_DAYS = 0  # days; 0 takes no automatic snapshots
MAX_SNAPSHOT_RETENTION_DAYS = 35  # days
PORT = 6379
#: Length of the generated AUTH token, in characters (ElastiCache accepts 16 to 128).
AUTH_TOKEN_LENGTH = 48
#: ElastiCache takes an AUTH token of 16 to 128 printable characters (no @, " or /).
#: https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html (AuthToken);
#: terraform-provider-aws internal/service/elasticache/replication_group.go (auth_token: StringLenBetween(16, 128)).
AUTH_TOKEN_LENGTHS = range(16, 128 + 1)
DEFAULT_CPU_ALARM_THRESHOLD = 80.0  # percent EngineCPUUtilization
DEFAULT_MEMORY_ALARM_THRESHOLD = 80.0  # percent DatabaseMemoryUsagePercentage
DEFAULT_EVICTIONS_ALARM_THRESHOLD = 100  # evicted keys per minute, per node

ENGINES = ("redis", "valkey")

#: The form of ``engine_version`` per engine, with an example. From Redis OSS 6 on, and for Valkey,
#: ElastiCache takes ``<major>.<minor>`` (``7.1``, ``8.0``), never a patch (``7.1.0`` is refused).
#: Source: terraform-provider-aws internal/service/elasticache/engine_version.go
#: (redisVersionPostV6RegexpPattern ``([6-9]\.[[:digit:]]+)``, valkeyVersionRegexpPattern
#: ``^[7-9]\.[[:digit:]]+$``); scaffold also refuses Redis OSS 5 and older (no longer supported).
ENGINE_VERSIONS: dict[str, tuple[re.Pattern[str], str]] = {
    "redis": (re.compile(r"^[6-9]\.\d+$"), "7.1"),
    "valkey": (re.compile(r"^[7-9]\.\d+$"), "8.0"),
}


def version_problems(engine: str, version: str | None, field: str = "version") -> Iterator[SettingProblem]:
    """Problems with ``version`` as an ElastiCache ``engine`` version; ``None`` (AWS's default) is fine."""
    if version is None or engine not in ENGINE_VERSIONS:
        return
    pattern, example = ENGINE_VERSIONS[engine]
    if not pattern.match(version):
        hint = f"use <major>.<minor>, e.g. {example!r}"
        if re.match(r"^\d+\.\d+\.\d+$", version):
            hint = f"drop the patch number: {'.'.join(version.split('.')[:2])!r}"
        yield SettingProblem(field, f"{version!r} is not a {engine} version ElastiCache accepts", hint,
                             "terraform-provider-aws internal/service/elasticache/engine_version.go")


@dataclass(frozen=True, kw_only=True)
class CacheSettings:
    """How a :class:`Cache` is built. The defaults make one small, unreplicated node.

    Attributes:
        engine: ``"redis"`` or ``"valkey"`` (sent to AWS in lowercase).
        version: Engine version as ``<major>.<minor>``, e.g. ``"7.1"`` or ``"8.0"``;
            ``None`` takes AWS's default.
        node: Node type of every node, e.g. ``"cache.r7g.large"``.
        replicas: Read replicas besides the primary, 0 to 5; at most one fewer
            than the network's availability zones. With at least one, the group
            gets automatic failover and Multi-AZ.
        snapshot_retention_days: Days of automatic daily snapshots, 0 (none) to 35.
        alarms: Whether CloudWatch alarms are created.
        cpu_alarm_threshold: EngineCPUUtilization above which a node's alarm fires, in percent.
        memory_alarm_threshold: DatabaseMemoryUsagePercentage above which a node's alarm
            fires, in percent.
        evictions_alarm_threshold: Evicted keys per minute (sum over 60 s) above which
            a node's alarm fires, a count.

    Raises:
        blueprints.constraints.SettingsError: (a ``ValueError``) with every broken rule, each
            named by its field (see :func:`cache_problems`).
    """

    engine: CacheEngine = DEFAULT_ENGINE
    version: str | None = None
    node: str = DEFAULT_NODE_TYPE
    replicas: int = 0
    snapshot_retention_days: int = DEFAULT_SNAPSHOT_RETENTION_DAYS
    alarms: bool = False
    cpu_alarm_threshold: float = DEFAULT_CPU_ALARM_THRESHOLD
    memory_alarm_threshold: float = DEFAULT_MEMORY_ALARM_THRESHOLD
    evictions_alarm_threshold: int = DEFAULT_EVICTIONS_ALARM_THRESHOLD

    def __post_init__(self) -> None:
        raise_problems(cache_problems(self))


def cache_problems(s: CacheSettings) -> Iterator[SettingProblem]:
    """Every broken rule of a :class:`CacheSettings`; fields are its attribute names."""
    if s.engine not in ENGINES:
        yield SettingProblem("engine", f"engine must be one of {list(ENGINES)} (lowercase), got {s.engine!r}",
                             "use redis or valkey",
                             "terraform-provider-aws internal/service/elasticache/replication_group.go (engine)")
    else:
        yield from version_problems(s.engine, s.version)
    if not 0 <= s.replicas <= MAX_REPLICAS:
        yield SettingProblem("replicas", f"replicas must be 0 to {MAX_REPLICAS}, got {s.replicas}",
                             "a replication group without cluster mode has at most 5 replicas")
    if not 0 <= s.snapshot_retention_days <= MAX_SNAPSHOT_RETENTION_DAYS:
        yield SettingProblem("snapshot_retention_days",
                             f"snapshot_retention_days must be 0 to {MAX_SNAPSHOT_RETENTION_DAYS}, "
                             f"got {s.snapshot_retention_days}", "pick 0 to 35 days",
                             "terraform-provider-aws internal/service/elasticache/replication_group.go "
                             "(snapshot_retention_limit, IntAtMost(35))")
    for label, value in (("cpu_alarm_threshold", s.cpu_alarm_threshold),
                         ("memory_alarm_threshold", s.memory_alarm_threshold)):
        if not 0 < value <= 100:
            yield SettingProblem(label, f"{label} is a percentage, got {value}")
    if s.evictions_alarm_threshold < 0:
        yield SettingProblem("evictions_alarm_threshold",
                             f"evictions_alarm_threshold must be >= 0, got {s.evictions_alarm_threshold}")


def link_variables(component: str, settings: CacheSettings) -> dict[str, str]:
    """Every environment variable :meth:`Cache.link` sets, mapped to ``"environment"`` or ``"secret"``.

    ``<P>_HOST`` and ``<P>_PORT`` are plain; ``<P>_AUTH_TOKEN`` is an ECS secret
    (``<P>`` is :func:`blueprints.naming.env_prefix` of ``component``).
    """
    p = env_prefix(component)
    return {f"{p}_HOST": "environment", f"{p}_PORT": "environment", f"{p}_AUTH_TOKEN": "secret"}
