"""``command`` on an API (and, with the same field, on a worker and a job): the container's
command, replacing the image's ``CMD`` (ECS ``ContainerDefinition.command``)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from scaffold.cli import app

SPEC = """\
scaffold: 1
name: shop
region: us-east-1
environments:
  dev: {{profile: dev}}
components:
  web:
    kind: api
    image: ghcr.io/acme/web:1.0
{command}"""


def _plan(tmp_path: Path, command: str) -> dict:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(command=command))
    result = CliRunner().invoke(app, ["plan", "-f", str(spec), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _container(plan: dict) -> dict:
    (task,) = [r for r in plan["resources"] if r["type"] == "aws:ecs/taskDefinition:TaskDefinition"]
    (container,) = json.loads(task["inputs"]["containerDefinitions"])
    return container


def test_command_replaces_the_image_cmd(tmp_path: Path) -> None:
    container = _container(_plan(tmp_path, '    command: ["python", "-m", "web", "--port", "8080"]\n'))
    assert container["command"] == ["python", "-m", "web", "--port", "8080"]


def test_without_command_the_image_cmd_runs(tmp_path: Path) -> None:
    assert "command" not in _container(_plan(tmp_path, ""))


def test_an_empty_command_is_refused_at_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(command="    command: []\n"))
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2
    assert "scaffold.yaml:10:" in result.output and "components.web.command" in result.output
    assert "Traceback" not in result.output


def test_a_command_of_non_strings_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(command="    command: [python, {a: 1}]\n"))
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2
    assert "components.web.command" in result.output
