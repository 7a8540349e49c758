"""Plan fidelity: every reference in a plan shows the referenced resource's fabricated value.

``docs/plan.md`` promises that an input taking another resource's id or ARN shows that exact
resource's fabricated value, so a reviewer can follow the wiring. These tests walk the offline
runs of several specs (``examples/shop.yaml`` and ``tests/stacks/worst_case/*.yaml``, every
environment) and check every reference two ways:

* generically: every input string that looks like a fabricated id, ARN, URL, endpoint or a
  resource's logical name (inside JSON policy documents too) must be a value some *other*
  resource output, or derived from one (``<log group arn>:log-stream:*``, ``<bucket arn>/*``);
* by field: :data:`REFERENCES` says which output each reference input must equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from stacks.mocks import FABRICATED_ACCOUNT_ID, FabricatedAws, is_secret
from tests.stacks.plan_lint import Planned, plan_spec, worst_case_plans

EXAMPLE = Path(__file__).parents[2] / "examples" / "shop.yaml"

#: Reference inputs: (type, input path) -> (referenced type, the output it must equal).
#: ``[]`` iterates a list. Sources: the pulumi-aws API docs of each resource (what each input takes).
REFERENCES: Mapping[tuple[str, str], tuple[str, str]] = {
    ("aws:s3/bucketPolicy:BucketPolicy", "bucket"): ("aws:s3/bucket:Bucket", "id"),
    ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket"): ("aws:s3/bucket:Bucket", "id"),
    ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket"): ("aws:s3/bucket:Bucket", "id"),
    ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucket"):
        ("aws:s3/bucket:Bucket", "id"),
    ("aws:lb/loadBalancer:LoadBalancer", "accessLogs.bucket"): ("aws:s3/bucket:Bucket", "id"),
    ("aws:secretsmanager/secretVersion:SecretVersion", "secretId"): ("aws:secretsmanager/secret:Secret", "id"),
    ("aws:kms/alias:Alias", "targetKeyId"): ("aws:kms/key:Key", "id"),
    ("aws:sns/topic:Topic", "kmsMasterKeyId"): ("aws:kms/key:Key", "arn"),
    ("aws:rds/clusterInstance:ClusterInstance", "clusterIdentifier"): ("aws:rds/cluster:Cluster", "id"),
    ("aws:rds/clusterInstance:ClusterInstance", "dbSubnetGroupName"): ("aws:rds/subnetGroup:SubnetGroup", "name"),
    ("aws:rds/cluster:Cluster", "dbSubnetGroupName"): ("aws:rds/subnetGroup:SubnetGroup", "name"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", "subnetGroupName"):
        ("aws:elasticache/subnetGroup:SubnetGroup", "name"),
    ("aws:ec2/subnet:Subnet", "vpcId"): ("aws:ec2/vpc:Vpc", "id"),
    ("aws:ec2/securityGroup:SecurityGroup", "vpcId"): ("aws:ec2/vpc:Vpc", "id"),
    ("aws:ec2/routeTable:RouteTable", "vpcId"): ("aws:ec2/vpc:Vpc", "id"),
    ("aws:ec2/routeTableAssociation:RouteTableAssociation", "subnetId"): ("aws:ec2/subnet:Subnet", "id"),
    ("aws:ec2/routeTableAssociation:RouteTableAssociation", "routeTableId"): ("aws:ec2/routeTable:RouteTable", "id"),
    ("aws:ec2/route:Route", "routeTableId"): ("aws:ec2/routeTable:RouteTable", "id"),
    ("aws:ec2/route:Route", "gatewayId"): ("aws:ec2/internetGateway:InternetGateway", "id"),
    ("aws:ec2/route:Route", "natGatewayId"): ("aws:ec2/natGateway:NatGateway", "id"),
    ("aws:ec2/natGateway:NatGateway", "allocationId"): ("aws:ec2/eip:Eip", "id"),
    ("aws:ec2/natGateway:NatGateway", "subnetId"): ("aws:ec2/subnet:Subnet", "id"),
    ("aws:ec2/flowLog:FlowLog", "iamRoleArn"): ("aws:iam/role:Role", "arn"),
    ("aws:ec2/flowLog:FlowLog", "logDestination"): ("aws:cloudwatch/logGroup:LogGroup", "arn"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "securityGroupId"):
        ("aws:ec2/securityGroup:SecurityGroup", "id"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "referencedSecurityGroupId"):
        ("aws:ec2/securityGroup:SecurityGroup", "id"),
    ("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "securityGroupId"):
        ("aws:ec2/securityGroup:SecurityGroup", "id"),
    ("aws:iam/rolePolicy:RolePolicy", "role"): ("aws:iam/role:Role", "id"),
    ("aws:ecs/service:Service", "cluster"): ("aws:ecs/cluster:Cluster", "arn"),
    ("aws:ecs/service:Service", "taskDefinition"): ("aws:ecs/taskDefinition:TaskDefinition", "arn"),
    ("aws:ecs/service:Service", "loadBalancers[].targetGroupArn"): ("aws:lb/targetGroup:TargetGroup", "arn"),
    ("aws:ecs/taskDefinition:TaskDefinition", "executionRoleArn"): ("aws:iam/role:Role", "arn"),
    ("aws:ecs/taskDefinition:TaskDefinition", "taskRoleArn"): ("aws:iam/role:Role", "arn"),
    ("aws:lb/listener:Listener", "loadBalancerArn"): ("aws:lb/loadBalancer:LoadBalancer", "arn"),
    ("aws:lb/listener:Listener", "certificateArn"): ("aws:acm/certificate:Certificate", "arn"),
    ("aws:lb/listener:Listener", "defaultActions[].targetGroupArn"): ("aws:lb/targetGroup:TargetGroup", "arn"),
    ("aws:acm/certificateValidation:CertificateValidation", "certificateArn"):
        ("aws:acm/certificate:Certificate", "arn"),
    ("aws:sns/topicSubscription:TopicSubscription", "topic"): ("aws:sns/topic:Topic", "arn"),
    ("aws:sns/topicPolicy:TopicPolicy", "arn"): ("aws:sns/topic:Topic", "arn"),
    ("aws:sqs/queuePolicy:QueuePolicy", "queueUrl"): ("aws:sqs/queue:Queue", "url"),
    ("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "queueUrl"): ("aws:sqs/queue:Queue", "url"),
    ("aws:appautoscaling/policy:Policy", "resourceId"): ("aws:appautoscaling/target:Target", "id"),
    ("aws:cloudwatch/metricAlarm:MetricAlarm", "alarmActions[]"): ("aws:sns/topic:Topic", "arn"),
}

#: Fabricated ids: EC2 ``<prefix>-<17 hex>`` and UUIDs (KMS keys, WAF ACLs).
EC2_ID = re.compile(r"\b(?:vpc|subnet|sg|igw|nat|rtb|rtbassoc|eipalloc|vpce|fl|sgr)-[0-9a-f]{17}\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b")
#: A fabricated endpoint host: ``<name>.<digest>.<region>.rds|cache|elb.amazonaws.com[.cn]``.
ENDPOINT = re.compile(r"\.[a-z]{2}(-gov)?-[a-z]+-\d\.(rds|cache|elb)\.amazonaws\.com(\.cn)?$")
#: An ARN whose resource is only a type wildcard (``…:alarm:*``, ``…:vpc-flow-log/*``) names no resource.
TYPE_WILDCARD = re.compile(r"arn:[^:]+:[^:]+:[^:]*:[^:]*:[a-z-]+[:/]\*")


def _plans() -> list[Planned]:
    return [*plan_spec(EXAMPLE), *worst_case_plans()]


@pytest.fixture(scope="module")
def plans() -> list[Planned]:
    return _plans()


def _leaves(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(path, string) for every string in an input, JSON documents decoded."""
    if is_secret(node):
        return
    if isinstance(node, str):
        if node[:1] in "[{":
            try:
                yield from _leaves(json.loads(node), where)
                return
            except ValueError:
                pass
        yield where, node
    elif isinstance(node, Mapping):
        for k, v in node.items():
            yield from _leaves(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, f"{where}[{i}]")


