"""Component kinds: one module per kind, found by lookup.

Each module of :data:`KIND_MODULES` defines ``KIND``, a :class:`Kind` that holds
everything the spec layer knows of that kind: its spec model (what a user writes),
its blueprint model (every field explicit), its profile defaults, how resolving
completes it, and its own rules. The spec (:mod:`scaffold.spec.models`), the
blueprint (:mod:`scaffold.spec.blueprint`), the profiles
(:mod:`scaffold.spec.profiles`), the rules, the JSON Schema and the docs are
assembled from these entries. The same kind's Pulumi component is
``blueprints/<kind>/`` and its wiring into a stack is ``stacks/kinds/<kind>.py``
(:mod:`stacks.kinds`). Adding a kind means adding those three modules and its name here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scaffold.spec.base import Resolved, SpecModel
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.findings import Finding
    from scaffold.spec.source import FieldPath

#: The kind modules, in the order the docs, the JSON Schema and ``scaffold new`` list them.
KIND_MODULES: tuple[str, ...] = ("database", "cache", "queue", "notifications", "api", "worker", "job", "bucket")


@dataclass(frozen=True, kw_only=True)
class Kind:
    """What the spec layer knows of one component kind.

    Attributes:
        name: The ``kind:`` value, e.g. ``"queue"``.
        spec_model: The model of a component as written (fields optional).
        blueprint_model: The model of a resolved component (every field explicit).
        profiles: Defaults by profile name (``dev``, ``staging``, ``production``): field -> value,
            durations in seconds.
        doc_models: ``(YAML path, model)`` of each model the field reference documents.
        duration_fields: Fields whose value is a duration (shown as ``14d`` in the profile table).
        usable: Other components may list it in ``uses``.
        runs_container: It runs a Fargate task (``image``, ``secrets``, ``uses``): the network
            rules of ``nat: none`` and the secret-name rules apply.
        summary: One line for ``scaffold new --help`` and the docs.
        complete: Fills what the profile cannot in the merged data of one component, in place:
            ``complete(merged, given)`` (``given``: what the spec and override set).
        component_rules: Rules on the components as written (and with each environment's
            overrides merged): ``component_rules(components, name, component)`` yields findings.
        blueprint_rules: Rules on one resolved environment: ``blueprint_rules(bp, path, component)``.
    """

    name: str
    spec_model: type[SpecModel]
    blueprint_model: type[Resolved]
    profiles: Mapping[str, Mapping[str, Any]]
    doc_models: tuple[tuple[str, type[Any]], ...] = ()
    duration_fields: frozenset[str] = frozenset()
    usable: bool = False
    runs_container: bool = False
    summary: str = ""
    complete: Callable[[dict[str, Any], Mapping[str, Any]], None] | None = None
    component_rules: Callable[[Mapping[str, Any], str, Any], Iterator[Finding]] | None = None
    blueprint_rules: Callable[[Blueprint, FieldPath, Any], Iterator[Finding]] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def _load() -> dict[str, Kind]:
    kinds: dict[str, Kind] = {}
    for module_name in KIND_MODULES:
        entry: Kind = importlib.import_module(f"{__name__}.{module_name}").KIND
        if entry.name != module_name:
            raise RuntimeError(f"{__name__}.{module_name} defines kind {entry.name!r}")
        kinds[entry.name] = entry
    return kinds


_KINDS: dict[str, Kind] | None = None


def _kinds() -> dict[str, Kind]:
    global _KINDS
    if _KINDS is None:
        _KINDS = _load()
    return _KINDS


def __getattr__(name: str) -> Any:
    """``KINDS``: every kind, by name, in :data:`KIND_MODULES` order, loaded on first use."""
    if name == "KINDS":
        return _kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    KINDS: Mapping[str, Kind]


def kind(name: str) -> Kind:
    """The :class:`Kind` named ``name``.

    Raises:
        KeyError: No such kind.
    """
    return _kinds()[name]


def usable_kinds() -> tuple[str, ...]:
    """The kinds a component may ``use``, in registry order."""
    return tuple(k.name for k in _kinds().values() if k.usable)
