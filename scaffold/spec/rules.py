"""Rules beyond field types: references, names, AWS limits, and failover arithmetic.

:func:`spec_rules` checks what holds for every environment (references,
names, FIFO subscribers); :func:`blueprint_rules` checks one resolved
environment (Fargate pairs, ``scaling.min <= scaling.max``, ``replicas <= azs - 1``,
duration ranges), because a profile or an override can break what the spec
alone did not.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scaffold.spec.blueprint import (
    ApiBlueprint,
    Blueprint,
    CacheBlueprint,
    DatabaseBlueprint,
    QueueBlueprint,
)
from scaffold.spec.fields import did_you_mean
from scaffold.spec.models import (
    COMPONENT_NAME_MAX,
    ENVIRONMENT_NAME_MAX,
    NAME_PATTERN,
    ApiSpec,
    NotificationsSpec,
    QueueSpec,
    Spec,
)
from scaffold.spec.source import FieldPath
from scaffold.spec.units import UNIT_SECONDS

DAY = UNIT_SECONDS["d"]

#: Memory (MiB) Fargate accepts for each CPU value (CPU units):
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_MEMORY: dict[int, range] = {
    256: range(512, 2048 + 1, 512),
    512: range(1024, 4096 + 1, 1024),
    1024: range(2048, 8192 + 1, 1024),
    2048: range(4096, 16384 + 1, 1024),
    4096: range(8192, 30720 + 1, 1024),
    8192: range(16384, 61440 + 1, 4096),
    16384: range(32768, 122880 + 1, 8192),
}

#: Retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                      2192, 2557, 2922, 3288, 3653)

#: Names the stack gives its own shared components (stacks.program).
RESERVED_COMPONENT_NAMES = {"network": "VPC", "services": "ECS cluster"}

#: The component kinds an API may ``use``.
USABLE_KINDS = ("database", "cache", "queue", "notifications")
_ENV_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:(secretsmanager|ssm):[a-z0-9-]+:\d{12}:(secret:|parameter/)\S+$")


@dataclass(frozen=True)
class Finding:
    """A rule broken at ``path``; ``key`` puts the position on the key rather than the value.

    A ``warning`` is reported but does not make the spec invalid.
    """

    path: FieldPath
    message: str
    hint: str = ""
    key: bool = False
    warning: bool = False


def _name_problem(name: str, max_len: int) -> str | None:
    if not re.match(NAME_PATTERN, name) or "--" in name:
        return "must be lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen"
    if len(name) > max_len:
        return f"is {len(name)} characters; at most {max_len} fit in AWS resource names"
    return None


def spec_rules(spec: Spec) -> Iterator[Finding]:
    """Rules that hold for the spec as written, whatever the environment."""
    components = spec.components
    names = list(components)
    for name in names:
        if name in RESERVED_COMPONENT_NAMES:
            yield Finding(("components", name), f"{name!r} is reserved for the stack's shared "
                          f"{RESERVED_COMPONENT_NAMES[name]}", "rename the component, e.g. " + name + "-1", key=True)
        problem = _name_problem(name, COMPONENT_NAME_MAX)
        if problem:
            yield Finding(("components", name), f"component name {name!r} {problem}",
                          "rename it, e.g. orders-db", key=True)
    for env_key in spec.environments:
        problem = _name_problem(env_key, ENVIRONMENT_NAME_MAX)
        if problem:
            yield Finding(("environments", env_key), f"environment name {env_key!r} {problem}",
                          "rename it, e.g. prod", key=True)

    def reference(path: FieldPath, target: str, kinds: tuple[str, ...], what: str) -> Iterator[Finding]:
        fitting = [n for n, c in components.items() if c.kind in kinds]
        if target not in components:
            yield Finding(path, f"no component named {target!r}", did_you_mean(target, fitting) or
                          f"add a component of kind {' or '.join(kinds)}")
        elif components[target].kind not in kinds:
            yield Finding(path, f"{target!r} is a {components[target].kind} component, but {what}",
                          did_you_mean(target, fitting) if fitting else f"add a component of kind {' or '.join(kinds)}")

    if spec.alarms and spec.alarms.notify:
        yield from reference(("alarms", "notify"), spec.alarms.notify, ("notifications",),
                             "alarms are sent to a notifications component")
    for env_name, env in spec.environments.items():
        if env.alarms and env.alarms.notify:
            yield from reference(("environments", env_name, "alarms", "notify"), env.alarms.notify,
                                 ("notifications",), "alarms are sent to a notifications component")
        for name in (env.components or {}):
            if name not in components:
                yield Finding(("environments", env_name, "components", name),
                              f"overrides {name!r}, which is not a component",
                              did_you_mean(name, names) or "add it under components", key=True)

    for name, component in components.items():
        if isinstance(component, ApiSpec):
            seen: set[str] = set()
            for i, used in enumerate(component.uses or []):
                path: FieldPath = ("components", name, "uses", i)
                if used in seen:
                    yield Finding(path, f"{used!r} is listed twice", "list each component once")
                seen.add(used)
                if used == name:
                    yield Finding(path, "a service cannot use itself", "remove it from uses")
                    continue
                yield from reference(path, used, USABLE_KINDS, "an api can use a database, cache, queue or notifications")
            for var in (component.environment or {}):
                if not _ENV_VAR.match(var):
                    yield Finding(("components", name, "environment", var),
                                  f"{var!r} is not a valid environment variable name",
                                  "use letters, digits and underscores, e.g. LOG_LEVEL", key=True)
            for var, arn in (component.secrets or {}).items():
                if not _ENV_VAR.match(var):
                    yield Finding(("components", name, "secrets", var),
                                  f"{var!r} is not a valid environment variable name",
                                  "use letters, digits and underscores, e.g. STRIPE_KEY", key=True)
                if not _SECRET_ARN.match(arn):
                    yield Finding(("components", name, "secrets", var),
                                  "expected the ARN of a Secrets Manager secret or an SSM parameter",
                                  "e.g. arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe")
                if var in (component.environment or {}):
                    yield Finding(("components", name, "secrets", var),
                                  f"{var!r} is also set in environment", "keep it in one of the two", key=True)
        if isinstance(component, NotificationsSpec):
            for i, sub in enumerate(component.subscribers or []):
                if sub.queue is None:
                    continue
                sub_path: FieldPath = ("components", name, "subscribers", i, "queue")
                yield from reference(sub_path, sub.queue, ("queue",), "a topic can only deliver to a queue component")
                target = components.get(sub.queue)
                if isinstance(target, QueueSpec) and target.fifo:
                    yield Finding(sub_path, f"{sub.queue!r} is a FIFO queue; a standard SNS topic cannot deliver to it",
                                  "subscribe a standard queue, or set fifo: false on the queue")


def _day_multiple(path: FieldPath, seconds: int, low: int, high: int, what: str) -> Iterator[Finding]:
    if seconds % DAY:
        yield Finding(path, f"{what} must be whole days, got {seconds} seconds", "write it in days, e.g. 7d")
    elif not low <= seconds // DAY <= high:
        yield Finding(path, f"{what} must be {low}d to {high}d, got {seconds // DAY}d",
                      f"pick a value from {low}d to {high}d")


def blueprint_rules(bp: Blueprint) -> Iterator[Finding]:
    """Rules on one resolved environment. Paths are the blueprint's (``components.api.scaling.min``)."""
    net = bp.network
    try:
        cidr = ipaddress.IPv4Network(net.cidr, strict=True)
        if not 16 <= cidr.prefixlen <= 24:
            yield Finding(("network", "cidr"), f"a /{cidr.prefixlen} VPC is outside AWS's /16 to /24",
                          "use a block such as 10.20.0.0/16")
    except ValueError as exc:
        yield Finding(("network", "cidr"), f"{net.cidr!r} is not an IPv4 CIDR block ({exc})",
                      "use a block such as 10.20.0.0/16")

    for name, c in bp.components.items():
        base: FieldPath = ("components", name)
        if isinstance(c, DatabaseBlueprint | CacheBlueprint) and c.replicas > net.azs - 1:
            yield Finding((*base, "replicas"),
                          f"{c.replicas} replicas need {c.replicas + 1} AZs, but environment {bp.environment!r} "
                          f"has network.azs {net.azs}; each reader lives in another AZ",
                          f"set replicas to at most {net.azs - 1}, or network.azs to {c.replicas + 1}")
        if isinstance(c, DatabaseBlueprint):
            if c.instance and c.serverless:
                yield Finding((*base, "serverless"), "set either instance or serverless, not both",
                              "remove instance to run Aurora Serverless v2")
            if not c.instance and not c.serverless:
                yield Finding(base, "needs an instance class or serverless capacity",
                              "add instance: db.r6g.large or serverless: {min: 0.5, max: 16}")
            if c.serverless and c.serverless.min > c.serverless.max:
                yield Finding((*base, "serverless", "min"),
                              f"min {c.serverless.min} ACU is above max {c.serverless.max} ACU", "lower min or raise max")
            yield from _day_multiple((*base, "backup_retention"), c.backup_retention, 1, 35, "backup_retention")
        elif isinstance(c, CacheBlueprint):
            yield from _day_multiple((*base, "snapshot_retention"), c.snapshot_retention, 0, 35, "snapshot_retention")
        elif isinstance(c, QueueBlueprint):
            if c.content_based_deduplication and not c.fifo:
                yield Finding((*base, "content_based_deduplication"), "applies only to FIFO queues",
                              "set fifo: true, or remove content_based_deduplication")
            if c.visibility_timeout > 12 * 3600:
                yield Finding((*base, "visibility_timeout"), "must be at most 12h", "SQS allows 0s to 12h")
            if not 60 <= c.retention <= 14 * DAY:
                yield Finding((*base, "retention"), "must be from 1m to 14d", "SQS keeps messages 1 minute to 14 days")
        elif isinstance(c, ApiBlueprint):
            yield from _api_rules(base, c)


