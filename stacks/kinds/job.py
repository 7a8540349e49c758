"""Wiring of the ``job`` kind: a container run on a schedule, in the shared cluster, linked to what it uses.

Spec: :mod:`scaffold.spec.kinds.job`; component: :mod:`blueprints.job`. Nothing links to a
job (``link_variables`` is ``None``): it cannot be used or consumed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprints.api.settings import container_region_problems
from blueprints.job.settings import JobSettings
from stacks.kinds import (
    ALARM,
    EGRESS,
    INGRESS,
    ROLE,
    ROLE_POLICY,
    SECURITY_GROUP,
    SERVICES,
    StackBuild,
    Wiring,
)
from stacks.settings import DAY

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.kinds.job import JobBlueprint


def job_settings(c: JobBlueprint, bp: Blueprint) -> JobSettings:
    """The settings of a job: ``timeout`` in seconds, logs in days, alarms from the environment.

    Raises:
        SettingsError: Every problem (schedule, time zone, timeout, retries, the container's).
    """
    return JobSettings(
        image=c.image, schedule=c.schedule, timezone=c.timezone, timeout=c.timeout, retries=c.retries,
        cpu=c.cpu, memory=c.memory, command=tuple(c.command) if c.command is not None else None,
        environment=dict(c.environment), secrets=dict(c.secrets),
        log_retention_days=c.log_retention // DAY, alarms=bp.alarms.enabled,
    )


def extra_problems(c: JobBlueprint, bp: Blueprint) -> Any:
    """A secret in another partition than the environment's region, as for an API."""
    return container_region_problems(c, bp.region)


def build(name: str, c: JobBlueprint, settings: JobSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.job.Job` in the shared cluster, linked to each component it uses."""
    from blueprints.job import Job

    return Job(name, settings, context=stack.context, network=stack.network, cluster=stack.cluster(),
               links=stack.links(c.uses), alarm_topic_arn=stack.alarm_topic_arn)


def exports(job: Any) -> dict[str, Any]:
    """The state machine (its executions are the runs) and the schedule's expression."""
    return {"state_machine_arn": job.state_machine.arn, "schedule": job.expression}


def physical_names(n: Any, c: JobBlueprint) -> None:
    """Each AWS name the job sets (:mod:`scaffold.spec.names`)."""
    n.add("aws:cloudwatch/logGroup:LogGroup", "name", f"/ecs/{n.stem(max_len=500)}", "log_group")
    for suffix in ("exec", "task", "sfn", "scheduler"):
        n.add("aws:iam/role:Role", "name", n.stem(suffix, max_len=64), "iam_role")
    n.add("aws:ecs/taskDefinition:TaskDefinition", "family", n.stem(max_len=255), "ecs_task_family")
    n.add("aws:sfn/stateMachine:StateMachine", "name", n.stem(max_len=80), "sfn_state_machine")
    n.add("aws:scheduler/schedule:Schedule", "name", n.stem(max_len=64), "scheduler_schedule")
    n.autonamed("aws:ec2/securityGroup:SecurityGroup", "service-sg", "security_group")
    if n.bp.alarms.enabled:
        n.alarms(["failed"])


#: The job's children besides its link rules: logical-name suffix -> resource types.
CHILDREN: dict[str, tuple[str, ...]] = {
    "alarm-failed": (ALARM,),
    "execution-policy": (ROLE_POLICY,), "execution-role": (ROLE,),
    "logs": ("aws:cloudwatch/logGroup:LogGroup",),
    "schedule": ("aws:scheduler/schedule:Schedule",),
    "scheduler-policy": (ROLE_POLICY,), "scheduler-role": (ROLE,),
    "service-out": (EGRESS,), "service-sg": (SECURITY_GROUP,),
    "sfn-policy": (ROLE_POLICY,), "sfn-role": (ROLE,),
    "state-machine": ("aws:sfn/stateMachine:StateMachine",),
    "task": ("aws:ecs/taskDefinition:TaskDefinition",), "task-policy": (ROLE_POLICY,), "task-role": (ROLE,),
}


def children(c: JobBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN` and one ingress rule per used component."""
    return {**CHILDREN, **{f"to-{u}": (INGRESS,) for u in c.uses}}


WIRING = Wiring(kind="job", phase=SERVICES, settings=job_settings, build=build, exports=exports,
                spec_fields={"log_retention_days": "log_retention"}, day_fields=("log_retention",),
                extra_problems=extra_problems, physical_names=physical_names, children=children,
                uses_cluster=True)
