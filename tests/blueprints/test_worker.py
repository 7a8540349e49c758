"""Worker: a Fargate service with no load balancer that consumes a queue, dev vs production side by side."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws
import pytest

from blueprints.api import ServiceCluster
from blueprints.base import TAG_COMPONENT, TAG_ENVIRONMENT, TAG_PROJECT, StackContext
from blueprints.constraints import SettingsError
from blueprints.queue import Queue, QueueSettings
from blueprints.queue.settings import CONSUMER_ACTIONS, LINK_ACTIONS, consumer_link_variables
from blueprints.worker import (
    BACKLOG_EXPRESSION,
    MIN_VISIBILITY_TIMEOUT,
    NO_TASK_ALARM_EXPRESSION,
    Worker,
    WorkerScalingSettings,
    WorkerSettings,
    consumed_queue_problem,
    visibility_timeout_problem,
)
from tests.blueprints.fakes import fake_network

IMAGE = "ghcr.io/acme/mailer:2.0"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-prod-alarms"
SERVICE = "aws:ecs/service:Service"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
CONSUMER = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"]

#: The profile defaults the spec gives (dev: 1-2 tasks; production: 2-10, alarms on).
DEV = WorkerSettings(image=IMAGE)
PROD = WorkerSettings(
    image=IMAGE, cpu=512, memory=1024, command=("python", "-m", "mailer"), log_retention_days=30,
    alarms=True, scaling=WorkerScalingSettings(min=2, max=10, backlog_per_task=50, cpu=70),
)
#: Types that take no tags in AWS (or in the provider).
NOT_TAGGABLE = {"aws:iam/rolePolicy:RolePolicy", POLICY}


def build(offline: Callable[..., Any], settings: WorkerSettings, *, stack: str = "prod",
          topic: str | None = None, with_database: bool = False) -> Any:
    """A queue ``jobs``, the shared cluster and a worker ``mailer`` consuming it (using ``orders-db`` when asked)."""
    def program() -> None:
        from blueprints.database import Database, DatabaseSettings

        context = StackContext(project="shop", environment=stack)
        network = fake_network(3)
        jobs = Queue("jobs", QueueSettings(visibility_timeout=120), context=context)
        links = [Database("orders-db", DatabaseSettings(), context=context, network=network).link()] \
            if with_database else []
        cluster = ServiceCluster("services", context=context)
        Worker("mailer", settings, context=context, network=network, cluster=cluster, consumes=jobs,
               links=links, alarm_topic_arn=topic)
    return offline(program, stack=stack)


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    """Dev and production runs side by side; production also uses a database."""
    from stacks.mocks import run_offline

    def offline(program: Callable[[], None], *, stack: str) -> Any:
        return run_offline(program, project="shop", stack=stack)
    return {
        "dev": build(offline, DEV, stack="dev"),
        "prod": build(offline, PROD, stack="prod", topic=TOPIC, with_database=True),
    }


def one(run: Any, type_token: str, prefix: str = "mailer") -> Any:
    found = [r for r in run.of_type(type_token) if r.name.startswith(prefix)]
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def container(run: Any) -> dict[str, Any]:
    [definition] = json.loads(run.named("mailer-task").inputs["containerDefinitions"])
    return definition


def policy(run: Any, suffix: str) -> dict[str, Any]:
    return run.named(f"mailer-scale-{suffix}").inputs["targetTrackingScalingPolicyConfiguration"]


# -- ECS service -------------------------------------------------------------------------------
@pytest.mark.parametrize(("case", "desired"), [("dev", 1), ("prod", 2)])
def test_service_runs_in_private_subnets_with_no_load_balancer(runs: dict[str, Any], case: str,
                                                               desired: int) -> None:
    run = runs[case]
    service = one(run, SERVICE).inputs
    assert service["launchType"] == "FARGATE"
    assert service["desiredCount"] == desired  # production starts two tasks: one per AZ at least
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["waitForSteadyState"] is True
    assert (service["deploymentMinimumHealthyPercent"], service["deploymentMaximumPercent"]) == (100, 200)
    assert service["networkConfiguration"] == {
        "subnets": ["subnet-priv0", "subnet-priv1", "subnet-priv2"],
        "securityGroups": [run.named("mailer-service-sg").outputs["id"]],
        "assignPublicIp": False,
    }
    assert service["cluster"] == run.named("services-cluster").outputs["arn"]
    assert service["taskDefinition"] == run.named("mailer-task").outputs["arn"]
    assert "loadBalancers" not in service
    assert "healthCheckGracePeriodSeconds" not in service  # ECS refuses it without a load balancer
    assert service["propagateTags"] == "SERVICE"


def test_service_leaves_desired_count_to_autoscaling(
    offline: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = pulumi_aws.ecs.Service
    seen: list[pulumi.ResourceOptions] = []
    monkeypatch.setattr(pulumi_aws.ecs, "Service", lambda *a, opts, **kw: seen.append(opts) or real(*a, opts=opts, **kw))
    build(offline, DEV, stack="dev")
    assert [o.ignore_changes for o in seen] == [["desiredCount"]]  # Application Auto Scaling owns it


@pytest.mark.parametrize("case", ["dev", "prod"])
def test_nothing_can_connect_to_the_tasks(runs: dict[str, Any], case: str) -> None:
    run = runs[case]
    for type_token in ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup",
                       "aws:lb/listener:Listener"):
        assert run.of_type(type_token) == []
    group = run.named("mailer-service-sg").outputs["id"]
    assert [r.name for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == group] == []
    [out] = [r.inputs for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] == group]
    assert (out["ipProtocol"], out["cidrIpv4"]) == ("-1", "0.0.0.0/0")
    assert "ingress" not in run.named("mailer-service-sg").inputs  # no inline rules


# -- task ------------------------------------------------------------------------------------
def test_container_runs_the_command_with_no_port_and_finds_the_queue(runs: dict[str, Any]) -> None:
    prod, dev = container(runs["prod"]), container(runs["dev"])
    assert prod["command"] == ["python", "-m", "mailer"]
    assert "command" not in dev  # the image's CMD
    for definition, run in ((prod, runs["prod"]), (dev, runs["dev"])):
        assert "portMappings" not in definition
        env = {e["name"]: e["value"] for e in definition["environment"]}
        assert env["JOBS_QUEUE_URL"] == run.named("jobs-queue").outputs["url"]
    task = runs["prod"].named("mailer-task").inputs
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    assert runs["prod"].named("mailer-logs").inputs["retentionInDays"] == 30
    assert runs["dev"].named("mailer-logs").inputs["retentionInDays"] == 7


def test_task_role_may_consume_exactly_the_consumed_queue(runs: dict[str, Any]) -> None:
    run = runs["dev"]
    document = json.loads(run.named("mailer-task-policy").inputs["policy"])
    assert document["Statement"] == [{
        "Effect": "Allow",
        "Action": CONSUMER,  # receive, delete, extend visibility, read attributes; never send
        "Resource": run.named("jobs-queue").outputs["arn"],
    }]
    assert list(CONSUMER_ACTIONS) == CONSUMER
    assert "sqs:SendMessage" in LINK_ACTIONS and "sqs:SendMessage" not in CONSUMER_ACTIONS


def test_task_role_adds_the_used_database_and_the_rule_opens_its_port(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    document = json.loads(run.named("mailer-task-policy").inputs["policy"])
    [consume] = [s for s in document["Statement"] if s["Action"] == CONSUMER]
    assert consume["Resource"] == run.named("jobs-queue").outputs["arn"]
    assert len(document["Statement"]) == 2  # the queue's, then the database's (master secret read)
    rule = run.named("mailer-to-orders-db").inputs
    [db_group] = [r for r in run.of_type("aws:ec2/securityGroup:SecurityGroup") if r.name == "orders-db-sg"]
    assert rule["securityGroupId"] == db_group.outputs["id"]
    assert rule["referencedSecurityGroupId"] == run.named("mailer-service-sg").outputs["id"]
    assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 5432, 5432)
    env = {e["name"] for e in container(run)["environment"]}
    assert {"ORDERS_DB_HOST", "ORDERS_DB_PORT", "JOBS_QUEUE_URL"} <= env


def test_consumer_link_sets_exactly_the_documented_variables(offline: Callable[..., Any]) -> None:
    run = build(offline, DEV, stack="dev")
    names = {e["name"] for e in container(run)["environment"]}
    assert names == set(consumer_link_variables("jobs", QueueSettings()))


# -- scaling ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("case", "low", "high"), [("dev", 1, 2), ("prod", 2, 10)])
def test_scaling_target_range(runs: dict[str, Any], case: str, low: int, high: int) -> None:
    target = one(runs[case], TARGET).inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (low, high)
    cluster = "shop-dev-services" if case == "dev" else "shop-prod-services"
    assert target["resourceId"] == f"service/{cluster}/shop-{case}-mailer"
    assert (target["serviceNamespace"], target["scalableDimension"]) == ("ecs", "ecs:service:DesiredCount")


@pytest.mark.parametrize(("case", "backlog"), [("dev", 100.0), ("prod", 50.0)])
def test_backlog_policy_tracks_visible_messages_per_running_task(runs: dict[str, Any], case: str,
                                                                 backlog: float) -> None:
    run = runs[case]
    config = policy(run, "backlog")
    assert run.named("mailer-scale-backlog").inputs["policyType"] == "TargetTrackingScaling"
    assert config["targetValue"] == backlog
    assert (config["scaleOutCooldown"], config["scaleInCooldown"]) == (60, 300)
    assert "predefinedMetricSpecification" not in config
    visible, running, expression = config["customizedMetricSpecification"]["metrics"]
    assert visible == {"id": "visible", "returnData": False, "metricStat": {"stat": "Average", "metric": {
        "namespace": "AWS/SQS", "metricName": "ApproximateNumberOfMessagesVisible",
        "dimensions": [{"name": "QueueName", "value": run.named("jobs-queue").outputs["name"]}]}}}
    assert running == {"id": "running", "returnData": False, "metricStat": {"stat": "Average", "metric": {
        "namespace": "ECS/ContainerInsights", "metricName": "RunningTaskCount",
        "dimensions": [{"name": "ClusterName", "value": f"shop-{case}-services"},
                       {"name": "ServiceName", "value": f"shop-{case}-mailer"}]}}}
    assert expression == {"id": "backlog_per_task", "returnData": True, "label": "Visible messages per running task",
                          "expression": "FILL(visible, 0) / IF(FILL(running, 0) > 0, FILL(running, 0), 1)"}
    assert expression["expression"] == BACKLOG_EXPRESSION
    # exactly one query returns data; ids start lowercase and hold letters, digits, _ (AWS's rules)
    ids = [m["id"] for m in config["customizedMetricSpecification"]["metrics"]]
    assert all(i[0].islower() and i.replace("_", "").isalnum() for i in ids)


def test_cpu_is_a_second_policy_unless_turned_off(runs: dict[str, Any], offline: Callable[..., Any]) -> None:
    for case in ("dev", "prod"):
        config = policy(runs[case], "cpu")
        assert config["targetValue"] == 70.0
        assert config["predefinedMetricSpecification"] == {"predefinedMetricType": "ECSServiceAverageCPUUtilization"}
        assert sorted(r.name for r in runs[case].of_type(POLICY)) == ["mailer-scale-backlog", "mailer-scale-cpu"]
    run = build(offline, WorkerSettings(image=IMAGE, scaling=WorkerScalingSettings(cpu=None)), stack="dev")
    assert [r.name for r in run.of_type(POLICY)] == ["mailer-scale-backlog"]


# -- alarms ----------------------------------------------------------------------------------
def test_no_running_task_alarm_in_production_only(runs: dict[str, Any]) -> None:
    assert [r.name for r in runs["dev"].of_type(ALARM)] == []
    run = runs["prod"]
    alarm = one(run, ALARM).inputs
    assert alarm["name"] == "shop-prod-mailer-alarm-no-running-task"
    assert (alarm["comparisonOperator"], alarm["threshold"], alarm["evaluationPeriods"]) == (
        "GreaterThanOrEqualToThreshold", 1, 5)
    assert alarm["treatMissingData"] == "notBreaching"
    assert alarm["alarmActions"] == alarm["okActions"] == [TOPIC]
    for plain in ("metricName", "namespace", "statistic", "period"):
        assert plain not in alarm  # a metric-math alarm sets none of them
    visible, running, stalled = alarm["metricQueries"]
    assert visible == {"id": "visible", "returnData": False, "metric": {
        "namespace": "AWS/SQS", "metricName": "ApproximateNumberOfMessagesVisible", "period": 60,
        "stat": "Minimum", "dimensions": {"QueueName": run.named("jobs-queue").outputs["name"]}}}
    assert running == {"id": "running", "returnData": False, "metric": {
        "namespace": "ECS/ContainerInsights", "metricName": "RunningTaskCount", "period": 60,
        "stat": "Maximum", "dimensions": {"ClusterName": "shop-prod-services", "ServiceName": "shop-prod-mailer"}}}
    assert stalled == {"id": "stalled", "returnData": True, "label": "Messages waiting and no task running",
                       "expression": "IF(FILL(visible, 0) > 0 AND FILL(running, 0) == 0, 1, 0)"}
    assert stalled["expression"] == NO_TASK_ALARM_EXPRESSION
    assert len(alarm["alarmDescription"]) <= 1024


def test_alarm_without_topic_notifies_nobody(offline: Callable[..., Any]) -> None:
    run = build(offline, PROD)
    alarm = one(run, ALARM).inputs
    assert alarm["alarmActions"] == [] and alarm["okActions"] == []


def test_every_taggable_resource_is_tagged(runs: dict[str, Any]) -> None:
    for case in ("dev", "prod"):
        mine = [r for r in runs[case].resources if r.custom and r.name.startswith("mailer-")]
        assert len(mine) >= 10
        for r in mine:
            if r.type in NOT_TAGGABLE:
                continue
            expected = {TAG_PROJECT: "shop", TAG_ENVIRONMENT: case, TAG_COMPONENT: "mailer"}
            assert r.inputs["tags"].items() >= expected.items(), r.name


# -- consumes and uses -----------------------------------------------------------------------
def test_using_the_consumed_queue_is_refused_before_anything_is_built(offline: Callable[..., Any]) -> None:
    from stacks.mocks import run_offline

    registered: list[str] = []

    def program() -> None:
        context = StackContext(project="shop", environment="dev")
        jobs = Queue("jobs", QueueSettings(), context=context)
        cluster = ServiceCluster("services", context=context)
        with pytest.raises(ValueError, match="'jobs' is the queue this worker consumes"):
            Worker("mailer", DEV, context=context, network=fake_network(), cluster=cluster,
                   consumes=jobs, links=[jobs.link()])
        registered.append("checked")

    run = run_offline(program, project="shop", stack="dev")
    assert registered == ["checked"]
    assert [r.name for r in run.resources if r.name.startswith("mailer")] == []
    problem = consumed_queue_problem("jobs", ["orders-db", "jobs"])
    assert problem is not None and problem.field == "uses" and "remove 'jobs'" in problem.hint
    assert consumed_queue_problem("jobs", ["orders-db", "other-queue"]) is None


def test_visibility_timeout_shorter_than_the_minimum_warns() -> None:
    assert MIN_VISIBILITY_TIMEOUT == 60
    short = visibility_timeout_problem("jobs", 30)
    assert short is not None and short.field == "consumes" and "30s, less than 60s" in short.message
    assert short.source.startswith("https://docs.aws.amazon.com/AWSSimpleQueueService/")
    assert visibility_timeout_problem("jobs", 60) is None


# -- settings --------------------------------------------------------------------------------
def test_defaults_and_port() -> None:
    s = WorkerSettings(image=IMAGE)
    assert s.port is None
    assert (s.cpu, s.memory, s.log_retention_days, s.command, s.alarms) == (256, 512, 7, None, False)
    assert (s.scaling.min, s.scaling.max, s.scaling.backlog_per_task, s.scaling.cpu) == (1, 2, 100, 70)
    with pytest.raises(TypeError):
        s.environment["X"] = "1"  # type: ignore[index]


@pytest.mark.parametrize(("kwargs", "fields"), [
    ({"min": 3, "max": 2}, ["min"]),
    ({"min": 0}, ["min"]),
    ({"max": 5001}, ["max"]),
    ({"backlog_per_task": 0}, ["backlog_per_task"]),
    ({"backlog_per_task": 2 ** 361}, ["backlog_per_task"]),
    ({"cpu": 0}, ["cpu"]),
    ({"cpu": 101, "backlog_per_task": -1}, ["cpu", "backlog_per_task"]),
])
def test_scaling_validation(kwargs: dict[str, int], fields: list[str]) -> None:
    with pytest.raises(SettingsError) as raised:
        WorkerScalingSettings(**kwargs)
    assert [p.field for p in raised.value.problems] == fields


def test_settings_report_every_container_problem_at_once() -> None:
    with pytest.raises(SettingsError) as raised:
        WorkerSettings(image="bad image", cpu=256, memory=4096, command=(), log_retention_days=8,
                       environment={"1BAD": "x"}, secrets={"KEY": "plain-value"})
    assert {p.field for p in raised.value.problems} == {
        "image", "memory", "command", "log_retention_days", "environment.1BAD", "secrets.KEY"}


def test_settings_import_no_pulumi() -> None:
    code = ("import sys, blueprints.worker.settings, blueprints.worker as w; w.WorkerSettings; "
            "assert 'pulumi' not in sys.modules, 'pulumi imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[2]))
