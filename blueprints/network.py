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

import ipaddress
import json
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from blueprints.base import Component, NetworkAttachment, StackContext

#: Default number of availability zones.
DEFAULT_AZS = 2
#: Fewest and most availability zones a network may span.
MIN_AZS = 2
MAX_AZS = 6
#: Default NAT layout.
DEFAULT_NAT = "single"
#: Default VPC CIDR block (65,536 addresses).
DEFAULT_CIDR = "10.0.0.0/16"
#: Default retention of VPC flow logs, in days.
DEFAULT_FLOW_LOG_RETENTION_DAYS = 30  # days
#: Subnet blocks per half of the VPC CIDR; a power of two >= MAX_AZS.
SUBNET_SLOTS = 8
#: Extra prefix bits of each subnet over the VPC: one for the half, three for the 8 slots.
SUBNET_EXTRA_BITS = 4
#: AWS accepts VPC CIDR blocks from /16 to /28, and subnets no smaller than /28.
AWS_MIN_VPC_PREFIX = 16
AWS_MAX_SUBNET_PREFIX = 28
#: Flow-log aggregation interval, in seconds (60 or 600).
FLOW_LOG_AGGREGATION_INTERVAL = 60  # seconds
#: Retention periods CloudWatch Logs accepts, in days.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731,
                      1096, 1827, 2192, 2557, 2922, 3288, 3653)

NatMode = Literal["none", "single", "per_az"]
_NAT_MODES = ("none", "single", "per_az")


@dataclass(frozen=True, kw_only=True)
class NetworkSettings:
    """How a :class:`Network` is shaped.

    Attributes:
        azs: Availability zones to span, ``2``..``6``.
        nat: ``"none"``, ``"single"`` or ``"per_az"`` (see the module docstring).
        cidr: The VPC's IPv4 CIDR block, ``/16``..``/24`` (each subnet is 4 bits smaller).
        flow_logs: Send VPC flow logs (all traffic) to CloudWatch Logs.
        flow_log_retention_days: Flow-log retention in days; one of CloudWatch's
            accepted values (1, 3, 5, 7, 14, 30, 60, 90 …).

    Raises:
        ValueError: ``azs`` out of range, an unknown ``nat``, a ``cidr`` that is not
            an IPv4 network or is too large or too small to split, or a retention
            CloudWatch does not accept.
    """

    azs: int = DEFAULT_AZS
    nat: NatMode = DEFAULT_NAT
    cidr: str = DEFAULT_CIDR
    flow_logs: bool = False
    flow_log_retention_days: int = DEFAULT_FLOW_LOG_RETENTION_DAYS

    def __post_init__(self) -> None:
        if not MIN_AZS <= self.azs <= MAX_AZS:
            raise ValueError(f"azs must be between {MIN_AZS} and {MAX_AZS}, got {self.azs}")
        if self.nat not in _NAT_MODES:
            raise ValueError(f"nat must be one of {', '.join(_NAT_MODES)}, got {self.nat!r}")
        subnet_cidrs(self.cidr, self.azs)  # raises ValueError for a bad CIDR
        if self.flow_log_retention_days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"flow_log_retention_days must be one of {LOG_RETENTION_DAYS}, "
                f"got {self.flow_log_retention_days}"
            )


def subnet_cidrs(cidr: str, azs: int) -> tuple[list[str], list[str]]:
    """The public and private subnet CIDRs for ``azs`` zones in ``cidr``, in AZ order.

    Public subnets take slots ``0..azs-1`` of the first half of ``cidr``, private
    subnets the same slots of the second half; each subnet is ``SUBNET_EXTRA_BITS``
    (4) bits smaller than the VPC.

    >>> subnet_cidrs("10.0.0.0/16", 2)
    (['10.0.0.0/20', '10.0.16.0/20'], ['10.0.128.0/20', '10.0.144.0/20'])

    Raises:
        ValueError: ``cidr`` is not an IPv4 network (or has host bits set), is
            larger than ``/16``, or smaller than ``/24`` (its subnets would be
            smaller than AWS's minimum ``/28``), or ``azs`` exceeds the slots.
    """
    try:
        network = ipaddress.IPv4Network(cidr, strict=True)
    except ValueError as err:
        raise ValueError(f"cidr {cidr!r} is not an IPv4 network such as 10.0.0.0/16: {err}") from err
    if network.prefixlen < AWS_MIN_VPC_PREFIX:
        raise ValueError(
            f"cidr {cidr} is too large: AWS accepts VPC blocks from /{AWS_MIN_VPC_PREFIX} to /28"
        )
    subnet_prefix = network.prefixlen + SUBNET_EXTRA_BITS
    if subnet_prefix > AWS_MAX_SUBNET_PREFIX:
        raise ValueError(
            f"cidr {cidr} is too small to split into {SUBNET_SLOTS} public and "
            f"{SUBNET_SLOTS} private subnets of at least /{AWS_MAX_SUBNET_PREFIX}: "
            f"use /{AWS_MAX_SUBNET_PREFIX - SUBNET_EXTRA_BITS} or larger"
        )
    if not 0 < azs <= SUBNET_SLOTS:
        raise ValueError(f"azs must be between 1 and {SUBNET_SLOTS}, got {azs}")
    public_half, private_half = network.subnets(prefixlen_diff=1)
    public = list(public_half.subnets(new_prefix=subnet_prefix))[:azs]
    private = list(private_half.subnets(new_prefix=subnet_prefix))[:azs]
    return [str(n) for n in public], [str(n) for n in private]


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

    def _flow_logs(self, invoke: pulumi.InvokeOutputOptions) -> None:
        self.flow_log_group = aws.cloudwatch.LogGroup(
            self.logical_name("flow-logs"),
            name=f"/aws/vpc-flow-logs/{self.physical_name(max_len=480)}",
            retention_in_days=self.settings.flow_log_retention_days,
            tags=self.tags(),
            opts=self.child_opts(),
        )
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id
        self.flow_log_role = aws.iam.Role(
            self.logical_name("flow-logs"),
            name=self.physical_name("flow-logs", max_len=64),
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
