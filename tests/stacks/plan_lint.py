"""The plan-lint: every input scaffold sets, checked against the provider's and AWS's documented rules.

The rules are DATA (:data:`RULES`, :data:`RESOURCE_RULES`, the policy-ARN shapes), each with the
source it comes from: a terraform-provider-aws file (``internal/service/<svc>/...``, the validators
pulumi-aws runs at preview time) or an AWS API reference page (what the API itself refuses).
:func:`lint` runs them over a :class:`stacks.plan.Plan` and returns every :class:`Violation`;
an empty list means nothing in the plan breaks a rule written here.

Used by ``tests/stacks/test_plan_lint.py`` (worst-case specs) and ``tests/spec/test_property.py``
(generated specs). :func:`worst_case_plans` plans each worst-case spec once per test session.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORST_CASE_DIR = Path(__file__).parent / "worst_case"

# -- sources ------------------------------------------------------------------------------------
TF = "terraform-provider-aws internal/service/"
EC2_SG_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
EC2_RULE_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html"
IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
IAM_ARNS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"
FARGATE_SIZES = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size"


@dataclass(frozen=True)
class Violation:
    """One input that breaks a rule.

    Attributes:
        resource: ``<type token> <logical name>``.
        input: The input's path, e.g. ``name`` or ``policy.Statement[0].Resource``.
        value: The offending value.
        rule: What the rule requires.
        source: Where the rule comes from (provider file or AWS documentation URL).
    """

    resource: str
    input: str
    value: Any
    rule: str
    source: str

    def __str__(self) -> str:
        return f"{self.resource}: {self.input}={self.value!r}: {self.rule} [{self.source}]"


# -- constraint kinds (data, not code paths) ----------------------------------------------------
@dataclass(frozen=True)
class Regex:
    """The whole string matches ``pattern``."""

    pattern: str

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and re.fullmatch(self.pattern, value, re.S) is not None


@dataclass(frozen=True)
class NotRegex:
    """No part of the string matches ``pattern`` (``re.search``)."""

    pattern: str

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and re.search(self.pattern, value) is None


@dataclass(frozen=True)
class Length:
    """``lo <= len(value) <= hi``."""

    lo: int
    hi: int

    def ok(self, value: Any) -> bool:
        return isinstance(value, str) and self.lo <= len(value) <= self.hi


@dataclass(frozen=True)
class OneOf:
    """The value is one of ``values``."""

    values: frozenset[Any]

    def ok(self, value: Any) -> bool:
        return value in self.values


@dataclass(frozen=True)
class Between:
    """A number with ``lo <= value <= hi``."""

    lo: float
    hi: float

    def ok(self, value: Any) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and self.lo <= value <= self.hi


@dataclass(frozen=True)
class Rule:
    """A constraint on one input of one resource type.

    Attributes:
        type: Type token, e.g. ``aws:lb/loadBalancer:LoadBalancer``.
        input: Dotted path into the inputs (wire names); ``[]`` iterates a list.
        check: The constraint.
        rule: The rule in words.
        source: Provider file or AWS documentation URL.
    """

    type: str
    input: str
    check: Regex | NotRegex | Length | OneOf | Between
    rule: str
    source: str


def _one_of(*values: Any) -> OneOf:
    return OneOf(frozenset(values))


#: EC2 descriptions (security groups and their rules): a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*
EC2_DESCRIPTION = r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]*"
#: RDS identifiers: lowercase letters, digits, hyphens; first a letter; no "--"; no trailing hyphen.
RDS_IDENTIFIER = r"[a-z](?:[a-z0-9]|-(?!-))*(?<!-)"
#: CloudWatch Logs retention, days (PutRetentionPolicy); 0 = never expire.
LOG_RETENTION_DAYS = (0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
                      2557, 2922, 3288, 3653)
#: Fargate task sizes: cpu units -> allowed memory (MiB).
FARGATE_MEMORY: Mapping[int, frozenset[int]] = {
    256: frozenset({512, 1024, 2048}),
    512: frozenset(range(1024, 4097, 1024)),
    1024: frozenset(range(2048, 8193, 1024)),
    2048: frozenset(range(4096, 16385, 1024)),
    4096: frozenset(range(8192, 30721, 1024)),
    8192: frozenset(range(16384, 61441, 4096)),
    16384: frozenset(range(32768, 122881, 8192)),
}

LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RG = "aws:elasticache/replicationGroup:ReplicationGroup"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
ROLE = "aws:iam/role:Role"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TASK = "aws:ecs/taskDefinition:TaskDefinition"

RULES: tuple[Rule, ...] = (
    # Elastic Load Balancing
    Rule(LB, "name", Length(1, 32), "at most 32 characters", TF + "elbv2/validate.go validName"),
    Rule(LB, "name", Regex(r"[0-9A-Za-z-]+"), "only alphanumerics and hyphens", TF + "elbv2/validate.go validName"),
    Rule(LB, "name", Regex(r"[^-].*[^-]|[^-]"), "no leading or trailing hyphen", TF + "elbv2/validate.go validName"),
    Rule(LB, "name", NotRegex(r"^internal-"), "must not begin with 'internal-'", TF + "elbv2/validate.go validName"),
    Rule(LB, "loadBalancerType", _one_of("application"), "scaffold builds application load balancers",
         TF + "elbv2/load_balancer.go"),
    Rule(TG, "name", Length(1, 32), "at most 32 characters", TF + "elbv2/validate.go validTargetGroupName"),
    Rule(TG, "name", Regex(r"[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?"),
         "only alphanumerics and hyphens, no leading or trailing hyphen",
         TF + "elbv2/validate.go validTargetGroupName"),
    Rule(TG, "protocol", _one_of("HTTP", "HTTPS"), "an ALB target group speaks HTTP or HTTPS",
         "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"),
    Rule(TG, "targetType", _one_of("ip"), "Fargate (awsvpc) tasks register by IP",
         "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/load-balancer-types.html"),
    Rule(TG, "port", Between(1, 65535), "a port, 1 to 65535", TF + "elbv2/target_group.go"),
    Rule(TG, "deregistrationDelay", Between(0, 3600), "0 to 3600 seconds", TF + "elbv2/target_group.go"),
    Rule(LISTENER, "protocol", _one_of("HTTP", "HTTPS"), "an ALB listener is HTTP or HTTPS",
         "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateListener.html"),
    Rule(LISTENER, "port", Between(1, 65535), "a port, 1 to 65535", TF + "elbv2/listener.go"),
    Rule(LISTENER, "sslPolicy", Regex(r"ELBSecurityPolicy-(TLS13-1-2|FS-1-2|TLS-1-2)[A-Za-z0-9-]*"),
         "a TLS 1.2+ ELB security policy",
         "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html"),
    # EC2 security groups
    Rule(SG, "name", Length(1, 255), "1 to 255 characters", EC2_SG_API),
    Rule(SG, "name", NotRegex(r"^sg-"), "must not start with 'sg-'", EC2_SG_API),
    Rule(SG, "name", Regex(EC2_DESCRIPTION), "EC2 charset a-zA-Z0-9 spaces ._-:/()#,@[]+=&;{}!$*", EC2_SG_API),
    Rule(SG, "description", Length(0, 255), "at most 255 characters", EC2_SG_API),
    Rule(SG, "description", Regex(EC2_DESCRIPTION), "EC2 charset a-zA-Z0-9 spaces ._-:/()#,@[]+=&;{}!$*",
         EC2_SG_API),
    Rule(INGRESS, "description", Length(0, 255), "at most 255 characters", EC2_RULE_API),
    Rule(INGRESS, "description", Regex(EC2_DESCRIPTION), "EC2 charset a-zA-Z0-9 spaces ._-:/()#,@[]+=&;{}!$*",
         EC2_RULE_API),
    Rule(EGRESS, "description", Length(0, 255), "at most 255 characters", EC2_RULE_API),
    Rule(EGRESS, "description", Regex(EC2_DESCRIPTION), "EC2 charset a-zA-Z0-9 spaces ._-:/()#,@[]+=&;{}!$*",
         EC2_RULE_API),
    Rule(INGRESS, "ipProtocol", _one_of("tcp", "udp", "icmp", "-1"), "tcp, udp, icmp or -1",
         TF + "ec2/vpc_security_group_ingress_rule.go"),
    Rule("aws:ec2/vpc:Vpc", "cidrBlock", Regex(r"\d+\.\d+\.\d+\.\d+/(1[6-9]|2[0-8])"), "a /16 to /28 block",
         "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html"),
    # RDS / Aurora
    Rule(RDS_CLUSTER, "clusterIdentifier", Length(1, 63), "1 to 63 characters",
         "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"),
    Rule(RDS_CLUSTER, "clusterIdentifier", Regex(RDS_IDENTIFIER),
         "lowercase alphanumerics and hyphens, first a letter, no '--', no trailing hyphen",
         TF + "rds/validate.go validIdentifier"),
    Rule(RDS_CLUSTER, "finalSnapshotIdentifier", Length(1, 255), "1 to 255 characters",
         "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html"),
    Rule(RDS_CLUSTER, "finalSnapshotIdentifier", Regex(r"[A-Za-z](?:[A-Za-z0-9]|-(?!-))*(?<!-)"),
         "letters, digits, hyphens; first a letter; no '--'; no trailing hyphen",
         TF + "rds/cluster.go final_snapshot_identifier"),
    Rule(RDS_CLUSTER, "engine", _one_of("aurora-postgresql", "aurora-mysql"), "an Aurora engine",
         TF + "rds/cluster.go"),
    Rule(RDS_CLUSTER, "backupRetentionPeriod", Between(1, 35), "1 to 35 days",
         "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"),
    Rule(RDS_CLUSTER, "masterUsername", Regex(r"[A-Za-z][A-Za-z0-9_]{0,15}"),
         "1 to 16 alphanumerics/underscores, first a letter (MySQL's limit; PostgreSQL allows 63)",
         "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"),
    Rule(RDS_CLUSTER, "databaseName", Regex(r"[A-Za-z][A-Za-z0-9_]{0,62}"),
         "1 to 63 alphanumerics/underscores, first a letter",
         "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"),
    Rule(RDS_INSTANCE, "identifier", Length(1, 63), "1 to 63 characters",
         "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"),
    Rule(RDS_INSTANCE, "identifier", Regex(RDS_IDENTIFIER),
         "lowercase alphanumerics and hyphens, first a letter, no '--', no trailing hyphen",
         TF + "rds/validate.go validIdentifier"),
    Rule(RDS_INSTANCE, "instanceClass", Regex(r"db\.(serverless|[a-z0-9]+\.[a-z0-9]+)"), "db.<family>.<size>",
         TF + "rds/cluster_instance.go"),
    Rule("aws:rds/subnetGroup:SubnetGroup", "name", Regex(r"[0-9a-z_ .-]{1,255}"),
         "lowercase alphanumerics, hyphens, underscores, periods, spaces; at most 255",
         TF + "rds/validate.go validSubnetGroupName"),
    Rule("aws:rds/subnetGroup:SubnetGroup", "name", NotRegex(r"(?i)^default$"), "not 'default'",
         TF + "rds/validate.go validSubnetGroupName"),
    Rule("aws:rds/clusterParameterGroup:ClusterParameterGroup", "name",
         Regex(r"[a-z](?:[0-9a-z.]|-(?!-)){0,254}(?<!-)"),
         "lowercase alphanumerics, periods, hyphens; first a letter; no '--'; no trailing hyphen; <= 255",
         TF + "rds/validate.go validParamGroupName"),
    # A name prefix gets a 26-character unique suffix from the provider: the rule of the name, 26 shorter.
    Rule("aws:rds/clusterParameterGroup:ClusterParameterGroup", "namePrefix",
         Regex(r"[a-z](?:[0-9a-z.]|-(?!-)){0,228}"),
         "lowercase alphanumerics, periods, hyphens; first a letter; no '--'; at most 229 (255 - 26)",
         TF + "rds/validate.go validParamGroupNamePrefix"),
    Rule("aws:rds/proxyEndpoint:ProxyEndpoint", "dbProxyEndpointName",
         Regex(r"[a-z](?:[a-z0-9]|-(?!-)){0,62}(?<!-)"),
         "1 to 63 letters, digits, hyphens; first a letter; no '--'; no trailing hyphen",
         TF + "rds/proxy_endpoint.go (validIdentifier); "
              "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxyEndpoint.html"),
    Rule("aws:rds/parameterGroup:ParameterGroup", "name", Regex(r"[a-z](?:[0-9a-z.]|-(?!-)){0,254}(?<!-)"),
         "lowercase alphanumerics, periods, hyphens; first a letter; no '--'; no trailing hyphen; <= 255",
         TF + "rds/validate.go validParamGroupName"),
    Rule("aws:rds/proxy:Proxy", "name", Regex(r"[a-z](?:[a-z0-9]|-(?!-)){0,62}(?<!-)"),
         "1 to 63 letters, digits, hyphens; first a letter; no '--'; no trailing hyphen",
         TF + "rds/proxy.go (validIdentifier); "
              "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html"),
    # ElastiCache
    Rule(RG, "replicationGroupId", Regex(r"[a-z](?:[a-z0-9]|-(?!-)){0,39}(?<!-)"),
         "1 to 40 lowercase alphanumerics and hyphens, first a letter, no '--', no trailing hyphen",
         TF + "elasticache/replication_group.go validateReplicationGroupID"),
    Rule(RG, "description", Length(1, 1024), "not empty", TF + "elasticache/replication_group.go description"),
    Rule(RG, "engine", _one_of("redis", "valkey"), "lowercase redis or valkey",
         TF + "elasticache/replication_group.go engine"),
    Rule(RG, "nodeType", Regex(r"cache\.[a-z0-9]+\.[a-z0-9]+"), "cache.<family>.<size>",
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html"),
    Rule(RG, "snapshotRetentionLimit", Between(0, 35), "0 to 35 days",
         "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"),
    Rule(RG, "numCacheClusters", Between(1, 6), "1 to 6 (a primary and up to 5 replicas)",
         TF + "elasticache/replication_group.go num_cache_clusters"),
    Rule("aws:elasticache/subnetGroup:SubnetGroup", "name", Regex(r"[a-z0-9-]{1,255}"),
         "at most 255 lowercase alphanumerics or hyphens", TF + "elasticache/subnet_group.go"),
    Rule("aws:elasticache/parameterGroup:ParameterGroup", "name", Regex(r"[a-z](?:[a-z0-9]|-(?!-)){0,254}(?<!-)"),
         "lowercase alphanumerics and hyphens, first a letter", TF + "elasticache/parameter_group.go"),
    # SQS / SNS
    Rule(QUEUE, "name", Regex(r"[0-9A-Za-z_-]{1,80}|[0-9A-Za-z_-]{1,75}\.fifo"),
         "1 to 80 alphanumerics, hyphens, underscores (a FIFO queue ends in .fifo)", TF + "sqs/queue.go"),
    Rule(QUEUE, "visibilityTimeoutSeconds", Between(0, 43200), "0 to 43200 seconds", TF + "sqs/queue.go"),
    Rule(QUEUE, "messageRetentionSeconds", Between(60, 1209600), "60 to 1209600 seconds", TF + "sqs/queue.go"),
    Rule(TOPIC, "name", Regex(r"[0-9A-Za-z_-]{1,256}|[0-9A-Za-z_-]{1,251}\.fifo"),
         "1 to 256 alphanumerics, hyphens, underscores (a FIFO topic ends in .fifo)", TF + "sns/topic.go"),
    Rule("aws:sns/topicSubscription:TopicSubscription", "protocol",
         _one_of("application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs"),
         "an SNS protocol", TF + "sns/topic_subscription.go"),
    # IAM
    Rule(ROLE, "name", Regex(r"[\w+=,.@-]{1,64}"), "1 to 64 of [A-Za-z0-9_+=,.@-]", TF + "iam/role.go"),
    Rule(ROLE, "description", Regex(r"[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]{0,1000}"),
         "at most 1000 printable Latin-1 characters", TF + "iam/role.go description"),
    Rule(ROLE, "assumeRolePolicy", Length(1, 2048), "a trust policy of at most 2048 characters (default quota)",
         IAM_QUOTAS),
    Rule("aws:iam/rolePolicy:RolePolicy", "name", Regex(r"[\w+=,.@-]{1,128}"), "1 to 128 of [A-Za-z0-9_+=,.@-]",
         TF + "iam/role_policy.go"),
    Rule("aws:iam/rolePolicy:RolePolicy", "policy", Length(1, 10240),
         "at most 10240 characters of inline policy per role", IAM_QUOTAS),
    # CloudWatch
    Rule(LOG_GROUP, "name", Regex(r"[0-9A-Za-z_./#-]{1,512}"),
         "1 to 512 alphanumerics, underscores, hyphens, slashes, hash signs, dots",
         "terraform-provider-aws internal/verify/validate.go ValidLogGroupName"),
    Rule(LOG_GROUP, "retentionInDays", OneOf(frozenset(LOG_RETENTION_DAYS)), "a CloudWatch Logs retention",
         "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html"),
    Rule("aws:cloudwatch/metricAlarm:MetricAlarm", "name", Length(1, 255), "1 to 255 characters",
         "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
    Rule("aws:cloudwatch/metricAlarm:MetricAlarm", "alarmDescription", Length(0, 1024), "at most 1024 characters",
         "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"),
    # S3
    Rule("aws:s3/bucket:Bucket", "bucket", Regex(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"),
         "3 to 63 lowercase letters, digits, dots, hyphens; begins and ends with a letter or digit",
         TF + "s3/bucket.go validBucketName; https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
    Rule("aws:s3/bucket:Bucket", "bucket", NotRegex(r"^xn--|^sthree-|^amzn-s3-demo-|-s3alias$|--ol-s3$|\.\.|--x-s3$|--table-s3$|\.mrap$|-an$"),
         "no reserved prefix or suffix, no '..'",
         "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"),
    # KMS / Secrets Manager
    Rule("aws:kms/alias:Alias", "name", Regex(r"alias/[a-zA-Z0-9:/_-]{1,250}"),
         "'alias/' then [a-zA-Z0-9:/_-], at most 256", TF + "kms/validate.go validName"),
    Rule("aws:kms/alias:Alias", "name", NotRegex(r"^alias/aws/|^alias/alias/"),
         "not the reserved 'alias/aws/' prefix, 'alias/' not doubled", TF + "kms/validate.go validName"),
    Rule("aws:kms/key:Key", "deletionWindowInDays", Between(7, 30), "7 to 30 days", TF + "kms/key.go"),
    Rule("aws:kms/key:Key", "description", Length(0, 8192), "at most 8192 characters", TF + "kms/key.go"),
    Rule("aws:secretsmanager/secret:Secret", "name", Regex(r"[\w/+=.@-]{1,512}"),
         "1 to 512 of [A-Za-z0-9/_+=.@-]",
         "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"),
    Rule("aws:secretsmanager/secret:Secret", "name", NotRegex(r"-[A-Za-z0-9]{6}$"),
         "must not end with a hyphen and 6 characters (ARN lookups would confuse it with the suffix)",
         "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"),
    Rule("aws:secretsmanager/secret:Secret", "namePrefix", Regex(r"[\w/+=.@-]{1,486}"),
         "1 to 486 (512 - the provider's 26-character suffix) of [A-Za-z0-9/_+=.@-]",
         TF + "secretsmanager/secret.go name_prefix"),
    Rule("aws:secretsmanager/secret:Secret", "description", Length(0, 2048), "at most 2048 characters",
         "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html"),
    # ECS
    Rule("aws:ecs/cluster:Cluster", "name", Regex(r"[A-Za-z0-9_-]{1,255}"), "1 to 255 of [A-Za-z0-9_-]",
         "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html"),
    Rule("aws:ecs/service:Service", "name", Regex(r"[A-Za-z0-9_-]{1,255}"), "1 to 255 of [A-Za-z0-9_-]",
         "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"),
    Rule("aws:ecs/service:Service", "deploymentMinimumHealthyPercent", Between(0, 100), "0 to 100",
         "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html"),
    Rule("aws:ecs/service:Service", "deploymentMaximumPercent", Between(100, 200), "100 to 200",
         "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html"),
    Rule("aws:ecs/service:Service", "launchType", _one_of("FARGATE"), "Fargate", TF + "ecs/service.go"),
    Rule(TASK, "family", Regex(r"[A-Za-z0-9_-]{1,255}"), "1 to 255 of [A-Za-z0-9_-]",
         "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html"),
    Rule(TASK, "networkMode", _one_of("awsvpc"), "Fargate needs awsvpc", FARGATE_SIZES),
    Rule(TASK, "cpu", Regex(r"256|512|1024|2048|4096|8192|16384"), "a Fargate CPU size", FARGATE_SIZES),
    # Application Auto Scaling
    Rule("aws:appautoscaling/policy:Policy", "name", Regex(r"[^\x00-\x1f:/]{1,256}"),
         "1 to 256 printable characters, no ':' or '/'",
         "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html"),
    Rule("aws:appautoscaling/target:Target", "minCapacity", Between(0, 10000), "0 to 10000 tasks",
         "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html"),
    # Route 53 / ACM / WAF
    Rule("aws:route53/record:Record", "name", Regex(r"(?:[A-Za-z0-9_*](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?\.)*"
                                                     r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.?"),
         "a DNS name of labels of at most 63 characters",
         "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html"),
    Rule("aws:route53/record:Record", "name", Length(1, 255), "at most 255 characters",
         "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html"),
    Rule("aws:route53/record:Record", "type", _one_of("A", "AAAA", "CNAME", "TXT", "CAA", "MX", "NS"),
         "a record type scaffold uses", TF + "route53/record.go"),
    Rule("aws:acm/certificate:Certificate", "domainName", Length(1, 253), "at most 253 characters",
         "https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html"),
    Rule("aws:acm/certificate:Certificate", "validationMethod", _one_of("DNS"), "DNS validation",
         TF + "acm/certificate.go"),
    Rule("aws:wafv2/webAcl:WebAcl", "name", Regex(r"[\w-]{1,128}"), "1 to 128 of [A-Za-z0-9_-]",
         TF + "wafv2/web_acl.go"),
    Rule("aws:wafv2/webAcl:WebAcl", "scope", _one_of("REGIONAL"), "an ALB takes a REGIONAL web ACL",
         TF + "wafv2/web_acl.go"),
    Rule("aws:wafv2/webAcl:WebAcl", "visibilityConfig.metricName", Regex(r"[\w#:.\-/]{1,255}"),
         "1 to 255 of [A-Za-z0-9_#:.-/], no spaces", TF + "wafv2/schemas.go"),
    Rule("aws:wafv2/webAcl:WebAcl", "visibilityConfig.metricName", NotRegex(r"^(All|Default_Action)$"),
         "not a reserved metric name",
         "https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html"),
    Rule("aws:wafv2/webAcl:WebAcl", "rules[].name", Regex(r"[\w-]{1,128}"), "1 to 128 of [A-Za-z0-9_-]",
         TF + "wafv2/schemas.go"),
    Rule("aws:wafv2/webAcl:WebAcl", "rules[].visibilityConfig.metricName", Regex(r"[\w#:.\-/]{1,255}"),
         "1 to 255 of [A-Za-z0-9_#:.-/], no spaces", TF + "wafv2/schemas.go"),
    # Metric math (worker backlog per task, alarms on several metrics): each query's id starts with a
    # lowercase letter and holds letters, digits and underscores.
    Rule("aws:appautoscaling/policy:Policy",
         "targetTrackingScalingPolicyConfiguration.customizedMetricSpecification.metrics[].id",
         Regex(r"[a-z][A-Za-z0-9_]{0,254}"), "first a lowercase letter, then letters, digits, underscores; <= 255",
         "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingMetricDataQuery.html"),
    Rule("aws:cloudwatch/metricAlarm:MetricAlarm", "metricQueries[].id", Regex(r"[a-z][A-Za-z0-9_]{0,254}"),
         "first a lowercase letter, then letters, digits, underscores; <= 255",
         "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html; "
         + TF + "cloudwatch/metric_alarm.go"),
    Rule("aws:cloudwatch/metricAlarm:MetricAlarm", "metricQueries[].expression", Length(1, 2048),
         "at most 2048 characters",
         "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html"),
    # EventBridge Scheduler (jobs)
    Rule("aws:scheduler/schedule:Schedule", "name", Regex(r"[0-9A-Za-z_.-]{1,64}"),
         "1 to 64 alphanumerics, hyphens, underscores, periods", TF + "scheduler/schedule.go"),
    Rule("aws:scheduler/schedule:Schedule", "description", Length(0, 512), "at most 512 characters",
         TF + "scheduler/schedule.go"),
    Rule("aws:scheduler/schedule:Schedule", "scheduleExpression",
         Regex(r"(cron\([^()]+\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\))"),
         "cron(...) or rate(N unit), 1 to 256 characters",
         TF + "scheduler/schedule.go; https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html"),
    Rule("aws:scheduler/schedule:Schedule", "scheduleExpression", Length(1, 256), "1 to 256 characters",
         TF + "scheduler/schedule.go"),
    Rule("aws:scheduler/schedule:Schedule", "scheduleExpressionTimezone", Length(1, 50), "1 to 50 characters",
         TF + "scheduler/schedule.go"),
    Rule("aws:scheduler/schedule:Schedule", "flexibleTimeWindow.mode", _one_of("OFF", "FLEXIBLE"),
         "OFF or FLEXIBLE", TF + "scheduler/schedule.go"),
    Rule("aws:scheduler/schedule:Schedule", "target.retryPolicy.maximumRetryAttempts", Between(0, 185),
         "0 to 185", TF + "scheduler/schedule.go"),
    Rule("aws:scheduler/schedule:Schedule", "target.retryPolicy.maximumEventAgeInSeconds", Between(60, 86400),
         "60 to 86400 seconds", TF + "scheduler/schedule.go"),
    # Step Functions (jobs)
    Rule("aws:sfn/stateMachine:StateMachine", "name", Regex(r"[a-zA-Z0-9_-]{1,80}"),
         "1 to 80 alphanumerics, hyphens, underscores", TF + "sfn/validate.go validStateMachineName"),
    Rule("aws:sfn/stateMachine:StateMachine", "type", _one_of("STANDARD", "EXPRESS"), "STANDARD or EXPRESS",
         TF + "sfn/state_machine.go"),
    Rule("aws:sfn/stateMachine:StateMachine", "definition", Length(1, 1048576), "1 to 1048576 characters",
         "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html"),
    # S3 buckets (bucket kind): Block Public Access is on, all four flags.
    *(Rule("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", flag, _one_of(True),
           "every Block Public Access flag is on",
           "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html")
      for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")),
    Rule("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "rules[].expiration.days",
         Between(1, 2147483647), "a positive number of days",
         "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html"),
    Rule("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
         "rules[].abortIncompleteMultipartUpload.daysAfterInitiation", Between(1, 2147483647),
         "a positive number of days",
         "https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortIncompleteMultipartUpload.html"),
    Rule("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "rules[].id", Length(1, 255),
         "at most 255 characters", "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html"),
    Rule("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "rules[].status",
         _one_of("Enabled", "Disabled"), "Enabled or Disabled",
         "https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html"),
    Rule("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "rule.objectOwnership",
         _one_of("BucketOwnerEnforced"), "ACLs disabled (BucketOwnerEnforced)",
         "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html"),
)

#: Tag keys and values on every resource.
TAG_SOURCE = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"

#: Engine versions by engine: the format each engine's API accepts.
ENGINE_VERSIONS: Mapping[str, tuple[str, str, str]] = {
    "aurora-postgresql": (r"\d{2}\.\d{1,2}", "<major>.<minor>, e.g. 16.4",
                          "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/"
                          "AuroraPostgreSQL.Updates.html"),
    "aurora-mysql": (r"(5\.7|8\.0)\.mysql_aurora\.[23]\.\d{2}\.\d", "<mysql>.mysql_aurora.<x.yy.z>, e.g. "
                     "8.0.mysql_aurora.3.08.0",
                     "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraMySQLReleaseNotes/AuroraMySQL.Updates.30Updates.html"),
    # For Redis OSS 6 and later, <major>.<minor>; before 6, <major>.<minor>.<patch>.
    "redis": (r"[1-5](\.\d+){2}|6\.x|[6-9]\.\d+", "<major>.<minor> from 6 on (e.g. 7.1)",
              TF + "elasticache/engine_version.go validRedisVersionString"),
    "valkey": (r"[7-9]\.\d+", "<major>.<minor> (e.g. 8.0)",
               TF + "elasticache/engine_version.go validValkeyVersionString"),
}

# -- ARNs in policy documents -------------------------------------------------------------------
#: arn:partition:service:region:account:resource (IAM reference, "ARN format").
ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|)?:(.+)")
#: The resource part of an ARN, by service. Region/account emptiness is checked separately.
ARN_RESOURCE: Mapping[str, tuple[str, str]] = {
    # The 6 random characters (or the -?????? wildcard) are required: IAM matches the full ARN.
    "secretsmanager": (r"secret:[\w/+=.@!-]+-([A-Za-z0-9]{6}|\?{6})(\*)?|secret:\*",
                       "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html"),
    "kms": (r"key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32}|\*)|"
            r"alias/(?!alias/)[a-zA-Z0-9:/_-]+|alias/\*",
            "https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id"),
    "sqs": (r"[0-9A-Za-z_-]{1,80}(\.fifo)?|\*", "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html"),
    "sns": (r"[0-9A-Za-z_-]{1,256}(\.fifo)?|\*",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html"),
    "logs": (r"log-group:[0-9A-Za-z_./#-]{1,512}(:log-stream:.*|:\*)?|log-group:\*",
             "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html"),
    "s3": (r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?|\*",
           "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html"),
    "ssm": (r"parameter/.+", "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html"),
    "ecr": (r"repository/[a-z0-9._/-]+|repository/\*",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html"),
    "rds-db": (r"dbuser:(cluster|db|prx)-[A-Za-z0-9]+/[A-Za-z0-9_*]+",
               "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html"),
    "iam": (r"(root|role/[\w+=,.@/-]+|user/[\w+=,.@/-]+|policy/[\w+=,.@/-]+)",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html"),
    "cloudwatch": (r"alarm:[^:]+|alarm:\*",
                   "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html"),
    "ec2": (r"[a-z-]+/[\w*-]+", "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html"),
    "elasticloadbalancing": (r"(loadbalancer|targetgroup|listener|listener-rule)/.+",
                             "https://docs.aws.amazon.com/service-authorization/latest/reference/list_elasticloadbalancingv2.html"),
    "ecs": (r"(cluster|service|task|task-definition|container-instance)/.+",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html"),
    "elasticache": (r"(replicationgroup|cluster|user|usergroup|parametergroup|subnetgroup):.+",
                    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticache.html"),
    "rds": (r"(cluster|db|subgrp|cluster-pg|pg|db-proxy|target-group):.+",
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html"),
}
#: Services whose ARNs carry no region (and, for S3, no account).
GLOBAL_SERVICES = {"iam": "account", "s3": "", "route53": "", "cloudfront": "account"}


def partition_of(region: str) -> str:
    """The ARN partition of a region (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _values(node: Any, path: list[str], prefix: str) -> Iterator[tuple[str, Any]]:
    if not path:
        yield prefix, node
        return
    head, rest = path[0], path[1:]
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(node, Mapping) or key not in node:
        return
    value = node[key]
    where = f"{prefix}.{key}" if prefix else key
    if many:
        for i, item in enumerate(value if isinstance(value, list) else []):
            yield from _values(item, rest, f"{where}[{i}]")
    else:
        yield from _values(value, rest, where)


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, Mapping):
        for k, v in node.items():
            yield from _strings(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{where}[{i}]")


def check_arn(arn: str, region: str) -> list[tuple[str, str]]:
    """The (rule, source) pairs a policy ARN breaks: well-formed, the stack's partition, the service's
    region/account fields and resource shape. ``"*"`` and principals like ``arn:aws:iam::<acct>:root``
    pass."""
    if arn == "*":
        return []
    match = ARN.fullmatch(arn)
    if match is None:
        return [("a well-formed arn:<partition>:<service>:<region>:<account>:<resource>", IAM_ARNS)]
    partition, service, arn_region, account, resource = match.groups()
    problems = []
    if partition != partition_of(region):
        problems.append((f"the stack's partition ({partition_of(region)})", IAM_ARNS))
    if service in GLOBAL_SERVICES:
        if arn_region:
            problems.append((f"no region in a {service} ARN", IAM_ARNS))
        if GLOBAL_SERVICES[service] == "" and account:
            problems.append((f"no account in a {service} ARN", IAM_ARNS))
    elif not arn_region or not account:
        problems.append((f"a region and an account in a {service} ARN", IAM_ARNS))
    shape = ARN_RESOURCE.get(service)
    if shape and re.fullmatch(shape[0], resource) is None:
        problems.append((f"a {service} resource of the form {shape[0]}", shape[1]))
    return problems


def _policy_arns(document: Any) -> Iterator[tuple[str, str]]:
    """(path, ARN) for every ARN a policy document names: Resource, NotResource, principals, conditions."""
    statements = document.get("Statement", []) if isinstance(document, Mapping) else []
    if isinstance(statements, Mapping):
        statements = [statements]
    for i, statement in enumerate(statements):
        if not isinstance(statement, Mapping):
            continue
        for key in ("Resource", "NotResource", "Principal", "Condition"):
            for where, text in _strings(statement.get(key), f"Statement[{i}].{key}"):
                if text.startswith("arn:") or key in ("Resource", "NotResource"):
                    yield where, text


# -- whole-resource rules -----------------------------------------------------------------------
def _fargate_pair(inputs: Mapping[str, Any]) -> list[tuple[str, Any, str, str]]:
    try:
        cpu, memory = int(inputs.get("cpu")), int(inputs.get("memory"))
    except (TypeError, ValueError):
        return [("cpu/memory", (inputs.get("cpu"), inputs.get("memory")), "integers", FARGATE_SIZES)]
    if memory not in FARGATE_MEMORY.get(cpu, frozenset()):
        return [("cpu/memory", (cpu, memory), "a Fargate cpu/memory pair", FARGATE_SIZES)]
    return []


def _engine_version(inputs: Mapping[str, Any]) -> list[tuple[str, Any, str, str]]:
    engine, version = inputs.get("engine"), inputs.get("engineVersion")
    if engine not in ENGINE_VERSIONS or version is None:
        return []
    pattern, rule, source = ENGINE_VERSIONS[engine]
    if not isinstance(version, str) or re.fullmatch(pattern, version) is None:
        return [("engineVersion", version, f"{engine} version {rule}", source)]
    return []


def _containers(inputs: Mapping[str, Any]) -> list[tuple[str, Any, str, str]]:
    raw = inputs.get("containerDefinitions")
    try:
        containers = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return [("containerDefinitions", raw, "a JSON list of container definitions",
                 "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html")]
    problems = []
    source = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
    for i, c in enumerate(containers or []):
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", str(c.get("name", ""))):
            problems.append((f"containerDefinitions[{i}].name", c.get("name"), "1 to 255 of [A-Za-z0-9_-]", source))
        names = [e.get("name") for e in c.get("environment", [])] + [s.get("name") for s in c.get("secrets", [])]
        for dup in sorted({n for n in names if names.count(n) > 1}):
            problems.append((f"containerDefinitions[{i}]", dup, "each environment variable set once", source))
        for j, s in enumerate(c.get("secrets", [])):
            value = s.get("valueFrom", "")
            ok = re.fullmatch(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@!-]+-[A-Za-z0-9]{6}"
                              r"(:[^:]*:[^:]*:[^:]*)?|arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/.+", value)
            if ok is None:
                problems.append((f"containerDefinitions[{i}].secrets[{j}].valueFrom", value,
                                 "a full Secrets Manager secret ARN (with its 6-character suffix, optionally "
                                 ":json-key:version-stage:version-id) or an SSM parameter ARN",
                                 "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html"))
        for k, port in enumerate(c.get("portMappings", [])):
            if not 1 <= int(port.get("containerPort", 0)) <= 65535:
                problems.append((f"containerDefinitions[{i}].portMappings[{k}]", port, "a port 1 to 65535", source))
    return problems


