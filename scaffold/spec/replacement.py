"""Changes that replace a stateful resource: a database cluster or a cache replication group.

Replacing one deletes it and creates an empty one: the data is gone (a database keeps
only its final snapshot, when it takes one). :func:`find_replacements` compares two
checked specs, the one deployed (``--against OLD.yaml``) and the new one, environment
by environment, and lists every change that would replace one, by the provider's rules:

* ``aws.rds.Cluster``: ``engine``, ``database_name``, ``master_username``,
  ``cluster_identifier``, ``db_subnet_group_name`` and ``storage_encrypted`` are ForceNew
  (terraform-provider-aws ``internal/service/rds/cluster.go``). The spec's ``engine`` and
  ``database`` map to the first two; the identifier is ``<project>-<environment>-<component>``
  and the subnet group's name derives from it; the rest scaffold never changes.
* ``aws.elasticache.ReplicationGroup``: ``replication_group_id``, ``subnet_group_name`` and
  ``port`` are ForceNew, and so are a move from Valkey back to Redis OSS and a lower
  ``engine_version`` (``internal/service/elasticache/replication_group.go``:
  ``customizeDiffEngineForceNewOnDowngrade``, ``customizeDiffEngineVersionForceNewOnDowngrade``).
  Redis OSS -> Valkey is an in-place upgrade.
* Renaming the project, an environment or a component changes the physical names (and the
  Pulumi project, stack or logical name), and removing a component, or an environment, deletes
  what it had.
* Moving an environment to another ``region`` changes the AWS provider's region: Pulumi
  replaces every resource of the stack, so each database cluster and cache group is created
  empty in the new region and the old one is deleted.

:func:`replacement_problems` turns them into spec problems at the new spec's lines: an
error in an environment with the ``production`` profile unless the component sets
``allow_replacement: true``, a warning elsewhere. A replacement of a database whose deployed
blueprint has ``deletion_protection`` is an error everywhere: RDS refuses the delete that the
replacement starts with (clusters are replaced delete-first, their names being fixed), so the
deploy would fail. Imports no ``pulumi``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from blueprints.cache.settings import version_key
from blueprints.naming import aws_name

if TYPE_CHECKING:
    from pathlib import Path

    from scaffold.errors import SpecProblem
    from scaffold.spec.loader import CheckedSpec
    from scaffold.spec.source import FieldPath

#: The stateful resource each kind owns, as (type token, logical-name suffix, what it is called).
STATEFUL: dict[str, tuple[str, str, str]] = {
    "database": ("aws:rds/cluster:Cluster", "cluster", "Aurora cluster"),
    "cache": ("aws:elasticache/replicationGroup:ReplicationGroup", "group", "replication group"),
}

#: Longest physical name of each stateful resource (cluster identifier 63, replication group id 40).
_NAME_MAX = {"database": 63, "cache": 40}


@dataclass(frozen=True)
class Replacement:
    """One change that replaces (or deletes) a stateful resource in one environment.

    Attributes:
        environment: The environment (Pulumi stack), e.g. ``"prod"``.
        component: The component in the old spec, e.g. ``"orders-db"``.
        kind: ``"database"`` or ``"cache"``.
        field: What changed: a spec field (``engine``, ``database``, ``version``) or
            ``name`` (a physical name) or ``component`` (removed or renamed).
        old: The value before; ``new`` the value after (``None`` when removed).
        reason: Why AWS must replace it, in one sentence.
        path: Where to report it in the new spec.
        allowed: The new spec sets ``allow_replacement: true`` on the component.
        production: The environment has the ``production`` profile.
        keep: The spec value that avoids the change (``old`` unless set: for a renamed
            project, the old project ``name``, while ``old`` is the old physical name).
        protected: The deployed (old) database has ``deletion_protection`` on, so AWS
            refuses to delete it and the replacement cannot happen.
    """

    environment: str
    component: str
    kind: str
    field: str
    old: Any
    new: Any
    reason: str
    path: FieldPath
    allowed: bool
    production: bool
    keep: Any = None
    protected: bool = False

    @property
    def refused(self) -> bool:
        """Whether ``validate --against`` refuses it: a deletion-protected database (the deploy would
        fail), or production without ``allow_replacement``; a removed environment never is."""
        if self.field == "environment":
            return False
        return self.protected or (self.production and not self.allowed)

    @property
    def resource_type(self) -> str:
        """The replaced resource's type token, e.g. ``aws:rds/cluster:Cluster``."""
        return STATEFUL[self.kind][0]

    @property
    def type_and_name(self) -> str:
        """``aws:rds/cluster:Cluster orders-db-cluster``, as the plan tree shows a resource."""
        return f"{self.resource_type} {self.logical_name}"

    @property
    def logical_name(self) -> str:
        """The replaced resource's logical (Pulumi) name in the old stack, e.g. ``orders-db-cluster``."""
        return f"{self.component}-{STATEFUL[self.kind][1]}"


