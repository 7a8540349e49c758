"""A VPC with public and private subnets across availability zones.

:class:`Network` builds, as children of one component resource:

* ``aws.ec2.Vpc`` with DNS support and DNS hostnames on;
* ``aws.ec2.DefaultSecurityGroup`` that strips every rule from the VPC's default
  security group, so nothing can use it by accident;
* per availability zone, one public and one private ``aws.ec2.Subnet``;
* ``aws.ec2.InternetGateway``, one public ``aws.ec2.RouteTable`` with
  ``0.0.0.0/0`` to it (``aws.ec2.Route``) and an ``aws.ec2.RouteTableAssociation``
  per public subnet;
* NAT (``aws.ec2.Eip`` with ``domain="vpc"`` + ``aws.ec2.NatGateway``) according to
  :attr:`NetworkSettings.nat`:

  - ``"none"``: no NAT; one private route table shared by every private subnet,
    with no default route (private subnets reach only the VPC and S3);
  - ``"single"``: one NAT in the first public subnet; one shared private route
    table with ``0.0.0.0/0`` to it (cheap, but one AZ failure cuts egress);
  - ``"per_az"``: one NAT and one private route table per AZ, each with
    ``0.0.0.0/0`` to the NAT in its own AZ;
* an S3 gateway endpoint (``aws.ec2.VpcEndpoint``, ``com.amazonaws.<region>.s3``)
  on every private route table, so image layers and S3 traffic skip the NAT;
* with :attr:`NetworkSettings.interface_endpoints` (set for ``nat: none`` with
  APIs), one interface ``aws.ec2.VpcEndpoint`` per service
  (``com.amazonaws.<region>.<service>``: ``ecr.api``, ``ecr.dkr``, ``logs``,
  ``secretsmanager`` …) in every private subnet with private DNS on, so the SDKs'
  default endpoints resolve to it, and one ``aws.ec2.SecurityGroup``
  (``<project>-<env>-network-endpoints``) that lets HTTPS (443) in from the VPC
  CIDR and nothing out;
* with :attr:`NetworkSettings.flow_logs`, an ``aws.ec2.FlowLog`` (all traffic) to an
  ``aws.cloudwatch.LogGroup``, delivered by an ``aws.iam.Role`` that only
  ``vpc-flow-logs.amazonaws.com`` of this account may assume and that may only
  write log streams in that one log group.

Subnet CIDR scheme (see :func:`subnet_cidrs`): the VPC CIDR is cut in two halves,
public first, private second. Each half is cut into :data:`SUBNET_SLOTS` (8) equal
blocks, and AZ ``i`` gets block ``i`` of each half. Every subnet is therefore
``/(vpc prefix + 4)``: a ``10.0.0.0/16`` VPC has public subnets ``10.0.0.0/20``,
``10.0.16.0/20`` … and private subnets ``10.0.128.0/20``, ``10.0.144.0/20`` ….
The slot count does not depend on ``azs``, so going from 2 to 3 AZs adds subnets
without renumbering (and so replacing) the existing ones.

Availability zones come from ``aws.get_availability_zones_output`` (state
``available``, zones that need no opt-in, so no Local or Wavelength Zones): the
first ``azs`` names, never hard-coded.

Pulumi registry: https://www.pulumi.com/registry/packages/aws/api-docs/ec2/vpc/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/ec2/subnet/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/ec2/natgateway/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/ec2/vpcendpoint/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/ec2/flowlog/
"""

from __future__ import annotations

import json

import pulumi

from blueprints import aws
from blueprints.base import Component, NetworkAttachment, StackContext
from blueprints.naming import checked_name
from blueprints.network.settings import (
    ENDPOINT_PORT,
    FLOW_LOG_AGGREGATION_INTERVAL,
    NetworkSettings,
    subnet_cidrs,
)


