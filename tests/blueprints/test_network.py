"""Network: VPC, subnets across AZs, NAT layouts, S3 endpoint and flow logs."""

from __future__ import annotations

import inspect
import ipaddress
import itertools
import json
from typing import Any

import pulumi
import pulumi_aws
import pytest
from hypothesis import given
from hypothesis import strategies as st

from blueprints.base import NetworkAttachment, StackContext
from blueprints.network import Network, NetworkSettings, subnet_cidrs

DEV = NetworkSettings()  # 2 AZs, one NAT, no flow logs
PROD = NetworkSettings(azs=3, nat="per_az", flow_logs=True, flow_log_retention_days=90)
NO_NAT = NetworkSettings(nat="none")

ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"


def build(offline: Any, settings: NetworkSettings, stack: str = "dev",
          opts: pulumi.ResourceOptions | None = None) -> tuple[Any, list[Network]]:
    built: list[Network] = []

    def program() -> None:
        built.append(Network("network", settings,
                             context=StackContext(project="shop", environment=stack), opts=opts))

    return offline(program, stack=stack), built


def taggable(type_token: str) -> bool:
    """Whether the pulumi-aws resource class behind a type token accepts ``tags``."""
    module, _, cls = type_token.split(":", 1)[1].partition("/")
    resource = getattr(getattr(pulumi_aws, module), cls.split(":")[1])
    return "tags" in inspect.signature(resource._internal_init).parameters


def ordered(resources: list[Any]) -> list[Any]:
    """Resources sorted by the AZ index that ends their name (registration order is not stable)."""
    return sorted(resources, key=lambda r: (r.name.rstrip("0123456789"), int(r.name.rsplit("-", 1)[1])
                                            if r.name[-1].isdigit() else -1))


def subnets(run: Any, tier: str) -> list[Any]:
    return ordered([r for r in run.of_type(SUBNET) if f"-{tier}-" in r.name])


def default_routes(run: Any) -> dict[str, dict[str, Any]]:
    """Route-table id -> inputs of its 0.0.0.0/0 route."""
    return {r.inputs["routeTableId"]: r.inputs for r in run.of_type(ROUTE)
            if r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"}


def table_ids(run: Any, prefix: str) -> list[str]:
    return [r.outputs["id"] for r in ordered(run.of_type(ROUTE_TABLE)) if r.name.startswith(prefix)]


def test_vpc_has_dns_support_and_hostnames(offline: Any) -> None:
    run, _ = build(offline, DEV)
    (vpc,) = run.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


@pytest.mark.parametrize(("settings", "azs"), [(DEV, 2), (PROD, 3)])
def test_subnets_spread_over_distinct_azs(offline: Any, settings: NetworkSettings, azs: int) -> None:
    run, _ = build(offline, settings)
    public = subnets(run, "public")
    private = subnets(run, "private")
    assert len(public) == len(private) == azs
    for tier in (public, private):
        zones = [s.inputs["availabilityZone"] for s in tier]
        assert len(set(zones)) == azs
        assert zones == [f"us-east-1{c}" for c in "abcdef"[:azs]]  # the first `azs` names, in order


def test_subnets_follow_region(offline: Any) -> None:
    def program() -> None:
        Network("network", DEV, context=StackContext(project="shop", environment="dev"))

    run = offline(program, region="eu-west-1")
    assert {s.inputs["availabilityZone"] for s in run.of_type(SUBNET)} == {"eu-west-1a", "eu-west-1b"}
    (endpoint,) = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.eu-west-1.s3"


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_subnet_cidrs_do_not_overlap_and_stay_inside_vpc(offline: Any, settings: NetworkSettings) -> None:
    run, _ = build(offline, settings)
    vpc = ipaddress.ip_network(settings.cidr)
    nets = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in run.of_type(SUBNET)]
    assert all(n.subnet_of(vpc) for n in nets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(nets, 2))
    public = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in subnets(run, "public")]
    first_half, _ = vpc.subnets(prefixlen_diff=1)
    assert all(n.subnet_of(first_half) for n in public)


