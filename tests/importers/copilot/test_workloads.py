"""Copilot workloads → api, worker, job (scaffold/importers/copilot/workloads/).

One hand-written workspace per mapping row (``workspaces/w-*``); each test checks the spec's
fields, that the spec validates, and the report entries (section, file:line, text).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scaffold.importers.copilot import Imported
from scaffold.importers.copilot.report import Section
from scaffold.importers.copilot.workloads import TYPES
from scaffold.importers.copilot.workloads.conv import go_duration
from tests.importers.copilot.conftest import (
    assert_reported,
    check_spec,
    entries,
    run_import,
    write_workspace,
)

IMPORTED, LEFT_OUT, DECIDE, BEHAVIOUR = Section.IMPORTED, Section.LEFT_OUT, Section.DECIDE, Section.BEHAVIOUR


def _import(case: str) -> tuple[Imported, dict[str, Any]]:
    imported = run_import(Path(case))
    check_spec(imported)
    return imported, yaml.safe_load(imported.spec)


def _component(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"][name]


def _override(spec: dict[str, Any], env: str, name: str) -> dict[str, Any]:
    return spec["environments"][env].get("components", {}).get(name, {})


# -- Load Balanced Web Service ---------------------------------------------------------------

def test_a_load_balanced_web_service_becomes_a_public_api() -> None:
    imported, spec = _import("w-lbws")
    frontend = _component(spec, "frontend")
    assert frontend == {"kind": "api", "image": "ghcr.io/acme/frontend:1.2.3", "port": 3000, "cpu": 512,
                        "memory": 1024, "health_check": "/healthz", "public": True,
                        "environment": {"LOG_LEVEL": "info"}}
    report = imported.report
    assert_reported(report, IMPORTED, where="copilot/frontend/manifest.yml:2", text="became api `frontend` (public: true)")
    assert_reported(report, BEHAVIOUR, where="copilot/frontend/manifest.yml:2", text="production runs at least 2 tasks")
    assert_reported(report, BEHAVIOUR, where="copilot/frontend/manifest.yml:2", text="COPILOT_LB_DNS")


def test_a_public_api_in_production_without_alias_reads_its_domain_from_a_variable() -> None:
    imported, spec = _import("w-lbws")
    assert _override(spec, "prod", "frontend") == {"domain": "${FRONTEND_DOMAIN}"}
    assert "FRONTEND_DOMAIN" in imported.variables
    assert_reported(imported.report, DECIDE, subject="frontend: http.alias", text="set FRONTEND_DOMAIN")


def test_image_build_becomes_the_ecr_image_copilot_pushed_with_an_image_tag_variable() -> None:
    imported, spec = _import("w-lbws")
    assert _component(spec, "web")["image"] == "123456789012.dkr.ecr.eu-west-2.amazonaws.com/shop/web:${IMAGE_TAG}"
    assert "IMAGE_TAG" in imported.variables
    assert_reported(imported.report, DECIDE, where="copilot/web/manifest.yml:7", text="scaffold builds no image")


def test_http_path_routing_is_reported_and_a_domain_serves_one_environment() -> None:
    imported, spec = _import("w-lbws")
    assert _component(spec, "web")["domain"] == "web.example.com"
    assert _override(spec, "test", "web") == {"domain": None}
    assert_reported(imported.report, LEFT_OUT, where="copilot/web/manifest.yml:4", text="path routing (`web`)")
    assert_reported(imported.report, DECIDE, where="copilot/web/manifest.yml:5", text="`test` serves no domain")
    assert not entries(imported.report, LEFT_OUT, where="copilot/frontend/manifest.yml:4")  # path: '/'


def test_http_false_and_a_network_load_balancer_are_reported() -> None:
    imported, spec = _import("w-lbws")
    assert _component(spec, "tcp")["public"] is True
    assert_reported(imported.report, LEFT_OUT, where="copilot/tcp/manifest.yml:3", text="`http: false`")
    assert_reported(imported.report, LEFT_OUT, where="copilot/tcp/manifest.yml:4", text="Network Load Balancer")


# -- Backend Service -------------------------------------------------------------------------

def test_a_backend_service_becomes_an_internal_api_with_its_scaling() -> None:
    imported, spec = _import("w-backend")
    api = _component(spec, "api")
    assert api["public"] is False
    assert api["health_check"] == "/ready"
    assert api["scaling"] == {"min": 2, "max": 6, "cpu": 50, "memory": 70, "requests": 500}
    report = imported.report
    assert_reported(report, IMPORTED, where="copilot/api/manifest.yml:2", text="(public: false)")
    assert_reported(report, LEFT_OUT, where="copilot/api/manifest.yml:9", text="container health check")
    assert_reported(report, LEFT_OUT, where="copilot/api/manifest.yml:18", text="response time")
    assert_reported(report, LEFT_OUT, where="copilot/api/manifest.yml:20", text="Service Connect")
    assert_reported(report, LEFT_OUT, where="copilot/api/manifest.yml:22", text="private subnets")
    assert_reported(report, LEFT_OUT, where="copilot/api/manifest.yml:4", text="build settings")
    assert_reported(report, BEHAVIOUR, where="copilot/api/manifest.yml:2", text="internal load balancer")


def test_a_backend_service_without_a_port_is_to_decide() -> None:
    imported, spec = _import("w-backend")
    assert "port" not in _component(spec, "cron-refresher")
    assert_reported(imported.report, DECIDE, where="copilot/cron-refresher/manifest.yml:3",
                    text="the service has no port")


# -- Worker Service and topics ---------------------------------------------------------------

def test_a_worker_consumes_a_queue_made_from_subscribe_queue() -> None:
    imported, spec = _import("w-worker-topics")
    assert _component(spec, "mailer-queue") == {"kind": "queue", "visibility_timeout": "2m", "retention": "4d",
                                                "max_receives": 7}
    mailer = _component(spec, "mailer")
    assert mailer["consumes"] == "mailer-queue"
    assert mailer["scaling"] == {"min": 1, "max": 10, "backlog_per_task": 2400}  # 10m / 250ms
    report = imported.report
    assert_reported(report, LEFT_OUT, where="copilot/mailer/manifest.yml:14", text="delivery delay")
    assert_reported(report, BEHAVIOUR, where="copilot/mailer/manifest.yml:2", text="MAILER_QUEUE_QUEUE_URL")
    assert_reported(report, BEHAVIOUR, where="copilot/mailer/manifest.yml:2", text="COPILOT_QUEUE_URI")


def test_publish_topics_become_notifications_the_publisher_uses_and_subscriptions_their_subscribers() -> None:
    imported, spec = _import("w-worker-topics")
    assert _component(spec, "orders-events") == {"kind": "notifications", "subscribers": [{"queue": "mailer-queue"}]}
    assert _component(spec, "orders")["uses"] == ["orders-events"]
    report = imported.report
    assert_reported(report, IMPORTED, where="copilot/orders/manifest.yml:11", text="notifications `orders-events`")
    assert_reported(report, IMPORTED, where="copilot/mailer/manifest.yml:18", text="subscriber `queue: mailer-queue`")
    assert_reported(report, LEFT_OUT, where="copilot/mailer/manifest.yml:20", text="filter policies")
    assert_reported(report, LEFT_OUT, where="copilot/orders/manifest.yml:14", text="named twice")
    assert_reported(report, BEHAVIOUR, where="copilot/orders/manifest.yml:2", text="ORDERS_EVENTS_TOPIC_ARN")


def test_a_publisher_outside_the_workspace_and_a_per_topic_queue_are_reported() -> None:
    imported, _ = _import("w-worker-topics")
    report = imported.report
    assert_reported(report, LEFT_OUT, where="copilot/mailer/manifest.yml:23", text="publisher `billing` is not in")
    assert_reported(report, LEFT_OUT, where="copilot/mailer/manifest.yml:25", text="consumes one queue")


def test_fifo_topics_and_fifo_queues_cannot_be_subscribed() -> None:
    imported, spec = _import("w-worker-topics")
    assert _component(spec, "ledger-queue") == {"kind": "queue", "fifo": True, "content_based_deduplication": True}
    assert "orders-audit" not in spec["components"]
    report = imported.report
    assert_reported(report, LEFT_OUT, where="copilot/orders/manifest.yml:12", text="FIFO topic is not kept")
    assert_reported(report, LEFT_OUT, where="copilot/mailer/manifest.yml:27", text="FIFO topic")
    assert_reported(report, LEFT_OUT, where="copilot/ledger/manifest.yml:11", text="cannot deliver to a FIFO queue")
    assert_reported(report, LEFT_OUT, where="copilot/ledger/manifest.yml:9", text="high-throughput")


# -- Scheduled Job ---------------------------------------------------------------------------

@pytest.mark.parametrize(("job", "schedule"), [
    ("every", "rate(30 minutes)"),
    ("rate", "rate(15 minutes)"),
    ("unix", "cron(0 9 ? * 2-6 *)"),  # Monday-Friday: Unix 1-5 is EventBridge 2-6
    ("sundays", "cron(30 4 ? * 1,7 *)"),  # Unix 0 (Sunday) and 6 (Saturday)
    ("eventbridge", "cron(0 3 ? * MON-FRI *)"),
    ("six", "cron(0 6 * * ? *)"),
    ("daily", "@daily"),
])
def test_job_schedules_become_scaffold_schedules_in_utc(job: str, schedule: str) -> None:
    from blueprints.job.schedule import parse_schedule

    _, spec = _import("w-job-schedules")
    component = _component(spec, job)
    assert component["schedule"] == schedule
    assert component["timezone"] == "UTC"
    parse_schedule(schedule)


def test_job_retries_timeout_and_the_reported_schedules() -> None:
    imported, spec = _import("w-job-schedules")
    every = _component(spec, "every")
    assert (every["retries"], every["timeout"], every["command"]) == (2, "90m", ["python", "-m", "jobs.every"])
    report = imported.report
    assert_reported(report, IMPORTED, where="copilot/every/manifest.yml:2", text="`@every 30m` → `rate(30 minutes)`")
    assert_reported(report, DECIDE, where="copilot/six/manifest.yml:4", text="six fields")
    assert_reported(report, LEFT_OUT, where="copilot/broken/manifest.yml:4", text="not a whole number of minutes")
    assert_reported(report, LEFT_OUT, where="copilot/manual/manifest.yml:4", text="`none`")
    assert {"broken", "manual"}.isdisjoint(spec["components"])
    assert "broken" not in imported.spec
    assert_reported(report, BEHAVIOUR, where="copilot/daily/manifest.yml:2", text="no time limit")
    assert not entries(report, BEHAVIOUR, where="copilot/every/manifest.yml:2", text="no time limit")


# -- unsupported types -------------------------------------------------------------------------

def test_static_sites_app_runner_and_unknown_types_are_reported_without_a_component() -> None:
    imported, spec = _import("w-unsupported")
    assert set(spec["components"]) == {"api"}
    assert imported.workloads == 1
    report = imported.report
    assert_reported(report, LEFT_OUT, where="copilot/site/manifest.yml:2", text="Static Site is not supported")
    assert_reported(report, LEFT_OUT, where="copilot/frontend/manifest.yml:2", text="App Runner")
    assert_reported(report, LEFT_OUT, where="copilot/mystery/manifest.yml:2", text="not a Copilot workload type")
    assert_reported(report, LEFT_OUT, where="copilot/notype/manifest.yml:1", text="no `type`")


def test_every_copilot_type_is_in_the_registry() -> None:
    assert set(TYPES) == {"Load Balanced Web Service", "Backend Service", "Worker Service", "Scheduled Job",
                          "Static Site", "Request-Driven Web Service"}


# -- the shared fields ---------------------------------------------------------------------------

def test_fields_map_where_scaffold_has_them() -> None:
    _, spec = _import("w-fields")
    api = _component(spec, "api")
    assert api["command"] == ["gunicorn", "app:create()", "--bind", "0.0.0.0:8080"]  # shell rules, as Copilot
    assert (api["cpu"], api["memory"]) == (1024, 2048)  # the nearest Fargate pair
    assert api["health_check"] == "/healthz"
    assert api["health_check_grace_period"] == "2m"
    assert api["domain"] == "api.example.com"
    assert api["scaling"] == {"min": 2, "max": 8, "cpu": 65, "memory": 80}
    assert api["environment"] == {"LOG_LEVEL": "info", "FEATURE_FLAG": "on", "RATIO": "1.50"}  # as written
    assert api["log_retention"] == "14d"


def test_secrets_keep_full_arns_and_build_the_others() -> None:
    imported, spec = _import("w-fields")
    secrets = _component(spec, "api")["secrets"]
    assert secrets == {
        "GITHUB_TOKEN": "arn:aws:ssm:eu-west-2:123456789012:parameter/GITHUB_TOKEN",
        "DB_PASSWORD": "arn:aws:ssm:eu-west-2:123456789012:parameter/shop/dev/db-password",
        "STRIPE_KEY": "arn:aws:secretsmanager:eu-west-2:123456789012:secret:shop/stripe-AbCdEf",
        "PARAM": "arn:aws:ssm:eu-west-2:123456789012:parameter/shop/param",
        "MYSQL": "${API_MYSQL_ARN}",
        "MYSQL_USER": "${API_MYSQL_USER_ARN}:username::",
    }
    assert imported.variables["API_MYSQL_ARN"].example.startswith("arn:aws:secretsmanager:")
    report = imported.report
    assert_reported(report, DECIDE, where="copilot/api/manifest.yml:44", text="GITHUB_TOKEN, DB_PASSWORD")
    assert_reported(report, DECIDE, where="copilot/api/manifest.yml:50", text="describe-secret --secret-id shop/mysql")
    assert_reported(report, LEFT_OUT, where="copilot/api/manifest.yml:53", text="CloudFormation export")


@pytest.mark.parametrize(("line", "fragment"), [
    (4, "build settings"), (10, "Docker labels"), (12, "ENTRYPOINT"), (14, "nearest"), (16, "x86-64"),
    (21, "Spot"), (24, "cooldowns"), (32, "thresholds"), (33, "`api.example.org` not kept"),
    (35, "hosted zone ID"), (41, "named like a secret"), (42, "CloudFormation export"), (56, "14 days"),
    (57, "FireLens"), (59, "ECS Exec"), (62, "security groups"), (65, "20 GiB"), (67, "EFS"),
    (71, "sidecar `nginx`"), (75, "Ulimits"), (78, "recreate"), (79, "X-Ray"), (81, "env file"),
    (82, "not a key of Copilot's Load Balanced Web Service manifest"),
])
def test_each_field_left_out_is_reported_at_its_line(line: int, fragment: str) -> None:
    imported, _ = _import("w-fields")
    assert_reported(imported.report, where=f"copilot/api/manifest.yml:{line}", text=fragment)


# -- environments overrides ------------------------------------------------------------------------

def test_environment_overrides_become_component_overrides() -> None:
    imported, spec = _import("w-overrides")
    prod = _override(spec, "prod", "api")
    assert prod == {"cpu": 1024, "memory": 4096, "domain": "api.example.com",
                    "scaling": {"min": 3, "max": 12, "cpu": 70}, "environment": {"LOG_LEVEL": "warn"}}
    staging = _override(spec, "staging", "api")
    assert staging["image"] == "ghcr.io/acme/api:staging"
    assert staging["scaling"] == {"min": 2}
    assert_reported(imported.report, IMPORTED, where="copilot/api/manifest.yml:19",
                    text="became `environments.prod.components.api`")


def test_copilot_environment_name_is_written_per_environment() -> None:
    imported, spec = _import("w-overrides")
    base = _component(spec, "api")
    assert base["environment"]["APP"] == "shop"
    for env in ("staging", "test", "qa"):
        override = _override(spec, env, "api")
        assert override["environment"]["APP_ENV"] == env
        assert override["domain"] == f"api.{env}.example.com"
        assert override["secrets"]["DB_URL"] == (
            f"arn:aws:ssm:eu-west-2:123456789012:parameter/copilot/shop/{env}/secrets/DB_URL")
    assert_reported(imported.report, IMPORTED, where="copilot/api/manifest.yml:13", text="COPILOT_ENVIRONMENT_NAME")


def test_an_override_for_an_environment_not_in_the_workspace_is_reported(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import scaffold.importers.copilot as importer
    from scaffold.importers.copilot.context import Context
    from scaffold.importers.copilot.draft import EnvironmentDraft
    from scaffold.importers.copilot.yamlsource import Origin

    def only_dev(ctx: Context) -> None:  # the environments converter without its override-only names
        ctx.draft.environments["dev"] = EnvironmentDraft("dev", "dev", Origin("copilot/environments"), "dev")
        ctx.env_names["dev"] = "dev"

    monkeypatch.setattr(importer, "STEPS", (only_dev, importer.workloads.convert))
    root = write_workspace(tmp_path, {
        "copilot/.workspace": "application: shop\n",
        "copilot/api/manifest.yml": """\
            name: api
            type: Backend Service
            image:
              location: nginx
              port: 80
            environments:
              gone:
                cpu: 512
            """,
    })
    imported = importer.import_workspace(root, region="eu-west-2", account="123456789012")
    check_spec(imported)
    assert "gone" not in imported.spec
    assert_reported(imported.report, LEFT_OUT, where="copilot/api/manifest.yml:7", text="no environment `gone`")


# -- robustness ----------------------------------------------------------------------------------

def test_wrong_types_are_reported_never_raised(tmp_path: Path) -> None:
    from scaffold.importers.copilot import import_workspace

    root = write_workspace(tmp_path, {
        "copilot/.workspace": "application: shop\n",
        "copilot/api/manifest.yml": """\
            name: api
            type: Load Balanced Web Service
            image: nginx
            cpu: big
            count: [1, 2]
            variables: [A, B]
            secrets: just-a-string
            http: yes-please
            command: {a: 1}
            network: 3
            environments: []
            """,
        "copilot/job/manifest.yml": """\
            name: job
            type: Scheduled Job
            on: daily
            """,
        "copilot/worker/manifest.yml": """\
            name: worker
            type: Worker Service
            subscribe:
              queue: 5
              topics: nope
            """,
    })
    imported = import_workspace(root, region="eu-west-2", account="123456789012")
    check_spec(imported)
    spec = yaml.safe_load(imported.spec)
    assert set(spec["components"]) == {"api", "worker", "worker-queue"}
    for line, fragment in ((3, "expected a mapping"), (4, "whole number"), (5, "number or a mapping"),
                           (6, "mapping"), (7, "mapping"), (8, "mapping"), (9, "string or a list"), (10, "mapping"),
                           (11, "environment names")):
        assert_reported(imported.report, LEFT_OUT, where=f"copilot/api/manifest.yml:{line}", text=fragment)
    assert_reported(imported.report, LEFT_OUT, where="copilot/job/manifest.yml:3", text="needs `on.schedule`")
    assert_reported(imported.report, DECIDE, subject="api: image", text="names no image")


def test_the_import_is_deterministic() -> None:
    assert run_import(Path("w-fields")).spec == run_import(Path("w-fields")).spec
    assert run_import(Path("w-worker-topics")).report.markdown("r") == \
        run_import(Path("w-worker-topics")).report.markdown("r")


@pytest.mark.parametrize(("text", "seconds"), [("1h30m", 5400), ("250ms", 0.25), ("96h", 345600), ("4d", 345600),
                                               ("", None), ("10", None), (10, None)])
def test_go_durations(text: Any, seconds: float | None) -> None:
    assert go_duration(text) == seconds
