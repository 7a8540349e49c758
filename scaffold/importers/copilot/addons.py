"""Copilot addons (CloudFormation templates) → ``database``, ``cache``, ``bucket``, ``queue``, ``notifications``.

Addons are CloudFormation templates beside a workload (``copilot/<workload>/addons/*.yml``)
or an environment (``copilot/environments/addons/*.yml``), with ``addons.parameters.yml``
passing extra parameters (aws/copilot-cli ``site/content/docs/developing/addons/workload.en.md``
and ``environment.en.md``). Each resource is converted by its ``Type``, found in
:data:`RESOURCE_TYPES`; the resources that only serve a mapped one (subnet groups, security
groups, parameter groups, secrets, keys, policies) are in :data:`COMPANIONS`, because scaffold
creates its own; every other type is left out, by type.

Property values may be intrinsic functions: :class:`Template` resolves ``Ref`` (to a
parameter's literal ``Default`` or its value in ``addons.parameters.yml``, and Copilot's
``App``/``Env``/``Name``), ``Fn::FindInMap``, ``Fn::If`` (with ``Conditions``), ``Fn::Sub``,
``Fn::Join``, ``Fn::Select`` and ``Fn::Split``. A value that depends on ``Env`` is resolved per
environment and written as environment overrides; a value set by any other expression is
reported and the profile default is used.

:func:`link` (the last step) puts each workload addon's components in its owner's ``uses``,
and each environment addon's in the ``uses`` of every workload whose ``variables`` or
``secrets`` name one of its outputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from scaffold.importers.copilot.context import Context
from scaffold.importers.copilot.draft import ComponentDraft
from scaffold.importers.copilot.workspace import Addon
from scaffold.importers.copilot.yamlsource import Located, Origin

#: The Copilot pages the mapping follows.
REFERENCE = "https://aws.github.io/copilot-cli/docs/developing/addons/workload/"

#: Resource attributes CloudFormation defines besides ``Type`` and ``Properties``.
_ATTRIBUTES = {"Type", "Properties", "Condition", "DependsOn", "Metadata", "DeletionPolicy",
               "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy"}


class Unresolved(Exception):
    """A value scaffold cannot know from the template alone; the message says why."""


class NeedsEnv(Unresolved):
    """A value that depends on the environment (``!Ref Env``): resolved once per environment."""


class Refused(Exception):
    """A value scaffold does not accept; the message says why."""


# --------------------------------------------------------------------------------------------
# Templates and intrinsic functions
# --------------------------------------------------------------------------------------------


@dataclass
class Template:
    """One addon template, with what resolving its values needs."""

    ctx: Context
    addon: Addon
    data: Located
    resources: dict[str, Resource] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    mappings: Any = None
    conditions: Any = None
    #: Logical IDs another converter took (a cluster's instances, a queue's dead-letter queue ...).
    absorbed: dict[str, str] = field(default_factory=dict)
    #: Logical ID of each mapped resource → its component's name.
    components: dict[str, str] = field(default_factory=dict)

    @property
    def owner(self) -> str | None:
        return self.addon.owner

    def resolve(self, value: Any, env: str | None = None, depth: int = 0) -> Any:
        """``value`` with its intrinsic functions evaluated, in the Copilot environment ``env``.

        Raises:
            NeedsEnv: It depends on the environment and ``env`` is ``None``.
            Unresolved: It depends on anything else only AWS knows.
        """
        if depth > 32:
            raise Unresolved("nested too deep")
        if isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, str):
            if "{{resolve:" in value:
                raise Unresolved("a dynamic reference")
            return value
        if isinstance(value, list):
            return [self.resolve(v, env, depth + 1) for v in value]
        if isinstance(value, dict) and len(value) == 1:
            (name, arg), = value.items()
            handler = _FUNCTIONS.get(name)
            if handler is not None:
                return handler(self, arg, env, depth + 1)
            if name.startswith("Fn::") or name == "Condition":
                raise Unresolved(f"`{name}`")
        if isinstance(value, dict):
            return {k: self.resolve(v, env, depth + 1) for k, v in value.items()}
        if value is None:
            return None
        raise Unresolved(f"a {type(value).__name__}")

    def ref(self, name: Any, env: str | None) -> Any:
        if not isinstance(name, str):
            raise Unresolved("`Ref` to something that is not a name")
        if name == "Env":
            if env is None:
                raise NeedsEnv("`!Ref Env`")
            return env
        if name == "App":
            return self.ctx.app
        if name == "Name" and self.owner is not None:
            return self.owner
        if name == "AWS::Region":
            return self.ctx.region
        if name in self.parameters:
            value = self.parameters[name]
            if isinstance(value, Unresolved):
                raise value
            return value
        if name in self.resources:
            raise Unresolved(f"`!Ref {name}` (a resource AWS names)")
        raise Unresolved(f"`!Ref {name}`")

    def condition(self, name: Any, env: str | None, depth: int = 0) -> bool:
        """Whether the template condition ``name`` holds in ``env``."""
        conditions = self.conditions if isinstance(self.conditions, dict) else {}
        if not isinstance(name, str) or name not in conditions or depth > 32:
            raise Unresolved(f"condition `{name}`")
        return self.truth(conditions[name], env, depth + 1)

    def truth(self, value: Any, env: str | None, depth: int) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, dict) and len(value) == 1:
            (name, arg), = value.items()
            if name == "Condition":
                return self.condition(arg, env, depth + 1)
            if name == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
                a, b = (self.resolve(v, env, depth + 1) for v in arg)
                return str(a) == str(b)
            if name == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
                return not self.truth(arg[0], env, depth + 1)
            if name == "Fn::And" and isinstance(arg, list):
                return all([self.truth(v, env, depth + 1) for v in arg])
            if name == "Fn::Or" and isinstance(arg, list):
                return any([self.truth(v, env, depth + 1) for v in arg])
        raise Unresolved("a condition scaffold cannot evaluate")

    def values(self, value: Any) -> dict[str | None, Any]:
        """``value`` resolved: ``{None: v}`` when it is the same everywhere, else by scaffold environment.

        Raises:
            Unresolved: In at least one environment.
        """
        try:
            return {None: self.resolve(value)}
        except NeedsEnv:
            pass
        out: dict[str | None, Any] = {}
        for copilot_env, env in sorted(self.ctx.env_names.items(), key=lambda kv: kv[1]):
            out[env] = self.resolve(value, copilot_env)
        if not out:
            raise Unresolved("`!Ref Env` with no environment")
        if len({repr(v) for v in out.values()}) == 1:
            return {None: next(iter(out.values()))}
        return out


def _fn_ref(t: Template, arg: Any, env: str | None, depth: int) -> Any:
    return t.ref(arg, env)


def _fn_find_in_map(t: Template, arg: Any, env: str | None, depth: int) -> Any:
    if not isinstance(arg, list) or len(arg) < 3:
        raise Unresolved("a malformed `Fn::FindInMap`")
    keys = [t.resolve(a, env, depth) for a in arg[:3]]
    try:
        value = t.mappings[keys[0]][keys[1]][keys[2]]
    except (KeyError, TypeError):
        if len(arg) == 4 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
            return t.resolve(arg[3]["DefaultValue"], env, depth)
        raise Unresolved(f"`Fn::FindInMap` has no entry {keys}") from None
    return t.resolve(value, env, depth)


def _fn_if(t: Template, arg: Any, env: str | None, depth: int) -> Any:
    if not isinstance(arg, list) or len(arg) != 3:
        raise Unresolved("a malformed `Fn::If`")
    chosen = arg[1] if t.condition(arg[0], env, depth) else arg[2]
    if chosen == {"Ref": "AWS::NoValue"}:
        return None
    return t.resolve(chosen, env, depth)


_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


def _fn_sub(t: Template, arg: Any, env: str | None, depth: int) -> Any:
    text, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, {})
    if not isinstance(text, str) or not isinstance(variables, dict):
        raise Unresolved("a malformed `Fn::Sub`")

    def one(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in variables:
            return str(t.resolve(variables[name], env, depth))
        if "." in name:
            raise Unresolved(f"`${{{name}}}` (an attribute AWS knows)")
        return str(t.ref(name, env))

    return _SUB_VARIABLE.sub(one, text)


def _fn_join(t: Template, arg: Any, env: str | None, depth: int) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise Unresolved("a malformed `Fn::Join`")
    sep, items = t.resolve(arg[0], env, depth), t.resolve(arg[1], env, depth)
    if not isinstance(items, list):
        raise Unresolved("`Fn::Join` of something that is not a list")
    return str(sep).join(str(i) for i in items)


def _fn_select(t: Template, arg: Any, env: str | None, depth: int) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise Unresolved("a malformed `Fn::Select`")
    index, items = t.resolve(arg[0], env, depth), t.resolve(arg[1], env, depth)
    try:
        return items[int(index)]
    except (ValueError, TypeError, IndexError, KeyError):
        raise Unresolved("`Fn::Select` out of range") from None


def _fn_split(t: Template, arg: Any, env: str | None, depth: int) -> Any:
    if not isinstance(arg, list) or len(arg) != 2:
        raise Unresolved("a malformed `Fn::Split`")
    sep, text = t.resolve(arg[0], env, depth), t.resolve(arg[1], env, depth)
    return str(text).split(str(sep))


#: The intrinsic functions :meth:`Template.resolve` evaluates; any other (``Fn::GetAtt``,
#: ``Fn::ImportValue``, ``Fn::GetAZs`` ...) is a value only AWS knows.
_FUNCTIONS: dict[str, Callable[[Template, Any, str | None, int], Any]] = {
    "Ref": _fn_ref, "Fn::FindInMap": _fn_find_in_map, "Fn::If": _fn_if, "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join, "Fn::Select": _fn_select, "Fn::Split": _fn_split,
}


def references(value: Any) -> Iterator[str]:
    """The logical IDs ``value`` refers to (``Ref``, ``Fn::GetAtt``, ``${X}`` in ``Fn::Sub``)."""
    if isinstance(value, list):
        for v in value:
            yield from references(v)
    elif isinstance(value, dict):
        for key, v in value.items():
            if key == "Ref" and isinstance(v, str):
                yield v
            elif key == "Fn::GetAtt" and isinstance(v, list) and v and isinstance(v[0], str):
                yield v[0]
            elif key == "Fn::Sub":
                text = v[0] if isinstance(v, list) and v else v
                if isinstance(text, str):
                    yield from (m.group(1).split(".")[0].strip() for m in _SUB_VARIABLE.finditer(text))
                if isinstance(v, list):
                    yield from references(v[1:])
            else:
                yield from references(v)


# --------------------------------------------------------------------------------------------
# Resources and the component built from one
# --------------------------------------------------------------------------------------------


@dataclass
class Resource:
    """One resource of a template."""

    template: Template
    logical_id: str
    type: str
    body: Located
    origin: Origin

    @property
    def props(self) -> dict[str, Any]:
        props = self.body.get("Properties")
        return props if isinstance(props, dict) else {}

    def at(self, prop: str) -> Origin:
        props = self.body.get("Properties")
        return props.at(prop) if isinstance(props, Located) else self.origin

    @property
    def subject(self) -> str:
        return f"addon {self.logical_id} ({self.type})"


class Builder:
    """The fields of one component, taken property by property, checked with scaffold's own model."""

    def __init__(self, ctx: Context, res: Resource, kind: str) -> None:
        self.ctx, self.res, self.kind = ctx, res, kind
        self.fields: dict[str, Any] = {}
        self.per_env: dict[str, dict[str, Any]] = {}
        self.used: set[str] = set()

    def value(self, prop: str, container: Any = None, origin: Origin | None = None) -> dict[str | None, Any] | None:
        """``prop`` of the resource (or of ``container``) resolved, or ``None`` (absent, or reported)."""
        source = self.res.props if container is None else container
        if container is None:
            self.used.add(prop)
        if not isinstance(source, dict) or prop not in source:
            return None
        try:
            return self.res.template.values(source[prop])
        except Unresolved as why:
            self.ctx.report.decide(origin or self.res.at(prop), f"{self.res.subject}: {prop}",
                                   f"set by an expression ({why}); the profile default is used")
            return None

    def take(self, prop: str, spec_field: str, convert: Callable[[Any], Any] = lambda v: v,
             container: Any = None, origin: Origin | None = None) -> bool:
        """Set ``spec_field`` from ``prop`` through ``convert``; report what scaffold refuses."""
        values = self.value(prop, container, origin)
        if values is None:
            return False
        where = origin or self.res.at(prop)
        converted: dict[str | None, Any] = {}
        for env, raw in values.items():
            try:
                value = convert(raw)
                problem = refusal(self.kind, {spec_field: value})
                if problem:
                    raise Refused(problem)
            except Refused as why:
                shown = f" in `{env}`" if env else ""
                self.ctx.report.left_out(where, f"{self.res.subject}: {prop}",
                                         f"`{raw}`{shown} is refused by scaffold ({why}); the profile default is used")
                return False
            converted[env] = value
        self.set(spec_field, converted)
        return True

    def set(self, spec_field: str, values: dict[str | None, Any]) -> None:
        if None in values:
            self.fields[spec_field] = values[None]
        else:
            for env, value in values.items():
                assert env is not None
                self.per_env.setdefault(env, {})[spec_field] = value

    def get(self, spec_field: str) -> Any:
        return self.fields.get(spec_field)


