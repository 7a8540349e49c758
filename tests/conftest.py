"""Shared fixtures: an offline Pulumi engine for component tests, and the CLI runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def offline() -> Callable[..., Any]:
    """Run a program under the fabricated-AWS mock runtime: ``offline(fn, stack="prod")``.

    Each call gets a fresh event loop, config and duplicate-resource registry.
    Returns a :class:`stacks.mocks.OfflineRun`.
    """
    from stacks.mocks import run_offline

    def run(program: Callable[[], Any], *, project: str = "shop", stack: str = "dev",
            region: str = "us-east-1", config: dict[str, str] | None = None) -> Any:
        return run_offline(program, project=project, stack=stack, region=region, config=config)

    return run
