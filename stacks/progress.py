"""Live progress and change summaries of a Pulumi operation.

The Automation API streams engine events (``on_event``) while an operation runs.
:class:`StepTracker` turns them into :class:`ResourceStep` values, one when a
resource operation starts, one when it is done or has failed, and hands them to a
callback the CLI supplies. :class:`OperationSummary` counts the changes per
operation type once the operation ends.

On a terminal, :class:`LiveProgress` adds a transient status area below the
per-resource lines (``rich.live.Live``): resources done out of total, the elapsed
time, and each operation in flight with its own elapsed time. :func:`live_wanted`
decides whether there is a terminal to draw it on. Nothing else here prints.

Event reference: https://www.pulumi.com/docs/iac/packages-and-automation/automation-api/
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.live import Live

StepStatus = Literal["started", "done", "failed"]

#: Prefix symbols, as the pulumi CLI shows them.
OP_SYMBOLS: dict[str, str] = {
    "create": "+",
    "update": "~",
    "delete": "-",
    "replace": "+-",
    "create-replacement": "++",
    "delete-replaced": "--",
    "read": ">",
    "read-replacement": ">>",
    "refresh": "~",
    "import": "=",
    "import-replacement": "=>",
    "discard": "<",
    "discard-replaced": "<<",
    "remove-pending-replace": "-",
    "same": " ",
}

#: Past-tense verbs for completed operations; previews use "to <op>".
_DONE_VERBS: dict[str, str] = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "replace": "replaced",
    "create-replacement": "created for replacement",
    "delete-replaced": "deleted after replacement",
    "read": "read",
    "refresh": "refreshed",
    "import": "imported",
    "same": "unchanged",
}


@dataclass(frozen=True)
class ResourceStep:
    """One resource operation seen in the engine's event stream.

    Attributes:
        op: The operation, e.g. ``"create"``, ``"update"``, ``"delete"``, ``"replace"``.
        type: The resource type token, e.g. ``"aws:sqs/queue:Queue"``.
        name: The logical name (last part of the URN), e.g. ``"shop-dev-jobs"``.
        urn: The full URN.
        status: ``"started"``, ``"done"`` or ``"failed"``.
        planning: True during a preview (nothing is changed).
    """

    op: str
    type: str
    name: str
    urn: str
    status: StepStatus
    planning: bool = False

    @property
    def symbol(self) -> str:
        """The one- or two-character prefix for ``op`` (``+``, ``~``, ``-``, ``+-``...)."""
        return OP_SYMBOLS.get(self.op, "*")

    def describe(self) -> str:
        """One line, e.g. ``+ create aws:sqs/queue:Queue shop-dev-jobs done``."""
        status = "planned" if self.planning and self.status == "done" else self.status
        return f"{self.symbol} {self.op} {self.type} {self.name} {status}"


@dataclass(frozen=True)
class OperationSummary:
    """What an operation did (or, for a preview, would do).

    Attributes:
        operation: ``"preview"``, ``"update"``, ``"destroy"`` or ``"refresh"``.
        changes: Resource count per operation type, e.g. ``{"create": 3, "same": 1}``.
        outputs: The stack outputs after an update (name -> value), else empty.
        secret_outputs: The names among ``outputs`` whose values are secrets (the CLI
            masks them unless asked: ``scaffold.stack_commands``).
    """

    operation: str
    changes: Mapping[str, int]
    outputs: Mapping[str, Any] = field(default_factory=dict)
    secret_outputs: frozenset[str] = frozenset()

    def shown_outputs(self, *, show_secrets: bool = False) -> dict[str, Any]:
        """``outputs`` with each secret value replaced by ``"[secret]"`` unless ``show_secrets``."""
        return mask_secrets({k: (v, k in self.secret_outputs) for k, v in self.outputs.items()},
                            show_secrets=show_secrets)

    @property
    def changed(self) -> bool:
        """True when anything other than ``same`` happens."""
        return any(count for op, count in self.changes.items() if op != "same")

    def describe(self) -> str:
        """One line, e.g. ``3 to create, 1 to update, 2 unchanged`` (preview) or
        ``3 created, 1 updated`` (update), or ``no changes``."""
        if not self.changed:
            same = self.changes.get("same", 0)
            return f"no changes ({same} unchanged)" if same else "no changes"
        parts = []
        for op, count in sorted(self.changes.items(), key=_op_order):
            if not count:
                continue
            if self.operation == "preview":
                parts.append(f"{count} unchanged" if op == "same" else f"{count} to {op}")
            else:
                parts.append(f"{count} {_DONE_VERBS.get(op, op)}")
        return ", ".join(parts)


#: What a secret output prints as, unless ``--show-secrets``.
SECRET_MASK = "[secret]"


def mask_secrets(values: Mapping[str, tuple[Any, bool]], *, show_secrets: bool = False) -> dict[str, Any]:
    """``{name: (value, is_secret)}`` -> ``{name: value}``, secrets as ``"[secret]"``
    unless ``show_secrets``."""
    return {k: (v if show_secrets or not secret else SECRET_MASK) for k, (v, secret) in values.items()}


def _op_order(item: tuple[str, int]) -> tuple[int, str]:
    order = list(OP_SYMBOLS)
    op = item[0]
    return (order.index(op) if op in order else len(order), op)


def normalise_changes(changes: Mapping[Any, int] | None) -> dict[str, int]:
    """Turn an ``OpMap`` (keys may be ``OpType`` enums or strings) into ``{str: int}``."""
    result: dict[str, int] = {}
    for op, count in (changes or {}).items():
        key = getattr(op, "value", op)
        result[str(key)] = result.get(str(key), 0) + int(count)
    return result


def urn_name(urn: str) -> str:
    """The logical name at the end of a URN (``urn:pulumi:dev::shop::T::name`` -> ``name``)."""
    return urn.rsplit("::", 1)[-1] if urn else ""


class StepTracker:
    """An ``on_event`` callback: turns engine events into :class:`ResourceStep` calls.

    ``same`` operations (nothing to do) and the ``pulumi:pulumi:Stack`` root are
    not reported. The last summary event's counts are kept in :attr:`changes`.

    Args:
        on_step: Called for every reported step, from the engine's event thread.
    """

    def __init__(self, on_step: Callable[[ResourceStep], None] | None = None) -> None:
        self.on_step = on_step
        self.changes: dict[str, int] | None = None

    def __call__(self, event: Any) -> None:
        """Handle one ``pulumi.automation.events.EngineEvent``."""
        if event.summary_event is not None:
            self.changes = normalise_changes(event.summary_event.resource_changes)
        statuses: tuple[tuple[str, StepStatus], ...] = (
            ("resource_pre_event", "started"),
            ("res_outputs_event", "done"),
            ("res_op_failed_event", "failed"),
        )
        for attr, status in statuses:
            payload = getattr(event, attr, None)
            if payload is not None:
                self._report(payload, status)

    def _report(self, payload: Any, status: StepStatus) -> None:
        meta = payload.metadata
        op = getattr(meta.op, "value", meta.op)
        if op == "same" or meta.type == "pulumi:pulumi:Stack" or self.on_step is None:
            return
        planning = bool(getattr(payload, "planning", False))
        self.on_step(ResourceStep(op=str(op), type=meta.type, name=urn_name(meta.urn),
                                  urn=meta.urn, status=status, planning=planning))


# -- live status on a terminal ------------------------------------------------------

#: The clock :class:`LiveProgress` reads unless given one (seconds, monotonic).
CLOCK: Callable[[], float] = time.monotonic
#: How often the live area is redrawn, so that elapsed times keep moving.
REFRESH_PER_SECOND = 4.0
#: At most this many operations in flight are listed (the longest-running first).
MAX_IN_FLIGHT_LINES = 8

#: Steps that are one half of a replacement: the engine does not count them as a
#: resource change of their own (the ``replace`` step is counted), so neither does
#: the done/total counter. They still show while in flight (a replacement database
#: takes as long to create as a new one).
_REPLACEMENT_HALVES = frozenset({
    "create-replacement", "delete-replaced", "read-replacement", "import-replacement",
    "discard-replaced", "remove-pending-replace",
})

#: What an operation in flight shows as, e.g. ``creating orders-db-cluster 7m12s``.
_ACTIVE_VERBS: dict[str, str] = {
    "create": "creating",
    "update": "updating",
    "delete": "deleting",
    "replace": "replacing",
    "create-replacement": "creating replacement",
    "delete-replaced": "deleting replaced",
    "read": "reading",
    "read-replacement": "reading replacement",
    "refresh": "refreshing",
    "import": "importing",
    "import-replacement": "importing replacement",
    "discard": "discarding",
    "discard-replaced": "discarding replaced",
    "remove-pending-replace": "removing pending replacement",
}


def live_wanted(console: Console, environ: Mapping[str, str] | None = None) -> bool:
    """True when ``console`` writes to a terminal that can redraw a status area.

    False when ``CI`` is truthy (``1``, ``true``, ``yes``, ``on``), on a dumb terminal
    (``TERM=dumb``), and whenever the console's file is not a TTY, even if
    ``FORCE_COLOR`` or ``TTY_COMPATIBLE`` make Rich treat it as a terminal: a log file
    or a pipe gets exactly the lines it got before live progress existed.
    """
    environ = os.environ if environ is None else environ
    if (environ.get("CI") or "").strip().lower() in {"1", "true", "yes", "on"}:
        return False
    if not console.is_terminal or console.is_dumb_terminal:
        return False
    isatty = getattr(console.file, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed file
        return False


def format_duration(seconds: float) -> str:
    """``42s``, ``7m12s``, ``1h03m05s`` (whole seconds, rounded down)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}s"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


