"""The bases every spec and blueprint model shares, and the profile names.

Kind modules (:mod:`scaffold.spec.kinds`) build on these without importing the
spec as a whole, which is assembled from them (:mod:`scaffold.spec.models`,
:mod:`scaffold.spec.blueprint`).
"""

from __future__ import annotations

import typing
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from scaffold.spec.fields import members

ProfileName = Literal["dev", "staging", "production"]
#: The profiles, cheapest first.
PROFILE_NAMES: tuple[str, ...] = typing.get_args(ProfileName)


class _BooleanValue:
    """A YAML boolean where a number belongs: no validator accepts it, and it prints as written."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"{str(self.value).lower()} (a boolean)"


def _numeric(annotation: Any) -> bool:
    """Whether a field takes numbers (``int``, ``float``, ``Literal[1]``) and not booleans."""
    kinds = members(annotation)
    return bool not in kinds and any(
        k in (int, float) or (typing.get_origin(k) is Literal and any(type(a) is int for a in typing.get_args(k)))
        for k in kinds)


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors, and models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        """``true``/``false`` are booleans, never numbers: pydantic would read ``true`` as 1.

        A boolean given to a numeric field is swapped for a :class:`_BooleanValue`, which
        the field then refuses ("expected a valid integer, got true (a boolean)").
        """
        if not isinstance(data, dict):
            return data
        swapped = {}
        for name, value in data.items():
            info = cls.model_fields.get(name) if isinstance(name, str) else None
            if isinstance(value, bool) and info is not None and _numeric(info.annotation):
                value = _BooleanValue(value)
            swapped[name] = value
        return swapped



class Resolved(BaseModel):
    """Base of the blueprint models: every field required, no unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
