"""Copilot environments → scaffold ``environments``, each with a profile picked by its name.

Copilot's environment manifest (aws/copilot-cli ``site/content/docs/manifest/environment.en.md``):
``name``, ``type: Environment``, ``network.vpc`` (``id`` / ``cidr`` / ``subnets`` /
``security_group`` / ``flow_logs``), ``http.public`` (``certificates``, ``access_logs``,
``ingress``, ``security_groups``, ``ssl_policy``), ``http.private``, ``cdn`` and
``observability.container_insights``.

:func:`convert` runs first: the other converters write per-environment overrides into what it
creates, and read :attr:`Context.env_names`. :func:`link` runs after the workloads exist and
applies what Copilot set on an environment's shared public load balancer (its certificate,
its access logs) to each public ``api`` of that environment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from scaffold.importers.copilot.context import Context
from scaffold.importers.copilot.draft import EnvironmentDraft
from scaffold.importers.copilot.workspace import Manifest
from scaffold.importers.copilot.yamlsource import Located, Origin, what

#: The manifest reference page every mapping here follows.
REFERENCE = "https://aws.github.io/copilot-cli/docs/manifest/environment/"

#: Name words that pick a profile (a name's words are split on anything not a letter or digit:
#: ``prod-eu`` → production, ``preprod`` → dev). Anything else → dev. Issue 12's mapping table.
PROFILE_WORDS: dict[str, str] = {
    "prod": "production", "production": "production",
    "staging": "staging", "stage": "staging",
}
#: What an import with no environment at all creates: the cheapest environment to try the spec
#: in, and the production shape scaffold exists for (failover, alarms, HTTPS).
DEFAULT_ENVIRONMENTS: tuple[tuple[str, str], ...] = (("dev", "dev"), ("prod", "production"))

_TOP_KEYS = {"name", "type", "network", "http", "cdn", "observability"}


def profile_for(name: str) -> str:
    """The profile an environment named ``name`` gets (see :data:`PROFILE_WORDS`)."""
    words = re.split(r"[^a-z0-9]+", name.lower())
    for profile in ("production", "staging"):
        if any(PROFILE_WORDS.get(w) == profile for w in words):
            return profile
    return "dev"


@dataclass
class _PublicFront:
    """What an environment manifest set on the shared public load balancer, for :func:`link`."""

    certificates: list[tuple[str, Origin]] = field(default_factory=list)
    access_logs: Origin | None = None


#: Per import: scaffold environment name → its public load balancer settings (kept in
#: `Context.passed` under this key, so that :func:`link` finds what :func:`convert` read).
_FRONTS = __name__


def convert(ctx: Context) -> None:
    """One scaffold environment per Copilot environment (see the module docstring)."""
    fronts: dict[str, _PublicFront] = {}
    ctx.passed[_FRONTS] = fronts
    for manifest in sorted(ctx.workspace.environments, key=lambda m: m.name):
        _environment(ctx, manifest, fronts)
    for name, origin in _unreadable_names(ctx):
        env = _add(ctx, name, origin, f"from {origin.file} (unreadable)")
        ctx.report.decide(origin, f"environment {name}",
                          f"its manifest cannot be read (see Left out); created as `{env.name}` with the "
                          f"{env.profile} profile's defaults")
    for name, origin in _override_only_names(ctx):
        env = _add(ctx, name, origin, f"named in {origin.file} (no environment manifest)")
        ctx.report.decide(origin, f"environment {name}",
                          f"has no manifest in copilot/environments/ (a Copilot v1 layout, or environments "
                          f"kept elsewhere); created as `{env.name}` from the workload's `environments:` "
                          f"overrides, with the {env.profile} profile")
    if not ctx.draft.environments:
        for name, profile in DEFAULT_ENVIRONMENTS:
            env_name = ctx.draft.environment_name(name, Origin("copilot/environments"))
            ctx.draft.environments[env_name] = EnvironmentDraft(
                env_name, profile, Origin("copilot/environments"), "no Copilot environment: created by the import")
            ctx.env_names[name] = env_name
        names = ", ".join(f"`{n}` ({p})" for n, p in DEFAULT_ENVIRONMENTS)
        ctx.report.decide(Origin("copilot/environments"), "environments",
                          f"the workspace names no environment; created {names}. Rename them, or add "
                          "the ones you deployed with Copilot")
    _region(ctx)


def _add(ctx: Context, copilot_name: str, origin: Origin, comment: str) -> EnvironmentDraft:
    """A new environment for the Copilot environment ``copilot_name``; its profile is reported."""
    name = ctx.draft.environment_name(copilot_name, origin)
    profile = profile_for(copilot_name)
    env = EnvironmentDraft(name, profile, origin, comment)
    ctx.draft.environments[name] = env
    ctx.env_names[copilot_name] = name
    why = ("its name says so" if profile != "dev"
           else "names other than prod/production and staging/stage get dev")
    ctx.report.decide(origin, f"environment {copilot_name}",
                      f"profile `{profile}` ({why}); set `environments.{name}.profile` to change it")
    return env


def _environment(ctx: Context, manifest: Manifest, fronts: dict[str, _PublicFront]) -> None:
    data = manifest.data
    origin = data.origin if isinstance(data, Located) else manifest.origin
    env = _add(ctx, manifest.name, origin, f"from {manifest.origin.file}")
    subject = f"environment {manifest.name}"
    if not isinstance(data, Located):
        ctx.report.left_out(manifest.origin, subject,
                            f"the manifest is not a mapping ({what(data)}); the environment is created with "
                            "its profile's defaults")
        return
    ctx.report.imported(origin, subject, f"became environment `{env.name}` (profile {env.profile})")
    name = data.get("name")
    if name is not None and name != manifest.name:
        ctx.report.decide(data.at("name"), subject,
                          f"the manifest says `name: {name}` but its folder is `{manifest.name}`; Copilot "
                          "names the environment after the folder, and so does the import")
    kind = data.get("type")
    if kind is not None and kind != "Environment":
        ctx.report.decide(data.at("type"), subject,
                          f"`type: {kind}` is not `Environment`; read as an environment manifest anyway")
    for key in sorted(set(data) - _TOP_KEYS, key=lambda k: data.key_lines.get(k, 0)):
        ctx.report.left_out(data.at(key), f"{subject}: {key}",
                            f"not a key of Copilot's environment manifest ({REFERENCE}); ignored")
    _network(ctx, env, data, subject)
    front = _PublicFront()
    fronts[env.name] = front
    _http(ctx, env, data, subject, front)
    _cdn(ctx, data, subject)
    _observability(ctx, data, subject)




def _mapping(ctx: Context, parent: Located, key: str, subject: str) -> Located | None:
    """``parent[key]`` when it is a mapping; reports any other value as left out."""
    value = parent.get(key)
    if value is None or isinstance(value, Located):
        return value
    ctx.report.left_out(parent.at(key), f"{subject}: {key}", f"expected a mapping, got {what(value)}; ignored")
    return None


def _unknown(ctx: Context, mapping: Located, known: set[str], subject: str) -> None:
    for key in sorted(set(mapping) - known, key=lambda k: mapping.key_lines.get(k, 0)):
        ctx.report.left_out(mapping.at(key), f"{subject}.{key}",
                            f"not a key of Copilot's environment manifest ({REFERENCE}); ignored")


def _network(ctx: Context, env: EnvironmentDraft, data: Located, subject: str) -> None:
    """``network.vpc``: ``cidr`` and ``flow_logs`` map; an imported VPC, subnets and rules are reported."""
    network = _mapping(ctx, data, "network", subject)
    if network is None:
        return
    _unknown(ctx, network, {"vpc"}, f"{subject}: network")
    vpc = _mapping(ctx, network, "vpc", f"{subject}: network")
    if vpc is None:
        return
    sub = f"{subject}: network.vpc"
    _unknown(ctx, vpc, {"id", "cidr", "subnets", "security_group", "flow_logs"}, sub)
    if "id" in vpc:
        ctx.report.left_out(vpc.at("id"), f"{sub}.id",
                            f"Copilot imported the existing VPC `{vpc['id']}`; scaffold always creates the "
                            "environment's own VPC (public and private subnets in each AZ, NAT, endpoints). "
                            "Reach resources in the old VPC through VPC peering or a Transit Gateway")
    if "cidr" in vpc:
        _cidr(ctx, env, vpc, sub)
    if "subnets" in vpc:
        ctx.report.left_out(vpc.at("subnets"), f"{sub}.subnets",
                            "scaffold lays out the subnets itself: a public and a private subnet per AZ, "
                            "each 4 bits smaller than the VPC block (network.azs sets how many AZs)")
    if "security_group" in vpc:
        ctx.report.left_out(vpc.at("security_group"), f"{sub}.security_group",
                            "scaffold opens only what its links need (a service to what it `uses`, the load "
                            "balancer to its service); extra environment security group rules are not kept")
    if "flow_logs" in vpc:
        _flow_logs(ctx, env, vpc, sub)


def _cidr(ctx: Context, env: EnvironmentDraft, vpc: Located, subject: str) -> None:
    """``network.vpc.cidr`` → ``network.cidr`` when scaffold's own network checks accept it."""
    from blueprints.network.settings import NetworkSettings  # pulumi-free
    from scaffold.spec.profiles import PROFILES
    from scaffold.spec.rules import cidr_rules

    value = vpc["cidr"]
    origin = vpc.at("cidr")
    default = PROFILES[env.profile]["network"]["cidr"]
    if not isinstance(value, str):
        ctx.report.left_out(origin, f"{subject}.cidr", f"expected a CIDR block, got {what(value)}; the "
                            f"profile's `{default}` is used")
        return
    try:
        NetworkSettings(cidr=value, azs=PROFILES[env.profile]["network"]["azs"])
    except ValueError as err:
        ctx.report.left_out(origin, f"{subject}.cidr", f"`{value}` is refused by scaffold: {err}; the profile's "
                            f"`{default}` is used")
        return
    findings = list(cidr_rules(SimpleNamespace(network=SimpleNamespace(cidr=value))))  # type: ignore[arg-type]
    errors = [f for f in findings if not f.warning]
    if errors:
        ctx.report.left_out(origin, f"{subject}.cidr", f"`{value}` is refused by scaffold: {errors[0].message}; "
                            f"the profile's `{default}` is used")
        return
    env.fields.setdefault("network", {})["cidr"] = value
    ctx.report.imported(origin, f"{subject}.cidr", f"became `environments.{env.name}.network.cidr`")
    for finding in findings:
        ctx.report.decide(origin, f"{subject}.cidr", f"kept, but `scaffold validate` warns: {finding.message}")