def _at(node: Any, path: str) -> Iterator[Any]:
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    if not isinstance(node, Mapping) or key not in node:
        return
    values = node[key] if head.endswith("[]") and isinstance(node[key], list) else [node[key]]
    for value in values:
        if rest:
            yield from _at(value, rest)
        else:
            yield value


def _fabricated(r: Any) -> set[str]:
    """What a resource outputs of its own: its engine id, its name, and every output the mock made
    up (not an echo of an input, which may itself be a reference)."""
    values = {r.id} if r.id else set()
    for key, value in r.outputs.items():
        if key in ("name", "bucket") or key not in r.inputs or r.inputs[key] != value:
            values |= {text for _, text in _leaves(value)}
    return values


def _user_values(blueprint: Any) -> set[str]:
    """Values the spec itself gives (secret ARNs, images, domains): references the plan may name as is."""
    return {text for _, text in _leaves(json.loads(blueprint.model_dump_json()))}


def _dangling(planned: Planned) -> list[str]:
    custom = [r for r in planned.run.resources if r.custom]
    produced: dict[str, set[str]] = {}
    for r in custom:
        for value in _fabricated(r):
            produced.setdefault(value, set()).add(r.urn)
    logical = {r.name for r in custom}
    user = _user_values(planned.blueprint)
    arns = sorted((v for v in produced if v.startswith("arn:")), key=len, reverse=True)
    problems = []

    # The last segment of each produced value: a resource id inside a derived ARN
    # (an RDS proxy's prx-… in an rds-db:connect ARN, a cluster's resource id).
    tokens: dict[str, set[str]] = {}
    for value, urns in produced.items():
        for token in (value, re.split(r"[:/]", value)[-1]):
            if len(token) >= 8:
                tokens.setdefault(token, set()).update(urns)

    def ok(value: str, urn: str) -> bool:
        if value in user or produced.get(value, set()) - {urn}:
            return True
        if not value.startswith("arn:"):
            return False
        if TYPE_WILDCARD.fullmatch(value) or value.endswith(f":{FABRICATED_ACCOUNT_ID}:root"):
            return True
        # derived: <arn>/..., <arn>:..., e.g. a log group's streams or a bucket's objects
        if any(value.startswith((a + "/", a + ":")) and produced[a] - {urn} for a in arns):
            return True
        _, _, service, region, account, resource = value.split(":", 5)
        if any(tokens.get(segment, set()) - {urn} for segment in re.split(r"[:/]", resource)):
            return True
        if service == "events" and resource == "rule/StepFunctionsGetEventsForECSTaskRule":
            # The rule Step Functions manages for runTask.sync in each account and region; a job's
            # state machine role needs events:PutTargets/PutRule/DescribeRule on it.
            # https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html
            return account == FABRICATED_ACCOUNT_ID
        if service == "ecr":  # the repository of the spec's image (an image in ECR)
            repo = resource.removeprefix("repository/")
            return any(f"{account}.dkr.ecr.{region}." in u and f"/{repo}:" in u for u in user)
        return False

    for r in custom:
        for where, text in _leaves(r.inputs):
            if text.startswith(("arn:", "https://sqs.")) or ENDPOINT.search(text) \
                    or EC2_ID.fullmatch(text) or UUID.fullmatch(text):
                candidates = {text}
            else:
                candidates = set(EC2_ID.findall(text)) | set(UUID.findall(text))
            if text in logical and text != r.name and text not in produced:
                candidates.add(text)
            for value in sorted(candidates):
                if value.startswith("arn:") and f":{FABRICATED_ACCOUNT_ID}:" not in value \
                        and ":s3:::" not in value:
                    continue  # another account's ARN (an AWS service principal), not fabricated here
                if not ok(value, r.urn):
                    problems.append(f"{planned.label} {r.type} {r.name}: {where} = {value!r} "
                                    "is not a value any other resource output")
    return problems