def test_public_route_table_routes_to_internet_gateway(offline: Any) -> None:
    run, _ = build(offline, PROD)
    (igw,) = run.of_type("aws:ec2/internetGateway:InternetGateway")
    (public_rt,) = table_ids(run, "network-rt-public")
    assert default_routes(run)[public_rt]["gatewayId"] == igw.outputs["id"]
    associations = run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    public_ids = {s.outputs["id"] for s in subnets(run, "public")}
    assert {a.inputs["subnetId"] for a in associations
            if a.inputs["routeTableId"] == public_rt} == public_ids


def test_production_has_a_nat_and_route_table_per_az(offline: Any) -> None:
    run, _ = build(offline, PROD)
    nats = ordered(run.of_type(NAT))
    assert len(nats) == 3
    assert len(run.of_type(ROUTE_TABLE)) == 4  # 1 public + 3 private
    assert all(e.inputs["domain"] == "vpc" for e in run.of_type("aws:ec2/eip:Eip"))
    # each NAT sits in a different public subnet, and each private table uses its own NAT
    public_ids = [s.outputs["id"] for s in subnets(run, "public")]
    assert [n.inputs["subnetId"] for n in nats] == public_ids
    routes = default_routes(run)
    private = table_ids(run, "network-rt-private")
    assert [routes[t]["natGatewayId"] for t in private] == [n.outputs["id"] for n in nats]
    # each private subnet is associated with the table of its own AZ
    associations = {a.inputs["subnetId"]: a.inputs["routeTableId"]
                    for a in run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")}
    private_ids = [s.outputs["id"] for s in subnets(run, "private")]
    assert [associations[s] for s in private_ids] == private


def test_dev_has_one_nat_and_one_shared_private_table(offline: Any) -> None:
    run, _ = build(offline, DEV)
    (nat,) = run.of_type(NAT)
    first_public = next(s for s in run.of_type(SUBNET) if s.name == "network-public-0")
    assert nat.inputs["subnetId"] == first_public.outputs["id"]
    (private,) = table_ids(run, "network-rt-private")
    assert default_routes(run)[private]["natGatewayId"] == nat.outputs["id"]
    associations = run.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
    assert sum(a.inputs["routeTableId"] == private for a in associations) == 2


def test_no_nat_means_no_default_route_on_private_tables(offline: Any) -> None:
    run, built = build(offline, NO_NAT)
    assert run.of_type(NAT) == []
    assert run.of_type("aws:ec2/eip:Eip") == []
    private = table_ids(run, "network-rt-private")
    assert len(private) == 1
    assert not set(private) & set(default_routes(run))
    assert all(r.inputs.get("natGatewayId") is None for r in run.of_type(ROUTE))
    assert built[0].nat_gateways == []


@pytest.mark.parametrize("settings", [DEV, PROD, NO_NAT], ids=["dev", "prod", "none"])
def test_s3_gateway_endpoint_on_every_private_table(offline: Any, settings: NetworkSettings) -> None:
    run, _ = build(offline, settings)
    (endpoint,) = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert sorted(endpoint.inputs["routeTableIds"]) == sorted(table_ids(run, "network-rt-private"))


def test_flow_logs_only_when_asked(offline: Any) -> None:
    dev, _ = build(offline, DEV)
    assert dev.of_type("aws:ec2/flowLog:FlowLog") == []
    assert dev.of_type("aws:iam/role:Role") == []

    run, _ = build(offline, PROD, stack="prod")
    (flow_log,) = run.of_type("aws:ec2/flowLog:FlowLog")
    (group,) = run.of_type("aws:cloudwatch/logGroup:LogGroup")
    (role,) = run.of_type("aws:iam/role:Role")
    (vpc,) = run.of_type("aws:ec2/vpc:Vpc")
    assert flow_log.inputs["vpcId"] == vpc.outputs["id"]
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestination"] == group.outputs["arn"]
    assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"]
    assert group.inputs["retentionInDays"] == 90

    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "vpc-flow-logs.amazonaws.com"}]
    assert trust[0]["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}

    (policy,) = run.of_type("aws:iam/rolePolicy:RolePolicy")
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == [
        "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    arn = group.outputs["arn"]
    assert statement["Resource"] == [arn, f"{arn}:*"]  # this log group only, no "*"


def test_default_security_group_is_emptied(offline: Any) -> None:
    run, _ = build(offline, DEV)
    (sg,) = run.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert sg.inputs["ingress"] == [] and sg.inputs["egress"] == []


@pytest.mark.parametrize("settings", [DEV, PROD], ids=["dev", "prod"])
def test_every_taggable_resource_is_tagged(offline: Any, settings: NetworkSettings) -> None:
    run, _ = build(offline, settings, stack="prod")
    custom = [r for r in run.resources if r.custom]
    tagged = [r for r in custom if taggable(r.type)]
    assert len(tagged) > 10
    for r in tagged:
        tags = r.inputs.get("tags") or {}
        assert tags.get("scaffold:project") == "shop", r.name
        assert tags.get("scaffold:environment") == "prod", r.name
        assert tags.get("scaffold:component") == "network", r.name


def test_children_are_parented_and_inherit_opts(offline: Any) -> None:
    run, built = build(offline, PROD, opts=pulumi.ResourceOptions(protect=True))
    (component,) = run.of_type("scaffold:blueprints:Network")
    assert all(r.parent == component.urn for r in run.resources if r.custom)
    network = built[0]
    children = [network.vpc, network.internet_gateway, *network.public_subnets,
                *network.private_subnets, *network.nat_gateways, network.flow_log]
    assert all(child._protect is True for child in children)


def test_attachment_and_outputs(offline: Any) -> None:
    captured: dict[str, Any] = {}

    def program() -> None:
        network = Network("network", PROD, context=StackContext(project="shop", environment="prod"))
        assert isinstance(network.attachment, NetworkAttachment)
        pulumi.export("azs", network.availability_zones)
        pulumi.export("private", network.attachment.private_subnet_ids)
        pulumi.export("vpc", network.attachment.vpc_id)
        pulumi.export("cidr", network.attachment.vpc_cidr)
        captured["network"] = network

    run = offline(program, stack="prod")
    assert run.outputs["azs"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    private = [s.outputs["id"] for s in subnets(run, "private")]
    assert run.outputs["private"] == private
    assert run.outputs["vpc"] == run.of_type("aws:ec2/vpc:Vpc")[0].outputs["id"]
    assert run.outputs["cidr"] == "10.0.0.0/16"
    assert len(captured["network"].nat_gateways) == 3


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"azs": 1}, "azs must be between 2 and 6"),
    ({"azs": 7}, "azs must be between 2 and 6"),
    ({"cidr": "10.0.0.0/25"}, "too small to split"),
    ({"cidr": "10.0.0.0/8"}, "too large"),
    ({"cidr": "10.0.0.1/16"}, "not an IPv4 network"),
    ({"cidr": "banana"}, "not an IPv4 network"),
    ({"nat": "both"}, "nat must be one of"),
    ({"flow_log_retention_days": 31}, "flow_log_retention_days"),
])
def test_invalid_settings_raise(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        NetworkSettings(**kwargs)


def test_smallest_cidr_still_splits() -> None:
    public, private = subnet_cidrs("10.1.2.0/24", 6)
    assert public[0] == "10.1.2.0/28" and private[0] == "10.1.2.128/28"


def test_adding_an_az_keeps_existing_subnets() -> None:
    two, three = subnet_cidrs("10.0.0.0/16", 2), subnet_cidrs("10.0.0.0/16", 3)
    assert three[0][:2] == two[0] and three[1][:2] == two[1]


@given(
    base=st.integers(min_value=0, max_value=2**32 - 1),
    prefix=st.integers(min_value=16, max_value=24),
    azs=st.integers(min_value=2, max_value=6),
)
def test_subnet_cidrs_property(base: int, prefix: int, azs: int) -> None:
    vpc = ipaddress.IPv4Network((base, prefix), strict=False)
    public, private = subnet_cidrs(str(vpc), azs)
    nets = [ipaddress.IPv4Network(c) for c in public + private]
    assert len(public) == len(private) == azs
    assert all(n.subnet_of(vpc) and n.prefixlen == prefix + 4 for n in nets)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(nets, 2))


