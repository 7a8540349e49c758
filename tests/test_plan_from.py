"""``scaffold plan --from PLANS.json``: a saved plan rendered again, without planning (docs/plan.md).

The saved documents are the committed plan snapshots (``tests/stacks/snapshots``), which
``tests/stacks/test_plan_snapshots.py`` keeps equal to what ``plan --json`` prints today.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "stacks" / "snapshots"
SHOP = ROOT / "examples" / "shop.yaml"
NOW = {"SCAFFOLD_NOW": "2026-01-01T00:00:00Z"}  # the snapshots' "now"

runner = CliRunner()


def _snapshot(env: str) -> dict[str, Any]:
    return json.loads((SNAPSHOTS / f"shop.{env}.json").read_text())


def _all_document() -> dict[str, Any]:
    """What ``scaffold plan -f examples/shop.yaml --all --json`` prints, from the snapshots."""
    return {"format": 1, "project": "shop", "environments": {"dev": _snapshot("dev"), "prod": _snapshot("prod")}}


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    path = tmp_path / "plans.json"
    path.write_text(json.dumps(_all_document(), indent=2))
    return path


def _plan(*argv: str) -> Any:
    return runner.invoke(app, ["plan", *argv], env=NOW)


# -- the same output as planning again ---------------------------------------------------------


def test_markdown_of_every_saved_environment_is_byte_for_byte_plan_all(plans: Path) -> None:
    planned = _plan("-f", str(SHOP), "--all", "--format", "markdown")
    assert planned.exit_code == 0, planned.output
    saved = _plan("-f", str(SHOP), "--from", str(plans), "--format", "markdown")
    assert saved.exit_code == 0, saved.output
    assert saved.stdout == planned.stdout
    assert [line for line in saved.stdout.splitlines() if line.startswith("### Plan of")] == [
        "### Plan of shop/dev: profile dev, region us-east-1",
        "### Plan of shop/prod: profile production, region eu-west-1"]


def test_markdown_of_one_environment_is_byte_for_byte_plan_e(plans: Path, tmp_path: Path) -> None:
    planned = _plan("-f", str(SHOP), "-e", "prod", "--format", "markdown")
    assert planned.exit_code == 0, planned.output
    # from a --all document with -e, and from a single plan (plan -e prod --json) without it
    from_all = _plan("-f", str(SHOP), "--from", str(plans), "-e", "prod", "--format", "markdown")
    from_one = _plan("-f", str(SHOP), "--from", str(SNAPSHOTS / "shop.prod.json"), "--format", "markdown")
    assert from_all.stdout == planned.stdout == from_one.stdout
    assert "| orders-db | database |" in from_all.stdout and "```mermaid" in from_all.stdout


def test_saved_replacements_show_as_the_data_loss_list(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    old.write_text(SHOP.read_text().replace("database: orders", "database: sales"))
    planned = _plan("-f", str(SHOP), "--all", "--format", "markdown", "--against", str(old))
    saved_json = _plan("-f", str(SHOP), "--all", "--json", "--against", str(old))
    assert planned.exit_code == saved_json.exit_code == 0, planned.output + saved_json.output
    path = tmp_path / "plans.json"
    path.write_text(saved_json.stdout)
    saved = _plan("-f", str(SHOP), "--from", str(path), "--format", "markdown")
    assert saved.exit_code == 0, saved.output
    assert saved.stdout == planned.stdout
    assert "**Data loss** (1 change against the deployed spec)" in saved.stdout


def test_json_takes_one_environment_out_of_an_all_document(plans: Path) -> None:
    one = _plan("--from", str(plans), "-e", "dev", "--json")
    assert one.exit_code == 0, one.output
    assert one.stdout == (SNAPSHOTS / "shop.dev.json").read_text()  # as plan -e dev --json prints it
    every = _plan("--from", str(plans), "--format", "json")
    assert json.loads(every.stdout) == _all_document()


def test_from_never_plans_nor_imports_pulumi(plans: Path) -> None:
    code = ("import sys\nfrom scaffold.cli import main\nsys.argv = ['scaffold', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code, "plan", "-f", str(SHOP), "--from", str(plans),
                           "--format", "markdown"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "NO_COLOR": "1"}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "### Plan of shop/prod" in proc.stdout
    modules = set(proc.stderr.split())
    assert "stacks.markdown" in modules  # the probe works
    assert not {m for m in modules if m == "pulumi" or m.startswith(("pulumi.", "pulumi_aws", "stacks.mocks"))}


# -- refusals: exit 2, a message and a hint ----------------------------------------------------


def test_a_document_of_another_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plans.json"
    path.write_text(json.dumps({**_all_document(), "format": 2}))
    result = _plan("-f", str(SHOP), "--from", str(path), "--format", "markdown")
    assert result.exit_code == 2
    assert f"{path}: a plan document of format 2; this scaffold reads format 1" in result.stderr
    assert "plan it again with this scaffold" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "not JSON"),
    ('{"hello": 1}', "not a scaffold plan document"),
    ('{"format": 1, "environments": {"prod": {"format": 1}}}', "not a scaffold plan document (format 1)"),
    ("[1, 2]", "not a scaffold plan document"),
])
def test_a_file_that_is_not_a_plan_is_refused(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plans.json"
    path.write_text(text)
    result = _plan("-f", str(SHOP), "--from", str(path), "--format", "markdown")
    assert result.exit_code == 2 and message in result.stderr, result.output
    assert "scaffold plan --all --json > plans.json" in result.stderr  # the hint


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    result = _plan("--from", str(tmp_path / "nope.json"), "--json")
    assert result.exit_code == 2 and "nope.json: no such file" in result.stderr


def test_an_environment_the_document_does_not_have(plans: Path) -> None:
    result = _plan("-f", str(SHOP), "--from", str(plans), "-e", "prd", "--format", "markdown")
    assert result.exit_code == 2
    assert "has no plan of environment 'prd'" in result.stderr and "prod" in result.stderr


@pytest.mark.parametrize(("argv", "message"), [
    ([], "not as a tree"),
    (["--format", "text"], "not as a tree"),
    (["--format", "markdown", "--against", str(SHOP)], "--against has nothing to plan"),
    (["--format", "markdown", "--all", "-e", "prod"], "both choose the environments"),
])
def test_usage_errors(plans: Path, argv: list[str], message: str) -> None:
    result = _plan("-f", str(SHOP), "--from", str(plans), *argv)
    assert result.exit_code == 2 and message in result.stderr, result.output


@pytest.mark.parametrize(("edit", "message"), [
    (lambda s: s.replace("name: shop", "name: store"), "has project 'shop', "),
    (lambda s: s.replace("region: eu-west-1", "region: eu-west-2"), "has region 'eu-west-1', "),
    (lambda s: s.replace("  prod:\n", "  production:\n"), "which "),
    (lambda s: s.replace("  sessions:\n    kind: cache\n    engine: redis\n", "")
     .replace("orders-db, sessions, jobs", "orders-db, jobs"), "components"),
])
def test_a_plan_of_another_spec_is_refused(plans: Path, tmp_path: Path, edit: Any, message: str) -> None:
    """The Markdown takes each component's settings from the spec: they must be the plan's."""
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(edit(SHOP.read_text()))
    result = _plan("-f", str(spec), "--from", str(plans), "--format", "markdown")
    assert result.exit_code == 2, result.output
    assert message in result.stderr, result.stderr
    assert "plan again from" in result.stderr  # the hint


def test_help_teaches_from() -> None:
    result = runner.invoke(app, ["plan", "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "--from" in result.stdout and "PLANS.json" in result.stdout
    assert "scaffold plan --from plans.json --format markdown" in " ".join(result.stdout.split())


def test_the_format_version_is_the_plans() -> None:
    from scaffold.plan_commands import PLAN_FORMAT
    from stacks.plan import PLAN_FORMAT as PLANNED

    assert PLAN_FORMAT == PLANNED
