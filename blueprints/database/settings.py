"""Settings of the Database component: constants with their units, the settings dataclasses and their checks.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`) through :mod:`stacks.settings`. The component is in
:mod:`blueprints.database.component`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from blueprints.constraints import SettingProblem, raise_problems
from blueprints.naming import env_prefix

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
#: Enhanced Monitoring intervals RDS accepts, in seconds (0 turns it off).
#: Source: terraform-provider-aws internal/service/rds/cluster_instance.go (monitoring_interval,
#: validation.IntInSlice([]int{0, 1, 5, 10, 15, 30, 60})).
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)
#: AWS managed policy of the Enhanced Monitoring role (the ARN's partition is filled in at build time).
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.Enabling.html
MONITORING_POLICY = "iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
DEFAULT_CPU_ALARM_THRESHOLD = 80.0  # percent
DEFAULT_FREEABLE_MEMORY_ALARM_THRESHOLD = 256 * 1024 * 1024  # 256 MiB, in bytes
DEFAULT_REPLICA_LAG_ALARM_THRESHOLD = 2000.0  # milliseconds (AuroraReplicaLag is in ms)
#: Aurora Serverless v2 capacity bounds, in ACU (1 ACU is about 2 GiB of memory).
MIN_SERVERLESS_ACU = 0.0
MAX_SERVERLESS_ACU = 256.0
#: The smallest minimum capacity, in ACU, of an engine version without auto-pause (0 ACU).
MIN_SERVERLESS_ACU_WITHOUT_AUTO_PAUSE = 0.5
#: The largest maximum capacity, in ACU, of an engine version older than :data:`SERVERLESS_256_ACU`.
MAX_SERVERLESS_ACU_OLD_VERSIONS = 128.0
#: Where the two tables below come from: the "Aurora Serverless v2 capacity" table
#: (0.5-128 ACU for older versions; 0.5-256 ACU; 0-256 ACU).
SERVERLESS_CAPACITY_SOURCE = ("https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
                              "aurora-serverless-v2.how-it-works.html#aurora-serverless-v2.how-it-works.capacity")
#: The first version of each major with a minimum capacity of 0 ACU (auto-pause): Aurora PostgreSQL
#: 13.15, 14.12, 15.7, 16.3 and higher (later majors: all), Aurora MySQL 3.08.0 and higher
#: (:data:`SERVERLESS_CAPACITY_SOURCE`; also
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html).
#: Keys are the engine, then the major (PostgreSQL ``16``, MySQL ``3`` for Aurora MySQL 3).
SERVERLESS_AUTO_PAUSE: dict[str, dict[int, tuple[int, ...]]] = {
    "postgres": {13: (13, 15), 14: (14, 12), 15: (15, 7), 16: (16, 3)},
    "mysql": {3: (3, 8, 0)},
}
#: The first version of each major whose maximum capacity may exceed 128 ACU (up to 256): Aurora
#: PostgreSQL 13.13, 14.10, 15.5, 16.1 and higher (later majors: all), Aurora MySQL 3.06.0 and higher
#: (:data:`SERVERLESS_CAPACITY_SOURCE`).
SERVERLESS_256_ACU: dict[str, dict[int, tuple[int, ...]]] = {
    "postgres": {13: (13, 13), 14: (14, 10), 15: (15, 5), 16: (16, 1)},
    "mysql": {3: (3, 6, 0)},
}

#: Per engine: the RDS engine name, the port and the log types exported to CloudWatch Logs.
ENGINES: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "postgres": ("aurora-postgresql", 5432, ("postgresql",)),
    "mysql": ("aurora-mysql", 3306, ("audit", "error", "general", "slowquery")),
}

#: RDS Proxy ``engine_family`` of each engine.
#: Source: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html (EngineFamily:
#: MYSQL for Aurora MySQL, POSTGRESQL for Aurora PostgreSQL). RDS Proxy supports every Aurora MySQL 3 version
#: (3.01.0 and higher) and the Aurora PostgreSQL majors of ENGINE_VERSIONS, but not every region:
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.Aurora_Fea_Regions_DB-eng.Feature.RDS_Proxy.html
PROXY_ENGINE_FAMILIES = {"postgres": "POSTGRESQL", "mysql": "MYSQL"}

#: The cluster parameter that refuses connections without TLS, per engine, with the value that turns it on.
#: Both are dynamic, so ``apply_method="immediate"`` is accepted and needs no reboot:
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraPostgreSQL.Security.html (rds.force_ssl)
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Security.html (require_secure_transport)
TLS_PARAMETERS: dict[str, tuple[str, str]] = {
    "postgres": ("rds.force_ssl", "1"),
    "mysql": ("require_secure_transport", "ON"),
}


@dataclass(frozen=True)
class EngineVersions:
    """Which engine versions scaffold accepts for one Aurora engine.

    Attributes:
        pattern: The form of a version, e.g. ``16.6``.
        majors: Major versions with standard support, as AWS names them (``"16"``, ``"8.0"``).
        example: A valid version, for hints.
        family: Parameter-group family of a major version, ``{major}`` filled in.
    """

    pattern: re.Pattern[str]
    majors: tuple[str, ...]
    example: str
    family: str


#: One table of the versions each engine accepts.
#: Aurora PostgreSQL: ``major.minor``; majors with standard support per the release calendar
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html
#: Aurora MySQL 3 (MySQL 8.0 compatible): ``8.0.mysql_aurora.3.MM.P``; Aurora MySQL 2 (5.7) left standard support
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.release-calendars.html
#: Parameter-group families (aurora-postgresql16, aurora-mysql8.0):
#: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_WorkingWithParamGroups.html
ENGINE_VERSIONS: dict[str, EngineVersions] = {
    "postgres": EngineVersions(re.compile(r"^([0-9]+)\.[0-9]+\Z"), ("13", "14", "15", "16", "17"),
                               "16.6", "aurora-postgresql{major}"),
    "mysql": EngineVersions(re.compile(r"^([0-9]+\.[0-9]+)\.mysql_aurora\.3\.[0-9]{2}\.[0-9]+\Z"), ("8.0",),
                            "8.0.mysql_aurora.3.08.0", "aurora-mysql{major}"),
}

#: Aurora MySQL instance classes without Performance Insights (Aurora PostgreSQL has no such limit).
#: Source: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_PerfInsights.Overview.Engines.html
#: (and USER_DatabaseInsights.Engines.html): db.t2, db.t3, db.t4g.micro and db.t4g.small are not supported.
_NO_PERFORMANCE_INSIGHTS_MYSQL = re.compile(r"^db\.(t2\.|t3\.|t4g\.micro\Z|t4g\.small\Z)")

#: Database names and user names: a letter, then up to 62 letters, digits or underscores.
#: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html (DatabaseName, MasterUsername)
DATABASE_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]{0,62}$"
#: Longest master user name Aurora MySQL accepts (Aurora PostgreSQL: 63), in characters.
#: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html (MasterUsername)
MAX_MYSQL_MASTER_USERNAME = 16
_DATABASE_NAME = re.compile(DATABASE_NAME_PATTERN)


def version_problems(engine: str, version: str, field: str = "version") -> Iterator[SettingProblem]:
    """Problems with ``version`` as a version of the Aurora ``engine`` (``"postgres"`` or ``"mysql"``)."""
    rule = ENGINE_VERSIONS.get(engine)
    if rule is None:
        return
    source = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.VersionPolicy.html"
    match = rule.pattern.match(version)
    if match is None:
        other = next((e for e, r in ENGINE_VERSIONS.items() if e != engine and r.pattern.match(version)), None)
        what = f" (that is an Aurora {other} version)" if other else ""
        yield SettingProblem(field, f"{version!r} is not an Aurora {engine} version{what}",
                             f"use a version such as {rule.example!r}", source)
    elif match.group(1) not in rule.majors:
        yield SettingProblem(field, f"Aurora {engine} {match.group(1)} has no standard support",
                             f"use major version {' or '.join(rule.majors)}, e.g. {rule.example!r}", source)


def aurora_version(engine: str, version: str) -> tuple[int, ...] | None:
    """The comparable Aurora version: ``("postgres", "16.6")`` -> ``(16, 6)``;
    ``("mysql", "8.0.mysql_aurora.3.08.0")`` -> ``(3, 8, 0)`` (the Aurora MySQL release, not the MySQL
    one). ``None`` when ``version`` is not a version of ``engine`` (see :func:`version_problems`)."""
    if engine == "postgres" and re.match(r"^[0-9]+\.[0-9]+\Z", version):
        return tuple(int(n) for n in version.split("."))
    found = re.match(r"^[0-9]+\.[0-9]+\.mysql_aurora\.([0-9]+)\.([0-9]+)\.([0-9]+)\Z", version)
    if engine == "mysql" and found:
        return tuple(int(n) for n in found.groups())
    return None


def _at_least(table: dict[str, dict[int, tuple[int, ...]]], engine: str, version: tuple[int, ...]) -> bool:
    """Whether ``version`` is at or past its major's first version in ``table`` (majors past the table: yes)."""
    floors = table[engine]
    floor = floors.get(version[0])
    if floor is None:
        return version[0] > max(floors)
    return version >= floor


