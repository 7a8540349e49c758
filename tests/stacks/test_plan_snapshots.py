"""The plan JSON of the example and the worst-case specs, against committed snapshots.

Refactors (a kind as one module per layer, issue 9) and optimisations must keep
``scaffold plan --json`` byte-identical for every spec that already plans. A changed
snapshot is a changed plan: review it like one. To accept an intended change, run
``SCAFFOLD_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/stacks/test_plan_snapshots.py``
and commit the files under ``tests/stacks/snapshots/``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).with_name("snapshots")
#: The "now" of every snapshot (SCAFFOLD_NOW), for the next runs of jobs.
NOW = "2026-01-01T00:00:00Z"
SPECS = {
    "shop": ROOT / "examples" / "shop.yaml",
    "longest-names": ROOT / "tests" / "stacks" / "worst_case" / "longest-names.yaml",
    "nat-none": ROOT / "tests" / "stacks" / "worst_case" / "nat-none.yaml",
    "near-prefixes": ROOT / "tests" / "stacks" / "worst_case" / "near-prefixes.yaml",
    "automations": ROOT / "tests" / "stacks" / "worst_case" / "automations.yaml",
}


def _cases() -> list[tuple[str, str]]:
    import yaml

    cases = []
    for label, path in SPECS.items():
        for env in yaml.safe_load(path.read_text())["environments"]:
            cases.append((label, env))
    return cases


@pytest.mark.parametrize(("label", "env"), _cases())
def test_plan_json_matches_its_snapshot(label: str, env: str) -> None:
    # A job's next run times are computed from "now": fix it, so the snapshot is stable.
    result = CliRunner().invoke(app, ["plan", "-f", str(SPECS[label]), "-e", env, "--json"],
                                env={"SCAFFOLD_NOW": NOW})
    assert result.exit_code == 0, result.output
    snapshot = SNAPSHOTS / f"{label}.{env}.json"
    if os.environ.get("SCAFFOLD_UPDATE_SNAPSHOTS") == "1":
        snapshot.write_text(result.stdout)
    assert snapshot.exists(), f"no snapshot {snapshot.name}; set SCAFFOLD_UPDATE_SNAPSHOTS=1 to write it"
    assert result.stdout == snapshot.read_text(), (
        f"the plan of {label} ({env}) changed; diff it against {snapshot} and, if intended, "
        "regenerate with SCAFFOLD_UPDATE_SNAPSHOTS=1")
