"""Copilot workloads → scaffold components: ``api``, ``worker``, ``job`` (and their queues and topics).

:data:`TYPES` maps each manifest ``type:`` to what it becomes (found by lookup): Load Balanced
Web Service → ``api`` with ``public: true`` (:mod:`.service`), Backend Service → ``api`` with
``public: false``, Worker Service → ``worker`` consuming a ``queue`` (:mod:`.worker`), Scheduled
Job → ``job`` (:mod:`.job`); Static Site and Request-Driven Web Service are reported as not
supported, with the reason. The fields every type shares are in :mod:`.fields`; publish and
subscribe in :mod:`.topics`. Reference: aws/copilot-cli ``site/content/docs/manifest/``.

Each workload is converted for the spec's base fields, then once per environment with its
``environments.<env>:`` block merged in as Copilot merges it (:func:`.conv.merge`); what differs
from the base becomes ``environments.<env>.components.<name>`` (a field that goes back to the
profile's default is written ``null``). Values that use ``${COPILOT_ENVIRONMENT_NAME}`` differ per
environment the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scaffold.importers.copilot.context import Context
from scaffold.importers.copilot.draft import ComponentDraft
from scaffold.importers.copilot.workloads import fields, job, service, topics, worker
from scaffold.importers.copilot.workloads.conv import REFERENCE, Conv, lines_of, merge
from scaffold.importers.copilot.workspace import Manifest
from scaffold.importers.copilot.yamlsource import Located, Origin, what

Converter = Callable[[Conv, Located], None]


@dataclass(frozen=True)
class WorkloadType:
    """What a Copilot workload type becomes.

    Attributes:
        kind: The scaffold kind, or ``None`` when the type is not supported.
        page: Its page of the manifest reference (``<REFERENCE><page>/``).
        keys: Converters of the keys only this type has (the shared ones: :data:`.fields.CONVERTERS`).
        public: ``public:`` of an ``api``.
        checks: Converters run once on the whole manifest after the keys.
        reason: Why an unsupported type is not imported.
    """

    kind: str | None
    page: str
    keys: dict[str, Converter] = field(default_factory=dict)
    public: bool | None = None
    checks: tuple[Converter, ...] = ()
    reason: str = ""


def _left_out(key: str, reason: str) -> Converter:
    def convert(conv: Conv, data: Located) -> None:
        if data.get(key) not in (None, False):
            conv.left_out(data.at(key), key, reason)
    return convert


_NLB = _left_out("nlb", "the Network Load Balancer is not kept: a scaffold api has an Application Load Balancer "
                 "(HTTP and HTTPS) only")

#: Each Copilot workload type, by its manifest ``type:``.
TYPES: dict[str, WorkloadType] = {
    "Load Balanced Web Service": WorkloadType(
        "api", "lb-web-service", {"http": service.http, "nlb": _NLB, "count": fields.count}, public=True),
    "Backend Service": WorkloadType(
        "api", "backend-service", {"http": service.http, "count": fields.count}, public=False,
        checks=(service.no_port,)),
    "Worker Service": WorkloadType("worker", "worker-service", {"count": fields.count, "subscribe": fields.ignore}),
    "Scheduled Job": WorkloadType(
        "job", "scheduled-job", {"on": fields.ignore, "retries": job.retries, "timeout": job.timeout},
        checks=(job.worst_case,)),
    "Static Site": WorkloadType(
        None, "static-site", reason="scaffold serves no static site (Copilot's S3 bucket behind CloudFront): "
        "host the files on S3 and CloudFront, or serve them from an api"),
    "Request-Driven Web Service": WorkloadType(
        None, "rd-web-service", reason="scaffold does not run AWS App Runner services; run the same image as an "
        "`api` (Load Balanced Web Service is the nearest Copilot type) by adding it to the spec by hand"),
}
#: Reference page of each type, for messages.
PAGES = {name: t.page for name, t in TYPES.items()}

#: The order fields are written in.
FIELD_ORDER = ("image", "command", "port", "cpu", "memory", "schedule", "timezone", "timeout", "retries",
               "health_check", "health_check_grace_period", "public", "domain", "consumes", "scaling",
               "environment", "secrets", "uses", "log_retention")


def convert(ctx: Context) -> None:
    """Every workload manifest → its component (see the module docstring)."""
    planned: list[tuple[Manifest, WorkloadType, str]] = []
    # Names scaffold accepts are claimed first, so that a name to rename never takes a valid one.
    for manifest in sorted(ctx.workspace.workloads, key=lambda m: (not _valid_name(m.name), m.name)):
        data = manifest.data
        if not isinstance(data, Located):
            ctx.report.left_out(manifest.origin, manifest.name, f"the manifest is not a mapping ({what(data)}); "
                                "the workload is not imported")
            continue
        kind = data.get("type")
        wtype = TYPES.get(kind) if isinstance(kind, str) else None
        origin = data.at("type")
        if wtype is None:
            known = ", ".join(TYPES)
            text = (f"`type: {kind}` is not a Copilot workload type ({known})" if kind is not None
                    else "the manifest has no `type`")
            ctx.report.left_out(origin, manifest.name, f"{text}; the workload is not imported")
            continue
        if wtype.kind is None:
            ctx.report.left_out(origin, manifest.name, f"a {kind} is not supported: {wtype.reason}")
            continue
        name = ctx.draft.component_name(manifest.name, data.origin, f"{kind} {manifest.name}")
        ctx.workloads[manifest.name] = name
        planned.append((manifest, wtype, name))
    state = topics.PubSub()
    for manifest, wtype, name in sorted(planned, key=lambda p: p[0].name):
        _workload(ctx, manifest, wtype, name, state)
    topics.link(ctx, state)
    _front_doors(ctx)


def _valid_name(name: str) -> bool:
    """Whether scaffold takes ``name`` as a component name as it is."""
    import re

    from scaffold.spec.models import COMPONENT_NAME_MAX, NAME_PATTERN
    from scaffold.spec.rules import RESERVED_COMPONENT_NAMES

    return (bool(re.fullmatch(NAME_PATTERN, name)) and "--" not in name and len(name) <= COMPONENT_NAME_MAX
            and name not in RESERVED_COMPONENT_NAMES)


def _workload(ctx: Context, manifest: Manifest, wtype: WorkloadType, name: str, state: topics.PubSub) -> None:
    data: Located = manifest.data
    kind_type: str = data["type"]
    assert wtype.kind is not None
    base = Conv(ctx, manifest.name, name, wtype.kind, kind_type)
    try:
        _fields(base, data, wtype, state, manifest.origin.file)
    except job.NoSchedule:
        del ctx.workloads[manifest.name]
        return
    ctx.draft.add_component(ComponentDraft(name, wtype.kind, data.origin,
                                           f"from {manifest.origin.file} ({kind_type})", base.fields))
    overridden = _environments(ctx, base, data, wtype, state, manifest.origin.file)
    _summary(ctx, base, data, wtype, overridden)
    _behaviour(ctx, base, data, wtype, state)


def _fields(conv: Conv, data: Located, wtype: WorkloadType, state: topics.PubSub, file: str) -> None:
    """Convert ``data`` into ``conv.fields`` (see the module docstring)."""
    if wtype.kind == "job":
        job.on(conv, data)
    keys = {**fields.CONVERTERS, **wtype.keys}
    for key in sorted(data, key=lambda k: (data.key_lines.get(k, 0), k)):
        converter = keys.get(key)
        if converter is None:
            conv.left_out(data.at(key), key, f"not a key of Copilot's {conv.type} manifest "
                          f"({REFERENCE}{wtype.page}/); ignored")
        else:
            converter(conv, data)
    for check in (fields.no_image, *wtype.checks):
        check(conv, data)
    if wtype.public is not None:
        conv.fields["public"] = wtype.public
    if wtype.kind == "worker":
        worker.subscribe(conv, data, state, file)
    topics.publish(conv, data, state, file)
    order = {k: i for i, k in enumerate(FIELD_ORDER)}
    conv.fields = dict(sorted(conv.fields.items(), key=lambda kv: order.get(kv[0], len(order))))


def _environments(ctx: Context, base: Conv, data: Located, wtype: WorkloadType, state: topics.PubSub,
                  file: str) -> list[str]:
    """Each environment's merged manifest → overrides of what differs from the base fields."""
    from scaffold.spec.kinds import kind as get_kind

    overrides = data.get("environments")
    blocks: dict[str, Located] = {}
    if overrides is not None and not isinstance(overrides, Located):
        base.wrong_type(data.at("environments"), "environments", "a mapping of environment names", overrides)
    elif overrides is not None:
        for copilot_env, block in overrides.items():
            origin = overrides.at(copilot_env)
            if copilot_env not in ctx.env_names:
                base.left_out(origin, f"environments.{copilot_env}", f"there is no environment `{copilot_env}` in "
                              "the workspace; its overrides are not kept")
            elif isinstance(block, Located):
                blocks[copilot_env] = block
            elif block is not None:
                base.wrong_type(origin, f"environments.{copilot_env}", "a mapping of fields", block)
    overridden = []
    for copilot_env, env in ctx.env_names.items():
        block = blocks.get(copilot_env)
        merged = merge(data, block) if block is not None else data
        conv = Conv(ctx, base.workload, base.name, base.kind, base.type, env=env,
                    lines=lines_of(block) if block is not None else frozenset())
        try:
            _fields(conv, merged, wtype, state, file)
        except job.NoSchedule:
            continue
        profile = ctx.draft.environments[env].profile
        diff = _diff(conv.fields, base.fields, dict(get_kind(base.kind).profiles.get(profile, {})))
        if diff:
            ctx.draft.override(env, base.name, diff)
        if block is not None:
            assert isinstance(overrides, Located)
            changed = ", ".join(f"`{k}`" for k in diff) or "nothing scaffold keeps"
            ctx.report.imported(overrides.at(copilot_env), base.subject(f"environments.{copilot_env}"),
                                f"became `environments.{env}.components.{base.name}` ({changed})")
            overridden.append(env)
    return overridden


