"""AWS physical names, the rules AWS applies to them, and environment-variable prefixes, without ``pulumi``.

Components name their AWS resources ``<project>-<environment>-<component>[-<suffix>]``
through :func:`aws_name`. :data:`NAME_RULES` holds, as data, what AWS (and the
terraform-provider-aws validators that pulumi-aws runs at preview) accepts for
each kind of name scaffold sets: length, characters, first and last character,
reserved prefixes and suffixes, and the scope in which the name must be unique.
:func:`name_problems` checks a name against its rule and :func:`checked_name`
raises on a refused name. ``scaffold validate`` imports this module (it must
stay free of ``pulumi``) through :mod:`scaffold.spec.names` to predict the same
names, refuse what AWS would refuse and find collisions before anything is planned.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

_NOT_NAME = re.compile(r"[^a-z0-9-]+")


def aws_name(*parts: str, max_len: int = 63) -> str:
    """Join ``parts`` into a lowercase, hyphenated AWS resource name of at most ``max_len`` characters.

    A name that is too long is cut and ends with a 6-character hash of the full
    name, so two long names that share a prefix stay distinct. The result never
    starts or ends with a hyphen and never holds two in a row.

    >>> aws_name("shop", "prod", "orders-db")
    'shop-prod-orders-db'
    >>> len(aws_name("a" * 40, "production", "component" * 5, max_len=32))
    32
    """
    full = "-".join(p for p in (_NOT_NAME.sub("-", s.lower()).strip("-") for s in parts) if p)
    full = re.sub(r"-{2,}", "-", full)
    if len(full) <= max_len:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    head = full[: max_len - len(digest) - 1].rstrip("-")
    return f"{head}-{digest}"


def env_prefix(component: str) -> str:
    """The environment-variable prefix for a component: ``orders-db`` -> ``ORDERS_DB``."""
    return re.sub(r"[^A-Z0-9]+", "_", component.upper()).strip("_")


#: Where a name must be unique: ``stack`` (one VPC or ECS cluster, so one
#: environment), ``region`` (an account's region), ``account`` (all regions of the
#: account, e.g. IAM), ``partition`` (all accounts, e.g. S3 buckets), or ``parent``
#: (only under the resource it belongs to, so it cannot collide).
Scope = Literal["stack", "region", "account", "partition", "parent"]

_ALNUM_HYPHEN = r"[0-9A-Za-z-]"
_PRINTABLE = r"[\x20-\x7e]"


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts for one kind of physical name.

    Attributes:
        what: The name in words, e.g. ``"Application Load Balancer name"``.
        max_len: Longest accepted name, in characters.
        chars: A regular expression one character must match.
        min_len: Shortest accepted name, in characters.
        letter_first: The first character must be a letter.
        alnum_ends: The first and the last character must be a letter or digit.
        no_double_hyphen: ``--`` is refused.
        no_trailing_hyphen: A final ``-`` is refused.
        prefixes: Reserved prefixes a name must not start with (case-insensitive).
        suffixes: Reserved suffixes a name must not end with.
        must_start: A prefix the name must start with (``alias/`` for KMS aliases).
        reserved: Whole names that are refused (case-insensitive).
        scope: Where the name must be unique (see :data:`Scope`).
        source: The AWS API reference or terraform-provider-aws validator the rule comes from.
    """

    what: str
    max_len: int
    chars: str
    source: str
    min_len: int = 1
    letter_first: bool = False
    alnum_ends: bool = False
    no_double_hyphen: bool = False
    no_trailing_hyphen: bool = False
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    must_start: str = ""
    reserved: tuple[str, ...] = ()
    scope: Scope = "region"


def _rds_identifier(what: str, max_len: int, source: str) -> NameRule:
    """RDS identifiers: lowercase letters, digits and hyphens, a letter first, no ``--``, no final ``-``."""
    return NameRule(what, max_len, "[0-9a-z-]", source, letter_first=True, no_double_hyphen=True,
                    no_trailing_hyphen=True)


