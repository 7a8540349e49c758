"""The spec pipeline: read, validate, check rules, resolve every environment.

Every problem found on the way becomes a :class:`~scaffold.errors.SpecProblem`
with the file, line, column and field path, and all of them are reported
together in one :class:`~scaffold.errors.SpecError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scaffold.errors import SpecError, SpecProblem, UsageError
from scaffold.spec.blueprint import Blueprint
from scaffold.spec.fields import did_you_mean, field_at, model_at
from scaffold.spec.models import COMPONENT_MODELS, Spec
from scaffold.spec.resolve import resolve_raw
from scaffold.spec.rules import Finding, blueprint_rules, spec_rules
from scaffold.spec.source import FieldPath, Source, read_source

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
    elif kind not in ("value_error", "assertion_error") and "input" in err and not isinstance(err["input"], dict):
        message = f"{message}, got {_describe(err['input'])}"
    return Finding(path, message, described)


def _validation_findings(exc: ValidationError, root: type[BaseModel], data: Any) -> list[Finding]:
    return [_problem_from_error(e, _strip_tags(tuple(e["loc"]), data), root, data) for e in exc.errors()]


def _to_problems(source: Source, findings: Iterable[Finding], env: str | None = None) -> list[SpecProblem]:
    problems = []
    for f in findings:
        candidates: list[FieldPath] = []
        if env is not None:
            candidates.append(("environments", env, *f.path))
        candidates.append(f.path)
        problems.append(source.problem(f.path, f.message, f.hint, key=f.key, candidates=candidates,
                                       severity="warning" if f.warning else "error"))
    return problems


def check_source(source: Source) -> CheckedSpec:
    """Validate a parsed spec and resolve every environment.

    Raises:
        SpecError: Every problem found, sorted by position.
    """
    try:
        spec = Spec.model_validate(source.data)
    except ValidationError as exc:
        raise SpecError(_to_problems(source, _validation_findings(exc, Spec, source.data))) from None
    problems = _to_problems(source, spec_rules(spec))
    blueprints: dict[str, Blueprint] = {}
    for env in spec.environments:
        raw = resolve_raw(spec, env)
        try:
            blueprint = Blueprint.model_validate(raw)
        except ValidationError as exc:
            problems += _to_problems(source, _validation_findings(exc, Blueprint, raw), env)
            continue
        problems += _to_problems(source, blueprint_rules(blueprint), env)
        blueprints[env] = blueprint
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
