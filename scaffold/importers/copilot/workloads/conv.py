"""The state of one workload's conversion, and the helpers every field converter shares.

A workload is converted once for the spec's base fields (``env`` is ``None``) and once per
environment (its manifest with that environment's ``environments.<env>:`` block merged in, as
Copilot merges it); the differences become the environment's overrides. While converting for an
environment, only what the override block itself wrote is reported (:attr:`Conv.lines`), so each
manifest line is reported once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scaffold.importers.copilot.context import VARIABLE, Context
from scaffold.importers.copilot.yamlsource import Located, Origin, what

#: Copilot's manifest reference, the source of every mapping of this package.
REFERENCE = "https://aws.github.io/copilot-cli/docs/manifest/"



@dataclass
class Conv:
    """One conversion of one workload (see the module docstring).

    Attributes:
        ctx: The import.
        workload: The Copilot workload name (its folder).
        name: The scaffold component name.
        kind: The scaffold kind (``api``, ``worker``, ``job``).
        type: The Copilot workload type, e.g. ``Backend Service``.
        env: The scaffold environment converted for, or ``None`` for the base fields.
        lines: In an environment's conversion, the lines of its override block (only those are
            reported); ``None`` for the base conversion.
        fields: The component fields produced, in print order.
        notes: What became of the workload, for its one *Imported* entry.
    """

    ctx: Context
    workload: str
    name: str
    kind: str
    type: str
    env: str | None = None
    lines: frozenset[int] | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    # -- reporting ------------------------------------------------------------------------
    def shown(self, origin: Origin) -> bool:
        """Whether an entry at ``origin`` belongs to this conversion (see :attr:`lines`)."""
        return self.lines is None or origin.line in self.lines

    def subject(self, key: str) -> str:
        return f"{self.workload}: {key}" if key else self.workload

    def left_out(self, origin: Origin, key: str, text: str) -> None:
        if self.shown(origin):
            self.ctx.report.left_out(origin, self.subject(key), text)

    def decide(self, origin: Origin, key: str, text: str) -> None:
        if self.shown(origin):
            self.ctx.report.decide(origin, self.subject(key), text)

    def imported(self, origin: Origin, key: str, text: str) -> None:
        if self.shown(origin):
            self.ctx.report.imported(origin, self.subject(key), text)

    def wrong_type(self, origin: Origin, key: str, expected: str, value: Any) -> None:
        self.left_out(origin, key, f"expected {expected}, got {what(value)}; ignored")

    def mapping(self, data: Located, key: str, label: str | None = None) -> Located | None:
        """``data[key]`` when it is a mapping; ``None`` when it is absent or null, and when it is
        anything else, which is reported (as ``label``, default ``key``) with what it was."""
        raw = data.get(key)
        if raw is None:
            return None
        if not isinstance(raw, Located):
            self.wrong_type(data.at(key), label or key, "a mapping", raw)
            return None
        return raw

    def unknown(self, mapping: Located, known: set[str] | frozenset[str], prefix: str, page: str) -> None:
        """Report every key of ``mapping`` Copilot's reference does not list under ``prefix``."""
        for key in sorted(set(mapping) - set(known), key=lambda k: (mapping.key_lines.get(k, 0), k)):
            self.left_out(mapping.at(key), f"{prefix}{key}",
                          f"not a key of Copilot's {self.type} manifest ({REFERENCE}{page}/); ignored")

    # -- values ---------------------------------------------------------------------------
    @property
    def region(self) -> str:
        """The region of the environment converted for (the spec's region for the base)."""
        env = self.ctx.draft.environments.get(self.env or self.first_env or "")
        region = env.fields.get("region") if env is not None else None
        return region if isinstance(region, str) else self.ctx.region

    @property
    def first_env(self) -> str | None:
        """The scaffold environment whose values the base fields hold (``Expanded.base``)."""
        return next(iter(self.ctx.env_names.values()), None)

    def expand(self, value: str, origin: Origin, key: str) -> tuple[str, bool] | None:
        """``value`` interpolated for this conversion's environment, and whether it depends on the
        environment; ``None`` (reported) when a variable it reads is named like a secret, which
        scaffold refuses in any field (:func:`scaffold.spec.interpolate.secret_problem`)."""
        from scaffold.spec.rules import SECRET_NAME_WORDS

        for name in VARIABLE.findall(value):
            words = sorted({w for w in name.upper().split("_") if w} & SECRET_NAME_WORDS)
            if words and not name.startswith("COPILOT_"):
                self.left_out(origin, key, f"reads `${{{name}}}`, named like a secret ({words[0].lower()}); "
                              "scaffold refuses such a variable in the spec unless its value is an ARN: "
                              "keep the secret in Secrets Manager and give its ARN under `secrets`")
                return None
        expanded = self.ctx.expand(value, origin, self.subject(key))
        if expanded.per_env:
            return expanded.per_env.get(self.env or "", expanded.base), True
        return expanded.base, False

    def text(self, value: Any, origin: Origin, key: str) -> str | None:
        """A scalar as the text Copilot read (see :func:`scalar_text`), interpolated."""
        out = self.expand(scalar_text(self.ctx, origin, value), origin, key)
        return None if out is None else out[0]

    def example(self, value: str) -> str:
        """``value`` with each ``${NAME}`` replaced by the example value the spec is checked with."""
        return VARIABLE.sub(lambda m: self.ctx.variables[m[1]].example if m[1] in self.ctx.variables
                            else "imported", value)

    def domain_variables(self, value: str) -> None:
        """Make the example of each variable in a domain name a domain name itself."""
        from scaffold.importers.copilot.context import Variable

        for name in VARIABLE.findall(value):
            old = self.ctx.variables.get(name)
            if old is not None and old.example == "imported":
                self.ctx.variables[name] = Variable(name, "imported.example.com", old.why)