#: Rules over several inputs of one resource type: type -> function(inputs) -> [(input, value, rule, source)].
RESOURCE_RULES: Mapping[str, tuple[Callable[[Mapping[str, Any]], list[tuple[str, Any, str, str]]], ...]] = {
    TASK: (_fargate_pair, _containers),
    RDS_CLUSTER: (_engine_version,),
    RDS_INSTANCE: (_engine_version,),
    RG: (_engine_version,),
}

#: Inputs that hold an IAM policy document (JSON).
POLICY_INPUTS = ("policy", "assumeRolePolicy")


def lint(plan: Any) -> list[Violation]:
    """Every violation of the rules above in ``plan`` (a :class:`stacks.plan.Plan`)."""
    by_type: dict[str, list[Rule]] = {}
    for rule in RULES:
        by_type.setdefault(rule.type, []).append(rule)
    found: list[Violation] = []
    for r in plan.aws_resources:
        label = f"{r.type} {r.name}"
        for rule in by_type.get(r.type, ()):
            for where, value in _values(r.inputs, rule.input.split("."), ""):
                if value is None or value == "[secret]":
                    continue
                if not rule.check.ok(value):
                    found.append(Violation(label, where, value, rule.rule, rule.source))
        for check in RESOURCE_RULES.get(r.type, ()):
            found += [Violation(label, where, value, text, source) for where, value, text, source in check(r.inputs)]
        for key, value in (r.inputs.get("tags") or {}).items():
            if not (1 <= len(key) <= 128 and len(str(value)) <= 256) or key.startswith("aws:"):
                found.append(Violation(label, f"tags.{key}", value,
                                       "key 1-128 characters, not 'aws:'; value at most 256", TAG_SOURCE))
        for key in POLICY_INPUTS:
            text = r.inputs.get(key)
            if not isinstance(text, str):
                continue
            try:
                document = json.loads(text)
            except ValueError:
                found.append(Violation(label, key, text, "a JSON policy document", IAM_ARNS))
                continue
            if document.get("Version") != "2012-10-17":
                found.append(Violation(label, f"{key}.Version", document.get("Version"), "2012-10-17",
                                       "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"))
            for where, arn in _policy_arns(document):
                for text_rule, source in check_arn(arn, plan.region):
                    found.append(Violation(label, f"{key}.{where}", arn, text_rule, source))
        for key, value in r.inputs.items():  # every ARN input: policyArn, certificateArn, targetGroupArn …
            if key.lower().endswith("arn") and isinstance(value, str) and value.startswith("arn:"):
                for text_rule, source in check_arn(value, plan.region):
                    found.append(Violation(label, key, value, text_rule, source))
        for key in ("redrivePolicy", "redriveAllowPolicy"):
            text = r.inputs.get(key)
            if isinstance(text, str):
                for where, arn in _strings(json.loads(text), key):
                    if arn.startswith("arn:"):
                        for text_rule, source in check_arn(arn, plan.region):
                            found.append(Violation(label, where, arn, text_rule, source))
    return found