def _field_changes(kind: str, old: Any, new: Any) -> list[tuple[str, Any, Any, str]]:
    """(field, old, new, reason) for each ForceNew change between two blueprints of one component."""
    changes = []
    if kind == "database":
        if old.engine != new.engine:
            changes.append(("engine", old.engine, new.engine, "the engine of an Aurora cluster cannot change"))
        if old.database != new.database:
            changes.append(("database", old.database, new.database,
                            "the database name of an Aurora cluster is set only when it is created"))
    elif kind == "cache":
        if old.engine == "valkey" and new.engine == "redis":
            changes.append(("engine", old.engine, new.engine,
                            "ElastiCache cannot move a replication group from Valkey back to Redis OSS"))
        elif old.engine == new.engine and version_key(new.version) < version_key(old.version):
            changes.append(("version", old.version, new.version,
                            "ElastiCache cannot downgrade a replication group's engine version"))
    return changes


def find_replacements(old: CheckedSpec, new: CheckedSpec) -> list[Replacement]:
    """Every change from ``old`` to ``new`` that replaces or deletes a database cluster or cache group.

    Environments are matched by name; an environment of ``old`` missing from ``new`` deletes its
    stateful components, and a component of ``old`` missing from ``new`` (or of another kind) is
    deleted. Environments only in ``new`` create everything afresh and replace nothing. An
    environment whose ``region`` changes replaces each of its stateful components (field ``region``).
    """
    found: list[Replacement] = []
    for env, old_bp in old.blueprints.items():
        new_bp = new.blueprints.get(env)
        production = (new_bp or old_bp).profile == "production"
        for name, old_c in old_bp.components.items():
            if old_c.kind not in STATEFUL:
                continue
            kind = old_c.kind
            new_c = new_bp.components.get(name) if new_bp is not None else None
            base: FieldPath = ("components", name)

            protected = bool(getattr(old_c, "deletion_protection", False))

            def add(field: str, before: Any, after: Any, reason: str, path: FieldPath,
                    allowed: bool = False, kind: str = kind, name: str = name, env: str = env,
                    production: bool = production, keep: Any = None, protected: bool = protected) -> None:
                found.append(Replacement(env, name, kind, field, before, after, reason, path, allowed, production,
                                         keep, protected))

            if new_bp is None:
                add("environment", env, None, f"environment {env!r} is gone from the spec: its stack would be "
                    "destroyed with everything in it", ("environments",))
                continue
            if new_c is None or new_c.kind != kind:
                what = "removed" if new_c is None else f"now a {new_c.kind}"
                add("component", name, None if new_c is None else new_c.kind,
                    f"component {name!r} is {what}: its {STATEFUL[kind][2]} in environment {env!r} would be "
                    "deleted (renaming a component deletes the old one and creates an empty one)",
                    base if new_c is not None else ("components",))
                continue
            allowed = bool(getattr(new_c, "allow_replacement", False))
            old_id = aws_name(old_bp.project, env, name, max_len=_NAME_MAX[kind])
            new_id = aws_name(new_bp.project, env, name, max_len=_NAME_MAX[kind])
            if old_id != new_id:
                add("name", old_id, new_id, f"its AWS name changes from {old_id!r} to {new_id!r} "
                    "(the project was renamed), and the name cannot change in place", ("name",), allowed,
                    keep=old_bp.project)
            if old_bp.region != new_bp.region:
                # A new region is a new provider configuration: Pulumi replaces everything the stack has.
                add("region", old_bp.region, new_bp.region,
                    f"environment {env!r} moves from {old_bp.region} to {new_bp.region}: the "
                    f"{STATEFUL[kind][2]} is created empty in {new_bp.region} and the one in "
                    f"{old_bp.region} is deleted", ("region",), allowed)
            for field, before, after, reason in _field_changes(kind, old_c, new_c):
                add(field, before, after, reason, (*base, field), allowed)
    return found


