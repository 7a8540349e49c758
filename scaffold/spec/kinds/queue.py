"""The ``queue`` kind: an SQS queue with its dead-letter queue.

Component: :class:`blueprints.queue.Queue`; wiring: :mod:`stacks.kinds.queue`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from blueprints.queue.settings import MAX_MAX_RECEIVES, MAX_RETENTION, MAX_VISIBILITY_TIMEOUT
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.findings import Finding
from scaffold.spec.kinds import Kind
from scaffold.spec.units import DAY, Duration

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.source import FieldPath


class QueueSpec(SpecModel):
    """An SQS queue with its dead-letter queue."""

    kind: Literal["queue"] = Field(description="`queue`: an SQS queue with a dead-letter queue.")
    fifo: bool | None = Field(None, description="First-in-first-out with exactly-once processing.")
    content_based_deduplication: bool | None = Field(None, description="FIFO only: deduplicate by a hash of the body.")
    visibility_timeout: Duration | None = Field(None, le=MAX_VISIBILITY_TIMEOUT,
                                                description="How long a received message stays hidden: 0s to 12h.")
    retention: Duration | None = Field(None, le=MAX_RETENTION, description="How long a message is kept: 1m to 14d.")
    max_receives: int | None = Field(None, ge=1, le=MAX_MAX_RECEIVES, description="Receives before a message moves to the dead-letter queue, 1 to 1000.")


class QueueBlueprint(Resolved):
    kind: Literal["queue"]
    fifo: bool
    content_based_deduplication: bool
    visibility_timeout: Duration = Field(ge=0)
    retention: Duration = Field(ge=0)
    max_receives: int = Field(ge=1, le=1000)


_DEFAULTS = {
    "fifo": False,
    "content_based_deduplication": False,
    "visibility_timeout": 30,
    "retention": 4 * DAY,
    "max_receives": 5,
}
PROFILES = {"dev": dict(_DEFAULTS), "staging": dict(_DEFAULTS), "production": dict(_DEFAULTS)}


def blueprint_rules(bp: Blueprint, base: FieldPath, c: QueueBlueprint) -> Iterator[Finding]:
    """Content-based deduplication is a FIFO feature."""
    if c.content_based_deduplication and not c.fifo:
        yield Finding((*base, "content_based_deduplication"), "applies only to FIFO queues",
                      "set fifo: true, or remove content_based_deduplication")


KIND = Kind(
    name="queue",
    spec_model=QueueSpec,
    blueprint_model=QueueBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: queue)", QueueSpec),),
    duration_fields=frozenset({"visibility_timeout", "retention"}),
    usable=True,
    summary="an SQS queue with a dead-letter queue",
    blueprint_rules=blueprint_rules,
)
