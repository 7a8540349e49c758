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

from typing import Any

import pulumi
import pulumi_aws as aws

from blueprints.alarms import metric_alarm
from blueprints.base import Component, Link, NetworkAttachment, StackContext, env_prefix
from blueprints.database.settings import (
    ENGINES,
    PERFORMANCE_INSIGHTS_RETENTION,
    DatabaseSettings,
)
from blueprints.placement import spread_over_zones


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
