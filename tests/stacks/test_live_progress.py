"""Live deploy progress: a status area on a terminal, nothing new anywhere else.

The commands run against the ``pulumi`` double (tests/stacks/pulumi_double.py), which
streams recorded engine events to the Automation API's ``on_event``. On a terminal
(a console whose file is a TTY) the status line shows resources done out of total, the
elapsed time and each operation in flight with its own elapsed time, read from a fake
clock. :func:`screen` replays what was written the way a terminal would (cursor up,
erase line), so the tests check both what a user saw while it ran and what stays on the
screen afterwards. Without a terminal (a pipe, ``CI`` set, ``TERM=dumb``) stdout must be
byte for byte what it was before live progress existed.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from scaffold import stack_commands
from stacks import deploy, progress
from stacks.progress import LiveProgress, ResourceStep, format_duration, live_wanted
from tests.stacks.pulumi_double import RecordingPulumiCommand, failure, step_event
from tests.stacks.test_stack_commands import app, loaded  # noqa: F401  (fixtures)

DB = "aws:rds/cluster:Cluster"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"


# -- a terminal ------------------------------------------------------------------------


class FakeTTY(io.StringIO):
    """A file that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def tty_console(file: io.StringIO | None = None, *, width: int = 100,
                height: int = 30) -> Console:
    """A console like scaffold's ``out`` (plain, soft-wrapped), but on a terminal."""
    return Console(file=file or FakeTTY(), force_terminal=True, force_interactive=True,
                   width=width, height=height, markup=False, emoji=False, highlight=False,
                   soft_wrap=True)


_CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")


def screens(written: str) -> list[list[str]]:
    """Replay ``written`` on a terminal: the screen before each erase (a redraw starts
    with one), and the final screen last."""
    rows: list[list[str]] = [[]]
    row = col = 0
    snapshots: list[list[str]] = []

    def snapshot() -> list[str]:
        lines = ["".join(r).rstrip() for r in rows]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    pos = 0
    while pos < len(written):
        match = _CSI.match(written, pos)
        if match:
            arg, code = match.groups()
            if code in "AK" and (not snapshots or snapshots[-1] != snapshot()):
                snapshots.append(snapshot())
            if code == "A":
                row = max(0, row - int(arg or 1))
            elif code == "K":
                rows[row] = []
            pos = match.end()
            continue
        char = written[pos]
        pos += 1
        if char == "\r":
            col = 0
        elif char == "\n":
            row, col = row + 1, 0
            while len(rows) <= row:
                rows.append([])
        else:
            line = rows[row]
            line.extend(" " * (col - len(line) + 1) if col >= len(line) else "")
            line[col] = char
            col += 1
    snapshots.append(snapshot())
    return snapshots


def screen(written: str) -> list[str]:
    """What stays on the terminal after ``written``."""
    return screens(written)[-1]


def seen(written: str) -> set[str]:
    """Every line that was on the screen at some point."""
    return {line for shot in screens(written) for line in shot}


# -- LiveProgress on its own ------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def step(op: str, name: str, status: str, type_: str = QUEUE, *,
         planning: bool = False) -> ResourceStep:
    return ResourceStep(op=op, type=type_, name=name, urn=f"urn:pulumi:dev::shop::{type_}::{name}",
                        status=status, planning=planning)  # type: ignore[arg-type]


def test_status_shows_done_out_of_total_elapsed_and_each_operation_in_flight() -> None:
    clock = Clock()
    live = LiveProgress(tty_console(), "Deploying 'dev' (shop)", total=10, clock=clock)
    live.on_step(step("create", "orders-db-cluster", "started", DB))
    for name in ("jobs", "dlq", "events"):
        clock.now += 20
        live.on_step(step("create", name, "started"))
        clock.now += 10
        live.on_step(step("create", name, "done"))
    clock.now += 5
    live.on_step(step("update", "orders-api-service", "started", "aws:ecs/service:Service"))
    clock.now = 1000 + 7 * 60 + 12
    assert live.lines() == [
        "Deploying 'dev' (shop): 3/10 done, 2 in progress, 7m12s elapsed",
        "  creating orders-db-cluster 7m12s",
        "  updating orders-api-service 5m37s",
    ]


