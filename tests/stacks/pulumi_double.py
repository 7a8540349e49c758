"""A test double for the ``pulumi`` CLI: ``RecordingPulumiCommand``.

It subclasses ``pulumi.automation.PulumiCommand`` (the Automation API's seam to the
CLI), records every argv, and answers from a script keyed by argv prefix. When an
operation passes ``--event-log tcp://...`` it streams scripted engine events back
over gRPC, the way the real CLI does, so ``on_event`` callbacks really run.

What it cannot do: run the inline program. The real engine calls back into the
program over gRPC (``--client=127.0.0.1:PORT``); the double records that argv and
never connects, so no resource is registered. Programs are tested offline with
``stacks.mocks``; the real round trip is ``tests/stacks/test_integration.py``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi.automation import CommandResult, PulumiCommand
from pulumi.automation.errors import create_command_error
from semver import VersionInfo

Answer = CommandResult | BaseException | Callable[[list[str]], CommandResult]

HISTORY_TEMPLATE = {
    "kind": "update", "startTime": "2025-01-01T00:00:00.000Z", "endTime": "2025-01-01T00:00:05.000Z",
    "message": "", "environment": {}, "config": {}, "result": "succeeded", "version": 1,
}


def ok(stdout: str = "", stderr: str = "") -> CommandResult:
    """A successful CLI result."""
    return CommandResult(stdout=stdout, stderr=stderr, code=0)


def failure(stderr: str, stdout: str = "", code: int = 255) -> Exception:
    """The CommandError subclass the Automation API raises for this output."""
    return create_command_error(CommandResult(stdout=stdout, stderr=stderr, code=code))


def step_event(kind: str, op: str, type_: str, name: str, *, planning: bool = False,
               stack: str = "dev", project: str = "shop") -> dict[str, Any]:
    """A ``resourcePreEvent`` / ``resOutputsEvent`` / ``resOpFailedEvent`` JSON payload."""
    urn = f"urn:pulumi:{stack}::{project}::{type_}::{name}"
    body: dict[str, Any] = {"metadata": {"op": op, "urn": urn, "type": type_, "provider": ""}}
    if kind != "resOpFailedEvent":
        body["planning"] = planning
    return {kind: body}


@dataclass
class Call:
    """One recorded CLI invocation."""

    args: list[str]
    cwd: str
    env: Mapping[str, str]


@dataclass
class RecordingPulumiCommand(PulumiCommand):
    """Scripted ``pulumi`` CLI. ``script`` maps an argv prefix (tuple) to an answer.

    Answers are a ``CommandResult``, an exception to raise, or a function of argv.
    Unscripted commands succeed with empty output, except the read-backs the
    Automation API parses (``stack output``, ``stack history``), which get valid JSON.
    ``events`` maps an operation (``"preview"``, ``"up"``...) to engine events to
    stream; a summary event with ``changes`` is appended unless ``summary`` is False.
    ``last`` holds the last argv and its stderr, like ``EngineCommand.last``.
    """

    script: dict[tuple[str, ...], Answer] = field(default_factory=dict)
    events: dict[str, Sequence[dict[str, Any]]] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=lambda: {"create": 1})
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: frozenset[str] = frozenset()
    calls: list[Call] = field(default_factory=list)
    cli_version: str = "3.272.0"
    summary: bool = True
    last: tuple[list[str], str] = field(default_factory=lambda: ([], ""))

    def __post_init__(self) -> None:
        # Deliberately skip PulumiCommand.__init__: it runs `pulumi version`.
        self.command = "pulumi"
        self.version = VersionInfo.parse(self.cli_version)

    # PulumiCommand.run's signature
    def run(self, args: list[str], cwd: str, additional_env: Mapping[str, str],
            on_output: Any = None, on_error: Any = None) -> CommandResult:
        argv = list(args)
        self.calls.append(Call(argv, cwd, dict(additional_env)))
        self.last = (argv, "")
        answer = self._answer_for(argv)
        if isinstance(answer, BaseException):
            raise answer
        if callable(answer):
            answer = answer(argv)
        self.last = (argv, answer.stderr)
        if argv[0] in {"preview", "up", "destroy", "refresh"}:
            self._stream_events(argv)
        return answer

    @property
    def argvs(self) -> list[list[str]]:
        """Recorded argvs with the random ports replaced by ``PORT``."""
        return [[re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", a) for a in c.args]
                for c in self.calls]

    def _answer_for(self, argv: list[str]) -> Answer:
        for prefix in sorted(self.script, key=len, reverse=True):
            if tuple(argv[: len(prefix)]) == prefix:
                return self.script[prefix]
        if argv[:2] == ["stack", "output"]:
            shown = {k: ("[secret]" if k in self.secret_outputs and "--show-secrets" not in argv
                         else v) for k, v in self.outputs.items()}
            return ok(json.dumps(shown))
        if argv[:2] == ["stack", "history"]:
            return ok(json.dumps([{**HISTORY_TEMPLATE, "resourceChanges": self.changes}]))
        return ok()

    def _stream_events(self, argv: list[str]) -> None:
        if "--event-log" not in argv:
            return
        address = argv[argv.index("--event-log") + 1]
        summary = [{"summaryEvent": {"resourceChanges": self.changes}}] if self.summary else []
        events = [*self.events.get(argv[0], ()), *summary]
        send_events(address.removeprefix("tcp://"), events)


def send_events(address: str, events: Sequence[dict[str, Any]]) -> None:
    """Stream engine events to the Automation API's gRPC events server, like the CLI."""
    import grpc
    from pulumi.runtime.proto import events_pb2, events_pb2_grpc

    requests = [events_pb2.EventRequest(event=json.dumps({"sequence": i, "timestamp": 0, **e}))
                for i, e in enumerate(events)]
    with grpc.insecure_channel(address) as channel:
        events_pb2_grpc.EventsStub(channel).StreamEvents(iter(requests))


def hang(until: threading.Event, seconds: float = 60.0) -> Callable[[list[str]], CommandResult]:
    """An answer that blocks like a hung ``pulumi`` (at most ``seconds``), until ``until`` is set.

    It waits in 50 ms slices, like ``EngineCommand``'s polling wait: a signal the OS hands
    to another thread only runs the main thread's handler when the main thread wakes up.
    """
    def answer(argv: list[str]) -> CommandResult:
        deadline = time.monotonic() + seconds
        while not until.wait(0.05) and time.monotonic() < deadline:
            pass
        return ok()
    return answer