@functools.lru_cache(maxsize=64)
def _lines_of(path: str) -> tuple[str, ...]:
    try:
        return tuple(Path(path).read_text(encoding="utf-8-sig").splitlines())
    except (OSError, UnicodeDecodeError):
        return ()


_SCALAR_LINE = re.compile(r"^\s*(?:-\s+)?(?:\"[^\"]*\"|'[^']*'|[^:#'\"]+?)\s*:\s+(?P<value>[^\s#\[{&*!|>][^#]*?)\s*(?:#.*)?$")


def scalar_text(ctx: Context, origin: Origin, value: Any) -> str:
    """The text of a scalar as Copilot read it: a string field gets the characters written.

    PyYAML reads YAML 1.1, where ``on`` is ``True``, ``1:30`` is 90 and ``010`` is 8, but
    Copilot decodes ``variables`` into strings and keeps what was written (``TEST_BOOL_ENV_VAR:
    on`` is ``on``); so a number or boolean is re-read from its line when it is written there.
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if origin.line:
        lines = _lines_of(str(ctx.workspace.root / origin.file))
        if 0 < origin.line <= len(lines):
            match = _SCALAR_LINE.match(lines[origin.line - 1])
            if match:
                return match["value"].strip().strip("'\"")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


#: Go's ``time.ParseDuration`` units (Copilot's durations), plus ``d`` which Copilot accepts in
#: some fields (``retention: 4d`` in its docs), in seconds.
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_GO_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)")


def go_duration(value: Any) -> float | None:
    """Seconds of a Copilot duration such as ``1h30m``, ``250ms`` or ``96h``; ``None`` if not one."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _GO_DURATION.sub("", text) != "":
        return None
    return sum(float(n) * _GO_UNITS[u] for n, u in _GO_DURATION.findall(text))


def lines_of(data: Any) -> frozenset[int]:
    """Every key line inside ``data`` (a mapping or list, recursively), and its own."""
    out: set[int] = set()
    if isinstance(data, Located):
        out.add(data.origin.line)
        out.update(data.key_lines.values())
        for v in data.values():
            out |= lines_of(v)
    elif isinstance(data, list):
        for v in data:
            out |= lines_of(v)
    return frozenset(out)


def located(origin: Origin, items: list[tuple[str, Any, int]]) -> Located:
    """A new :class:`Located` holding ``items`` (key, value, line)."""
    out = Located()
    out.origin = origin
    out.key_lines = {}
    for key, value, line in items:
        out[key] = value
        out.key_lines[key] = line
    return out


#: Pairs of keys Copilot holds mutually exclusive: an environment that sets one drops the other.
EXCLUSIVE = {"build": "location", "location": "build"}


def merge(base: Located, override: Located) -> Located:
    """``base`` with an ``environments.<env>:`` block merged in, as Copilot applies it: mappings
    merge key by key, anything else (a list, a scalar, a mapping over a scalar) replaces."""
    items = [(k, v, base.key_lines.get(k, base.origin.line)) for k, v in base.items()]
    out = located(base.origin, items)
    for key, value in override.items():
        line = override.key_lines.get(key, override.origin.line)
        if key in EXCLUSIVE and EXCLUSIVE[key] in out:
            del out[EXCLUSIVE[key]]
        if isinstance(value, Located) and isinstance(out.get(key), Located):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
        out.key_lines[key] = line
    return out
