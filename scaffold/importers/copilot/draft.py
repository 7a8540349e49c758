"""The spec being written: components and environments, each with the Copilot file it came from.

:class:`Draft` collects what the converters produce and :meth:`Draft.to_yaml` writes it as a
commented, deterministic ``scaffold.yaml``: the same workspace always gives the same bytes.
Names go through :meth:`Draft.component_name` / :meth:`Draft.environment_name`, which apply
scaffold's own naming rules (:mod:`scaffold.spec.models`) and rename what they refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from scaffold.importers.copilot.report import Report
from scaffold.importers.copilot.yamlsource import Origin
from scaffold.spec.models import (
    COMPONENT_NAME_MAX,
    ENVIRONMENT_NAME_MAX,
    NAME_PATTERN,
    PROJECT_NAME_PATTERN,
    SPEC_VERSION,
)
from scaffold.spec.rules import RESERVED_COMPONENT_NAMES

#: Print order of the kinds in the written spec: what others use comes first.
KIND_ORDER = ("database", "cache", "bucket", "queue", "notifications", "api", "worker", "job")


@dataclass
class ComponentDraft:
    """One component of the spec.

    Attributes:
        name: The scaffold name (already valid).
        kind: A scaffold kind, e.g. ``api``.
        origin: The Copilot file and line it came from.
        comment: One line written above it, e.g. ``from copilot/api/manifest.yml (Backend Service)``.
        fields: The component's fields in print order, ``kind`` excluded.
    """

    name: str
    kind: str
    origin: Origin
    comment: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class EnvironmentDraft:
    """One environment of the spec.

    Attributes:
        name: The scaffold name (already valid).
        profile: ``dev``, ``staging`` or ``production``.
        origin: The environment manifest it came from (or where its name was found).
        comment: One line written above it.
        fields: Other environment fields (``network``, ``region`` ...), in print order.
        components: Per-component overrides: component name → fields.
    """

    name: str
    profile: str
    origin: Origin
    comment: str
    fields: dict[str, Any] = field(default_factory=dict)
    components: dict[str, dict[str, Any]] = field(default_factory=dict)


def _slug(text: str) -> str:
    """``text`` lowercased, with every run of other characters turned into one hyphen."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"x-{slug}".rstrip("-")
    return slug


@dataclass
class Draft:
    """The spec being built. ``report`` receives a *To decide* entry for every rename."""

    project: str
    region: str
    report: Report
    top: dict[str, Any] = field(default_factory=dict)
    environments: dict[str, EnvironmentDraft] = field(default_factory=dict)
    components: dict[str, ComponentDraft] = field(default_factory=dict)
    #: Copilot name → scaffold name, for everything renamed or kept (workloads, addons, envs).
    names: dict[str, str] = field(default_factory=dict)

    def _valid_name(self, wanted: str, limit: int, taken: set[str]) -> str:
        name = _shorten(re.sub(r"-{2,}", "-", _slug(wanted)), limit)
        if name in RESERVED_COMPONENT_NAMES:
            name = f"{name}-app"
        base, n = name, 2
        while name in taken:
            suffix = f"-{n}"
            name = base[: limit - len(suffix)].rstrip("-") + suffix
            n += 1
        assert re.fullmatch(NAME_PATTERN, name), name
        return name

    def component_name(self, wanted: str, origin: Origin, what: str) -> str:
        """A valid, unused component name for the Copilot name ``wanted``; reports a rename.

        ``what`` describes the construct for the report, e.g. ``service api`` or ``addon DB``.
        """
        name = self._valid_name(wanted, COMPONENT_NAME_MAX, set(self.components) | set(self.names.values()))
        if name != wanted:
            self.report.decide(origin, what, f"renamed `{wanted}` to `{name}`: scaffold names are lowercase "
                               f"letters, digits and single hyphens, start with a letter, at most "
                               f"{COMPONENT_NAME_MAX} characters, and must be unique")
        self.names[wanted] = name
        return name

    def environment_name(self, wanted: str, origin: Origin) -> str:
        """A valid, unused environment name for the Copilot environment ``wanted``; reports a rename."""
        name = self._valid_name(wanted, ENVIRONMENT_NAME_MAX, set(self.environments))
        if name != wanted:
            self.report.decide(origin, f"environment {wanted}",
                               f"renamed to `{name}`: environment names are lowercase letters, digits and "
                               f"single hyphens, at most {ENVIRONMENT_NAME_MAX} characters")
        return name

    def add_component(self, component: ComponentDraft) -> ComponentDraft:
        """Add ``component`` (its name must come from :meth:`component_name`)."""
        assert component.name not in self.components, component.name
        self.components[component.name] = component
        return component

    def override(self, env: str, component: str, fields: dict[str, Any]) -> None:
        """Deep-merge ``fields`` into ``environments.<env>.components.<component>``."""
        target = self.environments[env].components.setdefault(component, {})
        _merge(target, fields)

    def to_yaml(self, header: list[str]) -> str:
        """The spec as YAML text: ``header`` lines as comments, then the fields, commented."""
        out = [f"# {_comment(line)}".rstrip() for line in header]
        out += [f"scaffold: {SPEC_VERSION}", _dump({"name": self.project}), _dump({"region": self.region})]
        for key, value in self.top.items():
            out.append(_dump({key: value}))
        out.append("environments:")
        for env in self.environments.values():
            out.append(f"  # {_comment(env.comment)}")
            body: dict[str, Any] = {"profile": env.profile, **env.fields}
            if env.components:
                body["components"] = {name: env.components[name] for name in sorted(env.components)}
            out.append(_indent(_dump({env.name: body}), 2))
        # An empty mapping, not null, when nothing came across (only Static Sites, say): the spec
        # still validates and plans (its environments, the addons' storage).
        out.append("components:" if self.components else "components: {}  # nothing to import: see the report")
        for c in sorted(self.components.values(), key=lambda c: (KIND_ORDER.index(c.kind), c.name)):
            out.append(f"  # {_comment(c.comment)}")
            out.append(_indent(_dump({c.name: {"kind": c.kind, **c.fields}}), 2))
        return "\n".join(line.rstrip("\n") for line in out) + "\n"


def _comment(text: str) -> str:
    """``text`` for one comment line: a control character (a newline in a folder name ...) is written
    as its escape, so nothing from the workspace can end the comment and add YAML to the spec."""
    return re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]", lambda m: repr(m.group(0))[1:-1], text)


def _shorten(name: str, limit: int) -> str:
    """``name`` cut to ``limit`` characters, at a hyphen when that keeps at least half of it
    (``thrifty-white-refresh-appointments`` → ``thrifty-white-refresh``, not ``…-appointmen``)."""
    if len(name) <= limit:
        return name
    cut = name[:limit + 1].rfind("-")
    return (name[:cut] if cut >= limit // 2 else name[:limit]).rstrip("-")


def _merge(target: dict[str, Any], fields: dict[str, Any]) -> None:
    for key, value in fields.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True, width=10_000)


def _indent(text: str, by: int) -> str:
    pad = " " * by
    return "\n".join(pad + line if line else line for line in text.rstrip("\n").split("\n"))


def project_name(wanted: str) -> str:
    """A valid scaffold project name for the Copilot application name ``wanted``."""
    name = _slug(wanted)[:39].rstrip("-")
    name = re.sub(r"-{2,}", "-", name)
    if len(name) < 2:
        name = f"{name}-app"
    assert re.fullmatch(PROJECT_NAME_PATTERN, name), name
    return name