def _flow_logs(ctx: Context, env: EnvironmentDraft, vpc: Located, subject: str) -> None:
    """``network.vpc.flow_logs`` (boolean, or a mapping with ``retention``) → ``network.flow_logs``."""
    from blueprints.network.settings import DEFAULT_FLOW_LOG_RETENTION_DAYS

    value = vpc["flow_logs"]
    origin = vpc.at("flow_logs")
    if isinstance(value, Located):
        on = True
        if "retention" in value:
            ctx.report.left_out(value.at("retention"), f"{subject}.flow_logs.retention",
                                f"scaffold keeps flow logs {DEFAULT_FLOW_LOG_RETENTION_DAYS} days; the retention "
                                "is not configurable")
        _unknown(ctx, value, {"retention"}, f"{subject}.flow_logs")
    elif isinstance(value, bool):
        on = value
    else:
        ctx.report.left_out(origin, f"{subject}.flow_logs", f"expected a boolean or a mapping, got {what(value)}; "
                            "the profile decides")
        return
    env.fields.setdefault("network", {})["flow_logs"] = on
    ctx.report.imported(origin, f"{subject}.flow_logs", f"became `environments.{env.name}.network.flow_logs: "
                        f"{'true' if on else 'false'}`")


def _http(ctx: Context, env: EnvironmentDraft, data: Located, subject: str, front: _PublicFront) -> None:
    http = _mapping(ctx, data, "http", subject)
    if http is None:
        return
    _unknown(ctx, http, {"public", "private"}, f"{subject}: http")
    public = _mapping(ctx, http, "public", f"{subject}: http")
    if public is not None:
        _public(ctx, env, public, f"{subject}: http.public", front)
    if "private" in http:
        ctx.report.left_out(http.at("private"), f"{subject}: http.private",
                            "the internal load balancer's settings (certificates, subnets, security groups) "
                            "are not kept: each scaffold `api` with `public: false` gets its own internal "
                            "load balancer, reachable from the VPC, over HTTP")


