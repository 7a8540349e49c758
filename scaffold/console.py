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

Errors and hints never show a URL's credentials: :func:`redact_urls` turns
``s3://KEY:SECRET@bucket`` into ``s3://***@bucket`` in everything :func:`report` prints.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NoReturn, cast

import typer

from scaffold.errors import ScaffoldError, SpecError

if TYPE_CHECKING:
    from types import TracebackType

    from rich.console import Console


def plain_console(**options: Any) -> Console:
    """A console that prints values byte for byte: no markup, no emoji codes, no highlighting.

    ``options`` are further :class:`rich.console.Console` arguments, e.g. ``width=10_000``.
    """
    from rich.console import Console

    return Console(markup=False, emoji=False, highlight=False, **options)


class _LazyConsole:
    """A :func:`plain_console` made at first use, so ``scaffold --help`` never imports
    ``rich.console`` (docs/performance.md). Every attribute is the real console's."""

    def __init__(self, **options: Any) -> None:
        self._lazy_options = options
        self._lazy_console: Console | None = None

    def _lazy_real(self) -> Console:
        if self._lazy_console is None:
            self._lazy_console = plain_console(**self._lazy_options)
        return self._lazy_console

    def __getattr__(self, name: str) -> Any:
        return getattr(self._lazy_real(), name)

    def __enter__(self) -> Console:  # ``with console:`` (rich's Live) looks these up on the type
        return self._lazy_real().__enter__()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._lazy_real().__exit__(kind, value, traceback)


out = cast("Console", _LazyConsole(soft_wrap=True))
err = cast("Console", _LazyConsole(stderr=True, soft_wrap=True))

#: ``scheme://user:password@``: the user-info part of a URL (RFC 3986 section 3.2.1).
_URL_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]+@")


def redact_urls(text: str) -> str:
    """``text`` with every URL's user-info replaced: ``https://u:p@h`` -> ``https://***@h``."""
    return _URL_USERINFO.sub(r"\1***@", text)


def report(error: ScaffoldError) -> None:
    """Print each spec problem (for a SpecError), ``error: ...`` and ``hint: ...`` on stderr."""
    if isinstance(error, SpecError):
        for problem in error.problems:
            err.print(redact_urls(str(problem)), markup=False)
        err.print(f"error: {redact_urls(error.message)}; nothing was changed", markup=False)
    else:
        err.print(f"error: {redact_urls(error.message)}", markup=False)
    if error.hint:
        err.print(f"hint: {redact_urls(error.hint)}", markup=False)


def fail(error: ScaffoldError) -> NoReturn:
    """Report ``error`` on stderr and exit with its ``exit_status``.

    Raises:
        typer.Exit: always, with ``error.exit_status``.
    """
    report(error)
    raise typer.Exit(int(error.exit_status))
