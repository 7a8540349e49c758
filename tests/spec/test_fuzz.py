"""Random and mutated specs: the loader accepts them or raises SpecError, never anything else."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scaffold.errors import SpecError
from scaffold.spec.loader import check_source
from scaffold.spec.source import parse_yaml

EXAMPLE = yaml.safe_load((Path(__file__).parents[2] / "examples" / "shop.yaml").read_text())

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 100_000), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["dev", "api", "jobs", "30s", "4d", "postgres"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=8)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


def _load(text: str) -> None:
    try:
        check_source(parse_yaml(text, "fuzz.yaml"))
    except SpecError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.line >= 0 and problem.column >= 0 and problem.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _load(text)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_example(data: st.DataObject) -> None:
    spec = copy.deepcopy(EXAMPLE)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(spec) if p]
        if not paths:
            break
        path = data.draw(st.sampled_from(paths))
        parent = spec
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = data.draw(values)
        elif isinstance(parent, dict):
            parent[data.draw(st.text(min_size=1, max_size=8))] = data.draw(values)
    _load(yaml.safe_dump(spec, sort_keys=False))
