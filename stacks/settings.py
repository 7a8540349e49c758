"""From a blueprint to each component's settings, without ``pulumi``.

The stack program (:mod:`stacks.program`) builds every component from these
settings, and ``scaffold validate`` constructs the same settings to run the
components' own checks (:mod:`blueprints.constraints`), so a rule is written
once: :func:`component_problems` is that bridge (settings field -> spec path,
plus variables that an API's links would set twice). Blueprint durations are
seconds; settings name their unit (``*_days``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from blueprints.constraints import SettingProblem, SettingsError
from blueprints.network.settings import TASK_ENDPOINT_SERVICES, NetworkSettings

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.rules import Finding

DAY = 86400  # seconds

T = TypeVar("T")


def nested(problems: list[SettingProblem], prefix: str, build: Callable[[], T]) -> T | None:
    """``build()``, or ``None`` after adding its problems (fields prefixed) to ``problems``.

    Lets one call report the problems of nested settings (``scaling``, each subscriber) and
    of the settings around them together.
    """
    try:
        return build()
    except SettingsError as err:
        problems.extend(replace(p, field=prefix + p.field if p.field else prefix.rstrip("."))
                        for p in err.problems)
        return None


def network_settings(bp: Blueprint) -> NetworkSettings:
    """The network settings of a blueprint.

    With ``nat: none`` and at least one API, the private subnets have no route to
    AWS APIs, so the network gets interface VPC endpoints for what every task needs
    (:data:`~blueprints.network.settings.TASK_ENDPOINT_SERVICES`: ECR API and DKR,
    CloudWatch Logs, Secrets Manager), plus ``ssm`` when an API reads an SSM
    parameter, ``sqs`` when one uses (or a worker consumes) a queue and ``sns`` when one uses notifications.
    No ``kms``: SQS queues use SSE-SQS, and SNS calls KMS itself for its topic key.
    """
    from scaffold.spec.kinds import KINDS

    n = bp.network
    endpoints: tuple[str, ...] = ()
    apis = [c for c in bp.components.values() if KINDS[c.kind].runs_container]
    if n.nat == "none" and apis:
        # What the tasks use, and the queue a worker consumes (it reaches SQS the same way).
        used = {bp.components[u].kind for a in apis  # type: ignore[union-attr]
                for u in (*a.uses, getattr(a, "consumes", None)) if u in bp.components}
        ssm = any(":ssm:" in arn for a in apis for arn in a.secrets.values())  # type: ignore[union-attr]
        endpoints = (*TASK_ENDPOINT_SERVICES, *(("ssm",) if ssm else ()),
                     *(("sqs",) if "queue" in used else ()), *(("sns",) if "notifications" in used else ()))
    return NetworkSettings(azs=n.azs, nat=n.nat, cidr=n.cidr, flow_logs=n.flow_logs,
                           interface_endpoints=endpoints)


def _spec_path(base: tuple[str | int, ...], component: Any, field: str,
               spec_fields: Any) -> tuple[str | int, ...]:
    """The blueprint path of a settings ``field`` (``"scaling.min"``, ``"subscribers.1.endpoint"``)."""
    if not field:
        return base
    parts: list[str | int] = [int(x) if x.isdigit() else x for x in field.split(".")]
    parts[0] = spec_fields.get(str(parts[0]), parts[0])
    if parts[0] not in type(component).model_fields:
        return base  # a setting the spec does not expose (alarm thresholds …)
    if (parts[0] == "subscribers" and len(parts) >= 3 and isinstance(parts[1], int)
            and parts[1] < len(component.subscribers)):
        # The spec writes a subscriber as {<protocol>: <endpoint>}.
        parts = ["subscribers", parts[1], component.subscribers[parts[1]].protocol]
    return (*base, *parts)


def _build(build: Callable[[], T]) -> tuple[T | None, list[SettingProblem]]:
    try:
        return build(), []
    except SettingsError as err:
        return None, list(err.problems)
    except ValueError as err:  # a check not yet converted to SettingProblem
        return None, [SettingProblem("", str(err))]


def link_variables(kind: str, component: str, settings: Any) -> dict[str, str]:
    """The variables the link of a ``kind`` component sets on a service: name -> ``"environment"``
    or ``"secret"``, from the kind's wiring (``{}`` for a kind others cannot use)."""
    from stacks.kinds import WIRING

    function = WIRING[kind].link_variables
    return dict(function(component, settings)) if function else {}


def component_problems(bp: Blueprint) -> Iterator[Finding]:
    """Every problem the components of ``bp`` would raise, as findings at blueprint paths.

    Builds each component's settings exactly as :func:`stacks.program.build_stack` does and
    turns each :class:`~blueprints.constraints.SettingProblem` into a
    :class:`~scaffold.spec.rules.Finding` at its spec field (``log_retention_days`` ->
    ``components.<api>.log_retention``). Also reports what only the program would notice:
    a duration that is not whole days where the settings take days, and an API variable
    set twice: by its ``environment``/``secrets`` and a link, or by two links (naming both).
    Imports no ``pulumi``.
    """
    from scaffold.spec.rules import Finding

    _, problems = _build(lambda: network_settings(bp))
    for p in problems:
        field = p.field if p.field in type(bp.network).model_fields else ""
        yield Finding(("network", field) if field else ("network",), p.message, p.hint)

    from scaffold.spec.kinds import KINDS
    from stacks.kinds import WIRING

    built: dict[str, Any] = {}
    for name, c in bp.components.items():
        wiring = WIRING[c.kind]
        base: tuple[str | int, ...] = ("components", name)
        wrong_days = set()
        for field in wiring.day_fields:
            seconds = getattr(c, field)
            if seconds is not None and seconds % DAY:  # None: an optional duration left out
                wrong_days.add(field)
                yield Finding((*base, field), f"must be whole days, got {seconds} seconds",
                              "write it in days, e.g. 7d")
        settings, problems = _build(lambda c=c, wiring=wiring: wiring.settings(c, bp))  # type: ignore[misc]
        if wiring.extra_problems is not None:  # what needs the stack's region, which the component does not know
            problems += wiring.extra_problems(c, bp)
        for p in problems:
            path = _spec_path(base, c, p.field, wiring.spec_fields)
            if len(path) > len(base) and path[len(base)] in wrong_days:
                continue  # already reported as not whole days
            yield Finding(path, p.message, p.hint)
        if settings is not None:
            built[name] = settings

    kinds = {n: x.kind for n, x in bp.components.items()}
    for name, c in bp.components.items():
        if KINDS[c.kind].runs_container:
            yield from _variable_collisions(name, c, built, kinds)


def _variable_collisions(name: str, api: Any, built: dict[str, Any],
                         kinds: dict[str, str]) -> Iterator[Finding]:
    from scaffold.spec.rules import Finding

    own = {var: "environment" for var in api.environment}
    own.update({var: "secrets" for var in api.secrets})
    set_by: dict[str, str] = {}
    for i, used in enumerate(api.uses):
        if used not in built or used not in kinds:
            continue  # a broken or missing component is reported on its own
        variables = link_variables(kinds[used], used, built[used])
        for var in variables:
            if var in own:
                yield Finding(("components", name, own[var], var),
                              f"{var!r} is also set by the link to {used!r} (uses)",
                              f"rename the variable; the link to {used!r} sets " + ", ".join(sorted(variables)),
                              key=True)
            elif var in set_by and set_by[var] != used:
                yield Finding(("components", name, "uses", i),
                              f"the links to {set_by[var]!r} and {used!r} both set {var}",
                              "rename one of the two components: their variable prefixes collide")
            else:
                set_by.setdefault(var, used)
