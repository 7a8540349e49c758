"""The ``api`` kind: a container service on ECS Fargate behind an Application Load Balancer.

Component: :class:`blueprints.api.Api`; wiring: :mod:`stacks.kinds.api`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from blueprints.api.settings import (
    HEALTH_CHECK_PATTERN,
    MAX_HEALTH_CHECK_GRACE_PERIOD,
    MAX_HEALTH_CHECK_PATH,
    MAX_SCALING_TARGET,
    MAX_TASKS,
)
from scaffold.spec import container
from scaffold.spec.base import Resolved, SpecModel
from scaffold.spec.findings import Finding
from scaffold.spec.kinds import Kind
from scaffold.spec.units import DAY, Duration

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.source import FieldPath

#: A DNS name as ACM and Route 53 take it (lowercase labels of at most 63 characters).
DOMAIN_PATTERN = r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"


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
    image: str = container.image()
    command: list[str] | None = container.command()
    port: int | None = Field(None, ge=1, le=65535, description="The container port the service listens on.")
    cpu: int | None = container.cpu()
    memory: int | None = container.memory()
    health_check: str | None = Field(None, pattern=HEALTH_CHECK_PATTERN, max_length=MAX_HEALTH_CHECK_PATH,
                                     description="The path the load balancer checks, e.g. `/healthz`.")
    health_check_grace_period: Duration | None = Field(None, le=MAX_HEALTH_CHECK_GRACE_PERIOD,
                                                       description="Time a new task gets before health checks count.")
    public: bool | None = Field(None, description="Internet-facing load balancer; otherwise internal to the VPC.")
    domain: str | None = Field(None, max_length=253, pattern=DOMAIN_PATTERN,
                               description="Serve HTTPS on this name: an ACM certificate validated in Route 53 "
                                           "and an alias record to the load balancer; HTTP redirects to HTTPS. "
                                           "Required for a public API in production (or `certificate`).")
    zone: str | None = Field(None, max_length=253, pattern=DOMAIN_PATTERN,
                             description="The Route 53 public hosted zone that holds `domain`, e.g. `example.com`. "
                                         "Default: the domain minus its first label when it has 3 or more labels "
                                         "(`api.example.com` -> `example.com`), else the domain itself.")
    certificate: str | None = Field(None, description="ARN of an issued ACM certificate in the environment's region, "
                                    "for DNS hosted outside Route 53: no certificate is requested and no DNS record "
                                    "created; point your domain (CNAME) at the exported `load_balancer_dns`.")
    waf: bool | None = Field(None, description="AWS WAF on a public load balancer: AWS managed common and "
                             "known-bad-inputs rules and a per-IP rate limit. On in production.")
    scaling: ScalingSpec | None = Field(None, description="Autoscaling range and targets.")
    environment: dict[str, str] | None = container.environment()
    secrets: dict[str, str] | None = container.secrets()
    uses: list[str] | None = container.uses()
    log_retention: Duration | None = container.log_retention()
    access_logs: bool | None = Field(None, description="Write load balancer access logs to an S3 bucket.")
    deletion_protection: bool | None = Field(None, description="Refuse to delete the load balancer until this is turned off.")


class ScalingBlueprint(Resolved):
    min: int = Field(ge=1)  # upper bounds: the spec's fields and ScalingSettings
    max: int = Field(ge=1)
    cpu: int | None = Field(ge=1, le=100)
    memory: int | None = Field(ge=1, le=100)
    requests: int | None = Field(ge=1)


class ApiBlueprint(Resolved):
    kind: Literal["api"]
    image: str
    command: list[str] | None
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


def _profile(**changes: Any) -> dict[str, Any]:
    return {
        "command": None, "port": 8080, "cpu": 256, "memory": 512, "health_check": "/",
        "health_check_grace_period": 60, "public": True, "domain": None,
        "scaling": {"min": 1, "max": 2, "cpu": 60, "memory": None, "requests": None},
        "environment": {}, "secrets": {}, "uses": [],
        "log_retention": 7 * DAY, "access_logs": False, "deletion_protection": False,
        "zone": None, "certificate": None, "waf": False,
        **changes,
    }


PROFILES = {
    "dev": _profile(),
    "staging": _profile(scaling={"min": 1, "max": 4, "cpu": 60, "memory": None, "requests": None},
                        log_retention=14 * DAY),
    "production": _profile(cpu=512, memory=1024,
                           scaling={"min": 2, "max": 10, "cpu": 60, "memory": None, "requests": None},
                           log_retention=30 * DAY, access_logs=True, deletion_protection=True, waf=True),
}


def component_rules(components: Mapping[str, Any], name: str, c: ApiSpec) -> Iterator[Finding]:
    """``waf: true`` written on an internal API has no effect (a warning)."""
    if c.waf and c.public is False:
        # Written waf: true (not the production profile's default) on an internal API:
        # the component attaches a web ACL only to an internet-facing ALB (blueprints.api.waf).
        yield Finding(("components", name, "waf"),
                      "has no effect: no web ACL is created for an internal load balancer "
                      "(public: false), which only the VPC can reach",
                      "remove waf, or set public: true to put AWS WAF in front of an "
                      "internet-facing load balancer", warning=True)


def blueprint_rules(bp: Blueprint, base: FieldPath, c: ApiBlueprint) -> Iterator[Finding]:
    """At least one scaling target, and the front door (:func:`front_door_rules`)."""
    if c.scaling.cpu is None and c.scaling.memory is None and c.scaling.requests is None:
        yield Finding((*base, "scaling"), "needs at least one target: cpu, memory or requests",
                      "add cpu: 60")
    yield from front_door_rules(bp, base, c)


def front_door_rules(bp: Blueprint, base: FieldPath, c: ApiBlueprint) -> Iterator[Finding]:
    """HTTPS for public APIs, and the ``domain``/``zone``/``certificate`` combination.

    * A public API without ``domain`` or ``certificate`` serves plain HTTP: an error in
      the production profile, a warning in dev and staging. Internal APIs (``public:
      false``) may use HTTP anywhere.
    * A ``certificate`` must be in the environment's region
      (:func:`blueprints.api.settings.certificate_region_problems`; the ARN's form, ``zone``
      and ``domain`` are the component's own checks, run by ``stacks.settings.component_problems``).
    """
    from blueprints.api.settings import certificate_region_problems  # pulumi-free

    if c.public and not (c.domain or c.certificate):
        # An override that sets public: true (or clears certificate) is where the problem is made.
        causes: tuple[FieldPath, ...] = ((*base, "public"), (*base, "certificate"))
        if bp.profile == "production":
            yield Finding((*base, "domain"),
                          "a public API in production must serve HTTPS, but it has no domain or certificate",
                          "add domain: api.example.com (a name in a Route 53 zone of this account), "
                          "or certificate: <ACM certificate ARN>, or set public: false", causes=causes)
        else:
            yield Finding((*base, "domain"),
                          f"serves plain HTTP: traffic to this public API in {bp.environment!r} is not encrypted",
                          "add domain: api.example.com for HTTPS; the production profile requires it",
                          warning=True, causes=causes)
    for problem in certificate_region_problems(c.certificate, bp.region):
        yield Finding((*base, problem.field), problem.message, problem.hint)


KIND = Kind(
    name="api",
    spec_model=ApiSpec,
    blueprint_model=ApiBlueprint,
    profiles=PROFILES,
    doc_models=(("components.NAME (kind: api)", ApiSpec), ("components.NAME.scaling", ScalingSpec)),
    duration_fields=frozenset({"log_retention", "health_check_grace_period"}),
    runs_container=True,
    summary="an HTTP service on ECS Fargate behind a load balancer, with autoscaling",
    component_rules=component_rules,
    blueprint_rules=blueprint_rules,
)
