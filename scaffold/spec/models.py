"""The spec's shape: pydantic models of ``scaffold.yaml``, and the source of its JSON Schema.

A field left out (``None``) is filled by the environment's profile when the spec
is resolved into a blueprint (:mod:`scaffold.spec.resolve`). Cross-field rules
(references, Fargate pairs, AZ counts …) live in :mod:`scaffold.spec.rules`.
Field reference: ``docs/spec.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import AfterValidator, ConfigDict, Field

from blueprints.network.settings import MAX_AZS, MIN_AZS
from scaffold.spec.base import PROFILE_NAMES, ProfileName, Resolved, SpecModel  # noqa: F401 (re-exported)
from scaffold.spec.fields import did_you_mean
from scaffold.spec.kinds import KINDS
from scaffold.spec.kinds.api import ApiSpec, ScalingSpec  # noqa: F401 (re-exported)
from scaffold.spec.kinds.cache import CacheSpec  # noqa: F401 (re-exported)
from scaffold.spec.kinds.database import DatabaseSpec, ServerlessSpec  # noqa: F401 (re-exported)
from scaffold.spec.kinds.notifications import NotificationsSpec, SubscriberSpec  # noqa: F401 (re-exported)
from scaffold.spec.kinds.queue import QueueSpec  # noqa: F401 (re-exported)
from scaffold.spec.regions import REGIONS

# Upper bounds: every number of the spec has one, the AWS limit, taken from the component
# settings that check it (and cite its source), so no value can overflow on its way to AWS.
# The component kinds' models are in scaffold.spec.kinds.<kind>.

#: The spec format version this release reads.
SPEC_VERSION = 1

#: Project names: lowercase, start with a letter, 2 to 39 characters.
PROJECT_NAME_PATTERN = r"^[a-z][a-z0-9-]{1,38}$"
#: Component and environment names: they become parts of AWS resource names.
#: (Two hyphens in a row are also refused, by scaffold.spec.rules.)
NAME_PATTERN = r"^[a-z](?:[a-z0-9-]*[a-z0-9])?$"
COMPONENT_NAME_MAX = 32
ENVIRONMENT_NAME_MAX = 16
#: AWS region names such as us-east-1, eu-west-3, ap-southeast-2, us-gov-west-1 (the form;
#: a spec's region must also be one of :data:`scaffold.spec.regions.REGIONS`).
REGION_PATTERN = r"^[a-z]{2,4}(-[a-z]+)+-[0-9]$"


def _known_region(value: str) -> str:
    """``value`` if it is a region pulumi-aws knows; else ``ValueError`` with the nearest one."""
    if value in REGIONS:
        return value
    close = did_you_mean(value, REGIONS)
    if close.startswith("did you mean"):
        raise ValueError(f"unknown AWS region {value!r}; {close}")
    raise ValueError(f"unknown AWS region {value!r}; regions are listed in docs/spec.md (e.g. us-east-1)")

Region = Annotated[str, Field(description="An AWS region, e.g. `us-east-1`.", json_schema_extra={"enum": list(REGIONS)}),
                   AfterValidator(_known_region)]


class NetworkSpec(SpecModel):
    """The VPC every component lives in."""

    azs: int | None = Field(None, ge=MIN_AZS, le=MAX_AZS, description="Availability zones, 2 to 6. Readers and replicas need at least replicas + 1.")
    nat: Literal["none", "single", "per_az"] | None = Field(
        None, description="NAT gateways: `none`, `single` (one, cheap), or `per_az` (one per AZ, survives an AZ outage).")
    cidr: str | None = Field(None, description="The VPC's IPv4 CIDR block, /16 to /24, e.g. `10.20.0.0/16`.")
    flow_logs: bool | None = Field(None, description="Send VPC flow logs to CloudWatch Logs.")


class AlarmsSpec(SpecModel):
    """CloudWatch alarms on every component."""

    enabled: bool | None = Field(None, description="Create alarms. The profile decides when left out (on in staging and production).")
    notify: str | None = Field(None, description="A `notifications` component that receives every alarm.")


def _component_union() -> Any:
    """The discriminated union of every kind's spec model (:mod:`scaffold.spec.kinds`)."""
    return Annotated[Union[tuple(k.spec_model for k in KINDS.values())], Field(discriminator="kind")]  # noqa: UP007


#: One component as written: the spec model of its ``kind``.
if TYPE_CHECKING:  # the kinds are known at run time only
    ComponentSpec = Any
else:
    ComponentSpec = _component_union()

#: Spec model of each component kind.
COMPONENT_MODELS: dict[str, type[SpecModel]] = {name: k.spec_model for name, k in KINDS.items()}


class EnvironmentSpec(SpecModel):
    """One environment: one Pulumi stack, with a profile and overrides."""

    profile: ProfileName = Field(description="Defaults for what the spec leaves out: `dev`, `staging` or `production`.")
    region: Region | None = Field(None, description="Overrides the top-level `region`.")
    backend: str | None = Field(None, description="Overrides the top-level `backend`.")
    network: NetworkSpec | None = Field(None, description="Deep-merged over the top-level `network`.")
    alarms: AlarmsSpec | None = Field(None, description="Deep-merged over the top-level `alarms`.")
    components: dict[str, dict[str, Any]] | None = Field(
        None, description="Per-component overrides, deep-merged over `components`; lists are replaced.")


class Spec(SpecModel):
    """``scaffold.yaml``: one backend, its environments and its components."""

    model_config = ConfigDict(
        extra="forbid", frozen=True,
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
        title="scaffold.yaml",
    )

    scaffold: Literal[1] = Field(description="Spec format version. This release reads `1`.")
    name: str = Field(pattern=PROJECT_NAME_PATTERN, description="Project name: lowercase letters, digits and hyphens, 2 to 39 characters. The Pulumi project.")
    region: Region = Field(description="Default AWS region of every environment, e.g. `us-east-1`.")
    backend: str | None = Field(None, description="Pulumi state backend URL, e.g. `s3://bucket/prefix`. Else `PULUMI_BACKEND_URL`, else local files.")
    secrets_provider: str | None = Field(None, description="Pulumi secrets provider, e.g. `awskms://alias/pulumi?region=us-east-1`. Else a passphrase.")
    network: NetworkSpec | None = Field(None, description="The VPC. The profile fills what is left out.")
    alarms: AlarmsSpec | None = Field(None, description="Alarms and where they are sent.")
    environments: dict[str, EnvironmentSpec] = Field(min_length=1, description="Environments by name; each is one Pulumi stack.")
    components: dict[str, ComponentSpec] = Field(
        default_factory=dict, description="Components by name.")
