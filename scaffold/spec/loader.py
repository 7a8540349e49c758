"""The spec pipeline: read, validate, check rules, resolve every environment.

Every problem found on the way becomes a :class:`~scaffold.errors.SpecProblem`
with the file, line, column and field path, and all of them are reported
together in one :class:`~scaffold.errors.SpecError`.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scaffold.errors import SpecError, SpecProblem, UsageError
from scaffold.spec.blueprint import Blueprint
from scaffold.spec.fields import did_you_mean, field_at, model_at
from scaffold.spec.kinds import KINDS
from scaffold.spec.models import COMPONENT_MODELS, AlarmsSpec, NetworkSpec, Spec
from scaffold.spec.resolve import deep_merge, resolve_raw
from scaffold.spec.rules import Finding, blueprint_rules, component_rules, domain_rules, spec_rules
from scaffold.spec.source import FieldPath, Source, read_source
from scaffold.spec.units import DURATION_PATTERN, format_duration

_DURATION = re.compile(DURATION_PATTERN)

#: The spec file commands read when ``-f`` is not given.
DEFAULT_SPEC_FILE = "scaffold.yaml"


@dataclass(frozen=True)
class CheckedSpec:
    """A spec that passed every check.

    Attributes:
        source: The file's data and positions.
        spec: The validated spec.
        blueprints: The resolved blueprint of each environment, in spec order.
        warnings: Problems that do not make the spec invalid (e.g. plain HTTP
            in dev), sorted by position; the CLI prints them on stderr.
    """

    source: Source
    spec: Spec
    blueprints: dict[str, Blueprint]
    warnings: list[SpecProblem] = field(default_factory=list)


def _strip_tags(loc: tuple[Any, ...], data: Any) -> FieldPath:
    """Drop the discriminator tags pydantic puts in the locations of union members."""
    out: list[str | int] = []
    node = data
    i = 0
    while i < len(loc):
        part = loc[i]
        out.append(part)
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if (isinstance(node, dict) and i + 1 < len(loc) and loc[i + 1] == node.get("kind")
                and loc[i + 1] in COMPONENT_MODELS):
            i += 1  # skip the tag
        i += 1
    return tuple(out)


def _describe(value: Any) -> str:
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _problem_from_error(err: Any, path: FieldPath, root: type[BaseModel], data: Any) -> Finding:
    kind = err["type"]
    name = path[-1] if path else ""
    field = field_at(root, path, data)
    described = (field.description or "") if field else ""
    if kind == "extra_forbidden":
        model = model_at(root, path[:-1], data)
        choices = list(model.model_fields) if model else []
        return Finding(path, f"unknown field {name!r}", did_you_mean(str(name), choices), key=True)
    if kind == "missing":
        return Finding(path, "is required", described, key=True)
    if kind == "union_tag_invalid":
        tag = err.get("ctx", {}).get("tag", "")
        return Finding((*path, "kind"), f"unknown kind {tag!r}", did_you_mean(str(tag), list(COMPONENT_MODELS)))
    if kind == "union_tag_not_found":
        return Finding(path, "has no kind", "add kind: one of " + ", ".join(COMPONENT_MODELS), key=True)
    message = str(err["msg"]).removeprefix("Value error, ")
    message = message.replace("Input should be", "expected").replace("String should", "should")
    if kind == "string_pattern_mismatch":
        message = f"{_describe(err.get('input'))} does not have the expected form"
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        # pydantic says "a valid dictionary or instance of ScalingBlueprint": name no class.
        message = f"expected a mapping of fields, got {_describe(err.get('input'))}"
        if not described and root is not Spec:  # a resolved blueprint's field: the spec describes it
            spec_field = field_at(Spec, path, data)
            described = (spec_field.description or "") if spec_field else ""
        if err.get("input") is None:
            message = "expected a mapping of fields, got null"
            described = described or "write its fields, or remove the line"
    elif kind == "less_than_equal" and isinstance(err.get("input"), str) and _DURATION.match(err["input"]):
        # A duration written with a unit: say the limit in units too.
        message = f"must be at most {format_duration(int(err['ctx']['le']))}, got {err['input']!r}"
    elif kind in ("less_than_equal", "greater_than_equal") and isinstance(err.get("input"), str):
        # A number YAML read as text (1e3): the limit in the field's own unit (see the hint).
        bound = err["ctx"]["le" if kind == "less_than_equal" else "ge"]
        shown = f"{bound:g}" if isinstance(bound, float) else str(bound)
        message = f"must be at {'most' if kind == 'less_than_equal' else 'least'} {shown}, got {err['input']!r}"
    elif kind == "less_than_equal" and isinstance(err.get("input"), int):
        limit = err["ctx"]["le"]
        shown = f"2^{limit.bit_length() - 1}" if limit > 2 ** 53 and not limit & (limit - 1) else str(limit)
        got = str(err["input"])
        message = f"must be at most {shown}, got {got if len(got) <= 24 else got[:20] + '…'}"
    elif kind not in ("value_error", "assertion_error") and "input" in err and not isinstance(err["input"], dict):
        message = f"{message}, got {_describe(err['input'])}"
    return Finding(path, message, described)


def _validation_findings(exc: ValidationError, root: type[BaseModel], data: Any) -> list[Finding]:
    return [_problem_from_error(e, _strip_tags(tuple(e["loc"]), data), root, data) for e in exc.errors()]


def _override_path(source: Source, f: Finding, env: str) -> FieldPath | None:
    """Where environment ``env`` overrides the field of ``f`` (or else one of its ``causes``), if it does."""
    for path in (f.path, *f.causes):
        override = ("environments", env, *path)
        if source.positions.of(override, key=f.key) or source.positions.of(override):
            return override
    return None


def _to_problems(source: Source, findings: Iterable[Finding], env: str | None = None) -> list[SpecProblem]:
    """Place each finding in the file; with ``env``, a value the environment overrides is
    reported at the override (``environments.prod.components.api.cpu``) and its line."""
    problems = []
    for f in findings:
        path = f.path
        if env is not None:
            path = _override_path(source, f, env) or path
        problems.append(source.problem(path, f.message, f.hint, key=f.key, candidates=[path, f.path],
                                       severity="warning" if f.warning else "error"))
    return problems


#: Component name -> fields that failed their type and were set aside ("" for all).
Broken = dict[str, set[str]]

#: Placeholders for invalid top-level scalars, so that the rest of the spec is still checked.
_PLACEHOLDERS: dict[str, Any] = {"scaffold": 1, "name": "placeholder", "region": "us-east-1"}


def _remove(data: Any, path: FieldPath) -> bool:
    """Delete the deepest mapping entry on ``path`` (a list is removed whole). ``True`` if removed."""
    node = data
    parent: Any = None
    key: Any = None
    for part in path:
        if not isinstance(node, dict) or part not in node:
            break
        parent, key = node, part
        node = node[part]
        if isinstance(node, list):
            break
    if parent is None:
        return False
    del parent[key]
    return True


def _required(component: dict[str, Any], field: str) -> bool:
    """Whether ``field`` is a required field of ``component``'s kind."""
    model = COMPONENT_MODELS.get(str(component.get("kind")))
    info = model.model_fields.get(field) if model is not None else None
    return info is not None and info.is_required() and field != "kind"


