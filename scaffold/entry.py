"""The ``scaffold`` console script: import the CLI, run it, and turn Ctrl-C into exit 130.

The import itself takes a few tenths of a second (typer, rich, pydantic); a Ctrl-C
during it must end with exit 130 and one line, not a traceback, so the handler
sits here, around the import, rather than in :mod:`scaffold.cli`.
"""

from __future__ import annotations

import sys

from scaffold.exit_codes import ExitStatus


def main() -> None:
    """Run ``scaffold``; exit 130 on Ctrl-C at any point, imports included."""
    try:
        from scaffold.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(int(ExitStatus.INTERRUPTED)) from None
