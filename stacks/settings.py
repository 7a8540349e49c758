"""From a blueprint to each component's settings, without ``pulumi``.

The stack program (:mod:`stacks.program`) builds every component from these
settings, and ``scaffold validate`` constructs the same settings to run the
components' own checks (:mod:`blueprints.constraints`), so a rule is written
once: :func:`component_problems` is that bridge (settings field -> spec path,
plus variables that an API's links would set twice). Blueprint durations are
seconds; settings name their unit (``*_days``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from blueprints.api.settings import ApiSettings, ScalingSettings, secret_partition_problems
from blueprints.cache.settings import CacheSettings
from blueprints.constraints import SettingProblem, SettingsError, raise_problems
from blueprints.database.settings import DatabaseSettings, ServerlessCapacity
from blueprints.network.settings import TASK_ENDPOINT_SERVICES, NetworkSettings
from blueprints.notifications.settings import NotificationsSettings, Subscriber
from blueprints.queue.settings import QueueSettings

if TYPE_CHECKING:
    from scaffold.spec.blueprint import (
        ApiBlueprint,
        Blueprint,
        CacheBlueprint,
        DatabaseBlueprint,
        NotificationsBlueprint,
        QueueBlueprint,
    )
    from scaffold.spec.rules import Finding

DAY = 86400  # seconds

T = TypeVar("T")


def _nested(problems: list[SettingProblem], prefix: str, build: Callable[[], T]) -> T | None:
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
    parameter, ``sqs`` when one uses a queue and ``sns`` when one uses notifications.
    No ``kms``: SQS queues use SSE-SQS, and SNS calls KMS itself for its topic key.
    """
    n = bp.network
    endpoints: tuple[str, ...] = ()
    apis = [c for c in bp.components.values() if c.kind == "api"]
    if n.nat == "none" and apis:
        used = {bp.components[u].kind for a in apis for u in a.uses  # type: ignore[union-attr]
                if u in bp.components}
        ssm = any(":ssm:" in arn for a in apis for arn in a.secrets.values())  # type: ignore[union-attr]
        endpoints = (*TASK_ENDPOINT_SERVICES, *(("ssm",) if ssm else ()),
                     *(("sqs",) if "queue" in used else ()), *(("sns",) if "notifications" in used else ()))
    return NetworkSettings(azs=n.azs, nat=n.nat, cidr=n.cidr, flow_logs=n.flow_logs,
                           interface_endpoints=endpoints)


def database_settings(c: DatabaseBlueprint, alarms: bool) -> DatabaseSettings:
    """The settings of a database component; retentions in days, the monitoring interval in seconds.

    ``allow_replacement`` is not a setting: :mod:`scaffold.spec.replacement` reads it.

    Raises:
        SettingsError: Every problem of the serverless capacity (``serverless.<field>``) and of the rest.
    """
    problems: list[SettingProblem] = []
    serverless = None
    if c.serverless:
        cap = c.serverless
        # A valid stand-in when the capacity is broken, so that the rest is still checked.
        serverless = _nested(problems, "serverless.", lambda: ServerlessCapacity(
            min=cap.min, max=cap.max)) or ServerlessCapacity(min=1, max=1)
    settings = _nested(problems, "", lambda: DatabaseSettings(
        engine=c.engine, version=c.version, instance=c.instance, serverless=serverless,
        replicas=c.replicas, database=c.database, backup_retention_days=c.backup_retention // DAY,
        deletion_protection=c.deletion_protection, final_snapshot=c.final_snapshot,
        proxy=c.proxy, performance_insights=c.performance_insights,
        monitoring_interval=c.monitoring_interval, alarms=alarms,
    ))
    raise_problems(problems)
    assert settings is not None
    return settings


