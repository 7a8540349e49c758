"""Looking up a model field by its path in the spec, for error hints and "did you mean"."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def _members(annotation: Any) -> list[Any]:
    """Flatten ``Annotated``, ``Optional`` and ``Union`` into their members."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _step(annotation: Any, part: str | int, node: Any) -> Any:
    """The annotation one step down ``part`` from ``annotation``, or ``None``."""
    for member in _members(annotation):
        origin = typing.get_origin(member)
        if isinstance(part, int) and origin is list:
            return typing.get_args(member)[0]
        if isinstance(part, str) and origin is dict:
            return typing.get_args(member)[1]
    models = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) > 1 and isinstance(node, dict):
        kind = node.get("kind")
        models = [m for m in models if _kind_of(m) == kind] or []
    for model in models:
        if isinstance(part, str) and part in model.model_fields:
            return model.model_fields[part].annotation
    return None


def _kind_of(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("kind")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return args[0] if args else None


def model_at(root: type[BaseModel], path: Sequence[str | int], data: Any) -> type[BaseModel] | None:
    """The model whose fields live at ``path`` (e.g. ``("components", "api")`` -> ``ApiSpec``)."""
    annotation: Any = root
    node = data
    for part in path:
        annotation = _step(annotation, part, node)
        if annotation is None:
            return None
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    models = [m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
    if len(models) > 1 and isinstance(node, dict):
        models = [m for m in models if _kind_of(m) == node.get("kind")]
    return models[0] if len(models) == 1 else None


def field_at(root: type[BaseModel], path: Sequence[str | int], data: Any) -> FieldInfo | None:
    """The pydantic field at ``path``, or ``None`` when the path does not name one."""
    if not path or not isinstance(path[-1], str):
        return None
    model = model_at(root, path[:-1], data)
    if model is None:
        return None
    return model.model_fields.get(path[-1])


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """A hint: ``did you mean 'replicas'?``, or the list of choices when none is close."""
    close = get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return "expected one of: " + ", ".join(choices) if choices else ""
