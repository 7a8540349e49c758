"""An Aurora cluster (PostgreSQL or MySQL) in the network's private subnets.

:class:`Database` becomes:

* an ``aws.rds.SubnetGroup`` over the private subnets
  (https://www.pulumi.com/registry/packages/aws/api-docs/rds/subnetgroup/);
* an ``aws.ec2.SecurityGroup`` with **no ingress rules** and no egress rules: an API
  that ``uses`` the database gets an ingress rule from its own security group
  through :meth:`Database.link` (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/);
* an ``aws.rds.Cluster``, encrypted, with the master password managed by RDS in
  Secrets Manager (it never enters code, config or state)
  (https://www.pulumi.com/registry/packages/aws/api-docs/rds/cluster/);
* one writer plus ``replicas`` reader ``aws.rds.ClusterInstance``\\ s, each in its
  own availability zone (https://www.pulumi.com/registry/packages/aws/api-docs/rds/clusterinstance/);
* with ``alarms``: CloudWatch alarms on CPU, freeable memory and (with readers)
  replica lag, through :func:`blueprints.alarms.metric_alarm`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from blueprints.alarms import metric_alarm
from blueprints.base import Component, Link, NetworkAttachment, StackContext, env_prefix
from blueprints.placement import spread_over_zones

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


class Database(Component):
    """An Aurora cluster with a writer and ``replicas`` readers spread over distinct AZs.

    Args:
        name: The component's name, e.g. ``"orders-db"``.
        settings: What to build.
        context: The project and environment.
        network: The VPC and private subnets the cluster is placed in.
        alarm_topic_arn: SNS topic that alarms notify; ``None`` notifies nobody.
        opts: Passed to the component resource.

    Attributes:
        settings: The settings it was built with.
        subnet_group: The ``aws.rds.SubnetGroup``.
        security_group: The ``aws.ec2.SecurityGroup`` (no ingress until linked).
        cluster: The ``aws.rds.Cluster``.
        instances: The ``aws.rds.ClusterInstance``\\ s, writer first.
        alarms: The ``aws.cloudwatch.MetricAlarm``\\ s (empty without ``settings.alarms``).
        endpoint: The writer (cluster) endpoint host name.
        reader_endpoint: The reader endpoint host name (the writer's when there are no readers).
        port: 5432 (PostgreSQL) or 3306 (MySQL).
        secret_arn: ARN of the RDS-managed Secrets Manager secret holding the
            master ``username`` and ``password`` as JSON.

    Raises:
        ValueError: ``settings.replicas`` exceeds the network's AZ count minus one
            (at build time when the AZ names are a plain sequence, else at deployment).
    """

    KIND = "Database"

    def __init__(
        self,
        name: str,
        settings: DatabaseSettings,
        *,
        context: StackContext,
        network: NetworkAttachment,
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        engine, self.port, log_types = ENGINES[settings.engine]
        zones = spread_over_zones(network.availability_zones, 1 + settings.replicas, component=name)

        self.subnet_group = aws.rds.SubnetGroup(
            self.logical_name("subnets"),
            name=self.physical_name("subnets", max_len=255),
            description=f"Private subnets of database {name}",
            subnet_ids=network.private_subnet_ids,
            tags=self.tags(),
            opts=self.child_opts(),
        )
        self.security_group = self.linked_security_group(
            network.vpc_id, f"Database {name}; ingress is added per linked service")
        self.cluster = self._cluster(engine, log_types)
        self.instances = [
            self._instance(i, zone, engine) for i, zone in enumerate(zones)
        ]

        self.endpoint: pulumi.Output[str] = self.cluster.endpoint
        self.reader_endpoint: pulumi.Output[str] = self.cluster.reader_endpoint
        self.secret_arn: pulumi.Output[str] = self.cluster.master_user_secrets.apply(
            lambda secrets: secrets[0].secret_arn
        )
        self.alarms = self._alarms(alarm_topic_arn) if settings.alarms else []
        self.register_outputs({
            "endpoint": self.endpoint,
            "reader_endpoint": self.reader_endpoint,
            "port": self.port,
            "secret_arn": self.secret_arn,
            "security_group_id": self.security_group.id,
        })

    def _cluster(self, engine: str, log_types: tuple[str, ...]) -> aws.rds.Cluster:
        s = self.settings
        serverless = None
        if s.serverless is not None:
            serverless = aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                min_capacity=s.serverless.min, max_capacity=s.serverless.max,
            )
        return aws.rds.Cluster(
            self.logical_name("cluster"),
            cluster_identifier=self.physical_name(max_len=63),
            engine=engine,
            engine_mode="provisioned",
            engine_version=s.version,
            database_name=s.database,
            master_username=s.master_username,
            manage_master_user_password=True,
            port=self.port,
            storage_encrypted=True,
            backup_retention_period=s.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=s.deletion_protection,
            skip_final_snapshot=not s.final_snapshot,
            final_snapshot_identifier=(
                self.physical_name("final", max_len=255) if s.final_snapshot else None
            ),
            iam_database_authentication_enabled=s.iam_auth,
            enabled_cloudwatch_logs_exports=list(log_types),
            serverlessv2_scaling_configuration=serverless,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            tags=self.tags(),
            opts=self.child_opts(),
        )

    def _instance(
        self, index: int, zone: pulumi.Input[str], engine: str,
    ) -> aws.rds.ClusterInstance:
        s = self.settings
        return aws.rds.ClusterInstance(
            self.logical_name(f"instance-{index + 1}"),
            identifier=self.physical_name(str(index + 1), max_len=63),
            cluster_identifier=self.cluster.id,
            engine=engine,
            engine_version=self.cluster.engine_version,
            instance_class=s.instance_class,
            availability_zone=zone,
            promotion_tier=index,  # 0: the writer; readers fail over in order
            db_subnet_group_name=self.subnet_group.name,
            publicly_accessible=False,
            performance_insights_enabled=s.performance_insights,
            performance_insights_retention_period=(
                PERFORMANCE_INSIGHTS_RETENTION if s.performance_insights else None
            ),
            tags=self.tags(),
            opts=self.child_opts(),
        )

    def _alarms(self, topic: pulumi.Input[str] | None) -> list[aws.cloudwatch.MetricAlarm]:
        s, name = self.settings, self.component_name
        cluster = {"DBClusterIdentifier": self.cluster.cluster_identifier}
        alarms = [
            metric_alarm(
                self, "cpu",
                description=(
                    f"Database {name}: an instance's CPU is above {s.cpu_alarm_threshold:g}%."
                ),
                namespace="AWS/RDS", metric_name="CPUUtilization", dimensions=cluster,
                statistic="Maximum", threshold=s.cpu_alarm_threshold, alarm_topic_arn=topic,
            ),
            metric_alarm(
                self, "freeable-memory",
                description=(
                    f"Database {name}: an instance has less than "
                    f"{s.freeable_memory_alarm_threshold // (1024 * 1024)} MiB of freeable memory."
                ),
                namespace="AWS/RDS", metric_name="FreeableMemory", dimensions=cluster,
                statistic="Minimum", comparison_operator="LessThanThreshold",
                threshold=s.freeable_memory_alarm_threshold, alarm_topic_arn=topic,
            ),
        ]
        if s.replicas >= 1:
            alarms.append(metric_alarm(
                self, "replica-lag",
                description=(
                    f"Database {name}: a reader lags the writer by more than "
                    f"{s.replica_lag_alarm_threshold:g} ms."
                ),
                namespace="AWS/RDS", metric_name="AuroraReplicaLag", dimensions=cluster,
                statistic="Maximum", threshold=s.replica_lag_alarm_threshold,
                alarm_topic_arn=topic,
            ))
        return alarms

    def link(self) -> Link:
        """What an API that uses this database gets.

        * ``<P>_HOST`` (writer endpoint), ``<P>_READER_HOST``, ``<P>_PORT`` and
          ``<P>_NAME`` (database name) as plain environment variables, where
          ``<P>`` is :func:`blueprints.base.env_prefix` of the name (``ORDERS_DB``);
        * ``<P>_USERNAME`` and ``<P>_PASSWORD`` as ECS secrets read from the
          RDS-managed secret's JSON keys (``<arn>:username::``, ``<arn>:password::``);
        * ``secretsmanager:GetSecretValue`` on that one secret for the task
          role, for apps that read (and re-read after rotation) the secret themselves;
        * an ingress rule on the database's security group from the API's, on ``port``.

        ``rds-db:connect`` is **not** part of the link: the link's contract is
        password authentication with the master user, and a PostgreSQL user
        granted ``rds_iam`` can no longer log in with a password. Apps that use
        IAM authentication create their own database user and add
        :meth:`iam_connect_statement` for it.
        """
        prefix = env_prefix(self.component_name)
        return Link(
            component=self.component_name,
            environment={
                f"{prefix}_HOST": self.endpoint,
                f"{prefix}_READER_HOST": self.reader_endpoint,
                f"{prefix}_PORT": str(self.port),
                f"{prefix}_NAME": self.settings.database,
            },
            secrets={
                f"{prefix}_USERNAME": pulumi.Output.concat(self.secret_arn, ":username::"),
                f"{prefix}_PASSWORD": pulumi.Output.concat(self.secret_arn, ":password::"),
            },
            secret_arns=[self.secret_arn],
            iam_statements=[{
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": self.secret_arn,
            }],
            security_group_id=self.security_group.id,
            port=self.port,
        )

    def iam_connect_statement(self, db_user: str) -> dict[str, Any]:
        """An IAM statement allowing ``rds-db:connect`` as ``db_user`` to this cluster.

        The resource (an ``Output``) is
        ``arn:<partition>:rds-db:<region>:<account>:dbuser:<cluster resource id>/<db_user>``. Needs ``settings.iam_auth``.

        Raises:
            ValueError: IAM authentication is off.
        """
        if not self.settings.iam_auth:
            raise ValueError(f"database {self.component_name}: iam_auth is off")

        def arn(values: list[str]) -> str:
            cluster_arn, resource_id = values
            _, partition, _, region, account, *_ = cluster_arn.split(":")
            return f"arn:{partition}:rds-db:{region}:{account}:dbuser:{resource_id}/{db_user}"

        resource = pulumi.Output.all(self.cluster.arn, self.cluster.cluster_resource_id).apply(arn)
        return {"Effect": "Allow", "Action": ["rds-db:connect"], "Resource": resource}
