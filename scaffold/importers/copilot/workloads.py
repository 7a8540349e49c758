"""Placeholder: filled in by the workloads converter."""

from __future__ import annotations

from scaffold.importers.copilot.context import Context


def convert(ctx: Context) -> None:
    """Convert this part of the workspace into the draft."""