def _salvage(data: dict[str, Any], exc: ValidationError, dropped: set[str], broken: Broken) -> bool:
    """Remove from ``data`` what failed validation so the rest can be checked in the same run.

    A component without a valid ``kind`` is dropped (``dropped``); a component with a bad
    field loses that field, and the profile's default stands in (``broken`` records the
    field: rules that involve it are skipped, they would judge the default). ``True`` if
    anything changed.
    """
    changed = False
    paths = [_strip_tags(tuple(err["loc"]), data) for err in exc.errors()]
    bad_items = {(p[1], p[2], p[3]) for p in paths if len(p) >= 4 and p[0] == "components" and isinstance(p[3], int)}
    for err, path in zip(exc.errors(), paths, strict=True):
        if not path:
            return False
        if path[0] == "components" and len(path) >= 2:
            name = str(path[1])
            component = data.get("components", {}).get(name)
            if len(path) == 2 or path[2] == "kind" or not isinstance(component, dict):
                if isinstance(data.get("components"), dict) and name in data["components"]:
                    del data["components"][name]
                    dropped.add(name)
                    changed = True
                continue
            items = component.get(path[2])
            if len(path) >= 4 and isinstance(path[3], int) and isinstance(items, list):
                good = [i for i in range(len(items)) if (path[1], path[2], i) not in bad_items]
                if good and path[3] < len(items):
                    # A bad list entry (subscribers[1]): a valid sibling stands in, so the other
                    # entries are still checked at their own index; rules on this index wait.
                    items[path[3]] = copy.deepcopy(items[good[0]])
                    broken.setdefault(name, set()).add(f"{path[2]}#{path[3]}")
                    changed = True
                    continue
            broken.setdefault(name, set()).add(str(path[2]))
            if len(path) == 3 and (err["type"] == "missing" or _required(component, str(path[2]))):
                # A required string (image, consumes, schedule) missing or mistyped: a placeholder
                # keeps the component, and no second "is required" is reported for a mistyped one.
                component[path[2]] = "invalid"
                changed = True
                continue
            # Set the whole field aside (serverless, not serverless.max): removing only the bad
            # leaf would report a required sibling as missing in the next pass.
            changed = _remove(data, path[:3]) or changed
            continue
        elif len(path) == 1 and path[0] in _PLACEHOLDERS and err["type"] != "extra_forbidden":
            data[str(path[0])] = _PLACEHOLDERS[str(path[0])]
            changed = True
            continue
        elif path[0] == "environments" and len(path) >= 2 and (len(path) == 2 or path[2] == "profile"):
            envs = data.get("environments")
            if isinstance(envs, dict) and path[1] in envs and len(envs) > 1:
                del envs[path[1]]
                changed = True
            continue
        changed = _remove(data, path) or changed
    return changed


