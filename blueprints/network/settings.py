"""Settings of the Network component: constants with their units and the settings dataclasses.

Imports no ``pulumi``: ``scaffold validate`` runs the same checks (see
:mod:`blueprints.constraints`). The component is in :mod:`blueprints.network.component`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from blueprints.constraints import LOG_RETENTION_DAYS, SettingProblem, raise_problems

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

NatMode = Literal["none", "single", "per_az"]
_NAT_MODES = ("none", "single", "per_az")

#: AWS services a task in a private subnet reaches through an interface VPC endpoint
#: (``com.amazonaws.<region>.<service>``, PrivateLink) when there is no NAT:
#: ``ecr.api`` + ``ecr.dkr`` pull the image (its layers come through the S3 gateway
#: endpoint), ``logs`` takes the awslogs driver's output, ``secretsmanager`` and ``ssm``
#: hand ECS the task's secrets, ``sqs`` and ``sns`` serve the apps that use a queue or a
#: topic. Service names: https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html ;
#: what Fargate needs without internet:
#: https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html (ecr.api, ecr.dkr, S3 gateway, logs),
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data-tutorial.html
#: (secretsmanager, ssm).
INTERFACE_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "sqs", "sns")
#: The interface endpoints every ECS Fargate task needs without NAT: image pull, logs, secrets.
TASK_ENDPOINT_SERVICES = ("ecr.api", "ecr.dkr", "logs", "secretsmanager")
#: HTTPS: the only port an interface endpoint's security group opens (to the VPC CIDR).
ENDPOINT_PORT = 443


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
        interface_endpoints: Services (of :data:`INTERFACE_ENDPOINT_SERVICES`, e.g.
            ``"ecr.api"``) to reach through interface VPC endpoints in the private
            subnets; each becomes an ``aws.ec2.VpcEndpoint`` for
            ``com.amazonaws.<region>.<service>`` with private DNS. ``stacks.settings``
            sets them when ``nat`` is ``"none"`` and the stack runs APIs.

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
    interface_endpoints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        raise_problems(network_problems(self))


def network_problems(s: NetworkSettings) -> Iterator[SettingProblem]:
    """Every problem of a :class:`NetworkSettings`, by settings field.

    VPC CIDR sizes: https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html (/16 to /28);
    retention: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
    """
    azs_ok = MIN_AZS <= s.azs <= MAX_AZS
    if not azs_ok:
        yield SettingProblem("azs", f"azs must be between {MIN_AZS} and {MAX_AZS}, got {s.azs}")
    if s.nat not in _NAT_MODES:
        yield SettingProblem("nat", f"nat must be one of {', '.join(_NAT_MODES)}, got {s.nat!r}")
    try:
        subnet_cidrs(s.cidr, s.azs if azs_ok else MIN_AZS)
    except ValueError as err:
        yield SettingProblem("cidr", str(err), "use a block from /16 to /24, such as 10.20.0.0/16",
                             "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html")
    if s.flow_log_retention_days not in LOG_RETENTION_DAYS:
        yield SettingProblem("flow_log_retention_days", f"flow_log_retention_days must be one of "
                             f"{LOG_RETENTION_DAYS}, got {s.flow_log_retention_days}")
    unknown = [e for e in s.interface_endpoints if e not in INTERFACE_ENDPOINT_SERVICES]
    if unknown or len(set(s.interface_endpoints)) != len(s.interface_endpoints):
        yield SettingProblem("interface_endpoints",
                             f"interface_endpoints must be distinct services of {INTERFACE_ENDPOINT_SERVICES}, "
                             f"got {s.interface_endpoints}")


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
