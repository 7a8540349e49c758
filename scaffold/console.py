"""The two terminals every command writes to, and the one way a command fails.

``out`` is stdout (results: tables, outputs, JSON); ``err`` is stderr (progress,
prompts, errors). :func:`fail` is the single place that turns a
:class:`~scaffold.errors.ScaffoldError` into what the user sees and the exit code
(see :mod:`scaffold.exit_codes`): ``error: <message>`` and ``hint: <hint>`` on
stderr, no traceback.

Both consoles resolve ``sys.stdout``/``sys.stderr`` when they write, so test
runners that swap the streams (``typer.testing.CliRunner``) capture them.
"""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from scaffold.errors import ScaffoldError, SpecError

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def report(error: ScaffoldError) -> None:
    """Print each spec problem (for a SpecError), ``error: ...`` and ``hint: ...`` on stderr."""
    if isinstance(error, SpecError):
        for problem in error.problems:
            err.print(str(problem), markup=False)
        err.print(f"error: {error.message}; nothing was changed", markup=False)
    else:
        err.print(f"error: {error.message}", markup=False)
    if error.hint:
        err.print(f"hint: {error.hint}", markup=False)


def fail(error: ScaffoldError) -> NoReturn:
    """Report ``error`` on stderr and exit with its ``exit_status``.

    Raises:
        typer.Exit: always, with ``error.exit_status``.
    """
    report(error)
    raise typer.Exit(int(error.exit_status))
