"""Who may talk to whom: the ALB and service security groups and the links' network access.

Every rule is its own ``aws.vpc.SecurityGroupIngressRule`` / ``EgressRule``
resource; the groups themselves have no inline rules (mixing both makes the
provider fight over them).

* ALB group: ingress from ``0.0.0.0/0`` (public) or from the VPC CIDR (internal)
  on the ports a listener uses: 80 only without TLS; 80 (the redirect) and 443 with a
  ``domain`` or a ``certificate``. No port is open that nothing listens on. Egress
  only to the service group on the container port.
* Service group: ingress only from the ALB group on the container port; egress
  to anywhere (image pulls, Secrets Manager, the linked components, third-party APIs).
* For each link with a security group and a port: an ingress rule on the
  *linked component's* group from the service group on that port.

The service group, its egress and the link rules come from
:func:`build_task_security_group`, which a worker (no load balancer, so no ingress
at all) uses too.

Every group and rule description goes through
:func:`blueprints.constraints.ec2_description`: EC2 accepts only ``a-zA-Z0-9``,
spaces and ``._-:/()#,@[]+=&;{}!$*`` (a ``>`` in ``"api -> orders-db"`` fails the
deploy), at most 255 characters.

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/vpc/securitygroupingressrule/
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from blueprints import aws
from blueprints.api.settings import ApiSettings
from blueprints.base import Component, Link, NetworkAttachment
from blueprints.constraints import ec2_description

#: CIDR of "anywhere" on IPv4.
ANYWHERE = "0.0.0.0/0"
#: Ports the ALB listens on.
HTTP_PORT = 80
HTTPS_PORT = 443


def listener_ports(settings: ApiSettings) -> tuple[int, ...]:
    """The ports the load balancer listens on: ``(80,)`` without TLS, ``(80, 443)`` with it."""
    return (HTTP_PORT, HTTPS_PORT) if settings.tls else (HTTP_PORT,)


@dataclass(frozen=True)
class SecurityGroups:
    """The groups and rules :func:`build_security_groups` created.

    Attributes:
        service: The tasks' security group.
        alb: The load balancer's security group.
        link_rules: Ingress rules on linked components' groups, by component name.
    """

    service: aws.ec2.SecurityGroup
    alb: aws.ec2.SecurityGroup
    link_rules: dict[str, aws.vpc.SecurityGroupIngressRule]


def build_security_groups(
    owner: Component, settings: ApiSettings, network: NetworkAttachment, links: Sequence[Link],
) -> SecurityGroups:
    """Create both security groups, their rules and the links' ingress rules under ``owner``."""
    def rule(kind: type, suffix: str, *, description: str, **kwargs: object) -> None:
        kind(owner.logical_name(suffix), ip_protocol="tcp", description=ec2_description(description),
             tags=owner.tags(), opts=owner.child_opts(), **kwargs)

    alb = aws.ec2.SecurityGroup(
        owner.logical_name("alb-sg"),
        description=ec2_description(f"Load balancer of {owner.component_name}"),
        vpc_id=network.vpc_id,
        tags=owner.tags(Name=owner.physical_name("alb")),
        opts=owner.child_opts(),
    )
    service, link_rules = build_task_security_group(owner, network, links)
    source = ANYWHERE if settings.public else network.vpc_cidr
    for port in listener_ports(settings):
        rule(aws.vpc.SecurityGroupIngressRule, f"alb-in-{port}", security_group_id=alb.id,
             cidr_ipv4=source, from_port=port, to_port=port,
             description=f"HTTP{'S' if port == HTTPS_PORT else ''} from "
                         f"{'the internet' if settings.public else 'the VPC'}")
    rule(aws.vpc.SecurityGroupEgressRule, f"alb-out-{settings.port}", security_group_id=alb.id,
         referenced_security_group_id=service.id, from_port=settings.port, to_port=settings.port,
         description="To the tasks")
    rule(aws.vpc.SecurityGroupIngressRule, f"service-in-{settings.port}",
         security_group_id=service.id, referenced_security_group_id=alb.id,
         from_port=settings.port, to_port=settings.port, description="From the load balancer")
    return SecurityGroups(service=service, alb=alb, link_rules=link_rules)


def build_task_security_group(
    owner: Component, network: NetworkAttachment, links: Sequence[Link],
) -> tuple[aws.ec2.SecurityGroup, dict[str, aws.vpc.SecurityGroupIngressRule]]:
    """The tasks' security group of an API or worker, under ``owner``, with **no ingress rule**
    (an API adds the one from its load balancer; a worker has none), egress to anywhere, and
    each link's network access.

    Creates ``aws.ec2.SecurityGroup`` ``<owner>-service-sg`` (no inline rules), its
    ``aws.vpc.SecurityGroupEgressRule`` ``<owner>-service-out`` (all protocols to ``0.0.0.0/0``:
    image pulls, AWS APIs, linked components, external services) and, for each link with a
    security group and a port, an ``aws.vpc.SecurityGroupIngressRule`` ``<owner>-to-<component>``
    on the *linked* group from this one on that port.

    Returns:
        ``(group, {linked component: ingress rule})``.
    """
    service = aws.ec2.SecurityGroup(
        owner.logical_name("service-sg"),
        description=ec2_description(f"Tasks of {owner.component_name}"),
        vpc_id=network.vpc_id,
        tags=owner.tags(Name=owner.physical_name("service")),
        opts=owner.child_opts(),
    )
    aws.vpc.SecurityGroupEgressRule(
        owner.logical_name("service-out"),
        security_group_id=service.id, ip_protocol="-1", cidr_ipv4=ANYWHERE,
        description=ec2_description("Images, AWS APIs, linked components and external services"),
        tags=owner.tags(), opts=owner.child_opts(),
    )

    link_rules: dict[str, aws.vpc.SecurityGroupIngressRule] = {}
    for link in links:
        if link.security_group_id is None or link.port is None:
            continue
        link_rules[link.component] = aws.vpc.SecurityGroupIngressRule(
            owner.logical_name(f"to-{link.component}"),
            security_group_id=link.security_group_id,
            referenced_security_group_id=service.id,
            ip_protocol="tcp", from_port=link.port, to_port=link.port,
            description=ec2_description(f"From {owner.component_name} to {link.component}"),
            tags=owner.tags(),
            opts=owner.child_opts(),
        )
    return service, link_rules
