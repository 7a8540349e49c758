"""The ``pulumi`` CLI as scaffold runs it: checked at start, stoppable on a signal.

:class:`EngineCommand` is a ``pulumi.automation.PulumiCommand`` (the Automation API's
seam to the CLI) that differs from the stock one in three ways:

- ``pulumi version`` runs with its output captured and a time limit
  (:data:`VERSION_TIMEOUT` seconds); a missing binary, a failure, a hang or output
  that is not a version becomes a :class:`scaffold.errors.ScaffoldError`
  (exit 3 for missing/too old, else exit 1), never a traceback.
- Each command runs in its own session (``start_new_session``), so a Ctrl-C typed at
  the terminal reaches scaffold only; scaffold forwards exactly one signal to the
  engine (:meth:`EngineCommand.stop`) instead of the engine seeing it twice (Pulumi
  treats a second SIGINT as "terminate now").
- When the main thread is interrupted while a command runs, the command is stopped
  within a bounded time: the signal is forwarded, then after
  :attr:`EngineCommand.grace` seconds (or at once on a second signal) SIGINT is sent
  again (Pulumi's immediate stop), and after 3 more seconds the process is killed.

The output readers are daemon threads, so they never keep scaffold alive after the
engine was given up on. ``pulumi`` is imported when the module is, so import it lazily.

Stock implementation for comparison: ``pulumi/automation/_cmd.py`` (``PulumiCommand.run``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.automation import CommandResult, PulumiCommand
from pulumi.automation.errors import create_command_error
from semver import VersionInfo

from scaffold.errors import PrerequisiteError
from stacks.engine_errors import INSTALL_URL, missing_pulumi, version_failure

#: Seconds ``pulumi version`` may take before it counts as hung.
VERSION_TIMEOUT = 30.0
#: Seconds a signalled engine gets to stop gracefully before it is stopped at once.
CANCEL_GRACE = 10.0
#: Seconds between the immediate-stop request and SIGKILL.
KILL_AFTER = 3.0
#: Seconds between checks for a pending signal while a command runs.
POLL = 0.1

OnOutput = Callable[[str], Any]


def _minimum_version() -> VersionInfo:
    try:
        from pulumi.automation._minimum_version import _MINIMUM_VERSION
    except ImportError:  # a future SDK moved it: accept any 3.x
        return VersionInfo(3, 0, 0)
    return _MINIMUM_VERSION


class EngineCommand(PulumiCommand):
    """The ``pulumi`` CLI from PATH (or ``command``), checked with ``pulumi version``.

    Args:
        command: The executable, default ``pulumi`` (looked up on PATH).
        grace: Seconds a signalled command gets to stop gracefully (see module doc);
            default :data:`CANCEL_GRACE`.

    Raises:
        PrerequisiteError: ``pulumi`` not found, or older than the Automation API needs (exit 3).
        OperationError: ``pulumi version`` failed, hung or printed no version (exit 1).
    """

    def __init__(self, command: str = "pulumi", *, grace: float | None = None) -> None:
        # Deliberately not PulumiCommand.__init__: it lets `pulumi version` write to our
        # stderr and raises CalledProcessError, with no time limit.
        self.command = command
        self.grace = CANCEL_GRACE if grace is None else grace
        self._process: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        #: The last command run: ``(argv without "pulumi", stderr)``.
        self.last: tuple[list[str], str] = ([], "")
        #: Seconds any one command may run before it is stopped like on Ctrl-C (None: no limit).
        self.timeout: float | None = None
        self.version = self._check_version()

    def _check_version(self) -> VersionInfo:
        env = {**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"}
        try:
            done = subprocess.run([self.command, "version"], capture_output=True, text=True,
                                  env=env, timeout=VERSION_TIMEOUT, stdin=subprocess.DEVNULL,
                                  errors="replace", start_new_session=True)
        except FileNotFoundError:
            raise missing_pulumi() from None
        except subprocess.TimeoutExpired as exc:
            output = exc.stderr if isinstance(exc.stderr, str) else ""
            raise version_failure(self.command, f"did not answer within {VERSION_TIMEOUT:g} s",
                                  output) from None
        except OSError as exc:  # not executable, a directory...
            raise version_failure(self.command, f"could not run ({exc.strerror or exc})") from None
        if done.returncode != 0:
            raise version_failure(self.command, f"failed (exit {done.returncode})",
                                  done.stderr or done.stdout)
        text = done.stdout.strip().removeprefix("v")
        try:
            version = VersionInfo.parse(text)
        except ValueError:
            shown = text.splitlines()[0][:80] if text else "nothing"
            raise version_failure(self.command, f"printed {shown!r}, not a version",
                                  done.stderr) from None
        minimum = _minimum_version()
        if version.compare(minimum) < 0:
            raise PrerequisiteError(
                f"the installed `pulumi` CLI is too old: {version}; scaffold needs {minimum} "
                "or later", f"upgrade it: {INSTALL_URL}")
        return version

    # PulumiCommand.run's signature
    def run(self, args: list[str], cwd: str, additional_env: Mapping[str, str],
            on_output: OnOutput | None = None, on_error: OnOutput | None = None) -> CommandResult:
        """Run ``pulumi <args>`` in ``cwd``; raise the Automation API's ``CommandError``
        subclass when it exits non-zero. Interrupted (KeyboardInterrupt or any other
        exception in this thread), it stops the process (:meth:`stop`) and re-raises."""
        end = args.index("--") if "--" in args else len(args)
        if "--non-interactive" not in args[:end]:
            args.insert(0, "--non-interactive")
        env = {**os.environ, **additional_env, "PULUMI_AUTOMATION_API": "true"}
        stdout_chunks: list[str] = []
        stderr_chunks: list[str] = []
        process = subprocess.Popen([self.command, *args], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=cwd,
                                   env=env, encoding="utf-8", errors="replace",
                                   start_new_session=True)
        with self._lock:
            self._process = process
        readers = [
            threading.Thread(target=_consume, args=(process.stdout, on_output, stdout_chunks),
                             daemon=True),
            threading.Thread(target=_consume, args=(process.stderr, on_error, stderr_chunks),
                             daemon=True),
        ]
        for reader in readers:
            reader.start()
        try:
            code = self._wait_polling(process)
            for reader in readers:
                reader.join()
        except BaseException as exc:
            self.stop(exc)
            raise
        finally:
            with self._lock:
                self._process = None
            self.last = ([a for a in args if a != "--non-interactive"], "\n".join(stderr_chunks))
        result = CommandResult(stdout="\n".join(stdout_chunks), stderr="\n".join(stderr_chunks),
                               code=code)
        if code != 0:
            raise create_command_error(result)
        return result

    def _wait_polling(self, process: subprocess.Popen[str]) -> int:
        """Wait for ``process`` in slices of :data:`POLL` seconds, so that a signal the OS
        delivered to another thread still runs scaffold's handler in the main thread
        promptly (a blocking ``waitpid`` is not woken by a signal that lands elsewhere).
        Past :attr:`timeout` seconds the process is stopped as on Ctrl-C."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            try:
                return process.wait(timeout=POLL)
            except subprocess.TimeoutExpired:
                if deadline is not None and time.monotonic() > deadline:
                    self.stop()
                    return process.wait()

    def stop(self, reason: BaseException | None = None) -> bool:
        """Stop the running command, if any, within ``grace + KILL_AFTER`` seconds.

        Forwards the signal that interrupted scaffold (SIGTERM for
        :class:`EngineSignal` ``SIGTERM``, else SIGINT), waits up to :attr:`grace`
        seconds (a further KeyboardInterrupt cuts the wait short), sends SIGINT again
        (Pulumi's "stop immediately"), waits :data:`KILL_AFTER` seconds, then SIGKILLs
        the process group. Returns True when a process was running.
        """
        with self._lock:
            process = self._process
        if process is None or process.poll() is not None:
            return False
        first = getattr(reason, "signum", signal.SIGINT)
        _signal_group(process, first)
        if not _wait(process, self.grace):
            _signal_group(process, signal.SIGINT)
            if not _wait(process, KILL_AFTER):
                _signal_group(process, signal.SIGKILL)
                _wait(process, KILL_AFTER)
        return True


class EngineSignal(KeyboardInterrupt):
    """Raised in the main thread by scaffold's SIGINT/SIGTERM handler during an operation.

    Attributes:
        signum: ``signal.SIGINT`` or ``signal.SIGTERM``.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _consume(stream: Any, callback: OnOutput | None, chunks: list[str]) -> None:
    for line in iter(stream.readline, ""):
        stripped = line.rstrip()
        if callback:
            callback(stripped)
        chunks.append(stripped)
    stream.close()


def _signal_group(process: subprocess.Popen[str], signum: int) -> None:
    """Send ``signum`` to the process's group (it leads its own session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def _wait(process: subprocess.Popen[str], seconds: float) -> bool:
    """Wait up to ``seconds`` for ``process``; True when it exited. A Ctrl-C during the
    wait ends it early (returns False) instead of escaping."""
    deadline = time.monotonic() + seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return process.poll() is not None
        try:
            process.wait(timeout=min(remaining, 0.1))
            return True
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:
            return process.poll() is not None