def _floor(table: dict[str, dict[int, tuple[int, ...]]], engine: str, major: int) -> tuple[str, str]:
    """The first version of ``major`` in ``table``, shown (``15.7``, ``3.08.0``) and as the spec writes
    it (``15.7``, ``8.0.mysql_aurora.3.08.0``)."""
    floors = table[engine]
    v = floors.get(major, floors[max(floors)])
    if engine == "mysql":
        shown = f"{v[0]}.{v[1]:02d}.{v[2]}"
        return shown, f"8.0.mysql_aurora.{shown}"
    shown = ".".join(map(str, v))
    return shown, shown


def serverless_version_problems(engine: str, version: str, capacity: ServerlessCapacity,
                                prefix: str = "serverless.") -> Iterator[SettingProblem]:
    """Capacity that ``version`` does not offer: a minimum of 0 ACU (auto-pause) and a maximum above
    128 ACU need recent versions (:data:`SERVERLESS_AUTO_PAUSE`, :data:`SERVERLESS_256_ACU`); fields
    ``<prefix>min`` and ``<prefix>max``. Nothing for a version that is not one of ``engine``."""
    parsed = aurora_version(engine, version) if engine in SERVERLESS_AUTO_PAUSE else None
    if parsed is None:
        return
    name = {"postgres": "Aurora PostgreSQL", "mysql": "Aurora MySQL"}[engine]
    shown = version if engine == "postgres" else ".".join(version.split(".")[-3:])
    if capacity.min == 0 and not _at_least(SERVERLESS_AUTO_PAUSE, engine, parsed):
        first, spec = _floor(SERVERLESS_AUTO_PAUSE, engine, parsed[0])
        yield SettingProblem(
            prefix + "min",
            f"serverless min 0 (auto-pause) needs {name} {first} or later; {shown} starts at "
            f"{MIN_SERVERLESS_ACU_WITHOUT_AUTO_PAUSE:g} ACU",
            f"set min: {MIN_SERVERLESS_ACU_WITHOUT_AUTO_PAUSE:g}, or version: {spec!r} or later",
            SERVERLESS_CAPACITY_SOURCE)
    if capacity.max > MAX_SERVERLESS_ACU_OLD_VERSIONS and not _at_least(SERVERLESS_256_ACU, engine, parsed):
        first, spec = _floor(SERVERLESS_256_ACU, engine, parsed[0])
        yield SettingProblem(
            prefix + "max",
            f"serverless max above {MAX_SERVERLESS_ACU_OLD_VERSIONS:g} ACU needs {name} {first} or later; "
            f"{shown} scales to at most {MAX_SERVERLESS_ACU_OLD_VERSIONS:g} ACU",
            f"set max: {MAX_SERVERLESS_ACU_OLD_VERSIONS:g} or less, or version: {spec!r} or later",
            SERVERLESS_CAPACITY_SOURCE)