# -- the worst-case specs, planned once ---------------------------------------------------------
@dataclass(frozen=True)
class Planned:
    """One environment of one spec, planned offline.

    Attributes:
        label: ``<spec file name>:<environment>``.
        blueprint: The environment's blueprint.
        run: The offline run (every resource's inputs and fabricated outputs).
        plan: The plan built from ``run``.
    """

    label: str
    blueprint: Any
    run: Any
    plan: Any


def plan_spec(path: Path) -> list[Planned]:
    """Validate ``path`` (``scaffold.spec.check_file``) and plan each environment offline."""
    from scaffold.spec import check_file
    from stacks.mocks import run_offline
    from stacks.plan import plan_from_run
    from stacks.program import build_program

    planned = []
    for env, blueprint in check_file(path).blueprints.items():
        run = run_offline(build_program(blueprint), project=blueprint.project, stack=env, region=blueprint.region)
        planned.append(Planned(f"{path.name}:{env}", blueprint, run, plan_from_run(blueprint, run)))
    return planned


@functools.cache
def worst_case_plans() -> tuple[Planned, ...]:
    """Every environment of every spec in ``tests/stacks/worst_case/``, planned once per process."""
    return tuple(p for path in sorted(WORST_CASE_DIR.glob("*.yaml")) for p in plan_spec(path))
