"""Fixtures of the deploy-layer tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    """A spec file path for a stack target (its content is not read by the deploy layer)."""
    path = tmp_path / "scaffold.yaml"
    path.write_text("name: shop\n")
    return path
