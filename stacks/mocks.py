"""An offline engine: Pulumi's mock runtime with fabricated, deterministic AWS values.

``scaffold plan`` and the test suite both run programs here. Nothing reaches
AWS or a ``pulumi`` binary: :class:`FabricatedAws` answers every resource
registration with the inputs plus plausible outputs (ids, ARNs, URLs,
endpoints) derived from the resource's type and name, and answers the few
invokes scaffold uses (availability zones, caller identity, region, partition)
from the configured region and a fabricated account id. Every fabricated value
is stable from run to run, so a plan can be diffed in review.

It also does what the real engine does and the mock monitor does not: it
rejects a second resource with the same ``(type, name)``.

Pulumi docs: https://www.pulumi.com/docs/iac/guides/testing/unit/
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

#: The account id every fabricated ARN carries. It is AWS's documented example account.
FABRICATED_ACCOUNT_ID = "123456789012"
#: How many availability-zone names the fabricated ``getAvailabilityZones`` returns.
FABRICATED_AZ_COUNT = 6

#: Key under which the Pulumi SDK marks a secret value on the wire.
SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"

# EC2-style id prefixes, by type token.
_ID_PREFIXES = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
}


class DuplicateResourceError(Exception):
    """Two resources share a type and a logical name; the real engine rejects this too."""


@dataclass
class RecordedResource:
    """One resource registration, as the engine would have received it.

    Attributes:
        urn: The Pulumi URN.
        type: The type token, e.g. ``aws:sqs/queue:Queue``.
        name: The logical name.
        parent: The parent's URN, or ``None`` for the stack's direct children.
        custom: ``True`` for provider resources, ``False`` for component resources.
        inputs: The inputs with wire (camelCase) names; secrets stay wrapped.
        outputs: The fabricated state returned to the program.
    """

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _service(type_token: str) -> str:
    """``aws:sqs/queue:Queue`` -> ``sqs``; ``aws:lb/loadBalancer:LoadBalancer`` -> ``elasticloadbalancing``."""
    module = type_token.split(":")[1].split("/")[0]
    return {
        "lb": "elasticloadbalancing",
        "alb": "elasticloadbalancing",
        "cloudwatch": "cloudwatch",
        "appautoscaling": "application-autoscaling",
    }.get(module, module)


class FabricatedAws(pulumi.runtime.Mocks):
    """Mocks that fabricate deterministic AWS outputs and reject duplicate resources.

    Args:
        region: The AWS region every ARN, URL and endpoint names, e.g. ``"eu-west-1"``.
        account_id: The account id in ARNs.
    """

    def __init__(self, region: str = "us-east-1", account_id: str = FABRICATED_ACCOUNT_ID) -> None:
        self.region = region
        self.account_id = account_id
        self._seen: set[tuple[str, str]] = set()

    # -- invokes -----------------------------------------------------------------
    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        token = args.token
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = "abcdef"[:FABRICATED_AZ_COUNT]
            return {
                "names": [f"{self.region}{c}" for c in letters],
                "zoneIds": [f"{self.region[:3]}{self.region.split('-')[-1]}-az{i + 1}" for i in range(len(letters))],
                "state": "available",
                "id": self.region,
            }, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:aws:iam::{self.account_id}:user/scaffold-plan",
                "userId": "AIDAFABRICATED",
                "id": self.account_id,
            }, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": self.region, "region": self.region, "id": self.region,
                    "endpoint": f"ec2.{self.region}.amazonaws.com"}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        return {}, []

    # -- resources ---------------------------------------------------------------
    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        key = (args.typ, args.name)
        if key in self._seen:
            raise DuplicateResourceError(f"duplicate resource: type {args.typ!r} name {args.name!r}")
        self._seen.add(key)
        if not args.custom:  # component resources have no state of their own
            return f"{args.name}-component", {}
        return self.fabricate(args.typ, args.name, dict(args.inputs))

    def fabricate(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The id and output state the fabricated AWS returns for one resource."""
        region, account = self.region, self.account_id
        physical = inputs.get("name") or inputs.get("identifier") or inputs.get("clusterIdentifier") \
            or inputs.get("replicationGroupId") or name
        physical = _unwrap(physical)
        prefix = _ID_PREFIXES.get(typ)
        rid = f"{prefix}-{_digest(typ, name)}" if prefix else str(physical)
        service = _service(typ)
        kind = typ.split(":")[-1].lower()
        arn = f"arn:aws:{service}:{region}:{account}:{kind}/{physical}"
        state: dict[str, Any] = {**inputs, "id": rid, "arn": arn, "name": physical}

        if typ == "aws:sqs/queue:Queue":
            state.update(arn=f"arn:aws:sqs:{region}:{account}:{physical}",
                         url=f"https://sqs.{region}.amazonaws.com/{account}/{physical}")
            state["id"] = state["url"]
        elif typ == "aws:sns/topic:Topic":
            state.update(arn=f"arn:aws:sns:{region}:{account}:{physical}")
            state["id"] = state["arn"]
        elif typ == "aws:rds/cluster:Cluster":
            host = f"{physical}.cluster-{_digest(physical, length=12)}.{region}.rds.amazonaws.com"
            state.update(
                arn=f"arn:aws:rds:{region}:{account}:cluster:{physical}",
                endpoint=host,
                readerEndpoint=host.replace(".cluster-", ".cluster-ro-"),
                port=inputs.get("port") or (3306 if "mysql" in str(inputs.get("engine", "")) else 5432),
                clusterResourceId=f"cluster-{_digest(physical, length=26).upper()}",
            )
            if inputs.get("manageMasterUserPassword"):
                state["masterUserSecrets"] = [{
                    "secretArn": f"arn:aws:secretsmanager:{region}:{account}:secret:rds!cluster-{_digest(physical, length=8)}-AbCdEf",
                    "secretStatus": "active",
                    "kmsKeyId": f"arn:aws:kms:{region}:{account}:key/{_digest(physical, 'kms', length=8)}",
                }]
        elif typ == "aws:rds/clusterInstance:ClusterInstance":
            state.update(arn=f"arn:aws:rds:{region}:{account}:db:{physical}",
                         endpoint=f"{physical}.{_digest(physical, length=12)}.{region}.rds.amazonaws.com")
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            base = f"{physical}.{_digest(physical, length=6)}.{region}.cache.amazonaws.com"
            state.update(arn=f"arn:aws:elasticache:{region}:{account}:replicationgroup:{physical}",
                         primaryEndpointAddress=f"master.{base}",
                         readerEndpointAddress=f"replica.{base}",
                         port=inputs.get("port") or 6379)
        elif typ == "aws:secretsmanager/secret:Secret":
            state["arn"] = f"arn:aws:secretsmanager:{region}:{account}:secret:{physical}-AbCdEf"
            state["id"] = state["arn"]
        elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
            suffix = f"app/{physical}/{_digest(physical, length=16)}"
            state.update(arn=f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{suffix}",
                         arnSuffix=suffix,
                         dnsName=f"{physical}-{_digest(physical, length=10)}.{region}.elb.amazonaws.com",
                         zoneId="Z35SXDOTRQ7X7K")
            state["id"] = state["arn"]
        elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
            suffix = f"targetgroup/{physical}/{_digest(physical, length=16)}"
            state.update(arn=f"arn:aws:elasticloadbalancing:{region}:{account}:{suffix}", arnSuffix=suffix)
            state["id"] = state["arn"]
        elif typ == "aws:ecs/cluster:Cluster":
            state["arn"] = f"arn:aws:ecs:{region}:{account}:cluster/{physical}"
        elif typ == "aws:ecs/service:Service":
            state["arn"] = f"arn:aws:ecs:{region}:{account}:service/{physical}"
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            family = _unwrap(inputs.get("family") or name)
            state.update(arn=f"arn:aws:ecs:{region}:{account}:task-definition/{family}:1", revision=1)
        elif typ == "aws:iam/role:Role":
            state["arn"] = f"arn:aws:iam::{account}:role/{physical}"
        elif typ == "aws:iam/policy:Policy":
            state["arn"] = f"arn:aws:iam::{account}:policy/{physical}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = f"arn:aws:logs:{region}:{account}:log-group:{physical}"
        elif typ == "aws:s3/bucketV2:BucketV2" or typ == "aws:s3/bucket:Bucket":
            bucket = _unwrap(inputs.get("bucket") or physical)
            state.update(id=bucket, bucket=bucket, arn=f"arn:aws:s3:::{bucket}",
                         bucketDomainName=f"{bucket}.s3.amazonaws.com")
        elif typ == "aws:acm/certificate:Certificate":
            state["arn"] = f"arn:aws:acm:{region}:{account}:certificate/{_digest(name, length=8)}"
            state["domainValidationOptions"] = [{
                "domainName": inputs.get("domainName"),
                "resourceRecordName": f"_{_digest(name, length=8)}.{inputs.get('domainName')}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_digest(name, 'v', length=8)}.acm-validations.aws.",
            }]
        elif typ == "aws:kms/key:Key":
            state.update(arn=f"arn:aws:kms:{region}:{account}:key/{_digest(name, length=8)}",
                         keyId=_digest(name, length=8))
        elif typ == "random:index/randomPassword:RandomPassword":
            state["result"] = _secret("fabricated-" + _digest(name, length=24))
        return rid, state


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and SECRET_SIGNATURE_KEY in value:
        return value.get("value")
    return value