def _public(ctx: Context, env: EnvironmentDraft, public: Located, subject: str, front: _PublicFront) -> None:
    _unknown(ctx, public, {"certificates", "access_logs", "ingress", "security_groups", "ssl_policy"}, subject)
    certificates = public.get("certificates")
    if "certificates" in public:
        if isinstance(certificates, str):
            certificates = [certificates]
        if not isinstance(certificates, list):
            ctx.report.left_out(public.at("certificates"), f"{subject}.certificates",
                                f"expected a list of ACM certificate ARNs, got {what(certificates)}")
        else:
            front.certificates = [(c, public.at("certificates")) for c in certificates if isinstance(c, str)]
    if "access_logs" in public:
        value = public["access_logs"]
        if value is False:
            ctx.report.imported(public.at("access_logs"), f"{subject}.access_logs",
                                "off, as in the profile of dev and staging (production turns them on)")
        else:
            front.access_logs = public.at("access_logs")
            if isinstance(value, Located) and ("bucket_name" in value or "prefix" in value):
                ctx.report.left_out(public.at("access_logs"), f"{subject}.access_logs",
                                    "the bucket name and prefix are not kept: scaffold writes access logs to a "
                                    "bucket of each load balancer's own")
    for key in ("ingress", "security_groups"):
        if key in public:
            ctx.report.left_out(public.at(key), f"{subject}.{key}",
                                "restricting the public load balancer to source IPs or to CloudFront has no "
                                "equivalent: a public scaffold `api` takes traffic from the internet, behind "
                                "AWS WAF in production")
    if "ssl_policy" in public:
        ctx.report.left_out(public.at("ssl_policy"), f"{subject}.ssl_policy",
                            f"`{public['ssl_policy']}` is not kept: scaffold's HTTPS listeners use its own policy, "
                            "TLS 1.3 and 1.2 only (docs/blueprints.md, api)")