def test_without_a_total_the_count_is_what_the_engine_started_so_far() -> None:
    clock = Clock()
    live = LiveProgress(tty_console(), "Destroying 'dev' (shop)", clock=clock)
    assert live.lines() == ["Destroying 'dev' (shop): starting, 0s elapsed"]
    for name in ("a", "b", "c"):
        live.on_step(step("delete", name, "started"))
    live.on_step(step("delete", "a", "done"))
    clock.now += 42
    assert live.lines()[0] == "Destroying 'dev' (shop): 1/3 done (more may follow), 2 in progress, 42s elapsed"


def test_a_replacement_counts_once_but_its_slow_half_shows_while_in_flight() -> None:
    clock = Clock()
    live = LiveProgress(tty_console(), "Deploying 'prod' (shop)", total=1, clock=clock)
    live.on_step(step("create-replacement", "orders-db", "started", DB))
    clock.now += 612
    assert live.lines() == ["Deploying 'prod' (shop): 0/1 done, 1 in progress, 10m12s elapsed",
                            "  creating replacement orders-db 10m12s"]
    for op in ("create-replacement", "replace"):
        live.on_step(step(op, "orders-db", "done" if op != "replace" else "started", DB))
    live.on_step(step("replace", "orders-db", "done", DB))
    live.on_step(step("delete-replaced", "orders-db", "started", DB))
    live.on_step(step("delete-replaced", "orders-db", "done", DB))
    assert live.lines() == ["Deploying 'prod' (shop): 1/1 done, 10m12s elapsed"]


def test_failures_are_counted_and_the_count_never_exceeds_the_total() -> None:
    live = LiveProgress(tty_console(), "Deploying 'dev' (shop)", total=1, clock=Clock())
    live.on_step(step("create", "a", "started"))
    live.on_step(step("create", "a", "failed"))
    live.on_step(step("create", "b", "started"))
    assert live.lines()[0] == "Deploying 'dev' (shop): 1/2 done, 1 failed, 1 in progress, 0s elapsed"


def test_many_operations_in_flight_are_capped_longest_running_first() -> None:
    clock = Clock()
    live = LiveProgress(tty_console(height=6), "Deploying 'dev' (shop)", total=20, clock=clock)
    for i in range(7):
        live.on_step(step("create", f"r{i}", "started"))
        clock.now += 1
    assert live.lines()[1:] == ["  creating r0 7s", "  creating r1 6s", "  creating r2 5s",
                                "  ... and 4 more"]


def test_planned_operations_say_so() -> None:
    live = LiveProgress(tty_console(), "Previewing 'dev' (shop)", clock=Clock())
    live.on_step(step("create", "jobs", "started", planning=True))
    assert live.lines()[1] == "  planning create jobs 0s"


@pytest.mark.parametrize(("seconds", "shown"), [(0, "0s"), (59.9, "59s"), (60, "1m00s"),
                                                 (432, "7m12s"), (3725, "1h02m05s")])