def parameter_group_family(engine: str, version: str) -> str:
    """The cluster parameter-group family of a version: ``("postgres", "16.6")`` -> ``"aurora-postgresql16"``.

    Raises:
        ValueError: ``version`` is not a version of ``engine`` (see :func:`version_problems`).
    """
    rule = ENGINE_VERSIONS[engine]
    match = rule.pattern.match(version)
    if match is None:
        raise ValueError(f"{version!r} is not an Aurora {engine} version")
    return rule.family.format(major=match.group(1))


def serverless_problems(capacity: ServerlessCapacity, prefix: str = "") -> Iterator[SettingProblem]:
    """Problems with a serverless capacity range; fields ``min``/``max`` (after ``prefix``)."""
    source = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html"
    for label, value in (("min", capacity.min), ("max", capacity.max)):
        if not MIN_SERVERLESS_ACU <= value <= MAX_SERVERLESS_ACU or (value * 2) % 1:
            yield SettingProblem(prefix + label,
                                 f"serverless {label} capacity must be 0 to 256 ACU in steps of 0.5, got {value}",
                                 "e.g. 0.5, 1, 1.5 … 256", source)
    if capacity.max < 1:
        yield SettingProblem(prefix + "max", f"serverless max capacity must be at least 1 ACU, got {capacity.max}",
                             "raise max to 1 or more", source)
    if capacity.min > capacity.max:
        yield SettingProblem(prefix + "min",
                             f"serverless min capacity {capacity.min} exceeds max capacity {capacity.max}",
                             "lower min or raise max", source)


