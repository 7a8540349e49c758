"""Settings of an API service: :class:`ApiSettings` and :class:`ScalingSettings`.

Every default lives here as a module constant with its unit. The settings
validate themselves on construction, so a bad combination (an invalid Fargate
CPU/memory pair, ``min > max``, a plaintext value where a secret ARN belongs)
fails before any resource is built.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

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

#: Retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = frozenset({
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
})

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")


def fargate_memory_sizes(cpu: int) -> tuple[int, ...]:
    """The memory sizes (MiB) Fargate accepts with ``cpu`` units; ``()`` for an invalid cpu."""
    if cpu not in FARGATE_MEMORY:
        return ()
    if cpu == 256:
        return (512, 1024, 2048)
    low, high, step = FARGATE_MEMORY[cpu]
    return tuple(range(low, high + 1, step))


def check_fargate_pair(cpu: int, memory: int) -> None:
    """Raise ``ValueError`` unless ``cpu`` units and ``memory`` MiB are a valid Fargate pair.

    The message names the valid memory range for that cpu, e.g.
    ``"cpu 1024 takes memory 2048 to 8192 MiB in steps of 1024, not 512"``.
    """
    if cpu not in FARGATE_MEMORY:
        valid = ", ".join(str(c) for c in FARGATE_MEMORY)
        raise ValueError(f"cpu {cpu} is not a Fargate size; use one of {valid} (1024 = 1 vCPU)")
    sizes = fargate_memory_sizes(cpu)
    if memory in sizes:
        return
    if cpu == 256:
        allowed = "512, 1024 or 2048 MiB"
    else:
        low, high, step = FARGATE_MEMORY[cpu]
        allowed = f"{low} to {high} MiB in steps of {step}"
    raise ValueError(f"cpu {cpu} takes memory {allowed}, not {memory}")


def secret_arn(value_from: str) -> str:
    """The Secrets Manager secret ARN behind an ECS ``valueFrom``, without a JSON-key suffix.

    >>> secret_arn("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::")
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf'
    """
    return ":".join(value_from.split(":")[:7])


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
        ValueError: ``min < 1``, ``min > max``, or a target out of range.
    """

    min: int = DEFAULT_MIN_TASKS
    max: int = DEFAULT_MAX_TASKS
    cpu: int | None = DEFAULT_CPU_TARGET
    memory: int | None = None
    requests: int | None = None

    def __post_init__(self) -> None:
        if self.min < 1:
            raise ValueError(f"scaling.min must be at least 1, not {self.min}")
        if self.min > self.max:
            raise ValueError(f"scaling.min ({self.min}) must not exceed scaling.max ({self.max})")
        for label, value in (("cpu", self.cpu), ("memory", self.memory)):
            if value is not None and not 1 <= value <= 100:
                raise ValueError(f"scaling.{label} is a percentage (1-100), not {value}")
        if self.requests is not None and self.requests < 1:
            raise ValueError(f"scaling.requests must be at least 1 per target per minute, not {self.requests}")


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
        secrets: Secret environment variables: name -> Secrets Manager secret ARN,
            optionally with a JSON key, e.g. ``"arn:…:secret:stripe-AbCdEf:api_key::"``.
        log_retention_days: CloudWatch Logs retention of the container logs, in days.
        access_logs: Write ALB access logs to a dedicated, encrypted S3 bucket.
        access_log_retention_days: Days before access-log objects expire.
        deletion_protection: Turn on the ALB's deletion protection (and keep the
            access-log bucket when it is not empty).
        alarms: Create the service's CloudWatch alarms.
        p95_latency_threshold: Alarm when p95 target response time exceeds this, in seconds.
        http_5xx_threshold: Alarm when targets return more 5xx than this per minute.

    Raises:
        ValueError: An invalid Fargate cpu/memory pair (the message names the valid
            memory range), a port out of range, a health-check path without a leading
            ``/``, a retention CloudWatch does not accept, an invalid variable name, a
            name both in ``environment`` and ``secrets``, or a ``secrets`` value that is
            not a Secrets Manager ARN.
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

    def __post_init__(self) -> None:
        # Freeze the mappings too: the settings object must not change under a built component.
        object.__setattr__(self, "environment", MappingProxyType(dict(self.environment)))
        object.__setattr__(self, "secrets", MappingProxyType(dict(self.secrets)))
        if not self.image.strip():
            raise ValueError("image must not be empty")
        check_fargate_pair(self.cpu, self.memory)
        if not 1 <= self.port <= 65535:
            raise ValueError(f"port must be 1-65535, not {self.port}")
        if not self.health_check.startswith("/"):
            raise ValueError(f"health_check must be a path starting with '/', not {self.health_check!r}")
        if self.health_check_grace_period < 0:
            raise ValueError("health_check_grace_period is in seconds and must not be negative")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            valid = ", ".join(str(d) for d in sorted(LOG_RETENTION_DAYS))
            raise ValueError(f"log_retention_days {self.log_retention_days} is not one of {valid}")
        if self.access_log_retention_days < 1:
            raise ValueError("access_log_retention_days must be at least 1")
        for name in (*self.environment, *self.secrets):
            if not _ENV_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid environment variable name")
        both = sorted(set(self.environment) & set(self.secrets))
        if both:
            raise ValueError(f"{', '.join(both)} set both in environment and in secrets")
        for name, arn in self.secrets.items():
            if not _SECRET_ARN.match(arn):
                raise ValueError(
                    f"secrets[{name!r}] must be a Secrets Manager secret ARN "
                    f"(arn:aws:secretsmanager:<region>:<account>:secret:<name>), never the value itself"
                )
