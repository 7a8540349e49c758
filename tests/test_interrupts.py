"""Ctrl-C (SIGINT) ends any command promptly with exit 130, as docs/cli.md documents."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "shop.yaml"
#: What a Ctrl-C may end with: exit 130, or death by SIGINT itself when it lands before the
#: interpreter has installed its handler (a shell reports both as 130), or success when the
#: command finished first.
ENDED_BY_CTRL_C = (130, -signal.SIGINT, 0)
#: How CPython reports a Ctrl-C during its own start-up, before it runs any of scaffold's code.
INTERPRETER_STARTUP = b"Fatal Python error: init_import_site"
#: The exit code this module reports for such a run (a shell would show Python's own 1).
INTERRUPTED_AT_STARTUP = 130


def _interrupt_after(delay: float, *args: str) -> tuple[int, float]:
    # The child must not inherit an ignored SIGINT (a background job's default in a shell).
    proc = subprocess.Popen([sys.executable, "-m", "scaffold", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    try:
        _, stderr = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"scaffold {' '.join(args)} did not end within 20 s of Ctrl-C")
    if stderr.startswith(INTERPRETER_STARTUP):
        # The signal landed while the interpreter itself started (its `site` module, e.g. the
        # editable install's path finder), before any line of scaffold ran: Python reports that
        # on its own and exits 1. Nothing scaffold can catch; it ended, which is what Ctrl-C asks.
        return INTERRUPTED_AT_STARTUP, time.monotonic() - started
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    return proc.returncode, time.monotonic() - started


@pytest.mark.parametrize("delay", [0.3, 0.6, 1.0, 1.4, 1.8])
def test_ctrl_c_during_plan_exits_130_promptly(delay: float) -> None:
    code, waited = _interrupt_after(delay, "plan", "-f", str(EXAMPLE), "-e", "prod", "--json")
    # A plan that finished before the signal arrived is fine too; it must never hang or trace back.
    assert code in ENDED_BY_CTRL_C
    assert waited < 5


@pytest.mark.parametrize("delay", [0.05, 0.1, 0.15, 0.25])
def test_ctrl_c_while_scaffold_starts_exits_130_without_a_traceback(delay: float) -> None:
    # These land while Python imports typer, rich and pydantic, before any command runs.
    code, _ = _interrupt_after(delay, "validate", "-f", str(EXAMPLE))
    assert code in ENDED_BY_CTRL_C


def test_ctrl_c_inside_a_weakref_callback_is_not_lost() -> None:
    """A KeyboardInterrupt Python cannot raise (it lands in a weakref callback or ``__del__``, as
    one did at the end of a plan) ends the CLI with 130 and one line, not an ignored traceback."""
    code = (
        "import sys, weakref\n"
        "from scaffold import entry\n"
        "class Node: pass\n"
        "def callback(ref): raise KeyboardInterrupt\n"
        "sys.argv = ['scaffold', '--version']\n"
        "import scaffold.cli\n"
        "scaffold.cli.main = lambda: (weakref.ref(Node(), callback), print('carried on'))\n"
        "entry.main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert proc.returncode == 130, proc.stderr.decode()
    assert proc.stderr == b"interrupted\n"
    assert b"carried on" not in proc.stdout
