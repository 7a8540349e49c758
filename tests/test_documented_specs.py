"""Every spec the docs show is one a user can copy: it validates and every environment plans.

Finds each fenced ``yaml`` block in README.md and docs/*.md that holds a whole
spec (a ``scaffold: 1`` line), plus examples/*.yaml and the ``scaffold new``
template (rendered), and runs it through ``scaffold.spec.check_source`` and
``stacks.plan.plan``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scaffold.spec.loader import check_source
from scaffold.spec.source import parse_yaml

ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"```ya?ml\n(.*?)```", re.S)


def _documented() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for i, block in enumerate(_FENCE.findall(page.read_text(encoding="utf-8"))):
            if re.search(r"^scaffold: 1\b", block, re.M):
                found.append((f"{page.name}#{i + 1}", block))
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        found.append((example.name, example.read_text(encoding="utf-8")))
    return found


DOCUMENTED = _documented()


def test_the_docs_show_whole_specs() -> None:
    names = [name for name, _ in DOCUMENTED]
    assert any(n.startswith("README.md") for n in names), names
    assert any(n.startswith("spec.md") for n in names), names
    assert "shop.yaml" in names


@pytest.mark.parametrize(("name", "text"), DOCUMENTED, ids=[n for n, _ in DOCUMENTED])
def test_documented_spec_validates_and_plans(name: str, text: str) -> None:
    from stacks.plan import plan

    checked = check_source(parse_yaml(text, name))
    assert checked.blueprints
    for env, blueprint in checked.blueprints.items():
        result = plan(blueprint)
        assert result.aws_resources, f"{name}: environment {env} plans no resources"


def test_a_new_project_with_every_kind_plans_in_every_environment(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scaffold.cli import app
    from stacks.plan import plan

    target = tmp_path / "shop"
    result = CliRunner().invoke(app, ["new", "shop", "--dir", str(target), "--no-input", "--components",
                                      "database,api,queue,cache,notifications,worker,job,bucket"])
    assert result.exit_code == 0, result.output
    checked = check_source(parse_yaml((target / "scaffold.yaml").read_text(), "scaffold.yaml"))
    assert {bp.profile for bp in checked.blueprints.values()} >= {"dev", "production"}
    for blueprint in checked.blueprints.values():
        assert plan(blueprint).aws_resources


def test_a_new_project_with_every_kind_validates_without_warnings_in_production(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from scaffold.cli import app

    target = tmp_path / "shop"
    CliRunner().invoke(app, ["new", "shop", "--dir", str(target), "--no-input", "--components",
                             "database,api,queue,cache,notifications,worker,job,bucket"])
    checked = check_source(parse_yaml((target / "scaffold.yaml").read_text(), "scaffold.yaml"))
    # dev may warn that it serves plain HTTP; nothing else (e.g. alarms into a work queue) may warn.
    assert [w.message for w in checked.warnings if "plain HTTP" not in w.message] == []
