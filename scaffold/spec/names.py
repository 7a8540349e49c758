"""The AWS physical names each environment would create, predicted without ``pulumi``.

Every component names its resources ``<project>-<environment>-<component>[-<suffix>]``
(:func:`blueprints.naming.aws_name`), each kind with its own suffixes and length
limit. :func:`physical_names` lists them for one resolved environment, from the
same settings the components are built from (:mod:`stacks.settings`), so that
``scaffold validate`` can

* refuse a project, environment or component name that makes a name AWS
  refuses (:func:`refused_names`, rules in :data:`blueprints.naming.NAME_RULES`):
  a project ``internal`` makes an ALB ``internal-…``, a project ``sg`` a security
  group ``sg-…``;
* report two components whose names collide (:func:`collisions`): environments
  ``dev`` and ``dev-a`` with components ``a-x`` and ``x`` both make the queue
  ``shop-dev-a-x``; components ``jobs`` and ``jobs-dlq`` both make ``shop-dev-jobs-dlq``.

A name is unique in its rule's scope: ``stack`` (the environment's VPC or ECS
cluster), ``region``, ``account`` (IAM roles: every region of the account) or
``partition`` (S3 buckets). Names in scope ``parent`` cannot collide.

The test ``tests/spec/test_names.py`` plans worst-case specs and checks that
every physical name in the plans is one this module predicts, so the prediction
and the components cannot drift apart.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from blueprints.constraints import SettingsError
from blueprints.naming import (
    AUTONAME_SUFFIX,
    NAME_PREFIX_SUFFIX,
    NAME_RULES,
    aws_name,
    name_problems,
    refused_prefix,
)
from scaffold.spec.blueprint import Blueprint

#: The account id put into names that hold one (the access-log bucket) for prediction.
#: Every account id has 12 digits, so lengths and rules come out the same.
PLACEHOLDER_ACCOUNT_ID = "123456789012"

#: The stack-wide components (stacks.program): the VPC and the shared ECS cluster.
NETWORK = "network"
SERVICES = "services"


@dataclass(frozen=True)
class PhysicalName:
    """One AWS name a stack would set.

    Attributes:
        type: The Pulumi type token of the resource, e.g. ``aws:sqs/queue:Queue``.
        field: The input that carries the name (wire name), e.g. ``name``, ``clusterIdentifier``.
        name: The name. With ``random``, only its beginning: the provider appends
            a unique suffix (``name_prefix``), Pulumi an auto-name suffix, or the
            component a random id.
        rule: The key of :data:`blueprints.naming.NAME_RULES` it must satisfy.
        project, environment, component: Whose name it is; ``component`` is a spec
            component, or ``network`` / ``services`` for the stack-wide ones.
        region: The environment's region.
        random: The real name continues with a random suffix (so it cannot collide).
        stem: ``True`` when the name starts with the project (``<project>-<env>-…``);
            ``False`` when it starts with the component (Pulumi auto-names).
    """

    type: str
    field: str
    name: str
    rule: str
    project: str
    environment: str
    component: str
    region: str
    random: bool = False
    stem: bool = True

    @property
    def full_name(self) -> str:
        """The name with a placeholder random suffix, the length the real name has."""
        if not self.random:
            return self.name
        return self.name + (NAME_PREFIX_SUFFIX if self.stem else AUTONAME_SUFFIX)

    def scope_key(self) -> tuple[str, ...]:
        """The collision domain: two names collide when their rule, scope key and name are equal."""
        scope = NAME_RULES[self.rule].scope
        if scope == "stack":
            return (self.rule, self.environment)
        if scope == "region":
            return (self.rule, self.region)
        if scope == "parent":
            return (self.rule, self.environment, self.component, self.name)
        return (self.rule,)


class _Namer:
    """Builds the :class:`PhysicalName` s of one component, as its component resource does."""

    def __init__(self, bp: Blueprint, component: str) -> None:
        self.bp = bp
        self.component = component
        self.names: list[PhysicalName] = []

    def stem(self, suffix: str = "", *, max_len: int = 63) -> str:
        """``Component.physical_name``: ``aws_name(project, environment, component, suffix)``."""
        return aws_name(self.bp.project, self.bp.environment, self.component, suffix, max_len=max_len)

    def add(self, type_: str, field: str, name: str, rule: str, *, random: bool = False,
            stem: bool = True) -> None:
        self.names.append(PhysicalName(
            type=type_, field=field, name=name, rule=rule, project=self.bp.project,
            environment=self.bp.environment, component=self.component, region=self.bp.region,
            random=random, stem=stem))

    def alarms(self, suffixes: list[str]) -> None:
        """``blueprints.alarms.metric_alarm``: ``<stem>-alarm-<suffix>``, at most 255."""
        for suffix in suffixes:
            self.add("aws:cloudwatch/metricAlarm:MetricAlarm", "name",
                     self.stem(f"alarm-{suffix}", max_len=255), "cloudwatch_alarm")

    def linked_security_group(self) -> None:
        """``Component.linked_security_group``: ``<stem>-sg``."""
        self.add("aws:ec2/securityGroup:SecurityGroup", "name", self.stem("sg", max_len=255), "security_group")

    def autonamed(self, type_: str, logical: str, rule: str) -> None:
        """A resource without a name input: Pulumi names it ``<logical name>-<7 hex digits>``."""
        self.add(type_, "name", f"{self.component}-{logical}", rule, random=True, stem=False)


def _network(n: _Namer) -> None:
    from stacks.settings import network_settings

    s = network_settings(n.bp)
    if s.flow_logs:
        n.add("aws:cloudwatch/logGroup:LogGroup", "name", f"/aws/vpc-flow-logs/{n.stem(max_len=480)}",
              "log_group")
        n.add("aws:iam/role:Role", "name", n.stem("flow-logs", max_len=64), "iam_role")
    if s.interface_endpoints:
        n.add("aws:ec2/securityGroup:SecurityGroup", "name", n.stem("endpoints", max_len=255), "security_group")


def _services(n: _Namer) -> None:
    n.add("aws:ecs/cluster:Cluster", "name", n.stem(max_len=255), "ecs_cluster")


def physical_names(bp: Blueprint) -> list[PhysicalName]:
    """Every physical name the stack of ``bp`` would set, in component order (network first).

    A component whose settings are invalid is skipped: its own checks report it.
    """
    out: list[PhysicalName] = []
    namer = _Namer(bp, NETWORK)
    with contextlib.suppress(SettingsError, ValueError):
        _network(namer)
    out += namer.names
    from stacks.kinds import WIRING  # pulumi-free

    if any(WIRING[c.kind].uses_cluster for c in bp.components.values()):
        namer = _Namer(bp, SERVICES)
        _services(namer)
        out += namer.names
    for name, c in bp.components.items():
        namer = _Namer(bp, name)
        try:
            WIRING[c.kind].physical_names(namer, c)
        except (SettingsError, ValueError):
            continue
        out += namer.names
    return out


@dataclass(frozen=True)
class RefusedName:
    """A physical name AWS would refuse, and the spec part to blame.

    Attributes:
        name: The refused name.
        problems: Why, as phrases (``'must not start with "sg-"'``).
        culprit: ``"project"``, ``"environment"`` or ``"component"``: the name to change.
    """

    name: PhysicalName
    problems: tuple[str, ...]
    culprit: str


def _culprit(p: PhysicalName) -> str:
    """Which of project, environment and component makes ``p`` start with a reserved prefix."""
    prefix = refused_prefix(p.rule, p.name)
    if prefix is None or not p.stem:
        return "component"
    for culprit, head in (("project", aws_name(p.project)),
                          ("environment", aws_name(p.project, p.environment))):
        if len(prefix) <= len(head) + 1:
            return culprit
    return "component"


def refused_names(bp: Blueprint) -> Iterator[RefusedName]:
    """The physical names of ``bp`` that AWS would refuse (:data:`blueprints.naming.NAME_RULES`)."""
    for p in physical_names(bp):
        problems = name_problems(p.rule, p.full_name)
        if problems:
            yield RefusedName(p, tuple(problems), _culprit(p))


@dataclass(frozen=True)
class Collision:
    """Two components whose physical names are equal where they must be unique.

    Attributes:
        first: The name of the component that comes first (spec order, environments in order).
        second: The same name, from the other component.
    """

    first: PhysicalName
    second: PhysicalName


def collisions(blueprints: Mapping[str, Blueprint]) -> list[Collision]:
    """Pairs of components (in one or several environments) that would set the same physical name.

    Only the first colliding name of each pair of (environment, component) is
    reported. Names with a random suffix cannot collide and are skipped.
    """
    seen: dict[tuple[str, ...], PhysicalName] = {}
    found: dict[frozenset[tuple[str, str]], Collision] = {}
    for bp in blueprints.values():
        for p in physical_names(bp):
            if p.random or NAME_RULES[p.rule].scope == "parent":
                continue
            key = (*p.scope_key(), p.name.lower())
            other = seen.setdefault(key, p)
            if other is p:
                continue
            owners = frozenset({(other.environment, other.component), (p.environment, p.component)})
            if len(owners) == 2 and owners not in found:
                found[owners] = Collision(other, p)
    return list(found.values())


# -- Pulumi logical names -------------------------------------------------------------------------
#
# A child resource's URN is its stack, project, parent type chain, type and logical name
# ``<component>-<suffix>``. Two components of the same kind (the same component type) whose
# children get the same type and logical name make the same URN, which the engine refuses
# ("Duplicate resource URN"): an API ``x`` has ``x-service-sg`` and ``x-task-role``, so an API
# ``x-service`` (its ``x-service-sg``) or ``x-task`` (``x-task-role``) collides with it.
# Each kind's wiring lists its children's suffixes (stacks.kinds.Wiring.children), a superset of
# any one configuration's (tests/spec/test_names.py checks that every child in worst-case plans is listed).


def logical_names(bp: Blueprint) -> dict[str, set[tuple[str, str]]]:
    """``(type, logical name)`` of each spec component's children, by component (a superset)."""
    from stacks.kinds import WIRING  # pulumi-free

    return {name: {(t, f"{name}-{suffix}") for suffix, types in WIRING[c.kind].children(c).items() for t in types}
            for name, c in bp.components.items()}


