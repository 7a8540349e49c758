"""Looking up a model field by its path in the spec, for error hints and "did you mean"."""

from __future__ import annotations

import functools
import types
import typing
from collections import Counter
from collections.abc import Sequence
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def members(annotation: Any) -> list[Any]:
    """Flatten ``Annotated``, ``Optional`` and ``Union`` into their members."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in members(arg)]
    return [annotation]


def _step(annotation: Any, part: str | int, node: Any) -> Any:
    """The annotation one step down ``part`` from ``annotation``, or ``None``."""
    for member in members(annotation):
        origin = typing.get_origin(member)
        if isinstance(part, int) and origin is list:
            return typing.get_args(member)[0]
        if isinstance(part, str) and origin is dict:
            return typing.get_args(member)[1]
    models = [m for m in members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
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
    models = [m for m in members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)]
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


#: How many candidates, picked by shared letter pairs, "did you mean" compares in full.
_SHORTLIST = 8


@functools.lru_cache(maxsize=32)
def _bigram_index(choices: tuple[str, ...]) -> dict[str, list[int]]:
    """Letter pair -> indexes of the choices that contain it; built once per list of choices."""
    index: dict[str, list[int]] = {}
    for i, choice in enumerate(choices):
        for pair in {choice[j:j + 2] for j in range(max(len(choice) - 1, 1))}:
            index.setdefault(pair, []).append(i)
    return index


def closest(word: str, choices: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The choice most like ``word`` (difflib ratio at least ``cutoff``), or ``None``.

    At most one suggestion, in bounded time: the choices sharing the most letter pairs
    with ``word`` (at most :data:`_SHORTLIST`, found through an index built once per list)
    are compared in full, so checking many unknown names against many choices is
    near-linear rather than quadratic.
    """
    options = tuple(choices)
    word = word[:100]  # a longer name is not a typo of any choice
    if len(options) <= _SHORTLIST:
        shortlist = list(options)
    else:
        index = _bigram_index(options)
        shared: Counter[int] = Counter()
        for pair in {word[j:j + 2] for j in range(max(len(word) - 1, 1))}:
            holders = index.get(pair, ())
            if len(holders) <= len(options) // 2:  # a pair most choices share tells none apart
                shared.update(holders)
        shortlist = [options[i] for i, _ in shared.most_common(_SHORTLIST)]
    close = get_close_matches(word, shortlist, n=1, cutoff=cutoff)
    return close[0] if close else None


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """A hint: ``did you mean 'replicas'?``, or the list of choices when none is close.

    At most one suggestion (:func:`closest`); a list of more than 12 choices is not
    spelled out.
    """
    close = closest(word, choices)
    if close:
        return f"did you mean {close!r}?"
    if not choices:
        return ""
    listed = list(choices)
    if len(listed) > 12:
        return "expected one of: " + ", ".join(listed[:12]) + f", … ({len(listed)} in all)"
    return "expected one of: " + ", ".join(listed)
