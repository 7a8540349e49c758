"""The process exit codes of every ``scaffold`` command, in one place.

======  ==========================================================
code    meaning
======  ==========================================================
0       success
1       an operation failed (an engine error, a failed deploy)
2       the input is invalid: the spec, or the command line
3       a prerequisite is missing (the ``pulumi`` CLI, a passphrase)
130     interrupted by Ctrl-C (SIGINT), 128 + 2
143     stopped by SIGTERM, 128 + 15
======  ==========================================================
"""

from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit codes of the ``scaffold`` command, documented in ``docs/cli.md``."""

    SUCCESS = 0
    OPERATION_FAILED = 1
    INVALID_INPUT = 2
    MISSING_PREREQUISITE = 3
    INTERRUPTED = 130
    TERMINATED = 143
