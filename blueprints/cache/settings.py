"""Settings of the Cache component: constants with their units and the settings dataclasses.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.cache.component`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CacheEngine = Literal["redis", "valkey"]

DEFAULT_ENGINE: CacheEngine = "redis"
DEFAULT_NODE_TYPE = "cache.t4g.micro"  # 2 vCPU, 0.5 GiB
#: A replication group without cluster mode has at most 5 read replicas.
MAX_REPLICAS = 5
DEFAULT_SNAPSHOT_RETENTION_DAYS = 0  # days; 0 takes no automatic snapshots
MAX_SNAPSHOT_RETENTION_DAYS = 35  # days
PORT = 6379
#: Length of the generated AUTH token, in characters (ElastiCache accepts 16 to 128).
AUTH_TOKEN_LENGTH = 48
DEFAULT_CPU_ALARM_THRESHOLD = 80.0  # percent EngineCPUUtilization
DEFAULT_MEMORY_ALARM_THRESHOLD = 80.0  # percent DatabaseMemoryUsagePercentage
DEFAULT_EVICTIONS_ALARM_THRESHOLD = 100  # evicted keys per minute, per node

ENGINES = ("redis", "valkey")


@dataclass(frozen=True, kw_only=True)
class CacheSettings:
    """How a :class:`Cache` is built. The defaults make one small, unreplicated node.

    Attributes:
        engine: ``"redis"`` or ``"valkey"`` (sent to AWS in lowercase).
        version: Engine version, e.g. ``"7.1"`` or ``"8.0"``; ``None`` takes AWS's default.
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
        ValueError: A value is out of range (see each field) or the engine is unknown.
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
        if self.engine not in ENGINES:
            raise ValueError(
                f"engine must be one of {list(ENGINES)} (lowercase), got {self.engine!r}"
            )
        if not 0 <= self.replicas <= MAX_REPLICAS:
            raise ValueError(f"replicas must be 0 to {MAX_REPLICAS}, got {self.replicas}")
        if not 0 <= self.snapshot_retention_days <= MAX_SNAPSHOT_RETENTION_DAYS:
            raise ValueError(
                f"snapshot_retention_days must be 0 to {MAX_SNAPSHOT_RETENTION_DAYS}, "
                f"got {self.snapshot_retention_days}"
            )
        for label, value in (("cpu_alarm_threshold", self.cpu_alarm_threshold),
                             ("memory_alarm_threshold", self.memory_alarm_threshold)):
            if not 0 < value <= 100:
                raise ValueError(f"{label} is a percentage, got {value}")
        if self.evictions_alarm_threshold < 0:
            raise ValueError(
                f"evictions_alarm_threshold must be >= 0, got {self.evictions_alarm_threshold}"
            )