def _validate_spec(source: Source, problems: list[SpecProblem], dropped: set[str],
                   broken: Broken) -> Spec | None:
    """The spec, validated after removing what is invalid; every problem found is added."""
    data = copy.deepcopy(source.data)
    for _ in range(_MAX_PASSES):
        try:
            spec = Spec.model_validate(data)
        except ValidationError as exc:
            problems += _to_problems(source, _validation_findings(exc, Spec, data))
            if not _salvage(data, exc, dropped, broken):
                return None
            continue
        return spec
    return None


#: How often a spec or an override is re-validated after removing its invalid parts.
_MAX_PASSES = 6


def _checked_overrides(source: Source, spec: Spec, env: str, broken: Broken,
                       problems: list[SpecProblem]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An environment's component overrides, each validated like a base component.

    Returns the usable overrides (invalid fields removed) and the merged component
    models. Each override field that failed is recorded in ``broken``.
    """
    overrides = copy.deepcopy(spec.environments[env].components or {})
    merged: dict[str, Any] = dict(spec.components)
    for name, override in list(overrides.items()):
        if name not in spec.components:
            del overrides[name]  # reported by spec_rules
            continue
        base = spec.components[name]
        model = COMPONENT_MODELS[base.kind]
        for _ in range(_MAX_PASSES):
            raw = deep_merge(base.model_dump(exclude_none=True), override)
            try:
                merged[name] = model.model_validate(raw)
                break
            except ValidationError as exc:
                findings = [_override_finding(name, base.kind, f) for f in _validation_findings(exc, model, raw)]
                problems += _to_problems(source, findings, env)
                for e in exc.errors():
                    broken.setdefault(name, set()).add(str(e["loc"][0]) if e["loc"] else "")
                # The whole field of the override (scaling, not scaling.min), as in _salvage.
                if not any([_remove(override, tuple(e["loc"])[:1]) for e in exc.errors()]):
                    broken.setdefault(name, set()).update(override)
                    del overrides[name]
                    break
        else:
            broken.setdefault(name, set()).update(override)
            del overrides[name]
    return overrides, merged


def _override_finding(name: str, kind: str, f: Finding) -> Finding:
    """A problem of an environment's override of component ``name``, at the component's path."""
    if f.path == ("kind",):  # a kind is the same in every environment
        return Finding(("components", name, "kind"),
                       f"an environment cannot change a component's kind (it is {kind!r} everywhere)",
                       "remove kind from this override, or add a separate component of that kind")
    return Finding(("components", name, *f.path), f.message, f.hint, key=f.key)


def _involves_broken(finding: Finding, broken: Broken) -> bool:
    """Whether ``finding`` is about (or mentions) a field that failed its type and was set aside."""
    path = finding.path
    if len(path) < 2 or path[0] != "components" or path[1] not in broken:
        return False
    fields = broken[str(path[1])]
    if "" in fields or (len(path) > 2 and path[2] in fields):
        return True
    if _on_broken_entry(finding, broken):
        return True
    return any(re.search(rf"\b{re.escape(f)}\b", finding.message) for f in fields if "#" not in f)


def _on_broken_entry(finding: Finding, broken: Broken) -> bool:
    """Whether ``finding`` is on a list entry that failed its type (a valid sibling stood in for it)."""
    path = finding.path
    return (len(path) > 3 and path[0] == "components"
            and f"{path[2]}#{path[3]}" in broken.get(str(path[1]), set()))


def _dropped_reference(finding: Finding, dropped: set[str]) -> bool:
    return any(f"{name!r}" in finding.message for name in dropped) and (
        finding.message.startswith("no component named") or finding.message.startswith("overrides "))


def _environment_problems(source: Source, per_env: list[tuple[str, Finding]], envs: int) -> list[SpecProblem]:
    """Place the findings of each environment; one that only some environments have, and
    that is not on an override of theirs, says which environment it is in."""
    counts = Counter((f.path, f.message) for _, f in set(per_env))
    problems: list[SpecProblem] = []
    for env, f in per_env:
        in_override = _override_path(source, f, env) is not None
        if counts[(f.path, f.message)] < envs and not in_override and repr(env) not in f.message:
            f = replace(f, message=f"{f.message} (in environment {env!r})")
        problems += _to_problems(source, [f], env)
    return problems


def _build_validators() -> None:
    """Build the spec models' validators once per process, leaves first.

    The models defer their build to first use. Built on demand, ``Spec`` generated the
    schema of every kind inside its own, and then each kind generated it again for its own
    validator (overrides, ``model_dump``). Leaves first, each schema is generated once and
    reused by the models that contain it (docs/performance.md, "Start-up").
    """
    models = [model for kind in KINDS.values() for _, model in reversed(kind.doc_models)]
    pending = [m for m in (*models, NetworkSpec, AlarmsSpec, Spec, Blueprint) if not m.__pydantic_complete__]
    for model in pending:
        model.model_rebuild()


def check_source(source: Source) -> CheckedSpec:
    """Validate a parsed spec and resolve every environment.

    Every problem is reported in one run: a field that fails its type is set aside (the
    profile's default stands in) so that the spec-level rules, each environment's
    overrides (typed like base fields and reported at their own path and line), the
    cross-component rules and the components' own checks
    (:func:`stacks.settings.component_problems`) all still run. Only a rule that
    involves a mistyped field (it would judge the default standing in for it) waits
    for that field to be fixed.

    Raises:
        SpecError: Every problem found, sorted by position.
    """
    from stacks.settings import component_problems  # pulumi-free

    _build_validators()
    problems: list[SpecProblem] = list(source.problems)  # duplicate keys: the first value was kept
    dropped: set[str] = set()
    broken_base: Broken = {}
    spec = _validate_spec(source, problems, dropped, broken_base)
    if spec is None:
        raise SpecError(problems)
    problems += _to_problems(source, (f for f in spec_rules(spec) if not _dropped_reference(f, dropped)
                                      and not _involves_broken(f, broken_base)))
    blueprints: dict[str, Blueprint] = {}
    per_env: list[tuple[str, Finding]] = []
    for env in spec.environments:
        broken = {name: set(fields) for name, fields in broken_base.items()}
        overrides, merged = _checked_overrides(source, spec, env, broken, problems)
        per_env += [(env, f) for f in component_rules(merged)
                    if not _dropped_reference(f, dropped) and not _involves_broken(f, broken)]
        environments = dict(spec.environments)
        environments[env] = environments[env].model_copy(update={"components": overrides})
        raw = resolve_raw(spec.model_copy(update={"environments": environments}), env)
        try:
            blueprint = Blueprint.model_validate(raw)
        except ValidationError as exc:
            problems += _to_problems(source, _validation_findings(exc, Blueprint, raw), env)
            continue
        findings = [*blueprint_rules(blueprint), *component_problems(blueprint)]
        per_env += [(env, f) for f in findings if not _involves_broken(f, broken)]
        blueprints[env] = blueprint
    problems += _environment_problems(source, per_env, len(spec.environments))
    for env, finding in domain_rules(blueprints):
        problems += _to_problems(source, [finding], env)
    warnings = sorted({p for p in problems if p.severity == "warning"})
    errors = sorted({p for p in problems if p.severity != "warning"})
    if errors:
        raise SpecError(errors)
    return CheckedSpec(source=source, spec=spec, blueprints=blueprints, warnings=warnings)


def check_file(path: Path) -> CheckedSpec:
    """Read ``path``, validate it and resolve every environment.

    Raises:
        SpecError: The file is unreadable, not a YAML mapping, or breaks any rule.
    """
    return check_source(read_source(path))


def choose_environment(spec: Spec, env: str | None) -> str:
    """The environment to use: ``env``, or the only one when ``env`` is ``None``.

    Raises:
        UsageError: ``env`` is not an environment, or it is ``None`` and there are several.
    """
    names = list(spec.environments)
    if env is None:
        if len(names) == 1:
            return names[0]
        raise UsageError(f"the spec has {len(names)} environments: {', '.join(names)}",
                         f"choose one with -e, e.g. -e {names[0]}")
    if env not in spec.environments:
        raise UsageError(f"no environment named {env!r} in the spec",
                         did_you_mean(env, names) or f"environments: {', '.join(names)}")
    return env


def load_blueprint(path: Path, env: str | None = None) -> Blueprint:
    """The resolved blueprint of one environment of the spec at ``path``.

    Args:
        path: The spec file, e.g. ``Path("scaffold.yaml")``.
        env: The environment; may be ``None`` when the spec has exactly one.

    Raises:
        SpecError: The spec is invalid (exit 2).
        UsageError: ``env`` is unknown, or missing with several environments (exit 2).
    """
    checked = check_file(path)
    return checked.blueprints[choose_environment(checked.spec, env)]