def _api_rules(base: FieldPath, c: ApiBlueprint) -> Iterator[Finding]:
    if c.cpu not in FARGATE_MEMORY:
        yield Finding((*base, "cpu"), f"{c.cpu} is not a Fargate CPU size",
                      "use 256, 512, 1024, 2048, 4096, 8192 or 16384 (1024 = 1 vCPU)")
    elif c.memory not in FARGATE_MEMORY[c.cpu]:
        sizes = FARGATE_MEMORY[c.cpu]
        yield Finding((*base, "memory"), f"{c.memory} MiB does not pair with cpu {c.cpu} on Fargate",
                      f"with cpu {c.cpu}, use {sizes.start} to {sizes.stop - 1} MiB in steps of {sizes.step}")
    if c.scaling.min > c.scaling.max:
        yield Finding((*base, "scaling", "min"), f"min {c.scaling.min} is above max {c.scaling.max}",
                      "lower min or raise max")
    if c.scaling.cpu is None and c.scaling.memory is None and c.scaling.requests is None:
        yield Finding((*base, "scaling"), "needs at least one target: cpu, memory or requests",
                      "add cpu: 60")
    if c.log_retention % DAY or c.log_retention // DAY not in LOG_RETENTION_DAYS:
        yield Finding((*base, "log_retention"),
                      f"CloudWatch Logs cannot keep logs for {c.log_retention} seconds",
                      "use one of " + ", ".join(f"{d}d" for d in LOG_RETENTION_DAYS))
