"""A broken rule, found by :mod:`scaffold.spec.rules` or a kind's own rules (:mod:`scaffold.spec.kinds`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scaffold.spec.source import FieldPath


@dataclass(frozen=True)
class Finding:
    """A rule broken at ``path``; ``key`` puts the position on the key rather than the value.

    A ``warning`` is reported but does not make the spec invalid. ``causes`` are other
    fields that break the rule together with ``path``: when an environment's override sets
    one of them (and not ``path``), the problem is reported at that override's line.
    """

    path: FieldPath
    message: str
    hint: str = ""
    key: bool = False
    warning: bool = False
    causes: tuple[FieldPath, ...] = ()


def reference(components: Mapping[str, Any], path: FieldPath, target: str, kinds: tuple[str, ...],
              what: str) -> Iterator[Finding]:
    """The problem with a reference from ``path`` to component ``target``, which must be one of
    ``kinds``: no such component (with the nearest fitting name), or one of another kind."""
    from scaffold.spec.fields import did_you_mean

    fitting = [n for n, c in components.items() if c.kind in kinds]
    if target not in components:
        yield Finding(path, f"no component named {target!r}", did_you_mean(target, fitting) or
                      f"add a component of kind {' or '.join(kinds)}")
    elif components[target].kind not in kinds:
        yield Finding(path, f"{target!r} is a {components[target].kind} component, but {what}",
                      did_you_mean(target, fitting) if fitting else f"add a component of kind {' or '.join(kinds)}")