@dataclass
class _InFlight:
    step: ResourceStep
    started: float


class LiveProgress:
    """A transient status area below the per-resource lines, fed with :class:`ResourceStep`.

    Use it as a context manager around one operation and pass :meth:`on_step` as the
    runner's ``on_step`` callback. Each step is handed to ``print_step`` unchanged
    (Rich prints it above the status area), then the area is redrawn::

        Deploying 'dev' (shop): 3/10 done, 2 in progress, 9m40s elapsed
          creating orders-db-cluster 7m12s
          updating orders-api-service 12s

    The total is ``total`` when given (``deploy`` passes the number of resource
    changes its preview counted: :attr:`finished` of the preview's LiveProgress);
    otherwise it is the number of resource operations the engine has started so far
    (one ``resource-pre`` event each), shown as ``3/5 done (more may follow)``
    (``starting`` before the first), because the engine announces no total up front. ``same`` steps are not
    counted (the tracker drops them), nor the halves of a replacement (see
    :data:`_REPLACEMENT_HALVES`), so a ``replace`` counts once, as in the engine's
    own summary. When the area goes away (the operation ended or failed), it leaves
    nothing behind: the lines printed above it are all that stays.

    Args:
        console: Where to draw; the per-resource lines should go to the same console.
        title: The first words of the status line, e.g. ``"Deploying 'dev' (shop)"``.
        total: Resource changes expected, if known.
        print_step: Prints one step (the CLI's plain line); None prints nothing.
        clock: Seconds, monotonic; default :data:`CLOCK`.
        auto_refresh: Redraw :data:`REFRESH_PER_SECOND` times a second (elapsed times
            move even without events); tests pass False and get a redraw per step.
    """

    def __init__(self, console: Console, title: str, *, total: int | None = None,
                 print_step: Callable[[ResourceStep], None] | None = None,
                 clock: Callable[[], float] | None = None, auto_refresh: bool = True) -> None:
        self.console = console
        self.title = title
        self.total = total
        self.print_step = print_step
        self.clock = clock or CLOCK
        self.auto_refresh = auto_refresh
        self.started_at = self.clock()
        #: Counted steps that finished (done or failed), and those that failed.
        self.finished = 0
        self.failed = 0
        self._seen = 0  # counted steps started (or finished without a start event)
        self._in_flight: dict[tuple[str, str], _InFlight] = {}
        self._lock = threading.Lock()
        self._live: Live | None = None

    # -- context manager -----------------------------------------------------------

    def __enter__(self) -> LiveProgress:
        from rich.live import Live

        self.started_at = self.clock()
        self._live = Live(self, console=self.console, transient=True,
                          auto_refresh=self.auto_refresh,
                          refresh_per_second=REFRESH_PER_SECOND,
                          redirect_stdout=True, redirect_stderr=False)
        self._live.start(refresh=True)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        live, self._live = self._live, None
        if live is not None:
            live.stop()

    # -- events --------------------------------------------------------------------

    def on_step(self, step: ResourceStep) -> None:
        """Record ``step``, print it with ``print_step``, and redraw (any thread)."""
        now = self.clock()
        counted = step.op not in _REPLACEMENT_HALVES
        key = (step.urn, step.op)
        with self._lock:
            if step.status == "started":
                self._in_flight[key] = _InFlight(step, now)
                self._seen += int(counted)
            else:
                started = self._in_flight.pop(key, None)
                if counted:
                    self._seen += int(started is None)
                    self.finished += 1
                    self.failed += int(step.status == "failed")
        if self.print_step is not None:
            self.print_step(step)
        live = self._live
        if live is not None:
            live.refresh()

    # -- rendering -----------------------------------------------------------------

    def lines(self) -> list[str]:
        """The status area as plain lines, at the clock's current time."""
        now = self.clock()
        with self._lock:
            finished, failed, seen = self.finished, self.failed, self._seen
            in_flight = sorted(self._in_flight.values(), key=lambda f: (f.started, f.step.name))
        if self.total is not None:
            count = f"{finished}/{max(self.total, seen)} done"
        elif not seen:
            count = "starting"  # the engine runs the program and loads plugins first
        else:
            count = f"{finished}/{seen} done (more may follow)"
        parts = [count + (f", {failed} failed" if failed else "")]
        if in_flight:
            parts.append(f"{len(in_flight)} in progress")
        parts.append(f"{format_duration(now - self.started_at)} elapsed")
        lines = [f"{self.title}: " + ", ".join(parts)]
        room = max(1, min(MAX_IN_FLIGHT_LINES, self.console.height - 2))
        if len(in_flight) > room:
            shown, hidden = in_flight[:room - 1], len(in_flight) - room + 1
        else:
            shown, hidden = in_flight, 0
        for item in shown:
            lines.append(f"  {_active(item.step)} {item.step.name} "
                         f"{format_duration(now - item.started)}")
        if hidden:
            lines.append(f"  ... and {hidden} more")
        return lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        width = max(1, options.max_width - 1)  # never wrap: Rich must know the area's height
        for line in self.lines():
            text = Text(line, no_wrap=True, overflow="crop", end="\n")
            text.truncate(width)
            yield text


def _active(step: ResourceStep) -> str:
    if step.planning:
        return f"planning {step.op}"
    return _ACTIVE_VERBS.get(step.op, step.op)
