"""``scaffold plan --all``: every environment of a spec, planned in one process, in one document."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from stacks.markdown import COMMENT_LIMIT

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).with_name("snapshots")
SHOP = ROOT / "examples" / "shop.yaml"
LONGEST = ROOT / "tests" / "stacks" / "worst_case" / "longest-names.yaml"
NOW = {"SCAFFOLD_NOW": "2026-01-01T00:00:00Z"}

runner = CliRunner()


def test_all_json_holds_each_environments_plan_byte_for_byte_as_plan_e_prints_it() -> None:
    # Four environments in four regions and three profiles: planned one after the other in one
    # process, each must come out exactly as a plan of that environment alone (its snapshot).
    result = runner.invoke(app, ["plan", "-f", str(LONGEST), "--all", "--json"], env=NOW)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    environments = ["development-env1", "staging-environ2", "production-env-3", "production-gov-4"]
    assert list(document) == ["format", "project", "environments"]
    assert document["format"] == 1 and document["project"] == "longest-project-name-for-the-plan-lintx"
    assert list(document["environments"]) == environments  # spec order
    for env in environments:
        alone = (SNAPSHOTS / f"longest-names.{env}.json").read_text()
        assert json.dumps(document["environments"][env], indent=2) + "\n" == alone, env


def test_all_json_matches_the_documented_schemas() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    docs = (ROOT / "docs" / "plan.md").read_text()
    schemas = {s["title"]: s for s in map(json.loads, re.findall(r"```json\n(.*?)\n```", docs, re.S))
               if isinstance(s, dict) and "title" in s}
    result = runner.invoke(app, ["plan", "-f", str(SHOP), "--all", "--json"], env=NOW)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(schemas["scaffold plan --all --json"]).validate(document)
    for plan in document["environments"].values():
        jsonschema.Draft202012Validator(schemas["scaffold plan --json"]).validate(plan)


def test_all_text_prints_each_environments_tree_in_turn() -> None:
    result = runner.invoke(app, ["plan", "-f", str(SHOP), "--all"], env=NOW)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("stack shop/")]
    assert [lines[i].split()[1] for i in heads] == ["shop/dev", "shop/prod"]
    totals = [line for line in lines if line.startswith("Plan: ")]
    assert len(totals) == 2 and heads[0] < lines.index(totals[0]) < heads[1] < lines.index(totals[1])
    assert lines[heads[1] - 1] == ""  # a blank line between two environments
    assert result.stderr.count("Computed offline") == 1


def test_all_markdown_has_one_section_per_environment_within_one_comment() -> None:
    result = runner.invoke(app, ["plan", "-f", str(SHOP), "--all", "--format", "markdown"], env=NOW)
    assert result.exit_code == 0, result.output
    titles = [line for line in result.stdout.splitlines() if line.startswith("### Plan of ")]
    assert titles == ["### Plan of shop/dev: profile dev, region us-east-1",
                      "### Plan of shop/prod: profile production, region eu-west-1"]
    assert len(result.stdout) <= COMMENT_LIMIT


def test_all_against_marks_the_replacements_of_each_environment(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "scaffold.yaml"
    old.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"
                   "  prod: {profile: production}\ncomponents:\n  orders-db: {kind: database, engine: postgres}\n")
    new.write_text(old.read_text().replace("engine: postgres}", "engine: postgres, database: sales}"))
    result = runner.invoke(app, ["plan", "-f", str(new), "--all", "--json", "--against", str(old)])
    assert result.exit_code == 0, result.output
    environments = json.loads(result.stdout)["environments"]
    for env in ("dev", "prod"):
        alone = runner.invoke(app, ["plan", "-f", str(new), "-e", env, "--json", "--against", str(old)])
        assert alone.exit_code == 0, alone.output
        assert environments[env] == json.loads(alone.stdout)
        # Only this environment's replacement (the change replaces the cluster in both).
        assert [r["component"] for r in environments[env]["replacements"]] == ["orders-db"]
        assert [r["name"] for r in environments[env]["resources"] if "replace" in r] == ["orders-db-cluster"]


def test_all_with_an_environment_is_a_usage_error() -> None:
    result = runner.invoke(app, ["plan", "-f", str(SHOP), "--all", "-e", "prod"])
    assert result.exit_code == 2
    assert "error: -e prod and --all both choose the environments" in result.output
    assert "hint: pass one of them" in result.output
    assert "Traceback" not in result.output


def test_all_of_an_invalid_spec_reports_the_spec_error(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"
                    "components:\n  q: {kind: queue, retention: forever}\n")
    result = runner.invoke(app, ["plan", "-f", str(spec), "--all", "--json"])
    assert result.exit_code == 2
    assert f"{spec}:7:" in result.output and result.stdout == ""


def test_help_shows_all_with_an_example() -> None:
    result = runner.invoke(app, ["plan", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "--all" in result.output and "scaffold plan --all --json > plans.json" in result.output