#: Every kind of physical name scaffold sets, with AWS's rule for it.
NAME_RULES: dict[str, NameRule] = {
    "alb": NameRule(
        "Application Load Balancer name", 32, _ALNUM_HYPHEN, alnum_ends=True, prefixes=("internal-",),
        source="terraform-provider-aws internal/service/elbv2/validate.go (validName); "
               "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"),
    "target_group": NameRule(
        "target group name", 32, _ALNUM_HYPHEN, alnum_ends=True,
        source="terraform-provider-aws internal/service/elbv2/validate.go (validTargetGroupName); "
               "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"),
    "security_group": NameRule(
        "security group name", 255, r"[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]", prefixes=("sg-",), scope="stack",
        source="https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html "
               "(GroupName: up to 255 characters, cannot start with sg-, unique within the VPC)"),
    "s3_bucket": NameRule(
        "S3 bucket name", 63, "[a-z0-9.-]", min_len=3, alnum_ends=True,
        prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
        # "-an" ends only names in an account regional namespace; scaffold's buckets are in the
        # global one (https://docs.aws.amazon.com/AmazonS3/latest/userguide/gpbucketnamespaces.html).
        suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3", "-an"), scope="partition",
        source="https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html; "
               "terraform-provider-aws internal/service/s3/bucket.go (validBucketName)"),
    "iam_role": NameRule(
        "IAM role name", 64, r"[A-Za-z0-9_+=,.@-]", scope="account",
        source="https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName; "
               "unique in the account, case-insensitive); terraform-provider-aws internal/service/iam/role.go"),
    "rds_cluster": _rds_identifier(
        "Aurora cluster identifier", 63,
        source="terraform-provider-aws internal/service/rds/validate.go (validIdentifier); "
               "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"),
    "rds_instance": _rds_identifier(
        "Aurora instance identifier", 63,
        source="terraform-provider-aws internal/service/rds/validate.go (validIdentifier); "
               "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"),
    "rds_snapshot": _rds_identifier(
        "final snapshot identifier", 255,
        source="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DeleteDBCluster.html "
               "(FinalDBSnapshotIdentifier)"),
    "rds_subnet_group": NameRule(
        "DB subnet group name", 255, "[0-9a-z_ .-]", reserved=("default",),
        source="terraform-provider-aws internal/service/rds/validate.go (validSubnetGroupName)"),
    "rds_parameter_group": NameRule(
        "DB cluster parameter group name", 255, "[0-9a-z.-]", letter_first=True, no_double_hyphen=True,
        no_trailing_hyphen=True,
        source="terraform-provider-aws internal/service/rds/validate.go (validParamGroupName)"),
    "rds_proxy": NameRule(
        "RDS Proxy name", 63, _ALNUM_HYPHEN, letter_first=True, no_double_hyphen=True, no_trailing_hyphen=True,
        source="https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBProxy.html (DBProxyName); "
               "terraform-provider-aws internal/service/rds/proxy.go (validIdentifier)"),
    "elasticache_replication_group": NameRule(
        "ElastiCache replication group id", 40, _ALNUM_HYPHEN, letter_first=True, no_double_hyphen=True,
        no_trailing_hyphen=True,
        source="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html "
               "(ReplicationGroupId)"),
    "elasticache_subnet_group": NameRule(
        "ElastiCache subnet group name", 255, "[0-9a-z-]",
        source="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheSubnetGroup.html "
               "(CacheSubnetGroupName: alphanumeric characters or hyphens, stored lowercase)"),
    "secret": NameRule(
        "Secrets Manager secret name", 512, r"[A-Za-z0-9_/+=.@-]",
        source="https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html (Name)"),
    "sqs_queue": NameRule(
        "SQS queue name", 80, r"[A-Za-z0-9_.-]",
        source="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html "
               "(QueueName: alphanumerics, hyphens, underscores, up to 80; FIFO ends in .fifo)"),
    "sns_topic": NameRule(
        "SNS topic name", 256, r"[A-Za-z0-9_.-]",
        source="https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html (Name)"),
    "kms_alias": NameRule(
        "KMS alias name", 256, "[a-zA-Z0-9/_-]", must_start="alias/", prefixes=("alias/aws/",),
        source="https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html (AliasName; "
               "alias/aws/ is reserved for AWS managed keys)"),
    "log_group": NameRule(
        "CloudWatch Logs log group name", 512, r"[.\-_/#A-Za-z0-9]", prefixes=("aws/",),
        source="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html "
               "(can't start with aws/); "
               "terraform-provider-aws internal/service/logs/validate.go (validLogGroupName)"),
    "cloudwatch_alarm": NameRule(
        "CloudWatch alarm name", 255, _PRINTABLE,
        source="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html (AlarmName)"),
    "ecs_cluster": NameRule(
        "ECS cluster name", 255, "[a-zA-Z0-9_-]",
        source="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html (clusterName)"),
    "ecs_service": NameRule(
        "ECS service name", 255, "[a-zA-Z0-9_-]", scope="stack",
        source="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html "
               "(serviceName: unique within the cluster)"),
    "ecs_task_family": NameRule(
        "ECS task definition family", 255, "[a-zA-Z0-9_-]",
        source="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html (family)"),
    "scaling_policy": NameRule(
        "Application Auto Scaling policy name", 256, _PRINTABLE, scope="parent",
        source="https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScalingPolicy.html "
               "(PolicyName: unique per scalable target)"),
    "waf_web_acl": NameRule(
        "WAF web ACL name", 128, r"[A-Za-z0-9_-]",
        source="https://docs.aws.amazon.com/waf/latest/APIReference/API_CreateWebACL.html (Name)"),
    "sfn_state_machine": NameRule(
        "Step Functions state machine name", 80, "[0-9A-Za-z_-]",
        source="terraform-provider-aws internal/service/sfn/state_machine.go (name: 1-80, ^[0-9A-Za-z_-]+$); "
               "https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html (name)"),
    "scheduler_schedule": NameRule(
        "EventBridge Scheduler schedule name", 64, "[0-9A-Za-z_.-]",
        source="terraform-provider-aws internal/service/scheduler/schedule.go (name: 1-64, ^[0-9A-Za-z_.-]+$); "
               "https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html (Name: "
               "unique in its schedule group)"),
}

