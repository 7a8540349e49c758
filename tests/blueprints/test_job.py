"""Job: what the engine would receive for the schedule, the state machine, the roles and the alarm, dev vs production."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws
import pytest

from blueprints.api import ServiceCluster
from blueprints.base import TAG_COMPONENT, Link, StackContext
from blueprints.job import Job, JobSettings
from tests.blueprints.fakes import fake_network

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/reports:1.0"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-prod-alerts"
SCHEDULE = "aws:scheduler/schedule:Schedule"
MACHINE = "aws:sfn/stateMachine:StateMachine"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/shop-{stack}-services"

DEV = JobSettings(image=IMAGE, schedule="@daily", retries=0)
PROD = JobSettings(
    image=IMAGE, schedule="cron(0 3 * * ? *)", timezone="Europe/Berlin", timeout=1800, retries=2,
    cpu=512, memory=1024, command=("python", "-m", "reports.nightly"), log_retention_days=30, alarms=True,
)


def db_link() -> Link:
    return Link(component="orders-db", environment={"ORDERS_DB_HOST": "db.example"},
                security_group_id="sg-0db", port=5432,
                iam_statements=[{"Effect": "Allow", "Action": "rds-db:connect", "Resource": "arn:aws:rds-db:x"}])


def build(offline: Callable[..., Any], settings: JobSettings, *, stack: str = "prod", topic: str | None = None,
          links: tuple[Link, ...] = (), name: str = "nightly-report") -> Any:
    def program() -> None:
        context = StackContext(project="shop", environment=stack)
        cluster = ServiceCluster("services", context=context)
        job = Job(name, settings, context=context, network=fake_network(), cluster=cluster, links=links,
                  alarm_topic_arn=topic)
        pulumi.export("expression", job.expression)
    return offline(program, stack=stack)


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    """Dev-like and production-like jobs, side by side."""
    from stacks.mocks import run_offline

    def offline(program: Callable[[], Any], *, stack: str) -> Any:
        return run_offline(program, project="shop", stack=stack)
    return {
        "dev": build(offline, DEV, stack="dev"),
        "prod": build(offline, PROD, stack="prod", topic=TOPIC, links=(db_link(),)),
    }


def one(run: Any, type_token: str) -> Any:
    found = run.of_type(type_token)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def definition(run: Any) -> dict[str, Any]:
    return json.loads(one(run, MACHINE).inputs["definition"])


def policy(run: Any, name: str) -> dict[str, Any]:
    return json.loads(run.named(name).inputs["policy"])


# -- the schedule ------------------------------------------------------------------------------
@pytest.mark.parametrize(("case", "expression", "zone"), [
    ("dev", "cron(0 0 * * ? *)", "UTC"), ("prod", "cron(0 3 * * ? *)", "Europe/Berlin")])
def test_schedule_starts_the_state_machine_on_time(runs: dict[str, Any], case: str, expression: str,
                                                   zone: str) -> None:
    run = runs[case]
    schedule = one(run, SCHEDULE).inputs
    assert schedule["scheduleExpression"] == expression == run.outputs["expression"]
    assert schedule["scheduleExpressionTimezone"] == zone
    assert schedule["flexibleTimeWindow"] == {"mode": "OFF"}
    assert schedule["state"] == "ENABLED"
    assert schedule["name"] == f"shop-{case}-nightly-report"
    assert schedule["groupName"] == "default"
    machine = one(run, MACHINE)
    assert machine.outputs["arn"] == f"arn:aws:states:us-east-1:123456789012:stateMachine:shop-{case}-nightly-report"
    target = schedule["target"]
    assert target["arn"] == machine.outputs["arn"]
    assert target["roleArn"] == run.named("nightly-report-scheduler-role").outputs["arn"]
    assert target["input"] == "{}"
    assert target["retryPolicy"] == {"maximumEventAgeInSeconds": 86400, "maximumRetryAttempts": 185}


def test_scheduler_role_may_only_start_this_state_machine(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    role = run.named("nightly-report-scheduler-role").inputs
    assert role["name"] == "shop-prod-nightly-report-scheduler"
    assert json.loads(role["assumeRolePolicy"])["Statement"] == [{
        "Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]
    assert policy(run, "nightly-report-scheduler-policy")["Statement"] == [{
        "Sid": "StartJob", "Effect": "Allow", "Action": "states:StartExecution",
        "Resource": one(run, MACHINE).outputs["arn"]}]
    assert run.named("nightly-report-scheduler-policy").inputs["role"] == \
        run.named("nightly-report-scheduler-role").outputs["id"]


# -- the state machine -------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["dev", "prod"])
def test_task_state_runs_the_task_sync_in_private_subnets(runs: dict[str, Any], case: str) -> None:
    run = runs[case]
    machine = one(run, MACHINE).inputs
    assert machine["type"] == "STANDARD"
    assert machine["name"] == f"shop-{case}-nightly-report"
    assert machine["roleArn"] == run.named("nightly-report-sfn-role").outputs["arn"]
    states = definition(run)["States"]
    assert definition(run)["StartAt"] == "Run task"
    task = states["Run task"]
    assert task["Type"] == "Task"
    assert task["Resource"] == "arn:aws:states:::ecs:runTask.sync"
    assert task["Parameters"] == {
        "LaunchType": "FARGATE",
        "Cluster": CLUSTER_ARN.format(stack=case),
        "TaskDefinition": one(run, TASK).outputs["arn"],
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "Subnets": ["subnet-priv0", "subnet-priv1", "subnet-priv2"],
            "SecurityGroups": [run.named("nightly-report-service-sg").outputs["id"]],
            "AssignPublicIp": "DISABLED",
        }},
    }
    assert task["Next"] == "Check exit code"


def test_timeout_and_retries_dev_vs_production(runs: dict[str, Any]) -> None:
    dev = definition(runs["dev"])["States"]["Run task"]
    prod = definition(runs["prod"])["States"]["Run task"]
    assert (dev["TimeoutSeconds"], prod["TimeoutSeconds"]) == (3600, 1800)
    assert "Retry" not in dev  # retries: 0 runs once
    assert prod["Retry"] == [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "BackoffRate": 2.0,
                              "MaxDelaySeconds": 900, "MaxAttempts": 2}]


def test_non_zero_exit_code_fails_the_execution(runs: dict[str, Any]) -> None:
    states = definition(runs["prod"])["States"]
    check = states["Check exit code"]
    assert check["Type"] == "Choice"
    assert check["Choices"] == [{
        "And": [{"Variable": "$.Containers[0].ExitCode", "IsPresent": True},
                {"Not": {"Variable": "$.Containers[0].ExitCode", "NumericEquals": 0}}],
        "Next": "Failed"}]
    assert check["Default"] == "Succeeded"
    assert states["Failed"]["Type"] == "Fail" and states["Failed"]["Error"] == "Job.NonZeroExitCode"
    assert not states["Failed"]["Error"].startswith("States.")  # reserved prefix
    assert states["Succeeded"] == {"Type": "Succeed"}
    assert set(states) == {"Run task", "Check exit code", "Failed", "Succeeded"}


def test_state_machine_role_has_exactly_the_sync_permissions(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    role = run.named("nightly-report-sfn-role").inputs
    assert role["name"] == "shop-prod-nightly-report-sfn"
    assert json.loads(role["assumeRolePolicy"])["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}
    in_cluster = {"ArnEquals": {"ecs:cluster": CLUSTER_ARN.format(stack="prod")}}
    assert policy(run, "nightly-report-sfn-policy")["Statement"] == [
        {"Sid": "RunJobTask", "Effect": "Allow", "Action": "ecs:RunTask",
         "Resource": "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-prod-nightly-report:*",
         "Condition": in_cluster},
        {"Sid": "WatchAndStopJobTask", "Effect": "Allow", "Action": ["ecs:StopTask", "ecs:DescribeTasks"],
         "Resource": "*", "Condition": in_cluster},
        {"Sid": "PassTaskRoles", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": ["arn:aws:iam::123456789012:role/shop-prod-nightly-report-exec",
                      "arn:aws:iam::123456789012:role/shop-prod-nightly-report-task"],
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        {"Sid": "SyncRule", "Effect": "Allow",
         "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
         "Resource": "arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForECSTaskRule"},
    ]
    # The task definition's ARN (with its revision) is inside the family the policy allows.
    assert one(run, TASK).outputs["arn"].startswith(
        "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-prod-nightly-report:")


def test_partition_follows_the_region(offline: Callable[..., Any]) -> None:
    def program() -> None:
        context = StackContext(project="shop", environment="gov")
        Job("nightly-report", DEV, context=context, network=fake_network(),
            cluster=ServiceCluster("services", context=context))
    run = offline(program, stack="gov", region="us-gov-west-1")
    assert definition(run)["States"]["Run task"]["Resource"] == "arn:aws-us-gov:states:::ecs:runTask.sync"
    statements = policy(run, "nightly-report-sfn-policy")["Statement"]
    assert statements[0]["Resource"].startswith("arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/")
    assert statements[3]["Resource"].startswith("arn:aws-us-gov:events:us-gov-west-1:")


# -- the task ----------------------------------------------------------------------------------
def test_task_definition_dev_vs_production(runs: dict[str, Any]) -> None:
    dev, prod = one(runs["dev"], TASK).inputs, one(runs["prod"], TASK).inputs
    assert (dev["cpu"], dev["memory"], prod["cpu"], prod["memory"]) == ("256", "512", "512", "1024")
    assert dev["requiresCompatibilities"] == ["FARGATE"] and dev["networkMode"] == "awsvpc"
    [dev_container] = json.loads(dev["containerDefinitions"])
    [prod_container] = json.loads(prod["containerDefinitions"])
    assert "command" not in dev_container and "portMappings" not in dev_container
    assert prod_container["command"] == ["python", "-m", "reports.nightly"]
    assert "portMappings" not in prod_container  # a job listens on nothing
    assert prod_container["environment"] == [{"name": "ORDERS_DB_HOST", "value": "db.example"}]
    logs = runs["prod"].named("nightly-report-logs").inputs
    assert logs["retentionInDays"] == 30 and logs["name"] == "/ecs/shop-prod-nightly-report"


def test_tasks_get_no_ingress_and_reach_what_they_use(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    group = run.named("nightly-report-service-sg")
    rules = run.of_type(INGRESS)
    assert [r.inputs["securityGroupId"] for r in rules] == ["sg-0db"]  # only on the linked database's group
    [to_db] = rules
    assert to_db.inputs["referencedSecurityGroupId"] == group.outputs["id"]
    assert (to_db.inputs["fromPort"], to_db.inputs["toPort"], to_db.inputs["ipProtocol"]) == (5432, 5432, "tcp")
    [egress] = run.of_type(EGRESS)
    assert egress.inputs["securityGroupId"] == group.outputs["id"]
    assert runs["dev"].of_type(INGRESS) == []
    task_policy = policy(run, "nightly-report-task-policy")
    assert task_policy["Statement"] == [{"Effect": "Allow", "Action": "rds-db:connect",
                                         "Resource": "arn:aws:rds-db:x"}]


# -- the alarm ---------------------------------------------------------------------------------
def test_failure_alarm_sums_failed_timed_out_and_aborted_executions(runs: dict[str, Any]) -> None:
    assert runs["dev"].of_type(ALARM) == []
    alarm = one(runs["prod"], ALARM).inputs
    machine_arn = one(runs["prod"], MACHINE).outputs["arn"]
    assert alarm["name"] == "shop-prod-nightly-report-alarm-failed"
    assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
    assert (alarm["comparisonOperator"], alarm["threshold"], alarm["evaluationPeriods"],
            alarm["datapointsToAlarm"], alarm["treatMissingData"]) == (
        "GreaterThanOrEqualToThreshold", 1, 1, 1, "notBreaching")
    queries = {q["id"]: q for q in alarm["metricQueries"]}
    assert queries["failures"] == {
        "id": "failures", "expression": "FILL(m1, 0) + FILL(m2, 0) + FILL(m3, 0)",
        "label": "Failed, timed-out and aborted executions", "returnData": True}
    for query_id, metric in (("m1", "ExecutionsFailed"), ("m2", "ExecutionsTimedOut"), ("m3", "ExecutionsAborted")):
        assert queries[query_id] == {"id": query_id, "returnData": False, "metric": {
            "namespace": "AWS/States", "metricName": metric, "period": 300, "stat": "Sum",
            "dimensions": {"StateMachineArn": machine_arn}}}
    assert "after 2 retries" in alarm["alarmDescription"]
    assert "/ecs/shop-prod-nightly-report" in alarm["alarmDescription"]


def test_alarm_without_topic_notifies_nobody(offline: Callable[..., Any]) -> None:
    run = build(offline, PROD)
    alarm = one(run, ALARM).inputs
    assert alarm.get("alarmActions", []) == [] and alarm.get("okActions", []) == []


# -- everything --------------------------------------------------------------------------------
def test_every_taggable_resource_is_tagged(runs: dict[str, Any]) -> None:
    untagged = []
    for resource in runs["prod"].resources:
        if not resource.custom or resource.name.startswith("services"):
            continue
        module, _, cls = resource.type.split(":", 1)[1].partition("/")
        klass = getattr(getattr(pulumi_aws, module), cls.split(":")[1])
        taggable = "tags" in inspect.signature(klass._internal_init).parameters
        if taggable and resource.inputs.get("tags", {}).get(TAG_COMPONENT) != "nightly-report":
            untagged.append(resource.name)
    assert untagged == []


def test_names_fit_their_aws_limits(offline: Callable[..., Any]) -> None:
    run = build(offline, DEV, name="a-very-long-job-name-" + "x" * 70)
    assert len(one(run, MACHINE).inputs["name"]) == 80
    assert len(one(run, SCHEDULE).inputs["name"]) == 64
    assert all(len(r.inputs["name"]) <= 64 for r in run.of_type(ROLE))


def test_a_component_linked_twice_is_refused_before_anything_is_built(offline: Callable[..., Any]) -> None:
    with pytest.raises(ValueError, match="linked twice"):
        build(offline, DEV, links=(db_link(), db_link()))


def test_opts_pass_through(offline: Callable[..., Any]) -> None:
    def program() -> None:
        context = StackContext(project="shop", environment="dev")
        group = pulumi.ComponentResource("test:index:Group", "group")
        Job("nightly-report", DEV, context=context, network=fake_network(),
            cluster=ServiceCluster("services", context=context),
            opts=pulumi.ResourceOptions(parent=group))
    run = offline(program)
    job = run.named("nightly-report")
    assert job.type == "scaffold:blueprints:Job"
    assert job.parent == run.named("group").urn
    for child in ("nightly-report-schedule", "nightly-report-state-machine", "nightly-report-task"):
        assert run.named(child).parent == job.urn
