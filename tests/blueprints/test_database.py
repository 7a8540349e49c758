"""Database (Aurora) component: what the engine would receive, dev-like vs production-like."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from blueprints.base import StackContext
from blueprints.database import Database, DatabaseSettings, ServerlessCapacity
from stacks.mocks import is_secret
from tests.blueprints.fakes import fake_network

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SG = "aws:ec2/securityGroup:SecurityGroup"
RANDOM_ID = "random:index/randomId:RandomId"
PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
PROXY = "aws:rds/proxy:Proxy"
ROLE = "aws:iam/role:Role"

DEV = DatabaseSettings()
PROD = DatabaseSettings(
    replicas=1, deletion_protection=True, final_snapshot=True, backup_retention_days=14,
    alarms=True, instance="db.r7g.large",
)
TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-prod-alarms"


def zones_from_invoke() -> Any:
    """AZ names as an Output, as a network built in the same program gives them."""
    return aws.get_availability_zones_output().names


def two_zones_as_output() -> Any:
    return pulumi.Output.from_input(["us-east-1a", "us-east-1b"])




def build(offline: Callable[..., Any], settings: DatabaseSettings, *,
          zones: int | Callable[[], Any] = 3, stack: str = "prod", topic: str | None = None,
          opts: Callable[[], pulumi.ResourceOptions] | None = None) -> Any:
    """Build ``orders-db`` and export its link (outputs resolved) as ``link``."""
    def program() -> None:
        db = Database(
            "orders-db", settings, context=StackContext(project="shop", environment=stack),
            network=fake_network(zones), alarm_topic_arn=topic, opts=opts() if opts else None,
        )
        link = db.link()
        pulumi.export("link", {
            "environment": dict(link.environment), "secrets": dict(link.secrets),
            "secret_arns": list(link.secret_arns), "iam": list(link.iam_statements),
            "sg": link.security_group_id, "port": link.port, "secret_arn": db.secret_arn,
            "connect": db.iam_connect_statement("reporting"),
        })
    return offline(program, stack=stack)


@pytest.fixture
def runs(offline: Callable[..., Any]) -> dict[str, Any]:
    """A dev-like run (2 AZs) and a production-like run (3 AZs, alarm topic), side by side."""
    return {
        "dev": build(offline, DEV, zones=2, stack="dev"),
        "prod": build(offline, PROD, zones=3, topic=TOPIC),
    }


def instances(run: Any) -> list[dict[str, Any]]:
    """Cluster instance inputs, writer first (registration order is not creation order)."""
    return [r.inputs for r in sorted(run.of_type(INSTANCE), key=lambda r: r.name)]


def one(run: Any, typ: str) -> Any:
    [resource] = run.of_type(typ)
    return resource


def walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (key path, leaf) in a nested wire value; secrets are leaves."""
    if is_secret(value):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in walk(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in walk(v, f"{path}[{i}]")]
    return [(path, value)]


def test_cluster_dev_vs_prod(runs: dict[str, Any]) -> None:
    dev, prod = one(runs["dev"], CLUSTER).inputs, one(runs["prod"], CLUSTER).inputs
    for c in (dev, prod):
        assert c["engine"] == "aurora-postgresql"
        assert c["engineVersion"] == "16.6"
        assert c["storageEncrypted"] is True
        assert c["manageMasterUserPassword"] is True
        assert c["iamDatabaseAuthenticationEnabled"] is True
        assert c["copyTagsToSnapshot"] is True
        assert c["enabledCloudwatchLogsExports"] == ["postgresql"]
        assert c["databaseName"] == "app"
        assert c["port"] == 5432
        assert "serverlessv2ScalingConfiguration" not in c
    assert (dev["backupRetentionPeriod"], prod["backupRetentionPeriod"]) == (1, 14)
    assert (dev["deletionProtection"], prod["deletionProtection"]) == (False, True)
    assert (dev["skipFinalSnapshot"], prod["skipFinalSnapshot"]) == (True, False)
    assert "finalSnapshotIdentifier" not in dev
    suffix = one(runs["prod"], RANDOM_ID)
    assert suffix.inputs["byteLength"] == 4
    assert prod["finalSnapshotIdentifier"] == f"shop-prod-orders-db-final-{suffix.outputs['hex']}"
    assert not runs["dev"].of_type(RANDOM_ID)
    assert prod["clusterIdentifier"] == "shop-prod-orders-db"
    assert dev["clusterIdentifier"] == "shop-dev-orders-db"