def _cdn(ctx: Context, data: Located, subject: str) -> None:
    if "cdn" in data and data["cdn"] not in (False, None):
        ctx.report.left_out(data.at("cdn"), f"{subject}: cdn",
                            "scaffold creates no CloudFront distribution (nor static assets on it); put one "
                            "in front of the load balancer outside scaffold if you need it")


def _observability(ctx: Context, data: Located, subject: str) -> None:
    obs = _mapping(ctx, data, "observability", subject)
    if obs is None:
        return
    _unknown(ctx, obs, {"container_insights"}, f"{subject}: observability")
    if "container_insights" in obs and obs["container_insights"] is not True:
        ctx.report.behaviour(obs.at("container_insights"), f"{subject}: observability.container_insights",
                             "Container Insights is always on in scaffold's ECS cluster (the no-running-task "
                             "alarms read its metrics); CloudWatch bills its metrics")


_ENV_MANIFEST = re.compile(r"^copilot/environments/([^/]+)/manifest\.ya?ml$")


def _unreadable_names(ctx: Context) -> Iterator[tuple[str, Origin]]:
    """Environments whose manifest exists but could not be read (the workspace reports why)."""
    for problem in sorted(ctx.workspace.unreadable, key=lambda p: p.origin):
        m = _ENV_MANIFEST.match(problem.origin.file)
        if m and m.group(1) not in ctx.env_names:
            yield m.group(1), Origin(problem.origin.file)


def _override_only_names(ctx: Context) -> Iterator[tuple[str, Origin]]:
    """Environment names in workloads' ``environments:`` overrides that have no manifest, first seen first."""
    seen: set[str] = set(ctx.env_names)
    for manifest in sorted(ctx.workspace.workloads, key=lambda m: m.name):
        data = manifest.data
        overrides = data.get("environments") if isinstance(data, Located) else None
        if not isinstance(overrides, Located):
            continue
        for name in sorted(overrides, key=lambda k: (overrides.key_lines.get(k, 0), k)):
            if name not in seen:
                seen.add(name)
                yield name, overrides.at(name)