def test_every_reference_is_a_value_another_resource_output(plans: list[Planned]) -> None:
    problems = [p for planned in plans for p in _dangling(planned)]
    assert not problems, "\n".join(problems)


def test_every_reference_input_equals_the_referenced_output(plans: list[Planned]) -> None:
    problems, used = [], set()
    for planned in plans:
        by_type: dict[str, list[Any]] = {}
        for r in planned.run.resources:
            by_type.setdefault(r.type, []).append(r)
        for (typ, path), (target, attribute) in REFERENCES.items():
            expected = {(t.id if attribute == "id" else t.outputs.get(attribute)) for t in by_type.get(target, [])}
            for r in by_type.get(typ, []):
                for value in _at(r.inputs, path):
                    used.add((typ, path))
                    if value not in expected:
                        problems.append(f"{planned.label} {typ} {r.name}: {path} = {value!r}, "
                                        f"not the {attribute} of any {target}: {sorted(map(str, expected))}")
    assert not problems, "\n".join(problems)
    # Every reference above occurs in at least one plan: the table does not rot silently.
    assert used >= set(REFERENCES) - {("aws:lb/loadBalancer:LoadBalancer", "accessLogs.bucket")}, \
        sorted(set(REFERENCES) - used)


def test_the_plan_shows_the_id_dependents_receive(plans: list[Planned]) -> None:
    for planned in plans:
        by_urn = {r.urn: r for r in planned.run.resources}
        for r in planned.plan.aws_resources:
            assert r.id == by_urn[r.urn].id == by_urn[r.urn].outputs["id"], (planned.label, r.type, r.name)


