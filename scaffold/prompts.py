"""Questions on a terminal for the commands that write a project (``new``, ``init``).

They ask only when stdin is a terminal (never in CI), and a Ctrl-C at a question ends
the command with exit 130 and nothing written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import typer

from scaffold.console import err, fail
from scaffold.errors import ScaffoldError
from scaffold.exit_codes import ExitStatus

T = TypeVar("T")
#: How a command asks a question: ``ask(prompt, default) -> answer``.
Ask = Callable[[str, str], str]


def stdin_is_terminal() -> bool:
    """Whether questions can be asked (stdin is a terminal)."""
    return sys.stdin.isatty()


def ask(prompt: str, default: str) -> str:
    """Ask on stderr, with ``default`` taken on Enter."""
    return str(typer.prompt(prompt, default=default, err=True))


def run_asking(work: Callable[[Ask | None], T], *, no_input: bool) -> T:
    """``work(ask)``, with ``ask`` ``None`` when ``no_input`` or stdin is not a terminal.

    Raises:
        typer.Exit: 2 for a :class:`~scaffold.errors.ScaffoldError` (printed with its hint),
            130 for a Ctrl-C at a question ("interrupted; nothing was written").
    """
    interactive = not no_input and stdin_is_terminal()
    try:
        return work(ask if interactive else None)
    except ScaffoldError as error:
        fail(error)
    except (KeyboardInterrupt, typer.Abort) as stop:
        # typer's prompt turns Ctrl-C (and end of input) into Abort, which would exit 1.
        if isinstance(stop, typer.Abort) and not isinstance(stop.__context__, KeyboardInterrupt):
            raise
        err.print("\ninterrupted; nothing was written", markup=False)
        raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None
