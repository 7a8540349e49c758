"""Lazy package exports (PEP 562), so a kind's pulumi-free settings import without ``pulumi``.

Each kind's package (``blueprints.database`` …) re-exports the names of its
``settings`` and ``component`` modules, but imports a module only when one of
its names is first used: ``scaffold validate`` imports
``blueprints.database.settings`` without loading ``pulumi`` through
``blueprints.database.component``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, Iterable[str]]) -> tuple[list[str], Callable[[str], Any]]:
    """``__all__`` and a module ``__getattr__`` for ``package``.

    Args:
        package: The package's ``__name__``, e.g. ``"blueprints.database"``.
        modules: Submodule name -> the public names it provides, e.g.
            ``{"settings": ["DatabaseSettings"], "component": ["Database"]}``.

    Returns:
        ``(__all__, __getattr__)``; ``__getattr__`` raises ``AttributeError`` for other names.
    """
    where = {name: f"{package}.{module}" for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(where[name]), name)

    return sorted(where), __getattr__
