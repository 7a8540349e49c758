"""``scaffold new``: a project that validates, and nothing touched on bad input."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.spec import check_file

runner = CliRunner()
KINDS = ("database", "api", "queue", "cache", "notifications")


def test_new_then_validate_and_blueprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "shop"
    result = runner.invoke(app, ["new", "shop", "--dir", str(target), "--no-input", "--region", "eu-west-1"])
    assert result.exit_code == 0, result.output
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert files == [".github/workflows/scaffold.yml", ".gitignore", "README.md",
                     "scaffold.schema.json", "scaffold.yaml"]
    spec_text = (target / "scaffold.yaml").read_text()
    assert spec_text.startswith("# yaml-language-server: $schema=./scaffold.schema.json")
    assert "region: eu-west-1" in spec_text
    assert ".scaffold/" in (target / ".gitignore").read_text()
    workflow = yaml.safe_load((target / ".github/workflows/scaffold.yml").read_text())
    assert "pull_request" in workflow[True] or "pull_request" in workflow.get("on", {})
    assert any("scaffold validate" in str(step.get("run")) for step in workflow["jobs"]["validate"]["steps"])
    assert json.loads((target / "scaffold.schema.json").read_text())["title"] == "scaffold.yaml"
    readme = (target / "README.md").read_text()
    assert "scaffold validate" in readme and "scaffold plan" in readme and "scaffold deploy" in readme

    monkeypatch.chdir(target)
    assert runner.invoke(app, ["validate"]).exit_code == 0
    prod = runner.invoke(app, ["blueprint", "-e", "prod"])
    assert prod.exit_code == 0
    bp = yaml.safe_load(prod.stdout)
    assert bp["components"]["db"]["replicas"] == 1 and bp["components"]["api"]["scaling"]["min"] == 2


#: The automations, alone and with what they use.
AUTOMATIONS = [("worker",), ("job",), ("bucket",), ("worker", "job", "bucket"), ("database", "worker", "bucket"),
               ("api", "bucket"), ("job", "database"), (*KINDS, "worker", "job", "bucket")]


@pytest.mark.parametrize("kinds", [*[c for n in range(0, 6) for c in combinations(KINDS, n)][::3], KINDS,
                                   *AUTOMATIONS],
                         ids=lambda k: ",".join(k) or "none")
def test_every_component_choice_gives_a_valid_project(tmp_path: Path, kinds: tuple[str, ...]) -> None:
    target = tmp_path / "p"
    result = runner.invoke(app, ["new", "proj", "--dir", str(target), "--no-input",
                                 "--components", ",".join(kinds)])
    assert result.exit_code == 0, result.output
    checked = check_file(target / "scaffold.yaml")
    expected = {*kinds, *(("queue",) if "worker" in kinds else ())}  # a worker brings the queue it consumes
    assert sorted(c.kind for c in checked.spec.components.values()) == sorted(expected)
    assert checked.warnings == [] or all("plain HTTP" in w.message for w in checked.warnings)


def test_refuses_a_non_empty_folder_and_touches_nothing(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path), "--no-input"])
    assert result.exit_code == 2 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.parametrize("argv", [["new", "Shop!"], ["new", "x"], ["new", "shop", "--region", "mars-1"],
                                  ["new", "shop", "--components", "database,lambda"]])
def test_invalid_answers_write_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, [*argv, "--no-input"])
    assert result.exit_code == 2, result.output
    assert list(tmp_path.iterdir()) == []


def test_no_questions_without_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CliRunner's stdin is not a terminal: even without --no-input nothing is asked.
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new", "shop"], input="")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "shop" / "scaffold.yaml").is_file()


def test_questions_are_asked_on_a_terminal_and_bad_answers_asked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scaffold.prompts.stdin_is_terminal", lambda: True)
    # region: a bad answer, then a good one; components: a bad kind, then two good ones.
    answers = "mars-1\neu-west-2\ndatabase,lambda\ndatabase,api\n"
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop")], input=answers)
    assert result.exit_code == 0, result.output
    assert "not an AWS region name" in result.output and "unknown component kind 'lambda'" in result.output
    checked = check_file(tmp_path / "shop" / "scaffold.yaml")
    assert checked.spec.region == "eu-west-2"
    assert sorted(c.kind for c in checked.spec.components.values()) == ["api", "database"]


def test_options_given_are_not_asked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scaffold.prompts.stdin_is_terminal", lambda: True)
    result = runner.invoke(app, ["new", "shop", "--dir", str(tmp_path / "shop"), "--region", "eu-west-1",
                                 "--components", "queue"], input="")
    assert result.exit_code == 0, result.output
    assert "AWS region" not in result.output and "Components" not in result.output
