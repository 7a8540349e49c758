"""The two terminals every command writes to, and the one way a command fails.

``out`` is stdout (results: tables, outputs, JSON); ``err`` is stderr (progress,
prompts, errors). :func:`fail` is the single place that turns a
:class:`~scaffold.errors.ScaffoldError` into what the user sees and the exit code
(see :mod:`scaffold.exit_codes`): ``error: <message>`` and ``hint: <hint>`` on
stderr, no traceback.

Both consoles resolve ``sys.stdout``/``sys.stderr`` when they write, so test
runners that swap the streams (``typer.testing.CliRunner``) capture them.

Values are printed byte for byte: both consoles interpret no markup (``[bold]``)
and no emoji codes (``:secret:`` inside a Secrets Manager ARN stays as it is),
and highlight nothing. Styled output is built from :class:`rich.text.Text`
objects (see :func:`plain_console`), never from markup strings with user values
in them.
"""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console

from scaffold.errors import ScaffoldError, SpecError


def plain_console(**options: Any) -> Console:
    """A console that prints values byte for byte: no markup, no emoji codes, no highlighting.

    ``options`` are further :class:`rich.console.Console` arguments, e.g. ``width=10_000``.
    """
    return Console(markup=False, emoji=False, highlight=False, **options)


out = plain_console(soft_wrap=True)
err = plain_console(stderr=True, soft_wrap=True)


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