def refusal(kind: str, fields: dict[str, Any]) -> str | None:
    """Why scaffold's spec model of ``kind`` refuses ``fields``, or ``None``."""
    from pydantic import ValidationError

    from scaffold.spec.kinds import kind as kind_entry

    try:
        kind_entry(kind).spec_model.model_validate({"kind": kind, **fields})
    except ValidationError as err:
        first = err.errors()[0]
        return str(first.get("msg", err)).removeprefix("Value error, ")
    return None


def _kebab(name: str) -> str:
    """``dbDBCluster`` → ``db-db-cluster``, ``RedisCluster`` → ``redis-cluster``."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name)
    return name.lower()


def upper_snake(name: str) -> str:
    """An output's name as Copilot injected it: ``RdsEndpoint`` → ``RDS_ENDPOINT`` (workload.en.md)."""
    return re.sub(r"[^A-Za-z0-9]+", "_", _kebab(name)).upper().strip("_")


#: Words stripped from the end of a logical ID to name a component (``dbDBCluster`` → ``db``), as
#: ``copilot storage init`` names its resources ``<name><Type>``.
NAME_SUFFIXES: dict[str, tuple[str, ...]] = {
    "AWS::RDS::DBCluster": ("DBCluster", "Cluster"), "AWS::RDS::DBInstance": ("DBInstance", "Instance"),
    "AWS::ElastiCache::ReplicationGroup": ("ReplicationGroup",), "AWS::ElastiCache::CacheCluster": ("CacheCluster",),
    "AWS::ElastiCache::ServerlessCache": ("ServerlessCache",), "AWS::S3::Bucket": ("Bucket",),
    "AWS::SQS::Queue": ("Queue",), "AWS::SNS::Topic": ("Topic",),
}


def component_wanted(res: Resource) -> str:
    """The name a component is given from its logical ID: kebab case, without its type's suffix."""
    name = res.logical_id
    for suffix in NAME_SUFFIXES.get(res.type, ()):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return _kebab(name)


