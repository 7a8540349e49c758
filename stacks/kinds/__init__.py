"""Wiring entries: how each component kind goes into a stack, found by lookup.

Each module of :data:`WIRING_MODULES` defines ``WIRING``, a :class:`Wiring` that
holds what the stack layer knows of one kind: the mapping from its blueprint to
its component's settings (pulumi-free, so ``scaffold validate`` runs the same
checks), how to build its component resource and link it to the others, what
the stack exports for it, the variables its link sets on a service, and the
physical and logical names it creates (:mod:`scaffold.spec.names`). The kind's
spec module is :mod:`scaffold.spec.kinds` and its component ``blueprints/<kind>/``.

Importing this package, or a wiring module, imports no ``pulumi``: each ``build``
imports its component when it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from blueprints.base import Link, NetworkAttachment, StackContext
    from blueprints.constraints import SettingProblem
    from scaffold.spec.blueprint import Blueprint

#: Build phases, in order: what others link to, then what fans out to it, then the services.
#: Within a phase, components are built in spec order.
STORAGE, MESSAGING, SERVICES = 0, 1, 2


@dataclass
class StackBuild:
    """What the stack program shares with each wiring entry while it builds one environment.

    Attributes:
        blueprint: The environment.
        context: Its project and environment.
        network: The VPC and subnets (:class:`blueprints.base.NetworkAttachment`).
        alarm_topic_arn: The SNS topic every alarm goes to, or ``None`` (alarms off or nowhere to send).
        expected: Addresses known before their component exists, by component name
            (:attr:`Wiring.expected_address`: a topic's ARN).
        built: The component resources built so far, by name.
        cluster_factory: Creates the stack's shared ECS cluster (called at most once).
    """

    blueprint: Blueprint
    context: StackContext
    network: NetworkAttachment
    alarm_topic_arn: Any
    expected: dict[str, Any]
    built: dict[str, Any]
    cluster_factory: Callable[[], Any]
    _cluster: Any = None

    def cluster(self) -> Any:
        """The shared ECS cluster (``blueprints.api.ServiceCluster``), created on first use."""
        if self._cluster is None:
            self._cluster = self.cluster_factory()
        return self._cluster

    def links(self, uses: Sequence[str]) -> list[Link]:
        """The :class:`blueprints.base.Link` of each used component, in ``uses`` order."""
        return [self.built[used].link() for used in uses]


@dataclass(frozen=True, kw_only=True)
class Wiring:
    """How one component kind goes into a stack.

    Attributes:
        kind: The kind's name, e.g. ``"queue"``.
        phase: :data:`STORAGE`, :data:`MESSAGING` or :data:`SERVICES`.
        settings: ``settings(component, blueprint)``: the component's settings dataclass
            (durations in the unit the settings name). Pulumi-free. Raises
            :class:`blueprints.constraints.SettingsError` with every problem.
        build: ``build(name, component, settings, stack)``: creates the component resource.
        exports: ``exports(resource)``: the stack output of the component (a mapping).
        spec_fields: Settings fields whose spec field has another name (``log_retention_days``
            -> ``log_retention``).
        day_fields: Blueprint durations the settings take in whole days.
        link_variables: ``link_variables(name, settings)``: the variables its link sets on a
            service that uses it: name -> ``"environment"`` or ``"secret"``; ``None``: not usable.
        extra_problems: ``extra_problems(component, blueprint)``: problems only the stack can
            see (e.g. a secret in another partition than the environment's region).
        physical_names: ``physical_names(namer, component)`` adds each AWS name it sets
            (:mod:`scaffold.spec.names`).
        children: ``children(component)``: logical-name suffix -> resource types of its children,
            a superset of any configuration (:func:`scaffold.spec.names.logical_collisions`).
        expected_address: ``expected_address(name, context)``: an address known before the
            component exists (a topic ARN), computed before anything is built.
        uses_cluster: It runs in the shared ECS cluster.
    """

    kind: str
    phase: int
    settings: Callable[[Any, Blueprint], Any]
    build: Callable[[str, Any, Any, StackBuild], Any]
    exports: Callable[[Any], Mapping[str, Any]]
    physical_names: Callable[[Any, Any], None]
    children: Callable[[Any], Mapping[str, tuple[str, ...]]]
    spec_fields: Mapping[str, str] = field(default_factory=dict)
    day_fields: tuple[str, ...] = ()
    link_variables: Callable[[str, Any], Mapping[str, str]] | None = None
    extra_problems: Callable[[Any, Blueprint], Iterable[SettingProblem]] | None = None
    expected_address: Callable[[str, StackContext], Any] | None = None
    uses_cluster: bool = False


# Logical-name helpers the kinds' ``children`` share.
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


def _load() -> dict[str, Wiring]:
    from scaffold.spec.kinds import KIND_MODULES

    wiring: dict[str, Wiring] = {}
    for module_name in KIND_MODULES:
        entry: Wiring = importlib.import_module(f"{__name__}.{module_name}").WIRING
        if entry.kind != module_name:
            raise RuntimeError(f"{__name__}.{module_name} wires kind {entry.kind!r}")
        wiring[entry.kind] = entry
    return wiring


#: Every kind's wiring, by kind, in :data:`scaffold.spec.kinds.KIND_MODULES` order.
WIRING: Mapping[str, Wiring] = _load()
