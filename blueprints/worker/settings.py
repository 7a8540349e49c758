"""Settings of a queue worker: :class:`WorkerSettings` and :class:`WorkerScalingSettings`.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.worker.component`.

What the task runs (image, cpu/memory, command, environment, secrets, log retention)
follows the API's rules, checked once by :func:`blueprints.api.settings.container_problems`;
the task-count rules are the API's too (:func:`blueprints.api.settings.scaling_problems`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple

from blueprints.api.settings import (
    DEFAULT_CPU,
    DEFAULT_LOG_RETENTION_DAYS,
    DEFAULT_MEMORY,
    MAX_SCALING_TARGET,
    container_problems,
    scaling_problems,
)
from blueprints.constraints import SettingProblem, raise_problems

#: Fewest running tasks (the dev profile's; production runs 2, one per AZ at least).
DEFAULT_MIN_TASKS = 1
#: Most running tasks.
DEFAULT_MAX_TASKS = 2
#: Target backlog per task: visible messages in the consumed queue per running task.
DEFAULT_BACKLOG_PER_TASK = 100  # messages per task
#: Target average CPU utilisation of the second target-tracking policy, in percent.
DEFAULT_CPU_TARGET = 70  # percent

#: Shortest visibility timeout of a consumed queue, in seconds, below which ``scaffold validate``
#: warns. SQS hides a received message for the queue's visibility timeout; when it runs out before
#: the worker deletes the message, another task receives it too. AWS: "set the visibility timeout to
#: be longer than the AWS SDK read timeout" (with short and long polling alike), and in any case to
#: the longest time the worker needs to process and delete a message
#: (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/working-with-visibility-timeouts.html,
#: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html).
#: The AWS SDK for Python's read timeout is 60 s by default
#: (https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html, ``read_timeout``),
#: longer than the SDK for Java 2's 30 s: 60 s covers both. SQS's own default (30 s) does not.
MIN_VISIBILITY_TIMEOUT = 60  # seconds

#: Where the visibility-timeout guidance comes from, for the warning.
VISIBILITY_TIMEOUT_SOURCE = (
    "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/working-with-visibility-timeouts.html")
#: Application Auto Scaling's bound on a target value (``-2^360`` to ``2^360``).
BACKLOG_SOURCE = ("https://docs.aws.amazon.com/autoscaling/application/APIReference/"
                  "API_TargetTrackingScalingPolicyConfiguration.html")


@dataclass(frozen=True, kw_only=True)
class WorkerScalingSettings:
    """How many tasks a worker runs, and what makes Application Auto Scaling add or remove them.

    Two target-tracking policies: backlog per task (always) and average CPU (unless
    ``cpu`` is ``None``). ECS scales out when either is above its target and scales in
    only when both are below.

    Attributes:
        min: Fewest running tasks, 1 to 5000; also the service's initial desired count.
        max: Most running tasks, ``min`` to 5000 (ECS's tasks-per-service quota).
        backlog_per_task: Target visible messages per running task (at least 1): the queue's
            ``ApproximateNumberOfMessagesVisible`` divided by Container Insights'
            ``RunningTaskCount``. Roughly: the acceptable latency divided by the time one
            task takes per message.
        cpu: Target average CPU utilisation in percent (1-100), or ``None`` for no CPU policy.

    Raises:
        blueprints.constraints.SettingsError: (a ``ValueError``) with every problem of
            :func:`worker_scaling_problems`.
    """

    min: int = DEFAULT_MIN_TASKS
    max: int = DEFAULT_MAX_TASKS
    backlog_per_task: int = DEFAULT_BACKLOG_PER_TASK
    cpu: int | None = DEFAULT_CPU_TARGET

    def __post_init__(self) -> None:
        raise_problems(worker_scaling_problems(self))


class _TaskCounts(NamedTuple):
    """The fields :func:`blueprints.api.settings.scaling_problems` reads, for a worker."""

    min: int
    max: int
    cpu: int | None
    memory: None = None
    requests: None = None


def worker_scaling_problems(s: WorkerScalingSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`WorkerScalingSettings`; fields are ``min``, ``max``,
    ``backlog_per_task``, ``cpu``.

    ``min``/``max`` (1 to 5000, ``min <= max``) and ``cpu`` (1-100 %) are the API's rules; a
    backlog target must be at least 1 message per task and at most 2^360, Application Auto
    Scaling's bound on a target value (:data:`BACKLOG_SOURCE`).
    """
    yield from scaling_problems(_TaskCounts(s.min, s.max, s.cpu))  # type: ignore[arg-type]
    if not 1 <= s.backlog_per_task <= MAX_SCALING_TARGET:
        yield SettingProblem("backlog_per_task",
                             f"must be at least 1 message per task, not {s.backlog_per_task}",
                             "the acceptable wait divided by the time a task takes per message, e.g. 100",
                             BACKLOG_SOURCE)


@dataclass(frozen=True, kw_only=True)
class WorkerSettings:
    """A queue worker: an ECS Fargate service with no load balancer that consumes one SQS queue.

    Attributes:
        image: Container image, e.g. ``"ghcr.io/acme/mailer:2.0"``.
        cpu: Task CPU in Fargate units (256 = 0.25 vCPU … 16384 = 16 vCPU).
        memory: Task memory in MiB; must suit ``cpu``.
        command: The container's command (Docker ``Cmd``), replacing the image's ``CMD``;
            ``None`` keeps the image's.
        environment: Plain environment variables (name -> value). Never put secrets here.
        secrets: Secret environment variables: name -> the full Secrets Manager secret ARN
            (optionally with ``:<json-key>:<version-stage>:<version-id>``) or an SSM parameter ARN.
        log_retention_days: CloudWatch Logs retention of the container logs, in days.
        scaling: Task counts, the backlog-per-task target and the CPU target.
        alarms: Create the "no running task while the queue has messages" alarm (the consumed
            queue's own age and DLQ alarms come from its :class:`blueprints.queue.Queue`).
        port: Always ``None``: a worker listens on nothing (for
            :class:`blueprints.api.settings.ContainerSettings`).

    Raises:
        blueprints.constraints.SettingsError: (a ``ValueError``) with every problem at once,
            each on its field (:func:`worker_problems`): those of
            :func:`blueprints.api.settings.container_problems` (image, Fargate cpu/memory
            pair, empty ``command``, log retention, variable names, secret ARNs).
    """

    image: str
    cpu: int = DEFAULT_CPU
    memory: int = DEFAULT_MEMORY
    command: tuple[str, ...] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    scaling: WorkerScalingSettings = field(default_factory=WorkerScalingSettings)
    alarms: bool = False

    def __post_init__(self) -> None:
        # Freeze the mappings too: the settings object must not change under a built component.
        object.__setattr__(self, "environment", MappingProxyType(dict(self.environment)))
        object.__setattr__(self, "secrets", MappingProxyType(dict(self.secrets)))
        raise_problems(worker_problems(self))

    @property
    def port(self) -> None:
        """A worker maps no container port."""
        return None


def worker_problems(s: WorkerSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`WorkerSettings` besides its ``scaling`` (checked by
    :class:`WorkerScalingSettings` itself): :func:`blueprints.api.settings.container_problems`."""
    yield from container_problems(s)


def consumed_queue_problem(consumes: str, uses: Iterable[str]) -> SettingProblem | None:
    """The problem when a worker ``uses`` the queue it ``consumes``, else ``None`` (on ``uses``).

    ``consumes`` already gives the worker ``<QUEUE>_QUEUE_URL`` and the consumer's rights;
    a plain link to the same queue would set the variable twice and add ``sqs:SendMessage``.
    scaffold refuses the pair rather than pick one: ``scaffold validate`` reports it, and
    :class:`blueprints.worker.Worker` raises ``ValueError`` with this message.
    """
    if consumes in set(uses):
        return SettingProblem(
            "uses", f"{consumes!r} is the queue this worker consumes; `consumes` already gives it "
            "the queue URL and receive/delete/change-visibility rights",
            f"remove {consumes!r} from uses")
    return None


def visibility_timeout_problem(queue: str, visibility_timeout: int) -> SettingProblem | None:
    """A warning when the consumed ``queue``'s visibility timeout (seconds) is shorter than
    :data:`MIN_VISIBILITY_TIMEOUT`, else ``None`` (on ``consumes``)."""
    if visibility_timeout >= MIN_VISIBILITY_TIMEOUT:
        return None
    return SettingProblem(
        "consumes", f"queue {queue!r} hides a received message for {visibility_timeout}s, less than "
        f"{MIN_VISIBILITY_TIMEOUT}s: another task may receive it while the first still processes it",
        f"set visibility_timeout on {queue!r} to at least {MIN_VISIBILITY_TIMEOUT}s and to more than "
        "the longest time a message takes to process", VISIBILITY_TIMEOUT_SOURCE)
