"""The ``job`` kind in the spec: profile defaults, validation through the CLI, what it may use and
who may use it, its predicted names, and a plan (``scaffold plan --json``) with its resources and
next run times."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from scaffold.cli import app
from scaffold.spec.loader import check_file
from scaffold.spec.names import physical_names

SPEC = """\
scaffold: 1
name: shop
region: us-east-1
alarms: {{notify: alerts}}
environments:
  dev: {{profile: dev}}
  staging: {{profile: staging}}
  prod: {{profile: production, region: eu-west-1}}
components:
  orders-db: {{kind: database, engine: postgres, database: orders}}
  alerts:
    kind: notifications
    subscribers: [{{email: oncall@example.com}}]
  nightly-report:
    kind: job
    image: ghcr.io/acme/reports:1.0
    schedule: "cron(0 3 * * ? *)"
{fields}    uses: [orders-db]
"""
NOW = "2026-03-27T12:00:00Z"  # two days before Europe/Berlin moves to summer time


def _write(tmp_path: Path, fields: str = "") -> Path:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(fields=fields))
    return spec


def _validate(spec: Path) -> Any:
    return CliRunner().invoke(app, ["validate", "-f", str(spec)])


def test_profiles_side_by_side(tmp_path: Path) -> None:
    checked = check_file(_write(tmp_path))
    got = {env: bp.components["nightly-report"].model_dump() for env, bp in checked.blueprints.items()}
    common: dict[str, Any] = {"kind": "job", "image": "ghcr.io/acme/reports:1.0", "command": None, "schedule": "cron(0 3 * * ? *)",
              "timezone": "UTC", "timeout": 3600, "cpu": 256, "memory": 512, "environment": {}, "secrets": {},
              "uses": ["orders-db"]}
    assert got == {
        "dev": {**common, "retries": 0, "log_retention": 7 * 86400},
        "staging": {**common, "retries": 2, "log_retention": 14 * 86400},
        "prod": {**common, "retries": 2, "log_retention": 30 * 86400},
    }


def test_the_issues_fields_as_written(tmp_path: Path) -> None:
    spec = _write(tmp_path, '    command: ["python", "-m", "reports.nightly"]\n    timezone: Europe/Berlin\n'
                            "    timeout: 30m\n    retries: 1\n    cpu: 512\n    memory: 1024\n")
    result = _validate(spec)
    assert result.exit_code == 0, result.output
    dev = check_file(spec).blueprints["dev"].components["nightly-report"]
    assert (dev.command, dev.timezone, dev.timeout, dev.retries, dev.cpu, dev.memory) == (
        ["python", "-m", "reports.nightly"], "Europe/Berlin", 1800, 1, 512, 1024)


@pytest.mark.parametrize(("schedule", "column", "message"), [
    ('"cron(0 3 * * *)"', 15, "cron() takes 6 fields"),
    ('"cron(0 3 * * * *)"', 15, "EventBridge needs ? in exactly one of them"),
    ("rate(1 hours)", 15, "the unit is singular for 1 and plural otherwise"),
])
def test_schedule_errors_exit_2_at_the_schedule_line(tmp_path: Path, schedule: str, column: int,
                                                     message: str) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(fields="").replace('"cron(0 3 * * ? *)"', schedule))
    result = _validate(spec)
    assert result.exit_code == 2
    [problem] = [line for line in result.output.splitlines() if ": error: " in line]
    assert f"scaffold.yaml:17:{column}: error: components.nightly-report.schedule: " in problem
    assert message in problem
    assert "Traceback" not in result.output


def test_every_problem_of_a_job_at_once(tmp_path: Path) -> None:
    result = _validate(_write(tmp_path, "    timezone: Europe/Berln\n    timeout: 200d\n    retries: 1\n"
                                        "    log_retention: 10d\n"))
    assert result.exit_code == 2
    problems = [line for line in result.output.splitlines() if ": error: " in line]
    assert any(":18:15: error: components.nightly-report.timezone: 'Europe/Berln' is not an IANA" in p
               and "did you mean Europe/Berlin" in p for p in problems), problems
    assert any(":19:14: error: components.nightly-report.timeout:" in p and "ends after 1 year" in p
               for p in problems), problems
    assert any("components.nightly-report.log_retention: CloudWatch Logs cannot keep logs for 10 days" in p
               for p in problems), problems


def test_nothing_may_use_a_job_and_a_job_may_not_use_itself(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(fields="") + "  api:\n    kind: api\n    image: ghcr.io/acme/api:1\n"
                    "    public: false\n    uses: [nightly-report]\n")
    result = _validate(spec)
    assert result.exit_code == 2
    assert "error: components.api.uses[0]: 'nightly-report' is a job component, but an api can use" in result.output
    own = tmp_path / "own.yaml"
    own.write_text(SPEC.format(fields="").replace("uses: [orders-db]", "uses: [nightly-report]"))
    assert "a service cannot use itself" in _validate(own).output


def test_a_variable_set_by_the_job_and_by_a_link_is_refused(tmp_path: Path) -> None:
    result = _validate(_write(tmp_path, "    environment: {ORDERS_DB_HOST: localhost}\n"))
    assert result.exit_code == 2
    assert "ORDERS_DB_HOST" in result.output and "orders-db" in result.output


def test_predicted_names(tmp_path: Path) -> None:
    checked = check_file(_write(tmp_path))
    names = {(n.type, n.name) for n in physical_names(checked.blueprints["prod"]) if n.component == "nightly-report"}
    assert {
        ("aws:sfn/stateMachine:StateMachine", "shop-prod-nightly-report"),
        ("aws:scheduler/schedule:Schedule", "shop-prod-nightly-report"),
        ("aws:iam/role:Role", "shop-prod-nightly-report-sfn"),
        ("aws:iam/role:Role", "shop-prod-nightly-report-scheduler"),
        ("aws:iam/role:Role", "shop-prod-nightly-report-exec"),
        ("aws:iam/role:Role", "shop-prod-nightly-report-task"),
        ("aws:ecs/taskDefinition:TaskDefinition", "shop-prod-nightly-report"),
        ("aws:cloudwatch/logGroup:LogGroup", "/ecs/shop-prod-nightly-report"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", "shop-prod-nightly-report-alarm-failed"),
    } <= names


def _plan(spec: Path, env: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("SCAFFOLD_NOW", NOW)
    result = CliRunner().invoke(app, ["plan", "-f", str(spec), "-e", env, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_shows_the_jobs_resources_and_next_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _write(tmp_path, "    timezone: Europe/Berlin\n    timeout: 30m\n")
    plan = _plan(spec, "prod", monkeypatch)
    mine = {r["type"]: r for r in plan["resources"] if r["component"] == "nightly-report" and r["parent"]}
    schedule = mine["aws:scheduler/schedule:Schedule"]["inputs"]
    machine = mine["aws:sfn/stateMachine:StateMachine"]
    assert schedule["scheduleExpression"] == "cron(0 3 * * ? *)"
    assert schedule["scheduleExpressionTimezone"] == "Europe/Berlin"
    assert schedule["target"]["arn"] == machine["arn"]
    definition = json.loads(machine["inputs"]["definition"])
    assert definition["States"]["Run task"]["TimeoutSeconds"] == 1800
    assert definition["States"]["Run task"]["Retry"][0]["MaxAttempts"] == 2
    assert "aws:cloudwatch/metricAlarm:MetricAlarm" in mine
    assert plan["schedules"] == {"nightly-report": {
        "expression": "cron(0 3 * * ? *)", "timezone": "Europe/Berlin",
        "next_runs": ["2026-03-28T03:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T03:00:00+02:00"]}}
    assert list(plan).index("schedules") == list(plan).index("outputs") + 1
    assert plan["outputs"]["nightly-report"]["schedule"] == "cron(0 3 * * ? *)"
    text = CliRunner().invoke(app, ["plan", "-f", str(spec), "-e", "prod"])
    assert ("Schedule nightly-report: cron(0 3 * * ? *) in Europe/Berlin; next runs 2026-03-28T03:00:00+01:00, "
            "2026-03-29T03:00:00+02:00, 2026-03-30T03:00:00+02:00") in text.output


def test_plan_without_jobs_has_no_schedules_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(fields="").split("  nightly-report:")[0])
    assert "schedules" not in _plan(spec, "dev", monkeypatch)


def test_a_bad_scaffold_now_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCAFFOLD_NOW", "yesterday")
    result = CliRunner().invoke(app, ["plan", "-f", str(_write(tmp_path)), "-e", "dev"])
    assert result.exit_code == 2
    assert "SCAFFOLD_NOW='yesterday' is not an ISO-8601 date and time" in result.output


def test_plan_with_a_job_matches_the_documented_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    jsonschema = pytest.importorskip("jsonschema")
    docs = (Path(__file__).parents[2] / "docs" / "plan.md").read_text()
    match = re.search(r"```json\n(.*?)\n```", docs, re.S)
    assert match is not None
    schema = json.loads(match.group(1))
    assert "schedules" in schema["properties"]
    jsonschema.Draft202012Validator(schema).validate(_plan(_write(tmp_path), "dev", monkeypatch))


def test_the_next_runs_shown_in_docs_spec_md_are_what_plan_prints() -> None:
    """docs/spec.md shows the example's next runs across the change to summer time; they must be true."""
    import re

    from typer.testing import CliRunner

    from scaffold.cli import app

    root = Path(__file__).resolve().parents[2]
    docs = (root / "docs" / "spec.md").read_text()
    command, line = re.search(r"\$ SCAFFOLD_NOW=(\S+) scaffold plan -f examples/shop.yaml -e dev\n…\n(Schedule .*)\n",
                              docs).groups()
    result = CliRunner().invoke(app, ["plan", "-f", str(root / "examples" / "shop.yaml"), "-e", "dev"],
                                env={"SCAFFOLD_NOW": command})
    assert result.exit_code == 0, result.output
    assert line in result.output.splitlines()