def _finish(ctx: Context, b: Builder, name_props: tuple[str, ...], what: str, handled: set[str]) -> str:
    """Add the component ``b`` built; report its name, leftovers, condition and deletion policy."""
    res = b.res
    wanted = component_wanted(res)
    for prop in name_props:
        b.used.add(prop)
        try:
            literal = res.template.resolve(res.props.get(prop)) if prop in res.props else None
        except Unresolved:
            literal = None
        if isinstance(literal, str) and literal and "${" not in literal:
            # ``!Sub ${App}-name``, Copilot's usual prefix, says nothing about the component
            # (a name written out in full is kept as it is).
            computed = not isinstance(res.props.get(prop), str)
            wanted = (literal.removeprefix(f"{ctx.app}-") if computed else literal) or literal
            break
    name = ctx.draft.component_name(wanted, res.origin, res.subject)
    kind = b.kind
    owner = f"workload {res.template.owner}" if res.template.owner else "the environments"
    comment = f"from {res.template.addon.origin.file} ({res.logical_id}, {res.type}, addon of {owner})"
    ctx.draft.add_component(ComponentDraft(name, kind, res.origin, comment, dict(b.fields)))
    for env in sorted(b.per_env):
        ctx.draft.override(env, name, b.per_env[env])
    res.template.components[res.logical_id] = name
    ctx.report.imported(res.origin, res.subject, f"became {what} `{name}` (kind {kind})"
                        + (f"; differs per environment: {', '.join(sorted(b.per_env))}" if b.per_env else ""))
    left = [p for p in res.props if p not in b.used and p not in handled]
    if left:
        ctx.report.left_out(res.at(left[0]), f"{res.subject}: properties",
                            f"not kept: {', '.join(left)} (scaffold sets these itself or has no such setting)")
    _attributes(ctx, res, name)
    _behaviour(ctx, res, name, kind)
    return name


def _attributes(ctx: Context, res: Resource, name: str) -> None:
    """``Condition`` and ``DeletionPolicy`` of a mapped resource, reported."""
    body = res.body
    for key in sorted(set(body) - _ATTRIBUTES, key=lambda k: body.key_lines.get(k, 0)):
        ctx.report.left_out(body.at(key), f"{res.subject}: {key}", "not a CloudFormation resource attribute; ignored")
    if "Condition" in body:
        cond = body["Condition"]
        where = []
        for copilot_env, env in sorted(ctx.env_names.items(), key=lambda kv: kv[1]):
            try:
                if res.template.condition(cond, copilot_env):
                    where.append(env)
            except Unresolved:
                where = []
                break
        holds = f" (here: {', '.join(where) or 'no environment'})" if where or ctx.env_names else ""
        ctx.report.decide(body.at("Condition"), f"{res.subject}: Condition",
                          f"Copilot created it only where condition `{cond}` holds{holds}; scaffold creates "
                          f"`{name}` in every environment")
    policy = body.get("DeletionPolicy")
    if policy in ("Retain", "Snapshot", "RetainExceptOnCreate"):
        ctx.report.behaviour(body.at("DeletionPolicy"), f"{res.subject}: DeletionPolicy",
                             f"`{policy}` is not kept: the profile decides (databases take a final snapshot in "
                             "staging and production, buckets are retained in production)")


def _behaviour(ctx: Context, res: Resource, name: str, kind: str) -> None:
    text = BEHAVIOUR.get(kind)
    if text is not None:
        ctx.report.behaviour(res.origin, f"{kind} {name}", text())


# --------------------------------------------------------------------------------------------
# Behaviour changes, from the profiles (one source: scaffold.spec.kinds.<kind>.KIND.profiles)
# --------------------------------------------------------------------------------------------


def _profiles(kind: str) -> Any:
    from scaffold.spec.kinds import kind as kind_entry

    return kind_entry(kind).profiles


def _days(seconds: int) -> str:
    from scaffold.spec.units import format_duration

    return format_duration(seconds)


def _database_behaviour() -> str:
    p = _profiles("database")
    prod, staging = p["production"], p["staging"]
    return (f"production gets {prod['replicas']} reader(s), each in another AZ, with automatic failover "
            f"(Multi-AZ); staging {staging['replicas']}. Apps connect through an RDS Proxy with IAM "
            f"authentication in {_where(p, 'proxy')}; backups are kept {_days(prod['backup_retention'])} in "
            f"production, with deletion protection and a final snapshot; TLS is required")


def _cache_behaviour() -> str:
    p = _profiles("cache")
    return (f"production gets {p['production']['replicas']} replica(s) with automatic failover and Multi-AZ "
            f"(staging {p['staging']['replicas']}), snapshots kept {_days(p['production']['snapshot_retention'])}; "
            "encryption at rest and in transit and an AUTH token are always on")


def _bucket_behaviour() -> str:
    p = _profiles("bucket")
    return (f"versioning is on in {_where(p, 'versioning')}, the bucket is retained on destroy in "
            f"{_where(p, 'retain')}; every request without TLS is denied, public access is blocked, "
            "ACLs are disabled; the bucket's name becomes <project>-<environment>-<component>-<account>-<region>: "
            "copy the objects from the old bucket")


def _queue_behaviour() -> str:
    p = _profiles("queue")["production"]
    return (f"the queue gets a dead-letter queue (a message goes there after {p['max_receives']} receives) "
            "with an alarm, and TLS-only access; the queue's name and URL change: drain the old one")


def _notifications_behaviour() -> str:
    return "the topic accepts TLS only; its name and ARN change: move publishers and subscribers"


def _where(profiles: Any, key: str) -> str:
    on = [name for name, values in profiles.items() if values.get(key)]
    return " and ".join(on) if on else "no profile"


#: One behaviour-change text per kind, reported once per component.
BEHAVIOUR: dict[str, Callable[[], str]] = {
    "database": _database_behaviour, "cache": _cache_behaviour, "bucket": _bucket_behaviour,
    "queue": _queue_behaviour, "notifications": _notifications_behaviour,
}


# --------------------------------------------------------------------------------------------
# Converters, one per CloudFormation type
# --------------------------------------------------------------------------------------------

#: Aurora/RDS engine → scaffold engine (blueprints.database.settings.ENGINES holds the reverse).
DATABASE_ENGINES = {"aurora-postgresql": "postgres", "aurora-mysql": "mysql", "aurora": "mysql",
                    "postgres": "postgres", "mysql": "mysql", "mariadb": "mysql"}
#: Properties of database resources that scaffold's database sets itself (credentials, network,
#: encryption, parameter groups) — not reported one by one as missing settings.
_DATABASE_OWN = {"MasterUsername", "MasterUserPassword", "ManageMasterUserPassword", "MasterUserSecret",
                 "DBSubnetGroupName", "VpcSecurityGroupIds", "DBClusterParameterGroupName",
                 "DBParameterGroupName", "StorageEncrypted", "KmsKeyId", "Port", "Tags",
                 "DBClusterIdentifier", "DBInstanceIdentifier", "EnableIAMDatabaseAuthentication",
                 "CopyTagsToSnapshot", "PubliclyAccessible", "AvailabilityZone", "AvailabilityZones"}


def _engine(res: Resource, b: Builder, ctx: Context, aurora: bool) -> None:
    values = b.value("Engine")
    if values is None:
        return
    engines: dict[str | None, Any] = {}
    for env, raw in values.items():
        engine = DATABASE_ENGINES.get(str(raw).lower())
        if engine is None:
            ctx.report.left_out(res.at("Engine"), f"{res.subject}: Engine",
                                f"`{raw}` has no scaffold engine (Aurora PostgreSQL or MySQL); the profile's is used")
            return
        if str(raw).lower() in ("mariadb", "aurora") or not aurora:
            ctx.report.behaviour(res.at("Engine"), f"{res.subject}: Engine",
                                 f"`{raw}` becomes Aurora {'PostgreSQL' if engine == 'postgres' else 'MySQL'}: "
                                 "test the app against it, and move the data (dump and restore, or AWS DMS)")
        engines[env] = engine
    b.set("engine", engines)


def _version(res: Resource, b: Builder, ctx: Context) -> None:
    """``EngineVersion`` → ``version`` when scaffold's version check accepts it (blueprints.database.settings)."""
    from blueprints.database.settings import version_problems
    from scaffold.spec.profiles import ENGINE_VERSIONS

    values = b.value("EngineVersion")
    if values is None:
        return
    engine = b.get("engine") or _profiles("database")["dev"]["engine"]
    out: dict[str | None, Any] = {}
    for env, raw in values.items():
        problems = list(version_problems(engine, str(raw)))
        if problems:
            ctx.report.left_out(res.at("EngineVersion"), f"{res.subject}: EngineVersion",
                                f"`{raw}` is refused by scaffold ({problems[0].message}); the default "
                                f"`{ENGINE_VERSIONS[engine]}` is used: upgrade the old database to it before "
                                "moving the data")
            return
        out[env] = str(raw)
    b.set("version", out)