def test_format_duration(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_the_status_area_is_drawn_below_the_lines_and_leaves_nothing_behind() -> None:
    clock = Clock()
    console = tty_console()

    def print_step(s: ResourceStep) -> None:
        if s.status != "started":
            console.print(s.describe())

    with LiveProgress(console, "Deploying 'dev' (shop)", total=2, print_step=print_step,
                      clock=clock, auto_refresh=False) as live:
        live.on_step(step("create", "jobs", "started"))
        live.on_step(step("create", "orders-db", "started", DB))
        clock.now += 90
        live.on_step(step("create", "jobs", "done"))
        during = screen(console.file.getvalue())  # type: ignore[attr-defined]
        clock.now += 400
        live.on_step(step("create", "orders-db", "done", DB))
    assert during == ["+ create aws:sqs/queue:Queue jobs done",
                      "Deploying 'dev' (shop): 1/2 done, 1 in progress, 1m30s elapsed",
                      "  creating orders-db 1m30s"]
    assert screen(console.file.getvalue()) == [  # type: ignore[attr-defined]
        "+ create aws:sqs/queue:Queue jobs done",
        "+ create aws:rds/cluster:Cluster orders-db done",
    ]


def test_a_long_name_is_cut_rather_than_wrapped() -> None:
    console = tty_console(width=40)
    with LiveProgress(console, "Deploying 'dev' (shop)", clock=Clock(), auto_refresh=False) as live:
        live.on_step(step("create", "x" * 80, "started"))
        shot = screen(console.file.getvalue())  # type: ignore[attr-defined]
    assert len(shot) == 2 and all(len(line) < 40 for line in shot)


# -- when there is a terminal ------------------------------------------------------------------


def test_live_wanted_only_on_a_real_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    assert live_wanted(tty_console(), {})
    assert not live_wanted(tty_console(), {"CI": "true"})
    assert not live_wanted(tty_console(), {"CI": " Yes "})
    assert live_wanted(tty_console(), {"CI": "false"})
    # FORCE_COLOR / TTY_COMPATIBLE make Rich call a pipe a terminal: still no live area
    assert not live_wanted(tty_console(io.StringIO()), {})
    assert not live_wanted(Console(file=io.StringIO()), {})
    monkeypatch.setenv("TERM", "dumb")
    assert not live_wanted(Console(file=FakeTTY(), force_terminal=True), {})


# -- through the commands, with recorded engine events ----------------------------------------


def events(kind_ops: list[tuple[str, str, str, str]], *, planning: bool = False) -> list[dict[str, Any]]:
    return [step_event(kind, op, type_, name, planning=planning) for kind, op, type_, name in kind_ops]


PRE, DONE, FAILED = "resourcePreEvent", "resOutputsEvent", "resOpFailedEvent"

PREVIEW_EVENTS = events([
    (PRE, "create", DB, "shop-dev-db"), (DONE, "create", DB, "shop-dev-db"),
    (PRE, "create", QUEUE, "shop-dev-jobs"), (DONE, "create", QUEUE, "shop-dev-jobs"),
    (PRE, "create", TOPIC, "shop-dev-events"), (DONE, "create", TOPIC, "shop-dev-events"),
    (PRE, "same", CACHE, "shop-dev-cache"), (DONE, "same", CACHE, "shop-dev-cache"),
], planning=True)

UP_EVENTS = events([
    (PRE, "create", DB, "shop-dev-db"),
    (PRE, "create", QUEUE, "shop-dev-jobs"),
    (DONE, "create", QUEUE, "shop-dev-jobs"),
    (PRE, "create", TOPIC, "shop-dev-events"),
    (DONE, "create", TOPIC, "shop-dev-events"),
    (DONE, "create", DB, "shop-dev-db"),
])

#: What `deploy -e dev --yes` printed on stdout before live progress, byte for byte.
DEPLOY_STDOUT = """\
+ create aws:rds/cluster:Cluster shop-dev-db planned
+ create aws:sqs/queue:Queue shop-dev-jobs planned
+ create aws:sns/topic:Topic shop-dev-events planned
Preview of 'dev' (shop): 3 to create, 1 unchanged
+ create aws:sqs/queue:Queue shop-dev-jobs done
+ create aws:sns/topic:Topic shop-dev-events done
+ create aws:rds/cluster:Cluster shop-dev-db done
Deployed 'dev' (shop): 3 created, 1 unchanged
queue_url = https://sqs/jobs
"""


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> RecordingPulumiCommand:
    double = RecordingPulumiCommand(
        events={"preview": PREVIEW_EVENTS, "up": UP_EVENTS,
                "destroy": events([(PRE, "delete", QUEUE, "shop-dev-jobs"),
                                   (PRE, "delete", DB, "shop-dev-db"),
                                   (DONE, "delete", QUEUE, "shop-dev-jobs")]),
                "refresh": events([(PRE, "refresh", QUEUE, "shop-dev-jobs"),
                                   (DONE, "refresh", QUEUE, "shop-dev-jobs")])},
        changes={"create": 3, "same": 1},
        outputs={"queue_url": "https://sqs/jobs"},
    )
    monkeypatch.setattr(deploy, "default_pulumi_command", lambda: double)
    return double


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> FakeTTY:
    """scaffold's stdout is a terminal; each engine event moves the fake clock 1 minute."""
    file = FakeTTY()
    monkeypatch.setattr(stack_commands, "out", tty_console(file))
    monkeypatch.setenv("TERM", "xterm-256color")
    clock = Clock()
    monkeypatch.setattr(progress, "CLOCK", clock)
    on_step = LiveProgress.on_step

    def ticking(self: LiveProgress, s: ResourceStep) -> None:
        clock.now += 60
        on_step(self, s)

    monkeypatch.setattr(LiveProgress, "on_step", ticking)
    return file


def test_deploy_on_a_terminal_shows_live_status_and_leaves_the_usual_lines(
        app: typer.Typer, engine: RecordingPulumiCommand, loaded: Any,  # noqa: F811
        terminal: FakeTTY) -> None:
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 0, result.output
    written = terminal.getvalue()
    # while it ran: the total comes from the preview (3 changes; the unchanged cache is not one)
    assert {
        "Previewing 'dev' (shop): 0/1 done (more may follow), 1 in progress, 1m00s elapsed",
        "  planning create shop-dev-db 0s",
        "Deploying 'dev' (shop): 0/3 done, 1 in progress, 1m00s elapsed",
        "Deploying 'dev' (shop): 1/3 done, 2 in progress, 4m00s elapsed",
        "  creating shop-dev-db 3m00s",
        "  creating shop-dev-events 0s",
        "Deploying 'dev' (shop): 2/3 done, 1 in progress, 5m00s elapsed",
        "  creating shop-dev-db 4m00s",
        "Deploying 'dev' (shop): 3/3 done, 6m00s elapsed",
    } <= seen(written)
    # afterwards: exactly the lines a pipe gets, the status area gone
    assert screen(written) == DEPLOY_STDOUT.splitlines()


@pytest.mark.parametrize(("command", "status"), [
    ("preview", "Previewing 'dev' (shop): 3/3 done (more may follow), 6m00s elapsed"),
    ("destroy", "Destroying 'dev' (shop): 1/2 done (more may follow), 1 in progress, 3m00s elapsed"),
    ("refresh", "Refreshing 'dev' (shop): 1/1 done (more may follow), 2m00s elapsed"),
])
def test_preview_destroy_and_refresh_show_live_status_too(
        app: typer.Typer, engine: RecordingPulumiCommand, loaded: Any,  # noqa: F811
        terminal: FakeTTY, command: str, status: str) -> None:
    result = CliRunner().invoke(app, [command, "-e", "dev", *(["--yes"] if command == "destroy" else [])])
    assert result.exit_code == 0, result.output
    assert status in seen(terminal.getvalue())
    assert not any(line.startswith(("Previewing", "Destroying", "Refreshing", "  "))
                   for line in screen(terminal.getvalue()))


def test_a_failed_deploy_removes_the_status_and_reports_the_error(
        app: typer.Typer, engine: RecordingPulumiCommand, loaded: Any,  # noqa: F811
        terminal: FakeTTY) -> None:
    engine.script[("up",)] = failure("error: the stack is currently locked by 1 lock(s).")
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 1
    assert "error: stack 'dev' is locked by another update" in result.stderr
    assert screen(terminal.getvalue()) == DEPLOY_STDOUT.splitlines()[:4]


# -- without a terminal nothing changes ------------------------------------------------------


def test_without_a_terminal_stdout_is_exactly_what_it_was(
        app: typer.Typer, engine: RecordingPulumiCommand, loaded: Any) -> None:  # noqa: F811
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes"])
    assert result.exit_code == 0, result.output
    assert result.stdout == DEPLOY_STDOUT
    assert result.stderr == ""


@pytest.mark.parametrize("environ", [{"CI": "true"}, {"TERM": "dumb"}])
def test_on_ci_or_a_dumb_terminal_stdout_is_exactly_what_it_was(
        app: typer.Typer, engine: RecordingPulumiCommand, loaded: Any,  # noqa: F811
        terminal: FakeTTY, monkeypatch: pytest.MonkeyPatch, environ: dict[str, str]) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(app, ["deploy", "-e", "dev", "--yes", "--allow-local-state"])
    assert result.exit_code == 0, result.output
    assert terminal.getvalue() == DEPLOY_STDOUT
