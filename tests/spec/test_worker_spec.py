"""The ``worker`` kind in a spec: profiles, references, the visibility-timeout warning, links and the plan."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.errors import SpecError
from tests.spec.test_names import checked, planned_names

SPEC = """\
scaffold: 1
name: shop
region: us-east-1
environments:
  dev: {profile: dev}
  staging: {profile: staging}
  prod: {profile: production}
alarms: {notify: alerts}
components:
  alerts:
    kind: notifications
    subscribers:
      - email: ops@example.com
  orders-db: {kind: database}
  jobs: {kind: queue, visibility_timeout: 2m}
  mailer:
    kind: worker
    image: ghcr.io/acme/mailer:2.0
    command: ["python", "-m", "mailer"]
    consumes: jobs
    uses: [orders-db]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scaffold.yaml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def spec() -> Any:
    return checked(SPEC)


@pytest.mark.parametrize(("env", "size", "tasks", "days"), [
    ("dev", (256, 512), (1, 2), 7), ("staging", (256, 512), (1, 4), 14), ("prod", (512, 1024), (2, 10), 30),
])
def test_profiles_resolve_dev_cheap_and_production_resilient(spec: Any, env: str, size: tuple[int, int],
                                                             tasks: tuple[int, int], days: int) -> None:
    w = spec.blueprints[env].components["mailer"]
    assert (w.cpu, w.memory) == size
    assert (w.scaling.min, w.scaling.max) == tasks  # production: two tasks, spread over the AZs
    assert (w.scaling.backlog_per_task, w.scaling.cpu) == (100, 70)
    assert w.log_retention == days * 86400
    assert (w.consumes, w.uses, w.command) == ("jobs", ["orders-db"], ["python", "-m", "mailer"])
    assert spec.warnings == []  # the queue hides a message for 2 minutes: no warning


def test_the_worker_settings_carry_the_spec(spec: Any) -> None:
    from stacks.kinds import WIRING

    bp = spec.blueprints["prod"]
    settings = WIRING["worker"].settings(bp.components["mailer"], bp)
    assert settings.command == ("python", "-m", "mailer")
    assert (settings.scaling.min, settings.scaling.max, settings.scaling.backlog_per_task) == (2, 10, 100)
    assert settings.alarms is True and settings.log_retention_days == 30 and settings.port is None


def test_a_short_visibility_timeout_warns_at_consumes(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC.replace("jobs: {kind: queue, visibility_timeout: 2m}", "jobs: {kind: queue}"))
    result = CliRunner().invoke(app, ["validate", "-f", str(path)])
    assert result.exit_code == 0, result.output  # a warning, not an error
    lines = [ln for ln in result.output.splitlines() if ": warning: components.mailer.consumes:" in ln]
    assert len(lines) == 1, result.output  # once, not once per environment
    assert lines[0].startswith(f"{path}:20:")
    assert "queue 'jobs' hides a received message for 30s, less than 60s" in lines[0]


def test_the_warning_points_at_the_override_that_shortens_the_timeout(tmp_path: Path) -> None:
    text = SPEC.replace("  prod: {profile: production}\n",
                        "  prod:\n    profile: production\n    components:\n      jobs: {visibility_timeout: 45s}\n")
    path = write(tmp_path, text)
    result = CliRunner().invoke(app, ["validate", "-f", str(path)])
    assert result.exit_code == 0, result.output
    [line] = [ln for ln in result.output.splitlines() if ": warning: " in ln]
    assert line.startswith(f"{path}:10:") and "45s, less than 60s" in line


def test_consumes_must_name_a_queue() -> None:
    with pytest.raises(SpecError) as raised:
        checked(SPEC.replace("consumes: jobs", "consumes: orders-db"))
    [problem] = [str(p) for p in raised.value.problems]
    assert "components.mailer.consumes: 'orders-db' is a database component, but a worker consumes a queue" in problem


def test_a_worker_cannot_be_used() -> None:
    text = SPEC + "  web:\n    kind: api\n    image: ghcr.io/acme/web:1\n    uses: [mailer]\n"
    with pytest.raises(SpecError) as raised:
        checked(text)
    assert any("'mailer' is a worker component, but an api can use" in str(p) for p in raised.value.problems)