def _serverless(res: Resource, b: Builder, ctx: Context) -> bool:
    """Serverless v2 (``ServerlessV2ScalingConfiguration``) or v1 (``EngineMode: serverless``) → ``serverless``."""
    props = res.props
    v2 = props.get("ServerlessV2ScalingConfiguration")
    v1 = props.get("ScalingConfiguration") if "EngineMode" in props else None
    b.used.update({"ServerlessV2ScalingConfiguration", "ScalingConfiguration", "EngineMode"})
    config, key = (v2, "ServerlessV2ScalingConfiguration") if v2 is not None else (v1, "ScalingConfiguration")
    mode = props.get("EngineMode")
    if config is None and mode != "serverless":
        return False
    origin = res.at(key) if config is not None else res.at("EngineMode")
    if key == "ScalingConfiguration" or mode == "serverless":
        ctx.report.behaviour(origin, f"{res.subject}: serverless v1",
                             "Aurora Serverless v1 (end of life) becomes Aurora Serverless v2 with the same "
                             "capacity range in ACU; v1's auto-pause becomes v2's only with a minimum of 0 ACU")
    if not isinstance(config, dict):
        ctx.report.decide(origin, f"{res.subject}: {key}", "no capacity range given; the profile's instance is used")
        return False
    bounds: dict[str, dict[str | None, Any]] = {}
    for prop, spec in (("MinCapacity", "min"), ("MaxCapacity", "max")):
        sub = config.at(prop) if isinstance(config, Located) else origin
        values = b.value(prop, container=config, origin=sub)
        if values is None:
            return False
        bounds[spec] = values
    if "AutoPause" in config or "SecondsUntilAutoPause" in config:
        ctx.report.left_out(origin, f"{res.subject}: {key}.AutoPause",
                            "Aurora Serverless v2 pauses only with a minimum capacity of 0 ACU")
    if None in bounds["min"] and None in bounds["max"]:
        envs: list[str | None] = [None]
    else:
        envs = [*sorted(set(ctx.env_names.values()))]
    chosen: dict[str | None, Any] = {}
    for env in envs:
        low = bounds["min"].get(env, bounds["min"].get(None))
        high = bounds["max"].get(env, bounds["max"].get(None))
        candidate = {"min": _number(low), "max": _number(high)}
        problem = refusal("database", {"serverless": candidate}) or _serverless_version_problem(b, candidate)
        if problem:
            shown = f" in `{env}`" if env else ""
            ctx.report.left_out(origin, f"{res.subject}: {key}",
                                f"capacity {low}-{high}{shown} is refused by scaffold ({problem}); the "
                                "profile's instance class is used")
            return False
        chosen[env] = candidate
    b.set("serverless", chosen)
    return True


def _number(value: Any) -> Any:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def _serverless_version_problem(b: Builder, capacity: dict[str, Any]) -> str | None:
    from blueprints.database.settings import ServerlessCapacity, serverless_version_problems
    from scaffold.spec.profiles import ENGINE_VERSIONS

    engine = b.get("engine") or _profiles("database")["dev"]["engine"]
    version = b.get("version") or ENGINE_VERSIONS[engine]
    try:
        cap = ServerlessCapacity(min=capacity["min"], max=capacity["max"])
    except ValueError as err:
        return str(err)
    problems = list(serverless_version_problems(engine, version, cap))
    return problems[0].message if problems else None


def _database_name(b: Builder, prop: str) -> None:
    b.take(prop, "database", str)


def _backup(b: Builder) -> None:
    def days(value: Any) -> str:
        if not str(value).isdigit():
            raise Refused("not a number of days")
        return f"{int(value)}d"
    b.take("BackupRetentionPeriod", "backup_retention", days)


def _instance_check(ctx: Context, res: Resource, b: Builder, origin: Origin) -> None:
    """Drop an instance class scaffold's database settings refuse in a profile the spec uses (e.g. an
    Aurora MySQL class without Performance Insights, which production turns on); reported."""
    from blueprints.database.settings import DatabaseSettings
    from scaffold.spec.profiles import ENGINE_VERSIONS

    instance = b.fields.get("instance")
    if not instance or "serverless" in b.fields:
        return
    engine = b.get("engine") or _profiles("database")["dev"]["engine"]
    version = b.get("version") or ENGINE_VERSIONS[engine]
    for profile in sorted({env.profile for env in ctx.draft.environments.values()}):
        defaults = _profiles("database")[profile]
        try:
            DatabaseSettings(engine=engine, version=version, instance=instance,
                             performance_insights=bool(defaults["performance_insights"]))
        except ValueError as err:
            problems = getattr(err, "problems", ())
            why = problems[0].message if problems else str(err)
            del b.fields["instance"]
            ctx.report.left_out(origin, f"{res.subject}: instance class",
                                f"`{instance}` is refused by scaffold in the {profile} profile ({why}); the "
                                "profile's instance class is used")
            return


def convert_db_cluster(ctx: Context, res: Resource) -> None:
    """``AWS::RDS::DBCluster`` (Aurora) → ``database``, with the class of its instances in the template."""
    b = Builder(ctx, res, "database")
    _engine(res, b, ctx, aurora=str(res.props.get("Engine", "aurora")).startswith("aurora"))
    _version(res, b, ctx)
    _database_name(b, "DatabaseName")
    _backup(b)
    serverless = _serverless(res, b, ctx)
    instances = [r for r in res.template.resources.values() if r.type == "AWS::RDS::DBInstance"
                 and res.logical_id in set(references(r.props.get("DBClusterIdentifier")))]
    for inst in instances:
        res.template.absorbed[inst.logical_id] = res.logical_id
    classes = []
    for inst in instances:
        try:
            classes.append(res.template.resolve(inst.props.get("DBInstanceClass")))
        except Unresolved:
            ctx.report.decide(inst.at("DBInstanceClass"), f"{inst.subject}: DBInstanceClass",
                              "set by an expression; the profile default is used")
    if "DeletionProtection" in res.props:
        b.used.add("DeletionProtection")
        ctx.report.decide(res.at("DeletionProtection"), f"{res.subject}: DeletionProtection",
                          f"`{str(res.props['DeletionProtection']).lower()}` is not copied: deletion protection is on in "
                          f"{_where(_profiles('database'), 'deletion_protection')} (the profile); set "
                          "`deletion_protection` to change it")
    for inst in instances:
        ctx.report.imported(inst.origin, inst.subject, f"an instance of {res.logical_id}: part of its database")
    real = [c for c in classes if isinstance(c, str) and c != "db.serverless"]
    if real and not serverless:
        b.take("DBInstanceClass", "instance", str, container={"DBInstanceClass": real[0]},
               origin=instances[0].at("DBInstanceClass"))
        if len(set(real)) > 1:
            ctx.report.decide(instances[0].at("DBInstanceClass"), f"{res.subject}: instances",
                              f"its instances have classes {', '.join(sorted(set(real)))}; scaffold gives every "
                              f"instance one class: `{real[0]}`")
    elif "db.serverless" in classes and not serverless:
        ctx.report.decide(instances[0].at("DBInstanceClass"), f"{res.subject}: instances",
                          "db.serverless instances without a capacity scaffold accepts; the profile's instance "
                          "class is used")
    if real and not serverless:
        _instance_check(ctx, res, b, instances[0].at("DBInstanceClass"))
    if instances:
        ctx.report.decide(instances[0].origin, f"{res.subject}: instances",
                          f"Copilot ran {len(instances)} instance(s); scaffold runs a writer plus the profile's "
                          "`replicas` readers (set `replicas` to change it)")
    _finish(ctx, b, ("DBClusterIdentifier",), "database", _DATABASE_OWN | {"Engine", "EngineVersion"})


