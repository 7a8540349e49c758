"""``scaffold plan``: what a stack would create, computed offline under Pulumi's mock runtime.

The environment's program (:func:`stacks.program.build_program`, the same one
``deploy`` runs) is executed by :func:`stacks.mocks.run_offline`: no cloud, no
engine, no network. Every resource is recorded with the inputs the engine
would receive (wire names), and with fabricated ids and ARNs that are stable
from run to run, so a resource that takes another's ARN shows that exact
resource's fabricated ARN. Secret values are replaced by ``"[secret]"``.

The JSON document (:meth:`Plan.to_json`) is a stable interface for CI and
reviewers; its schema is in ``docs/plan.md``.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from stacks.mocks import (
    FABRICATED_ACCOUNT_ID,
    FABRICATED_AZ_COUNT,
    OfflineRun,
    is_secret,
    run_offline,
)
from stacks.program import build_program

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint

#: Version of the plan JSON document; bumped only on incompatible changes.
PLAN_FORMAT = 1
#: What replaces a secret value.
SECRET_PLACEHOLDER = "[secret]"
#: Type-token prefix of scaffold's component resources.
COMPONENT_PREFIX = "scaffold:blueprints:"

#: The inputs shown beside each resource in the text tree, by type (dotted paths into the inputs).
KEY_SETTINGS: Mapping[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("availabilityZone", "cidrBlock"),
    "aws:rds/cluster:Cluster": ("engine", "engineVersion", "storageEncrypted", "backupRetentionPeriod",
                                "deletionProtection", "skipFinalSnapshot", "serverlessv2ScalingConfiguration"),
    "aws:rds/clusterInstance:ClusterInstance": ("instanceClass", "availabilityZone", "promotionTier"),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "engine", "nodeType", "numCacheClusters", "automaticFailoverEnabled", "multiAzEnabled",
        "atRestEncryptionEnabled", "transitEncryptionEnabled"),
    "aws:sqs/queue:Queue": ("fifoQueue", "visibilityTimeoutSeconds", "messageRetentionSeconds",
                            "sqsManagedSseEnabled"),
    "aws:sns/topic:Topic": ("kmsMasterKeyId",),
    "aws:sns/topicSubscription:TopicSubscription": ("protocol",),
    "aws:ecs/taskDefinition:TaskDefinition": ("cpu", "memory"),
    "aws:ecs/service:Service": ("desiredCount", "deploymentCircuitBreaker", "deploymentMinimumHealthyPercent",
                                "deploymentMaximumPercent"),
    "aws:lb/loadBalancer:LoadBalancer": ("internal", "enableDeletionProtection", "dropInvalidHeaderFields"),
    "aws:lb/listener:Listener": ("port", "protocol"),
    "aws:appautoscaling/target:Target": ("minCapacity", "maxCapacity"),
    "aws:appautoscaling/policy:Policy": (
        "targetTrackingScalingPolicyConfiguration.predefinedMetricSpecification.predefinedMetricType",
        "targetTrackingScalingPolicyConfiguration.targetValue"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("metricName", "threshold"),
    "aws:cloudwatch/logGroup:LogGroup": ("retentionInDays",),
    "aws:scheduler/schedule:Schedule": ("scheduleExpression", "scheduleExpressionTimezone"),
    "aws:sfn/stateMachine:StateMachine": ("type",),
}
#: The type whose resources are a job's schedule (``schedules`` in the JSON, next runs in the text).
SCHEDULE_TYPE = "aws:scheduler/schedule:Schedule"
#: How many next run times the plan shows per schedule.
NEXT_RUNS = 3


def redact(value: Any) -> Any:
    """``value`` with every wrapped Pulumi secret replaced by ``"[secret]"``, recursively.

    Whole numbers, which the wire carries as doubles, come back as ints (``14``, not ``14.0``),
    and mapping keys are sorted, so that two plans of one spec are identical.
    """
    if is_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, Mapping):
        return {k: redact(value[k]) for k in sorted(value)}  # the wire's maps have no order
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _lookup(inputs: Mapping[str, Any], path: str) -> Any:
    node: Any = inputs
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


@dataclass(frozen=True)
class PlannedResource:
    """One resource the stack would create.

    Attributes:
        urn: Its Pulumi URN.
        type: Type token, e.g. ``aws:rds/cluster:Cluster``, or ``scaffold:blueprints:Database``.
        name: Logical name.
        parent: The parent's URN, or ``None`` under the stack.
        component: The spec component it belongs to, or ``None`` (the shared network and cluster).
        inputs: Inputs with wire names, secrets redacted.
        id: The fabricated id (``None`` for component resources).
        arn: The fabricated ARN, when the type has one.
    """

    urn: str
    type: str
    name: str
    parent: str | None
    component: str | None
    inputs: dict[str, Any]
    id: str | None = None
    arn: str | None = None

    @property
    def is_component(self) -> bool:
        """Whether this is a scaffold component resource rather than an AWS resource."""
        return self.type.startswith(COMPONENT_PREFIX)

    def key_settings(self) -> dict[str, Any]:
        """The few inputs a reviewer looks at first for this type (see :data:`KEY_SETTINGS`)."""
        found = {}
        for path in KEY_SETTINGS.get(self.type, ()):
            value = _lookup(self.inputs, path)
            if value is not None:
                found[path.rsplit(".", 1)[-1]] = value
        return found


@dataclass
class Plan:
    """The offline plan of one stack.

    Attributes:
        project: Pulumi project (the spec's ``name``).
        stack: Pulumi stack (the environment).
        profile: The environment's profile.
        region: AWS region.
        resources: Every resource, components included, in registration order.
        outputs: Stack outputs, secrets redacted.
        spec_components: The spec's component names, in spec order.
        schedules: Each job's schedule by component: ``expression``, ``timezone`` and
            ``next_runs`` (see :func:`schedules`); empty without jobs.
    """

    project: str
    stack: str
    profile: str
    region: str
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    spec_components: list[str] = field(default_factory=list)
    schedules: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def aws_resources(self) -> list[PlannedResource]:
        """The resources that are not component resources."""
        return [r for r in self.resources if not r.is_component]

    def summary(self) -> dict[str, Any]:
        """Counts: ``total`` AWS resources, ``components``, ``by_type`` and ``by_component``."""
        aws = self.aws_resources
        by_component = Counter(r.component or _shared_owner(r, self.resources) for r in aws)
        return {
            "total": len(aws),
            "components": sum(1 for r in self.resources if r.is_component),
            "by_type": dict(sorted(Counter(r.type for r in aws).items())),
            "by_component": dict(by_component),
        }

    def to_json(self) -> dict[str, Any]:
        """The plan document; schema in ``docs/plan.md``."""
        return {
            "format": PLAN_FORMAT,
            "project": self.project,
            "stack": self.stack,
            "profile": self.profile,
            "region": self.region,
            "fabricated": {
                "note": "computed offline under Pulumi's mock runtime: ids, ARNs, endpoints, the account "
                        "and the availability zones are fabricated, not read from AWS",
                "account_id": FABRICATED_ACCOUNT_ID,
                "availability_zones": [f"{self.region}{c}" for c in "abcdef"[:FABRICATED_AZ_COUNT]],
            },
            "resources": [
                {"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent, "component": r.component,
                 "id": r.id, "arn": r.arn, "inputs": r.inputs}
                for r in self.resources
            ],
            "outputs": self.outputs,
            **({"schedules": self.schedules} if self.schedules else {}),
            "summary": self.summary(),
        }


def _shared_owner(resource: PlannedResource, resources: list[PlannedResource]) -> str:
    """The name of the top-level component a resource sits under (e.g. ``network``)."""
    by_urn = {r.urn: r for r in resources}
    node = resource
    while node.parent and node.parent in by_urn:
        node = by_urn[node.parent]
    return node.name


def _in_review_order(resources: list[PlannedResource], spec_order: list[str]) -> list[PlannedResource]:
    """Depth-first: top-level components in spec order (shared ones first), children by type and name.

    Registration order depends on the event loop; this order depends only on the program's result,
    so two plans of the same spec diff cleanly.
    """
    children: dict[str | None, list[PlannedResource]] = {}
    for r in resources:
        children.setdefault(r.parent, []).append(r)

    def top_key(r: PlannedResource) -> tuple[int, str, str]:
        position = spec_order.index(r.name) if r.name in spec_order else -1
        return (position, r.type, r.name)

    ordered: list[PlannedResource] = []

    def visit(parent: str | None) -> None:
        key = top_key if parent is None else (lambda r: (0, r.type, r.name))
        for child in sorted(children.get(parent, []), key=key):
            ordered.append(child)
            visit(child.urn)

    visit(None)
    return ordered


def plan(blueprint: Blueprint) -> Plan:
    """Run the environment's program offline and return what it would create.

    Raises:
        stacks.mocks.DuplicateResourceError: Two resources share a type and name.
        ValueError: A component rejected its settings.
    """
    run = run_offline(build_program(blueprint), project=blueprint.project, stack=blueprint.environment,
                      region=blueprint.region)
    return plan_from_run(blueprint, run)


def plan_from_run(blueprint: Blueprint, run: OfflineRun) -> Plan:
    """The plan of an offline run of ``blueprint``'s program (see :func:`plan`): secrets redacted,
    resources in review order, each with the id the engine returned and its fabricated ARN."""
    spec_names = set(blueprint.components)
    by_urn = {r.urn: r for r in run.resources}

    def component_of(urn: str) -> str | None:
        node = by_urn.get(urn)
        while node is not None:
            if node.type.startswith(COMPONENT_PREFIX) and node.name in spec_names and node.parent is None:
                return node.name
            node = by_urn.get(node.parent) if node.parent else None
        return None

    resources = []
    for r in run.resources:
        custom = r.custom
        arn = r.outputs.get("arn") if custom else None
        resources.append(PlannedResource(
            urn=r.urn, type=r.type, name=r.name, parent=r.parent, component=component_of(r.urn),
            inputs=redact(r.inputs), id=r.id if custom else None,
            arn=arn if isinstance(arn, str) else None,
        ))
    ordered = _in_review_order(resources, list(blueprint.components))
    return Plan(project=blueprint.project, stack=blueprint.environment, profile=blueprint.profile,
                region=blueprint.region, resources=ordered,
                outputs=redact(run.outputs),
                spec_components=list(blueprint.components), schedules=schedules(ordered))


def plan_now() -> datetime:
    """"Now" for the next run times: ``SCAFFOLD_NOW`` (ISO-8601; UTC when it has no offset) when
    set, so plans and docs are reproducible, else the clock.

    Raises:
        UsageError: ``SCAFFOLD_NOW`` is not an ISO-8601 date and time.
    """
    text = os.environ.get("SCAFFOLD_NOW", "").strip()
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        from scaffold.errors import UsageError

        raise UsageError(f"SCAFFOLD_NOW={text[:60]!r} is not an ISO-8601 date and time",
                         "e.g. SCAFFOLD_NOW=2026-01-01T00:00:00Z, or unset it to use the clock") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def schedules(resources: list[PlannedResource]) -> dict[str, dict[str, Any]]:
    """Each schedule's expression, time zone and next :data:`NEXT_RUNS` run times after
    :func:`plan_now` (ISO-8601 with the zone's offset), by component, in plan order; computed
    offline by :func:`blueprints.job.schedule.next_runs`."""
    found = [r for r in resources if r.type == SCHEDULE_TYPE and r.component]
    if not found:
        return {}
    from blueprints.job.schedule import next_runs

    now = plan_now()
    result: dict[str, dict[str, Any]] = {}
    for r in found:
        expression = r.inputs["scheduleExpression"]
        timezone = r.inputs.get("scheduleExpressionTimezone") or "UTC"
        assert r.component is not None
        result[r.component] = {
            "expression": expression, "timezone": timezone,
            "next_runs": [t.isoformat() for t in next_runs(expression, timezone, now, count=NEXT_RUNS)],
        }
    return result
