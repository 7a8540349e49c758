"""Settings of the Database component: constants with their units and the settings dataclasses.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.database.component`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

DatabaseEngine = Literal["postgres", "mysql"]

DEFAULT_ENGINE: DatabaseEngine = "postgres"
#: Aurora PostgreSQL 16 minor version used when none is given.
DEFAULT_VERSION = "16.6"
DEFAULT_INSTANCE_CLASS = "db.t4g.medium"  # 2 vCPU, 4 GiB
#: The instance class of every instance of an Aurora Serverless v2 cluster.
SERVERLESS_INSTANCE_CLASS = "db.serverless"
DEFAULT_DATABASE_NAME = "app"
DEFAULT_MASTER_USERNAME = "app_admin"
DEFAULT_BACKUP_RETENTION_DAYS = 1  # days; Aurora keeps 1 to 35
MAX_BACKUP_RETENTION_DAYS = 35  # days
#: Aurora allows at most 15 readers per cluster.
MAX_REPLICAS = 15
PERFORMANCE_INSIGHTS_RETENTION = 7  # days; the free tier
DEFAULT_CPU_ALARM_THRESHOLD = 80.0  # percent
DEFAULT_FREEABLE_MEMORY_ALARM_THRESHOLD = 256 * 1024 * 1024  # 256 MiB, in bytes
DEFAULT_REPLICA_LAG_ALARM_THRESHOLD = 2000.0  # milliseconds (AuroraReplicaLag is in ms)
#: Aurora Serverless v2 capacity bounds, in ACU (1 ACU is about 2 GiB of memory).
MIN_SERVERLESS_ACU = 0.0
MAX_SERVERLESS_ACU = 256.0

#: Per engine: the RDS engine name, the port and the log types exported to CloudWatch Logs.
ENGINES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "postgres": ("aurora-postgresql", 5432, ("postgresql",)),
    "mysql": ("aurora-mysql", 3306, ("audit", "error", "general", "slowquery")),
}

_DATABASE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True, kw_only=True)
class ServerlessCapacity:
    """Aurora Serverless v2 capacity range, in ACU (Aurora capacity units, about 2 GiB each).

    Attributes:
        min: Lowest capacity, 0 to 256 ACU in steps of 0.5. ``0`` lets the
            cluster pause when idle (needs a recent engine version).
        max: Highest capacity, 1 to 256 ACU in steps of 0.5, at least ``min``.

    Raises:
        ValueError: A bound is out of range, not a multiple of 0.5, or ``min > max``.
    """

    min: float
    max: float

    def __post_init__(self) -> None:
        for label, value in (("min", self.min), ("max", self.max)):
            if not MIN_SERVERLESS_ACU <= value <= MAX_SERVERLESS_ACU or (value * 2) % 1:
                raise ValueError(
                    f"serverless {label} capacity must be 0 to 256 ACU in steps of 0.5, got {value}"
                )
        if self.max < 1:
            raise ValueError(f"serverless max capacity must be at least 1 ACU, got {self.max}")
        if self.min > self.max:
            raise ValueError(f"serverless min capacity {self.min} exceeds max capacity {self.max}")


@dataclass(frozen=True, kw_only=True)
class DatabaseSettings:
    """How a :class:`Database` is built. The defaults make a small, cheap, single-AZ dev database.

    Attributes:
        engine: ``"postgres"`` (Aurora PostgreSQL) or ``"mysql"`` (Aurora MySQL).
        version: The Aurora engine version, e.g. ``"16.6"`` for PostgreSQL or
            ``"8.0.mysql_aurora.3.08.0"`` for MySQL. The default is a PostgreSQL
            version, so MySQL callers must pass one.
        instance: Instance class of every instance, e.g. ``"db.r7g.large"``.
            Ignored when ``serverless`` is set; may be ``None`` only then.
        serverless: Aurora Serverless v2 capacity; when set every instance is
            ``db.serverless`` and the cluster scales within it.
        replicas: Reader instances besides the writer, 0 to 15; at most one
            fewer than the network's availability zones.
        database: Name of the database created in the cluster.
        master_username: The master user's name; its password is generated and
            kept by RDS in Secrets Manager.
        backup_retention_days: Days of automated backups, 1 to 35.
        deletion_protection: Whether AWS refuses to delete the cluster.
        final_snapshot: Whether deleting the cluster first takes a snapshot.
        iam_auth: Whether IAM database authentication is enabled.
        performance_insights: Whether instances record Performance Insights (7 days, free tier).
        alarms: Whether CloudWatch alarms are created.
        cpu_alarm_threshold: CPUUtilization above which the CPU alarm fires, in percent.
        freeable_memory_alarm_threshold: FreeableMemory below which the memory alarm fires,
            in bytes.
        replica_lag_alarm_threshold: AuroraReplicaLag above which the lag alarm fires,
            in **milliseconds**. Only used with ``replicas >= 1``.

    Raises:
        ValueError: A value is out of range (see each field), the version does not
            belong to the engine, or neither ``instance`` nor ``serverless`` is set.
    """

    engine: DatabaseEngine = DEFAULT_ENGINE
    version: str = DEFAULT_VERSION
    instance: str | None = DEFAULT_INSTANCE_CLASS
    serverless: ServerlessCapacity | None = None
    replicas: int = 0
    database: str = DEFAULT_DATABASE_NAME
    master_username: str = DEFAULT_MASTER_USERNAME
    backup_retention_days: int = DEFAULT_BACKUP_RETENTION_DAYS
    deletion_protection: bool = False
    final_snapshot: bool = False
    iam_auth: bool = True
    performance_insights: bool = False
    alarms: bool = False
    cpu_alarm_threshold: float = DEFAULT_CPU_ALARM_THRESHOLD
    freeable_memory_alarm_threshold: int = DEFAULT_FREEABLE_MEMORY_ALARM_THRESHOLD
    replica_lag_alarm_threshold: float = DEFAULT_REPLICA_LAG_ALARM_THRESHOLD

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {sorted(ENGINES)}, got {self.engine!r}")
        is_mysql_version = "mysql_aurora" in self.version
        if (self.engine == "mysql") != is_mysql_version:
            raise ValueError(
                f"version {self.version!r} is not an Aurora {self.engine} version "
                "(PostgreSQL: e.g. '16.6'; MySQL: e.g. '8.0.mysql_aurora.3.08.0')"
            )
        if self.instance is None and self.serverless is None:
            raise ValueError("set an instance class or serverless capacity")
        if not 0 <= self.replicas <= MAX_REPLICAS:
            raise ValueError(f"replicas must be 0 to {MAX_REPLICAS}, got {self.replicas}")
        if not 1 <= self.backup_retention_days <= MAX_BACKUP_RETENTION_DAYS:
            raise ValueError(
                f"backup_retention_days must be 1 to {MAX_BACKUP_RETENTION_DAYS}, "
                f"got {self.backup_retention_days}"
            )
        if not _DATABASE_NAME.match(self.database):
            raise ValueError(
                f"database name {self.database!r} must start with a letter and hold at most "
                "63 letters, digits or underscores"
            )
        if not _DATABASE_NAME.match(self.master_username):
            raise ValueError(f"master_username {self.master_username!r} is not a valid user name")
        if not 0 < self.cpu_alarm_threshold <= 100:
            raise ValueError(f"cpu_alarm_threshold is a percentage, got {self.cpu_alarm_threshold}")
        if self.freeable_memory_alarm_threshold <= 0 or self.replica_lag_alarm_threshold <= 0:
            raise ValueError("alarm thresholds must be positive")

    @property
    def instance_class(self) -> str:
        """The instance class every instance gets: ``db.serverless`` with serverless capacity."""
        return SERVERLESS_INSTANCE_CLASS if self.serverless is not None else str(self.instance)