def replacement_problems(old: CheckedSpec, new: CheckedSpec) -> list[SpecProblem]:
    """:func:`find_replacements` as problems at the new spec's lines (env override first).

    In a ``production`` environment a replacement is an error unless the component sets
    ``allow_replacement: true``; elsewhere, and when allowed, it is a warning.
    """
    problems = []
    for r in find_replacements(old, new):
        # A spec without the environment deploys nothing there: its stack stays until destroyed.
        error = r.refused
        what = f"{STATEFUL[r.kind][2]} of {r.component!r}"
        message = f"replaces the {what} in environment {r.environment!r}: {r.reason}; its data would be lost"
        if r.field in ("component", "environment"):
            message = f"{r.reason}, with its data"
        elif r.field in ("engine", "database", "version"):
            message = (f"{r.old!r} -> {r.new!r} replaces the {what} in environment {r.environment!r}: "
                       f"{r.reason}; its data would be lost")
        keep = r.old if r.keep is None else r.keep
        if r.protected and r.field != "environment":
            message += ("; the deployed cluster has deletion protection, so AWS refuses to delete it "
                        "and the deploy would fail")
            first = (f"first deploy deletion_protection: false on {r.component!r} with nothing else changed, "
                     "then make this change")
            if r.field == "component":
                hint = f"keep it; to delete it on purpose, take a backup, {first}, and validate without --against"
            else:
                hint = (f"keep {r.field}: {keep}; to replace it, {first}"
                        + (" with allow_replacement: true" if r.production and not r.allowed else ""))
        elif error:
            hint = (f"keep {r.field}: {keep}, or migrate the data and set allow_replacement: true on "
                    f"{r.component!r}" if r.field not in ("component", "environment") else
                    "keep it; to delete it on purpose, take a backup and validate without --against")
        elif r.allowed:
            hint = "allow_replacement is true: the deploy will replace it"
        else:
            hint = "fine outside production" + (
                "" if r.field in ("component", "environment") else
                "; in production this needs allow_replacement: true")
        override: FieldPath = ("environments", r.environment, *r.path)
        # A change made in an environment's override is reported at the override's own path.
        path = override if new.source.positions.of(override) else r.path
        problems.append(new.source.problem(path, message, hint, candidates=[path],
                                           key=r.field in ("component",),
                                           severity="error" if error else "warning"))
    return sorted(set(problems))


def check_against(new: CheckedSpec, old_file: Path) -> list[SpecProblem]:
    """Compare ``new`` with the spec at ``old_file`` (what is deployed), for ``validate --against``.

    Returns:
        The warnings (replacements outside production, or allowed ones).

    Raises:
        SpecError: ``old_file`` is unreadable or invalid (its own problems), or a replacement
            in a production environment is not allowed (every replacement problem, warnings too).
    """
    from scaffold.errors import SpecError
    from scaffold.spec.loader import check_file

    problems = replacement_problems(check_file(old_file), new)
    if any(p.severity != "warning" for p in problems):
        raise SpecError(problems)
    return problems
