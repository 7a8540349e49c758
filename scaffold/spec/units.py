"""Durations in the spec: an int in seconds, or a string such as ``30s``, ``15m``, ``4h``, ``4d``, ``2w``.

:data:`Duration` is a pydantic type that accepts both forms and holds whole
seconds. Its JSON Schema accepts both, so editors check them too.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

#: Seconds per unit suffix.
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
DURATION_PATTERN = r"^[ \t]*([0-9]+)[ \t]*([smhdw])[ \t]*$"
_DURATION = re.compile(DURATION_PATTERN)
#: Digits a duration may have before it is refused unread (every AWS limit fits in 12).
_MAX_DIGITS = 30


def parse_duration(value: Any) -> Any:
    """``"15m"`` -> ``900``; an int passes through; anything else is left for pydantic to reject.

    Raises:
        ValueError: A string that is not ``<digits><unit>`` with unit in s, m, h, d, w.
    """
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 15m, 4d, or whole seconds")
    if isinstance(value, str):
        match = _DURATION.fullmatch(value)
        if not match:
            raise ValueError(f"{value!r} is not a duration: use seconds (30) or a unit s, m, h, d, w (e.g. 15m, 4d)")
        if len(match.group(1)) > _MAX_DIGITS:
            # Python refuses to read integers of more than 4300 digits; no AWS limit needs 30.
            raise ValueError(f"a duration of {len(match.group(1))} digits is far beyond any AWS limit")
        return int(match.group(1)) * UNIT_SECONDS[match.group(2)]
    return value


def format_duration(seconds: int) -> str:
    """``1209600`` -> ``"14d"``; the largest unit that divides evenly."""
    for unit in ("d", "h", "m"):
        if seconds and seconds % UNIT_SECONDS[unit] == 0:
            return f"{seconds // UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


#: A duration, held as whole seconds.
Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    WithJsonSchema({
        "anyOf": [
            {"type": "integer", "minimum": 0, "description": "seconds"},
            {"type": "string", "pattern": DURATION_PATTERN,
             "description": "a number and a unit: s, m, h, d or w, e.g. 30s, 15m, 4d"},
        ]
    }),
]

#: One day, in seconds.
DAY = UNIT_SECONDS["d"]
