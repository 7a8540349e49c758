"""The blueprint: the resolved spec of one environment, every field explicit.

:func:`scaffold.spec.resolve.resolve` builds it from a spec, the environment's
overrides and its profile's defaults. :mod:`stacks` turns it into Pulumi
components. Durations are whole seconds; sizes are in the unit their field
names (MiB, ACU, vCPU units).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from scaffold.spec.models import ProfileName
from scaffold.spec.units import Duration


class Resolved(BaseModel):
    """Base of the blueprint models: every field required, no unknown keys, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NetworkBlueprint(Resolved):
    azs: int = Field(ge=2, le=6)
    nat: Literal["none", "single", "per_az"]
    cidr: str
    flow_logs: bool


class AlarmsBlueprint(Resolved):
    enabled: bool
    notify: str | None


class ServerlessBlueprint(Resolved):
    min: float = Field(ge=0, le=256, multiple_of=0.5)
    max: float = Field(ge=1, le=256, multiple_of=0.5)


class DatabaseBlueprint(Resolved):
    kind: Literal["database"]
    engine: Literal["postgres", "mysql"]
    version: str
    instance: str | None
    serverless: ServerlessBlueprint | None
    replicas: int = Field(ge=0, le=15)
    backup_retention: Duration = Field(ge=0)
    database: str
    deletion_protection: bool
    final_snapshot: bool
    proxy: bool
    performance_insights: bool
    monitoring_interval: Duration = Field(ge=0)
    allow_replacement: bool


class CacheBlueprint(Resolved):
    kind: Literal["cache"]
    engine: Literal["redis", "valkey"]
    version: str
    node: str
    replicas: int = Field(ge=0, le=5)
    snapshot_retention: Duration = Field(ge=0)
    allow_replacement: bool


class QueueBlueprint(Resolved):
    kind: Literal["queue"]
    fifo: bool
    content_based_deduplication: bool
    visibility_timeout: Duration = Field(ge=0)
    retention: Duration = Field(ge=0)
    max_receives: int = Field(ge=1, le=1000)


class SubscriberBlueprint(Resolved):
    protocol: Literal["email", "sms", "https", "queue"]
    endpoint: str


class NotificationsBlueprint(Resolved):
    kind: Literal["notifications"]
    subscribers: list[SubscriberBlueprint]


class ScalingBlueprint(Resolved):
    min: int = Field(ge=1)  # upper bounds: the spec's fields and ScalingSettings
    max: int = Field(ge=1)
    cpu: int | None = Field(ge=1, le=100)
    memory: int | None = Field(ge=1, le=100)
    requests: int | None = Field(ge=1)


class ApiBlueprint(Resolved):
    kind: Literal["api"]
    image: str
    port: int = Field(ge=1, le=65535)
    cpu: int
    memory: int
    health_check: str
    health_check_grace_period: Duration = Field(ge=0)
    public: bool
    domain: str | None
    scaling: ScalingBlueprint
    environment: dict[str, str]
    secrets: dict[str, str]
    uses: list[str]
    log_retention: Duration = Field(ge=0)
    access_logs: bool
    deletion_protection: bool
    zone: str | None
    certificate: str | None
    waf: bool


ComponentBlueprint = Annotated[
    DatabaseBlueprint | CacheBlueprint | QueueBlueprint | NotificationsBlueprint | ApiBlueprint,
    Field(discriminator="kind"),
]


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

    def of_kind(self, kind: str) -> dict[str, ComponentBlueprint]:
        """The components of one kind, by name, in spec order."""
        return {name: c for name, c in self.components.items() if c.kind == kind}
