"""An Aurora cluster (PostgreSQL or MySQL) in the network's private subnets.

:class:`Database` becomes:

* an ``aws.rds.SubnetGroup`` over the private subnets
  (https://www.pulumi.com/registry/packages/aws/api-docs/rds/subnetgroup/);
* an ``aws.ec2.SecurityGroup`` with **no ingress rules** and no egress rules (and no inline rule
  lists at all): an API that ``uses`` the database gets a standalone ingress rule from its own
  security group through :meth:`Database.link` (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/);
* an ``aws.rds.ClusterParameterGroup`` that refuses connections without TLS
  (``rds.force_ssl=1`` / ``require_secure_transport=ON``), named by ``name_prefix`` so a
  family change (a major upgrade) can replace it
  (https://www.pulumi.com/registry/packages/aws/api-docs/rds/clusterparametergroup/);
* an ``aws.rds.Cluster``, encrypted, with the master password managed by RDS in
  Secrets Manager (it never enters code, config or state), and, with ``final_snapshot``,
  a final snapshot named with a ``pulumi_random.RandomId`` suffix, renewed whenever the
  cluster is replaced (its keepers: :meth:`Database.replacement_keepers`)
  (https://www.pulumi.com/registry/packages/aws/api-docs/rds/cluster/). The cluster, its
  instances, the proxy and its endpoint have fixed names, so they are replaced
  delete-first (``delete_before_replace``);
* one writer plus ``replicas`` reader ``aws.rds.ClusterInstance``\\ s, each in its
  own availability zone, with Performance Insights and Enhanced Monitoring when set
  (https://www.pulumi.com/registry/packages/aws/api-docs/rds/clusterinstance/); Enhanced
  Monitoring adds an ``aws.iam.Role`` trusted by ``monitoring.rds.amazonaws.com`` with the
  AWS managed ``AmazonRDSEnhancedMonitoringRole`` policy;
* with ``proxy``: an ``aws.rds.Proxy`` (IAM authentication required, TLS required) that
  signs in to the cluster with the RDS-managed secret through its own ``aws.iam.Role``,
  its ``ProxyDefaultTargetGroup`` and ``ProxyTarget``, a read-only ``ProxyEndpoint`` when
  there are readers, and its own security group: APIs reach the proxy, only the proxy
  reaches the cluster (https://www.pulumi.com/registry/packages/aws/api-docs/rds/proxy/);
* with ``alarms``: CloudWatch alarms on CPU, freeable memory and (with readers)
  replica lag, through :func:`blueprints.alarms.metric_alarm`.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_random as random

from blueprints import aws
from blueprints.alarms import metric_alarm
from blueprints.base import Component, Link, NetworkAttachment, StackContext, env_prefix
from blueprints.constraints import ec2_description
from blueprints.database.settings import (
    ENGINES,
    LINK_AUTH_IAM,
    LINK_AUTH_PASSWORD,
    MONITORING_POLICY,
    PERFORMANCE_INSIGHTS_RETENTION,
    PROXY_ENGINE_FAMILIES,
    TLS_PARAMETERS,
    DatabaseSettings,
    link_variables,
    parameter_group_family,
)
from blueprints.placement import spread_over_zones

#: Bytes of the random suffix of the final snapshot's name (hex: twice as many characters).
SNAPSHOT_SUFFIX_BYTES = 4


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """``arn:<partition>:<service>:<region>:<account>:…`` -> (partition, region, account)."""
    _, partition, _, region, account, *_ = arn.split(":")
    return partition, region, account


class Database(Component):
    """An Aurora cluster with a writer and ``replicas`` readers spread over distinct AZs.

    Args:
        name: The component's name, e.g. ``"orders-db"``.
        settings: What to build.
        context: The project and environment.
        network: The VPC and private subnets the cluster (and proxy) are placed in.
        alarm_topic_arn: SNS topic that alarms notify; ``None`` notifies nobody.
        opts: Passed to the component resource.

    Attributes:
        settings: The settings it was built with.
        subnet_group: The ``aws.rds.SubnetGroup``.
        security_group: The cluster's ``aws.ec2.SecurityGroup`` (no ingress until linked,
            or only from the proxy's group with ``proxy``).
        parameter_group: The ``aws.rds.ClusterParameterGroup`` forcing TLS.
        snapshot_suffix: The ``pulumi_random.RandomId`` ending the final snapshot's name, or ``None``.
        cluster: The ``aws.rds.Cluster``.
        monitoring_role: The Enhanced Monitoring ``aws.iam.Role``, or ``None``.
        monitoring_attachment: Its ``aws.iam.RolePolicyAttachment`` (the AWS managed policy), or ``None``.
        instances: The ``aws.rds.ClusterInstance``\\ s, writer first.
        proxy: The ``aws.rds.Proxy``, or ``None``.
        proxy_role: The proxy's ``aws.iam.Role``, or ``None``.
        proxy_security_group: The proxy's ``aws.ec2.SecurityGroup``, or ``None``.
        proxy_reader: The read-only ``aws.rds.ProxyEndpoint`` (proxy with readers), or ``None``.
        alarms: The ``aws.cloudwatch.MetricAlarm``\\ s (empty without ``settings.alarms``).
        endpoint: The writer (cluster) endpoint host name.
        reader_endpoint: The reader endpoint host name (the writer's when there are no readers).
        host: What apps connect to for writes: the proxy endpoint, or the cluster endpoint.
        reader_host: What apps connect to for reads: the proxy's read-only endpoint, the
            proxy endpoint (no readers), or the cluster reader endpoint (no proxy).
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
        self.parameter_group = self._parameter_group()
        # A fixed final-snapshot name would make the second destroy of a re-created stack fail:
        # the snapshot of the first destroy still holds the name. RandomId is created once per stack,
        # and again (a new suffix) whenever a keeper changes: the keepers are the cluster's ForceNew
        # inputs scaffold sets, so a replaced cluster's new final snapshot never takes the name of the
        # snapshot its predecessor left (https://www.pulumi.com/registry/packages/random/api-docs/randomid/,
        # keepers; ForceNew inputs: terraform-provider-aws internal/service/rds/cluster.go).
        self.snapshot_suffix = (
            random.RandomId(self.logical_name("final-snapshot"), byte_length=SNAPSHOT_SUFFIX_BYTES,
                            keepers=self.replacement_keepers(engine), opts=self.child_opts())
            if settings.final_snapshot else None
        )
        self.cluster = self._cluster(engine, log_types)
        self.secret_arn: pulumi.Output[str] = self.cluster.master_user_secrets.apply(
            lambda secrets: secrets[0].secret_arn
        )
        self.monitoring_attachment: aws.iam.RolePolicyAttachment | None = None
        self.monitoring_role = self._monitoring_role() if settings.monitoring_interval else None
        self.instances = [
            self._instance(i, zone, engine) for i, zone in enumerate(zones)
        ]

        self.endpoint: pulumi.Output[str] = self.cluster.endpoint
        self.reader_endpoint: pulumi.Output[str] = self.cluster.reader_endpoint
        self.proxy: aws.rds.Proxy | None = None
        self.proxy_role: aws.iam.Role | None = None
        self.proxy_security_group: aws.ec2.SecurityGroup | None = None
        self.proxy_reader: aws.rds.ProxyEndpoint | None = None
        self.host: pulumi.Output[str] = self.endpoint
        self.reader_host: pulumi.Output[str] = self.reader_endpoint
        if settings.proxy:
            self._proxy(network)
        self.alarms = self._alarms(alarm_topic_arn) if settings.alarms else []
        self.register_outputs({
            "endpoint": self.endpoint,
            "reader_endpoint": self.reader_endpoint,
            "host": self.host,
            "reader_host": self.reader_host,
            "port": self.port,
            "secret_arn": self.secret_arn,
            "security_group_id": self.security_group.id,
        })

    def replacement_keepers(self, engine: str) -> dict[str, str]:
        """The cluster inputs whose change replaces it (ForceNew in terraform-provider-aws
        internal/service/rds/cluster.go): engine, cluster identifier, database name, master user
        name, subnet group name. Keys are the provider's input names; all values are strings."""
        s = self.settings
        return {
            "engine": engine,
            "cluster_identifier": self.physical_name(max_len=63),
            "database_name": s.database,
            "master_username": s.master_username,
            "db_subnet_group_name": self.physical_name("subnets", max_len=255),
        }

    def _parameter_group(self) -> aws.rds.ClusterParameterGroup:
        """TLS-only connections. ``name_prefix`` (not ``name``): the family is ForceNew, and a
        replacement must not collide with the group it replaces
        (terraform-provider-aws internal/service/rds/cluster_parameter_group.go: family ForceNew;
        name_prefix validated by validParamGroupNamePrefix in internal/service/rds/validate.go:
        lowercase letters, digits, hyphens, first a letter, no ``--``)."""
        s = self.settings
        parameter, value = TLS_PARAMETERS[s.engine]
        family = parameter_group_family(s.engine, s.version)
        return aws.rds.ClusterParameterGroup(
            self.logical_name("params"),
            name_prefix=self.physical_name("tls", max_len=200) + "-",
            family=family,
            description=f"TLS-only connections to database {self.component_name} ({family})",
            parameters=[aws.rds.ClusterParameterGroupParameterArgs(
                name=parameter, value=value, apply_method="immediate",  # dynamic: see TLS_PARAMETERS
            )],
            tags=self.tags(),
            opts=self.child_opts(),
        )

    def _cluster(self, engine: str, log_types: tuple[str, ...]) -> aws.rds.Cluster:
        s = self.settings
        serverless = None
        if s.serverless is not None:
            serverless = aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                min_capacity=s.serverless.min, max_capacity=s.serverless.max,
            )
        final_snapshot: pulumi.Input[str] | None = None
        if self.snapshot_suffix is not None:
            # Letters, digits and hyphens, a letter first, no "--", not ending in "-", at most 255:
            # terraform-provider-aws internal/service/rds/cluster.go (final_snapshot_identifier).
            head = self.physical_name("final", max_len=255 - 2 * SNAPSHOT_SUFFIX_BYTES - 1)
            final_snapshot = self.snapshot_suffix.hex.apply(lambda suffix: f"{head}-{suffix}")
        return aws.rds.Cluster(
            self.logical_name("cluster"),
            cluster_identifier=self.physical_name(max_len=63),
            engine=engine,
            engine_mode="provisioned",
            engine_version=s.version,
            # A new major version in the spec is upgraded in place (with the new family's parameter
            # group); without this flag RDS refuses the modification.
            allow_major_version_upgrade=True,
            database_name=s.database,
            master_username=s.master_username,
            manage_master_user_password=True,
            port=self.port,
            storage_encrypted=True,
            backup_retention_period=s.backup_retention_days,
            copy_tags_to_snapshot=True,
            deletion_protection=s.deletion_protection,
            skip_final_snapshot=not s.final_snapshot,
            final_snapshot_identifier=final_snapshot,
            iam_database_authentication_enabled=s.iam_auth,
            enabled_cloudwatch_logs_exports=list(log_types),
            serverlessv2_scaling_configuration=serverless,
            db_cluster_parameter_group_name=self.parameter_group.name,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            tags=self.tags(),
            # The identifier is fixed, so a replacement (a ForceNew change, see replacement_keepers)
            # must delete the old cluster first: RDS refuses a second cluster with the same identifier
            # (DBClusterAlreadyExistsFault, https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html).
            # `scaffold validate --against` refuses such a change in production unless allowed, and
            # refuses it whenever the deployed cluster has deletion protection (the delete would fail).
            opts=self.child_opts(delete_before_replace=True),
        )

    def _service_role(self, suffix: str, service: str, description: str) -> aws.iam.Role:
        """A role only ``service`` may assume, and only on behalf of this account (``aws:SourceAccount``).

        Role names: at most 64 characters of ``[\\w+=,.@-]``
        (terraform-provider-aws internal/service/iam/role.go, validRoleName)."""
        policy = self.cluster.arn.apply(lambda arn: json.dumps({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": _arn_parts(arn)[2]}},
            }],
        }))
        return aws.iam.Role(
            self.logical_name(suffix),
            name=self.physical_name(suffix, max_len=64),
            description=description,
            assume_role_policy=policy,
            tags=self.tags(),
            opts=self.child_opts(),
        )

    def _monitoring_role(self) -> aws.iam.Role:
        """Enhanced Monitoring: a role for ``monitoring.rds.amazonaws.com`` with the AWS managed policy
        (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_Monitoring.OS.Enabling.html)."""
        role = self._service_role("monitoring", "monitoring.rds.amazonaws.com",
                                  f"Enhanced Monitoring of database {self.component_name}")
        self.monitoring_attachment = aws.iam.RolePolicyAttachment(
            self.logical_name("monitoring"),
            role=role.name,
            policy_arn=self.cluster.arn.apply(lambda arn: f"arn:{_arn_parts(arn)[0]}:{MONITORING_POLICY}"),
            opts=self.child_opts(),
        )
        return role

    def _instance(
        self, index: int, zone: pulumi.Input[str], engine: str,
    ) -> aws.rds.ClusterInstance:
        s = self.settings
        monitoring = self.monitoring_role is not None
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
            monitoring_interval=s.monitoring_interval if monitoring else None,
            monitoring_role_arn=self.monitoring_role.arn if self.monitoring_role is not None else None,
            tags=self.tags(),
            # RDS checks the role's permissions when the instance is created. The identifier is fixed:
            # an instance replaced with its cluster (cluster_identifier and engine are ForceNew,
            # internal/service/rds/cluster_instance.go) is deleted first (DBInstanceAlreadyExists otherwise).
            opts=self.child_opts(
                delete_before_replace=True,
                depends_on=[self.monitoring_attachment] if self.monitoring_attachment is not None else None),
        )

    def _proxy(self, network: NetworkAttachment) -> None:
        """RDS Proxy in front of the cluster: clients authenticate with IAM, the proxy with the secret.

        Names: 1 to 63 letters, digits and hyphens, a letter first, no ``--``, not ending in ``-``
        (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html;
        terraform-provider-aws internal/service/rds/proxy.go: name uses validIdentifier).
        """
        s, name = self.settings, self.component_name
        self.proxy_security_group = aws.ec2.SecurityGroup(
            self.logical_name("proxy-sg"),
            name=self.physical_name("proxy-sg", max_len=255),
            description=ec2_description(f"RDS Proxy of database {name}; ingress is added per linked service"),
            vpc_id=network.vpc_id,
            # No inline ``egress``/``ingress``: this group's rules are standalone
            # SecurityGroupIngressRule/EgressRule resources. With ``egress=[]`` the provider would
            # manage egress inline and revoke the standalone proxy-to-cluster rule on a later update
            # ("You should not use aws.ec2.SecurityGroup with in-line rules in conjunction with
            # aws.vpc.SecurityGroupEgressRule", https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/).
            # AWS's default allow-all egress rule is still removed: the provider revokes it when it
            # creates the group (terraform-provider-aws internal/service/ec2/vpc_security_group.go,
            # resourceSecurityGroupCreate: "AWS defaults all Security Groups to have an ALLOW ALL egress rule.
            # Here we revoke that rule").
            tags=self.tags(),
            opts=self.child_opts(),
        )
        aws.vpc.SecurityGroupIngressRule(
            self.logical_name("from-proxy"),
            security_group_id=self.security_group.id,
            referenced_security_group_id=self.proxy_security_group.id,
            ip_protocol="tcp", from_port=self.port, to_port=self.port,
            description=ec2_description(f"From the RDS Proxy of {name}"),
            tags=self.tags(),
            opts=self.child_opts(),
        )
        aws.vpc.SecurityGroupEgressRule(
            self.logical_name("proxy-to-cluster"),
            security_group_id=self.proxy_security_group.id,
            referenced_security_group_id=self.security_group.id,
            ip_protocol="tcp", from_port=self.port, to_port=self.port,
            description=ec2_description(f"RDS Proxy to the cluster of {name}"),
            tags=self.tags(),
            opts=self.child_opts(),
        )
        self.proxy_role = self._service_role("proxy", "rds.amazonaws.com",
                                             f"RDS Proxy of database {name}: reads the master secret")
        aws.iam.RolePolicy(
            self.logical_name("proxy-secret"),
            role=self.proxy_role.id,
            policy=self.secret_arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": arn}],
            })),
            opts=self.child_opts(),
        )
        self.proxy = aws.rds.Proxy(
            self.logical_name("proxy"),
            name=self.physical_name("proxy", max_len=63),
            engine_family=PROXY_ENGINE_FAMILIES[s.engine],
            auths=[aws.rds.ProxyAuthArgs(
                auth_scheme="SECRETS",
                iam_auth="REQUIRED",
                secret_arn=self.secret_arn,
                description=f"Master user of database {name}, rotated by RDS",
            )],
            role_arn=self.proxy_role.arn,
            require_tls=True,
            vpc_subnet_ids=network.private_subnet_ids,
            vpc_security_group_ids=[self.proxy_security_group.id],
            tags=self.tags(),
            # The name is fixed and engine_family ForceNew (internal/service/rds/proxy.go): an engine
            # change replaces the proxy, which must be deleted first (DBProxyAlreadyExistsFault otherwise).
            opts=self.child_opts(delete_before_replace=True),
        )
        target_group = aws.rds.ProxyDefaultTargetGroup(
            self.logical_name("proxy-targets"),
            db_proxy_name=self.proxy.name,
            opts=self.child_opts(),
        )
        aws.rds.ProxyTarget(
            self.logical_name("proxy-target"),
            db_proxy_name=self.proxy.name,
            target_group_name=target_group.name,
            db_cluster_identifier=self.cluster.cluster_identifier,
            opts=self.child_opts(depends_on=list(self.instances)),
        )
        self.host = self.proxy.endpoint
        self.reader_host = self.proxy.endpoint
        if s.replicas >= 1:
            self.proxy_reader = aws.rds.ProxyEndpoint(
                self.logical_name("proxy-read-only"),
                db_proxy_name=self.proxy.name,
                db_proxy_endpoint_name=self.physical_name("ro", max_len=63),
                target_role="READ_ONLY",
                vpc_subnet_ids=network.private_subnet_ids,
                vpc_security_group_ids=[self.proxy_security_group.id],
                tags=self.tags(),
                # Fixed name, replaced with its proxy (db_proxy_name ForceNew): delete first.
                opts=self.child_opts(delete_before_replace=True),
            )
            self.reader_host = self.proxy_reader.endpoint

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
        """What an API that uses this database gets; the names are :func:`link_variables`'s.

        ``<P>`` is :func:`blueprints.base.env_prefix` of the name (``ORDERS_DB``). Always:
        ``<P>_HOST`` and ``<P>_READER_HOST`` (see :attr:`host`, :attr:`reader_host`), ``<P>_PORT``,
        ``<P>_NAME`` (database name) and ``<P>_AUTH``:

        * ``iam`` (with ``proxy``): ``<P>_USERNAME`` is plain; the app connects over TLS with an
          IAM authentication token for that user, never a password. The task role gets
          ``rds-db:connect`` on ``arn:<partition>:rds-db:<region>:<account>:dbuser:<prx-…>/<user>``
          (:meth:`proxy_connect_statement`); the ingress rule goes on the proxy's security group.
        * ``password`` (without): ``<P>_USERNAME`` and ``<P>_PASSWORD`` are ECS secrets from the
          secret's JSON keys, read once at task start. RDS rotates the password every 7 days, so
          the app must re-read the secret by ``<P>_SECRET_ARN`` (the RDS-managed master secret,
          set only in this mode) when a login fails; the task role
          may ``secretsmanager:GetSecretValue`` on that one secret. The ingress rule goes on the
          cluster's security group.
        """
        prefix = env_prefix(self.component_name)
        names = link_variables(self.component_name, self.settings)
        environment: dict[str, pulumi.Input[str]] = {
            f"{prefix}_HOST": self.host,
            f"{prefix}_READER_HOST": self.reader_host,
            f"{prefix}_PORT": str(self.port),
            f"{prefix}_NAME": self.settings.database,
        }
        if self.proxy is not None and self.proxy_security_group is not None:
            environment[f"{prefix}_AUTH"] = LINK_AUTH_IAM
            environment[f"{prefix}_USERNAME"] = self.settings.master_username
            link = Link(
                component=self.component_name,
                environment=environment,
                iam_statements=[self.proxy_connect_statement(self.settings.master_username)],
                security_group_id=self.proxy_security_group.id,
                port=self.port,
            )
        else:
            environment[f"{prefix}_AUTH"] = LINK_AUTH_PASSWORD
            environment[f"{prefix}_SECRET_ARN"] = self.secret_arn
            link = Link(
                component=self.component_name,
                environment=environment,
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
        kinds = {**{n: "environment" for n in link.environment}, **{n: "secret" for n in link.secrets}}
        assert kinds == names, f"link variables {kinds} differ from link_variables() {names}"
        return link

    def proxy_connect_statement(self, db_user: str) -> dict[str, Any]:
        """An IAM statement allowing ``rds-db:connect`` as ``db_user`` through the proxy.

        The resource (an ``Output``) is
        ``arn:<partition>:rds-db:<region>:<account>:dbuser:<proxy resource id>/<db_user>``, the
        resource id being the ``prx-…`` last part of the proxy's ARN
        (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy-connecting.html#rds-proxy-connecting-iam).

        Raises:
            ValueError: The database has no proxy.
        """
        if self.proxy is None:
            raise ValueError(f"database {self.component_name}: proxy is off")

        def arn(proxy_arn: str) -> str:
            partition, region, account = _arn_parts(proxy_arn)
            return f"arn:{partition}:rds-db:{region}:{account}:dbuser:{proxy_arn.rsplit(':', 1)[-1]}/{db_user}"

        return {"Effect": "Allow", "Action": ["rds-db:connect"], "Resource": self.proxy.arn.apply(arn)}

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
