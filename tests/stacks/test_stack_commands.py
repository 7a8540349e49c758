"""scaffold deploy | preview | destroy | refresh | outputs, driven as a user would.

The spec loader and the program builder are replaced by stand-ins, and the
``pulumi`` CLI by ``RecordingPulumiCommand`` (see tests/stacks/pulumi_double.py),
so these tests check the commands' own behaviour: confirmation, refusals before
any engine call, what goes to stdout and stderr, and exit codes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import scaffold.spec
import stacks
from scaffold import stack_commands
from scaffold.errors import SpecError, SpecProblem
from stacks import deploy
from tests.stacks.pulumi_double import RecordingPulumiCommand, failure, step_event

QUEUE = "aws:sqs/queue:Queue"


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    application.command("version")(lambda: None)  # keeps subcommand dispatch with >1 command
    stack_commands.register(application)
    return application


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> RecordingPulumiCommand:
    double = RecordingPulumiCommand(
        events={"up": [step_event("resOutputsEvent", "create", QUEUE, "shop-dev-jobs")],
                "preview": [step_event("resOutputsEvent", "create", QUEUE, "shop-dev-jobs",
                                       planning=True)]},
        outputs={"queue_url": "https://sqs/jobs", "db_password": "s3cret"},
        secret_outputs=frozenset({"db_password"}),
    )
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: double)
    return double


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    """Stand-ins for scaffold.spec.load_blueprint and stacks.program.build_program."""
    seen: dict[str, Any] = {"profile": "dev", "calls": []}
    (tmp_path / "scaffold.yaml").write_text("name: shop\n")
    monkeypatch.chdir(tmp_path)
    for name in ("CI", "PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "pw")

    def load_blueprint(path: Path, env: str | None) -> SimpleNamespace:
        seen["calls"].append((path, env))
        environment = env or "dev"
        return SimpleNamespace(project="shop", environment=environment, profile=seen["profile"],
                               region="eu-west-1", backend=None, secrets_provider=None,
                               tags={"project": "shop"})

    monkeypatch.setattr(scaffold.spec, "load_blueprint", load_blueprint)
    try:
        import stacks.program as program_mod
    except ImportError:  # the lead's module is not there yet
        program_mod = types.ModuleType("stacks.program")
        monkeypatch.setitem(sys.modules, "stacks.program", program_mod)
        monkeypatch.setattr(stacks, "program", program_mod, raising=False)
    monkeypatch.setattr(program_mod, "build_program", lambda bp: lambda: None, raising=False)
    return seen


def set_interactive(monkeypatch: pytest.MonkeyPatch, value: bool) -> None:
    monkeypatch.setattr(stack_commands, "_interactive", lambda: value)


def ops(fake: RecordingPulumiCommand) -> list[str]:
    return [a[0] for a in fake.argvs if a[0] in {"preview", "up", "destroy", "refresh", "cancel"}]


# -- deploy ----------------------------------------------------------------------------


def test_deploy_yes_previews_then_deploys_and_prints_progress(app, fake, loaded) -> None:
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 0, result.output
    assert ops(fake) == ["preview", "up"]
    assert loaded["calls"] == [(Path("scaffold.yaml"), "dev")]
    lines = result.stdout.splitlines()
    assert "+ create aws:sqs/queue:Queue shop-dev-jobs planned" in lines
    assert "Preview of 'dev' (shop): 1 to create" in lines
    assert "+ create aws:sqs/queue:Queue shop-dev-jobs done" in lines
    assert "Deployed 'dev' (shop): 1 created" in lines
    assert "queue_url = https://sqs/jobs" in lines


def test_deploy_without_terminal_and_without_yes_refuses_before_the_engine(app, fake, loaded,
                                                                            monkeypatch) -> None:
    set_interactive(monkeypatch, False)
    result = CliRunner().invoke(app, ["deploy", "-e", "dev"])
    assert result.exit_code == 2
    assert "error: deploy asks for confirmation, but stdin is not a terminal" in result.stderr
    assert "hint: pass --yes" in result.stderr
    assert fake.calls == []


def test_deploy_asks_and_a_no_changes_nothing(app, fake, loaded, monkeypatch) -> None:
    set_interactive(monkeypatch, True)
    result = CliRunner().invoke(app, ["deploy", "-e", "dev"], input="n\n")
    assert result.exit_code == 1
    assert "Deploy 1 to create to 'dev'?" in result.stderr
    assert "error: deploy declined: nothing was changed" in result.stderr
    assert ops(fake) == ["preview"]


def test_deploy_asks_and_a_yes_deploys(app, fake, loaded, monkeypatch) -> None:
    set_interactive(monkeypatch, True)
    result = CliRunner().invoke(app, ["deploy", "-e", "dev"], input="y\n")
    assert result.exit_code == 0, result.output
    assert ops(fake) == ["preview", "up"]


def test_env_may_be_omitted_and_the_file_option_is_passed_on(app, fake, loaded) -> None:
    Path("other.yaml").write_text("name: shop\n")
    result = CliRunner().invoke(app, ["preview", "-f", "other.yaml"])
    assert result.exit_code == 0, result.output
    assert loaded["calls"] == [(Path("other.yaml"), None)]


# -- destroy ---------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [[], ["--yes"]])
def test_destroy_production_without_force_refuses_before_the_engine(app, fake, loaded,
                                                                     flags) -> None:
    loaded["profile"] = "production"
    result = CliRunner().invoke(app, ["destroy", "-e", "prod", *flags])
    assert result.exit_code == 2
    assert "error: 'prod' uses the production profile; destroying it needs --force" in result.stderr
    assert fake.calls == []


def test_destroy_production_with_force_and_yes(app, fake, loaded) -> None:
    loaded["profile"] = "production"
    result = CliRunner().invoke(app, ["destroy", "-e", "prod", "--force", "--yes"])
    assert result.exit_code == 0, result.output
    assert ops(fake) == ["destroy"]
    assert ["stack", "init", "prod", "--secrets-provider", "passphrase"] not in fake.argvs


def test_destroy_asks_to_type_the_environment_name(app, fake, loaded, monkeypatch) -> None:
    set_interactive(monkeypatch, True)
    result = CliRunner().invoke(app, ["destroy", "-e", "dev"], input="dev\n")
    assert result.exit_code == 0, result.output
    assert "Type the environment name" in result.stderr
    assert ops(fake) == ["destroy"]


def test_destroy_with_the_wrong_name_destroys_nothing(app, fake, loaded, monkeypatch) -> None:
    set_interactive(monkeypatch, True)
    result = CliRunner().invoke(app, ["destroy", "-e", "dev"], input="prod\n")
    assert result.exit_code == 2
    assert "you typed 'prod', not 'dev': nothing was destroyed" in result.stderr
    assert fake.calls == []


def test_destroy_without_terminal_needs_yes(app, fake, loaded, monkeypatch) -> None:
    set_interactive(monkeypatch, False)
    result = CliRunner().invoke(app, ["destroy", "-e", "dev"])
    assert result.exit_code == 2
    assert "hint: pass --yes" in result.stderr
    assert fake.calls == []


# -- preview, refresh, outputs ---------------------------------------------------------------


@pytest.mark.parametrize(("command", "summary"), [
    ("preview", "Preview of 'dev' (shop): 1 to create"),
    ("refresh", "Refreshed 'dev' (shop): 1 refreshed"),
])
def test_preview_and_refresh(app, fake, loaded, command: str, summary: str) -> None:
    fake.changes = {"create": 1} if command == "preview" else {"refresh": 1}
    result = CliRunner().invoke(app, [command, "-e", "dev"])
    assert result.exit_code == 0, result.output
    assert ops(fake) == [command]
    assert summary in result.stdout


def test_outputs_json_is_one_document_on_stdout_with_secrets_masked(app, fake, loaded) -> None:
    result = CliRunner().invoke(app, ["outputs", "-e", "dev", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"queue_url": "https://sqs/jobs", "db_password": "[secret]"}
    assert ops(fake) == []


def test_outputs_show_secrets(app, fake, loaded) -> None:
    result = CliRunner().invoke(app, ["outputs", "-e", "dev", "--json", "--show-secrets"])
    assert json.loads(result.stdout)["db_password"] == "s3cret"


def test_outputs_as_text(app, fake, loaded) -> None:
    result = CliRunner().invoke(app, ["outputs", "-e", "dev"])
    assert result.stdout.splitlines() == ["db_password = [secret]", "queue_url = https://sqs/jobs"]


# -- failures ----------------------------------------------------------------------------


def test_missing_passphrase_exit_3_and_no_engine_call(app, fake, loaded, monkeypatch) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    result = CliRunner().invoke(app, ["preview", "-e", "dev"])
    assert result.exit_code == 3
    assert "error: no passphrase for the stack's secrets" in result.stderr
    assert "hint: set PULUMI_CONFIG_PASSPHRASE" in result.stderr
    assert fake.calls == []


def test_local_state_on_ci_refused_unless_allowed(app, fake, loaded, monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    refused = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert refused.exit_code == 2
    assert "lost when the runner goes away" in refused.stderr
    assert fake.calls == []
    allowed = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes", "--allow-local-state"])
    assert allowed.exit_code == 0, allowed.output


def test_backend_from_environment_on_ci(app, fake, loaded, monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://shop-state")
    result = CliRunner().invoke(app, ["preview", "-e", "dev"])
    assert result.exit_code == 0, result.output
    assert "url: s3://shop-state" in Path(".scaffold/dev/Pulumi.yaml").read_text()


def test_engine_error_prints_error_and_hint_without_traceback(app, fake, loaded) -> None:
    fake.script[("up",)] = failure("error: the stack is currently locked by 1 lock(s).")
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 1
    assert "error: stack 'dev' is locked by another update" in result.stderr
    assert "hint: wait for it to finish" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_missing_pulumi_cli_exit_3(app, loaded, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    result = CliRunner().invoke(app, ["outputs", "-e", "dev"])
    assert result.exit_code == 3
    assert "https://www.pulumi.com/docs/iac/download-install/" in result.stderr


def test_spec_error_lists_problems_exit_2(app, fake, loaded, monkeypatch) -> None:
    problem = SpecProblem("scaffold.yaml", 3, 5, "components.api.scaling.min", "must be >= 1")

    def broken(path: Path, env: str | None) -> None:
        raise SpecError([problem])

    monkeypatch.setattr(scaffold.spec, "load_blueprint", broken)
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 2
    assert "error: 1 problem in the spec" in result.stderr
    assert str(problem) in result.stderr
    assert fake.calls == []


def test_importing_the_commands_does_not_import_pulumi() -> None:
    code = ("import sys, scaffold.stack_commands; "
            "bad = [m for m in ('pulumi', 'pulumi_aws', 'stacks.deploy') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