# -- nat: none with APIs: interface VPC endpoints ---------------------------------------------------

ENDPOINTS = NetworkSettings(nat="none", interface_endpoints=("ecr.api", "ecr.dkr", "logs", "secretsmanager", "sqs"))


def test_interface_endpoints_reach_aws_services_from_the_private_subnets(offline: Any) -> None:
    def program() -> None:
        Network("network", ENDPOINTS, context=StackContext(project="shop", environment="dev"))

    run = offline(program, region="eu-west-1")
    endpoints = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    interface = {e.inputs["serviceName"]: e.inputs for e in endpoints if e.inputs["vpcEndpointType"] == "Interface"}
    assert sorted(interface) == sorted(f"com.amazonaws.eu-west-1.{s}" for s in ENDPOINTS.interface_endpoints)
    (sg,) = run.of_type("aws:ec2/securityGroup:SecurityGroup")
    private = sorted(s.outputs["id"] for s in subnets(run, "private"))
    for inputs in interface.values():
        assert inputs["privateDnsEnabled"] is True
        assert sorted(inputs["subnetIds"]) == private
        assert inputs["securityGroupIds"] == [sg.outputs["id"]]
    # The S3 gateway endpoint stays: ECR keeps image layers in S3.
    assert [e.inputs["serviceName"] for e in endpoints if e.inputs["vpcEndpointType"] == "Gateway"] \
        == ["com.amazonaws.eu-west-1.s3"]


