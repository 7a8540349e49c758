"""The spec's shape: pydantic models of ``scaffold.yaml``, and the source of its JSON Schema.

A field left out (``None``) is filled by the environment's profile when the spec
is resolved into a blueprint (:mod:`scaffold.spec.resolve`). Cross-field rules
(references, Fargate pairs, AZ counts …) live in :mod:`scaffold.spec.rules`.
Field reference: ``docs/spec.md``.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from blueprints.api.settings import (
    FARGATE_MEMORY,
    HEALTH_CHECK_PATTERN,
    LOG_RETENTION_DAYS,
    MAX_HEALTH_CHECK_GRACE_PERIOD,
    MAX_HEALTH_CHECK_PATH,
    MAX_SCALING_TARGET,
    MAX_TASKS,
)
from blueprints.cache.settings import MAX_REPLICAS as MAX_CACHE_REPLICAS
from blueprints.cache.settings import MAX_SNAPSHOT_RETENTION_DAYS
from blueprints.database.settings import (
    DATABASE_NAME_PATTERN,
    MAX_BACKUP_RETENTION_DAYS,
    MAX_SERVERLESS_ACU,
    MIN_SERVERLESS_ACU,
)
from blueprints.database.settings import MAX_REPLICAS as MAX_DATABASE_REPLICAS
from blueprints.network.settings import MAX_AZS, MIN_AZS
from blueprints.notifications.settings import EMAIL_PATTERN, HTTPS_PATTERN, SMS_PATTERN
from blueprints.queue.settings import MAX_MAX_RECEIVES, MAX_RETENTION, MAX_VISIBILITY_TIMEOUT
from scaffold.spec.fields import did_you_mean, members
from scaffold.spec.regions import REGIONS
from scaffold.spec.units import UNIT_SECONDS, Duration

# Upper bounds: every number of the spec has one, the AWS limit, taken from the component
# settings that check it (and cite its source), so no value can overflow on its way to AWS.
_DAY = UNIT_SECONDS["d"]

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

ProfileName = Literal["dev", "staging", "production"]
ComponentKind = Literal["database", "cache", "queue", "notifications", "api"]
Region = Annotated[str, Field(description="An AWS region, e.g. `us-east-1`.", json_schema_extra={"enum": list(REGIONS)}),
                   AfterValidator(_known_region)]


class _BooleanValue:
    """A YAML boolean where a number belongs: no validator accepts it, and it prints as written."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"{str(self.value).lower()} (a boolean)"


def _numeric(annotation: Any) -> bool:
    """Whether a field takes numbers (``int``, ``float``, ``Literal[1]``) and not booleans."""
    kinds = members(annotation)
    return bool not in kinds and any(
        k in (int, float) or (typing.get_origin(k) is Literal and any(type(a) is int for a in typing.get_args(k)))
        for k in kinds)


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors, and models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        """``true``/``false`` are booleans, never numbers: pydantic would read ``true`` as 1.

        A boolean given to a numeric field is swapped for a :class:`_BooleanValue`, which
        the field then refuses ("expected a valid integer, got true (a boolean)").
        """
        if not isinstance(data, dict):
            return data
        swapped = {}
        for name, value in data.items():
            info = cls.model_fields.get(name) if isinstance(name, str) else None
            if isinstance(value, bool) and info is not None and _numeric(info.annotation):
                value = _BooleanValue(value)
            swapped[name] = value
        return swapped


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


class ServerlessSpec(SpecModel):
    """Aurora Serverless v2 capacity, in Aurora capacity units (ACU)."""

    min: float = Field(ge=MIN_SERVERLESS_ACU, le=MAX_SERVERLESS_ACU, multiple_of=0.5, description="Minimum capacity in ACU, 0 to 256 in steps of 0.5.")
    max: float = Field(ge=1, le=MAX_SERVERLESS_ACU, multiple_of=0.5, description="Maximum capacity in ACU, 1 to 256 in steps of 0.5.")


