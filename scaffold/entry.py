"""The ``scaffold`` console script: import the CLI, run it, and turn Ctrl-C into exit 130.

The import itself takes a few tenths of a second (typer, rich, pydantic); a Ctrl-C
during it must end with exit 130 and one line, not a traceback, so the handler
sits here, around the import, rather than in :mod:`scaffold.cli`.

A Ctrl-C can also land while Python runs a weakref callback or a ``__del__`` (objects
die all the time in a plan, and at interpreter exit). Python cannot raise it there: it
prints "Exception ignored in …" with a traceback and carries on, so the Ctrl-C would be
lost. :func:`_unraisable` catches exactly that case and exits 130.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def _unraisable(unraisable: Any) -> None:
    """``sys.unraisablehook``: a KeyboardInterrupt Python could not raise ends the process with 130."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        from scaffold.exit_codes import ExitStatus

        try:
            sys.stderr.write("interrupted\n")
            sys.stderr.flush()
        finally:
            os._exit(int(ExitStatus.INTERRUPTED))  # not SystemExit: that would be ignored here too
    sys.__unraisablehook__(unraisable)


def main() -> None:
    """Run ``scaffold``; exit 130 on Ctrl-C at any point, imports included."""
    sys.unraisablehook = _unraisable
    try:
        # Every import inside the try: with cached bytecode, a Ctrl-C 50 ms after start lands
        # here, e.g. while exit_codes builds its enum (tests/test_interrupts.py).
        from scaffold.cli import main as run

        run()
    except KeyboardInterrupt:
        from scaffold.exit_codes import ExitStatus

        sys.stderr.write("interrupted\n")
        raise SystemExit(int(ExitStatus.INTERRUPTED)) from None