def convert_db_instance(ctx: Context, res: Resource) -> None:
    """``AWS::RDS::DBInstance`` not in a cluster (RDS PostgreSQL/MySQL) → an Aurora ``database``, reported."""
    engine = str(res.props.get("Engine", "")).lower()
    if engine.startswith("aurora") and "DBClusterIdentifier" in res.props:
        ctx.report.left_out(res.origin, res.subject, "an instance of a cluster that is not in this template")
        return
    if engine not in DATABASE_ENGINES:
        ctx.report.left_out(res.origin, res.subject,
                            f"engine `{res.props.get('Engine')}` has no scaffold kind (Aurora PostgreSQL or MySQL only)")
        return
    b = Builder(ctx, res, "database")
    _engine(res, b, ctx, aurora=False)
    _version(res, b, ctx)
    _database_name(b, "DBName")
    _backup(b)
    if b.take("DBInstanceClass", "instance", str):
        _instance_check(ctx, res, b, res.at("DBInstanceClass"))
    if b.get("instance"):
        ctx.report.decide(res.at("DBInstanceClass"), f"{res.subject}: DBInstanceClass",
                          f"`{b.get('instance')}` is copied from an RDS instance: check that Aurora offers this class "
                          "(Aurora runs the db.r*, db.x2g and db.t3/t4g medium and larger families)")
    ctx.report.behaviour(res.origin, f"{res.subject}: RDS instance",
                         "a standalone RDS instance becomes an Aurora cluster: storage grows by itself "
                         "(AllocatedStorage and StorageType do not apply), and failover comes from readers")
    for prop in ("MultiAZ", "DeletionProtection", "AllocatedStorage", "MaxAllocatedStorage", "StorageType", "Iops"):
        b.used.add(prop)
    _finish(ctx, b, ("DBInstanceIdentifier",), "database", _DATABASE_OWN | {"Engine", "EngineVersion"})


#: ElastiCache properties the cache component sets itself.
_CACHE_OWN = {"CacheSubnetGroupName", "SecurityGroupIds", "VpcSecurityGroupIds", "CacheParameterGroupName",
              "AtRestEncryptionEnabled", "TransitEncryptionEnabled", "AuthToken", "KmsKeyId", "Port", "Tags",
              "AutomaticFailoverEnabled", "MultiAZEnabled", "NumCacheClusters", "ReplicasPerNodeGroup",
              "NumCacheNodes", "ReplicationGroupDescription", "Description", "SubnetIds", "PreferredAvailabilityZone",
              "PreferredCacheClusterAZs", "SnapshotRetentionLimit", "UserGroupIds", "CacheUsageLimits"}


def _cache(ctx: Context, res: Resource, version_prop: str, node_prop: str | None, name_props: tuple[str, ...]) -> None:
    from blueprints.cache.settings import version_problems

    b = Builder(ctx, res, "cache")
    engines = b.value("Engine")
    engine = "redis"
    if engines is not None:
        names = {str(v).lower() for v in engines.values()}
        if names & {"memcached"}:
            ctx.report.left_out(res.origin, res.subject,
                                "Memcached has no scaffold kind (a cache is Redis OSS or Valkey); not imported")
            return
        if not names <= {"redis", "valkey"}:
            ctx.report.left_out(res.at("Engine"), f"{res.subject}: Engine", f"`{sorted(names)}` is not redis or valkey; "
                                "the profile's engine is used")
        else:
            b.set("engine", {k: str(v).lower() for k, v in engines.items()})
            engine = str(next(iter(engines.values()))).lower()

    def version(value: Any) -> str:
        text = str(value)
        problems = list(version_problems(engine, text))
        if problems:
            raise Refused(f"{problems[0].message}; {problems[0].hint}" if problems[0].hint else problems[0].message)
        return text
    b.take(version_prop, "version", version)
    if node_prop:
        b.take(node_prop, "node", str)
    if any(p in res.props for p in ("NumCacheClusters", "ReplicasPerNodeGroup", "NumCacheNodes",
                                     "AutomaticFailoverEnabled", "MultiAZEnabled")):
        ctx.report.decide(res.origin, f"{res.subject}: replicas",
                          "Copilot's node count and failover settings are not copied: the profile sets `replicas` "
                          "(set it to change that)")
    if "NumNodeGroups" in res.props or "NodeGroupConfiguration" in res.props:
        b.used.update({"NumNodeGroups", "NodeGroupConfiguration"})
        ctx.report.left_out(res.origin, f"{res.subject}: cluster mode",
                            "cluster mode (several shards) has no equivalent: scaffold's cache has one shard")
    _finish(ctx, b, name_props, "cache", _CACHE_OWN | {"Engine"})


def convert_replication_group(ctx: Context, res: Resource) -> None:
    """``AWS::ElastiCache::ReplicationGroup`` → ``cache``."""
    _cache(ctx, res, "EngineVersion", "CacheNodeType", ("ReplicationGroupId",))


def convert_cache_cluster(ctx: Context, res: Resource) -> None:
    """``AWS::ElastiCache::CacheCluster`` → ``cache`` (a replication group with the profile's replicas)."""
    _cache(ctx, res, "EngineVersion", "CacheNodeType", ("ClusterName",))


def convert_serverless_cache(ctx: Context, res: Resource) -> None:
    """``AWS::ElastiCache::ServerlessCache`` → ``cache`` (node-based), reported."""
    ctx.report.behaviour(res.origin, f"{res.subject}: serverless",
                         "ElastiCache Serverless becomes a node-based replication group: pick `node` for the load")
    _cache(ctx, res, "MajorEngineVersion", None, ("ServerlessCacheName",))