@dataclass(frozen=True, kw_only=True)
class ServerlessCapacity:
    """Aurora Serverless v2 capacity range, in ACU (Aurora capacity units, about 2 GiB each).

    Attributes:
        min: Lowest capacity, 0 to 256 ACU in steps of 0.5. ``0`` lets the
            cluster pause when idle (auto-pause; needs Aurora PostgreSQL 13.15, 14.12, 15.7,
            16.3 or later, or Aurora MySQL 3.08.0 or later: :data:`SERVERLESS_AUTO_PAUSE`,
            checked with the version by :func:`database_problems`).
        max: Highest capacity, 1 to 256 ACU in steps of 0.5, at least ``min``; above 128 ACU
            needs Aurora PostgreSQL 13.13, 14.10, 15.5, 16.1 or later, or Aurora MySQL 3.06.0
            or later (:data:`SERVERLESS_256_ACU`).

    Raises:
        blueprints.constraints.SettingsError: A bound is out of range, not a multiple of 0.5,
            or ``min > max`` (fields ``min``, ``max``).
    """

    min: float
    max: float

    def __post_init__(self) -> None:
        raise_problems(serverless_problems(self))


@dataclass(frozen=True, kw_only=True)
class DatabaseSettings:
    """How a :class:`Database` is built. The defaults make a small, cheap, single-AZ dev database.

    Attributes:
        engine: ``"postgres"`` (Aurora PostgreSQL) or ``"mysql"`` (Aurora MySQL).
        version: The Aurora engine version, e.g. ``"16.6"`` for PostgreSQL or
            ``"8.0.mysql_aurora.3.08.0"`` for MySQL (see :data:`ENGINE_VERSIONS`). The
            default is a PostgreSQL version, so MySQL callers must pass one.
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
        final_snapshot: Whether deleting the cluster first takes a snapshot (its
            name ends with a random suffix, so a re-created stack can be destroyed again).
        iam_auth: Whether IAM database authentication is enabled on the cluster.
        proxy: Whether apps connect through an RDS Proxy with IAM authentication
            (pooling, faster failover, no password in the app); needs ``iam_auth``.
        performance_insights: Whether instances record Performance Insights (7 days, free tier).
        monitoring_interval: Enhanced Monitoring interval in **seconds**, one of
            0 (off), 1, 5, 10, 15, 30, 60.
        alarms: Whether CloudWatch alarms are created.
        cpu_alarm_threshold: CPUUtilization above which the CPU alarm fires, in percent.
        freeable_memory_alarm_threshold: FreeableMemory below which the memory alarm fires,
            in bytes.
        replica_lag_alarm_threshold: AuroraReplicaLag above which the lag alarm fires,
            in **milliseconds**. Only used with ``replicas >= 1``.

    Raises:
        blueprints.constraints.SettingsError: (a ``ValueError``) with every broken rule, each
            named by its field (see :func:`database_problems`).
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
    proxy: bool = False
    performance_insights: bool = False
    monitoring_interval: int = 0
    alarms: bool = False
    cpu_alarm_threshold: float = DEFAULT_CPU_ALARM_THRESHOLD
    freeable_memory_alarm_threshold: int = DEFAULT_FREEABLE_MEMORY_ALARM_THRESHOLD
    replica_lag_alarm_threshold: float = DEFAULT_REPLICA_LAG_ALARM_THRESHOLD

    def __post_init__(self) -> None:
        raise_problems(database_problems(self))

    @property
    def instance_class(self) -> str:
        """The instance class every instance gets: ``db.serverless`` with serverless capacity."""
        return SERVERLESS_INSTANCE_CLASS if self.serverless is not None else str(self.instance)


def database_problems(s: DatabaseSettings) -> Iterator[SettingProblem]:
    """Every broken rule of a :class:`DatabaseSettings`; fields are its attribute names."""
    if s.engine not in ENGINES:
        yield SettingProblem("engine", f"engine must be one of {sorted(ENGINES)}, got {s.engine!r}",
                             "use postgres or mysql")
    else:
        yield from version_problems(s.engine, s.version)
        if s.serverless is not None and not list(version_problems(s.engine, s.version)):
            yield from serverless_version_problems(s.engine, s.version, s.serverless)
    if s.instance is None and s.serverless is None:
        yield SettingProblem("instance", "set an instance class or serverless capacity",
                             "e.g. instance db.r6g.large, or serverless {min: 0.5, max: 16}")
    if not 0 <= s.replicas <= MAX_REPLICAS:
        yield SettingProblem("replicas", f"replicas must be 0 to {MAX_REPLICAS}, got {s.replicas}",
                             "Aurora has at most 15 readers",
                             "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Replication.html")
    if not 1 <= s.backup_retention_days <= MAX_BACKUP_RETENTION_DAYS:
        yield SettingProblem("backup_retention_days",
                             f"backup_retention_days must be 1 to {MAX_BACKUP_RETENTION_DAYS}, "
                             f"got {s.backup_retention_days}", "pick 1 to 35 days",
                             "terraform-provider-aws internal/service/rds/cluster.go (backup_retention_period)")
    if not _DATABASE_NAME.fullmatch(s.database):
        yield SettingProblem("database", f"database name {s.database!r} must start with a letter and hold at "
                             "most 63 letters, digits or underscores", "e.g. app")
    if not _DATABASE_NAME.fullmatch(s.master_username):
        yield SettingProblem("master_username", f"master_username {s.master_username!r} is not a valid user name",
                             "a letter, then letters, digits or underscores, e.g. app_admin")
    elif s.engine == "mysql" and len(s.master_username) > MAX_MYSQL_MASTER_USERNAME:
        yield SettingProblem("master_username", f"master_username {s.master_username!r} is "
                             f"{len(s.master_username)} characters; Aurora MySQL takes at most "
                             f"{MAX_MYSQL_MASTER_USERNAME}", "e.g. app_admin",
                             "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html")
    if s.proxy and not s.iam_auth:
        yield SettingProblem("proxy", "the proxy takes IAM authentication only, but iam_auth is off",
                             "turn iam_auth on, or proxy off")
    if s.monitoring_interval not in MONITORING_INTERVALS:
        yield SettingProblem("monitoring_interval",
                             f"Enhanced Monitoring takes an interval of {', '.join(map(str, MONITORING_INTERVALS))} "
                             f"seconds, got {s.monitoring_interval}", "use 60s, or 0 to turn it off",
                             "terraform-provider-aws internal/service/rds/cluster_instance.go (monitoring_interval)")
    if (s.performance_insights and s.engine == "mysql" and s.serverless is None and s.instance
            and _NO_PERFORMANCE_INSIGHTS_MYSQL.match(s.instance)):
        yield SettingProblem("performance_insights",
                             f"Aurora MySQL has no Performance Insights on {s.instance}",
                             "use db.t4g.medium or larger, or set performance_insights: false (production turns it on)",
                             "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/"
                             "USER_PerfInsights.Overview.Engines.html")
    if not 0 < s.cpu_alarm_threshold <= 100:
        yield SettingProblem("cpu_alarm_threshold", f"cpu_alarm_threshold is a percentage, got {s.cpu_alarm_threshold}")
    if s.freeable_memory_alarm_threshold <= 0:
        yield SettingProblem("freeable_memory_alarm_threshold", "alarm thresholds must be positive")
    if s.replica_lag_alarm_threshold <= 0:
        yield SettingProblem("replica_lag_alarm_threshold", "alarm thresholds must be positive")


#: Suffixes of the variables a database link sets, by how they reach the task.
LINK_AUTH_IAM = "iam"
LINK_AUTH_PASSWORD = "password"


def link_variables(component: str, settings: DatabaseSettings) -> dict[str, str]:
    """Every environment variable :meth:`Database.link` sets, mapped to ``"environment"`` or ``"secret"``.

    ``<P>`` is :func:`blueprints.naming.env_prefix` of ``component``:

    * always plain: ``<P>_HOST``, ``<P>_READER_HOST``, ``<P>_PORT``, ``<P>_NAME`` and ``<P>_AUTH``
      (``iam`` or ``password``);
    * with ``proxy``: ``<P>_USERNAME`` plain too (the app signs in with an IAM token and
      never needs the secret, which only the proxy may read);
    * without: ``<P>_USERNAME`` and ``<P>_PASSWORD`` as ECS secrets, and ``<P>_SECRET_ARN``
      plain, so the app can re-read the secret after a rotation.
    """
    p = env_prefix(component)
    names = {f"{p}_{s}": "environment" for s in ("HOST", "READER_HOST", "PORT", "NAME", "AUTH")}
    if settings.proxy:
        names[f"{p}_USERNAME"] = "environment"
    else:
        names[f"{p}_SECRET_ARN"] = "environment"
        names[f"{p}_USERNAME"] = "secret"
        names[f"{p}_PASSWORD"] = "secret"
    return names