def _diff(env: dict[str, Any], base: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """What ``env`` sets differently from ``base``. A key of ``base`` that ``env`` lacks goes back to
    the environment's profile value (``defaults``), or to none when the field may be left out."""
    out: dict[str, Any] = {}
    for key, value in env.items():
        if key not in base:
            out[key] = value
        elif isinstance(value, dict) and isinstance(base[key], dict):
            inner = _diff(value, base[key], defaults.get(key) or {})
            if inner:
                out[key] = inner
        elif value != base[key]:
            out[key] = value
    for key, value in base.items():
        if key in env or key in ("environment", "secrets"):
            continue
        if isinstance(value, dict):
            inner = {k: defaults.get(key, {}).get(k) for k in value}
            inner = {k: v for k, v in inner.items() if v is not None}
            if inner:
                out[key] = inner
        else:
            out[key] = defaults.get(key)
    return out


def _summary(ctx: Context, conv: Conv, data: Located, wtype: WorkloadType, overridden: list[str]) -> None:
    """The workload's one *Imported* entry: what it became."""
    written = ", ".join(f"`{k}`" for k in conv.fields if k != "public")
    public = f" (public: {'true' if wtype.public else 'false'})" if wtype.public is not None else ""
    text = f"became {conv.kind} `{conv.name}`{public}"
    if written:
        text += f" with {written}"
    if overridden:
        text += "; overrides in " + ", ".join(f"`{e}`" for e in overridden)
    for note in conv.notes:
        text += f"; {note}"
    ctx.report.imported(data.at("type"), conv.workload, text)


def _behaviour(ctx: Context, conv: Conv, data: Located, wtype: WorkloadType, state: topics.PubSub) -> None:
    """The workload's one *Behaviour changes* entry."""
    from blueprints.notifications.settings import NotificationsSettings
    from blueprints.queue.settings import QueueSettings
    from scaffold.spec.kinds import kind as get_kind
    from stacks.kinds import WIRING

    profiles = get_kind(conv.kind).profiles
    parts: list[str] = []
    injected = ["COPILOT_APPLICATION_NAME", "COPILOT_ENVIRONMENT_NAME", "COPILOT_SERVICE_NAME"]
    if conv.kind in ("api", "worker"):
        scaling = conv.fields.get("scaling", {})
        if "min" not in scaling:
            prod = profiles["production"]["scaling"]
            parts.append(f"production runs at least {prod['min']} tasks (up to {scaling.get('max', prod['max'])}), "
                         "spread over the AZs and autoscaled, where Copilot kept its `count`")
        parts.append("a deployment whose tasks never become healthy is rolled back (ECS circuit breaker)")
        parts.append("staging and production get CloudWatch alarms")
        injected.append("COPILOT_SERVICE_DISCOVERY_ENDPOINT")
    if conv.kind == "api":
        injected.append("COPILOT_LB_DNS")
        if wtype.public:
            parts.append("the service gets a load balancer of its own (Copilot shared one per environment), "
                         "behind AWS WAF in production")
        else:
            parts.append("other services no longer reach it at `<name>.<env>.<app>.local` (service discovery) or "
                         "by Service Connect: they call its internal load balancer (stack output "
                         "`load_balancer_dns`)")
    if conv.kind == "worker":
        queue = state.queues[conv.workload]
        variables = ", ".join(WIRING["queue"].link_variables(queue, QueueSettings()))
        injected.append("COPILOT_QUEUE_URI")
        parts.append(f"the queue's URL is in {variables}; its dead-letter queue takes a message after "
                     f"{ctx.draft.components[queue].fields.get('max_receives', 5)} receives")
    if conv.kind == "job":
        if "retries" not in conv.fields:
            parts.append(f"a failed run is retried {profiles['production']['retries']} times in staging and "
                         "production (Copilot: not retried)")
        if "timeout" not in conv.fields:
            parts.append("a run is stopped after 1h (Copilot: no time limit)")
        parts.append("the last failed run raises an alarm")
    if conv.workload in state.uses:
        variables = ", ".join(v for t in state.uses[conv.workload]
                              for v in WIRING["notifications"].link_variables(t, NotificationsSettings()))
        injected.append("COPILOT_SNS_TOPIC_ARNS")
        parts.append(f"each topic's ARN is in {variables}")
    if "cpu" not in conv.fields and conv.kind != "job":
        prod = profiles["production"]
        parts.append(f"production tasks get {prod['cpu']} CPU units and {prod['memory']} MiB (the profile; Copilot "
                     f"ran {fields.COPILOT_CPU}/{fields.COPILOT_MEMORY})")
    if "log_retention" not in conv.fields:
        parts.append(f"logs are kept 7, 14 and 30 days in dev, staging and production (Copilot: "
                     f"{fields.COPILOT_LOG_RETENTION_DAYS})")
    parts.append("Copilot's variables " + ", ".join(injected) + " are not set")
    ctx.report.behaviour(data.at("type"), conv.workload, "; ".join(parts))


def _front_doors(ctx: Context) -> None:
    """Public APIs in production need HTTPS, and a domain belongs to one environment.

    A public api with no ``domain`` in a production environment (and no certificate on the
    environment's Copilot load balancer, which :func:`environments.link` applies) gets a domain
    from a variable to set; the same domain in several environments is kept in the one with the
    strongest profile, and the others go back to none (scaffold refuses two alias records for one
    name).
    """
    rank = {"production": 0, "staging": 1, "dev": 2}
    seen: dict[str, tuple[int, str, str]] = {}
    for component in sorted(ctx.draft.components.values(), key=lambda c: c.name):
        if component.kind != "api":
            continue
        for env in sorted(ctx.draft.environments.values(), key=lambda e: (rank.get(e.profile, 3), e.name)):
            merged = {**component.fields, **env.components.get(component.name, {})}
            domain = merged.get("domain")
            if merged.get("public") and not domain and env.profile == "production" and not _certificate(ctx, env.name):
                _domain_variable(ctx, component, env.name)
                continue
            if not domain:
                continue
            if domain in seen:
                other_env, other = seen[domain][1], seen[domain][2]
                production = env.profile == "production" and merged.get("public")
                if production:
                    _domain_variable(ctx, component, env.name)  # production must serve HTTPS
                else:
                    ctx.draft.override(env.name, component.name, {"domain": None})
                ctx.report.decide(_alias_origin(ctx, component), f"{_copilot_name(ctx, component.name)}: http.alias",
                                  f"`{domain}` is also the domain of `{other}` in `{other_env}`; scaffold creates one "
                                  f"alias record per name, so `{env.name}` serves "
                                  f"{'the domain of a variable' if production else 'no domain'}. Give it its own name "
                                  f"in `environments.{env.name}.components.{component.name}.domain`")
            else:
                seen[domain] = (rank.get(env.profile, 3), env.name, component.name)


def _domain_variable(ctx: Context, component: ComponentDraft, env: str) -> None:
    from blueprints.naming import env_prefix

    name = f"{env_prefix(component.name)}_DOMAIN"
    ref = ctx.variable(name, f"{component.name}.example.com",
                       f"a public api in a production environment must serve HTTPS, and `{component.name}` had no "
                       f"`http.alias` there: set {name} to its name in a Route 53 zone of the account (or give "
                       f"`environments.{env}.components.{component.name}` a `certificate`, or `public: false`)",
                       component.origin, f"{_copilot_name(ctx, component.name)}: http.alias")
    ctx.draft.override(env, component.name, {"domain": ref})


def _certificate(ctx: Context, env: str) -> bool:
    """Whether the Copilot environment behind ``env`` had a certificate on its public load balancer."""
    for copilot_env, name in ctx.env_names.items():
        if name != env:
            continue
        for manifest in ctx.workspace.environments:
            if manifest.name != copilot_env or not isinstance(manifest.data, Located):
                continue
            http = manifest.data.get("http")
            public = http.get("public") if isinstance(http, Located) else None
            certificates = public.get("certificates") if isinstance(public, Located) else None
            if isinstance(certificates, str):
                certificates = [certificates]
            if isinstance(certificates, list) and len(certificates) == 1 and _usable(ctx, env, certificates[0]):
                return True
    return False


def _usable(ctx: Context, env: str, arn: object) -> bool:
    """Whether ``environments.link`` can put the certificate ``arn`` on the environment's public APIs."""
    from blueprints.api.settings import ACM_CERTIFICATE_ARN, certificate_region_problems

    region = ctx.draft.environments[env].fields.get("region", ctx.region)
    return isinstance(arn, str) and bool(ACM_CERTIFICATE_ARN.match(arn)) and \
        not list(certificate_region_problems(arn, region))


def _alias_origin(ctx: Context, component: ComponentDraft) -> Origin:
    """Where the workload behind ``component`` wrote ``http.alias`` (its manifest when nowhere)."""
    name = _copilot_name(ctx, component.name)
    for manifest in ctx.workspace.workloads:
        data = manifest.data
        if manifest.name == name and isinstance(data, Located) and isinstance(data.get("http"), Located):
            return data["http"].at("alias")
    return component.origin


def _copilot_name(ctx: Context, component: str) -> str:
    return next((w for w, c in ctx.workloads.items() if c == component), component)


__all__ = ["PAGES", "TYPES", "WorkloadType", "convert"]
