"""The blueprint: the resolved spec of one environment, every field explicit.

:func:`scaffold.spec.resolve.resolve` builds it from a spec, the environment's
overrides and its profile's defaults. :mod:`stacks` turns it into Pulumi
components. Durations are whole seconds; sizes are in the unit their field
names (MiB, ACU, vCPU units).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import Field

from scaffold.spec.base import ProfileName, Resolved
from scaffold.spec.kinds import KINDS
from scaffold.spec.kinds.api import ApiBlueprint, ScalingBlueprint  # noqa: F401 (re-exported)
from scaffold.spec.kinds.cache import CacheBlueprint  # noqa: F401 (re-exported)
from scaffold.spec.kinds.database import DatabaseBlueprint, ServerlessBlueprint  # noqa: F401 (re-exported)
from scaffold.spec.kinds.notifications import (  # noqa: F401 (re-exported)
    NotificationsBlueprint,
    SubscriberBlueprint,
)
from scaffold.spec.kinds.queue import QueueBlueprint  # noqa: F401 (re-exported)


class NetworkBlueprint(Resolved):
    azs: int = Field(ge=2, le=6)
    nat: Literal["none", "single", "per_az"]
    cidr: str
    flow_logs: bool


class AlarmsBlueprint(Resolved):
    enabled: bool
    notify: str | None


def _component_union() -> Any:
    """The discriminated union of every kind's blueprint model (:mod:`scaffold.spec.kinds`)."""
    return Annotated[Union[tuple(k.blueprint_model for k in KINDS.values())], Field(discriminator="kind")]  # noqa: UP007


#: One resolved component: the blueprint model of its ``kind``.
if TYPE_CHECKING:  # the kinds are known at run time only
    ComponentBlueprint = Any
else:
    ComponentBlueprint = _component_union()


class Blueprint(Resolved):
    """One environment, resolved.

    Attributes:
        project: The spec's ``name``; the Pulumi project.
        environment: The environment's name; the Pulumi stack.
        profile: The profile whose defaults were applied.
        region: The AWS region.
        backend: The Pulumi state backend URL from the spec, or ``None``.
        secrets_provider: The Pulumi secrets provider from the spec, or ``None`` (passphrase).
        tags: Default tags for every resource of the stack.
        network: The VPC.
        alarms: Whether alarms are created, and the notifications component they go to.
        components: Every component, by name, in spec order.
    """

    project: str
    environment: str
    profile: ProfileName
    region: str
    backend: str | None
    secrets_provider: str | None
    tags: dict[str, str]
    network: NetworkBlueprint
    alarms: AlarmsBlueprint
    components: dict[str, ComponentBlueprint]

    def of_kind(self, kind: str) -> dict[str, Any]:
        """The components of one kind, by name, in spec order."""
        return {name: c for name, c in self.components.items() if c.kind == kind}
