"""The JSON Schema (draft 2020-12) of ``scaffold.yaml``, generated from the spec models."""

from __future__ import annotations

import json
from typing import Any

from scaffold.spec.models import Spec

#: Where the schema says it lives, for editors that follow ``$id``.
SCHEMA_ID = "https://scaffold-iac.dev/schema/scaffold-1.json"


def spec_schema() -> dict[str, Any]:
    """The JSON Schema of the spec, with a description on every field."""
    schema = Spec.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **{k: v for k, v in schema.items() if k != "$schema"}}


def spec_schema_text() -> str:
    """:func:`spec_schema` as indented JSON text."""
    return json.dumps(spec_schema(), indent=2)