def test_cluster_is_wired_to_its_subnet_group_and_security_group(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    cluster = one(run, CLUSTER).inputs
    subnets = one(run, "aws:rds/subnetGroup:SubnetGroup")
    assert subnets.inputs["subnetIds"] == ["subnet-priv0", "subnet-priv1", "subnet-priv2"]
    assert cluster["dbSubnetGroupName"] == subnets.outputs["name"]
    assert cluster["vpcSecurityGroupIds"] == [one(run, SG).outputs["id"]]


def test_security_group_has_no_ingress(runs: dict[str, Any]) -> None:
    for run in runs.values():
        sg = one(run, SG).inputs
        assert sg["vpcId"] == "vpc-0123"
        # No inline rules at all: links add standalone ingress rules, which an inline list would
        # revoke; the provider itself removes AWS's default allow-all egress rule at creation.
        assert "ingress" not in sg and "egress" not in sg
        assert not [r for r in run.resources if "IngressRule" in r.type]


def test_production_has_writer_and_reader_in_distinct_azs(runs: dict[str, Any]) -> None:
    prod = instances(runs["prod"])
    assert [i["availabilityZone"] for i in prod] == ["us-east-1a", "us-east-1b"]
    assert [i["promotionTier"] for i in prod] == [0, 1]
    assert [i["identifier"] for i in prod] == ["shop-prod-orders-db-1", "shop-prod-orders-db-2"]
    dev = instances(runs["dev"])
    assert [(i["availabilityZone"], i["promotionTier"]) for i in dev] == [("us-east-1a", 0)]
    for i in prod + dev:
        assert i["publiclyAccessible"] is False
        assert i["engine"] == "aurora-postgresql"
        assert i["performanceInsightsEnabled"] is False
    assert {i["instanceClass"] for i in prod} == {"db.r7g.large"}
    assert dev[0]["instanceClass"] == "db.t4g.medium"
    cluster_id = one(runs["prod"], CLUSTER).outputs["id"]
    assert {i["clusterIdentifier"] for i in prod} == {cluster_id}


def test_three_readers_spread_over_four_azs(offline: Callable[..., Any]) -> None:
    run = build(offline, DatabaseSettings(replicas=3), zones=4)
    placed = instances(run)
    assert [i["availabilityZone"] for i in placed] == [
        "us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]
    assert [i["promotionTier"] for i in placed] == [0, 1, 2, 3]


def test_serverless_v2(offline: Callable[..., Any]) -> None:
    settings = DatabaseSettings(serverless=ServerlessCapacity(min=0.5, max=8), instance=None,
                                replicas=1)
    run = build(offline, settings)
    assert one(run, CLUSTER).inputs["serverlessv2ScalingConfiguration"] == {
        "minCapacity": 0.5, "maxCapacity": 8}
    assert one(run, CLUSTER).inputs["engineMode"] == "provisioned"
    assert {r.inputs["instanceClass"] for r in run.of_type(INSTANCE)} == {"db.serverless"}


def test_no_input_holds_a_password(runs: dict[str, Any]) -> None:
    for run in runs.values():
        assert not run.of_type("random:index/randomPassword:RandomPassword")
        for resource in run.resources:
            for path, _ in walk(resource.inputs):
                key = path.rsplit(".", 1)[-1].lower()
                assert "password" not in key or key == "managemasteruserpassword", (
                    resource.name, path)
        assert "masterPassword" not in one(run, CLUSTER).inputs


def test_alarms_only_in_production_and_replica_lag_only_with_readers(
        runs: dict[str, Any], offline: Callable[..., Any]) -> None:
    assert runs["dev"].of_type(ALARM) == []
    prod = {r.inputs["metricName"]: r.inputs for r in runs["prod"].of_type(ALARM)}
    assert set(prod) == {"CPUUtilization", "FreeableMemory", "AuroraReplicaLag"}
    assert prod["FreeableMemory"]["comparisonOperator"] == "LessThanThreshold"
    assert prod["FreeableMemory"]["threshold"] == 256 * 1024 * 1024
    assert prod["CPUUtilization"]["threshold"] == 80
    assert prod["AuroraReplicaLag"]["threshold"] == 2000  # ms
    for alarm in prod.values():
        assert alarm["namespace"] == "AWS/RDS"
        assert alarm["dimensions"] == {"DBClusterIdentifier": "shop-prod-orders-db"}
        assert alarm["alarmActions"] == [TOPIC]
    without_readers = build(offline, DatabaseSettings(alarms=True), zones=2)
    assert {r.inputs["metricName"] for r in without_readers.of_type(ALARM)} == {
        "CPUUtilization", "FreeableMemory"}


def test_link_without_proxy(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    link = run.outputs["link"]
    cluster = one(run, CLUSTER).outputs
    arn = cluster["masterUserSecrets"][0]["secretArn"]
    assert link["secret_arn"] == arn
    assert link["environment"] == {
        "ORDERS_DB_HOST": cluster["endpoint"],
        "ORDERS_DB_READER_HOST": cluster["readerEndpoint"],
        "ORDERS_DB_PORT": "5432",
        "ORDERS_DB_NAME": "app",
        "ORDERS_DB_AUTH": "password",
        "ORDERS_DB_SECRET_ARN": arn,  # the app re-reads the secret by ARN after a rotation
    }
    assert link["secrets"] == {
        "ORDERS_DB_USERNAME": f"{arn}:username::",
        "ORDERS_DB_PASSWORD": f"{arn}:password::",
    }
    assert link["secret_arns"] == [arn]
    assert link["iam"] == [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": arn}]
    assert link["sg"] == one(run, SG).outputs["id"]
    assert link["port"] == 5432
    assert link["connect"]["Action"] == ["rds-db:connect"]
    assert link["connect"]["Resource"] == (
        f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{cluster['clusterResourceId']}/reporting")


def test_mysql(offline: Callable[..., Any]) -> None:
    run = build(offline, DatabaseSettings(engine="mysql", version="8.0.mysql_aurora.3.08.0"))
    cluster = one(run, CLUSTER).inputs
    assert cluster["engine"] == "aurora-mysql"
    assert cluster["port"] == 3306
    assert cluster["enabledCloudwatchLogsExports"] == ["audit", "error", "general", "slowquery"]
    assert run.outputs["link"]["environment"]["ORDERS_DB_PORT"] == "3306"
    assert {r.inputs["engine"] for r in run.of_type(INSTANCE)} == {"aurora-mysql"}


def test_more_replicas_than_azs_allow_is_refused(offline: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match=r"replicas=2 needs 3 distinct availability zones.*has 2"):
        build(offline, DatabaseSettings(replicas=2), zones=2)


def test_zones_from_an_output_are_checked_at_deployment(offline: Callable[..., Any]) -> None:
    run = build(offline, DatabaseSettings(replicas=2), zones=zones_from_invoke)
    assert [i["availabilityZone"] for i in instances(run)] == [
        "us-east-1a", "us-east-1b", "us-east-1c"]
    with pytest.raises(ValueError, match="replicas=2 needs 3"):
        build(offline, DatabaseSettings(replicas=2), zones=two_zones_as_output)


def test_opts_pass_through(offline: Callable[..., Any]) -> None:
    holder: dict[str, pulumi.ComponentResource] = {}

    def opts() -> pulumi.ResourceOptions:
        holder["parent"] = pulumi.ComponentResource("test:index:Holder", "holder")
        return pulumi.ResourceOptions(parent=holder["parent"])

    run = build(offline, DEV, opts=opts)
    component = one(run, "scaffold:blueprints:Database")
    assert component.name == "orders-db"
    assert component.parent == run.named("holder").urn
    children = [r for r in run.resources if r.custom]
    assert children and {r.parent for r in children} == {component.urn}


def test_every_taggable_resource_is_tagged(runs: dict[str, Any]) -> None:
    untaggable = {RANDOM_ID}
    for stack, run in runs.items():
        custom = [r for r in run.resources if r.custom and r.type not in untaggable]
        assert len(custom) >= 4
        for resource in custom:
            assert resource.inputs["tags"] == {
                "scaffold:project": "shop", "scaffold:environment": stack,
                "scaffold:component": "orders-db"}, resource.name


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"engine": "mysql"}, "not an Aurora mysql version"),
    ({"version": "8.0.mysql_aurora.3.08.0"}, "not an Aurora postgres version"),
    ({"instance": None}, "instance class or serverless"),
    ({"replicas": 16}, "replicas must be 0 to 15"),
    ({"backup_retention_days": 0}, "backup_retention_days"),
    ({"database": "1app"}, "database name"),
    ({"cpu_alarm_threshold": 120}, "percentage"),
])
def test_settings_are_validated(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DatabaseSettings(**kwargs)


@pytest.mark.parametrize(("low", "high"), [(-1, 4), (0.3, 4), (4, 2), (0, 0.5), (1, 300)])
def test_serverless_capacity_is_validated(low: float, high: float) -> None:
    with pytest.raises(ValueError, match="capacity"):
        ServerlessCapacity(min=low, max=high)


def test_iam_connect_statement_needs_iam_auth(offline: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="iam_auth is off"):
        build(offline, DatabaseSettings(iam_auth=False))


def test_resource_names(runs: dict[str, Any]) -> None:
    assert sorted(r.name for r in runs["prod"].resources) == sorted([
        "orders-db", "orders-db-subnets", "orders-db-sg", "orders-db-params", "orders-db-final-snapshot",
        "orders-db-cluster",
        "orders-db-instance-1", "orders-db-instance-2",
        "orders-db-alarm-cpu", "orders-db-alarm-freeable-memory", "orders-db-alarm-replica-lag",
    ])


# -- RDS Proxy: credentials that survive rotation -------------------------------------------------

PROXIED = DatabaseSettings(replicas=1, proxy=True, instance="db.r7g.large", final_snapshot=True)


def policy(document: str) -> dict[str, Any]:
    import json

    return dict(json.loads(document))


def test_proxy_signs_in_with_the_rotating_secret_and_requires_iam_and_tls(
        offline: Callable[..., Any]) -> None:
    run = build(offline, PROXIED)
    cluster = one(run, CLUSTER).outputs
    secret_arn = cluster["masterUserSecrets"][0]["secretArn"]
    proxy = one(run, PROXY)
    assert proxy.inputs["name"] == "shop-prod-orders-db-proxy"
    assert proxy.inputs["engineFamily"] == "POSTGRESQL"
    assert proxy.inputs["requireTls"] is True
    assert proxy.inputs["auths"] == [{
        "authScheme": "SECRETS", "iamAuth": "REQUIRED", "secretArn": secret_arn,
        "description": "Master user of database orders-db, rotated by RDS"}]
    assert proxy.inputs["vpcSubnetIds"] == ["subnet-priv0", "subnet-priv1", "subnet-priv2"]
    [role] = [r for r in run.of_type(ROLE) if r.name == "orders-db-proxy"]
    assert proxy.inputs["roleArn"] == role.outputs["arn"]
    trust = policy(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"},
                      "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]
    [reads] = run.of_type("aws:iam/rolePolicy:RolePolicy")
    assert reads.inputs["role"] == role.outputs["id"]
    assert policy(reads.inputs["policy"])["Statement"] == [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": secret_arn}]
    group = one(run, "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
    target = one(run, "aws:rds/proxyTarget:ProxyTarget")
    assert group.inputs["dbProxyName"] == target.inputs["dbProxyName"] == proxy.outputs["name"]
    assert target.inputs["targetGroupName"] == group.outputs["name"]
    assert target.inputs["dbClusterIdentifier"] == cluster["clusterIdentifier"]
    reader = one(run, "aws:rds/proxyEndpoint:ProxyEndpoint")
    assert reader.inputs["targetRole"] == "READ_ONLY"
    assert reader.inputs["dbProxyEndpointName"] == "shop-prod-orders-db-ro"


def test_proxy_has_its_own_security_group_and_only_it_reaches_the_cluster(
        offline: Callable[..., Any]) -> None:
    run = build(offline, PROXIED)
    groups = {r.name: r for r in run.of_type(SG)}
    cluster_sg, proxy_sg = groups["orders-db-sg"], groups["orders-db-proxy-sg"]
    assert one(run, PROXY).inputs["vpcSecurityGroupIds"] == [proxy_sg.outputs["id"]]
    # Its rules are all standalone: an inline egress=[] would make the provider revoke the
    # proxy-to-cluster rule below on the next update, cutting the proxy off from the cluster.
    assert "egress" not in proxy_sg.inputs and "ingress" not in proxy_sg.inputs
    [ingress] = run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert (ingress.inputs["securityGroupId"], ingress.inputs["referencedSecurityGroupId"]) == (
        cluster_sg.outputs["id"], proxy_sg.outputs["id"])
    [egress] = run.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert (egress.inputs["securityGroupId"], egress.inputs["referencedSecurityGroupId"]) == (
        proxy_sg.outputs["id"], cluster_sg.outputs["id"])
    for rule in (ingress, egress):
        assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (5432, 5432, "tcp")
    # APIs that use the database get their ingress rule on the proxy's group.
    assert run.outputs["link"]["sg"] == proxy_sg.outputs["id"]


def test_link_with_proxy_gives_no_password_and_iam_connect_on_the_proxy(offline: Callable[..., Any]) -> None:
    run = build(offline, PROXIED)
    link = run.outputs["link"]
    proxy = one(run, PROXY).outputs
    reader = one(run, "aws:rds/proxyEndpoint:ProxyEndpoint").outputs
    # No ORDERS_DB_SECRET_ARN: only the proxy may read the master secret, so the app gets no
    # pointer to a secret its role cannot read.
    assert link["environment"] == {
        "ORDERS_DB_HOST": proxy["endpoint"],
        "ORDERS_DB_READER_HOST": reader["endpoint"],
        "ORDERS_DB_PORT": "5432",
        "ORDERS_DB_NAME": "app",
        "ORDERS_DB_USERNAME": "app_admin",
        "ORDERS_DB_AUTH": "iam",
    }
    assert link["secrets"] == {} and link["secret_arns"] == []
    resource_id = proxy["arn"].split(":")[-1]
    assert resource_id.startswith("prx-")
    assert link["iam"] == [{
        "Effect": "Allow", "Action": ["rds-db:connect"],
        "Resource": f"arn:aws:rds-db:us-east-1:123456789012:dbuser:{resource_id}/app_admin"}]


def test_proxy_without_readers_serves_reads_on_its_own_endpoint(offline: Callable[..., Any]) -> None:
    run = build(offline, DatabaseSettings(proxy=True, engine="mysql", version="8.0.mysql_aurora.3.08.0"))
    assert not run.of_type("aws:rds/proxyEndpoint:ProxyEndpoint")
    proxy = one(run, PROXY)
    assert proxy.inputs["engineFamily"] == "MYSQL"
    env = run.outputs["link"]["environment"]
    assert env["ORDERS_DB_HOST"] == env["ORDERS_DB_READER_HOST"] == proxy.outputs["endpoint"]


@pytest.mark.parametrize("proxy", [False, True])
def test_link_variables_are_the_links_names(offline: Callable[..., Any], proxy: bool) -> None:
    from blueprints.database import link_variables

    settings = DatabaseSettings(proxy=proxy)
    link = build(offline, settings).outputs["link"]
    actual = {**{n: "environment" for n in link["environment"]}, **{n: "secret" for n in link["secrets"]}}
    assert link_variables("orders-db", settings) == actual


# -- TLS, monitoring, snapshots -------------------------------------------------------------------

@pytest.mark.parametrize(("settings", "family", "parameter"), [
    (DEV, "aurora-postgresql16", {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"}),
    (DatabaseSettings(version="15.10"), "aurora-postgresql15",
     {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"}),
    (DatabaseSettings(engine="mysql", version="8.0.mysql_aurora.3.08.0"), "aurora-mysql8.0",
     {"name": "require_secure_transport", "value": "ON", "applyMethod": "immediate"}),
])
def test_cluster_parameter_group_forces_tls(
        offline: Callable[..., Any], settings: DatabaseSettings, family: str, parameter: dict[str, str]) -> None:
    run = build(offline, settings)
    group = one(run, PARAMS)
    assert group.inputs["family"] == family
    assert group.inputs["parameters"] == [parameter]
    # A prefix, so that a family change (major upgrade) replaces the group without a name clash.
    assert "name" not in group.inputs and group.inputs["namePrefix"] == "shop-prod-orders-db-tls-"
    assert one(run, CLUSTER).inputs["dbClusterParameterGroupName"] == group.outputs["name"]


def test_performance_insights_and_enhanced_monitoring_on_every_instance(offline: Callable[..., Any]) -> None:
    run = build(offline, DatabaseSettings(replicas=2, performance_insights=True, monitoring_interval=60,
                                          instance="db.r6g.large"))
    [role] = run.of_type(ROLE)
    assert role.inputs["name"] == "shop-prod-orders-db-monitoring"
    assert policy(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "monitoring.rds.amazonaws.com"}
    attachment = one(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs
    assert attachment["policyArn"] == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    assert attachment["role"] == role.outputs["name"]
    placed = instances(run)
    assert len(placed) == 3
    for instance in placed:
        assert instance["performanceInsightsEnabled"] is True
        assert instance["performanceInsightsRetentionPeriod"] == 7  # days, the free tier
        assert instance["monitoringInterval"] == 60
        assert instance["monitoringRoleArn"] == role.outputs["arn"]


def test_no_monitoring_role_without_enhanced_monitoring(runs: dict[str, Any]) -> None:
    for run in runs.values():
        assert not run.of_type(ROLE)
        assert all("monitoringInterval" not in i for i in instances(run))


def _final_snapshot(offline: Callable[..., Any], settings: DatabaseSettings, project: str = "shop") -> str:
    def program() -> None:
        Database("orders-db", settings, context=StackContext(project=project, environment="prod"),
                 network=fake_network(3))
    run = offline(program, project=project, stack="prod")
    return str(one(run, CLUSTER).inputs["finalSnapshotIdentifier"])


def test_a_replaced_cluster_gets_a_new_final_snapshot_name(offline: Callable[..., Any]) -> None:
    """The suffix's keepers are the cluster's ForceNew inputs: what replaces the cluster renews the
    suffix, so the new cluster's final snapshot never collides with the one its predecessor left."""
    from dataclasses import replace

    same = _final_snapshot(offline, PROD)
    assert _final_snapshot(offline, PROD) == same  # one stack keeps its name from run to run
    assert _final_snapshot(offline, replace(PROD, alarms=False, replicas=2)) == same  # changes in place
    replaced = [
        replace(PROD, database="orders"),
        replace(PROD, engine="mysql", version="8.0.mysql_aurora.3.08.0"),
        replace(PROD, master_username="owner"),
    ]
    names = {_final_snapshot(offline, s) for s in replaced} | {_final_snapshot(offline, PROD, project="store")}
    assert same not in names and len(names) == 4


def test_named_resources_are_deleted_before_they_are_replaced(offline: Callable[..., Any]) -> None:
    """Cluster, instances, proxy and its endpoint have fixed names: a replacement (e.g. an allowed
    database name change) must delete the old one first, or AWS refuses the duplicate name."""
    recorded: dict[tuple[str, str], bool | None] = {}

    def record(args: pulumi.ResourceTransformationArgs) -> None:
        recorded[args.type_, args.name] = args.opts.delete_before_replace

    build(offline, PROXIED, opts=lambda: pulumi.ResourceOptions(transformations=[record]))
    first = {t for (t, _), dbr in recorded.items() if dbr}
    assert first == {CLUSTER, INSTANCE, PROXY, "aws:rds/proxyEndpoint:ProxyEndpoint"}
    assert all(recorded[k] for k in recorded if k[0] == INSTANCE)
    # name_prefix or no name: created before the old one is deleted, as usual.
    assert not recorded[PARAMS, "orders-db-params"]


def test_final_snapshot_name_is_unique_per_stack_and_valid() -> None:
    """Two runs of one stack keep the name (RandomId is in state); a re-created stack gets another."""
    import re

    from stacks.mocks import FabricatedAws

    mocks = FabricatedAws()
    _, first = mocks.fabricate(RANDOM_ID, "orders-db-final-snapshot", {"byteLength": 4})
    assert re.fullmatch(r"[0-9a-f]{8}", first["hex"])
    name = f"shop-prod-orders-db-final-{first['hex']}"
    # RDS: a letter first, letters/digits/hyphens, no "--", no trailing "-", at most 255.
    assert re.fullmatch(r"[a-zA-Z](?:-?[a-zA-Z0-9])*", name) and len(name) <= 255


# -- settings checks -------------------------------------------------------------------------------

@pytest.mark.parametrize(("engine", "version", "message"), [
    ("mysql", "16.4", "'16.4' is not an Aurora mysql version (that is an Aurora postgres version)"),
    ("postgres", "8.0.mysql_aurora.3.08.0", "is not an Aurora postgres version (that is an Aurora mysql"),
    ("postgres", "16", "'16' is not an Aurora postgres version"),
    ("postgres", "16.4.1", "not an Aurora postgres version"),
    ("postgres", "10.21", "Aurora postgres 10 has no standard support"),
    ("mysql", "5.7.mysql_aurora.2.11.2", "not an Aurora mysql version"),
])
def test_versions_are_checked_per_engine_from_one_table(engine: str, version: str, message: str) -> None:
    from blueprints.constraints import SettingsError

    with pytest.raises(SettingsError) as caught:
        DatabaseSettings(engine=engine, version=version)  # type: ignore[arg-type]
    [problem] = caught.value.problems
    assert problem.field == "version"
    assert message in problem.message


def test_profile_default_versions_pass_the_checks() -> None:
    from blueprints.cache.settings import version_problems as cache_versions
    from blueprints.database.settings import version_problems
    from scaffold.spec.profiles import ENGINE_VERSIONS

    for engine, version in ENGINE_VERSIONS.items():
        check = version_problems if engine in ("postgres", "mysql") else cache_versions
        assert list(check(engine, version)) == [], (engine, version)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"engine": "mysql", "version": "8.0.mysql_aurora.3.08.0", "instance": "db.t3.medium",
      "performance_insights": True}, "performance_insights"),
    ({"engine": "mysql", "version": "8.0.mysql_aurora.3.08.0", "instance": "db.t4g.small",
      "performance_insights": True}, "performance_insights"),
    ({"monitoring_interval": 45}, "monitoring_interval"),
    ({"proxy": True, "iam_auth": False}, "proxy"),
])
def test_unsupported_combinations_are_refused(kwargs: dict[str, Any], field: str) -> None:
    from blueprints.constraints import SettingsError

    with pytest.raises(SettingsError) as caught:
        DatabaseSettings(**kwargs)
    assert [p.field for p in caught.value.problems] == [field]


def test_performance_insights_on_postgres_burstable_and_mysql_medium_is_fine() -> None:
    DatabaseSettings(instance="db.t4g.medium", performance_insights=True)
    DatabaseSettings(engine="mysql", version="8.0.mysql_aurora.3.08.0", instance="db.t4g.medium",
                     performance_insights=True)


def test_every_problem_is_reported_at_once() -> None:
    from blueprints.constraints import SettingsError

    with pytest.raises(SettingsError) as caught:
        DatabaseSettings(engine="mysql", version="16.4", replicas=16, database="1x", monitoring_interval=7)
    assert [p.field for p in caught.value.problems] == [
        "version", "replicas", "database", "monitoring_interval"]


def test_aurora_mysql_master_user_name_is_at_most_16_characters() -> None:
    from blueprints.constraints import SettingsError
    from blueprints.database.settings import DatabaseSettings

    mysql = "8.0.mysql_aurora.3.08.0"
    DatabaseSettings(engine="mysql", version=mysql, master_username="a" * 16)
    DatabaseSettings(engine="postgres", master_username="a" * 17)
    with pytest.raises(SettingsError, match="at most 16"):
        DatabaseSettings(engine="mysql", version=mysql, master_username="a" * 17)


# -- Aurora Serverless v2 capacity per engine version --------------------------------------------
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html
# (capacity table): 0-256 ACU from Aurora PostgreSQL 13.15/14.12/15.7/16.3 and Aurora MySQL 3.08.0;
# 0.5-256 from 13.13/14.10/15.5/16.1 and 3.06.0; 0.5-128 before.

@pytest.mark.parametrize(("engine", "version", "low", "high", "fields"), [
    ("postgres", "15.4", 0, 4, ["serverless.min"]),
    ("postgres", "15.7", 0, 4, []),
    ("postgres", "16.2", 0, 4, ["serverless.min"]),
    ("postgres", "16.3", 0, 4, []),
    ("postgres", "13.14", 0, 4, ["serverless.min"]),
    ("postgres", "13.15", 0, 4, []),
    ("postgres", "14.11", 0, 4, ["serverless.min"]),
    ("postgres", "17.1", 0, 256, []),
    ("postgres", "15.4", 0.5, 4, []),
    ("mysql", "8.0.mysql_aurora.3.04.0", 0, 4, ["serverless.min"]),
    ("mysql", "8.0.mysql_aurora.3.08.0", 0, 4, []),
    ("postgres", "13.9", 0.5, 256, ["serverless.max"]),
    ("postgres", "13.13", 0.5, 256, []),
    ("postgres", "13.9", 0.5, 128, []),
    ("mysql", "8.0.mysql_aurora.3.05.2", 1, 200, ["serverless.max"]),
    ("mysql", "8.0.mysql_aurora.3.06.0", 1, 200, []),
    ("postgres", "14.6", 0, 200, ["serverless.min", "serverless.max"]),
])
def test_serverless_capacity_depends_on_the_engine_version(
        engine: str, version: str, low: float, high: float, fields: list[str]) -> None:
    from blueprints.constraints import SettingsError

    def build_settings() -> DatabaseSettings:
        return DatabaseSettings(engine=engine, version=version, instance=None,  # type: ignore[arg-type]
                                serverless=ServerlessCapacity(min=low, max=high))
    if not fields:
        build_settings()
        return
    with pytest.raises(SettingsError) as caught:
        build_settings()
    problems = caught.value.problems
    assert [p.field for p in problems] == fields
    assert all("aurora-serverless-v2.how-it-works" in p.source for p in problems)


def test_auto_pause_hint_names_a_version_that_passes() -> None:
    from blueprints.constraints import SettingsError

    with pytest.raises(SettingsError) as caught:
        DatabaseSettings(version="15.4", instance=None, serverless=ServerlessCapacity(min=0, max=4))
    [problem] = caught.value.problems
    assert problem.message == "serverless min 0 (auto-pause) needs Aurora PostgreSQL 15.7 or later; 15.4 starts at 0.5 ACU"
    assert problem.hint == "set min: 0.5, or version: '15.7' or later"
    DatabaseSettings(version="15.7", instance=None, serverless=ServerlessCapacity(min=0, max=4))