class DatabaseSpec(SpecModel):
    """An Amazon Aurora cluster (PostgreSQL or MySQL) with a writer and readers."""

    kind: Literal["database"] = Field(description="`database`: an Amazon Aurora cluster.")
    engine: Literal["postgres", "mysql"] | None = Field(None, description="Aurora engine: `postgres` or `mysql`.")
    version: str | None = Field(None, description='Engine version, e.g. `"16.4"` (PostgreSQL) or `"8.0.mysql_aurora.3.08.0"` (MySQL). Quote it so YAML keeps it a string.')
    instance: str | None = Field(None, pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$",
                                 description="Instance class, e.g. `db.r6g.large`. Leave out with `serverless`.")
    serverless: ServerlessSpec | None = Field(None, description="Aurora Serverless v2 capacity in ACU, instead of `instance`.")
    replicas: int | None = Field(None, ge=0, le=MAX_DATABASE_REPLICAS, description="Readers, each in another AZ. 1 or more gives automatic failover.")
    backup_retention: Duration | None = Field(None, le=MAX_BACKUP_RETENTION_DAYS * _DAY,
                                              description="How long automated backups are kept: whole days, 1d to 35d.")
    database: str | None = Field(None, pattern=DATABASE_NAME_PATTERN, description="Name of the database created in the cluster.")
    deletion_protection: bool | None = Field(None, description="Refuse to delete the cluster until this is turned off.")
    final_snapshot: bool | None = Field(None, description="Take a final snapshot when the cluster is deleted (its name ends with a random suffix).")
    proxy: bool | None = Field(None, description="Connect apps through an RDS Proxy with IAM authentication: pooled connections, "
                               "faster failover, and no password in the app, so rotation never breaks it. On in staging and production.")
    performance_insights: bool | None = Field(None, description="Performance Insights on every instance, 7 days (free tier). On in production.")
    monitoring_interval: Duration | None = Field(None, description="Enhanced Monitoring interval: `0` (off), `1s`, `5s`, `10s`, `15s`, `30s` or `60s`. "
                                                 "`60s` in production.")
    allow_replacement: bool | None = Field(None, description="Allow a change that replaces the cluster (and loses its data) in a production "
                                           "environment; see `scaffold validate --against`.")