#: Characters Pulumi appends to an auto-named resource's logical name (``-`` and 7 hex digits).
AUTONAME_SUFFIX = "-0000000"
#: Characters the provider appends to a ``name_prefix`` (terraform-provider-aws
#: internal/create/naming.go: a 26-digit timestamp-based unique id).
NAME_PREFIX_SUFFIX = "0" * 26


def name_problems(rule: str | NameRule, name: str) -> list[str]:
    """Why AWS would refuse ``name`` as a name of kind ``rule``; empty when it is accepted.

    ``rule`` is a key of :data:`NAME_RULES` (``"alb"``, ``"s3_bucket"`` …) or a
    :class:`NameRule`. Each problem is a phrase such as ``'must not start with "internal-"'``.

    >>> name_problems("alb", "internal-prod-api")
    ['must not start with "internal-"']
    >>> name_problems("security_group", "shop-prod-api-sg")
    []

    Raises:
        KeyError: ``rule`` is not a key of :data:`NAME_RULES`.
    """
    r = NAME_RULES[rule] if isinstance(rule, str) else rule
    problems: list[str] = []
    if not r.min_len <= len(name) <= r.max_len:
        problems.append(f"must be {r.min_len} to {r.max_len} characters, not {len(name)}")
    bad = sorted({c for c in name if not re.fullmatch(r.chars, c)})
    if bad:
        problems.append("must not contain " + " ".join(repr(c) for c in bad))
    if r.must_start and not name.startswith(r.must_start):
        problems.append(f"must start with {r.must_start!r}")
    if r.letter_first and not (name[:1].isascii() and name[:1].isalpha()):
        problems.append("must start with a letter")
    if r.alnum_ends and name and not (name[0].isalnum() and name[-1].isalnum()):
        problems.append("must start and end with a letter or digit")
    if r.no_double_hyphen and "--" in name:
        problems.append('must not contain "--"')
    if r.no_trailing_hyphen and name.endswith("-"):
        problems.append("must not end with a hyphen")
    problems += [f'must not start with "{p}"' for p in r.prefixes if name.lower().startswith(p)]
    problems += [f'must not end with "{s}"' for s in r.suffixes if name.lower().endswith(s)]
    if name.lower() in r.reserved:
        problems.append(f"must not be {name!r}")
    if rule == "s3_bucket" or r is NAME_RULES["s3_bucket"]:
        if ".." in name:
            problems.append('must not contain ".."')
        try:
            ipaddress.IPv4Address(name)
            problems.append("must not be an IP address")
        except ValueError:
            pass
    return problems


def refused_prefix(rule: str, name: str) -> str | None:
    """The reserved prefix of :data:`NAME_RULES` ``[rule]`` that ``name`` starts with, or ``None``."""
    return next((p for p in NAME_RULES[rule].prefixes if name.lower().startswith(p)), None)


def checked_name(rule: str, name: str) -> str:
    """``name``, after checking it against :data:`NAME_RULES` ``[rule]``.

    Components call it where they build a name, so that none can hand AWS a
    name it refuses (``scaffold validate`` reports the same problems first).

    Raises:
        ValueError: AWS would refuse ``name``; the message says why and cites the rule.
    """
    problems = name_problems(rule, name)
    if problems:
        r = NAME_RULES[rule]
        raise ValueError(f"{r.what} {name!r} {'; '.join(problems)} ({r.source})")
    return name
