"""Regenerate the generated parts of ``docs/spec.md`` from their single sources.

``python -m scaffold.docs`` rewrites the text between the markers
``<!-- generated:profiles -->`` / ``<!-- generated:fields -->`` and their
``<!-- end -->``: the profile table (from :data:`scaffold.spec.profiles.PROFILES`)
and the field reference (from the spec models' descriptions). A test fails when
the committed file differs from what this writes.
"""

from __future__ import annotations

import re
import sys
import typing
from pathlib import Path

from pydantic import BaseModel

from scaffold.spec import models
from scaffold.spec.profiles import profile_table

DOCS_SPEC = Path(__file__).resolve().parents[1] / "docs" / "spec.md"

#: The models documented, with the YAML path they live at.
SECTIONS: list[tuple[str, type[BaseModel]]] = [
    ("top level", models.Spec),
    ("network", models.NetworkSpec),
    ("alarms", models.AlarmsSpec),
    ("environments.NAME", models.EnvironmentSpec),
    ("components.NAME (kind: database)", models.DatabaseSpec),
    ("components.NAME.serverless", models.ServerlessSpec),
    ("components.NAME (kind: cache)", models.CacheSpec),
    ("components.NAME (kind: queue)", models.QueueSpec),
    ("components.NAME (kind: notifications)", models.NotificationsSpec),
    ("components.NAME.subscribers[]", models.SubscriberSpec),
    ("components.NAME (kind: api)", models.ApiSpec),
    ("components.NAME.scaling", models.ScalingSpec),
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


def _replacement(content: str) -> typing.Callable[[re.Match[str]], str]:
    return lambda match: match.group(1) + content + match.group(2)


def render(text: str) -> str:
    """``text`` with every generated section replaced by its current content."""
    for marker, content in (("profiles", profile_table()), ("fields", field_reference())):
        pattern = re.compile(rf"(<!-- generated:{marker} -->\n).*?(\n<!-- end -->)", re.S)
        text = pattern.sub(_replacement(content), text)
    return text


def main() -> int:
    """Rewrite ``docs/spec.md`` in place; print whether it changed."""
    old = DOCS_SPEC.read_text(encoding="utf-8")
    new = render(old)
    if new != old:
        DOCS_SPEC.write_text(new, encoding="utf-8")
        print(f"updated {DOCS_SPEC}")
    else:
        print(f"{DOCS_SPEC} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