def _secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIGNATURE_KEY: SECRET_SIGNATURE, "value": value}


def is_secret(value: Any) -> bool:
    """Whether a wire value is a wrapped Pulumi secret."""
    return isinstance(value, dict) and value.get(SECRET_SIGNATURE_KEY) == SECRET_SIGNATURE


class RecordingMonitor(MockMonitor):
    """The mock monitor, recording each registration with its parent."""

    def __init__(self, mocks: FabricatedAws) -> None:
        super().__init__(mocks)
        self.recorded: list[RecordedResource] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self._stack_urn = response.urn
            return response
        from pulumi.runtime import rpc

        inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
        registration = self.resources.get(response.urn)
        parent = request.parent or None
        if parent is not None and parent == getattr(self, "_stack_urn", None):
            parent = None
        self.recorded.append(RecordedResource(
            urn=response.urn, type=request.type, name=request.name, parent=parent,
            custom=bool(request.custom), inputs=dict(inputs),
            outputs=dict(registration.state) if registration else {},
        ))
        return response


@dataclass
class OfflineRun:
    """What an offline run registered.

    Attributes:
        resources: Every resource (components too), in registration order.
        outputs: The stack outputs (``pulumi.export``), with wire values.
    """

    resources: list[RecordedResource]
    outputs: dict[str, Any]

    def of_type(self, type_token: str) -> list[RecordedResource]:
        """The resources of one type, e.g. ``aws:rds/clusterInstance:ClusterInstance``."""
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RecordedResource:
        """The one resource with this logical name. Raises ``KeyError`` when there is none, or several."""
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]


