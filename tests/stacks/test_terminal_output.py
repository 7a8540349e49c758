"""Terminal output prints values byte for byte: no emoji codes, no markup, in every command.

Rich would turn ``:secret:`` inside a Secrets Manager ARN into an emoji and read ``[bold]`` as
markup (a lone ``[/]`` even raises). Each test puts such values where a command prints them and
checks the exact text it wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from scaffold import plan_commands, stack_commands
from scaffold.cli import app as scaffold_app
from scaffold.console import fail
from scaffold.errors import OperationError
from stacks import deploy
from tests.stacks.pulumi_double import RecordingPulumiCommand, step_event
from tests.stacks.test_stack_commands import app, loaded  # noqa: F401  (fixtures)

#: Values Rich would rewrite or choke on.
TRICKY = {
    "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-AbCdEf",
    "emoji": ":smile: :thumbs_up:",
    "markup": "[bold]x[/]",
    "bracket": "[",
    "closing": "[/]",
}


@pytest.fixture
def tricky_engine(monkeypatch: pytest.MonkeyPatch) -> RecordingPulumiCommand:
    double = RecordingPulumiCommand(
        events={"up": [step_event("resOutputsEvent", "create", "aws:sqs/queue:Queue", "shop-dev-jobs")],
                "preview": [step_event("resOutputsEvent", "create", "aws:sqs/queue:Queue", "shop-dev-jobs",
                                       planning=True)]},
        outputs=dict(TRICKY),
    )
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: double)
    return double


def _lines(text: str) -> set[str]:
    return set(text.splitlines())


def test_outputs_prints_values_unchanged(app: typer.Typer, tricky_engine: Any, loaded: Any) -> None:  # noqa: F811
    result = CliRunner().invoke(app, ["outputs", "-e", "dev"])
    assert result.exit_code == 0, result.output
    assert {f"{k} = {v}" for k, v in TRICKY.items()} <= _lines(result.stdout)
    assert "㊙" not in result.stdout and "😄" not in result.stdout


def test_deploy_prints_outputs_unchanged(app: typer.Typer, tricky_engine: Any, loaded: Any) -> None:  # noqa: F811
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 0, result.output
    assert {f"{k} = {v}" for k, v in TRICKY.items()} <= _lines(result.stdout)


def _spec(tmp_path: Path, secret: str = TRICKY["secret_arn"]) -> Path:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(yaml.safe_dump({
        "scaffold": 1, "name": "shop", "region": "us-east-1", "environments": {"dev": {"profile": "dev"}},
        "components": {"api": {"kind": "api", "image": "nginx:1.27",
                               "environment": {"EMOJI": TRICKY["emoji"], "MARKUP": TRICKY["markup"],
                                               "BRACKET": TRICKY["bracket"], "CLOSING": TRICKY["closing"]},
                               "secrets": {"STRIPE_KEY": secret}}},
    }))
    return spec


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_blueprint_prints_values_unchanged(tmp_path: Path, fmt: str) -> None:
    result = CliRunner().invoke(scaffold_app, ["blueprint", "-f", str(_spec(tmp_path)), "--format", fmt])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout) if fmt == "json" else yaml.safe_load(result.stdout)
    api = data["components"]["api"]
    assert api["secrets"]["STRIPE_KEY"] == TRICKY["secret_arn"]
    assert api["environment"] == {"EMOJI": TRICKY["emoji"], "MARKUP": TRICKY["markup"],
                                  "BRACKET": TRICKY["bracket"], "CLOSING": TRICKY["closing"]}
    assert ":secret:stripe-AbCdEf" in result.stdout


def test_spec_errors_print_the_value_unchanged(tmp_path: Path) -> None:
    partial = "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe"  # no 6-character suffix
    result = CliRunner().invoke(scaffold_app, ["validate", "-f", str(_spec(tmp_path, partial))])
    assert result.exit_code == 2, result.output
    assert partial in result.stderr and "㊙" not in result.stderr


def test_error_message_and_hint_print_unchanged() -> None:
    cli = typer.Typer()

    @cli.command()
    def boom() -> None:
        fail(OperationError(f"cannot read {TRICKY['secret_arn']} {TRICKY['closing']}",
                            f"{TRICKY['markup']} {TRICKY['emoji']} {TRICKY['bracket']}"))

    @cli.command()
    def other() -> None:  # two commands, so `boom` is a subcommand
        pass

    result = CliRunner().invoke(cli, ["boom"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: cannot read {TRICKY['secret_arn']} {TRICKY['closing']}",
        f"hint: {TRICKY['markup']} {TRICKY['emoji']} {TRICKY['bracket']}",
    ]


def test_plan_tree_prints_names_and_settings_unchanged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import stacks.plan as plan_mod
    from stacks.plan import Plan, PlannedResource

    def fake_plan(blueprint: Any) -> Plan:
        component = PlannedResource(urn="urn:c", type="scaffold:blueprints:Api", name="api[/]", parent=None,
                                    component="api", inputs={})
        group = PlannedResource(urn="urn:g", type="aws:cloudwatch/logGroup:LogGroup", name=TRICKY["markup"],
                                parent="urn:c", component="api", inputs={"retentionInDays": ":secret:[/]"},
                                id="g", arn=None)
        return Plan(project="shop", stack="dev", profile="dev", region="us-east-1", resources=[component, group],
                    outputs={}, spec_components=["api"])

    monkeypatch.setattr(plan_mod, "plan", fake_plan)
    app_ = typer.Typer()
    app_.command("version")(lambda: None)
    plan_commands.register(app_)
    result = CliRunner().invoke(app_, ["plan", "-f", str(_spec(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "Api api[/]" in result.stdout
    assert f"aws:cloudwatch/logGroup:LogGroup {TRICKY['markup']}  retentionInDays=:secret:[/]" in result.stdout


def test_step_lines_print_unchanged(app: typer.Typer, loaded: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    name = "shop-dev-[bold]jobs[/]:secret:"
    double = RecordingPulumiCommand(
        events={"up": [step_event("resOutputsEvent", "create", "aws:sqs/queue:Queue", name)],
                "preview": [step_event("resOutputsEvent", "create", "aws:sqs/queue:Queue", name, planning=True)]},
        outputs={})
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: double)
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 0, result.output
    assert name in result.stdout


def test_the_consoles_interpret_nothing() -> None:
    from scaffold.console import err, out

    for console in (out, err):
        assert (console._markup, console._emoji, console._highlight) == (False, False, False)
    assert stack_commands.out is out
