"""The levers that make offline plans fast (issue 11) stay in place, and change nothing in a plan.

- Pulumi captures a stack trace for every resource registration; offline runs skip it
  (``stacks.mocks._without_stack_traces``). The function is private to Pulumi: when an upgrade
  moves it, the lever silently does nothing, so the first test here fails, naming it.
- No cyclic garbage collection while planning (``scaffold.plan_commands.offline_planning``),
  in ``plan``, ``plan --all`` and ``diff --base``; none at exit either.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pytest
from typer.testing import CliRunner

import stacks.mocks as mocks
from scaffold.cli import app
from stacks.mocks import STACK_TRACE_FUNCTION, run_offline

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop.yaml"
NOW = {"SCAFFOLD_NOW": "2026-01-01T00:00:00Z"}
runner = CliRunner()


def _capture_module() -> Any:
    return importlib.import_module(STACK_TRACE_FUNCTION[0])


def _three_queues() -> None:
    import pulumi_aws as aws

    for i in range(3):
        aws.sqs.Queue(f"q{i}")


def test_pulumi_still_has_the_stack_trace_function_offline_runs_skip() -> None:
    module_name, function_name = STACK_TRACE_FUNCTION
    assert mocks.stack_trace_capture() is not None, (
        f"{module_name}.{function_name} is gone or changed in pulumi {pulumi.__version__}: offline plans "
        "capture a stack trace per resource again (about 10% slower). Find where pulumi's register_resource "
        "now captures it and update stacks.mocks.STACK_TRACE_FUNCTION")
    # The stand-in must be what the SDK expects: a StackTrace that yields no source position.
    module, empty = mocks.stack_trace_capture()
    assert type(empty()) is type(getattr(module, function_name)())
    assert module._get_source_position(empty()) is None


def test_an_offline_run_captures_no_stack_trace_and_restores_the_function_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    module, name = _capture_module(), STACK_TRACE_FUNCTION[1]
    calls = []
    original = getattr(module, name)

    def counting() -> Any:
        calls.append(1)
        return original()

    monkeypatch.setattr(module, name, counting)
    run = run_offline(_three_queues, project="p", stack="s")
    assert len(run.of_type("aws:sqs/queue:Queue")) == 3
    assert calls == []  # not one capture in the run
    assert getattr(module, name) is counting  # restored: a deploy in this process captures again


def test_the_function_is_restored_when_the_program_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    module, name = _capture_module(), STACK_TRACE_FUNCTION[1]
    before = getattr(module, name)

    def failing() -> None:
        _three_queues()
        raise ValueError("a component rejected its settings")

    with pytest.raises(Exception, match="rejected its settings"):
        run_offline(failing, project="p", stack="s")
    assert getattr(module, name) is before


def test_when_an_upgrade_renamed_the_function_an_offline_run_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    # As if pulumi had renamed it: the name scaffold knows is no longer there, and nothing is replaced.
    monkeypatch.setattr(mocks, "STACK_TRACE_FUNCTION", (STACK_TRACE_FUNCTION[0], "_get_stack_trace_renamed"))
    assert mocks.stack_trace_capture() is None
    run = run_offline(_three_queues, project="p", stack="s")
    assert sorted(r.name for r in run.of_type("aws:sqs/queue:Queue")) == ["q0", "q1", "q2"]  # registration order is the event loop's


def test_the_plan_is_byte_identical_with_and_without_stack_trace_capture(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = runner.invoke(app, ["plan", "-f", str(SHOP), "-e", "prod", "--json"], env=NOW)
    monkeypatch.setattr(mocks, "stack_trace_capture", lambda: None)  # the lever off
    slow = runner.invoke(app, ["plan", "-f", str(SHOP), "-e", "prod", "--json"], env=NOW)
    assert fast.exit_code == slow.exit_code == 0, fast.output + slow.output
    assert fast.stdout == slow.stdout


@dataclass
class Planning:
    """What the offline plans of one command saw."""

    gc_on: list[bool] = field(default_factory=list)  # the cyclic GC's state during each plan
    at_exit: list[Any] = field(default_factory=list)  # the functions registered to run at exit


@pytest.fixture
def planning(monkeypatch: pytest.MonkeyPatch) -> Planning:
    import stacks.plan

    seen = Planning()
    real = stacks.plan.plan

    def spy(blueprint: Any) -> Any:
        seen.gc_on.append(gc.isenabled())
        return real(blueprint)

    monkeypatch.setattr(stacks.plan, "plan", spy)
    monkeypatch.setattr(atexit, "register", lambda f, *args, **kwargs: seen.at_exit.append(f))
    return seen


def test_plan_and_plan_all_run_without_cyclic_gc_and_freeze_at_exit(planning: Planning) -> None:
    assert gc.isenabled()
    one = runner.invoke(app, ["plan", "-f", str(SHOP), "-e", "dev", "--json"], env=NOW)
    every = runner.invoke(app, ["plan", "-f", str(SHOP), "--all", "--json"], env=NOW)
    assert one.exit_code == every.exit_code == 0, one.output + every.output
    assert planning.gc_on == [False, False, False]  # dev; then dev and prod
    assert gc.isenabled()  # on again after the command
    assert planning.at_exit.count(gc.freeze) == 2  # no collection of the whole graph at exit


def test_diff_base_plans_without_cyclic_gc(planning: Planning, tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    spec = tmp_path / "scaffold.yaml"
    spec.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"
                    "components:\n  jobs: {kind: queue}\n")
    git("init", "-q")
    git("add", "scaffold.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    spec.write_text(spec.read_text() + "  more: {kind: queue}\n")
    result = runner.invoke(app, ["diff", "-f", str(spec), "--base", "HEAD", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"]["source"].endswith("(working copy)")
    assert planning.gc_on == [False, False]  # the working copy, then the spec at HEAD
    assert gc.isenabled()