def run_offline(
    program: Callable[[], Any],
    *,
    project: str,
    stack: str,
    region: str = "us-east-1",
    config: Mapping[str, str] | None = None,
) -> OfflineRun:
    """Run a Pulumi program under the mock runtime with fabricated AWS values.

    A fresh event loop and config are set for each run (Pulumi's runtime
    state is process-wide), and ``aws:region`` is set to ``region``.

    Args:
        program: A function that creates resources (and may ``pulumi.export``).
        project: The Pulumi project name.
        stack: The Pulumi stack name.
        region: The AWS region fabricated values name.
        config: Extra stack configuration, ``"namespace:key" -> value``.

    Returns:
        The recorded resources and stack outputs.

    Raises:
        DuplicateResourceError: Two resources share a type and name.
        Exception: Whatever the program raises.
    """
    import pulumi.runtime.settings as settings

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config({"aws:region": region, **(config or {})})
    mocks = FabricatedAws(region=region)
    monitor = RecordingMonitor(mocks)
    settings.ROOT.set(None)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    exported: dict[str, Any] = {}

    def program_and_exports() -> Any:
        program()
        # pulumi.runtime.test never finishes the root stack, so its outputs are not registered
        # with the monitor: collect what the program exported here, secrets kept wrapped.
        root = pulumi.runtime.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {})
        return asyncio.ensure_future(_collect(outputs, exported))

    try:
        pulumi.runtime.test(program_and_exports)()
    finally:
        # Join the loop's worker threads now: left to interpreter exit, they cost ~0.6 s.
        loop.run_until_complete(loop.shutdown_default_executor())
    return OfflineRun(resources=list(monitor.recorded), outputs=exported)


async def _collect(outputs: Mapping[str, Any], into: dict[str, Any]) -> None:
    for key, value in outputs.items():
        output = pulumi.Output.from_input(value)
        resolved = await output.future(with_unknowns=False)
        into[key] = _secret(resolved) if await output.is_secret() else resolved
