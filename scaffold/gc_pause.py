"""Cyclic garbage collection paused while a short command builds many long-lived objects.

``scaffold validate`` imports the spec layer (some thirty pydantic models, as many
dataclasses, the kinds' settings) and builds its validators: many allocations and hardly
any garbage, so the collector's passes, and its last pass at interpreter exit, only cost
time (docs/performance.md, "Start-up"). Imports nothing heavy, so a command can enter it
before importing :mod:`scaffold.spec`.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager

_freeze_registered = False


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """No cyclic GC inside the block (restored after it, for callers in a long process such as
    a test run), and none of the objects alive at exit are traversed by the exit-time pass
    (:func:`gc.freeze` at exit). Reference counting still frees everything that is not in a cycle.
    """
    global _freeze_registered
    was_enabled = gc.isenabled()
    gc.disable()
    if not _freeze_registered:
        atexit.register(gc.freeze)
        _freeze_registered = True
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
