"""Rules beyond field types: references, names, AWS limits, and failover arithmetic.

:func:`spec_rules` checks references, names and FIFO subscribers; the loader
runs it on the spec and on each environment's merged components.
:func:`blueprint_rules` checks one resolved environment for what spans
components (``replicas <= azs - 1`` …), because a profile or an override can
break what the spec alone did not. Every rule a component enforces itself
(Fargate pairs, ranges, ARNs, names) lives only in its settings module and
reaches ``validate`` through :func:`stacks.settings.component_problems`.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

from scaffold.spec.blueprint import Blueprint
from scaffold.spec.fields import did_you_mean
from scaffold.spec.findings import Finding, reference
from scaffold.spec.kinds import KINDS, usable_kinds
from scaffold.spec.kinds.api import front_door_rules as api_front_door_rules  # noqa: F401 (re-exported)
from scaffold.spec.models import (
    COMPONENT_NAME_MAX,
    ENVIRONMENT_NAME_MAX,
    NAME_PATTERN,
    Spec,
)
from scaffold.spec.source import FieldPath
from scaffold.spec.units import UNIT_SECONDS

DAY = UNIT_SECONDS["d"]

#: Names the stack gives its own shared components (stacks.program).
RESERVED_COMPONENT_NAMES = {"network": "VPC", "services": "ECS cluster"}

#: The component kinds a service may ``use`` (each kind says so: :attr:`scaffold.spec.kinds.Kind.usable`).
USABLE_KINDS = usable_kinds()


def _name_problem(name: str, max_len: int) -> str | None:
    if not re.fullmatch(NAME_PATTERN, name) or "--" in name:
        return "must be lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen"
    if len(name) > max_len:
        return f"is {len(name)} characters; at most {max_len} fit in AWS resource names"
    return None


def credential_url_rules(spec: Spec) -> Iterator[Finding]:
    """``backend`` and ``secrets_provider`` URLs must not carry credentials.

    The spec is committed to version control, and ``blueprint``, ``plan`` and
    ``generate`` copy these URLs into their output and files. Credentials belong in the
    environment: AWS credentials for ``s3://``, ``AZURE_STORAGE_*`` or
    ``PULUMI_BACKEND_URL`` itself (whose credentials scaffold never prints or writes).
    """
    from stacks.engine_errors import redact  # pulumi-free

    places: list[tuple[FieldPath, str | None]] = [(("backend",), spec.backend),
                                                  (("secrets_provider",), spec.secrets_provider)]
    places += [(("environments", env, "backend"), e.backend) for env, e in spec.environments.items()]
    for path, url in places:
        if url and redact(url) != url:
            yield Finding(path, f"the URL carries credentials ({redact(url)}); the spec is committed and "
                          "copied into plans and generated projects, so it must not hold them",
                          "remove the user:password or token part, and give credentials through the "
                          "environment, e.g. AWS_PROFILE, or PULUMI_BACKEND_URL with the full URL")


def spec_rules(spec: Spec) -> Iterator[Finding]:
    """Rules that hold for the spec as written, whatever the environment."""
    yield from physical_name_rules(spec)
    yield from credential_url_rules(spec)
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
        return _reference(components, path, target, kinds, what)

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
    yield from component_rules(components)


def _reference(components: Mapping[str, Any], path: FieldPath, target: str, kinds: tuple[str, ...],
               what: str) -> Iterator[Finding]:
    return reference(components, path, target, kinds, what)


def _can_use(kind: str) -> str:
    """``"an api can use a database, cache, queue or notifications"``, from the registry."""
    usable = list(USABLE_KINDS)
    listed = ", ".join(usable[:-1]) + (f" or {usable[-1]}" if len(usable) > 1 else usable[0])
    return f"a{'n' if kind[0] in 'aeiou' else ''} {kind} can use a {listed}"


def component_rules(components: Mapping[str, Any]) -> Iterator[Finding]:
    """References in ``uses`` (to a component of a kind others may use, once, not itself), each
    kind's own rules (:attr:`scaffold.spec.kinds.Kind.component_rules`: queue subscribers, a
    ``waf: true`` on an internal API …), and secrets in plain ``environment`` variables
    (:func:`environment_secret_rules`).

    The loader runs it on the spec's components and on each environment's components
    with their overrides merged (paths stay ``components.<name>…``).
    """
    yield from environment_secret_rules(components)
    for name, component in components.items():
        seen: set[str] = set()
        for i, used in enumerate(getattr(component, "uses", None) or []):
            path: FieldPath = ("components", name, "uses", i)
            if used in seen:
                yield Finding(path, f"{used!r} is listed twice", "list each component once")
            seen.add(used)
            if used == name:
                yield Finding(path, "a service cannot use itself", "remove it from uses")
                continue
            yield from reference(components, path, used, USABLE_KINDS, _can_use(component.kind))
        # Variable names, secret ARNs and collisions with links: the component's settings and
        # stacks.settings.component_problems, run per environment by the loader.
        rules = KINDS[component.kind].component_rules
        if rules is not None:
            yield from rules(components, name, component)


def blueprint_rules(bp: Blueprint) -> Iterator[Finding]:
    """Rules on one resolved environment that no single component's settings can check.

    Paths are the blueprint's (``components.api.scaling.min``): each kind's own
    (:attr:`scaffold.spec.kinds.Kind.blueprint_rules`: readers per AZ, scaling targets,
    HTTPS …), then the rules that span components. What a component checks itself
    (Fargate pairs, ranges, names, ARNs …) is run through
    :func:`stacks.settings.component_problems` instead, so each rule exists once.
    """
    for name, c in bp.components.items():
        rules = KINDS[c.kind].blueprint_rules
        if rules is not None:
            yield from rules(bp, ("components", name), c)
    yield from nat_none_rules(bp)
    yield from alarm_delivery_rules(bp)
    yield from cidr_rules(bp)


def alarm_delivery_rules(bp: Blueprint) -> Iterator[Finding]:
    """Warn when the alarms topic delivers into a queue that a service ``uses`` or ``consumes``.

    A service that uses a queue is its producer or its consumer, and a worker that
    consumes it is its consumer; a consumer would take every CloudWatch alarm
    notification for a job. Alarms belong on email, SMS or
    HTTPS subscribers, or on a queue that only an operator's tooling reads.
    """
    if not bp.alarms.enabled or not bp.alarms.notify:
        return
    topic = bp.components.get(bp.alarms.notify)
    if topic is None or topic.kind != "notifications":
        return
    users: dict[str, tuple[str, str]] = {}
    for name, c in bp.components.items():
        consumed = getattr(c, "consumes", None)
        for used in [*([consumed] if consumed else []), *(getattr(c, "uses", None) or [])]:
            users.setdefault(used, (name, "consumes" if used == consumed else "uses"))
    for i, sub in enumerate(topic.subscribers):
        if sub.protocol == "queue" and sub.endpoint in users:
            user, how = users[sub.endpoint]
            kind = bp.components[user].kind
            yield Finding(("components", bp.alarms.notify, "subscribers", i, "queue"),
                          f"alarms go to {bp.alarms.notify!r}, which delivers them into queue {sub.endpoint!r}, "
                          f"and {'API' if kind == 'api' else kind} {user!r} {how} that queue: a consumer would "
                          "take each alarm notification for a job",
                          "subscribe a separate queue, or email/https subscribers, to the alarms topic",
                          warning=True)


def domain_rules(blueprints: Mapping[str, Blueprint]) -> Iterator[tuple[str, Finding]]:
    """One ``domain`` per API across every environment, where scaffold creates its Route 53 records.

    Two APIs (in one environment, or in two environments of the same account)
    with the same ``domain`` and no ``certificate`` would each create the alias
    record and the certificate validation records of that name; the second deploy
    fails, or one stack takes the name from the other. Yields ``(environment, finding)``.
    """
    first: dict[tuple[str, str], tuple[str, str]] = {}
    for env, bp in blueprints.items():
        # Route 53 of the aws-us-gov and aws-cn partitions is separate from the commercial one.
        partition = next((p for prefix, p in (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"))
                          if bp.region.startswith(prefix)), "aws")
        for name, c in bp.components.items():
            if c.kind != "api" or not c.domain or c.certificate:
                continue
            key = (partition, c.domain)
            if key in first:
                env0, name0 = first[key]
                yield env, Finding(("components", name, "domain"),
                                   f"{c.domain!r} is also the domain of API {name0!r} in environment {env0!r}; "
                                   "each would create its Route 53 alias record",
                                   "give each environment its own name, e.g. api.staging.example.com, "
                                   "in an environment override")
            else:
                first[key] = (env, name)


#: Private IPv4 ranges a VPC should use (RFC 1918, https://www.rfc-editor.org/rfc/rfc1918).
#: AWS accepts these and publicly routable blocks for a VPC
#: (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html), but a public
#: block shadows real internet addresses for everything inside the VPC.
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
#: Shared address space for carrier-grade NAT (RFC 6598): AWS accepts it for VPCs, but it may
#: collide with a carrier's or a peered network's addresses.
SHARED_RANGE = ipaddress.IPv4Network("100.64.0.0/10")


def cidr_rules(bp: Blueprint) -> Iterator[Finding]:
    """The VPC CIDR must be private: RFC 1918, or RFC 6598 (``100.64.0.0/10``) with a warning.

    A CIDR that is not an IPv4 network at all is reported by the network's own settings.
    """
    try:
        network = ipaddress.IPv4Network(bp.network.cidr, strict=True)
    except ValueError:
        return
    path: FieldPath = ("network", "cidr")
    if any(network.subnet_of(r) for r in PRIVATE_RANGES):
        return
    if network.subnet_of(SHARED_RANGE):
        yield Finding(path, f"{network} is in 100.64.0.0/10, the shared address space of carrier-grade NAT "
                      "(RFC 6598); it may collide with a carrier's or a peered network's addresses",
                      "prefer a private block such as 10.20.0.0/16", warning=True)
        return
    kind = ("reserved" if network.is_reserved or network.is_loopback or network.is_multicast
            or network.is_link_local or network.is_unspecified else "public")
    yield Finding(path, f"{network} is a {kind} address block, not a private one (RFC 1918); inside the VPC "
                  "it would hide the internet addresses it covers",
                  "use a block in 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16, such as 10.20.0.0/16")


#: Words in a variable name that say it holds a secret (compared with each ``_``-separated part).
SECRET_NAME_WORDS = frozenset({"SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASSPHRASE", "TOKEN", "TOKENS",
                               "KEY", "APIKEY", "PRIVATE", "CREDENTIALS", "CREDENTIAL"})
#: Value forms of well-known credentials: AWS access key IDs
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids),
#: PEM private keys, GitHub, Slack and Stripe tokens, and passwords inside URLs.
_CREDENTIAL_VALUES = (
    (re.compile(r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}"), "an AWS access key ID"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----|-----BEGIN"), "a PEM block (a key or certificate)"),
    (re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{20,}"), "a GitHub token"),
    (re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}"), "a Stripe secret key"),
    (re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"), "a URL with a password in it"),
)
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9+/=_.-]{32,}")


def _entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def credential_kind(value: str) -> str | None:
    """What credential ``value`` looks like (``"an AWS access key ID"``), or ``None``.

    Besides the known forms, a run of 32 or more base64/token characters mixing upper
    case, lower case and digits with an entropy of at least 4.5 bits per character is
    taken for a random secret (a UUID or a hex digest is not: too few symbols).
    """
    for pattern, what in _CREDENTIAL_VALUES:
        if pattern.search(value):
            return what
    for run in _TOKEN_CHARS.findall(value):
        classes = sum(bool(re.search(c, run)) for c in ("[a-z]", "[A-Z]", "[0-9]"))
        if classes == 3 and _entropy(run) >= 4.5:
            return "a random token"
    return None


def environment_secret_rules(components: Mapping[str, Any]) -> Iterator[Finding]:
    """Plain ``environment`` variables that hold, or are named for, a secret.

    Their values end up in the ECS task definition, readable by anyone who can describe
    it; ``secrets:`` passes a Secrets Manager or SSM ARN instead
    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html).
    """
    for name, c in components.items():
        if not KINDS[c.kind].runs_container or not c.environment:
            continue
        for var, value in c.environment.items():
            path: FieldPath = ("components", name, "environment", var)
            words = {w for w in re.split(r"[^A-Za-z0-9]+", var.upper()) if w}
            said = sorted(words & SECRET_NAME_WORDS)
            looks = credential_kind(value) if isinstance(value, str) else None
            hint = (f"store it in Secrets Manager and pass its ARN under secrets: instead, e.g. secrets: "
                    f"{{{var}: arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf}}")
            if looks:
                yield Finding(path, f"the value of {var} looks like {looks}; environment values are stored in "
                              "plain text in the task definition", hint)
            elif said:
                yield Finding(path, f"{var!r} is named like a secret ({said[0].lower()}); environment values are "
                              "stored in plain text in the task definition", hint, key=True)


#: An image in Amazon ECR: ``<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag|@digest]``.
#: https://docs.aws.amazon.com/AmazonECR/latest/userguide/docker-pull-ecr-image.html
ECR_IMAGE = re.compile(r"^[0-9]{12}\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/[!-~]+\Z")


def nat_none_rules(bp: Blueprint) -> Iterator[Finding]:
    """With ``network.nat: none``, every API's image must be in Amazon ECR in the environment's
    region, and its secrets in the environment's region (:func:`_nat_none_secret_rules`).

    The tasks run in private subnets without a route to the internet; the network
    gives them interface VPC endpoints for ECR (and S3, where ECR keeps the
    layers) of its own region only (:func:`stacks.settings.network_settings`), so
    an image on Docker Hub, GHCR, ECR Public or another region's ECR cannot be pulled.
    """
    if bp.network.nat != "none":
        return
    for name, c in bp.components.items():
        if not KINDS[c.kind].runs_container:
            continue
        yield from _nat_none_secret_rules(bp, name, c)
        match = ECR_IMAGE.match(c.image)
        if match and match["region"] == bp.region:
            continue
        repository = c.image.rsplit("/", 1)[-1].split("@")[0] or "app:1.0"
        where = f"in another region's ECR ({match['region']})" if match else "outside Amazon ECR"
        yield Finding(("components", name, "image"),
                      f"network.nat is none, so tasks in {bp.environment!r} have no internet access and pull "
                      f"images only from Amazon ECR in {bp.region}, but {c.image!r} is {where}",
                      f"push the image to 123456789012.dkr.ecr.{bp.region}.amazonaws.com/{repository} "
                      "and use that, or set network.nat: single")


def _nat_none_secret_rules(bp: Blueprint, name: str, c: Any) -> Iterator[Finding]:
    """A secret (Secrets Manager or SSM parameter) in another region than the environment's,
    with ``nat: none``: the task reads it through the network's interface endpoints
    (``com.amazonaws.<region>.secretsmanager`` / ``.ssm``), which serve their own region only.

    Secrets Manager and Systems Manager are not among the services that cross-region
    PrivateLink reaches (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-cross-region-privatelink-support.html),
    and the network creates its endpoints in its own region (:func:`stacks.settings.network_settings`).
    Another partition is reported by :func:`blueprints.api.settings.secret_partition_problems`.
    """
    from blueprints.api import settings as api  # pulumi-free

    for var, value_from in c.secrets.items():
        match = api.SECRETS_MANAGER_ARN.match(value_from) or api.SSM_PARAMETER_ARN.match(value_from)
        if not match or match["region"] == bp.region or match["partition"] != api.region_partition(bp.region):
            continue
        service = "Secrets Manager" if match.re is api.SECRETS_MANAGER_ARN else "SSM Parameter Store"
        yield Finding(("components", name, "secrets", var),
                      f"network.nat is none, so tasks in {bp.environment!r} reach {service} only through the "
                      f"VPC endpoints in {bp.region}, but this secret is in {match['region']}: the task "
                      "could not fetch it and would not start",
                      f"replicate the secret to {bp.region} and use that ARN, or set network.nat: single")


def _short_source(source: str) -> str:
    return source.split("; ")[0]


def physical_name_rules(spec: Spec) -> Iterator[Finding]:
    """Physical names AWS would refuse, and physical names that collide (:mod:`scaffold.spec.names`).

    * A project, environment or component name that makes a name AWS refuses
      (a project ``internal`` makes the ALB ``internal-…``; ``sg`` the security
      group ``sg-…``) is reported on that name, once.
    * Two components whose names are equal where AWS needs them unique (the
      same region, or the same account for IAM roles) are reported on the later
      component (or the later environment, when the environments differ),
      naming both.

    Environments that do not resolve are skipped; their own errors are reported elsewhere.
    """
    from pydantic import ValidationError

    from blueprints.naming import NAME_RULES
    from scaffold.spec.names import NETWORK, SERVICES, collisions, logical_collisions, refused_names
    from scaffold.spec.resolve import resolve

    blueprints: dict[str, Blueprint] = {}
    for env in spec.environments:
        try:
            blueprints[env] = resolve(spec, env)
        except (ValidationError, ValueError, KeyError):
            continue

    reported: set[tuple[FieldPath, str, tuple[str, ...]]] = set()
    for env, bp in blueprints.items():
        for refused in refused_names(bp):
            p = refused.name
            rule = NAME_RULES[p.rule]
            path: FieldPath
            if refused.culprit == "environment":
                path, what, value, key = ("environments", env), "environment", env, True
            elif refused.culprit == "component" and p.component not in (NETWORK, SERVICES):
                path, what, value, key = ("components", p.component), "component", p.component, True
            else:
                path, what, value, key = ("name",), "project", spec.name, False
            if (path, p.rule, refused.problems) in reported:
                continue
            reported.add((path, p.rule, refused.problems))
            shown = p.name + ("…" if p.random else "")
            yield Finding(path, f"{what} name {value!r} makes the {rule.what} {shown!r}, which AWS refuses: "
                          f"it {'; '.join(refused.problems)}",
                          f"rename the {what}; AWS rule: {_short_source(rule.source)}", key=key)

    pairs: set[tuple[str, str]] = set()
    for collision in collisions(blueprints):
        a, b = collision.first, collision.second
        if a.environment == b.environment:  # the same pair collides in every environment: report it once
            if (a.component, b.component) in pairs:
                continue
            pairs.add((a.component, b.component))
        rule = NAME_RULES[a.rule]
        scope = {"stack": f"in the stack of environment {b.environment!r}",
                 "region": f"in region {b.region}",
                 "account": "in the account (unique across all regions)",
                 "partition": "across all AWS accounts"}[rule.scope]
        if a.environment != b.environment:
            path = ("environments", b.environment)
            whose = (f"component {b.component!r} in environment {b.environment!r} and component "
                     f"{a.component!r} in environment {a.environment!r}")
        else:
            path = ("components", b.component) if b.component not in (NETWORK, SERVICES) else ("name",)
            whose = f"components {a.component!r} and {b.component!r} (in environment {b.environment!r})"
        yield Finding(path, f"{whose} both make the {rule.what} {b.name!r}, which must be unique {scope}",
                      "names join as <project>-<environment>-<component>[-<suffix>]; rename one of the "
                      "components or environments", key=path != ("name",))

    logical: set[tuple[str, str]] = set()
    for bp in blueprints.values():
        for lc in logical_collisions(bp):
            if (lc.first, lc.second) in logical or (lc.first, lc.second) in pairs:
                continue  # reported once; a physical collision of the same pair says enough
            logical.add((lc.first, lc.second))
            yield Finding(("components", lc.second),
                          f"{lc.kind} components {lc.first!r} and {lc.second!r} would both create the Pulumi "
                          f"resource {lc.names[0]!r}, and a stack cannot hold two resources with one name",
                          f"rename {lc.second!r} so that it does not start with {lc.first + '-'!r}", key=True)