def cache_settings(c: CacheBlueprint, alarms: bool) -> CacheSettings:
    """The settings of a cache component; retentions in days.

    Raises:
        SettingsError: Every problem, by settings field (``version``, ``replicas`` …).
    """
    return CacheSettings(engine=c.engine, version=c.version, node=c.node, replicas=c.replicas,
                         snapshot_retention_days=c.snapshot_retention // DAY, alarms=alarms)


def queue_settings(c: QueueBlueprint, alarms: bool) -> QueueSettings:
    """The settings of a queue component; durations in seconds."""
    return QueueSettings(fifo=c.fifo, content_based_deduplication=c.content_based_deduplication,
                         visibility_timeout=c.visibility_timeout, retention=c.retention,
                         max_receives=c.max_receives, alarms=alarms)


def notifications_settings(c: NotificationsBlueprint) -> NotificationsSettings:
    """The settings of a notifications component (a ``queue`` subscriber is SNS protocol ``sqs``).

    Raises:
        SettingsError: Every problem of every subscriber (``subscribers.<i>.endpoint``) and of
            the list (``subscribers.<i>`` for a repeated one).
    """
    problems: list[SettingProblem] = []
    subscribers = [
        _nested(problems, f"subscribers.{i}.",
                lambda s=s: Subscriber(protocol="sqs" if s.protocol == "queue" else s.protocol,  # type: ignore[misc]
                                       endpoint=s.endpoint))
        for i, s in enumerate(c.subscribers)]
    settings = _nested(problems, "", lambda: NotificationsSettings(
        subscribers=tuple(s for s in subscribers if s is not None)))
    raise_problems(problems)
    assert settings is not None
    return settings


def api_settings(c: ApiBlueprint, alarms: bool) -> ApiSettings:
    """The settings of an API component; retentions in days.

    Raises:
        SettingsError: Every problem of the scaling (``scaling.<field>``) and of the rest.
    """
    s = c.scaling
    problems: list[SettingProblem] = []
    scaling = _nested(problems, "scaling.", lambda: ScalingSettings(
        min=s.min, max=s.max, cpu=s.cpu, memory=s.memory, requests=s.requests)) or ScalingSettings()
    settings = _nested(problems, "", lambda: ApiSettings(
        image=c.image, port=c.port, cpu=c.cpu, memory=c.memory, health_check=c.health_check,
        health_check_grace_period=c.health_check_grace_period, public=c.public, domain=c.domain,
        scaling=scaling,
        environment=dict(c.environment), secrets=dict(c.secrets),
        log_retention_days=c.log_retention // DAY, access_logs=c.access_logs,
        deletion_protection=c.deletion_protection, alarms=alarms,
        zone=c.zone, certificate=c.certificate, waf=c.waf,
    ))
    raise_problems(problems)
    assert settings is not None
    return settings


#: Settings fields whose spec field has another name (the spec takes a duration, the settings days).
_SPEC_FIELDS = {
    "log_retention_days": "log_retention",
    "backup_retention_days": "backup_retention",
    "snapshot_retention_days": "snapshot_retention",
}
#: Blueprint durations the settings take in whole days: kind -> spec fields.
_DAY_FIELDS = {
    "api": ("log_retention",),
    "database": ("backup_retention",),
    "cache": ("snapshot_retention",),
}
#: The pulumi-free settings module of each kind that an API may ``use``; each defines
#: ``link_variables(component, settings) -> {name: "environment" | "secret"}``.
_LINK_MODULES = {
    "database": "blueprints.database.settings",
    "cache": "blueprints.cache.settings",
    "queue": "blueprints.queue.settings",
    "notifications": "blueprints.notifications.settings",
}


def _spec_path(base: tuple[str | int, ...], component: Any, field: str) -> tuple[str | int, ...]:
    """The blueprint path of a settings ``field`` (``"scaling.min"``, ``"subscribers.1.endpoint"``)."""
    if not field:
        return base
    parts: list[str | int] = [int(x) if x.isdigit() else x for x in field.split(".")]
    parts[0] = _SPEC_FIELDS.get(str(parts[0]), parts[0])
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
    """The variables the link of a ``kind`` component sets on an API: name -> ``"environment"``
    or ``"secret"``, from the kind's own ``link_variables`` (``{}`` for a kind without one)."""
    module = importlib.import_module(_LINK_MODULES[kind]) if kind in _LINK_MODULES else None
    function = getattr(module, "link_variables", None)
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

    alarms = bp.alarms.enabled
    builders: dict[str, Callable[[Any], Any]] = {
        "database": lambda c: database_settings(c, alarms),
        "cache": lambda c: cache_settings(c, alarms),
        "queue": lambda c: queue_settings(c, alarms),
        "notifications": notifications_settings,
        "api": lambda c: api_settings(c, alarms),
    }
    built: dict[str, Any] = {}
    for name, c in bp.components.items():
        base: tuple[str | int, ...] = ("components", name)
        wrong_days = set()
        for field in _DAY_FIELDS.get(c.kind, ()):
            seconds = getattr(c, field)
            if seconds % DAY:
                wrong_days.add(field)
                yield Finding((*base, field), f"must be whole days, got {seconds} seconds",
                              "write it in days, e.g. 7d")
        settings, problems = _build(lambda c=c: builders[c.kind](c))  # type: ignore[misc]
        if c.kind == "api":  # what needs the stack's region, which the component does not know
            problems += secret_partition_problems(c.secrets, bp.region)
        for p in problems:
            path = _spec_path(base, c, p.field)
            if len(path) > len(base) and path[len(base)] in wrong_days:
                continue  # already reported as not whole days
            yield Finding(path, p.message, p.hint)
        if settings is not None:
            built[name] = settings

    for name, c in bp.of_kind("api").items():
        yield from _variable_collisions(name, c, built,  # type: ignore[arg-type]
                                        {n: x.kind for n, x in bp.components.items()})


def _variable_collisions(name: str, api: ApiBlueprint, built: dict[str, Any],
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