class CacheSpec(SpecModel):
    """An ElastiCache replication group (Redis OSS or Valkey)."""

    kind: Literal["cache"] = Field(description="`cache`: an ElastiCache replication group.")
    engine: Literal["redis", "valkey"] | None = Field(None, description="`redis` or `valkey`.")
    version: str | None = Field(None, description='Engine version as `major.minor`, e.g. `"7.1"` (Redis OSS) or `"8.0"` (Valkey); not `"7.1.0"`.')
    node: str | None = Field(None, pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$", description="Node type, e.g. `cache.r7g.large`.")
    replicas: int | None = Field(None, ge=0, le=MAX_CACHE_REPLICAS, description="Replicas, each in another AZ. 1 or more gives automatic failover and Multi-AZ.")
    snapshot_retention: Duration | None = Field(None, le=MAX_SNAPSHOT_RETENTION_DAYS * _DAY,
                                                description="How long daily snapshots are kept: whole days, 0d to 35d.")
    allow_replacement: bool | None = Field(None, description="Allow a change that replaces the replication group (and loses its data) in a "
                                           "production environment; see `scaffold validate --against`.")


class QueueSpec(SpecModel):
    """An SQS queue with its dead-letter queue."""

    kind: Literal["queue"] = Field(description="`queue`: an SQS queue with a dead-letter queue.")
    fifo: bool | None = Field(None, description="First-in-first-out with exactly-once processing.")
    content_based_deduplication: bool | None = Field(None, description="FIFO only: deduplicate by a hash of the body.")
    visibility_timeout: Duration | None = Field(None, le=MAX_VISIBILITY_TIMEOUT,
                                                description="How long a received message stays hidden: 0s to 12h.")
    retention: Duration | None = Field(None, le=MAX_RETENTION, description="How long a message is kept: 1m to 14d.")
    max_receives: int | None = Field(None, ge=1, le=MAX_MAX_RECEIVES, description="Receives before a message moves to the dead-letter queue, 1 to 1000.")


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


class ScalingSpec(SpecModel):
    """Target-tracking autoscaling of the service's task count."""

    min: int | None = Field(None, ge=1, le=MAX_TASKS, description="Fewest running tasks; also the service's desired count. At most 5000.")
    max: int | None = Field(None, ge=1, le=MAX_TASKS, description="Most running tasks, at most 5000 (ECS tasks per service).")
    cpu: int | None = Field(None, ge=1, le=100, description="Target average CPU, percent.")
    memory: int | None = Field(None, ge=1, le=100, description="Target average memory, percent. Leave out to not scale on memory.")
    requests: int | None = Field(None, ge=1, le=MAX_SCALING_TARGET,
                                 description="Target ALB requests per task per minute. Leave out to not scale on requests.")


class ApiSpec(SpecModel):
    """A container service on ECS Fargate behind an Application Load Balancer."""

    kind: Literal["api"] = Field(description="`api`: an ECS Fargate service behind a load balancer.")
    image: str = Field(min_length=1, description="Container image, e.g. `ghcr.io/acme/shop-api:1.4.2`.")
    port: int | None = Field(None, ge=1, le=65535, description="The container port the service listens on.")
    cpu: int | None = Field(None, ge=min(FARGATE_MEMORY), le=max(FARGATE_MEMORY),
                            description="Fargate CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.")
    memory: int | None = Field(None, ge=512, le=max(high for _, high, _ in FARGATE_MEMORY.values()),
                               description="Memory in MiB, a size Fargate accepts for `cpu`.")
    health_check: str | None = Field(None, pattern=HEALTH_CHECK_PATTERN, max_length=MAX_HEALTH_CHECK_PATH,
                                     description="The path the load balancer checks, e.g. `/healthz`.")
    health_check_grace_period: Duration | None = Field(None, le=MAX_HEALTH_CHECK_GRACE_PERIOD,
                                                       description="Time a new task gets before health checks count.")
    public: bool | None = Field(None, description="Internet-facing load balancer; otherwise internal to the VPC.")
    domain: str | None = Field(None, max_length=253, pattern=r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                               description="Serve HTTPS on this name: an ACM certificate validated in Route 53 "
                                           "and an alias record to the load balancer; HTTP redirects to HTTPS. "
                                           "Required for a public API in production (or `certificate`).")
    zone: str | None = Field(None, max_length=253, pattern=r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
                             description="The Route 53 public hosted zone that holds `domain`, e.g. `example.com`. "
                                         "Default: the domain minus its first label when it has 3 or more labels "
                                         "(`api.example.com` -> `example.com`), else the domain itself.")
    certificate: str | None = Field(None, description="ARN of an issued ACM certificate in the environment's region, "
                                    "for DNS hosted outside Route 53: no certificate is requested and no DNS record "
                                    "created; point your domain (CNAME) at the exported `load_balancer_dns`.")
    waf: bool | None = Field(None, description="AWS WAF on a public load balancer: AWS managed common and "
                             "known-bad-inputs rules and a per-IP rate limit. On in production.")
    scaling: ScalingSpec | None = Field(None, description="Autoscaling range and targets.")
    environment: dict[str, str] | None = Field(None, description="Plain environment variables. Never put secrets here.")
    secrets: dict[str, str] | None = Field(None, description="Environment variables read from Secrets Manager or SSM: name -> ARN.")
    uses: list[str] | None = Field(None, description="Components this service uses: network access, IAM and settings are linked in.")
    log_retention: Duration | None = Field(None, le=max(LOG_RETENTION_DAYS) * _DAY,
                                           description="How long container logs are kept: whole days CloudWatch "
                                           "Logs accepts (1d, 3d, 5d, 7d, 14d, 30d … 3653d).")
    access_logs: bool | None = Field(None, description="Write load balancer access logs to an S3 bucket.")
    deletion_protection: bool | None = Field(None, description="Refuse to delete the load balancer until this is turned off.")


ComponentSpec = Annotated[
    DatabaseSpec | CacheSpec | QueueSpec | NotificationsSpec | ApiSpec,
    Field(discriminator="kind"),
]

#: Spec model of each component kind.
COMPONENT_MODELS: dict[str, type[SpecModel]] = {
    "database": DatabaseSpec,
    "cache": CacheSpec,
    "queue": QueueSpec,
    "notifications": NotificationsSpec,
    "api": ApiSpec,
}


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
    components: dict[str, ComponentSpec] = Field(default_factory=dict, description="Components by name.")
