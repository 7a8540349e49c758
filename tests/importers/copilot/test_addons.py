"""Copilot addons (CloudFormation) → components, and who uses them (``scaffold/importers/copilot/addons.py``).

Fixtures: ``workspaces/e-addons-db`` (Aurora clusters with instances, serverless v2 per
environment, a parameter from ``addons.parameters.yml``, a ``Condition``), ``e-addons-rds-instance``
(standalone RDS), ``e-addons-misc`` (ElastiCache, S3, SQS with redrive, SNS, and types scaffold
has no kind for), ``e-addons-env-level`` (environment addons used through ``from_cfn``) and
``e-cfn-tags`` (every short-form tag). Each test checks the spec fields and the report entries.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold.importers.copilot import Imported
from scaffold.importers.copilot.addons import (
    BEHAVIOUR,
    COMPANIONS,
    RESOURCE_TYPES,
    NeedsEnv,
    Template,
    Unresolved,
    component_wanted,
    upper_snake,
)
from scaffold.importers.copilot.report import Section
from scaffold.spec.kinds import kind
from tests.importers.copilot.conftest import assert_reported, check_spec, entries, run_import


def _spec(imported: Imported) -> dict[str, Any]:
    data = yaml.safe_load(imported.spec)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def db() -> Imported:
    return run_import(Path("e-addons-db"))


@pytest.fixture(scope="module")
def misc() -> Imported:
    return run_import(Path("e-addons-misc"))


@pytest.fixture(scope="module")
def env_level() -> Imported:
    return run_import(Path("e-addons-env-level"))


def test_registry_is_by_cloudformation_type() -> None:
    assert set(RESOURCE_TYPES) == {
        "AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::ElastiCache::ReplicationGroup",
        "AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ServerlessCache", "AWS::S3::Bucket",
        "AWS::SQS::Queue", "AWS::SNS::Topic"}
    assert not set(RESOURCE_TYPES) & set(COMPANIONS)
    assert set(BEHAVIOUR) <= {k for k in ("database", "cache", "bucket", "queue", "notifications")}


@pytest.mark.parametrize(("output", "variable"), [
    ("RdsEndpoint", "RDS_ENDPOINT"), ("MyTableName", "MY_TABLE_NAME"), ("dbSecret", "DB_SECRET"),
    ("DBName", "DB_NAME"), ("uploadsBucketARN", "UPLOADS_BUCKET_ARN"),
])
def test_upper_snake_as_copilot_injects_outputs(output: str, variable: str) -> None:
    assert upper_snake(output) == variable


def test_aurora_cluster(db: Imported) -> None:
    spec = _spec(db)
    check_spec(db)
    orders = spec["components"]["orders"]
    assert orders == {"kind": "database", "engine": "postgres", "version": "15.4", "database": "orders",
                      "backup_retention": "10d"}
    # Serverless v2 from a Mappings entry per `!Ref Env`: one override per environment.
    assert spec["environments"]["dev"]["components"]["orders"] == {"serverless": {"min": 0.5, "max": 4}}
    assert spec["environments"]["prod"]["components"]["orders"] == {"serverless": {"min": 2, "max": 16}}
    addon = "copilot/api/addons/db.yml"
    assert_reported(db.report, Section.IMPORTED, where=f"{addon}:46", subject="ordersDBCluster",
                    text="became database `orders`")
    assert_reported(db.report, Section.IMPORTED, where=f"{addon}:61", subject="ordersWriter", text="an instance")
    assert_reported(db.report, Section.LEFT_OUT, where=f"{addon}:57", text="EnableHttpEndpoint")
    assert_reported(db.report, Section.DECIDE, where=f"{addon}:56", subject="DeletionProtection",
                    text="`true` is not copied")
    assert_reported(db.report, Section.BEHAVIOUR, where=f"{addon}:48", subject="DeletionPolicy")


def test_companions_are_scaffolds_own(db: Imported) -> None:
    addon = "copilot/api/addons/db.yml"
    for line, logical_id in ((31, "ordersDBSubnetGroup"), (36, "ordersSecurityGroup"), (40, "ordersSecret")):
        assert_reported(db.report, Section.IMPORTED, where=f"{addon}:{line}", subject=logical_id,
                        text="scaffold creates its own")


def test_cluster_with_instances_a_condition_and_a_refused_version(db: Imported) -> None:
    spec = _spec(db)
    reports = spec["components"]["reports"]
    # The 5.7-compatible version is refused by scaffold's check: the default is used.
    assert reports == {"kind": "database", "engine": "mysql", "instance": "db.r6g.large"}
    # `!If [IsProd, reports, reports_dev]`, evaluated per environment.
    assert spec["environments"]["dev"]["components"]["reports"] == {"database": "reports_dev"}
    assert spec["environments"]["prod"]["components"]["reports"] == {"database": "reports"}
    addon = "copilot/api/addons/db.yml"
    assert_reported(db.report, Section.LEFT_OUT, where=f"{addon}:86", subject="EngineVersion",
                    text="is refused by scaffold")
    assert_reported(db.report, Section.DECIDE, where=f"{addon}:83", subject="Condition",
                    text="only where condition `IsProd` holds (here: prod)")
    assert_reported(db.report, Section.DECIDE, where=f"{addon}:67", subject="instances",
                    text="Copilot ran 2 instance(s)")


def test_workload_addon_owner_uses_its_components(db: Imported) -> None:
    api = _spec(db)["components"]["api"]
    assert api["uses"][-2:] == ["orders", "reports"]
    assert_reported(db.report, Section.IMPORTED, where="copilot/api/addons/db.yml:1", text="`api` uses `orders`, `reports`")
    entry = assert_reported(db.report, Section.BEHAVIOUR, subject="api: addon variables",
                            text="ORDERS_SECRET, ORDERS_ENDPOINT")
    # scaffold's names come from stacks.kinds.database.WIRING.link_variables; the security group
    # output was attached by Copilot, not injected.
    assert "ORDERS_HOST" in entry.text and "ORDERS_SECURITY_GROUP" not in entry.text


def test_database_behaviour_comes_from_the_profiles(db: Imported) -> None:
    replicas = kind("database").profiles["production"]["replicas"]
    assert_reported(db.report, Section.BEHAVIOUR, subject="database orders",
                    text=f"production gets {replicas} reader(s), each in another AZ")


def test_standalone_rds_instance_becomes_aurora() -> None:
    imported = run_import(Path("e-addons-rds-instance"))
    check_spec(imported)
    components = _spec(imported)["components"]
    assert components["legacy-db"] == {"kind": "database", "engine": "postgres", "version": "16.3",
                                       "database": "legacy_app", "instance": "db.t4g.medium"}
    assert components["legacy-my-sql"] == {"kind": "database", "engine": "mysql", "instance": "db.m5.large"}
    addon = "copilot/api/addons/rds.yml"
    assert_reported(imported.report, Section.BEHAVIOUR, where=f"{addon}:6", text="becomes an Aurora cluster")
    assert_reported(imported.report, Section.BEHAVIOUR, where=f"{addon}:9", text="`postgres` becomes Aurora PostgreSQL")
    assert_reported(imported.report, Section.LEFT_OUT, where=f"{addon}:20", subject="EngineVersion", text="8.0.35")
    assert_reported(imported.report, Section.DECIDE, where=f"{addon}:11", subject="DBInstanceClass",
                    text="check that Aurora offers this class")
    assert_reported(imported.report, Section.LEFT_OUT, where=f"{addon}:22", subject="OldOracle", text="oracle-ee")
    assert_reported(imported.report, Section.LEFT_OUT, where=f"{addon}:15", text="MonitoringInterval")


def test_cache_bucket_queue_topic(misc: Imported) -> None:
    check_spec(misc)
    components = _spec(misc)["components"]
    assert components["sessions"] == {"kind": "cache", "engine": "redis", "version": "7.1", "node": "cache.t4g.small"}
    assert components["uploads"] == {"kind": "bucket", "versioning": True, "encryption": "kms", "expire_after": "90d"}
    assert components["jobs"] == {"kind": "queue", "visibility_timeout": "2m", "retention": "4d", "max_receives": 3}
    assert components["order-events"] == {"kind": "notifications", "subscribers": [
        {"email": "oncall@example.com"}, {"queue": "jobs"}, {"https": "https://hooks.example.com/orders"}]}
    assert "jobs-dlq" not in components and "old" not in components
    assert components["api"]["uses"][-4:] == ["sessions", "uploads", "jobs", "order-events"]
    addon = "copilot/api/addons/storage.yml"
    report = misc.report
    assert_reported(report, Section.DECIDE, where=f"{addon}:6", subject="replicas", text="the profile sets `replicas`")
    assert_reported(report, Section.LEFT_OUT, where=f"{addon}:16", subject="OldCache", text="Memcached")
    assert_reported(report, Section.IMPORTED, where=f"{addon}:32", text="expire_after 90d")
    assert_reported(report, Section.LEFT_OUT, where=f"{addon}:32", subject="rule 2", text="Prefix, Transitions")
    assert_reported(report, Section.LEFT_OUT, where=f"{addon}:43", subject="CorsConfiguration")
    assert_reported(report, Section.IMPORTED, where=f"{addon}:47", subject="UploadsBucketPolicy",
                    text="scaffold creates its own")
    assert_reported(report, Section.IMPORTED, where=f"{addon}:63", subject="JobsDLQ", text="dead-letter queue of JobsQueue")
    assert_reported(report, Section.LEFT_OUT, where=f"{addon}:59", text="DelaySeconds")
    assert_reported(report, Section.LEFT_OUT, subject="EventsTopic (AWS::SNS::Topic): subscription",
                    text="protocol `lambda`")
    assert_reported(report, Section.BEHAVIOUR, subject="queue jobs", text="dead-letter queue")
    assert_reported(report, Section.BEHAVIOUR, subject="bucket uploads", text="versioning is on in staging and production")


def test_other_types_are_left_out_by_type(misc: Imported) -> None:
    addon = "copilot/api/addons/storage.yml"
    assert_reported(misc.report, Section.LEFT_OUT, where=f"{addon}:84", subject="AWS::DynamoDB::Table",
                    text="no DynamoDB kind")
    assert_reported(misc.report, Section.LEFT_OUT, where=f"{addon}:88", subject="AWS::IAM::ManagedPolicy")
    assert_reported(misc.report, Section.LEFT_OUT, where=f"{addon}:96", subject="AWS::Lambda::Function")


def test_addon_of_a_workload_not_imported_is_reported(misc: Imported) -> None:
    assert _spec(misc)["components"]["ghost"] == {"kind": "queue"}
    assert_reported(misc.report, Section.LEFT_OUT, where="copilot/ghost/addons/extra.yml:1",
                    text="its workload `ghost` was not imported")


def test_environment_addons_go_to_the_workloads_that_name_their_outputs(env_level: Imported) -> None:
    check_spec(env_level)
    spec = _spec(env_level)
    components = spec["components"]
    assert components["api"]["uses"] == ["assets", "cache"]
    assert "uses" not in components["web"]
    assert components["cache"] == {"kind": "cache", "engine": "valkey", "version": "8.0"}
    assert spec["environments"]["prod"]["components"]["cache"] == {"node": "cache.r7g.large"}
    assert spec["environments"]["dev"]["components"]["cache"] == {"node": "cache.t4g.micro"}
    assert_reported(env_level.report, Section.IMPORTED, where="copilot/api/manifest.yml",
                    text="uses `assets`, `cache`")
    assert_reported(env_level.report, Section.BEHAVIOUR, subject="api: addon variables",
                    text="ASSETS_BUCKET, CACHE_AUTH")
    assert_reported(env_level.report, Section.DECIDE, where="copilot/environments/addons/shared.yml:16",
                    subject="addon component unused", text="nothing uses it")


def test_short_form_tags_resolve() -> None:
    imported = run_import(Path("e-cfn-tags"))
    check_spec(imported)
    spec = _spec(imported)
    # QueueName `!Join ["-", [!Ref App, !Select [1, !Split [",", "a,tasks,c"]]]]` → `e-cfn-tags-tasks`,
    # the app prefix dropped; `!If` nested with `!Condition`, `!Not`, `!And`, `!Or`, per environment.
    assert spec["components"]["tasks"] == {"kind": "queue", "fifo": False, "retention": "1d"}
    assert spec["environments"]["prod"]["components"]["tasks"] == {"visibility_timeout": "5m"}
    assert spec["environments"]["dev"]["components"]["tasks"] == {"visibility_timeout": "1m"}
    assert spec["components"]["tasks-2"]["subscribers"] == [{"queue": "tasks"}]


def _template(text: str) -> Template:
    from scaffold.importers.copilot.workspace import Addon
    from tests.importers.copilot.test_yamlsource import load_text

    imported = run_import(Path("e-cfn-tags"))
    del imported
    data = load_text(text)
    ctx = _context()
    return Template(ctx, Addon("api", data.origin, data), data, parameters={"Size": 3},
                    mappings=data.get("Mappings"), conditions=data.get("Conditions"))


def _context() -> Any:
    from scaffold.importers.copilot.context import Context
    from scaffold.importers.copilot.draft import Draft
    from scaffold.importers.copilot.report import Report
    from scaffold.importers.copilot.workspace import read_workspace

    report = Report()
    ctx = Context(workspace=read_workspace(Path(__file__).with_name("workspaces") / "e-cfn-tags"),
                  draft=Draft(project="shop", region="us-east-1", report=report), report=report,
                  app="shop", region="us-east-1", account=None)
    ctx.env_names.update({"dev": "dev", "prod": "prod"})
    return ctx


def test_resolve_each_function() -> None:
    t = _template("""
        Conditions:
          IsProd: !Equals [!Ref Env, prod]
        Resources:
          X: {Type: AWS::SQS::Queue}
    """)
    assert t.resolve({"Fn::Sub": "${App}-${!Literal}"}) == "shop-${Literal}"
    assert t.resolve({"Fn::Sub": ["${A}-x", {"A": {"Ref": "Size"}}]}) == "3-x"
    assert t.resolve({"Fn::Join": ["/", ["a", {"Ref": "AWS::Region"}]]}) == "a/us-east-1"
    assert t.resolve({"Fn::Select": [1, {"Fn::Split": [",", "a,b"]}]}) == "b"
    assert t.values({"Fn::If": ["IsProd", 2, 1]}) == {"dev": 1, "prod": 2}
    with pytest.raises(NeedsEnv):
        t.resolve({"Ref": "Env"})
    for value in ({"Fn::GetAtt": ["X", "Arn"]}, {"Ref": "X"}, {"Fn::ImportValue": "e"}, {"Fn::GetAZs": ""},
                  "{{resolve:ssm:/x}}", {"Fn::Sub": "${X.Arn}"}, {"Ref": "Nope"}):
        with pytest.raises(Unresolved):
            t.resolve(value)


def test_names_from_logical_ids() -> None:
    from scaffold.importers.copilot.addons import Resource
    from scaffold.importers.copilot.yamlsource import Origin

    t = _template("Resources:\n  X: {Type: AWS::SQS::Queue}\n")
    body: Any = t.data["Resources"]["X"]
    for logical_id, kind_type, wanted in (("dbDBCluster", "AWS::RDS::DBCluster", "db"),
                                          ("RedisCluster", "AWS::ElastiCache::CacheCluster", "redis-cluster"),
                                          ("UploadsBucket", "AWS::S3::Bucket", "uploads"),
                                          ("Bucket", "AWS::S3::Bucket", "bucket")):
        assert component_wanted(Resource(t, logical_id, kind_type, body, Origin("x"))) == wanted


def test_not_a_template_is_reported(tmp_path: Path) -> None:
    from tests.importers.copilot.conftest import write_workspace

    root = write_workspace(tmp_path, {
        "copilot/api/manifest.yml": "name: api\ntype: Backend Service\nimage: {location: nginx:1}\n",
        "copilot/api/addons/list.yml": "- a\n- b\n",
        "copilot/api/addons/empty.yml": "Parameters: {}\n",
        "copilot/api/addons/odd.yml": "Resources:\n  A: 5\n  B: {Type: AWS::SQS::Queue, Properties: [1]}\n",
    })
    imported = run_import(root)
    check_spec(imported)
    assert_reported(imported.report, Section.LEFT_OUT, where="copilot/api/addons/list.yml", text="not a mapping")
    assert_reported(imported.report, Section.LEFT_OUT, where="copilot/api/addons/empty.yml:1", text="no `Resources`")
    assert_reported(imported.report, Section.LEFT_OUT, where="copilot/api/addons/odd.yml:2", subject="addon A")
    assert _spec(imported)["components"]["b"] == {"kind": "queue"}
    assert not entries(imported.report, Section.IMPORTED, subject="addon A")