def test_nat_none_gives_a_consuming_worker_the_sqs_endpoint() -> None:
    from stacks.settings import network_settings

    text = SPEC.replace("uses: [orders-db]", "uses: []").replace(
        "  orders-db: {kind: database}\n", "").replace(
        "image: ghcr.io/acme/mailer:2.0", "image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/mailer:2.0")
    text = text.replace("alarms: {notify: alerts}\n", "network: {nat: none}\nalarms: {notify: alerts}\n")
    bp = checked(text).blueprints["dev"]
    assert "sqs" in network_settings(bp).interface_endpoints  # the worker uses no queue: it consumes one


def test_a_plan_builds_the_worker_with_its_queue_and_database(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC)
    result = CliRunner().invoke(app, ["plan", "-f", str(path), "-e", "prod", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    mine = {r["name"]: r for r in plan["resources"] if r["component"] == "mailer"}
    assert {n: r["type"] for n, r in mine.items()} == {
        "mailer": "scaffold:blueprints:Worker",
        "mailer-alarm-no-running-task": "aws:cloudwatch/metricAlarm:MetricAlarm",
        "mailer-execution-policy": "aws:iam/rolePolicy:RolePolicy",
        "mailer-execution-role": "aws:iam/role:Role",
        "mailer-logs": "aws:cloudwatch/logGroup:LogGroup",
        "mailer-scale-backlog": "aws:appautoscaling/policy:Policy",
        "mailer-scale-cpu": "aws:appautoscaling/policy:Policy",
        "mailer-scaling": "aws:appautoscaling/target:Target",
        "mailer-service": "aws:ecs/service:Service",
        "mailer-service-out": "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "mailer-service-sg": "aws:ec2/securityGroup:SecurityGroup",
        "mailer-task": "aws:ecs/taskDefinition:TaskDefinition",
        "mailer-task-policy": "aws:iam/rolePolicy:RolePolicy",
        "mailer-task-role": "aws:iam/role:Role",
        "mailer-to-orders-db": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    }
    [container] = json.loads(mine["mailer-task"]["inputs"]["containerDefinitions"])
    env = {e["name"] for e in container["environment"]}
    assert {"JOBS_QUEUE_URL", "ORDERS_DB_HOST", "ORDERS_DB_PORT"} <= env
    assert container["command"] == ["python", "-m", "mailer"]
    assert mine["mailer-service"]["inputs"]["desiredCount"] == 2
    assert plan["outputs"]["mailer"] == {"service": "shop-prod-mailer", "log_group": "/ecs/shop-prod-mailer"}
    assert not any(r["type"].startswith("aws:lb/") for r in plan["resources"])


def test_every_name_the_worker_sets_is_predicted() -> None:
    from scaffold.spec.names import physical_names
    from stacks.plan import plan

    spec = checked(SPEC)
    for env, bp in spec.blueprints.items():
        planned = {(t, f, v) for t, f, v in planned_names(plan(bp)) if "mailer" in v}
        predicted = {(p.type, p.field, p.name) for p in physical_names(bp) if p.component == "mailer"}
        exact = {p for p in predicted if not p[2].startswith("mailer-")}
        assert exact <= planned, env
        assert {p for p in planned if not p[2].startswith("mailer-service-sg")} == exact, env


def test_variable_set_by_consuming_and_by_the_worker_is_refused_at_its_key() -> None:
    text = SPEC + textwrap.indent("environment:\n  JOBS_QUEUE_URL: https://example.com\n", "    ")
    with pytest.raises(SpecError) as raised:
        checked(text)
    assert any("components.mailer.environment.JOBS_QUEUE_URL: 'JOBS_QUEUE_URL' is also set by consuming 'jobs'"
               in str(p) for p in raised.value.problems)


def test_a_used_queue_whose_variable_is_the_consumed_queues_is_refused_at_its_uses_entry() -> None:
    text = SPEC.replace("  jobs: {kind: queue, visibility_timeout: 2m}\n",
                        "  jobs-v2: {kind: queue, visibility_timeout: 2m}\n  jobs--v2: {kind: queue}\n")
    text = text.replace("consumes: jobs", "consumes: jobs-v2").replace("uses: [orders-db]", "uses: [orders-db, jobs--v2]")
    with pytest.raises(SpecError) as raised:
        checked(text)
    assert any("components.mailer.uses[1]: the link to 'jobs--v2' and consuming 'jobs-v2' both set "
               "JOBS_V2_QUEUE_URL" in str(p) for p in raised.value.problems), raised.value.problems
