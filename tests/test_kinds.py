"""A kind is one module per layer, found by lookup (issue 9).

Spec module ``scaffold/spec/kinds/<kind>.py`` (models, profile defaults, rules), component
package ``blueprints/<kind>/`` and wiring entry ``stacks/kinds/<kind>.py``; the spec, the
profiles, the docs and the stack program are assembled from the registries, so no layer
keeps a chain of kinds of its own.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from scaffold.spec.kinds import KIND_MODULES, KINDS
from scaffold.spec.models import COMPONENT_MODELS
from scaffold.spec.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("kind", KIND_MODULES)
def test_each_kind_has_a_spec_module_a_component_package_and_a_wiring_entry(kind: str) -> None:
    from stacks.kinds import WIRING

    assert KINDS[kind].name == kind
    assert (ROOT / "blueprints" / kind / "component.py").is_file()
    assert (ROOT / "blueprints" / kind / "settings.py").is_file()
    assert importlib.import_module(f"stacks.kinds.{kind}").WIRING is WIRING[kind]
    assert COMPONENT_MODELS[kind] is KINDS[kind].spec_model
    for profile in ("dev", "staging", "production"):
        assert PROFILES[profile][kind] == KINDS[kind].profiles[profile]
    # The profile sets every field of the blueprint model but the kind, what the spec must
    # give (image, a job's schedule) and what resolving completes from other fields (an engine's version).
    fields = set(KINDS[kind].blueprint_model.model_fields) - {"kind", "image", "schedule", "version"}
    for profile in ("dev", "staging", "production"):
        assert set(KINDS[kind].profiles[profile]) >= fields, profile


def test_the_stack_program_and_settings_name_no_kind() -> None:
    """stacks/program.py and stacks/settings.py look kinds up; neither compares a kind by name."""
    for path in ("stacks/program.py", "stacks/settings.py", "scaffold/spec/resolve.py", "scaffold/spec/names.py"):
        text = (ROOT / path).read_text()
        chains = re.findall(r"kind\s*(?:==|!=|in)\s*[\"'(]", text)
        assert chains == [], f"{path} compares kinds by name: {chains}"


def test_validate_imports_no_wiring_component() -> None:
    """The wiring registry is pulumi-free: importing it (as validate does) loads no component."""
    import subprocess
    import sys

    code = ("import sys, stacks.kinds, stacks.settings; "
            "print(sorted(m for m in sys.modules if m.startswith('pulumi') or m.endswith('.component')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"
