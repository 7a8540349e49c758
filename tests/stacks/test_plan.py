"""``scaffold plan``: what the stack would create, offline, as a tree and as JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.spec import check_file
from stacks.plan import SECRET_PLACEHOLDER, plan

EXAMPLE = Path(__file__).parents[2] / "examples" / "shop.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def plans() -> dict[str, Any]:
    blueprints = check_file(EXAMPLE).blueprints
    return {env: plan(bp) for env, bp in blueprints.items()}


def _of_type(p: Any, token: str) -> list[Any]:
    return [r for r in p.resources if r.type == token]


def test_production_database_has_a_reader_in_another_az(plans) -> None:
    instances = _of_type(plans["prod"], "aws:rds/clusterInstance:ClusterInstance")
    assert len(instances) == 2
    assert len({i.inputs["availabilityZone"] for i in instances}) == 2
    assert sorted(i.inputs["promotionTier"] for i in instances) == [0, 1]
    assert len(_of_type(plans["dev"], "aws:rds/clusterInstance:ClusterInstance")) == 1


def test_production_cache_fails_over_and_dev_does_not(plans) -> None:
    (prod,) = _of_type(plans["prod"], "aws:elasticache/replicationGroup:ReplicationGroup")
    (dev,) = _of_type(plans["dev"], "aws:elasticache/replicationGroup:ReplicationGroup")
    assert (prod.inputs["numCacheClusters"], prod.inputs["automaticFailoverEnabled"], prod.inputs["multiAzEnabled"]) \
        == (2, True, True)
    assert dev.inputs["numCacheClusters"] == 1 and not dev.inputs.get("automaticFailoverEnabled")


def test_production_network_has_a_nat_per_az(plans) -> None:
    assert len(_of_type(plans["prod"], "aws:ec2/natGateway:NatGateway")) == 3
    assert len(_of_type(plans["dev"], "aws:ec2/natGateway:NatGateway")) == 1


def test_scaling_range_follows_the_environment_override(plans) -> None:
    (target,) = [t for t in _of_type(plans["prod"], "aws:appautoscaling/target:Target") if t.component == "api"]
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (2, 40)


def test_wiring_shows_the_fabricated_arn_of_that_exact_resource(plans) -> None:
    p = plans["prod"]
    dlq = next(r for r in p.resources if r.name == "jobs-dlq")
    queue = next(r for r in p.resources if r.name == "jobs-queue")
    assert json.loads(queue.inputs["redrivePolicy"])["deadLetterTargetArn"] == dlq.arn
    for service in _of_type(p, "aws:ecs/service:Service"):  # the API's and the worker's
        (task,) = [t for t in _of_type(p, "aws:ecs/taskDefinition:TaskDefinition") if t.component == service.component]
        assert service.inputs["taskDefinition"] == task.arn


def test_secrets_are_redacted(plans) -> None:
    text = json.dumps(plans["prod"].to_json())
    assert "fabricated-" not in text  # the fabricated RandomPassword result never shows
    (group,) = _of_type(plans["prod"], "aws:elasticache/replicationGroup:ReplicationGroup")
    assert group.inputs["authToken"] == SECRET_PLACEHOLDER


def test_resources_name_their_spec_component(plans) -> None:
    p = plans["prod"]
    cluster = _of_type(p, "aws:rds/cluster:Cluster")[0]
    assert cluster.component == "orders-db"
    vpc = _of_type(p, "aws:ec2/vpc:Vpc")[0]
    assert vpc.component is None  # the shared network is not a spec component
    assert {r.component for r in p.resources} == {None, "orders-db", "sessions", "jobs", "alerts", "order-events", "api",
                                                  "uploads", "mailer", "nightly-report"}


def test_summary_counts_every_aws_resource(plans) -> None:
    summary = plans["prod"].summary()
    assert summary["total"] == len(plans["prod"].aws_resources) == sum(summary["by_type"].values())
    assert sum(summary["by_component"].values()) == summary["total"]
    assert summary["by_component"]["orders-db"] > summary["by_component"]["jobs"]


def test_plan_json_on_stdout_is_one_document() -> None:
    result = runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", "prod", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"project", "stack", "region", "resources", "outputs", "summary"} <= set(doc)
    assert (doc["project"], doc["stack"], doc["region"]) == ("shop", "prod", "eu-west-1")
    assert "fabricated" in doc["fabricated"]["note"]
    first = doc["resources"][0]
    assert set(first) >= {"urn", "type", "name", "parent", "component", "inputs"}
    assert doc["outputs"]["api"]["url"] == "https://api.example.com"
    assert doc["outputs"]["orders-db"]["reader_endpoint"].startswith("shop-prod-orders-db.cluster-ro-")


def test_plan_is_identical_from_run_to_run() -> None:
    first = runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", "dev", "--json"]).stdout
    second = runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", "dev", "--json"]).stdout
    assert first == second


def test_plan_tree_and_summary() -> None:
    result = runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", "prod"])
    assert result.exit_code == 0, result.output
    assert "Database orders-db" in result.stdout
    assert "aws:rds/clusterInstance:ClusterInstance orders-db-instance-2" in result.stdout
    assert "multiAzEnabled=yes" in result.stdout
    assert result.stdout.count("\nPlan: ") == 1
    assert "fabricated" in result.stderr


def test_plan_needs_no_pulumi_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert shutil.which("pulumi") is None
    result = runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", "dev", "--json"])
    assert result.exit_code == 0


def test_plan_of_an_invalid_spec_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments: {dev: {profile: dev}}\n"
                    "components: {db: {kind: database, replicas: 3}}\n")
    result = runner.invoke(app, ["plan", "-f", str(spec)])
    assert result.exit_code == 2 and "components.db.replicas" in result.output


def test_plan_json_matches_the_documented_schema() -> None:
    import re

    jsonschema = pytest.importorskip("jsonschema")
    docs = (Path(__file__).parents[2] / "docs" / "plan.md").read_text()
    schema = json.loads(re.search(r"```json\n(.*?)\n```", docs, re.S).group(1))
    for env in ("dev", "prod"):
        doc = json.loads(runner.invoke(app, ["plan", "-f", str(EXAMPLE), "-e", env, "--json"]).stdout)
        jsonschema.Draft202012Validator(schema).validate(doc)
