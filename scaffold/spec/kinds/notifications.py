"""The ``notifications`` kind: an SNS topic and its subscribers.

Component: :class:`blueprints.notifications.Notifications`; wiring: :mod:`stacks.kinds.notifications`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import Field, model_validator

from blueprints.notifications.settings import EMAIL_PATTERN, HTTPS_PATTERN, SMS_PATTERN
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.findings import Finding, reference
from scaffold.spec.kinds import Kind
from scaffold.spec.source import FieldPath


class SubscriberSpec(SpecModel):
    """One subscriber of a notifications topic: exactly one of the four keys."""

    email: str | None = Field(None, pattern=EMAIL_PATTERN, description="An email address.")
    sms: str | None = Field(None, pattern=SMS_PATTERN, description="A phone number in E.164 form, e.g. `+15555550100`.")
    https: str | None = Field(None, pattern=HTTPS_PATTERN, description="An HTTPS endpoint that receives POSTs.")
    queue: str | None = Field(None, description="A `queue` component of this spec.")

    @model_validator(mode="after")
    def _exactly_one(self) -> SubscriberSpec:
        if len(self.model_dump(exclude_none=True)) != 1:
            raise ValueError("a subscriber needs exactly one of email, sms, https or queue")
        return self


class NotificationsSpec(SpecModel):
    """An SNS topic and its subscribers."""

    kind: Literal["notifications"] = Field(description="`notifications`: an SNS topic.")
    subscribers: list[SubscriberSpec] | None = Field(None, description="Who receives the topic's messages.")


class SubscriberBlueprint(Resolved):
    protocol: Literal["email", "sms", "https", "queue"]
    endpoint: str


class NotificationsBlueprint(Resolved):
    kind: Literal["notifications"]
    subscribers: list[SubscriberBlueprint]


PROFILES: dict[str, dict[str, Any]] = {profile: {"subscribers": []} for profile in ("dev", "staging", "production")}


def complete(merged: dict[str, Any], given: Mapping[str, Any]) -> None:
    """Each subscriber ``{<protocol>: <endpoint>}`` as ``{"protocol", "endpoint"}``."""
    raw = merged.get("subscribers")
    if not isinstance(raw, list):
        return
    out = []
    for item in raw:
        if isinstance(item, Mapping) and len(item) == 1:
            (protocol, endpoint), = item.items()
            out.append({"protocol": protocol, "endpoint": endpoint})
        else:
            out.append(item)
    merged["subscribers"] = out


def component_rules(components: Mapping[str, Any], name: str, c: NotificationsSpec) -> Iterator[Finding]:
    """A ``queue`` subscriber names a standard (not FIFO) queue component."""
    for i, sub in enumerate(c.subscribers or []):
        if sub.queue is None:
            continue
        path: FieldPath = ("components", name, "subscribers", i, "queue")
        yield from reference(components, path, sub.queue, ("queue",), "a topic can only deliver to a queue component")
        target = components.get(sub.queue)
        if target is not None and target.kind == "queue" and target.fifo:
            yield Finding(path, f"{sub.queue!r} is a FIFO queue; a standard SNS topic cannot deliver to it",
                          "subscribe a standard queue, or set fifo: false on the queue")


KIND = Kind(
    name="notifications",
    spec_model=NotificationsSpec,
    blueprint_model=NotificationsBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: notifications)", NotificationsSpec),
                ("components.NAME.subscribers[]", SubscriberSpec)),
    usable=True,
    summary="an SNS topic (email, SMS, HTTPS and queue subscribers); alarms go to one",
    complete=complete,
    component_rules=component_rules,
)
