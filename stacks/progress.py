"""Live progress and change summaries of a Pulumi operation, without a terminal.

The Automation API streams engine events (``on_event``) while an operation runs.
:class:`StepTracker` turns them into :class:`ResourceStep` values, one when a
resource operation starts, one when it is done or has failed, and hands them to a
callback the CLI supplies. :class:`OperationSummary` counts the changes per
operation type once the operation ends. Nothing here prints.

Event reference: https://www.pulumi.com/docs/iac/packages-and-automation/automation-api/
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

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
