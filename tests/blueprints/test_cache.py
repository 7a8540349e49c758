"""Cache (ElastiCache) component: what the engine would receive, dev-like vs production-like."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from blueprints.base import StackContext
from blueprints.cache import AUTH_TOKEN_LENGTH, Cache, CacheSettings
from stacks.mocks import is_secret
from tests.blueprints.fakes import fake_network

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
PASSWORD = "random:index/randomPassword:RandomPassword"
SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SG = "aws:ec2/securityGroup:SecurityGroup"

DEV = CacheSettings()
PROD = CacheSettings(replicas=1, snapshot_retention_days=14, alarms=True, node="cache.r7g.large",
                     engine="valkey", version="8.0")
TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-prod-alarms"


def two_zones_as_output() -> Any:
    return pulumi.Output.from_input(["us-east-1a", "us-east-1b"])




def build(offline: Callable[..., Any], settings: CacheSettings, *,
          zones: int | Callable[[], Any] = 3, stack: str = "prod", topic: str | None = None,
          opts: Callable[[], pulumi.ResourceOptions] | None = None) -> Any:
    """Build ``sessions`` and export its link (outputs resolved) as ``link``."""
    def program() -> None:
        cache = Cache(
            "sessions", settings, context=StackContext(project="shop", environment=stack),
            network=fake_network(zones), alarm_topic_arn=topic, opts=opts() if opts else None,
        )
        link = cache.link()
        pulumi.export("link", {
            "environment": dict(link.environment), "secrets": dict(link.secrets),
            "secret_arns": list(link.secret_arns), "iam": list(link.iam_statements),
            "sg": link.security_group_id, "port": link.port,
        })
        pulumi.export("auth_token", cache.auth_token)
        pulumi.export("reader_host", cache.reader_host)
    return offline(program, stack=stack)


@pytest.fixture
def runs(offline: Callable[..., Any]) -> dict[str, Any]:
    """A dev-like run (2 AZs) and a production-like run (3 AZs, alarm topic), side by side."""
    return {
        "dev": build(offline, DEV, zones=2, stack="dev"),
        "prod": build(offline, PROD, zones=3, topic=TOPIC),
    }


def one(run: Any, typ: str) -> Any:
    [resource] = run.of_type(typ)
    return resource


def test_failover_multi_az_and_node_count(runs: dict[str, Any]) -> None:
    dev, prod = one(runs["dev"], GROUP).inputs, one(runs["prod"], GROUP).inputs
    assert (dev["numCacheClusters"], prod["numCacheClusters"]) == (1, 2)
    assert (dev["automaticFailoverEnabled"], prod["automaticFailoverEnabled"]) == (False, True)
    assert (dev["multiAzEnabled"], prod["multiAzEnabled"]) == (False, True)
    assert dev["preferredCacheClusterAzs"] == ["us-east-1a"]
    assert prod["preferredCacheClusterAzs"] == ["us-east-1a", "us-east-1b"]


def test_two_replicas_fill_three_azs(offline: Callable[..., Any]) -> None:
    group = one(build(offline, CacheSettings(replicas=2)), GROUP).inputs
    assert group["numCacheClusters"] == 3
    assert group["preferredCacheClusterAzs"] == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_engine_node_snapshots_and_encryption(runs: dict[str, Any]) -> None:
    dev, prod = one(runs["dev"], GROUP).inputs, one(runs["prod"], GROUP).inputs
    assert (dev["engine"], prod["engine"]) == ("redis", "valkey")
    assert "engineVersion" not in dev
    assert prod["engineVersion"] == "8.0"
    assert (dev["nodeType"], prod["nodeType"]) == ("cache.t4g.micro", "cache.r7g.large")
    assert (dev["snapshotRetentionLimit"], prod["snapshotRetentionLimit"]) == (0, 14)
    for group in (dev, prod):
        assert group["atRestEncryptionEnabled"] is True
        assert group["transitEncryptionEnabled"] is True
        assert group["port"] == 6379
    assert prod["replicationGroupId"] == "shop-prod-sessions"


def test_wired_to_subnet_group_and_security_group(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    group = one(run, GROUP).inputs
    subnets = one(run, "aws:elasticache/subnetGroup:SubnetGroup")
    assert subnets.inputs["subnetIds"] == ["subnet-priv0", "subnet-priv1", "subnet-priv2"]
    assert group["subnetGroupName"] == subnets.outputs["name"]
    assert group["securityGroupIds"] == [one(run, SG).outputs["id"]]


def test_security_group_has_no_ingress(runs: dict[str, Any]) -> None:
    for run in runs.values():
        sg = one(run, SG).inputs
        assert sg["vpcId"] == "vpc-0123"
        # No inline rules at all: links add standalone ingress rules, which an inline list would
        # revoke; the provider itself removes AWS's default allow-all egress rule at creation.
        assert "ingress" not in sg and "egress" not in sg
        assert not [r for r in run.resources if "IngressRule" in r.type]


def test_auth_token_is_a_secret_everywhere(runs: dict[str, Any]) -> None:
    for run in runs.values():
        password = one(run, PASSWORD)
        assert password.inputs["length"] == AUTH_TOKEN_LENGTH
        assert 32 <= AUTH_TOKEN_LENGTH <= 64
        assert password.inputs["special"] is False
        token = password.outputs["result"]["value"]
        group = one(run, GROUP).inputs
        assert is_secret(group["authToken"])
        assert group["authToken"]["value"] == token
        version = one(run, VERSION).inputs
        assert is_secret(version["secretString"])
        assert version["secretString"]["value"] == token
        secret = one(run, SECRET).outputs
        # The mock engine resolves a Secret's id to its name; real AWS to its ARN. Either works.
        assert version["secretId"] in (secret["name"], secret["arn"])
        assert is_secret(run.outputs["auth_token"])
        # The token appears nowhere unwrapped.
        for resource in run.resources:
            if resource.type != PASSWORD:
                assert token not in _plain_strings(resource.inputs), resource.name


def _plain_strings(value: Any) -> list[str]:
    if is_secret(value):
        return []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _plain_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _plain_strings(v)]
    return [value] if isinstance(value, str) else []


def test_alarms_per_node_only_with_alarms(runs: dict[str, Any]) -> None:
    assert runs["dev"].of_type(ALARM) == []
    alarms = [r.inputs for r in runs["prod"].of_type(ALARM)]
    assert sorted((a["metricName"], a["dimensions"]["CacheClusterId"]) for a in alarms) == [
        ("DatabaseMemoryUsagePercentage", "shop-prod-sessions-001"),
        ("DatabaseMemoryUsagePercentage", "shop-prod-sessions-002"),
        ("EngineCPUUtilization", "shop-prod-sessions-001"),
        ("EngineCPUUtilization", "shop-prod-sessions-002"),
        ("Evictions", "shop-prod-sessions-001"),
        ("Evictions", "shop-prod-sessions-002"),
    ]
    by_metric = {a["metricName"]: a for a in alarms}
    assert by_metric["EngineCPUUtilization"]["threshold"] == 80
    assert by_metric["DatabaseMemoryUsagePercentage"]["threshold"] == 80
    assert by_metric["Evictions"]["statistic"] == "Sum"
    for alarm in alarms:
        assert alarm["namespace"] == "AWS/ElastiCache"
        assert alarm["alarmActions"] == [TOPIC]


def test_link(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    link = run.outputs["link"]
    group = one(run, GROUP).outputs
    arn = one(run, SECRET).outputs["arn"]
    assert arn.startswith("arn:aws:secretsmanager:")
    assert link["environment"] == {
        "SESSIONS_HOST": group["primaryEndpointAddress"], "SESSIONS_PORT": "6379"}
    assert run.outputs["reader_host"] == group["readerEndpointAddress"]
    assert link["secrets"] == {"SESSIONS_AUTH_TOKEN": arn}
    assert link["secret_arns"] == [arn]
    assert link["iam"] == [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": arn}]
    assert link["sg"] == one(run, SG).outputs["id"]
    assert link["port"] == 6379


def test_more_replicas_than_azs_allow_is_refused(offline: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match=r"replicas=2 needs 3 distinct availability zones.*has 2"):
        build(offline, CacheSettings(replicas=2), zones=2)
    with pytest.raises(ValueError, match="replicas=2 needs 3"):
        build(offline, CacheSettings(replicas=2), zones=two_zones_as_output)


def test_opts_pass_through(offline: Callable[..., Any]) -> None:
    holder: dict[str, pulumi.ComponentResource] = {}

    def opts() -> pulumi.ResourceOptions:
        holder["parent"] = pulumi.ComponentResource("test:index:Holder", "holder")
        return pulumi.ResourceOptions(parent=holder["parent"])

    run = build(offline, DEV, opts=opts)
    component = one(run, "scaffold:blueprints:Cache")
    assert component.name == "sessions"
    assert component.parent == run.named("holder").urn
    children = [r for r in run.resources if r.custom]
    assert children and {r.parent for r in children} == {component.urn}


def test_every_taggable_resource_is_tagged(runs: dict[str, Any]) -> None:
    untaggable = {PASSWORD, VERSION}
    for stack, run in runs.items():
        taggable = [r for r in run.resources if r.custom and r.type not in untaggable]
        assert len(taggable) >= 4
        for resource in taggable:
            assert resource.inputs["tags"] == {
                "scaffold:project": "shop", "scaffold:environment": stack,
                "scaffold:component": "sessions"}, resource.name


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"engine": "Redis"}, "lowercase"),
    ({"replicas": 6}, "replicas must be 0 to 5"),
    ({"replicas": -1}, "replicas must be 0 to 5"),
    ({"snapshot_retention_days": 36}, "snapshot_retention_days"),
    ({"memory_alarm_threshold": 0}, "percentage"),
])
def test_settings_are_validated(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CacheSettings(**kwargs)


def test_auth_secret_name_is_a_prefix_so_a_redeploy_in_the_recovery_window_works(
        runs: dict[str, Any]) -> None:
    """A fixed name would collide with the deleted secret, which keeps its name for up to 30 days."""
    for stack, run in runs.items():
        secret = one(run, SECRET)
        assert "name" not in secret.inputs
        assert secret.inputs["namePrefix"] == f"shop-{stack}-sessions-auth-token-"
        # What AWS names it: the prefix and a unique id; the ARN and the link follow it.
        assert secret.outputs["name"].startswith(secret.inputs["namePrefix"])
        assert len(secret.outputs["name"]) <= 512
        assert secret.outputs["arn"].split(":secret:")[1].startswith(secret.outputs["name"] + "-")
        assert run.outputs["link"]["secrets"]["SESSIONS_AUTH_TOKEN"] == secret.outputs["arn"]


@pytest.mark.parametrize(("engine", "version", "ok"), [
    ("redis", "7.1", True), ("redis", "6.2", True), ("redis", "6.x", True), ("redis", "6.0", True),
    ("redis", "5.0.6", True), ("redis", "4.0.10", True),
    ("valkey", "8.0", True), ("valkey", "7.2", True), ("valkey", "8.1", True),
    ("redis", "7.1.0", False), ("redis", "6.2.6", False), ("valkey", "8.0.1", False), ("redis", "5.0", False),
    ("valkey", "6.2", False), ("redis", "7", False), ("redis", "latest", False), ("redis", "6.xyz", False),
    ("redis", "17.1", False), ("redis", "7.x", False),
])
def test_engine_versions_take_the_providers_form(engine: str, version: str, ok: bool) -> None:
    """engine_version.go: Redis OSS <6 <major>.<minor>.<patch>, 6 as 6.x or 6.<minor>, 7+ <major>.<minor>;
    Valkey <major>.<minor>. Anchored at both ends (the provider's own pattern lets 6.xyz and 17.1 by)."""
    problems = list(cache_problems_of(engine, version))
    assert (problems == []) is ok, problems
    if not ok:
        assert [p.field for p in problems] == ["version"]
        with pytest.raises(ValueError, match=r"not a .* version ElastiCache accepts"):
            CacheSettings(engine=engine, version=version)  # type: ignore[arg-type]


def cache_problems_of(engine: str, version: str) -> Any:
    from blueprints.cache.settings import version_problems

    return version_problems(engine, version)


@pytest.mark.parametrize(("version", "hint"), [
    ("7.1.0", "drop the patch number: '7.1'"),
    ("5.0", "Redis OSS before 6 takes <major>.<minor>.<patch>, e.g. '5.0.6'"),
])
def test_the_hint_gives_a_version_that_passes(version: str, hint: str) -> None:
    """Following the hint never leads to another refusal (5.0.6 -> '5.0' used to be refused)."""
    [problem] = cache_problems_of("redis", version)
    assert problem.hint == hint
    fixed = hint.split("'")[1]
    assert list(cache_problems_of("redis", fixed)) == []


@pytest.mark.parametrize("version", ["7.2", "8.0", "9.0", "3.2.10", "4.0.9"])
def test_redis_oss_versions_elasticache_does_not_offer_are_refused(version: str) -> None:
    """ElastiCache's Redis OSS line is 4.0.10 to 7.1; Valkey 7.2 and later succeed it
    (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html)."""
    [problem] = cache_problems_of("redis", version)
    assert problem.field == "version"
    assert "supported-engine-versions" in problem.source
    assert "valkey" in problem.hint
    assert list(cache_problems_of("valkey", "8.0")) == []


def test_replication_group_is_deleted_before_it_is_replaced(offline: Callable[..., Any]) -> None:
    """The replication group id is fixed: a replacement must delete the old group first."""
    recorded: dict[str, bool | None] = {}

    def record(args: pulumi.ResourceTransformationArgs) -> None:
        recorded[args.type_] = args.opts.delete_before_replace

    build(offline, PROD, opts=lambda: pulumi.ResourceOptions(transformations=[record]))
    assert recorded[GROUP] is True
    assert not recorded[SECRET]  # name_prefix: a new secret never collides with the old one


def test_patch_version_hint_names_the_fix() -> None:
    from blueprints.constraints import SettingsError

    with pytest.raises(SettingsError) as caught:
        CacheSettings(version="7.1.0", replicas=9)
    problems = {p.field: p for p in caught.value.problems}
    assert set(problems) == {"version", "replicas"}  # every problem at once
    assert problems["version"].hint == "drop the patch number: '7.1'"
    assert "elasticache/engine_version.go" in problems["version"].source


def test_link_variables_are_the_links_names(runs: dict[str, Any]) -> None:
    from blueprints.cache import link_variables

    link = runs["prod"].outputs["link"]
    actual = {**{n: "environment" for n in link["environment"]}, **{n: "secret" for n in link["secrets"]}}
    assert link_variables("sessions", PROD) == actual == {
        "SESSIONS_HOST": "environment", "SESSIONS_PORT": "environment", "SESSIONS_AUTH_TOKEN": "secret"}


def test_auth_token_length_is_one_elasticache_accepts() -> None:
    from blueprints.cache.settings import AUTH_TOKEN_LENGTH, AUTH_TOKEN_LENGTHS

    assert AUTH_TOKEN_LENGTH in AUTH_TOKEN_LENGTHS