def test_interface_endpoint_security_group_opens_only_https_from_the_vpc(offline: Any) -> None:
    run, _ = build(offline, ENDPOINTS)
    (sg,) = run.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert sg.inputs["name"] == "shop-dev-network-endpoints"
    # No inline rules: the ingress rule below is standalone (inline lists would revoke it); the
    # provider removes AWS's default allow-all egress rule when it creates the group.
    assert "egress" not in sg.inputs and "ingress" not in sg.inputs
    (rule,) = run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (443, 443, "tcp")
    assert rule.inputs["cidrIpv4"] == "10.0.0.0/16"
    assert rule.inputs["securityGroupId"] == sg.outputs["id"]


def test_no_interface_endpoints_unless_asked(offline: Any) -> None:
    run, _ = build(offline, NO_NAT)
    assert [e.inputs["vpcEndpointType"] for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")] == ["Gateway"]
    assert run.of_type("aws:ec2/securityGroup:SecurityGroup") == []


def test_unknown_interface_endpoint_is_refused() -> None:
    with pytest.raises(ValueError, match="interface_endpoints must be distinct services"):
        NetworkSettings(nat="none", interface_endpoints=("ec2messages",))
    with pytest.raises(ValueError, match="interface_endpoints must be distinct services"):
        NetworkSettings(nat="none", interface_endpoints=("logs", "logs"))


def test_network_refuses_to_build_a_name_aws_refuses(offline: Any) -> None:
    """A project ``sg`` would name the endpoints' security group ``sg-…``: the component raises first."""
    def program() -> None:
        Network("network", ENDPOINTS, context=StackContext(project="sg", environment="dev"))

    with pytest.raises(Exception, match="security group name 'sg-dev-network-endpoints' must not start with"):
        offline(program)


def _blueprint(text: str, env: str = "dev") -> Any:
    import textwrap

    from scaffold.spec.loader import check_source
    from scaffold.spec.source import parse_yaml

    return check_source(parse_yaml(textwrap.dedent(text), "scaffold.yaml")).blueprints[env]


NO_NAT_SPEC = """
    scaffold: 1
    name: shop
    region: us-east-1
    network: {nat: none}
    environments:
      dev: {profile: dev}
    components:
      jobs: {kind: queue}
      alerts: {kind: notifications}
      api:
        kind: api
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:1.4.2
        secrets: {FLAG: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/flag"}
        uses: [jobs, alerts]
    """


@pytest.mark.parametrize(("replace", "expected"), [
    ({}, ("ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "sqs", "sns")),
    ({"        uses: [jobs, alerts]\n": "", '        secrets: {FLAG: "arn:aws:ssm:us-east-1:123456789012:parameter/shop/flag"}\n': ""},
     ("ecr.api", "ecr.dkr", "logs", "secretsmanager")),
    ({"network: {nat: none}": "network: {nat: single}"}, ()),
])
def test_nat_none_with_an_api_gets_the_endpoints_its_tasks_need(replace: dict[str, str],
                                                                   expected: tuple[str, ...]) -> None:
    from stacks.settings import network_settings

    text = NO_NAT_SPEC
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    assert network_settings(_blueprint(text)).interface_endpoints == expected


def test_nat_none_without_an_api_gets_no_interface_endpoints() -> None:
    from stacks.settings import network_settings

    bp = _blueprint("""
        scaffold: 1
        name: shop
        region: us-east-1
        network: {nat: none}
        environments:
          dev: {profile: dev}
        components:
          jobs: {kind: queue}
        """)
    assert network_settings(bp).interface_endpoints == ()


def test_planned_nat_none_stack_has_the_endpoints() -> None:
    from stacks.plan import plan

    p = plan(_blueprint(NO_NAT_SPEC))
    services = sorted(r.inputs["serviceName"] for r in p.aws_resources if r.type == "aws:ec2/vpcEndpoint:VpcEndpoint")
    assert services == sorted(f"com.amazonaws.us-east-1.{s}" for s in
                              ("s3", "ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "sqs", "sns"))


@pytest.mark.parametrize(("image", "fragment"), [
    ("ghcr.io/acme/shop-api:1.4.2", "'ghcr.io/acme/shop-api:1.4.2' is outside Amazon ECR"),
    ("public.ecr.aws/nginx/nginx:1.27", "is outside Amazon ECR"),
    ("123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:1.4.2", "is in another region's ECR (eu-west-1)"),
])
def test_validate_rejects_an_image_outside_this_regions_ecr_with_nat_none(tmp_path: Any, image: str,
                                                                         fragment: str) -> None:
    import textwrap

    from typer.testing import CliRunner

    from scaffold.cli import app

    spec = tmp_path / "scaffold.yaml"
    spec.write_text(textwrap.dedent(NO_NAT_SPEC).replace(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:1.4.2", image))
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2, result.output
    (error,) = [ln for ln in result.output.splitlines() if ": error: " in ln]
    assert f"{spec}:13:12: error: components.api.image: network.nat is none" in error
    assert fragment in error
    assert "or set network.nat: single" in error


def test_validate_accepts_this_regions_ecr_with_nat_none(tmp_path: Any) -> None:
    import textwrap

    from typer.testing import CliRunner

    from scaffold.cli import app

    spec = tmp_path / "scaffold.yaml"
    spec.write_text(textwrap.dedent(NO_NAT_SPEC))
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 0, result.output


def test_nat_none_in_one_environment_points_at_its_image_override(tmp_path: Any) -> None:
    import textwrap

    from typer.testing import CliRunner

    from scaffold.cli import app

    spec = tmp_path / "scaffold.yaml"
    spec.write_text(textwrap.dedent("""
        scaffold: 1
        name: shop
        region: us-east-1
        environments:
          dev: {profile: dev}
          lab:
            profile: dev
            network: {nat: none}
            components:
              api: {image: "123456789012.dkr.ecr.us-west-2.amazonaws.com/api:1"}
        components:
          api: {kind: api, image: "ghcr.io/acme/api:1"}
        """))
    result = CliRunner().invoke(app, ["validate", "-f", str(spec)])
    assert result.exit_code == 2
    assert f"{spec}:11:20: error: environments.lab.components.api.image: network.nat is none" in result.output, \
        result.output
