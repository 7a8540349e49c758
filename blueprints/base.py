"""What every scaffold component shares: identity, naming, tags and links.

* :class:`StackContext` names the project and environment a component belongs to.
* :class:`Component` is the base :class:`pulumi.ComponentResource`: it derives
  logical names, AWS physical names within length limits, and the three
  ``scaffold:*`` tags that every taggable resource carries.
* :class:`NetworkAttachment` is what a component needs from the network.
* :class:`Link` is what a component offers to an API service that ``uses`` it.

Pulumi docs: https://www.pulumi.com/docs/iac/concepts/resources/components/
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pulumi

from blueprints import aws
from blueprints.constraints import ec2_description
from blueprints.naming import aws_name, env_prefix  # noqa: F401 (re-exported for components)

#: Tag keys put on every taggable resource.
TAG_PROJECT = "scaffold:project"
TAG_ENVIRONMENT = "scaffold:environment"
TAG_COMPONENT = "scaffold:component"

#: Type-token prefix of every scaffold component resource.
TYPE_PREFIX = "scaffold:blueprints"


@dataclass(frozen=True, kw_only=True)
class StackContext:
    """The stack a component is built in.

    Attributes:
        project: The project name (the spec's ``name``), e.g. ``"shop"``.
        environment: The environment, which is also the Pulumi stack name, e.g. ``"prod"``.
    """

    project: str
    environment: str


@dataclass(frozen=True, kw_only=True)
class NetworkAttachment:
    """What a component needs from the network it is placed in.

    Attributes:
        vpc_id: The VPC id (``vpc-…``).
        vpc_cidr: The VPC's IPv4 CIDR block, e.g. ``"10.20.0.0/16"``.
        availability_zones: AZ names, one per subnet pair, in subnet order.
        public_subnet_ids: One public subnet id per AZ, in AZ order.
        private_subnet_ids: One private subnet id per AZ, in AZ order.
    """

    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    availability_zones: pulumi.Input[Sequence[str]]
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]


@dataclass(frozen=True, kw_only=True)
class Link:
    """What a component offers to an API service that ``uses`` it.

    The API turns a link into an ingress rule on ``security_group_id`` from its
    own security group (when both it and ``port`` are set), IAM statements on
    its task role, plain environment variables and ECS secrets.

    Attributes:
        component: The linked component's name, e.g. ``"orders-db"``.
        environment: Plain environment variables, e.g. ``{"ORDERS_DB_HOST": …}``.
        secrets: ECS secrets: variable name -> ``valueFrom`` (a Secrets Manager
            ARN, optionally with a JSON key suffix such as ``:password::``).
        secret_arns: The Secrets Manager ARNs (without key suffix) behind
            ``secrets``; the execution role may read exactly these.
        iam_statements: IAM policy statements (``{"Effect", "Action", "Resource"}``
            dicts) the task role needs, and no more.
        security_group_id: The linked component's security group, if it has one.
        port: The TCP port the API connects to, if any.
    """

    component: str
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secrets: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secret_arns: Sequence[pulumi.Input[str]] = ()
    iam_statements: Sequence[Mapping[str, Any]] = ()
    security_group_id: pulumi.Input[str] | None = None
    port: int | None = None


class Component(pulumi.ComponentResource):
    """Base class of every scaffold component resource.

    Subclasses set ``KIND`` (``"Database"``, ``"Queue"`` …); the type token is
    ``scaffold:blueprints:<KIND>`` and the component's logical name is its
    spec name, e.g. ``orders-db``.

    Args:
        name: The component's name, e.g. ``"orders-db"``; also its logical name.
        context: The project and environment.
        opts: Passed through to :class:`pulumi.ComponentResource` (providers,
            protect, aliases …). Children inherit them through ``parent``.
    """

    KIND: ClassVar[str] = "Component"

    def __init__(
        self,
        name: str,
        *,
        context: StackContext,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TYPE_PREFIX}:{self.KIND}", name, None, opts)
        self.component_name = name
        self.context = context

    def child_opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """Resource options for a child: ``parent=self`` plus ``kwargs``."""
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def logical_name(self, suffix: str) -> str:
        """A child's logical (Pulumi) name: ``<component>-<suffix>``."""
        return f"{self.component_name}-{suffix}"

    def physical_name(self, suffix: str = "", *, max_len: int = 63) -> str:
        """A child's AWS name: ``<project>-<environment>-<component>[-<suffix>]``, within ``max_len``."""
        return aws_name(
            self.context.project, self.context.environment, self.component_name, suffix,
            max_len=max_len,
        )

    def linked_security_group(self, vpc_id: pulumi.Input[str], description: str) -> Any:
        """A security group with no rules: ingress is added per API that uses this component.

        No egress either: a database or cache answers connections and opens none of its own.
        The group sets no inline ``ingress``/``egress`` (links add standalone rules, which inline
        rules would revoke); the provider removes AWS's default allow-all egress rule when it
        creates the group (terraform-provider-aws internal/service/ec2/vpc_security_group.go,
        resourceSecurityGroupCreate). Becomes ``aws.ec2.SecurityGroup`` ``<component>-sg``:
        https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/
        ``description`` goes through :func:`blueprints.constraints.ec2_description`
        (EC2's description charset, at most 255 characters).
        """
        return aws.ec2.SecurityGroup(
            self.logical_name("sg"),
            name=self.physical_name("sg", max_len=255),
            description=ec2_description(description),
            vpc_id=vpc_id,
            tags=self.tags(),
            opts=self.child_opts(),
        )

    def tags(self, **extra: str) -> dict[str, str]:
        """The ``scaffold:*`` tags for a child resource, plus ``extra`` (e.g. ``Name=…``)."""
        return {
            TAG_PROJECT: self.context.project,
            TAG_ENVIRONMENT: self.context.environment,
            TAG_COMPONENT: self.component_name,
            **extra,
        }