class Network(Component):
    """A VPC with public and private subnets, NAT, an S3 endpoint and optional flow logs.

    Args:
        name: The component's name, e.g. ``"network"``.
        settings: The network's shape.
        context: The project and environment.
        alarm_topic_arn: Accepted for a uniform component signature; a network
            has no alarms.
        opts: Passed to the component resource; children inherit them.

    Attributes:
        vpc: The ``aws.ec2.Vpc``.
        default_security_group: The emptied default security group.
        availability_zones: The AZ names used, in subnet order (``Output[list[str]]``).
        public_subnets: One public ``aws.ec2.Subnet`` per AZ, in AZ order.
        private_subnets: One private ``aws.ec2.Subnet`` per AZ, in AZ order.
        internet_gateway: The ``aws.ec2.InternetGateway``.
        public_route_table: The public ``aws.ec2.RouteTable``.
        private_route_tables: One (``none``, ``single``) or one per AZ (``per_az``).
        eips: The NAT gateways' ``aws.ec2.Eip`` s, in NAT order.
        nat_gateways: 0, 1 or ``azs`` ``aws.ec2.NatGateway`` s.
        s3_endpoint: The S3 gateway ``aws.ec2.VpcEndpoint``.
        endpoint_security_group: The interface endpoints' security group, or ``None``.
        interface_endpoints: The interface ``aws.ec2.VpcEndpoint`` s, by service (``"ecr.api"`` …).
        flow_log, flow_log_group, flow_log_role: The flow-log resources, or ``None``.
        attachment: The :class:`~blueprints.base.NetworkAttachment` other components take.
    """

    KIND = "Network"

    def __init__(
        self,
        name: str,
        settings: NetworkSettings,
        *,
        context: StackContext,
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        public_cidrs, private_cidrs = subnet_cidrs(settings.cidr, settings.azs)
        invoke = pulumi.InvokeOutputOptions(parent=self)

        self.vpc = aws.ec2.Vpc(
            self.logical_name("vpc"),
            cidr_block=settings.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=self.tags(Name=self.physical_name(max_len=255)),
            opts=self.child_opts(),
        )
        self.default_security_group = aws.ec2.DefaultSecurityGroup(
            self.logical_name("default-sg"),
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=self.tags(Name=self.physical_name("default", max_len=255)),
            opts=self.child_opts(),
        )
        self.availability_zones: pulumi.Output[list[str]] = _first_zones(settings.azs, invoke)

        self.public_subnets = self._subnets("public", public_cidrs)
        self.private_subnets = self._subnets("private", private_cidrs)

        self.internet_gateway = aws.ec2.InternetGateway(
            self.logical_name("igw"),
            vpc_id=self.vpc.id,
            tags=self.tags(Name=self.physical_name("igw", max_len=255)),
            opts=self.child_opts(),
        )
        self.public_route_table = self._route_table("public")
        aws.ec2.Route(
            self.logical_name("public-default"),
            route_table_id=self.public_route_table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=self.internet_gateway.id,
            opts=self.child_opts(),
        )
        for i, subnet in enumerate(self.public_subnets):
            self._associate(f"public-{i}", subnet, self.public_route_table)

        self.eips: list[aws.ec2.Eip] = []
        self.nat_gateways: list[aws.ec2.NatGateway] = []
        nat_count = {"none": 0, "single": 1, "per_az": settings.azs}[settings.nat]
        for i in range(nat_count):
            self._nat_gateway(i)

        self.private_route_tables = self._private_route_tables()
        self.s3_endpoint = self._s3_endpoint(invoke)
        self.endpoint_security_group: aws.ec2.SecurityGroup | None = None
        self.interface_endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        if settings.interface_endpoints:
            self._interface_endpoints(invoke)

        self.flow_log_group: aws.cloudwatch.LogGroup | None = None
        self.flow_log_role: aws.iam.Role | None = None
        self.flow_log: aws.ec2.FlowLog | None = None
        if settings.flow_logs:
            self._flow_logs(invoke)

        self.attachment = NetworkAttachment(
            vpc_id=self.vpc.id,
            vpc_cidr=self.vpc.cidr_block,
            availability_zones=self.availability_zones,
            public_subnet_ids=[s.id for s in self.public_subnets],
            private_subnet_ids=[s.id for s in self.private_subnets],
        )
        self.register_outputs({
            "vpcId": self.vpc.id,
            "availabilityZones": self.availability_zones,
            "publicSubnetIds": [s.id for s in self.public_subnets],
            "privateSubnetIds": [s.id for s in self.private_subnets],
            "natGatewayIds": [n.id for n in self.nat_gateways],
        })

    # -- pieces ---------------------------------------------------------------------
    def _subnets(self, tier: str, cidrs: list[str]) -> list[aws.ec2.Subnet]:
        subnets = []
        for i, cidr in enumerate(cidrs):
            subnets.append(aws.ec2.Subnet(
                self.logical_name(f"{tier}-{i}"),
                vpc_id=self.vpc.id,
                cidr_block=cidr,
                availability_zone=self.availability_zones.apply(lambda names, i=i: names[i]),
                map_public_ip_on_launch=False,
                tags=self.tags(Name=self.physical_name(f"{tier}-{i}", max_len=255),
                               **{"scaffold:tier": tier}),
                opts=self.child_opts(),
            ))
        return subnets

    def _route_table(self, suffix: str) -> aws.ec2.RouteTable:
        return aws.ec2.RouteTable(
            self.logical_name(f"rt-{suffix}"),
            vpc_id=self.vpc.id,
            tags=self.tags(Name=self.physical_name(f"rt-{suffix}", max_len=255)),
            opts=self.child_opts(),
        )

    def _associate(self, suffix: str, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable) -> None:
        aws.ec2.RouteTableAssociation(
            self.logical_name(f"rta-{suffix}"),
            subnet_id=subnet.id,
            route_table_id=table.id,
            opts=self.child_opts(),
        )

    def _nat_gateway(self, i: int) -> None:
        eip = aws.ec2.Eip(
            self.logical_name(f"nat-eip-{i}"),
            domain="vpc",
            tags=self.tags(Name=self.physical_name(f"nat-{i}", max_len=255)),
            opts=self.child_opts(depends_on=[self.internet_gateway]),
        )
        nat = aws.ec2.NatGateway(
            self.logical_name(f"nat-{i}"),
            allocation_id=eip.id,
            subnet_id=self.public_subnets[i].id,
            tags=self.tags(Name=self.physical_name(f"nat-{i}", max_len=255)),
            opts=self.child_opts(depends_on=[self.internet_gateway]),
        )
        self.eips.append(eip)
        self.nat_gateways.append(nat)

    def _private_route_tables(self) -> list[aws.ec2.RouteTable]:
        """``per_az``: one table per AZ to its own NAT; otherwise one table for all."""
        per_az = self.settings.nat == "per_az"
        tables: list[aws.ec2.RouteTable] = []
        for i, subnet in enumerate(self.private_subnets):
            if per_az or not tables:
                table = self._route_table(f"private-{i}" if per_az else "private")
                tables.append(table)
                if self.nat_gateways:
                    aws.ec2.Route(
                        self.logical_name(f"private-default-{i}" if per_az else "private-default"),
                        route_table_id=table.id,
                        destination_cidr_block="0.0.0.0/0",
                        nat_gateway_id=self.nat_gateways[i].id,
                        opts=self.child_opts(),
                    )
            self._associate(f"private-{i}", subnet, tables[-1])
        return tables

    def _s3_endpoint(self, invoke: pulumi.InvokeOutputOptions) -> aws.ec2.VpcEndpoint:
        region = aws.get_region_output(opts=invoke).region
        return aws.ec2.VpcEndpoint(
            self.logical_name("s3"),
            vpc_id=self.vpc.id,
            service_name=region.apply(lambda r: f"com.amazonaws.{r}.s3"),
            vpc_endpoint_type="Gateway",
            route_table_ids=[t.id for t in self.private_route_tables],
            tags=self.tags(Name=self.physical_name("s3", max_len=255)),
            opts=self.child_opts(),
        )

    def _interface_endpoints(self, invoke: pulumi.InvokeOutputOptions) -> None:
        """One interface endpoint per service, in the private subnets, behind one security group.

        ``private_dns_enabled`` makes ``<service>.<region>.amazonaws.com`` resolve to the
        endpoint inside the VPC (needs the VPC's DNS support and hostnames, both on):
        https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html .
        The security group must allow HTTPS from the clients:
        https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html#create-interface-endpoint-aws
        """
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            self.logical_name("endpoints-sg"),
            name=checked_name("security_group", self.physical_name("endpoints", max_len=255)),
            description="Interface VPC endpoints: HTTPS from the VPC",
            vpc_id=self.vpc.id,
            # No inline egress=[]: the ingress rule below is standalone, and mixing inline and standalone
            # rules makes the provider revoke one or the other; the provider already revokes AWS's default
            # allow-all egress rule at creation (terraform-provider-aws internal/service/ec2/vpc_security_group.go).
            tags=self.tags(Name=self.physical_name("endpoints", max_len=255)),
            opts=self.child_opts(),
        )
        aws.vpc.SecurityGroupIngressRule(
            self.logical_name("endpoints-in-443"),
            security_group_id=self.endpoint_security_group.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=ENDPOINT_PORT,
            to_port=ENDPOINT_PORT,
            cidr_ipv4=self.vpc.cidr_block,
            opts=self.child_opts(),
        )
        region = aws.get_region_output(opts=invoke).region
        for service in self.settings.interface_endpoints:
            self.interface_endpoints[service] = aws.ec2.VpcEndpoint(
                self.logical_name(f"endpoint-{service.replace('.', '-')}"),
                vpc_id=self.vpc.id,
                service_name=region.apply(lambda r, service=service: f"com.amazonaws.{r}.{service}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[s.id for s in self.private_subnets],
                security_group_ids=[self.endpoint_security_group.id],
                tags=self.tags(Name=self.physical_name(f"endpoint-{service}", max_len=255)),
                opts=self.child_opts(),
            )

    def _flow_logs(self, invoke: pulumi.InvokeOutputOptions) -> None:
        self.flow_log_group = aws.cloudwatch.LogGroup(
            self.logical_name("flow-logs"),
            name=checked_name("log_group", f"/aws/vpc-flow-logs/{self.physical_name(max_len=480)}"),
            retention_in_days=self.settings.flow_log_retention_days,
            tags=self.tags(),
            opts=self.child_opts(),
        )
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id
        self.flow_log_role = aws.iam.Role(
            self.logical_name("flow-logs"),
            name=checked_name("iam_role", self.physical_name("flow-logs", max_len=64)),
            assume_role_policy=pulumi.Output.all(partition, region, account).apply(
                lambda a: _flow_log_trust_policy(*a)),
            tags=self.tags(),
            opts=self.child_opts(),
        )
        aws.iam.RolePolicy(
            self.logical_name("flow-logs"),
            role=self.flow_log_role.id,
            policy=self.flow_log_group.arn.apply(_flow_log_write_policy),
            opts=self.child_opts(),
        )
        self.flow_log = aws.ec2.FlowLog(
            self.logical_name("flow-log"),
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=self.flow_log_role.arn,
            max_aggregation_interval=FLOW_LOG_AGGREGATION_INTERVAL,
            tags=self.tags(Name=self.physical_name("flow-log", max_len=255)),
            opts=self.child_opts(),
        )


def _first_zones(count: int, invoke: pulumi.InvokeOutputOptions) -> pulumi.Output[list[str]]:
    """The first ``count`` available, opt-in-free AZ names; fails the deployment if fewer exist."""
    zones = aws.get_availability_zones_output(
        state="available",
        filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status",
                                                    values=["opt-in-not-required"])],
        opts=invoke,
    )

    def first(names: list[str]) -> list[str]:
        if len(names) < count:
            raise ValueError(
                f"the region has {len(names)} available availability zones, "
                f"but the network asks for azs={count}"
            )
        return list(names[:count])

    return zones.names.apply(first)


def _flow_log_trust_policy(partition: str, region: str, account: str) -> str:
    """Only VPC Flow Logs, for flow logs of this account and region, may assume the role."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {
                    "aws:SourceArn": f"arn:{partition}:ec2:{region}:{account}:vpc-flow-log/*",
                },
            },
        }],
    })


def _flow_log_write_policy(log_group_arn: str) -> str:
    """Write (and list) log streams in one log group, nothing else."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [log_group_arn, f"{log_group_arn}:*"],
        }],
    })
