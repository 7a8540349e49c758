"""The ``scaffold`` console script: import the CLI, run it, and turn Ctrl-C into exit 130.

The import itself takes a few tenths of a second (typer, rich, pydantic); a Ctrl-C
during it must end with exit 130 and one line, not a traceback, so the handler
sits here, around the import, rather than in :mod:`scaffold.cli`.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run ``scaffold``; exit 130 on Ctrl-C at any point, imports included."""
    try:
        # Every import inside the try: with cached bytecode, a Ctrl-C 50 ms after start lands
        # here, e.g. while exit_codes builds its enum (tests/test_interrupts.py).
        from scaffold.cli import main as run

        run()
    except KeyboardInterrupt:
        from scaffold.exit_codes import ExitStatus

        sys.stderr.write("interrupted\n")
        raise SystemExit(int(ExitStatus.INTERRUPTED)) from None
