"""Resolving a spec into the blueprint of one environment.

Precedence, lowest first: the profile's defaults (:mod:`scaffold.spec.profiles`),
the spec's top-level values, then the environment's overrides. Mappings are
deep-merged; lists (``uses``, ``subscribers``) are replaced whole.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from scaffold.spec.blueprint import Blueprint
from scaffold.spec.kinds import KINDS
from scaffold.spec.models import Spec
from scaffold.spec.profiles import PROFILES

#: Tag keys the stack puts on every resource by default.
TAG_PROJECT = "scaffold:project"
TAG_ENVIRONMENT = "scaffold:environment"


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """A new dict: ``override`` over ``base``, recursing into mappings; other values replace."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _given(model: Any) -> dict[str, Any]:
    return model.model_dump(exclude_none=True, by_alias=False) if model is not None else {}


def resolve_raw(spec: Spec, env_name: str) -> dict[str, Any]:
    """The blueprint of ``env_name`` as plain data, before its own validation.

    The environment's component overrides are raw YAML data (validated when the
    result is validated as a :class:`Blueprint`).

    Raises:
        KeyError: ``env_name`` is not an environment of ``spec``.
    """
    env = spec.environments[env_name]
    profile = PROFILES[env.profile]
    components: dict[str, Any] = {}
    overrides = env.components or {}
    for name, component in spec.components.items():
        given = deep_merge(_given(component), overrides.get(name, {}))
        merged = deep_merge(profile[component.kind], given)
        complete = KINDS[component.kind].complete
        if complete is not None:
            complete(merged, given)
        components[name] = merged
    return {
        "project": spec.name,
        "environment": env_name,
        "profile": env.profile,
        "region": env.region or spec.region,
        "backend": env.backend or spec.backend,
        "secrets_provider": spec.secrets_provider,
        "tags": {TAG_PROJECT: spec.name, TAG_ENVIRONMENT: env_name},
        "network": deep_merge(deep_merge(profile["network"], _given(spec.network)), _given(env.network)),
        "alarms": deep_merge(deep_merge(profile["alarms"], _given(spec.alarms)), _given(env.alarms)),
        "components": components,
    }


def resolve(spec: Spec, env_name: str) -> Blueprint:
    """The validated blueprint of ``env_name``, without position-aware error reporting.

    Prefer :func:`scaffold.spec.load_blueprint`, which also checks every rule and
    names the file, line and column of each problem.

    Raises:
        KeyError: ``env_name`` is not an environment of ``spec``.
        pydantic.ValidationError: An override does not fit its field.
    """
    return Blueprint.model_validate(resolve_raw(spec, env_name))
