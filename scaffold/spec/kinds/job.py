"""The ``job`` kind: a container run on a schedule, with a timeout per run, retries and an alarm.

Component: :class:`blueprints.job.Job`; wiring: :mod:`stacks.kinds.job`. The schedule's
grammar and the time zone are checked by the component's settings
(:func:`blueprints.job.settings.job_problems`, through ``stacks.settings.component_problems``),
each problem at its spec line.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from blueprints.job.settings import MAX_STATES_INTEGER
from scaffold.spec import container
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.kinds import Kind
from scaffold.spec.units import DAY, UNIT_SECONDS, Duration


class JobSpec(SpecModel):
    """A container run on a schedule."""

    kind: Literal["job"] = Field(description="`job`: a container run on a schedule (EventBridge Scheduler and "
                                             "Step Functions), with a timeout, retries and an alarm.")
    image: str = container.image()
    command: list[str] | None = container.command()
    schedule: str = Field(min_length=1, description=(
        "When it runs: `cron(minutes hours day-of-month month day-of-week year)` (EventBridge's six-field "
        "cron, `?` in day-of-month or day-of-week, e.g. `cron(0 3 * * ? *)`), `rate(15 minutes)`, or "
        "`@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`."))
    timezone: str | None = Field(None, description="IANA time zone the schedule runs in, e.g. `Europe/Berlin` "
                                                   "(daylight saving time included). Default `UTC`.")
    timeout: Duration | None = Field(None, ge=1, le=MAX_STATES_INTEGER,
                                     description="A run is stopped, and counts as failed, after this long, e.g. `30m`.")
    retries: int | None = Field(None, ge=0, le=MAX_STATES_INTEGER,
                                description="Runs after a failed or timed-out one; when the last fails too, "
                                            "the alarm fires. `0` runs once.")
    cpu: int | None = container.cpu()
    memory: int | None = container.memory()
    environment: dict[str, str] | None = container.environment()
    secrets: dict[str, str] | None = container.secrets()
    uses: list[str] | None = container.uses("job")
    log_retention: Duration | None = container.log_retention()


class JobBlueprint(Resolved):
    kind: Literal["job"]
    image: str
    command: list[str] | None
    schedule: str
    timezone: str
    timeout: Duration = Field(ge=1)
    retries: int = Field(ge=0)
    cpu: int
    memory: int
    environment: dict[str, str]
    secrets: dict[str, str]
    uses: list[str]
    log_retention: Duration = Field(ge=0)


def _profile(**changes: object) -> dict[str, object]:
    return {
        "command": None, "timezone": "UTC", "timeout": UNIT_SECONDS["h"], "retries": 2, "cpu": 256, "memory": 512,
        "environment": {}, "secrets": {}, "uses": [], "log_retention": 7 * DAY,
        **changes,
    }


#: dev runs a failed job once (its error shows at once, nothing is re-run against a dev database);
#: staging and production retry twice, and keep the logs longer. The schedule is the spec's own.
PROFILES = {
    "dev": _profile(retries=0),
    "staging": _profile(log_retention=14 * DAY),
    "production": _profile(log_retention=30 * DAY),
}


KIND = Kind(
    name="job",
    spec_model=JobSpec,
    blueprint_model=JobBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: job)", JobSpec),),
    duration_fields=frozenset({"log_retention", "timeout"}),
    runs_container=True,
    summary="a container run on a schedule (cron or rate, in a time zone), with a timeout, retries and an alarm",
)
