"""Wiring of the ``worker`` kind: a queue worker on ECS Fargate, built with the services, after its queue.

Spec: :mod:`scaffold.spec.kinds.worker`; component: :mod:`blueprints.worker`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from blueprints.api.settings import container_region_problems
from blueprints.constraints import SettingProblem, raise_problems
from blueprints.worker.settings import WorkerScalingSettings, WorkerSettings
from stacks.kinds import ALARM, SERVICES, StackBuild, Wiring
from stacks.kinds.api import CHILDREN as API_CHILDREN
from stacks.settings import DAY, link_variables, nested

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.kinds.worker import WorkerBlueprint


def worker_settings(c: WorkerBlueprint, bp: Blueprint) -> WorkerSettings:
    """The settings of a worker component; retentions in days.

    Raises:
        SettingsError: Every problem of the scaling (``scaling.<field>``) and of the rest.
    """
    s = c.scaling
    problems: list[SettingProblem] = []
    scaling = nested(problems, "scaling.", lambda: WorkerScalingSettings(
        min=s.min, max=s.max, backlog_per_task=s.backlog_per_task, cpu=s.cpu)) or WorkerScalingSettings()
    settings = nested(problems, "", lambda: WorkerSettings(
        image=c.image, cpu=c.cpu, memory=c.memory,
        command=tuple(c.command) if c.command is not None else None,
        environment=dict(c.environment), secrets=dict(c.secrets),
        log_retention_days=c.log_retention // DAY, scaling=scaling, alarms=bp.alarms.enabled,
    ))
    raise_problems(problems)
    assert settings is not None
    return settings


def extra_problems(c: WorkerBlueprint, bp: Blueprint) -> Iterator[SettingProblem]:
    """A secret in another partition than the environment's region, and a variable of the
    consumer link (``<QUEUE>_QUEUE_URL``) that the worker's ``environment``/``secrets`` or one
    of its ``uses`` links sets too (``stacks.settings`` checks the ``uses`` links among themselves)."""
    from stacks.kinds import WIRING

    yield from container_region_problems(c, bp.region)
    queue = bp.components.get(c.consumes)
    if queue is None or queue.kind != "queue":
        return  # reported by the spec's rules
    try:
        variables = link_variables("queue", c.consumes, WIRING["queue"].settings(queue, bp))
    except ValueError:
        return  # the queue's own problems are reported on the queue
    for var in variables:
        for where in ("environment", "secrets"):
            if var in getattr(c, where):
                yield SettingProblem(f"{where}.{var}", f"{var!r} is also set by consuming {c.consumes!r} (consumes)",
                                     f"rename the variable; consuming {c.consumes!r} sets {var}")
    for i, used in enumerate(c.uses):
        target = bp.components.get(used)
        if used == c.consumes or target is None:
            continue  # using the consumed queue is its own error
        try:
            theirs = link_variables(target.kind, used, WIRING[target.kind].settings(target, bp))
        except ValueError:
            continue
        for var in sorted(set(variables) & set(theirs)):
            yield SettingProblem(f"uses.{i}", f"the link to {used!r} and consuming {c.consumes!r} both set {var}",
                                 "rename one of the two components: their variable prefixes collide")


def build(name: str, c: WorkerBlueprint, settings: WorkerSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.worker.Worker` in the shared cluster, consuming its queue, linked to what it uses."""
    from blueprints.worker import Worker

    return Worker(name, settings, context=stack.context, network=stack.network, cluster=stack.cluster(),
                  consumes=stack.built[c.consumes], links=stack.links(c.uses),
                  alarm_topic_arn=stack.alarm_topic_arn)


def exports(worker: Any) -> dict[str, Any]:
    """The ECS service's name and the log group's: where to look when the backlog grows."""
    return {"service": worker.service.name, "log_group": worker.log_group.name}


def physical_names(n: Any, c: WorkerBlueprint) -> None:
    """Each AWS name the worker sets (:mod:`scaffold.spec.names`)."""
    s = worker_settings(c, n.bp)
    n.add("aws:cloudwatch/logGroup:LogGroup", "name", f"/ecs/{n.stem(max_len=500)}", "log_group")
    for suffix in ("exec", "task"):
        n.add("aws:iam/role:Role", "name", n.stem(suffix, max_len=64), "iam_role")
    n.add("aws:ecs/taskDefinition:TaskDefinition", "family", n.stem(max_len=255), "ecs_task_family")
    n.add("aws:ecs/service:Service", "name", n.stem(max_len=255), "ecs_service")
    n.autonamed("aws:ec2/securityGroup:SecurityGroup", "service-sg", "security_group")
    for key in ("backlog", *(("cpu",) if s.scaling.cpu is not None else ())):
        n.add("aws:appautoscaling/policy:Policy", "name", n.stem(f"scale-{key}", max_len=255), "scaling_policy")
    if s.alarms:
        n.alarms(["no-running-task"])


#: The worker's children besides its link rules: logical-name suffix -> resource types
#: (the API's task, service and scaling parts, a backlog policy and its alarm).
CHILDREN: dict[str, tuple[str, ...]] = {
    **{key: API_CHILDREN[key] for key in (
        "execution-policy", "execution-role", "logs", "scale-cpu", "scaling", "service", "service-out",
        "service-sg", "task", "task-policy", "task-role")},
    "scale-backlog": ("aws:appautoscaling/policy:Policy",),
    "alarm-no-running-task": (ALARM,),
}


def children(c: WorkerBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN` and one ingress rule per used component."""
    from stacks.kinds import INGRESS

    return {**CHILDREN, **{f"to-{u}": (INGRESS,) for u in c.uses}}


WIRING = Wiring(kind="worker", phase=SERVICES, settings=worker_settings, build=build, exports=exports,
                spec_fields={"log_retention_days": "log_retention"}, day_fields=("log_retention",),
                extra_problems=extra_problems, physical_names=physical_names, children=children,
                uses_cluster=True)
