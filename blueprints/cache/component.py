"""A Redis or Valkey replication group (ElastiCache) in the network's private subnets.

:class:`Cache` becomes:

* an ``aws.elasticache.SubnetGroup`` over the private subnets
  (https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/subnetgroup/);
* an ``aws.ec2.SecurityGroup`` with **no ingress rules** and no egress rules: an API that
  ``uses`` the cache gets an ingress rule from its own security group through
  :meth:`Cache.link` (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/);
* a ``pulumi_random.RandomPassword`` as the AUTH token (a Pulumi secret)
  (https://www.pulumi.com/registry/packages/random/api-docs/randompassword/), stored in an
  ``aws.secretsmanager.Secret`` and ``SecretVersion``
  (https://www.pulumi.com/registry/packages/aws/api-docs/secretsmanager/secret/);
* an ``aws.elasticache.ReplicationGroup`` (cluster mode disabled) with a primary and
  ``replicas`` read replicas in distinct availability zones, encrypted at rest and in
  transit, with automatic failover and Multi-AZ when it has a replica
  (https://www.pulumi.com/registry/packages/aws/api-docs/elasticache/replicationgroup/);
* with ``alarms``: per node, CloudWatch alarms on engine CPU, memory use and evictions,
  through :func:`blueprints.alarms.metric_alarm`.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

from blueprints import aws
from blueprints.alarms import metric_alarm
from blueprints.base import Component, Link, NetworkAttachment, StackContext, env_prefix
from blueprints.cache.settings import (
    AUTH_TOKEN_LENGTH,
    PORT,
    CacheSettings,
    link_variables,
)
from blueprints.placement import spread_over_zones


class Cache(Component):
    """A Redis/Valkey replication group with a primary and ``replicas`` replicas in distinct AZs.

    Clients must connect with TLS (transit encryption is on) and send the AUTH token.

    Args:
        name: The component's name, e.g. ``"sessions"``.
        settings: What to build.
        context: The project and environment.
        network: The VPC and private subnets the nodes are placed in.
        alarm_topic_arn: SNS topic that alarms notify; ``None`` notifies nobody.
        opts: Passed to the component resource.

    Attributes:
        settings: The settings it was built with.
        subnet_group: The ``aws.elasticache.SubnetGroup``.
        security_group: The ``aws.ec2.SecurityGroup`` (no ingress until linked).
        auth_password: The ``pulumi_random.RandomPassword`` behind the token.
        auth_token: The AUTH token, a secret ``Output``.
        auth_secret: The ``aws.secretsmanager.Secret`` holding the token as its whole string.
        auth_secret_version: The ``aws.secretsmanager.SecretVersion`` with the token.
        replication_group: The ``aws.elasticache.ReplicationGroup``.
        alarms: The ``aws.cloudwatch.MetricAlarm``\\ s (empty without ``settings.alarms``).
        host: The primary endpoint host name.
        reader_host: The reader endpoint host name.
        port: 6379.

    Raises:
        ValueError: ``settings.replicas`` exceeds the network's AZ count minus one
            (at build time when the AZ names are a plain sequence, else at deployment).
    """

    KIND = "Cache"

    def __init__(
        self,
        name: str,
        settings: CacheSettings,
        *,
        context: StackContext,
        network: NetworkAttachment,
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        self.port = PORT
        nodes = 1 + settings.replicas
        zones = spread_over_zones(network.availability_zones, nodes, component=name)
        replicated = settings.replicas >= 1

        self.subnet_group = aws.elasticache.SubnetGroup(
            self.logical_name("subnets"),
            name=self.physical_name("subnets", max_len=255),
            description=f"Private subnets of cache {name}",
            subnet_ids=network.private_subnet_ids,
            tags=self.tags(),
            opts=self.child_opts(),
        )
        self.security_group = self.linked_security_group(
            network.vpc_id, f"Cache {name}; ingress is added per linked service")
        # Letters and digits only: ElastiCache rejects some special characters (@ " /).
        self.auth_password = random.RandomPassword(
            self.logical_name("auth-token"),
            length=AUTH_TOKEN_LENGTH,
            special=False,
            opts=self.child_opts(),
        )
        self.auth_token: pulumi.Output[str] = pulumi.Output.secret(self.auth_password.result)
        self.auth_secret = aws.secretsmanager.Secret(
            self.logical_name("auth-token"),
            # name_prefix, not a fixed name: a deleted secret keeps its name for its recovery window
            # (7 to 30 days), so a fixed name would make a redeploy within it fail. The provider appends
            # a 26-character unique id; names are at most 512 characters of letters, digits and /_+=.@-
            # (terraform-provider-aws internal/service/secretsmanager/secret.go: name_prefix,
            # validSecretNamePrefix; https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
            name_prefix=self.physical_name("auth-token", max_len=400) + "-",
            description=f"AUTH token of cache {name}",
            tags=self.tags(),
            opts=self.child_opts(),
        )
        self.auth_secret_version = aws.secretsmanager.SecretVersion(
            self.logical_name("auth-token"),
            secret_id=self.auth_secret.id,
            secret_string=self.auth_token,
            opts=self.child_opts(),
        )
        self.replication_group = aws.elasticache.ReplicationGroup(
            self.logical_name("group"),
            replication_group_id=self.physical_name(max_len=40),
            description=f"Cache {name}",
            engine=settings.engine,
            engine_version=settings.version,
            node_type=settings.node,
            port=PORT,
            num_cache_clusters=nodes,
            preferred_cache_cluster_azs=zones,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            auth_token=self.auth_token,
            snapshot_retention_limit=settings.snapshot_retention_days,
            subnet_group_name=self.subnet_group.name,
            security_group_ids=[self.security_group.id],
            tags=self.tags(),
            # The id is fixed, so a replacement (replication_group_id, subnet_group_name and port are
            # ForceNew, and so are a Valkey -> Redis OSS move and a lower engine_version:
            # terraform-provider-aws internal/service/elasticache/replication_group.go) must delete the old
            # group first: ElastiCache refuses a second group with the same id
            # (ReplicationGroupAlreadyExists, https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html).
            opts=self.child_opts(delete_before_replace=True),
        )
        self.host: pulumi.Output[str] = self.replication_group.primary_endpoint_address
        self.reader_host: pulumi.Output[str] = self.replication_group.reader_endpoint_address
        self.alarms = self._alarms(nodes, alarm_topic_arn) if settings.alarms else []
        self.register_outputs({
            "host": self.host,
            "reader_host": self.reader_host,
            "port": self.port,
            "auth_secret_arn": self.auth_secret.arn,
            "security_group_id": self.security_group.id,
        })

    def _alarms(
        self, nodes: int, topic: pulumi.Input[str] | None,
    ) -> list[aws.cloudwatch.MetricAlarm]:
        """Three alarms per node: ElastiCache publishes these metrics per member cluster,
        named ``<replication group id>-001``, ``-002`` …"""
        s, name = self.settings, self.component_name
        alarms = []
        for number in range(1, nodes + 1):
            member = self.replication_group.id.apply(lambda rid, n=number: f"{rid}-{n:03d}")
            node = {"CacheClusterId": member}
            alarms += [
                metric_alarm(
                    self, f"cpu-{number:03d}",
                    description=(
                        f"Cache {name}, node {number}: engine CPU above "
                        f"{s.cpu_alarm_threshold:g}%."
                    ),
                    namespace="AWS/ElastiCache", metric_name="EngineCPUUtilization",
                    dimensions=node, threshold=s.cpu_alarm_threshold, alarm_topic_arn=topic,
                ),
                metric_alarm(
                    self, f"memory-{number:03d}",
                    description=(
                        f"Cache {name}, node {number}: memory use above "
                        f"{s.memory_alarm_threshold:g}% of the maximum."
                    ),
                    namespace="AWS/ElastiCache", metric_name="DatabaseMemoryUsagePercentage",
                    dimensions=node, threshold=s.memory_alarm_threshold, alarm_topic_arn=topic,
                ),
                metric_alarm(
                    self, f"evictions-{number:03d}",
                    description=(
                        f"Cache {name}, node {number}: more than {s.evictions_alarm_threshold} "
                        "keys evicted per minute; the cache is too small for its data."
                    ),
                    namespace="AWS/ElastiCache", metric_name="Evictions", dimensions=node,
                    statistic="Sum", threshold=s.evictions_alarm_threshold, alarm_topic_arn=topic,
                ),
            ]
        return alarms

    def link(self) -> Link:
        """What an API that uses this cache gets.

        * ``<P>_HOST`` (primary endpoint) and ``<P>_PORT`` as plain environment
          variables, where ``<P>`` is :func:`blueprints.base.env_prefix` of the name;
        * ``<P>_AUTH_TOKEN`` as an ECS secret: the whole string of the Secrets Manager secret;
        * ``secretsmanager:GetSecretValue`` on that one secret for the task role;
        * an ingress rule on the cache's security group from the API's, on port 6379.
        """
        prefix = env_prefix(self.component_name)
        names = link_variables(self.component_name, self.settings)
        environment: dict[str, pulumi.Input[str]] = {f"{prefix}_HOST": self.host, f"{prefix}_PORT": str(self.port)}
        secrets: dict[str, pulumi.Input[str]] = {f"{prefix}_AUTH_TOKEN": self.auth_secret.arn}
        kinds = {**{n: "environment" for n in environment}, **{n: "secret" for n in secrets}}
        assert kinds == names, f"link variables {kinds} differ from link_variables() {names}"
        return Link(
            component=self.component_name,
            environment=environment,
            secrets=secrets,
            secret_arns=[self.auth_secret.arn],
            iam_statements=[{
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": self.auth_secret.arn,
            }],
            security_group_id=self.security_group.id,
            port=self.port,
        )
