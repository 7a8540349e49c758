"""Regenerate the generated parts of ``docs/spec.md`` and ``docs/blueprints.md`` from their sources.

``python -m scaffold.docs`` rewrites the text between a marker
``<!-- generated:NAME -->`` and the next ``<!-- end -->``: ``profiles`` (the
whole profile table), ``profiles:<kind>`` (one section of it), both from
:data:`scaffold.spec.profiles.PROFILES`, and ``fields`` (the field reference,
from the spec models' descriptions). A test fails when a committed page
differs from what this writes.
"""

from __future__ import annotations

import re
import sys
import typing
from pathlib import Path

from pydantic import BaseModel

from scaffold.spec import models
from scaffold.spec.kinds import KINDS
from scaffold.spec.profiles import profile_table

DOCS = Path(__file__).resolve().parents[1] / "docs"
#: The docs pages with generated sections.
GENERATED_PAGES = (DOCS / "spec.md", DOCS / "blueprints.md")

#: The models documented, with the YAML path they live at.
SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("top level", models.Spec),
    ("network", models.NetworkSpec),
    ("alarms", models.AlarmsSpec),
    ("environments.NAME", models.EnvironmentSpec),
    # Each kind's models, from its module (scaffold.spec.kinds).
    *(entry for kind in KINDS.values() for entry in kind.doc_models),
]


def _schema_type(prop: dict[str, typing.Any]) -> str:
    """A short, readable type from a JSON Schema property."""
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "$ref" in prop:
        return "mapping"
    if "anyOf" in prop:
        kinds = [_schema_type(p) for p in prop["anyOf"] if p.get("type") != "null"]
        if any(p.get("pattern", "").startswith("^\\s*(\\d+)") for p in prop["anyOf"]):
            return "duration"
        return " \\| ".join(dict.fromkeys(kinds))
    kind = prop.get("type", "any")
    if kind == "object":
        return "mapping"
    if kind == "array":
        return "list"
    return {"integer": "int", "number": "number", "string": "string", "boolean": "bool"}.get(kind, str(kind))


def field_reference() -> str:
    """The field reference as Markdown tables, one per model."""
    parts = []
    for where, model in SECTIONS:
        rows = ["| field | type | required | description |", "|---|---|---|---|"]
        properties = model.model_json_schema()["properties"]
        for name, field in model.model_fields.items():
            required = "yes" if field.is_required() else "no"
            rows.append(f"| `{name}` | {_schema_type(properties[name])} | {required} | {field.description or ''} |")
        parts.append(f"### `{where}`\n\n{model.__doc__.strip() if model.__doc__ else ''}\n\n" + "\n".join(rows))
    return "\n\n".join(parts)


def _generated(marker: str) -> str:
    if marker == "fields":
        return field_reference()
    if marker == "profiles":
        return profile_table()
    return profile_table(marker.removeprefix("profiles:"))


def render(text: str) -> str:
    """``text`` with every generated section (``profiles``, ``profiles:<kind>``, ``fields``) made current."""
    pattern = re.compile(r"(<!-- generated:([a-z:]+) -->)\n.*?(<!-- end -->)", re.S)
    return pattern.sub(lambda m: f"{m.group(1)}\n{_generated(m.group(2))}\n{m.group(3)}", text)


def main() -> int:
    """Rewrite the generated sections of the docs pages in place; print what changed."""
    for page in GENERATED_PAGES:
        old = page.read_text(encoding="utf-8")
        new = render(old)
        if new != old:
            page.write_text(new, encoding="utf-8")
            print(f"updated {page}")
        else:
            print(f"{page} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
