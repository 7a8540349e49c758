"""Settings of an API service: :class:`ApiSettings` and :class:`ScalingSettings`.

Every default lives here as a module constant with its unit. The settings
validate themselves on construction, so a bad combination (an invalid Fargate
CPU/memory pair, ``min > max``, a plaintext value where a secret ARN belongs)
fails before any resource is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol

from blueprints.constraints import LOG_RETENTION_DAYS, SettingProblem, raise_problems

#: Container port the service listens on.
DEFAULT_PORT = 8080
#: Task CPU, in Fargate CPU units (1024 = 1 vCPU).
DEFAULT_CPU = 256  # 0.25 vCPU
#: Task memory, in MiB.
DEFAULT_MEMORY = 512  # MiB
#: Path the target group health check requests.
DEFAULT_HEALTH_CHECK_PATH = "/"
#: Seconds ECS ignores failing load-balancer health checks after a task starts.
DEFAULT_HEALTH_CHECK_GRACE_PERIOD = 60  # seconds
#: CloudWatch Logs retention of the container logs, in days.
DEFAULT_LOG_RETENTION_DAYS = 7  # days
#: Days ALB access logs are kept in their bucket before they expire.
DEFAULT_ACCESS_LOG_RETENTION_DAYS = 90  # days
#: Alarm threshold on the 95th percentile of target response time, in seconds.
DEFAULT_P95_LATENCY_THRESHOLD = 1.0  # seconds
#: Alarm threshold on target 5xx responses, as a count per minute.
DEFAULT_HTTP_5XX_THRESHOLD = 10  # responses per minute

#: Minimum number of running tasks.
DEFAULT_MIN_TASKS = 1
#: Maximum number of running tasks.
DEFAULT_MAX_TASKS = 2
#: Target average CPU utilisation, in percent.
DEFAULT_CPU_TARGET = 60  # percent

#: Valid Fargate (Linux) memory sizes for each CPU size: ``cpu units -> (smallest MiB,
#: largest MiB, step MiB)``; 256 units take only 512, 1024 or 2048 MiB.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html
FARGATE_MEMORY: Mapping[int, tuple[int, int, int]] = MappingProxyType({
    256: (512, 2048, 512),
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
})


#: Environment variable names ECS and shells accept: a letter or underscore, then
#: letters, digits and underscores.
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
_ENV_NAME = ENV_NAME
#: Longest health-check path an ALB target group takes, in characters; it starts with ``/``.
#: terraform-provider-aws internal/service/elbv2/target_group.go (health_check.path:
#: StringLenBetween(1, 1024)); https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
MAX_HEALTH_CHECK_PATH = 1024
#: A health-check path: ``/`` then no white space (the target group sends it as the request line's path).
HEALTH_CHECK_PATTERN = r"^/[!-~]*$"
#: Longest health-check grace period ECS accepts, in seconds (about 68 years).
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html (healthCheckGracePeriodSeconds)
MAX_HEALTH_CHECK_GRACE_PERIOD = 2_147_483_647  # seconds
#: Largest target value Application Auto Scaling accepts (2^360), here requests per task per minute.
#: https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html
MAX_SCALING_TARGET = 2 ** 360
#: Most tasks one ECS service may run (the "Tasks per service" quota).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
MAX_TASKS = 5000

_PARTITION = r"aws(?:-cn|-us-gov|-iso(?:-[a-z])?)?"
_REGION = r"[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-[0-9]"
#: A Secrets Manager secret's full ARN: ``arn:<partition>:secretsmanager:<region>:<account>:secret:``
#: ``<name>-<6 random characters>``; a secret's name is 1-512 of ``A-Za-z0-9/_+=.@-`` (``!`` in
#: secrets that AWS services manage, e.g. ``rds!cluster-…``). ECS
#: ``valueFrom`` may add ``:<json-key>:<version-stage>:<version-id>`` (each part may be empty).
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html,
#: https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources
#: (the suffix), https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html (Name).
SECRETS_MANAGER_ARN = re.compile(
    rf"^arn:(?P<partition>{_PARTITION}):secretsmanager:(?P<region>{_REGION}):(?P<account>[0-9]{{12}}):"
    r"secret:(?P<name>[A-Za-z0-9/_+=.@!-]{1,512})-[A-Za-z0-9]{6}"
    r"(?::[^:\s]*:[^:\s]*:[^:\s]*)?\Z")
#: An SSM Parameter Store parameter's ARN: ``arn:<partition>:ssm:<region>:<account>:parameter/<name>``;
#: the name (without its leading ``/``) is ``A-Za-z0-9_.-/``, at most 1011 characters.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html,
#: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html (Name).
SSM_PARAMETER_ARN = re.compile(
    rf"^arn:(?P<partition>{_PARTITION}):ssm:(?P<region>{_REGION}):(?P<account>[0-9]{{12}}):"
    r"parameter/(?P<name>[A-Za-z0-9_.\-][A-Za-z0-9_.\-/]{0,1010})\Z")
#: Where the user finds the full ARN, for hints.
SECRET_ARN_HINT = (
    "use the full ARN, e.g. arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf "
    "(`aws secretsmanager describe-secret --secret-id NAME --query ARN` prints it), or an SSM parameter "
    "ARN, e.g. arn:aws:ssm:us-east-1:123456789012:parameter/shop/stripe-key")


def fargate_memory_sizes(cpu: int) -> tuple[int, ...]:
    """The memory sizes (MiB) Fargate accepts with ``cpu`` units; ``()`` for an invalid cpu."""
    if cpu not in FARGATE_MEMORY:
        return ()
    if cpu == 256:
        return (512, 1024, 2048)
    low, high, step = FARGATE_MEMORY[cpu]
    return tuple(range(low, high + 1, step))


def check_fargate_pair(cpu: int, memory: int) -> None:
    """Raise :class:`~blueprints.constraints.SettingsError` (a ``ValueError``) unless ``cpu``
    units and ``memory`` MiB are a valid Fargate pair (see :func:`fargate_problems`).

    The message names the valid memory range for that cpu, e.g.
    ``"cpu 1024 takes memory 2048 to 8192 MiB in steps of 1024, not 512"``.
    """
    raise_problems(fargate_problems(cpu, memory))


def secret_arn(value_from: str) -> str:
    """The Secrets Manager secret ARN behind an ECS ``valueFrom``, without a JSON-key suffix.

    >>> secret_arn("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::")
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf'
    """
    return ":".join(value_from.split(":")[:7])


def secret_reference_problem(value_from: str) -> str | None:
    """Why ``value_from`` is not a full Secrets Manager or SSM parameter ARN, or ``None`` when it is.

    >>> secret_reference_problem("arn:aws:ssm:us-east-1:123456789012:parameter/shop/key") is None
    True
    >>> secret_reference_problem("arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe")
    "'arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe' is a partial secret ARN (no -<6 random characters> suffix); IAM and ECS need the full one"
    """
    if SECRETS_MANAGER_ARN.match(value_from) or SSM_PARAMETER_ARN.match(value_from):
        return None
    parts = value_from.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and parts[2] in ("secretsmanager", "ssm"):
        # Say which part is wrong before guessing at a missing suffix
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html: partition, region, account).
        partition, region, account = parts[1], parts[3], parts[4]
        if not re.fullmatch(_PARTITION, partition):
            return (f"{value_from!r} has partition {partition!r}; expected aws, aws-cn, aws-us-gov "
                    "(or an aws-iso partition)")
        if not re.fullmatch(_REGION, region):
            return (f"{value_from!r} has region {region!r}, which is not a region code "
                    "(letters, a hyphen, letters, a hyphen and a digit, e.g. us-east-1)")
        if not re.fullmatch(r"[0-9]{12}", account):
            return (f"{value_from!r} has account {account!r}; an AWS account ID is exactly 12 digits "
                    f"(this one has {len(account)} characters)")
    if re.match(r"^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:[^:]+$", value_from) and not re.search(
            r"-[A-Za-z0-9]{6}\Z", value_from):
        return (f"{value_from!r} is a partial secret ARN (no -<6 random characters> suffix); "
                "IAM and ECS need the full one")
    if value_from.startswith("arn:"):
        return f"{value_from!r} is not the ARN of a Secrets Manager secret or an SSM parameter"
    return "expected the ARN of a Secrets Manager secret or an SSM parameter, never the value itself"


def region_partition(region: str) -> str:
    """The AWS partition a region belongs to (``us-gov-west-1`` -> ``aws-us-gov``).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partition)
    """
    for prefix, partition in (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"), ("us-isob-", "aws-iso-b"),
                              ("us-iso-", "aws-iso")):
        if region.startswith(prefix):
            return partition
    return "aws"


def secret_partition_problems(secrets: Mapping[str, str], region: str) -> Iterator[SettingProblem]:
    """A secret or parameter ARN of another partition than the stack's ``region``: IAM and
    ECS never reach across partitions (a commercial-region ARN in GovCloud, say).

    Other regions of the same partition are fine: ECS reads a secret by its full ARN.
    """
    expected = region_partition(region)
    for name, value_from in secrets.items():
        match = SECRETS_MANAGER_ARN.match(value_from) or SSM_PARAMETER_ARN.match(value_from)
        if match and match["partition"] != expected:
            yield SettingProblem(
                f"secrets.{name}", f"the ARN is in partition {match['partition']!r}, but this environment "
                f"deploys to {region} (partition {expected!r}); the task could not read it",
                f"use the ARN of a secret in {expected} (e.g. arn:{expected}:secretsmanager:{region}:…)",
                "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html")


_ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?P<cn>\.cn)?/"
    r"(?P<repository>[^:@]+)"
)


def ecr_repository_arn(image: str) -> str | None:
    """The ECR repository ARN an image is pulled from, or ``None`` for a non-ECR image.

    >>> ecr_repository_arn("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/orders:1.2")
    'arn:aws:ecr:eu-west-1:123456789012:repository/shop/orders'
    >>> ecr_repository_arn("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/shop/orders:1.2")
    'arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/shop/orders'
    """
    match = _ECR_IMAGE.match(image)
    if match is None:
        return None
    # The partition follows the region: GovCloud registries share the amazonaws.com domain.
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
    partition = region_partition(match["region"]) if not match["cn"] else "aws-cn"
    return f"arn:{partition}:ecr:{match['region']}:{match['account']}:repository/{match['repository']}"


def image_partition_problems(image: str, region: str) -> Iterator[SettingProblem]:
    """An image in Amazon ECR of another partition than the stack's ``region`` (on ``image``):
    the execution role's ``ecr:BatchGetImage`` grant would name a repository IAM cannot reach
    from this partition, so no task could pull it (an image outside ECR is not concerned).

    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html (partition)
    """
    repository = ecr_repository_arn(image)
    if repository is None:
        return
    partition = repository.split(":")[1]
    expected = region_partition(region)
    if partition != expected:
        yield SettingProblem("image", f"the image is in Amazon ECR of partition {partition!r}, but this environment "
                             f"deploys to {region} (partition {expected!r}); its tasks could not pull it",
                             f"push the image to ECR in {region} and use that repository",
                             "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html")


def container_region_problems(c: Any, region: str) -> Iterator[SettingProblem]:
    """What the stack's region adds to a container's checks (API, worker, job): secrets
    (:func:`secret_partition_problems`) and an ECR image (:func:`image_partition_problems`)
    of another partition. ``c`` has ``image`` and ``secrets`` (a blueprint or settings)."""
    yield from image_partition_problems(c.image, region)
    yield from secret_partition_problems(c.secrets, region)


def ssm_parameter_arns(values_from: Iterable[str]) -> tuple[str, ...]:
    """The SSM parameter ARNs among ``values_from``, sorted and unique."""
    return tuple(sorted({v for v in values_from if SSM_PARAMETER_ARN.match(v)}))


def secrets_manager_arns(values_from: Iterable[str]) -> tuple[str, ...]:
    """The Secrets Manager secret ARNs (without JSON-key suffix) among ``values_from``, sorted and unique."""
    return tuple(sorted({secret_arn(v) for v in values_from if SECRETS_MANAGER_ARN.match(v)}))


#: What ECS accepts as a container ``image``: "For images using tags (repository-url/image:tag),
#: up to 255 characters total are allowed, including letters (uppercase and lowercase), numbers,
#: hyphens, underscores, colons, periods, forward slashes, and number signs (#). For images using
#: digests (repository-url/image@digest), the 255 character limit applies only to the repository
#: URL and image name (everything before the @ sign). The only supported hash function is sha256,
#: and the hash value after sha256: must be exactly 64 characters (only letters A-F, a-f, and
#: numbers 0-9 are allowed)."
#: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (image)
IMAGE_SOURCE = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html"
#: Longest image reference (before any ``@digest``), in characters.
MAX_IMAGE_LENGTH = 255
IMAGE_NAME = re.compile(r"^[A-Za-z0-9_:./#-]+\Z")
IMAGE_DIGEST = re.compile(r"^sha256:[A-Fa-f0-9]{64}\Z")


def image_problems(image: str) -> Iterator[SettingProblem]:
    """The problem with a container ``image`` reference ECS would refuse, if any (on ``image``).

    ``repository[:tag]`` (at most 255 letters, digits, ``-_:./#``) or
    ``repository@sha256:<64 hex digits>``; see :data:`IMAGE_SOURCE`.

    >>> [p.message for p in image_problems("ghcr.io/acme/shop-api:1.4.2")]
    []
    """
    example = "e.g. ghcr.io/acme/shop-api:1.4.2 or 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api@sha256:<64 hex digits>"
    if not image.strip():
        yield SettingProblem("image", "must not be empty", example, IMAGE_SOURCE)
        return
    name, at, digest = image.partition("@")
    bad = sorted({ch for ch in name if not IMAGE_NAME.match(ch)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        yield SettingProblem("image", f"{image!r} contains {shown}; an image reference has only letters, digits "
                             "and - _ : . / # (plus @sha256:<digest>)", example, IMAGE_SOURCE)
    elif not name:
        yield SettingProblem("image", f"{image!r} has no repository before '@'", example, IMAGE_SOURCE)
    elif len(name) > MAX_IMAGE_LENGTH:
        yield SettingProblem("image", f"is {len(name)} characters{' before the @' if at else ''}; ECS accepts at "
                             f"most {MAX_IMAGE_LENGTH}", "use a shorter repository name or tag", IMAGE_SOURCE)
    if at and not IMAGE_DIGEST.match(digest):
        yield SettingProblem("image", f"the digest {digest[:80]!r} is not sha256: followed by 64 hexadecimal digits",
                             "copy the digest `docker inspect --format '{{index .RepoDigests 0}}' IMAGE` prints, "
                             "or use a tag (repository:tag)", IMAGE_SOURCE)


def fargate_problems(cpu: int, memory: int) -> Iterator[SettingProblem]:
    """The problem with a Fargate ``cpu``/``memory`` pair, if any (on ``cpu`` or ``memory``).

    Source: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
    """
    source = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html"
    if cpu not in FARGATE_MEMORY:
        valid = ", ".join(str(c) for c in FARGATE_MEMORY)
        yield SettingProblem("cpu", f"cpu {cpu} is not a Fargate size",
                             f"use one of {valid} (1024 = 1 vCPU)", source)
        return
    if memory in fargate_memory_sizes(cpu):
        return
    if cpu == 256:
        allowed = "512, 1024 or 2048 MiB"
    else:
        low, high, step = FARGATE_MEMORY[cpu]
        allowed = f"{low} to {high} MiB in steps of {step}"
    yield SettingProblem("memory", f"cpu {cpu} takes memory {allowed}, not {memory}",
                         f"with cpu {cpu}, use {allowed}", source)


def scaling_problems(s: ScalingSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`ScalingSettings`; fields are ``min``, ``max``, ``cpu`` …"""
    if not 1 <= s.min <= MAX_TASKS:
        yield SettingProblem("min", f"must be at least 1 and at most {MAX_TASKS} tasks, not {s.min}")
    if not 1 <= s.max <= MAX_TASKS:
        yield SettingProblem("max", f"must be 1 to {MAX_TASKS} tasks, not {s.max}",
                             source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html")
    elif s.min > s.max:
        yield SettingProblem("min", f"min {s.min} must not exceed max {s.max}", "lower min or raise max")
    for label, value in (("cpu", s.cpu), ("memory", s.memory)):
        if value is not None and not 1 <= value <= 100:
            yield SettingProblem(label, f"is a percentage (1-100), not {value}")
    if s.requests is not None and not 1 <= s.requests <= MAX_SCALING_TARGET:
        yield SettingProblem("requests", f"must be at least 1 (and at most 2^360) per target per minute, not {s.requests}",
                             source="https://docs.aws.amazon.com/autoscaling/application/APIReference/"
                             "API_TargetTrackingScalingPolicyConfiguration.html")


def command_problems(command: Sequence[str] | None) -> Iterator[SettingProblem]:
    """The problem with a container ``command`` (on ``command``), if any.

    ``None`` keeps the image's own ``CMD``; a list replaces it and must not be empty.
    ECS passes it to Docker as ``Cmd``: an array of strings, with no other limit than
    the task definition's 64 KiB.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html (command)
    """
    if command is not None and not command:
        yield SettingProblem("command", "must have at least one element",
                             'leave it out to run the image\'s CMD, or write e.g. ["python", "-m", "worker"]',
                             "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html")


def container_problems(s: ContainerSettings) -> Iterator[SettingProblem]:
    """Every problem of what a Fargate task runs: image, cpu/memory, command, log retention,
    variable names and secret references. Shared by the API, worker and job components;
    field names are the settings' own (``log_retention_days``, ``environment.NAME``,
    ``secrets.NAME``)."""
    yield from image_problems(s.image)
    yield from fargate_problems(s.cpu, s.memory)
    yield from command_problems(s.command)
    if s.log_retention_days not in LOG_RETENTION_DAYS:
        yield SettingProblem("log_retention_days",
                             f"CloudWatch Logs cannot keep logs for {s.log_retention_days} days "
                             f"(log_retention_days {s.log_retention_days})",
                             "use one of " + ", ".join(f"{d}d" for d in LOG_RETENTION_DAYS),
                             "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/"
                             "API_PutRetentionPolicy.html")
    for kind, names in (("environment", s.environment), ("secrets", s.secrets)):
        for name in names:
            if not ENV_NAME.match(name):
                yield SettingProblem(f"{kind}.{name}", f"{name!r} is not a valid environment variable name",
                                     "use letters, digits and underscores, e.g. LOG_LEVEL")
    for name in sorted(set(s.environment) & set(s.secrets)):
        yield SettingProblem(f"secrets.{name}", f"{name!r} is set both in environment and in secrets",
                             "keep it in one of the two")
    for name, arn in s.secrets.items():
        problem = secret_reference_problem(arn)
        if problem:
            yield SettingProblem(f"secrets.{name}", problem, SECRET_ARN_HINT,
                                 "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
                                 "secrets-envvar-secrets-manager.html")


def api_problems(s: ApiSettings) -> Iterator[SettingProblem]:
    """Every problem of an :class:`ApiSettings` besides its ``scaling`` (see :func:`scaling_problems`)
    and its front door (:func:`front_door_problems`): :func:`container_problems`, then the
    port, health check and access logs."""
    yield from container_problems(s)
    if not 1 <= s.port <= 65535:
        yield SettingProblem("port", f"must be 1-65535, not {s.port}")
    if not re.fullmatch(HEALTH_CHECK_PATTERN, s.health_check) or len(s.health_check) > MAX_HEALTH_CHECK_PATH:
        yield SettingProblem("health_check", f"must be a path starting with '/', without spaces, of at most "
                             f"{MAX_HEALTH_CHECK_PATH} characters, not {s.health_check[:40]!r}", "e.g. /healthz",
                             "terraform-provider-aws internal/service/elbv2/target_group.go")
    if not 0 <= s.health_check_grace_period <= MAX_HEALTH_CHECK_GRACE_PERIOD:
        yield SettingProblem("health_check_grace_period",
                             f"must be 0 to {MAX_HEALTH_CHECK_GRACE_PERIOD} seconds, not {s.health_check_grace_period}",
                             "e.g. 60s or 5m",
                             "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html")
    if s.access_log_retention_days < 1:
        yield SettingProblem("access_log_retention_days", "must be at least 1")


class ContainerSettings(Protocol):
    """What a Fargate task runs, as the API, worker and job settings all give it
    (:func:`container_problems` checks it; :func:`blueprints.api.task.build_task` builds it).

    ``port`` is ``None`` for a container that listens on nothing (worker, job);
    ``command`` is ``None`` to run the image's ``CMD``. ``cpu`` in Fargate units,
    ``memory`` in MiB, ``log_retention_days`` in days.
    """

    @property
    def image(self) -> str: ...
    @property
    def port(self) -> int | None: ...
    @property
    def cpu(self) -> int: ...
    @property
    def memory(self) -> int: ...
    @property
    def command(self) -> Sequence[str] | None: ...
    @property
    def environment(self) -> Mapping[str, str]: ...
    @property
    def secrets(self) -> Mapping[str, str]: ...
    @property
    def log_retention_days(self) -> int: ...


@dataclass(frozen=True, kw_only=True)
class ScalingSettings:
    """How many tasks run, and what makes ECS add or remove them.

    Each set target becomes one target-tracking policy; ECS scales out when any
    is above its target and scales in only when all are below.

    Attributes:
        min: Fewest running tasks (>= 1); also the service's initial desired count.
        max: Most running tasks (>= ``min``).
        cpu: Target average CPU utilisation in percent (1-100), or ``None`` for no CPU policy.
        memory: Target average memory utilisation in percent (1-100), or ``None``.
        requests: Target ALB requests per task per minute, or ``None``.

    Raises:
        blueprints.constraints.SettingsError: (a ``ValueError``) with every problem of
            :func:`scaling_problems`: ``min``/``max`` outside 1 to 5000, ``min > max``, or a
            target out of range.
    """

    min: int = DEFAULT_MIN_TASKS
    max: int = DEFAULT_MAX_TASKS
    cpu: int | None = DEFAULT_CPU_TARGET
    memory: int | None = None
    requests: int | None = None

    def __post_init__(self) -> None:
        raise_problems(scaling_problems(self))


@dataclass(frozen=True, kw_only=True)
class ApiSettings:
    """An HTTP service on ECS Fargate behind an Application Load Balancer.

    Attributes:
        image: Container image, e.g. ``"123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:1.4.2"``.
        port: TCP port the container listens on (1-65535).
        cpu: Task CPU in Fargate units (256 = 0.25 vCPU … 16384 = 16 vCPU).
        memory: Task memory in MiB; must suit ``cpu`` (see :data:`FARGATE_MEMORY`).
        health_check: Path the load balancer requests; 200-399 counts as healthy.
        health_check_grace_period: Seconds after a task starts during which failing
            health checks do not stop it.
        public: ``True``: internet-facing ALB in the public subnets, open to 0.0.0.0/0.
            ``False``: internal ALB in the private subnets, open to the VPC CIDR.
        domain: A DNS name such as ``"api.example.com"``: an ACM certificate (DNS
            validation), HTTPS on 443 and a redirect from 80. ``None``: plain HTTP on 80.
        scaling: Task counts and autoscaling targets.
        environment: Plain environment variables (name -> value). Never put secrets here.
        secrets: Secret environment variables: name -> the full Secrets Manager secret
            ARN, optionally with ``:<json-key>:<version-stage>:<version-id>``, e.g.
            ``"arn:…:secret:stripe-AbCdEf:api_key::"``, or an SSM parameter ARN
            (``"arn:…:ssm:us-east-1:123456789012:parameter/shop/key"``).
        log_retention_days: CloudWatch Logs retention of the container logs, in days.
        access_logs: Write ALB access logs to a dedicated, encrypted S3 bucket.
        access_log_retention_days: Days before access-log objects expire.
        deletion_protection: Turn on the ALB's deletion protection (and keep the
            access-log bucket when it is not empty).
        alarms: Create the service's CloudWatch alarms.
        p95_latency_threshold: Alarm when p95 target response time exceeds this, in seconds.
        http_5xx_threshold: Alarm when targets return more 5xx than this per minute.
        zone: The Route 53 public hosted zone that holds ``domain``, e.g. ``"example.com"``;
            ``None``: :func:`default_zone` of the domain. Only with ``domain`` and
            without ``certificate``.
        certificate: The ARN of an issued ACM certificate in the stack's region, for DNS
            hosted outside Route 53: scaffold then requests no certificate and creates
            no DNS record; HTTPS on 443 uses this one.
        command: The container's command (Docker ``Cmd``), replacing the image's ``CMD``;
            ``None`` keeps the image's.
        waf: Put an AWS WAF web ACL (managed common and known-bad-inputs rules, a
            per-IP rate limit) in front of a public load balancer; internal load
            balancers never get one.

    Raises:
        blueprints.constraints.SettingsError: (a ``ValueError``) with every problem at
            once, each on its field (:func:`api_problems`, :func:`front_door_problems`): an
            image reference ECS refuses (:func:`image_problems`), an invalid Fargate cpu/memory pair (the message names the valid memory range), a
            port out of range, a health-check path without a leading ``/`` or over 1024
            characters, a grace period over 2147483647 s, a retention CloudWatch does not
            accept, an invalid variable name (``environment.NAME``), a name both in
            ``environment`` and ``secrets``, or a ``secrets`` value that is not a full
            Secrets Manager or SSM parameter ARN (``secrets.NAME``).
    """

    image: str
    port: int = DEFAULT_PORT
    cpu: int = DEFAULT_CPU
    memory: int = DEFAULT_MEMORY
    health_check: str = DEFAULT_HEALTH_CHECK_PATH
    health_check_grace_period: int = DEFAULT_HEALTH_CHECK_GRACE_PERIOD
    public: bool = True
    domain: str | None = None
    scaling: ScalingSettings = field(default_factory=ScalingSettings)
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    access_logs: bool = False
    access_log_retention_days: int = DEFAULT_ACCESS_LOG_RETENTION_DAYS
    deletion_protection: bool = False
    alarms: bool = False
    p95_latency_threshold: float = DEFAULT_P95_LATENCY_THRESHOLD
    http_5xx_threshold: int = DEFAULT_HTTP_5XX_THRESHOLD
    zone: str | None = None
    certificate: str | None = None
    waf: bool = False
    command: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # Freeze the mappings too: the settings object must not change under a built component.
        object.__setattr__(self, "environment", MappingProxyType(dict(self.environment)))
        object.__setattr__(self, "secrets", MappingProxyType(dict(self.secrets)))
        raise_problems([
            *front_door_problems(domain=self.domain, zone=self.zone, certificate=self.certificate),
            *api_problems(self)])

    @property
    def tls(self) -> bool:
        """Whether the load balancer serves HTTPS (a ``domain`` or a ``certificate``)."""
        return bool(self.domain or self.certificate)

    @property
    def hosted_zone(self) -> str | None:
        """The Route 53 zone scaffold looks up, or ``None`` when it creates no DNS records."""
        if not self.domain or self.certificate:
            return None
        return self.zone or default_zone(self.domain)


#: An ACM certificate ARN: ``arn:<partition>:acm:<region>:<account>:certificate/<uuid>``.
#: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscertificatemanager.html
#: (resource type ``certificate``); the certificate id is a UUID.
ACM_CERTIFICATE_ARN = re.compile(
    r"^arn:(?P<partition>aws(?:-cn|-us-gov|-iso[a-z]*)?):acm:(?P<region>[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-[0-9]):"
    r"[0-9]{12}:certificate/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def default_zone(domain: str) -> str:
    """The hosted zone assumed for ``domain``: the domain minus its first label when it has
    three labels or more, else the domain itself.

    >>> default_zone("api.example.com"), default_zone("example.com"), default_zone("a.b.example.co.uk")
    ('example.com', 'example.com', 'b.example.co.uk')
    """
    labels = domain.rstrip(".").split(".")
    return ".".join(labels[1:]) if len(labels) >= 3 else ".".join(labels)


def certificate_region_problems(certificate: str | None, region: str) -> Iterator[SettingProblem]:
    """A problem when ``certificate`` is an ACM ARN of another partition or region than
    ``region``, the stack's: an ALB only uses ACM certificates of its own region. The component does not
    know its region, so ``scaffold validate`` runs this one (:mod:`scaffold.spec.rules`)."""
    match = ACM_CERTIFICATE_ARN.match(certificate or "")
    expected = region_partition(region)
    if match and match["partition"] != expected:
        # Like secrets (secret_partition_problems): no AWS service reaches across partitions.
        yield SettingProblem(
            "certificate", f"the certificate ARN is in partition {match['partition']!r}, but this environment "
            f"deploys to {region} (partition {expected!r}); a load balancer only uses ACM certificates "
            "of its own partition and region",
            f"request or import the certificate in {region} and use that ARN (arn:{expected}:acm:{region}:…)",
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html")
    elif match and match["region"] != region:
        yield SettingProblem(
            "certificate", f"the certificate is in {match['region']}, but this environment "
            f"deploys to {region}; a load balancer only uses ACM certificates of its own region",
            f"request or import the certificate in {region} and use that ARN",
            "https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html")


def front_door_problems(
    *, domain: str | None, zone: str | None, certificate: str | None,
) -> Iterator[SettingProblem]:
    """The problems with an API's ``domain``/``zone``/``certificate`` combination (its
    region: :func:`certificate_region_problems`)."""
    if certificate is not None:
        if not ACM_CERTIFICATE_ARN.match(certificate):
            yield SettingProblem(
                "certificate", f"{certificate!r} is not an ACM certificate ARN",
                "use the ARN ACM shows, e.g. arn:aws:acm:us-east-1:123456789012:certificate/"
                "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
                "https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscertificatemanager.html")
        if zone is not None:
            yield SettingProblem(
                "zone", "zone is unused with certificate: scaffold creates no Route 53 records "
                "for a certificate you bring", "remove zone, or remove certificate to let scaffold "
                "request and validate one in the Route 53 zone")
    if zone is not None and domain is None:
        yield SettingProblem("zone", "zone needs a domain", "add domain: api.<zone>, or remove zone")
    elif zone is not None and domain is not None:
        name, parent = domain.rstrip(".").lower(), zone.rstrip(".").lower()
        if name != parent and not name.endswith("." + parent):
            yield SettingProblem(
                "zone", f"domain {domain!r} is not inside zone {zone!r}",
                f"use the zone that holds {domain}, e.g. {default_zone(domain)}",
                "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/AboutHZWorkingWith.html")
