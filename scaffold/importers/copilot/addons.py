"""Placeholder: filled in by the addons converter."""

from __future__ import annotations

from scaffold.importers.copilot.context import Context


def convert(ctx: Context) -> None:
    """Convert this part of the workspace into the draft."""
def link(ctx: Context) -> None:
    """Link workloads to the addons they use."""