@dataclass(frozen=True)
class LogicalCollision:
    """Two components of one kind whose children would get the same URN.

    Attributes:
        kind: The components' kind.
        first, second: The component names, in spec order.
        names: The shared logical names, sorted (each shared with the same resource type).
    """

    kind: str
    first: str
    second: str
    names: tuple[str, ...]


def logical_collisions(bp: Blueprint) -> list[LogicalCollision]:
    """Pairs of same-kind components of ``bp`` whose children share a logical name."""
    names = logical_names(bp)
    components = list(bp.components.items())
    # Index each (type, logical name) by the components that make it, so that only components
    # that do share one are compared: linear in the spec, not quadratic (8000 components).
    holders: dict[tuple[str, str], list[int]] = {}
    for i, (name, _) in enumerate(components):
        for key in names[name]:
            holders.setdefault(key, []).append(i)
    shared: dict[tuple[int, int], set[str]] = {}
    for (_, logical), indexes in holders.items():
        for x, i in enumerate(indexes):
            for j in indexes[x + 1:]:
                if components[i][1].kind == components[j][1].kind:
                    shared.setdefault((i, j), set()).add(logical)
    return [LogicalCollision(components[i][1].kind, components[i][0], components[j][0], tuple(sorted(found)))
            for (i, j), found in sorted(shared.items())]
