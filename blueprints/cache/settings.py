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

#: The form of ``engine_version`` per engine, with an example, as terraform-provider-aws validates it
#: (internal/service/elasticache/engine_version.go):
#:
#: * Redis OSS before 6: ``<major>.<minor>.<patch>`` (``5.0.6``; redisVersionPreV6RegexpPattern
#:   ``^[1-5](\.[[:digit:]]+){2}$``);
#: * Redis OSS 6: ``6.x`` or ``6.<minor>``; 7 on: ``<major>.<minor>`` (``7.1``; never a patch, ``7.1.0`` is
#:   refused; redisVersionPostV6RegexpPattern ``^((6)\.x)|([6-9]\.[[:digit:]]+)$``);
#: * Valkey: ``<major>.<minor>`` (``8.0``; valkeyVersionRegexpPattern ``^[7-9]\.[[:digit:]]+$``).
#:
#: The provider's post-6 alternatives are each anchored on one side only (so ``6.xyz`` or ``17.1`` slip
#: through its check and fail at AWS); these patterns anchor both ends and accept a subset of it.
ENGINE_VERSIONS: dict[str, tuple[re.Pattern[str], str]] = {
    "redis": (re.compile(r"^(?:[1-5]\.[0-9]+\.[0-9]+|6\.x|[6-9]\.[0-9]+)\Z"), "7.1"),
    "valkey": (re.compile(r"^[7-9]\.[0-9]+\Z"), "8.0"),
}

#: The Redis OSS versions ElastiCache creates, oldest and newest: node-based clusters support Redis OSS
#: 4.0.10 and later, and the Redis OSS line ends at 7.1 (Valkey 7.2 and later succeed it):
#: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html
#: ("ElastiCache serverless caches and node-based caches support all Redis OSS 7.1 and earlier versions").
REDIS_OSS_VERSIONS = ((4, 0, 10), (7, 1))
_SUPPORTED_VERSIONS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html"
_PROVIDER_CHECK = "terraform-provider-aws internal/service/elasticache/engine_version.go"


def version_key(version: str) -> tuple[float, ...]:
    """A version as numbers for ordering: ``"7.1"`` -> ``(7, 1)``; ``"6.x"`` sorts after every 6.N."""
    return tuple(float("inf") if part == "x" else float(part) for part in re.findall(r"[0-9]+|x", version))


def version_problems(engine: str, version: str | None, field: str = "version") -> Iterator[SettingProblem]:
    """Problems with ``version`` as an ElastiCache ``engine`` version; ``None`` (AWS's default) is fine.

    The form is the provider's (see :data:`ENGINE_VERSIONS`); a Redis OSS version must also be one
    ElastiCache offers (:data:`REDIS_OSS_VERSIONS`).
    """
    if version is None or engine not in ENGINE_VERSIONS:
        return
    pattern, example = ENGINE_VERSIONS[engine]
    if not pattern.match(version):
        hint = f"use <major>.<minor>, e.g. {example!r}"
        major_minor_patch = re.match(r"^([0-9]+)\.([0-9]+)\.[0-9]+\Z", version)
        if major_minor_patch and (engine == "valkey" or int(major_minor_patch.group(1)) >= 6):
            hint = f"drop the patch number: '{major_minor_patch.group(1)}.{major_minor_patch.group(2)}'"
        elif engine == "redis" and re.match(r"^[1-5]\.[0-9]+\Z", version):
            hint = "Redis OSS before 6 takes <major>.<minor>.<patch>, e.g. '5.0.6'"
        yield SettingProblem(field, f"{version!r} is not a {engine} version ElastiCache accepts", hint,
                             _PROVIDER_CHECK)
        return
    if engine == "redis":
        oldest, newest = REDIS_OSS_VERSIONS
        key = version_key(version)
        if key > newest:
            yield SettingProblem(
                field, f"ElastiCache has no Redis OSS {version}: its Redis OSS line ends at 7.1",
                "use version '7.1', or engine: valkey (its successor, e.g. version '8.0')", _SUPPORTED_VERSIONS)
        elif key < oldest:
            yield SettingProblem(
                field, f"ElastiCache no longer creates Redis OSS {version} (the oldest is 4.0.10)",
                "use version '7.1', or engine: valkey", _SUPPORTED_VERSIONS)


@dataclass(frozen=True, kw_only=True)
class CacheSettings:
    """How a :class:`Cache` is built. The defaults make one small, unreplicated node.

    Attributes:
        engine: ``"redis"`` or ``"valkey"`` (sent to AWS in lowercase).
        version: Engine version in ElastiCache's form: ``<major>.<minor>`` for Valkey (``"8.0"``) and
            Redis OSS 6 and later (``"7.1"``, ``"6.2"``, or ``"6.x"``), ``<major>.<minor>.<patch>`` for
            Redis OSS before 6 (``"5.0.6"``); Redis OSS 4.0.10 to 7.1 only (see :func:`version_problems`).
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