def _region(ctx: Context) -> None:
    """Every environment deploys to ``--region``; a certificate in another region says where one lived."""
    from blueprints.api.settings import ACM_CERTIFICATE_ARN

    ctx.report.decide(Origin("copilot/environments"), "environments: region",
                      f"every environment deploys to {ctx.region} (--region): Copilot keeps each environment's "
                      "region and account outside the workspace, and they may have differed. Set "
                      "`environments.<name>.region` for one that lived elsewhere")
    fronts: dict[str, _PublicFront] = ctx.passed.get(_FRONTS, {})
    for env_name in sorted(fronts):
        regions = sorted({m["region"] for arn, _ in fronts[env_name].certificates
                          if (m := ACM_CERTIFICATE_ARN.match(arn))} - {ctx.region})
        if regions:
            ctx.report.decide(fronts[env_name].certificates[0][1], f"environment {env_name}: region",
                              f"its load balancer certificate is in {', '.join(regions)}, so the environment "
                              f"probably ran there; set `environments.{env_name}.region` if so")
        accounts = sorted({arn.split(":")[4] for arn, _ in fronts[env_name].certificates
                           if ACM_CERTIFICATE_ARN.match(arn)} - {ctx.account or ""})
        if accounts:
            ctx.report.decide(fronts[env_name].certificates[0][1], f"environment {env_name}: account",
                              f"its load balancer certificate belongs to account {', '.join(accounts)}; deploy "
                              "this environment with credentials of that account (a certificate cannot be "
                              "used from another one)")


def link(ctx: Context) -> None:
    """Apply each environment's public load balancer settings to the public APIs deployed in it.

    Copilot's ``http.public.certificates`` go on the environment's one shared public load
    balancer, and Copilot then manages no DNS record for the services' ``http.alias``; scaffold
    gives each public ``api`` its own load balancer, so a single certificate in the environment's
    region becomes that environment's ``certificate`` override of every public API (which also
    means no Route 53 record, as before). ``http.public.access_logs`` becomes ``access_logs: true``.
    """
    from blueprints.api.settings import ACM_CERTIFICATE_ARN, certificate_region_problems

    fronts: dict[str, _PublicFront] = ctx.passed.get(_FRONTS, {})
    for env_name in sorted(fronts):
        front = fronts[env_name]
        env = ctx.draft.environments[env_name]
        region = env.fields.get("region", ctx.region)
        apis = [c for c in sorted(ctx.draft.components.values(), key=lambda c: c.name) if c.kind == "api"
                and {**c.fields, **env.components.get(c.name, {})}.get("public", True) is True]
        if front.access_logs is not None and not apis:
            ctx.report.left_out(front.access_logs, f"environment {env_name}: http.public.access_logs",
                                "no public API in this environment; an API's `access_logs` turns them on")
        elif front.access_logs is not None:
            for api in apis:
                ctx.draft.override(env_name, api.name, {"access_logs": True})
            ctx.report.imported(front.access_logs, f"environment {env_name}: http.public.access_logs",
                                f"became `access_logs: true` on {_names(apis)} in `{env_name}` (each public API "
                                "has its own load balancer and log bucket)")
        if not front.certificates:
            continue
        origin = front.certificates[0][1]
        subject = f"environment {env_name}: http.public.certificates"
        arns = [arn for arn, _ in front.certificates]
        usable = [a for a in arns if ACM_CERTIFICATE_ARN.match(a) and not list(certificate_region_problems(a, region))]
        if len(arns) != 1 or len(usable) != 1:
            why = (f"{len(arns)} certificates: which one covers which API's name is not in the workspace"
                   if len(arns) != 1 else
                   f"`{arns[0]}` is not an ACM certificate ARN in {region}, the environment's region")
            ctx.report.decide(origin, subject,
                              f"not applied ({why}). Give each public API `domain:` (scaffold requests and "
                              "validates the certificate in Route 53) or `certificate:` an ARN in "
                              f"`environments.{env_name}.components.<api>`")
            continue
        merged = {a.name: {**a.fields, **env.components.get(a.name, {})} for a in apis}
        targets = [a for a in apis if not merged[a.name].get("certificate") and not merged[a.name].get("zone")]
        for api in targets:
            ctx.draft.override(env_name, api.name, {"certificate": usable[0]})
        if targets:
            ctx.report.imported(origin, subject, f"became `certificate: {usable[0]}` of {_names(targets)} in "
                                f"`{env_name}`: HTTPS with your certificate and, as with Copilot's imported "
                                "certificates, no DNS record: point the name at the exported `load_balancer_dns`")
        else:
            ctx.report.left_out(origin, subject, "no public API in this environment takes it")


def _names(apis: list[Any]) -> str:
    return ", ".join(f"`{a.name}`" for a in apis) or "no public API"
