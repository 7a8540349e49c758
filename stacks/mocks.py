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
import base64
import concurrent.futures
import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import known_types
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

#: The account id every fabricated ARN carries. It is AWS's documented example account.
FABRICATED_ACCOUNT_ID = "123456789012"
#: How many availability-zone names the fabricated ``getAvailabilityZones`` returns.
FABRICATED_AZ_COUNT = 6

#: Key under which the Pulumi SDK marks a secret value on the wire.
SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"

# EC2-style ids (``<prefix>-<17 hex digits>``) and the ARN resource type of each, by type token.
# ARN formats: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
_EC2_IDS: dict[str, tuple[str, str | None]] = {
    "aws:ec2/vpc:Vpc": ("vpc", "vpc"),
    "aws:ec2/subnet:Subnet": ("subnet", "subnet"),
    "aws:ec2/securityGroup:SecurityGroup": ("sg", "security-group"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("sg", "security-group"),
    "aws:ec2/internetGateway:InternetGateway": ("igw", "internet-gateway"),
    "aws:ec2/natGateway:NatGateway": ("nat", "natgateway"),
    "aws:ec2/routeTable:RouteTable": ("rtb", "route-table"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("rtbassoc", None),
    "aws:ec2/eip:Eip": ("eipalloc", "elastic-ip"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpce", "vpc-endpoint"),
    "aws:ec2/flowLog:FlowLog": ("fl", "vpc-flow-log"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("sgr", "security-group-rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("sgr", "security-group-rule"),
}

#: Inputs that carry a resource's physical name, in order of preference.
_PHYSICAL_NAME_INPUTS = ("name", "identifier", "clusterIdentifier", "replicationGroupId", "bucket", "family")

#: Types that have no ARN of their own (terraform-provider-aws sets no ``arn`` attribute on them,
#: or sets it to the parent's ARN, which the inputs then already carry).
_NO_ARN = frozenset({
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/record:Record",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:rds/proxyTarget:ProxyTarget",
    "random:index/randomPassword:RandomPassword",
    "random:index/randomId:RandomId",
    "random:index/randomString:RandomString",
})


def partition_of(region: str) -> tuple[str, str]:
    """The AWS partition and DNS suffix of a region: ``("aws", "amazonaws.com")``,
    ``("aws-cn", "amazonaws.com.cn")`` for ``cn-*``, ``("aws-us-gov", "amazonaws.com")`` for ``us-gov-*``.

    Source: https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
    """
    if region.startswith("cn-"):
        return "aws-cn", "amazonaws.com.cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov", "amazonaws.com"
    return "aws", "amazonaws.com"


def _uuid(*parts: str) -> str:
    """A deterministic UUID-shaped string, as KMS key ids and WAF ids look."""
    h = _digest(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
        id: The id the engine returned (what dependents receive as ``.id``); ``None`` for components.
        retain_on_delete: The ``retain_on_delete`` resource option: a delete only drops it from the state.
        depends_on: The URNs of the resources it waits for: its ``depends_on`` and those its inputs come from.
    """

    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    retain_on_delete: bool = False
    depends_on: list[str] = field(default_factory=list)


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
            partition, dns_suffix = partition_of(self.region)
            return {"partition": partition, "dnsSuffix": dns_suffix, "id": partition,
                    "reverseDnsPrefix": ".".join(reversed(dns_suffix.split(".")))}, []
        if token == "aws:route53/getZone:getZone":
            zone = str(args.args.get("name") or "example.com").rstrip(".")
            zone_id = "Z" + _digest("zone", zone, length=20).upper()
            return {"zoneId": zone_id, "id": zone_id, "name": zone, "privateZone": False,
                    "nameServers": [f"ns-1.awsdns-01.{zone}"]}, []
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
        """The id and output state the fabricated AWS returns for one resource.

        Each id and ARN has the shape terraform-provider-aws gives that type (e.g. an S3 bucket's id
        is its name, a Secrets Manager secret's id is its ARN, a KMS key's id is a UUID), so an
        input that references another resource shows exactly what that resource output. The
        returned id is also ``state["id"]``: what dependents receive is what the plan shows.
        """
        region, account = self.region, self.account_id
        partition, dns_suffix = partition_of(region)
        given = next((inputs[k] for k in _PHYSICAL_NAME_INPUTS if inputs.get(k)), None)
        # Pulumi auto-names a resource without a name input: logical name + 7 random hex digits.
        physical = str(_unwrap(given)) if given is not None else f"{name}-{_digest(typ, name, length=7)}"
        if not inputs.get("name") and inputs.get("namePrefix"):
            # name_prefix: the provider appends a 26-digit unique id (terraform-plugin-sdk id.PrefixedUniqueId).
            physical = f"{_unwrap(inputs['namePrefix'])}{int(_digest(typ, name, length=32), 16) % 10**26:026d}"
        service = _service(typ)
        kind = typ.split(":")[-1].lower()
        state: dict[str, Any] = {**inputs, "id": physical, "name": physical}
        if typ not in _NO_ARN:
            state["arn"] = f"arn:{partition}:{service}:{region}:{account}:{kind}/{physical}"

        def arn(rest: str, svc: str | None = None, reg: str | None = None) -> str:
            return f"arn:{partition}:{svc or service}:{region if reg is None else reg}:{account}:{rest}"

        if typ in _EC2_IDS:
            prefix, arn_type = _EC2_IDS[typ]
            state["id"] = f"{prefix}-{_digest(typ, name)}"
            state.pop("name", None)
            if arn_type:
                state["arn"] = arn(f"{arn_type}/{state['id']}", "ec2")
            if typ.startswith("aws:vpc/securityGroup"):
                state["securityGroupRuleId"] = state["id"]
        elif typ == "aws:ec2/route:Route":
            state["id"] = f"r-{_unwrap(inputs.get('routeTableId'))}{int(_digest(name, length=8), 16) % 10**10}"
        elif typ == "aws:sqs/queue:Queue":
            state.update(arn=arn(physical), url=f"https://sqs.{region}.{dns_suffix}/{account}/{physical}")
            state["id"] = state["url"]
        elif typ in ("aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
                     "aws:sqs/redrivePolicy:RedrivePolicy"):
            state["id"] = _unwrap(inputs.get("queueUrl")) or physical
        elif typ == "aws:sns/topic:Topic":
            state["arn"] = state["id"] = arn(physical)
        elif typ == "aws:sns/topicPolicy:TopicPolicy":
            state["id"] = _unwrap(inputs.get("arn")) or physical
        elif typ == "aws:sns/topicSubscription:TopicSubscription":
            state["arn"] = state["id"] = f"{_unwrap(inputs.get('topic'))}:{_uuid(typ, name)}"
        elif typ == "aws:rds/cluster:Cluster":
            host = f"{physical}.cluster-{_digest(physical, length=12)}.{region}.rds.{dns_suffix}"
            state.update(
                arn=arn(f"cluster:{physical}"),
                endpoint=host,
                readerEndpoint=host.replace(".cluster-", ".cluster-ro-"),
                port=inputs.get("port") or (3306 if "mysql" in str(inputs.get("engine", "")) else 5432),
                clusterResourceId=f"cluster-{_digest(physical, length=26).upper()}",
            )
            if inputs.get("manageMasterUserPassword"):
                state["masterUserSecrets"] = [{
                    "secretArn": arn(f"secret:rds!cluster-{_uuid(physical)}-{_suffix(physical)}",
                                     "secretsmanager"),
                    "secretStatus": "active",
                    "kmsKeyId": arn(f"key/{_uuid(physical, 'kms')}", "kms"),
                }]
        elif typ == "aws:rds/clusterInstance:ClusterInstance":
            state.update(arn=arn(f"db:{physical}"),
                         endpoint=f"{physical}.{_digest(physical, length=12)}.{region}.rds.{dns_suffix}",
                         dbiResourceId=f"db-{_digest(physical, length=26).upper()}")
        elif typ == "aws:rds/subnetGroup:SubnetGroup":
            state["arn"] = arn(f"subgrp:{physical}")
        elif typ == "aws:rds/clusterParameterGroup:ClusterParameterGroup":
            state["arn"] = arn(f"cluster-pg:{physical}")
        elif typ == "aws:rds/parameterGroup:ParameterGroup":
            state["arn"] = arn(f"pg:{physical}")
        elif typ == "aws:rds/proxy:Proxy":
            state.update(arn=arn(f"db-proxy:prx-{_digest(typ, physical)}"),
                         endpoint=f"{physical}.proxy-{_digest(physical, length=12)}.{region}.rds.{dns_suffix}")
        elif typ == "aws:rds/proxyEndpoint:ProxyEndpoint":
            proxy = _unwrap(inputs.get("dbProxyName"))
            state.update(id=f"{proxy}/{_unwrap(inputs.get('dbProxyEndpointName'))}",
                         arn=arn(f"db-proxy-endpoint:prx-endpoint-{_digest(typ, name)}"),
                         endpoint=f"{_unwrap(inputs.get('dbProxyEndpointName'))}.endpoint.proxy-"
                                  f"{_digest(str(proxy), length=12)}.{region}.rds.{dns_suffix}")
        elif typ == "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup":
            state.update(id=_unwrap(inputs.get("dbProxyName")), name="default",
                         arn=arn(f"target-group:prx-tg-{_digest(typ, name)}"))
        elif typ == "aws:rds/proxyTarget:ProxyTarget":
            state["id"] = "/".join(str(_unwrap(inputs.get(k)) or "") for k in
                                   ("dbProxyName", "targetGroupName", "dbClusterIdentifier"))
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            base = f"{physical}.{_digest(physical, length=6)}.{region}.cache.{dns_suffix}"
            state.update(arn=arn(f"replicationgroup:{physical}"),
                         primaryEndpointAddress=f"master.{base}",
                         readerEndpointAddress=f"replica.{base}",
                         port=inputs.get("port") or 6379)
        elif typ == "aws:elasticache/subnetGroup:SubnetGroup":
            state["arn"] = arn(f"subnetgroup:{physical}")
        elif typ == "aws:elasticache/parameterGroup:ParameterGroup":
            state["arn"] = arn(f"parametergroup:{physical}")
        elif typ == "aws:secretsmanager/secret:Secret":
            # The ARN ends with a hyphen and 6 random characters; the id is the ARN.
            state["arn"] = state["id"] = arn(f"secret:{physical}-{_suffix(physical)}")
        elif typ == "aws:secretsmanager/secretVersion:SecretVersion":
            secret = _unwrap(inputs.get("secretId"))
            version = _uuid(typ, name)
            state.update(arn=secret, versionId=version, id=f"{secret}|{version}")
            state.pop("name", None)
        elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
            suffix = f"app/{physical}/{_digest(physical, length=16)}"
            state.update(arn=arn(f"loadbalancer/{suffix}"), arnSuffix=suffix,
                         dnsName=f"{physical}-{_digest(physical, length=10)}.{region}.elb.{dns_suffix}",
                         zoneId="Z35SXDOTRQ7X7K")
            state["id"] = state["arn"]
        elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
            suffix = f"targetgroup/{physical}/{_digest(physical, length=16)}"
            state.update(arn=arn(suffix), arnSuffix=suffix)
            state["id"] = state["arn"]
        elif typ in ("aws:lb/listener:Listener", "aws:alb/listener:Listener"):
            balancer = str(_unwrap(inputs.get("loadBalancerArn")) or "")
            lb_suffix = balancer.split(":loadbalancer/", 1)[-1] if ":loadbalancer/" in balancer else f"app/{name}/0"
            state["arn"] = state["id"] = arn(f"listener/{lb_suffix}/{_digest(typ, name, length=16)}")
            state.pop("name", None)
        elif typ in ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"):
            listener = str(_unwrap(inputs.get("listenerArn")) or "")
            state["arn"] = state["id"] = listener.replace(":listener/", ":listener-rule/") + \
                f"/{_digest(typ, name, length=16)}"
        elif typ == "aws:ecs/cluster:Cluster":
            state["arn"] = state["id"] = arn(f"cluster/{physical}")
        elif typ == "aws:sfn/stateMachine:StateMachine":
            # https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
            # (stateMachineArn); the provider's id is the ARN (internal/service/sfn/state_machine.go).
            state["arn"] = state["id"] = arn(f"stateMachine:{physical}", "states")
        elif typ == "aws:scheduler/schedule:Schedule":
            # id "<group>/<name>" (internal/service/scheduler/schedule.go); ARN
            # arn:<partition>:scheduler:<region>:<account>:schedule/<group>/<name>.
            group = _unwrap(inputs.get("groupName")) or "default"
            state.update(id=f"{group}/{physical}", arn=arn(f"schedule/{group}/{physical}"), groupName=group)
        elif typ == "aws:ecs/service:Service":
            cluster = str(_unwrap(inputs.get("cluster")) or "default").rsplit("/", 1)[-1]
            state["arn"] = state["id"] = arn(f"service/{cluster}/{physical}")
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            state.update(arn=arn(f"task-definition/{physical}:1"), revision=1,
                         arnWithoutRevision=arn(f"task-definition/{physical}"))
        elif typ == "aws:iam/role:Role":
            state.update(arn=arn(f"role/{physical}", "iam", ""), uniqueId="AROA" + _digest(name).upper())
        elif typ == "aws:iam/policy:Policy":
            state["arn"] = state["id"] = arn(f"policy/{physical}", "iam", "")
        elif typ == "aws:iam/rolePolicy:RolePolicy":
            state["id"] = f"{_unwrap(inputs.get('role'))}:{physical}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = arn(f"log-group:{physical}", "logs")
        elif typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            state["arn"] = arn(f"alarm:{physical}")
        elif typ in ("aws:s3/bucketV2:BucketV2", "aws:s3/bucket:Bucket"):
            state.update(id=physical, bucket=physical, arn=f"arn:{partition}:s3:::{physical}",
                         bucketDomainName=f"{physical}.s3.{dns_suffix}",
                         bucketRegionalDomainName=f"{physical}.s3.{region}.{dns_suffix}")
            state.pop("name", None)
        elif typ.startswith("aws:s3/bucket"):  # the bucket's sub-configurations: their id is the bucket
            state["id"] = _unwrap(inputs.get("bucket")) or physical
            state.pop("name", None)
        elif typ == "aws:acm/certificate:Certificate":
            state["arn"] = state["id"] = arn(f"certificate/{_uuid(typ, name)}")
            state.pop("name", None)
            domain = inputs.get("domainName")
            state["domainValidationOptions"] = [{
                "domainName": domain,
                "resourceRecordName": f"_{_digest(name, length=32)}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_digest(name, 'v', length=32)}.{_digest(name, 'w', length=10)}"
                                       ".acm-validations.aws.",
            }]
        elif typ == "aws:acm/certificateValidation:CertificateValidation":
            state["id"] = "2026-01-01 00:00:00 +0000 UTC"
            state.pop("name", None)
        elif typ == "aws:kms/key:Key":
            key_id = _uuid(typ, name)
            state.update(id=key_id, keyId=key_id, arn=arn(f"key/{key_id}"))
            state.pop("name", None)
        elif typ == "aws:kms/alias:Alias":
            # The name carries its "alias/" prefix; the ARN is arn:...:kms:<region>:<account>:alias/<rest>.
            target = str(_unwrap(inputs.get("targetKeyId")) or "")
            state.update(arn=arn(physical), targetKeyArn=target if target.startswith("arn:") else arn(f"key/{target}"))
        elif typ == "aws:appautoscaling/target:Target":
            state["id"] = _unwrap(inputs.get("resourceId")) or physical
            state["arn"] = arn(f"scalable-target/{_digest(typ, name, length=32)}")
            state.pop("name", None)
        elif typ == "aws:appautoscaling/policy:Policy":
            state["arn"] = arn(
                f"scalingPolicy:{_uuid(typ, name)}:resource/{_unwrap(inputs.get('serviceNamespace'))}/"
                f"{_unwrap(inputs.get('resourceId'))}:policyName/{physical}", "autoscaling")
        elif typ == "aws:route53/record:Record":
            state.update(id=f"{_unwrap(inputs.get('zoneId'))}_{physical}_{_unwrap(inputs.get('type'))}",
                         fqdn=str(physical).rstrip("."))
        elif typ == "aws:route53/zone:Zone":
            state["id"] = state["zoneId"] = "Z" + _digest(typ, name, length=20).upper()
            state["arn"] = f"arn:{partition}:route53:::hostedzone/{state['id']}"
        elif typ == "aws:wafv2/webAcl:WebAcl":
            waf_id = _uuid(typ, name)
            state.update(id=waf_id, arn=arn(f"regional/webacl/{physical}/{waf_id}"),
                         capacity=0, lockToken=_uuid(typ, name, "lock"))
        elif typ == "aws:wafv2/webAclAssociation:WebAclAssociation":
            state["id"] = f"{_unwrap(inputs.get('webAclArn'))},{_unwrap(inputs.get('resourceArn'))}"
        elif typ == "random:index/randomId:RandomId":
            # A change of keepers replaces a RandomId (new random bytes): the fabricated bytes follow them.
            keepers = inputs.get("keepers") or {}
            seed = f"{typ}/{name}" + "".join(f"/{k}={keepers[k]}" for k in sorted(keepers))
            raw = hashlib.sha256(seed.encode()).digest()[: int(inputs.get("byteLength") or 8)]
            b64url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            state = {**inputs, "id": b64url, "b64Url": b64url, "b64Std": base64.b64encode(raw).decode(),
                     "hex": raw.hex(), "dec": str(int.from_bytes(raw, "big"))}
        elif typ == "random:index/randomPassword:RandomPassword":
            state = {**inputs, "id": "none", "result": _secret("fabricated-" + _digest(name, length=24))}
        return state["id"], state


def _suffix(name: str) -> str:
    """The 6 random characters Secrets Manager appends to a secret's name in its ARN."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha256(f"secret/{name}".encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:6])


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
            id=(registration.id or None) if registration and request.custom else None,
            retain_on_delete=bool(request.retainOnDelete), depends_on=list(request.dependencies),
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


#: The event loop of the latest :func:`run_offline`, closed by the next one.
_last_loop: asyncio.AbstractEventLoop | None = None

#: Where Pulumi's Python SDK captures the stack trace of every resource registration (a
#: ``traceback.extract_stack()`` of the whole stack, turned into protobuf frames, so that the engine
#: can show where a resource was declared). A mock monitor never reads it; in an offline run it is
#: pure cost (about 1/10 of a plan). Private to Pulumi: see :func:`_without_stack_traces`.
STACK_TRACE_FUNCTION = ("pulumi.runtime.resource", "_get_stack_trace")


def stack_trace_capture() -> tuple[Any, Callable[[], Any]] | None:
    """Pulumi's module holding :data:`STACK_TRACE_FUNCTION` and a stand-in for the function that
    returns an empty stack trace; ``None`` when the SDK no longer has the function (or the
    ``StackTrace`` message it returns), and then nothing is replaced.

    ``tests/stacks/test_offline_fast_path.py`` fails, naming the function, when this returns ``None``.
    """
    import importlib

    module_name, function_name = STACK_TRACE_FUNCTION
    try:
        module = importlib.import_module(module_name)
        from pulumi.runtime.proto import source_pb2
    except ImportError:
        return None
    if not callable(getattr(module, function_name, None)) or not hasattr(source_pb2, "StackTrace"):
        return None
    empty = source_pb2.StackTrace
    return module, lambda: empty()


@contextmanager
def _without_stack_traces() -> Iterator[None]:
    """Inside: Pulumi registers resources without capturing a stack trace (offline runs only).

    The registration request then carries an empty stack trace and no source position, which only
    a real engine reads (for diagnostics); deploys never enter this context. The original
    function is restored on the way out, even on an error. When a Pulumi upgrade moved the
    function, this does nothing (the plan is only slower).
    """
    found = stack_trace_capture()
    if found is None:
        yield
        return
    module, empty_stack_trace = found
    with _swapped(module, STACK_TRACE_FUNCTION[1], empty_stack_trace):
        yield


#: Where Pulumi's mock monitor waits for a coroutine (the serialization of a resource's fabricated
#: state, of an invoke's result): this module-level function, which its methods call. Private to
#: Pulumi: see :func:`_inline_monitor`.
SYNC_AWAIT_FUNCTION = ("pulumi.runtime.mocks", "_sync_await")


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """The offline loop's default executor: each call runs at once, in the calling thread.

    Pulumi's SDK sends every monitor request (each resource registration, invoke, feature query)
    through ``loop.run_in_executor(None, ...)``, that is, to a pool of threads, because a real
    engine answers over gRPC. The mock monitor answers in microseconds: the pool's hand-offs
    (a thread wake-up, a second event loop per thread, a wake-up of the main loop) cost more than
    the answer. No thread is ever started.
    """

    def __init__(self) -> None:
        super().__init__(max_workers=1)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # delivered to the awaiting coroutine, as from a worker thread
            future.set_exception(exc)
        return future


def inline_monitor_seam() -> tuple[Any, Callable[[Any], Any]] | None:
    """Pulumi's module holding :data:`SYNC_AWAIT_FUNCTION`, and a stand-in for the function that
    runs a coroutine to its end at once when called in the thread of the running loop; ``None``
    when the mock monitor no longer calls that function, and then nothing is replaced.

    Pulumi's function, called from inside the running loop, pumps that loop re-entrantly (other
    tasks would run in the middle of a registration). The monitor's coroutines (serializing
    plain dicts and strings) never wait, so the stand-in drives them itself; should one wait
    after all, the rest of it goes to Pulumi's function. Outside a running loop (a worker thread,
    ``pulumi.runtime.test``'s outer wait) the stand-in is Pulumi's function.

    ``tests/stacks/test_inline_monitor.py`` fails, naming the function, when this returns ``None``.
    """
    import importlib

    module_name, function_name = SYNC_AWAIT_FUNCTION
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    original = getattr(module, function_name, None)
    monitor = getattr(module, "MockMonitor", None)
    methods = [getattr(getattr(monitor, m, None), "__code__", None) for m in ("RegisterResource", "Invoke")]
    if not callable(original) or any(code is None or function_name not in code.co_names for code in methods):
        return None

    def sync_await(awaitable: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return original(awaitable)
        steps = awaitable.__await__()
        try:
            waits_for = steps.send(None)
        except StopIteration as done:
            return done.value
        return original(_finish(steps, waits_for))

    return module, sync_await


async def _finish(steps: Any, waits_for: Any) -> Any:
    """The rest of a coroutine that :func:`inline_monitor_seam`'s stand-in started, now waiting
    for ``waits_for`` (a future, or ``None`` for a bare yield)."""
    while True:
        if waits_for is None:
            await asyncio.sleep(0)
        else:
            await asyncio.wait([waits_for])  # its outcome, a result or an error, goes to the coroutine
        try:
            waits_for = steps.send(None)
        except StopIteration as done:
            return done.value


@contextmanager
def _inline_monitor(loop: asyncio.AbstractEventLoop) -> Iterator[None]:
    """Inside: the mock monitor answers in the calling thread, on ``loop`` (offline runs only).

    ``loop``'s default executor, through which Pulumi calls the monitor, runs each call at once
    (:class:`_InlineExecutor`), and the monitor's waits finish without pumping the loop
    (:func:`inline_monitor_seam`). Deploys never enter this context; the executor is ``loop``'s,
    which the offline run owns. When a Pulumi upgrade moved the function, this does nothing (the
    plan is only slower, the monitor answering from the usual worker threads).
    """
    found = inline_monitor_seam()
    if found is None:
        yield
        return
    module, sync_await = found
    loop.set_default_executor(_InlineExecutor())
    with _swapped(module, SYNC_AWAIT_FUNCTION[1], sync_await):
        yield


#: Pulumi's check for unknown values, run each time an output's value is read (several times per
#: resource). Its recursive inner function refers to itself, so every call leaves a reference
#: cycle (the function and its closure cell) that only the cyclic garbage collector frees, and
#: plans run without it (``scaffold.plan_commands.offline_planning``): about 15 KiB per resource
#: by the end of a plan. Private to Pulumi: see :func:`unknowns_check`.
UNKNOWNS_FUNCTION = ("pulumi.runtime.rpc", "contains_unknowns")
#: The SHA-256 of the source of :data:`UNKNOWNS_FUNCTION` that :func:`_contains_unknowns`
#: reproduces (pulumi 3.272.0). Any other source (an upgrade changed it) turns the stand-in off.
UNKNOWNS_SOURCE_SHA256 = "1f1f335b6f48b96055607dbb5be2e53b1163e35ec88704c89a41271070017cc8"
_checked_sources: dict[Any, bool] = {}


def unknowns_check() -> tuple[Any, Callable[[Any], bool]] | None:
    """Pulumi's module holding :data:`UNKNOWNS_FUNCTION` and a stand-in with the same answers and
    no reference cycle (:func:`_contains_unknowns`); ``None`` when the function's source is not
    the one the stand-in reproduces (:data:`UNKNOWNS_SOURCE_SHA256`), and then nothing is replaced.

    ``tests/stacks/test_inline_monitor.py`` fails, naming the function, when this returns ``None``.
    """
    import importlib
    import inspect

    module_name, function_name = UNKNOWNS_FUNCTION
    try:
        module = importlib.import_module(module_name)
        function = getattr(module, function_name)
        if function not in _checked_sources:  # inspect reads the file: once per process
            digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()
            _checked_sources[function] = digest == UNKNOWNS_SOURCE_SHA256
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    if not _checked_sources[function] or not callable(getattr(module.known_types, "is_unknown", None)):
        return None
    return module, _contains_unknowns


def _contains_unknowns(val: Any) -> bool:
    """Whether ``val`` is or holds an unknown value: Pulumi's ``rpc.contains_unknowns``, without
    a nested function (a list or dict seen twice is looked at once, as there)."""
    return _holds_unknown(val, set())


def _holds_unknown(val: Any, seen_ids: set[int]) -> bool:
    if known_types.is_unknown(val):
        return True
    if id(val) in seen_ids:
        return False
    seen_ids.add(id(val))
    if isinstance(val, dict):
        return any(_holds_unknown(val[k], seen_ids) for k in val)
    if isinstance(val, list):
        return any(_holds_unknown(x, seen_ids) for x in val)
    return False


@contextmanager
def _without_unknowns_cycles() -> Iterator[None]:
    """Inside: Pulumi checks outputs for unknown values with :func:`_contains_unknowns` (offline
    runs only), restored on the way out, even on an error. Nothing changes when the function's
    source changed (the plan only holds more memory)."""
    found = unknowns_check()
    if found is None:
        yield
        return
    module, stand_in = found
    with _swapped(module, UNKNOWNS_FUNCTION[1], stand_in):
        yield


@contextmanager
def _swapped(module: Any, name: str, value: Any) -> Iterator[None]:
    """Inside: ``module.name`` is ``value``; the original is back on the way out, even on an error."""
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


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

    global _last_loop
    # Close the previous run's loop: an unclosed loop keeps its selector and self-pipe (3
    # descriptors) until the garbage collector finds it, and a process that plans many times
    # (the tests, several environments) ran out of select()-able descriptors. The last run's
    # loop stays current, so that its outputs can still be read after the run.
    if _last_loop is not None and not _last_loop.is_closed():
        _last_loop.close()
    loop = _last_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_all_config({"aws:region": region, **(config or {})})
    mocks = FabricatedAws(region=region)
    monitor = RecordingMonitor(mocks)
    settings.ROOT.set(None)
    exported: dict[str, Any] = {}

    def program_and_exports() -> Any:
        program()
        # pulumi.runtime.test never finishes the root stack, so its outputs are not registered
        # with the monitor: collect what the program exported here, secrets kept wrapped.
        root = pulumi.runtime.get_root_resource()
        outputs = dict(getattr(root, "outputs", {}) or {})
        return asyncio.ensure_future(_collect(outputs, exported))

    try:
        # From the root stack (set_mocks registers it) on; each lever is undone on the way out.
        with _without_stack_traces(), _inline_monitor(loop), _without_unknowns_cycles():
            pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
            pulumi.runtime.test(program_and_exports)()
    finally:
        # Join the loop's worker threads now (there are none when the monitor ran inline): left to
        # interpreter exit, they cost ~0.6 s.
        loop.run_until_complete(loop.shutdown_default_executor())
    return OfflineRun(resources=list(monitor.recorded), outputs=exported)


async def _collect(outputs: Mapping[str, Any], into: dict[str, Any]) -> None:
    for key, value in outputs.items():
        output = pulumi.Output.from_input(value)
        resolved = await output.future(with_unknowns=False)
        into[key] = _secret(resolved) if await output.is_secret() else resolved