# -- the four known breaks (issue 7), each on its own -----------------------------------------------
def _pairs(planned: Planned, typ: str, dependent: str, suffix: str = "") -> list[tuple[Any, Any]]:
    """Each ``dependent`` resource with the ``typ`` resource it belongs to, by logical name.

    A plan may hold several of each (two topics, two caches); registration order is not
    fixed, so pairing by position would be flaky.
    """
    owners = {r.name: r for r in planned.run.resources if r.type == typ}

    def owner(name: str) -> Any:
        stem = name.removesuffix(suffix)
        # A bucket component's bucket is <component>-bucket; its policy is <component>-policy.
        return owners[stem] if stem in owners else owners[f"{stem}-bucket"]

    found = [(owner(r.name), r) for r in planned.run.resources if r.type == dependent]
    assert found
    return found


def _with(plans: list[Planned], typ: str) -> Planned:
    return next(p for p in plans if any(r.type == typ for r in p.run.resources))


def test_bucket_policy_names_the_bucket_not_its_logical_name(plans: list[Planned]) -> None:
    planned = _with(plans, "aws:s3/bucketPolicy:BucketPolicy")
    for bucket, policy in _pairs(planned, "aws:s3/bucket:Bucket", "aws:s3/bucketPolicy:BucketPolicy", "-policy"):
        assert bucket.id == bucket.inputs["bucket"]  # an S3 bucket's id is its name
        assert policy.inputs["bucket"] == bucket.id != bucket.name


def test_secret_version_names_the_secret_by_its_id_which_is_its_arn(plans: list[Planned]) -> None:
    planned = _with(plans, "aws:secretsmanager/secretVersion:SecretVersion")
    for secret, version in _pairs(planned, "aws:secretsmanager/secret:Secret",
                                  "aws:secretsmanager/secretVersion:SecretVersion"):
        assert secret.id == secret.outputs["arn"]
        assert re.fullmatch(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}", secret.id)
        assert version.inputs["secretId"] == secret.id


def test_kms_alias_targets_the_key_id(plans: list[Planned]) -> None:
    planned = _with(plans, "aws:kms/alias:Alias")
    keys = {r.name: r for r in planned.run.resources if r.type == "aws:kms/key:Key"}
    aliases = [r for r in planned.run.resources if r.type == "aws:kms/alias:Alias"]
    assert aliases and len(keys) == len(aliases)
    for alias in aliases:  # each topic's alias and key share a logical name; pair them by it
        key = keys[alias.name]
        assert UUID.fullmatch(key.id) and key.outputs["keyId"] == key.id
        assert key.outputs["arn"].endswith(f":key/{key.id}")
        assert alias.inputs["targetKeyId"] == key.id
        assert alias.outputs["targetKeyArn"] == key.outputs["arn"]


def test_kms_alias_arn_has_alias_once() -> None:
    _, state = FabricatedAws(region="eu-west-1").fabricate(
        "aws:kms/alias:Alias", "alerts-key", {"name": "alias/shop-prod-alerts", "targetKeyId": "k"})
    assert state["arn"] == "arn:aws:kms:eu-west-1:123456789012:alias/shop-prod-alerts"
    assert state["id"] == "alias/shop-prod-alerts"


@pytest.mark.parametrize(("region", "partition"), [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"),
                                                   ("eu-west-1", "aws")])
def test_fabricated_arns_are_in_the_region_s_partition(region: str, partition: str) -> None:
    mocks = FabricatedAws(region=region)
    _, state = mocks.fabricate("aws:sqs/queue:Queue", "q", {"name": "shop-dev-jobs"})
    assert state["arn"] == f"arn:{partition}:sqs:{region}:123456789012:shop-dev-jobs"
    _, role = mocks.fabricate("aws:iam/role:Role", "r", {"name": "shop-dev-api-exec"})
    assert role["arn"] == f"arn:{partition}:iam::123456789012:role/shop-dev-api-exec"  # IAM has no region