def convert_bucket(ctx: Context, res: Resource) -> None:
    """``AWS::S3::Bucket`` → ``bucket``: versioning, encryption, a lifecycle expiration."""
    b = Builder(ctx, res, "bucket")
    versioning = res.props.get("VersioningConfiguration")
    if versioning is not None:
        b.take("Status", "versioning", lambda s: str(s) == "Enabled", container=versioning,
               origin=res.at("VersioningConfiguration"))
        b.used.add("VersioningConfiguration")
    encryption = res.props.get("BucketEncryption")
    if encryption is not None:
        b.used.add("BucketEncryption")
        try:
            rule = encryption["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
            algorithm = res.template.resolve(rule["SSEAlgorithm"])
        except (KeyError, IndexError, TypeError, Unresolved):
            algorithm = None
        if algorithm in ("aws:kms", "aws:kms:dsse", "AES256"):
            b.fields["encryption"] = "s3" if algorithm == "AES256" else "kms"
            if isinstance(rule, dict) and "KMSMasterKeyID" in rule:
                ctx.report.behaviour(res.at("BucketEncryption"), f"{res.subject}: KMSMasterKeyID",
                                     "the bucket gets a KMS key of its own instead of the one named")
        else:
            ctx.report.left_out(res.at("BucketEncryption"), f"{res.subject}: BucketEncryption",
                                "not read; the profile's encryption (SSE-S3) is used")
    _lifecycle(ctx, res, b)
    if "PublicAccessBlockConfiguration" in res.props or "OwnershipControls" in res.props:
        b.used.update({"PublicAccessBlockConfiguration", "OwnershipControls"})
    for prop in ("WebsiteConfiguration", "CorsConfiguration", "AccessControl", "NotificationConfiguration",
                 "ReplicationConfiguration", "LoggingConfiguration", "ObjectLockConfiguration",
                 "ObjectLockEnabled", "IntelligentTieringConfigurations", "InventoryConfigurations",
                 "MetricsConfigurations", "AnalyticsConfigurations", "AccelerateConfiguration"):
        if prop in res.props:
            b.used.add(prop)
            ctx.report.left_out(res.at(prop), f"{res.subject}: {prop}",
                                "has no equivalent: a scaffold bucket is private (no website, no public access) "
                                "and has no CORS, notifications, replication or access logging")
    _finish(ctx, b, ("BucketName",), "bucket", {"Tags"})


def _lifecycle(ctx: Context, res: Resource, b: Builder) -> None:
    lifecycle = res.props.get("LifecycleConfiguration")
    if lifecycle is None:
        return
    b.used.add("LifecycleConfiguration")
    origin = res.at("LifecycleConfiguration")
    rules = lifecycle.get("Rules") if isinstance(lifecycle, dict) else None
    if not isinstance(rules, list):
        ctx.report.left_out(origin, f"{res.subject}: LifecycleConfiguration", "no rules read")
        return
    kept: list[str] = []
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        if rule.get("Status") == "Disabled":
            continue
        extra = sorted(set(rule) - {"Id", "Status", "ExpirationInDays", "AbortIncompleteMultipartUpload",
                                    "NoncurrentVersionExpirationInDays", "NoncurrentVersionExpiration"})
        scoped = any(k in rule for k in ("Prefix", "Filter", "TagFilters"))
        days = rule.get("ExpirationInDays")
        if days is not None and not scoped and "expire_after" not in b.fields and str(days).isdigit():
            value = f"{int(days)}d"
            problem = refusal("bucket", {"expire_after": value})
            if problem is None:
                b.fields["expire_after"] = value
                kept.append(f"rule {i + 1}: expiration after {days} days → expire_after {value}")
                extra = [k for k in extra if k not in ("Prefix", "Filter", "TagFilters")]
                if extra:
                    ctx.report.left_out(origin, f"{res.subject}: LifecycleConfiguration rule {i + 1}",
                                        f"not kept: {', '.join(extra)}")
                continue
        ctx.report.left_out(origin, f"{res.subject}: LifecycleConfiguration rule {i + 1}",
                            f"({', '.join(k for k in rule if k not in ('Id', 'Status'))}) is not expressible as "
                            "`expire_after` (one age, in whole days, for every object); scaffold aborts unfinished "
                            "uploads after 7 days")
    if kept:
        ctx.report.imported(origin, f"{res.subject}: LifecycleConfiguration", "; ".join(kept))


def convert_queue(ctx: Context, res: Resource) -> None:
    """``AWS::SQS::Queue`` → ``queue``; a queue another one's ``RedrivePolicy`` targets is its dead-letter queue."""
    b = Builder(ctx, res, "queue")
    b.take("FifoQueue", "fifo", _boolean)
    b.take("ContentBasedDeduplication", "content_based_deduplication", _boolean)
    b.take("VisibilityTimeout", "visibility_timeout", _queue_seconds("visibility_timeout"))
    b.take("MessageRetentionPeriod", "retention", _queue_seconds("retention"))
    redrive = res.props.get("RedrivePolicy")
    if redrive is not None:
        b.used.add("RedrivePolicy")
        if isinstance(redrive, dict) and "maxReceiveCount" in redrive:
            b.take("maxReceiveCount", "max_receives", _integer, container=redrive, origin=res.at("RedrivePolicy"))
        target = set(references(redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None))
        for dlq in sorted(target & set(res.template.resources)):
            res.template.absorbed[dlq] = res.logical_id
            ctx.report.imported(res.template.resources[dlq].origin, res.template.resources[dlq].subject,
                                f"the dead-letter queue of {res.logical_id}: scaffold creates its own")
    _finish(ctx, b, ("QueueName",), "queue", {"Tags", "KmsMasterKeyId", "SqsManagedSseEnabled",
                                              "KmsDataKeyReusePeriodSeconds"})


def _queue_seconds(setting: str) -> Callable[[Any], str]:
    """A converter of seconds that scaffold's queue settings (blueprints.queue.settings) also check."""
    def convert(value: Any) -> str:
        from blueprints.queue.settings import QueueSettings

        text = _seconds(value)
        try:
            QueueSettings(**{setting: int(value)})
        except ValueError as err:
            problems = getattr(err, "problems", ())
            raise Refused(problems[0].message if problems else str(err)) from None
        return text
    return convert


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise Refused("not a boolean")


def _seconds(value: Any) -> str:
    from scaffold.spec.units import format_duration

    if not str(value).isdigit():
        raise Refused("not a number of seconds")
    return format_duration(int(value)) if int(value) else "0s"


def _integer(value: Any) -> int:
    if not str(value).isdigit():
        raise Refused("not a whole number")
    return int(value)


def convert_topic(ctx: Context, res: Resource) -> None:
    """``AWS::SNS::Topic`` → ``notifications``; its ``Subscription`` entries and the template's
    ``AWS::SNS::Subscription`` resources become ``subscribers``."""
    b = Builder(ctx, res, "notifications")
    subs: list[tuple[Any, Origin]] = []
    if "Subscription" in res.props:
        b.used.add("Subscription")
        entries = res.props["Subscription"]
        for entry in entries if isinstance(entries, list) else []:
            subs.append((entry, entry.origin if isinstance(entry, Located) else res.at("Subscription")))
    for other in res.template.resources.values():
        if other.type == "AWS::SNS::Subscription" and res.logical_id in set(references(other.props.get("TopicArn"))):
            res.template.absorbed[other.logical_id] = res.logical_id
            subs.append((other.props, other.origin))
    if "FifoTopic" in res.props:
        b.used.add("FifoTopic")
        ctx.report.left_out(res.at("FifoTopic"), f"{res.subject}: FifoTopic",
                            "scaffold's topics are standard (not FIFO): ordering and deduplication are not kept")
    subscribers = [s for s in (_subscriber(ctx, res, entry, origin) for entry, origin in subs) if s]
    if subscribers:
        b.fields["subscribers"] = subscribers
    _finish(ctx, b, ("TopicName",), "notifications", {"Tags", "KmsMasterKeyId", "DisplayName"})


_PROTOCOLS = {"email": "email", "email-json": "email", "sms": "sms", "https": "https"}


def _subscriber(ctx: Context, res: Resource, entry: Any, origin: Origin) -> dict[str, str] | None:
    if not isinstance(entry, dict):
        return None
    try:
        protocol = str(res.template.resolve(entry.get("Protocol"))).lower()
    except Unresolved:
        protocol = "?"
    endpoint_raw = entry.get("Endpoint")
    subject = f"{res.subject}: subscription"
    if protocol == "sqs":
        queues = [q for q in references(endpoint_raw) if q in res.template.resources
                  and res.template.resources[q].type == "AWS::SQS::Queue"]
        if queues:
            return {"queue": f"@{queues[0]}"}  # resolved to the component's name once it exists
        ctx.report.left_out(origin, subject, "a queue outside this template: subscribe its scaffold `queue` by hand")
        return None
    key = _PROTOCOLS.get(protocol)
    if key is None:
        ctx.report.left_out(origin, subject, f"protocol `{protocol}` has no scaffold subscriber (email, sms, https "
                            "or a queue of the spec)")
        return None
    try:
        endpoint = res.template.resolve(endpoint_raw)
    except Unresolved as why:
        ctx.report.left_out(origin, subject, f"the endpoint is set by an expression ({why}); add it by hand")
        return None
    problem = refusal("notifications", {"subscribers": [{key: str(endpoint)}]})
    if problem:
        ctx.report.left_out(origin, subject, f"`{endpoint}` is refused by scaffold ({problem})")
        return None
    return {key: str(endpoint)}


#: Converters by CloudFormation type: the resources that become components.
RESOURCE_TYPES: dict[str, Callable[[Context, Resource], None]] = {
    "AWS::RDS::DBCluster": convert_db_cluster,
    "AWS::RDS::DBInstance": convert_db_instance,
    "AWS::ElastiCache::ReplicationGroup": convert_replication_group,
    "AWS::ElastiCache::CacheCluster": convert_cache_cluster,
    "AWS::ElastiCache::ServerlessCache": convert_serverless_cache,
    "AWS::S3::Bucket": convert_bucket,
    "AWS::SQS::Queue": convert_queue,
    "AWS::SNS::Topic": convert_topic,
}

#: Types that serve a mapped resource, by what scaffold creates instead (reported once per resource).
COMPANIONS: dict[str, str] = {
    "AWS::RDS::DBSubnetGroup": "its own subnet group in the private subnets",
    "AWS::RDS::DBClusterParameterGroup": "its own parameter group (TLS required); other parameters are not kept",
    "AWS::RDS::DBParameterGroup": "its own parameter group (TLS required); other parameters are not kept",
    "AWS::EC2::SecurityGroup": "its own security groups: a service reaches what it `uses`, nothing else",
    "AWS::EC2::SecurityGroupIngress": "its own security group rules",
    "AWS::EC2::SecurityGroupEgress": "its own security group rules",
    "AWS::SecretsManager::Secret": "its own credentials (a secret RDS manages and rotates, or an AUTH token)",
    "AWS::SecretsManager::SecretTargetAttachment": "its own credentials",
    "AWS::SecretsManager::RotationSchedule": "its own credentials rotation",
    "AWS::KMS::Key": "its own encryption keys",
    "AWS::KMS::Alias": "its own encryption keys",
    "AWS::ElastiCache::SubnetGroup": "its own subnet group in the private subnets",
    "AWS::ElastiCache::ParameterGroup": "its own parameter group; other parameters are not kept",
    "AWS::ElastiCache::User": "its own AUTH token",
    "AWS::ElastiCache::UserGroup": "its own AUTH token",
    "AWS::S3::BucketPolicy": "its own bucket policy (TLS only, no public access); these statements are not kept",
    "AWS::SQS::QueuePolicy": "its own queue policy (TLS only; topics of the spec may send)",
    "AWS::SNS::TopicPolicy": "its own topic policy (TLS only)",
    "AWS::IAM::ManagedPolicy": "the IAM permissions of each service that `uses` a component; this policy is not kept",
}

#: Why a type with no scaffold kind is left out (default: :data:`_NO_KIND`).
LEFT_OUT: dict[str, str] = {
    "AWS::DynamoDB::Table": "scaffold has no DynamoDB kind",
    "AWS::IAM::ManagedPolicy": "scaffold grants each service access to what it `uses` only; extra IAM policies are not kept",
    "AWS::Lambda::Function": "scaffold runs no Lambda functions (a `worker` or a `job` may replace it)",
    "AWS::AmazonMQ::Broker": "scaffold has no Amazon MQ kind (a `queue` with a `worker` may replace it)",
    "AWS::SSM::Parameter": "scaffold creates no SSM parameters; create it outside and pass its ARN in `secrets`",
    "AWS::SecretsManager::Secret": "scaffold creates no free-standing secrets; create it outside and pass its ARN "
                                   "in `secrets`",
}
_NO_KIND = "has no scaffold kind; keep it in a stack of its own and pass what services need through " \
           "`environment` or `secrets`"


# --------------------------------------------------------------------------------------------
# convert and link
# --------------------------------------------------------------------------------------------

#: The key in `Context.passed` of each template read by :func:`convert`, for :func:`link`.
_TEMPLATES = __name__


def convert(ctx: Context) -> None:
    """Convert every addon template's resources (see the module docstring)."""
    templates: list[Template] = []
    ctx.passed[_TEMPLATES] = templates
    for addon in ctx.workspace.addons:
        template = _read(ctx, addon)
        if template is None:
            continue
        templates.append(template)
        _prepass(template)
        for res in template.resources.values():
            converter = RESOURCE_TYPES.get(res.type)
            if converter is not None and res.logical_id not in template.absorbed:
                converter(ctx, res)
        _subscribers(ctx, template)
        _rest(ctx, template)


def _prepass(t: Template) -> None:
    """Mark the resources a mapped one takes in, whatever their order in the template: a cluster's
    instances, a queue's dead-letter queue, a topic's subscriptions."""
    by_type: dict[str, set[str]] = {}
    for res in t.resources.values():
        by_type.setdefault(res.type, set()).add(res.logical_id)
    for res in t.resources.values():
        if res.type == "AWS::RDS::DBInstance":
            for target in set(references(res.props.get("DBClusterIdentifier"))) & by_type.get("AWS::RDS::DBCluster", set()):
                t.absorbed[res.logical_id] = target
        elif res.type == "AWS::SQS::Queue":
            redrive = res.props.get("RedrivePolicy")
            if isinstance(redrive, dict):
                for target in set(references(redrive.get("deadLetterTargetArn"))) & by_type.get("AWS::SQS::Queue", set()):
                    if target != res.logical_id:
                        t.absorbed[target] = res.logical_id
        elif res.type == "AWS::SNS::Subscription":
            for target in set(references(res.props.get("TopicArn"))) & by_type.get("AWS::SNS::Topic", set()):
                t.absorbed[res.logical_id] = target


def _read(ctx: Context, addon: Addon) -> Template | None:
    data = addon.data
    if not isinstance(data, Located):
        ctx.report.left_out(addon.origin, "addon template", "not a CloudFormation template (not a mapping); ignored")
        return None
    resources = data.get("Resources")
    if not isinstance(resources, Located) or not resources:
        ctx.report.left_out(data.origin, "addon template", "has no `Resources`; ignored")
        return None
    t = Template(ctx, addon, data, mappings=data.get("Mappings"), conditions=data.get("Conditions"))
    params = data.get("Parameters")
    for name, decl in (params.items() if isinstance(params, dict) else []):
        if isinstance(decl, dict) and "Default" in decl:
            t.parameters[name] = decl["Default"]
    given = ctx.workspace.parameters.get(addon.owner)
    given_params = given.data.get("Parameters") if given and isinstance(given.data, dict) else None
    for name, value in (given_params.items() if isinstance(given_params, dict) else []):
        try:
            t.parameters[name] = t.resolve(value)
        except Unresolved as why:
            t.parameters[name] = Unresolved(f"`{name}` from addons.parameters.yml, {why}")
    for logical_id in sorted(resources, key=lambda k: (resources.key_lines.get(k, 0), k)):
        body = resources[logical_id]
        origin = resources.at(logical_id)
        if not isinstance(body, Located) or not isinstance(body.get("Type"), str):
            ctx.report.left_out(origin, f"addon {logical_id}", "not a resource (no `Type`); ignored")
            continue
        t.resources[logical_id] = Resource(t, logical_id, body["Type"], body, origin)
    return t


def _subscribers(ctx: Context, t: Template) -> None:
    """Turn ``{"queue": "@LogicalId"}`` subscribers into the queue component's name."""
    for logical_id, name in t.components.items():
        component = ctx.draft.components[name]
        subs = component.fields.get("subscribers")
        if component.kind != "notifications" or not subs:
            continue
        out = []
        for sub in subs:
            target = sub.get("queue", "")
            if target.startswith("@"):
                queue = t.components.get(target[1:])
                if queue is None or ctx.draft.components[queue].fields.get("fifo"):
                    ctx.report.left_out(t.resources[logical_id].origin, f"{t.resources[logical_id].subject}: "
                                        "subscription", f"queue {target[1:]} is not a standard scaffold queue")
                    continue
                sub = {"queue": queue}
            out.append(sub)
        if out:
            component.fields["subscribers"] = out
        else:
            del component.fields["subscribers"]


def _rest(ctx: Context, t: Template) -> None:
    """Companions of mapped resources, and every other type, reported once per resource."""
    mapped = sorted(set(t.components.values()))
    for res in t.resources.values():
        if res.logical_id in t.components or res.logical_id in t.absorbed:
            continue
        if res.type in RESOURCE_TYPES:
            continue  # reported by its converter
        serves = res.type != "AWS::IAM::ManagedPolicy" or bool(
            set(references(res.props)) & (set(t.components) | set(t.absorbed)))
        if res.type in COMPANIONS and mapped and serves:
            owner = _companion_of(t, res)
            names = ", ".join(f"`{n}`" for n in ([owner] if owner else mapped))
            ctx.report.imported(res.origin, res.subject, f"scaffold creates its own: {COMPANIONS[res.type]} "
                                f"(part of {names})")
            if owner:
                t.absorbed[res.logical_id] = owner
            continue
        reason = LEFT_OUT.get(res.type, f"`{res.type}` {_NO_KIND}")
        ctx.report.left_out(res.origin, res.subject, reason)


def _companion_of(t: Template, res: Resource) -> str | None:
    """The component a companion resource serves: the only one, or one it references or that references it."""
    names = sorted(set(t.components.values()))
    if len(names) == 1:
        return names[0]
    mine = set(references(res.props))
    for logical_id, name in t.components.items():
        if logical_id in mine or res.logical_id in set(references(t.resources[logical_id].props)):
            return name
    # Names as ``copilot storage init`` writes them: ``<name>Secret`` beside ``<name>DBCluster``.
    best, length = None, 2
    for logical_id, name in sorted(t.components.items()):
        common = _common_prefix(logical_id.lower(), res.logical_id.lower())
        if common > length:
            best, length = name, common
        elif common == length and best not in (None, name):
            best = None
    return best


def _common_prefix(a: str, b: str) -> int:
    """How many leading characters ``a`` and ``b`` share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def link(ctx: Context) -> None:
    """Put addon components in the ``uses`` of the workloads that use them (see the module docstring)."""
    templates: list[Template] = ctx.passed.get(_TEMPLATES, [])
    for t in templates:
        names = [n for n in dict.fromkeys(t.components.values())]
        if not names:
            continue
        if t.owner is not None:
            _link_owner(ctx, t, names)
        else:
            _link_environment(ctx, t, names)


def _usable(ctx: Context, name: str) -> bool:
    from scaffold.spec.kinds import kind as kind_entry

    return kind_entry(ctx.draft.components[name].kind).usable


def _add_uses(ctx: Context, workload: str, names: list[str]) -> list[str]:
    """Append ``names`` to the workload component's ``uses``; the ones added."""
    component = ctx.draft.components.get(ctx.workloads[workload])
    if component is None:
        return []
    uses = component.fields.get("uses")
    uses = list(uses) if isinstance(uses, list) else []
    added = []
    for name in names:
        if name in uses or not _usable(ctx, name) or component.fields.get("consumes") == name:
            continue
        uses.append(name)
        added.append(name)
    if uses:
        component.fields["uses"] = uses
    return added


def _link_owner(ctx: Context, t: Template, names: list[str]) -> None:
    owner = t.owner
    assert owner is not None
    origin = t.data.origin
    if owner not in ctx.workloads:
        ctx.report.left_out(origin, f"addon {t.addon.origin.file}",
                            f"its workload `{owner}` was not imported, so nothing uses "
                            f"{', '.join(f'`{n}`' for n in names)}; add them to the `uses` of the services that need them")
        return
    added = _add_uses(ctx, owner, names)
    if added:
        ctx.report.imported(origin, f"addon {t.addon.origin.file}",
                            f"`{ctx.workloads[owner]}` uses {', '.join(f'`{n}`' for n in added)}")
    copilot_vars = [upper_snake(o) for o in _injected_outputs(t)]
    _variables_behaviour(ctx, t, ctx.workloads[owner], added, copilot_vars,
                         "Copilot injected each output of the addon as a variable")


#: Outputs of these types Copilot attaches to the task (a policy, a security group), not as variables.
_ATTACHED_OUTPUTS = {"AWS::IAM::ManagedPolicy", "AWS::EC2::SecurityGroup"}


def _injected_outputs(t: Template) -> list[str]:
    """The outputs Copilot injected as environment variables (every output but policies and security groups)."""
    outputs = t.data.get("Outputs")
    out = []
    for name, body in (outputs.items() if isinstance(outputs, dict) else []):
        refs = set(references(body.get("Value") if isinstance(body, dict) else None))
        if any(t.resources[r].type in _ATTACHED_OUTPUTS for r in refs if r in t.resources):
            continue
        out.append(str(name))
    return out


def _variables_behaviour(ctx: Context, t: Template, workload: str, added: list[str], copilot_vars: list[str],
                         how: str) -> None:
    if not added:
        return
    scaffold_vars = [v for name in added for v in link_variables(ctx, name)]
    before = f"{how}: {', '.join(copilot_vars)}. " if copilot_vars else ""
    ctx.report.behaviour(t.data.origin, f"{workload}: addon variables",
                         f"{before}scaffold sets its link variables instead: {', '.join(scaffold_vars)}; read "
                         "those names in the app")


def link_variables(ctx: Context, name: str) -> list[str]:
    """The variables scaffold's link to component ``name`` sets (``stacks.kinds.<kind>.WIRING``), in every
    profile the spec's environments use (a database's differ with and without its proxy)."""
    from stacks.kinds import WIRING

    component = ctx.draft.components[name]
    wiring = WIRING[component.kind]
    if wiring.link_variables is None:
        return []
    out: dict[str, None] = {}
    for settings in _settings_per_profile(ctx, component.kind):
        for variable in wiring.link_variables(name, settings):
            out[variable] = None
    return list(out)


def _settings_per_profile(ctx: Context, kind: str) -> list[Any]:
    """A settings object of ``kind`` per profile in use (the link variables read only a few fields)."""
    from blueprints.bucket.settings import BucketSettings
    from blueprints.cache.settings import CacheSettings
    from blueprints.database.settings import DatabaseSettings
    from blueprints.notifications.settings import NotificationsSettings
    from blueprints.queue.settings import QueueSettings

    profiles = sorted({env.profile for env in ctx.draft.environments.values()}) or ["dev"]
    if kind == "database":
        return [DatabaseSettings(proxy=bool(_profiles("database")[p]["proxy"])) for p in profiles]
    classes: dict[str, Callable[[], Any]] = {"cache": CacheSettings, "bucket": BucketSettings,
                                             "queue": QueueSettings, "notifications": NotificationsSettings}
    return [classes[kind]()] if kind in classes else []


def _manifest_strings(data: Any) -> list[tuple[str, str]]:
    """Every string under ``variables``, ``secrets`` and ``network.vpc.security_groups`` of a workload
    manifest, its environment overrides included, with the variable (or ``security_groups``) it sets."""
    out: list[tuple[str, str]] = []

    def walk(label: str, value: Any) -> None:
        if isinstance(value, str):
            out.append((label, value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(label, v)
        elif isinstance(value, list):
            for v in value:
                walk(label, v)

    def section(block: Any) -> None:
        if not isinstance(block, dict):
            return
        for key in ("variables", "secrets"):
            values = block.get(key)
            for name, value in (values.items() if isinstance(values, dict) else []):
                walk(str(name), value)
        network = block.get("network")
        vpc = network.get("vpc") if isinstance(network, dict) else None
        walk("security_groups", vpc.get("security_groups") if isinstance(vpc, dict) else None)

    section(data)
    overrides = data.get("environments") if isinstance(data, dict) else None
    for block in (overrides.values() if isinstance(overrides, dict) else []):
        section(block)
    return out


def _names_in(token: str, text: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(token)}(?![A-Za-z0-9])", text) is not None


def _link_environment(ctx: Context, t: Template, names: list[str]) -> None:
    """An environment addon's components go to every imported workload that names their outputs."""
    tokens: dict[str, set[str]] = {name: set() for name in names}
    outputs = t.data.get("Outputs")
    for output, body in (outputs.items() if isinstance(outputs, dict) else []):
        value = body.get("Value") if isinstance(body, dict) else None
        export = body.get("Export") if isinstance(body, dict) else None
        owners = {_component(t, r) for r in references(value) if r in t.components or r in t.absorbed}
        if not owners and len(names) == 1:
            owners = {names[0]}
        for owner in owners & set(tokens):
            tokens[owner].add(str(output))
            name = export.get("Name") if isinstance(export, dict) else None
            text = name.get("Fn::Sub") if isinstance(name, dict) else name
            if isinstance(text, str):
                tokens[owner].add(_SUB_VARIABLE.sub("", text).strip("-_"))
    for logical_id, name in t.components.items():
        tokens[name].add(logical_id)
    used: set[str] = set()
    for manifest in sorted(ctx.workspace.workloads, key=lambda m: m.name):
        if manifest.name not in ctx.workloads:
            continue
        strings = _manifest_strings(manifest.data)
        matched: dict[str, list[str]] = {}
        for name in names:
            labels = [label for label, text in strings if any(tok and _names_in(tok, text) for tok in tokens[name])]
            if labels:
                matched[name] = list(dict.fromkeys(labels))
        used.update(matched)
        added = _add_uses(ctx, manifest.name, list(matched))
        if added:
            ctx.report.imported(manifest.origin, f"workload {manifest.name}",
                                f"names outputs of {t.addon.origin.file} in its variables or secrets: "
                                f"uses {', '.join(f'`{n}`' for n in added)}")
            labels = [label for name in added for label in matched[name] if label != "security_groups"]
            _variables_behaviour(ctx, t, ctx.workloads[manifest.name], added, labels,
                                 "Copilot set these from the addon's outputs (`from_cfn`)")
    for name in names:
        if name not in used:
            ctx.report.decide(ctx.draft.components[name].origin, f"addon component {name}",
                              "no imported workload names its outputs in `variables` or `secrets`, so nothing "
                              "uses it; add it to the `uses` of the services that need it")


def _component(t: Template, name: str) -> str:
    """``name`` when it is a component, else the component a companion's logical ID was absorbed into."""
    if name in t.components.values():
        return name
    return t.components.get(name) or t.absorbed.get(name) or name
