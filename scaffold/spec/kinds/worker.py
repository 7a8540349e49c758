"""The ``worker`` kind: a container service on ECS Fargate with no load balancer that consumes one queue.

Component: :class:`blueprints.worker.Worker`; wiring: :mod:`stacks.kinds.worker`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from blueprints.api.settings import MAX_SCALING_TARGET, MAX_TASKS
from blueprints.worker.settings import consumed_queue_problem, visibility_timeout_problem
from scaffold.spec import container
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.findings import Finding, reference
from scaffold.spec.kinds import Kind
from scaffold.spec.units import DAY, Duration

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.source import FieldPath


class WorkerScalingSpec(SpecModel):
    """Target-tracking autoscaling of the worker's task count on its queue's backlog."""

    min: int | None = Field(None, ge=1, le=MAX_TASKS, description="Fewest running tasks; also the service's "
                            "desired count. At most 5000.")
    max: int | None = Field(None, ge=1, le=MAX_TASKS, description="Most running tasks, at most 5000 (ECS tasks per service).")
    backlog_per_task: int | None = Field(None, ge=1, le=MAX_SCALING_TARGET,
                                         description="Target visible messages in the consumed queue per running "
                                         "task: the wait you accept divided by the time a task takes per message.")
    cpu: int | None = Field(None, ge=1, le=100, description="Target average CPU, percent, a second policy. "
                            "`null` for none.")


class WorkerSpec(SpecModel):
    """A container service on ECS Fargate with no load balancer that consumes one SQS queue."""

    kind: Literal["worker"] = Field(description="`worker`: an ECS Fargate service that consumes a queue.")
    image: str = container.image()
    command: list[str] | None = container.command()
    cpu: int | None = container.cpu()
    memory: int | None = container.memory()
    consumes: str = Field(min_length=1, description="The queue component the worker reads: it gets "
                          "`<QUEUE>_QUEUE_URL` and may receive, delete and change the visibility of its messages.")
    scaling: WorkerScalingSpec | None = Field(None, description="Autoscaling range, backlog-per-task and CPU targets.")
    environment: dict[str, str] | None = container.environment()
    secrets: dict[str, str] | None = container.secrets()
    uses: list[str] | None = container.uses("worker")
    log_retention: Duration | None = container.log_retention()


class WorkerScalingBlueprint(Resolved):
    min: int = Field(ge=1)  # upper bounds: the spec's fields and WorkerScalingSettings
    max: int = Field(ge=1)
    backlog_per_task: int = Field(ge=1)
    cpu: int | None = Field(ge=1, le=100)


class WorkerBlueprint(Resolved):
    kind: Literal["worker"]
    image: str
    command: list[str] | None
    cpu: int
    memory: int
    consumes: str
    scaling: WorkerScalingBlueprint
    environment: dict[str, str]
    secrets: dict[str, str]
    uses: list[str]
    log_retention: Duration = Field(ge=0)


def _profile(**changes: Any) -> dict[str, Any]:
    return {
        "command": None, "cpu": 256, "memory": 512,
        "consumes": None,  # no default: the spec names the queue
        "scaling": {"min": 1, "max": 2, "backlog_per_task": 100, "cpu": 70},
        "environment": {}, "secrets": {}, "uses": [], "log_retention": 7 * DAY,
        **changes,
    }


#: Dev is cheap (one task, at most two); production is resilient: at least two tasks, which
#: ECS spreads over the network's AZs, and the API's larger task size.
PROFILES = {
    "dev": _profile(),
    "staging": _profile(scaling={"min": 1, "max": 4, "backlog_per_task": 100, "cpu": 70},
                        log_retention=14 * DAY),
    "production": _profile(cpu=512, memory=1024,
                           scaling={"min": 2, "max": 10, "backlog_per_task": 100, "cpu": 70},
                           log_retention=30 * DAY),
}


def component_rules(components: Mapping[str, Any], name: str, c: WorkerSpec) -> Iterator[Finding]:
    """``consumes`` names a queue component, and ``uses`` does not list it again."""
    yield from reference(components, ("components", name, "consumes"), c.consumes, ("queue",),
                        "a worker consumes a queue component")
    uses = c.uses or []
    target = components.get(c.consumes)
    problem = consumed_queue_problem(c.consumes, uses) if target is not None and target.kind == "queue" else None
    if problem is not None:
        yield Finding(("components", name, "uses", uses.index(c.consumes)), problem.message, problem.hint)


def blueprint_rules(bp: Blueprint, base: FieldPath, c: WorkerBlueprint) -> Iterator[Finding]:
    """A warning when the consumed queue's visibility timeout is shorter than
    :data:`blueprints.worker.settings.MIN_VISIBILITY_TIMEOUT` (60 s)."""
    queue = bp.components.get(c.consumes)
    if queue is None or queue.kind != "queue":
        return  # reported by component_rules
    problem = visibility_timeout_problem(c.consumes, queue.visibility_timeout)
    if problem is not None:
        yield Finding((*base, "consumes"), problem.message, problem.hint, warning=True,
                      causes=(("components", c.consumes, "visibility_timeout"),))


KIND = Kind(
    name="worker",
    spec_model=WorkerSpec,
    blueprint_model=WorkerBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: worker)", WorkerSpec), ("components.NAME.scaling (worker)", WorkerScalingSpec)),
    duration_fields=frozenset({"log_retention"}),
    runs_container=True,
    summary="a queue worker on ECS Fargate (no load balancer), scaled on the queue's backlog per task",
    component_rules=component_rules,
    blueprint_rules=blueprint_rules,
)
