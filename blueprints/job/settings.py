"""Settings of the Job component: constants with their units and :class:`JobSettings`.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The schedule grammar is in
:mod:`blueprints.job.schedule`; the component in :mod:`blueprints.job.component`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from blueprints.api.settings import (
    DEFAULT_CPU,
    DEFAULT_LOG_RETENTION_DAYS,
    DEFAULT_MEMORY,
    container_problems,
)
from blueprints.constraints import SettingProblem, raise_problems
from blueprints.naming import NAME_RULES

#: Time zone the schedule is evaluated in when the spec sets none.
DEFAULT_TIMEZONE = "UTC"
#: Longest one run (one attempt) may take before Step Functions stops it, in seconds.
DEFAULT_TIMEOUT = 3600  # 1 hour
#: Runs after a failed or timed-out first run, before the failure raises the alarm.
DEFAULT_RETRIES = 2

#: Step Functions waits this long before the first retry, in seconds (``IntervalSeconds``) …
RETRY_INTERVAL = 60  # seconds
#: … multiplies the wait by this after each retry (``BackoffRate``) …
RETRY_BACKOFF_RATE = 2.0
#: … and never waits longer than this between two runs, in seconds (``MaxDelaySeconds``).
#: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
RETRY_MAX_DELAY = 900  # 15 minutes
#: Longest a Standard workflow execution may run: 1 year, in seconds. An execution holds
#: every run of one scheduled start, with the waits between them.
#: https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (Maximum execution time)
MAX_EXECUTION_SECONDS = 365 * 86400
#: Largest ``TimeoutSeconds`` and ``MaxAttempts`` the Amazon States Language accepts.
#: https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html (TimeoutSeconds: a positive,
#: non-zero integer), concepts-error-handling.html (MaxAttempts: 0 never retries; at most 99999999).
MAX_STATES_INTEGER = 99_999_999

STATES_SOURCE = "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html"

#: Step Functions state machine names (1-80 of ``0-9A-Za-z_-``) and EventBridge Scheduler schedule
#: names (1-64 of ``0-9A-Za-z_.-``): :data:`blueprints.naming.NAME_RULES`, with their sources.
STATE_MACHINE_NAME = NAME_RULES["sfn_state_machine"]
SCHEDULE_NAME = NAME_RULES["scheduler_schedule"]


def retry_waits(retries: int) -> int:
    """Seconds Step Functions waits between the runs of one execution, in total.

    ``min(60 * 2**i, 900)`` before retry ``i + 1``: 60, 120, 240, 480, then 900 each.

    >>> retry_waits(0), retry_waits(2), retry_waits(6)
    (0, 180, 2700)
    """
    waits = [RETRY_INTERVAL * 2 ** i for i in range(4)]  # below RETRY_MAX_DELAY
    return sum(waits[:retries]) + max(0, retries - len(waits)) * RETRY_MAX_DELAY


def worst_case_seconds(timeout: int, retries: int) -> int:
    """Longest one scheduled start may take: every run times out, with the waits between them, in seconds."""
    return (retries + 1) * timeout + retry_waits(retries)


@dataclass(frozen=True, kw_only=True)
class JobSettings:
    """What a :class:`blueprints.job.Job` runs, when, and how failures are handled.

    Attributes:
        image: Container image, as for an API (``repository[:tag]`` or ``@sha256:…``).
        schedule: When it runs, as the spec writes it: ``cron(…)`` (six fields), ``rate(…)``
            or ``@hourly``/``@daily``/``@weekly``/``@monthly``/``@yearly``
            (:func:`blueprints.job.schedule.parse_schedule`).
        timezone: IANA time zone the schedule is evaluated in, e.g. ``"Europe/Berlin"``.
        timeout: Seconds one run may take; then the run fails (``States.Timeout``) and Step Functions
            asks ECS to stop its task.
        retries: Runs after a failed or timed-out one (0 for none), 60 s apart, doubling up to 15 min.
        cpu: Fargate CPU units (1024 = 1 vCPU).
        memory: MiB; must suit ``cpu``.
        command: Replaces the image's ``CMD``; ``None`` keeps it.
        environment: Plain variables.
        secrets: Variable name -> full Secrets Manager or SSM parameter ARN.
        log_retention_days: Days CloudWatch Logs keeps the container's output.
        alarms: Create the failed-execution alarm.

    ``port`` is always ``None``: a job listens on nothing (see
    :class:`blueprints.api.settings.ContainerSettings`).

    Raises:
        blueprints.constraints.SettingsError: (a ``ValueError``) with every problem of
            :func:`job_problems`.
    """

    image: str
    schedule: str
    timezone: str = DEFAULT_TIMEZONE
    timeout: int = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    cpu: int = DEFAULT_CPU
    memory: int = DEFAULT_MEMORY
    command: Sequence[str] | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    alarms: bool = False

    def __post_init__(self) -> None:
        raise_problems(job_problems(self))

    @property
    def port(self) -> None:
        """A job listens on no port."""
        return None

    @property
    def expression(self) -> str:
        """The ``ScheduleExpression`` EventBridge Scheduler receives, e.g. ``"cron(0 3 * * ? *)"``."""
        from blueprints.job.schedule import parse_schedule

        return parse_schedule(self.schedule).expression


def job_problems(s: JobSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`JobSettings`, by settings field.

    The container's (:func:`blueprints.api.settings.container_problems`), then
    ``schedule`` (EventBridge Scheduler's grammar), ``timezone`` (an IANA name),
    ``timeout`` (1 to 99999999 s), ``retries`` (0 to 99999999) and, on ``timeout``,
    a worst case (every run timing out, with the waits) beyond Step Functions' 1-year
    execution limit.
    """
    # Imported here: validating a spec without jobs need not load the schedule grammar.
    from blueprints.job.schedule import ScheduleError, parse_schedule, timezone_problem

    yield from container_problems(s)
    try:
        parse_schedule(s.schedule)
    except ScheduleError as error:
        yield SettingProblem("schedule", error.message, error.hint, error.source)
    bad_zone = timezone_problem(s.timezone)
    if bad_zone is not None:
        yield SettingProblem("timezone", *bad_zone,
                             "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#time-zones")
    if not 1 <= s.timeout <= MAX_STATES_INTEGER:
        yield SettingProblem("timeout", f"must be 1 to {MAX_STATES_INTEGER} seconds, not {s.timeout}",
                             "e.g. 30m or 2h", "https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html")
    if not 0 <= s.retries <= MAX_STATES_INTEGER:
        yield SettingProblem("retries", f"must be 0 to {MAX_STATES_INTEGER}, not {s.retries}",
                             "0 runs once; 2 runs up to three times",
                             "https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html")
    elif 1 <= s.timeout <= MAX_STATES_INTEGER and worst_case_seconds(s.timeout, s.retries) > MAX_EXECUTION_SECONDS:
        yield SettingProblem(
            "timeout", f"{s.retries + 1} runs of up to {s.timeout} s each, with the waits between them, "
            f"take up to {worst_case_seconds(s.timeout, s.retries)} s; a Step Functions execution "
            f"ends after 1 year ({MAX_EXECUTION_SECONDS} s)", "lower timeout or retries", STATES_SOURCE)
