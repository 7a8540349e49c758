"""User-facing errors. The CLI turns each into a message, a hint and an exit code.

Every error that a user can cause or fix derives from :class:`ScaffoldError`;
anything else escaping a command is a bug in scaffold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scaffold.exit_codes import ExitStatus


class ScaffoldError(Exception):
    """A failure the user can act on.

    Args:
        message: What went wrong, in one sentence.
        hint: What to do about it, or ``""``.
        exit_status: The process exit code the CLI uses.
    """

    exit_status: ExitStatus = ExitStatus.OPERATION_FAILED

    def __init__(self, message: str, hint: str = "", *, exit_status: ExitStatus | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_status is not None:
            self.exit_status = exit_status


class UsageError(ScaffoldError):
    """The command line asks for something impossible (exit 2)."""

    exit_status = ExitStatus.INVALID_INPUT


class PrerequisiteError(ScaffoldError):
    """Something scaffold needs is missing: the ``pulumi`` CLI, a passphrase (exit 3)."""

    exit_status = ExitStatus.MISSING_PREREQUISITE


class OperationError(ScaffoldError):
    """An operation failed: an engine error, a locked stack, bad credentials (exit 1)."""

    exit_status = ExitStatus.OPERATION_FAILED


@dataclass(frozen=True, order=True)
class SpecProblem:
    """One problem in a spec file, with where it is.

    Attributes:
        file: The spec file's path as the user gave it.
        line: 1-based line number (0 when the file has no lines, e.g. unreadable).
        column: 1-based column number.
        path: The field path, e.g. ``components.api.scaling.min``; ``""`` for the whole file.
        message: What is wrong, e.g. ``"must be at most scaling.max (20)"``.
        hint: How to fix it, or ``""``.
        severity: ``"error"`` (the spec is refused, exit 2) or ``"warning"``
            (reported, the spec is still valid).
    """

    file: str
    line: int
    column: int
    path: str
    message: str
    hint: str = field(default="", compare=False)
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field_part = f"{self.path}: " if self.path else ""
        hint_part = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.severity}: {field_part}{self.message}{hint_part}"


class SpecError(ScaffoldError):
    """A spec file is invalid: unreadable, not YAML, or breaking field rules (exit 2).

    Attributes:
        problems: Every problem found, sorted by position; warnings among them are printed as
            warnings and not counted in the message ("2 problems in the spec" counts errors).
    """

    exit_status = ExitStatus.INVALID_INPUT

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = sorted(problems)
        count = sum(1 for p in self.problems if p.severity != "warning")
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the spec")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)
