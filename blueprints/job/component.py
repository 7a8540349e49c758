"""The Job component: a container run on a schedule, with a hard timeout, retries and an alarm.

Design: EventBridge Scheduler starts a Step Functions (Standard) execution, whose Task
state runs the task with the ``ecs:runTask.sync`` integration and waits for it to stop.
Why not let the schedule run the task itself (EventBridge Scheduler's ECS target, or an
EventBridge rule, as CDK's ``ScheduledFargateTask`` does)? Those only *start* a task:
nothing stops it after ``timeout``, nothing retries a run that fails, and a failed run
leaves no metric an alarm could watch. Step Functions gives all three: ``TimeoutSeconds``
on the Task state, ``Retry`` with ``MaxAttempts = retries``, and the ``AWS/States``
``ExecutionsFailed``/``ExecutionsTimedOut``/``ExecutionsAborted`` metrics of the state
machine. It is also what AWS Copilot's Scheduled Job did
(aws/copilot-cli ``internal/pkg/template/templates/workloads/partials/cf/state-machine*.yml``).

Exit codes: with ``.sync``, Step Functions fails the Task state (``States.TaskFailed``)
when the essential container exits non-zero (observed and documented by the Copilot
team, https://github.com/aws/copilot-cli/issues/3160), so the ``Retry`` covers it. A
Choice state after the task checks ``Containers[0].ExitCode`` anyway and fails the
execution on a non-zero code, so a successful-looking run with a failed container can
never pass silently (it is skipped when the field is absent, so it cannot fail a good run).

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/scheduler/schedule/,
https://www.pulumi.com/registry/packages/aws/api-docs/sfn/statemachine/
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi

from blueprints import aws
from blueprints.alarms import metric_math_alarm
from blueprints.api.links import merge_links
from blueprints.api.security_groups import build_task_security_group
from blueprints.api.service_cluster import ServiceCluster
from blueprints.api.task import POLICY_VERSION, build_task
from blueprints.base import Component, Link, NetworkAttachment, StackContext
from blueprints.job.schedule import parse_schedule
from blueprints.job.settings import (
    RETRY_BACKOFF_RATE,
    RETRY_INTERVAL,
    RETRY_MAX_DELAY,
    JobSettings,
)
from blueprints.naming import checked_name

#: The EventBridge rule Step Functions manages to learn that a ``.sync`` ECS task stopped; the
#: state machine's role may manage it (https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html).
SYNC_RULE = "StepFunctionsGetEventsForECSTaskRule"
#: Names of the states in the definition.
RUN_STATE = "Run task"
CHECK_STATE = "Check exit code"
FAILED_STATE = "Failed"
SUCCEEDED_STATE = "Succeeded"
#: Error name of the Fail state for a non-zero exit code (custom names must not start with ``States.``).
NON_ZERO_EXIT = "Job.NonZeroExitCode"
#: The failure alarm's period, in seconds: any failed, timed-out or aborted execution in it fires.
ALARM_PERIOD = 300  # 5 minutes
#: The ``AWS/States`` metrics (Sum) the failure alarm adds up.
#: https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html (execution metrics)
FAILURE_METRICS = ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted")
#: EventBridge Scheduler keeps retrying a StartExecution that fails (throttling, an outage) for
#: up to this many seconds and attempts, AWS's defaults (``RetryPolicy``; 60-86400 s, 0-185).
#: https://docs.aws.amazon.com/scheduler/latest/APIReference/API_RetryPolicy.html
SCHEDULER_MAX_EVENT_AGE = 86400  # 24 hours
SCHEDULER_MAX_RETRY_ATTEMPTS = 185


def state_machine_definition(
    *, partition: str, cluster_arn: str, task_definition_arn: str, container: str,
    subnet_ids: Sequence[str], security_group_id: str, timeout: int, retries: int,
) -> str:
    """The Amazon States Language definition of one scheduled start, as JSON.

    ``Run task`` (``arn:<partition>:states:::ecs:runTask.sync``: FARGATE, the private
    ``subnet_ids``, ``security_group_id``, no public IP; ``TimeoutSeconds`` = ``timeout``;
    ``Retry`` on ``States.ALL`` with ``MaxAttempts`` = ``retries``, 60 s doubling up to
    900 s, left out when ``retries`` is 0), then ``Check exit code`` (a Choice on
    ``$.Containers[0].ExitCode``) to ``Succeeded`` or ``Failed`` (``Job.NonZeroExitCode``).
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html,
    https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
    """
    run: dict[str, Any] = {
        "Type": "Task",
        "Comment": f"Run {container} and wait for it to stop; stop it after {timeout} s",
        "Resource": f"arn:{partition}:states:::ecs:runTask.sync",
        "Parameters": {
            "LaunchType": "FARGATE",
            "Cluster": cluster_arn,
            "TaskDefinition": task_definition_arn,
            "NetworkConfiguration": {"AwsvpcConfiguration": {
                "Subnets": list(subnet_ids),
                "SecurityGroups": [security_group_id],
                "AssignPublicIp": "DISABLED",
            }},
        },
        "TimeoutSeconds": timeout,
    }
    if retries:
        # States.ALL covers States.TaskFailed (non-zero exit, a task that failed to start),
        # States.Timeout and AmazonECS.* errors (RunTask failures, e.g. no Fargate capacity).
        run["Retry"] = [{
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": RETRY_INTERVAL,
            "BackoffRate": RETRY_BACKOFF_RATE,
            "MaxDelaySeconds": RETRY_MAX_DELAY,
            "MaxAttempts": retries,
        }]
    run["Next"] = CHECK_STATE
    exit_code = "$.Containers[0].ExitCode"
    return json.dumps({
        "Comment": f"One scheduled start of {container}: up to {retries + 1} runs of at most {timeout} s",
        "StartAt": RUN_STATE,
        "States": {
            RUN_STATE: run,
            CHECK_STATE: {
                "Type": "Choice",
                "Choices": [{
                    "And": [{"Variable": exit_code, "IsPresent": True},
                            {"Not": {"Variable": exit_code, "NumericEquals": 0}}],
                    "Next": FAILED_STATE,
                }],
                "Default": SUCCEEDED_STATE,
            },
            FAILED_STATE: {"Type": "Fail", "Error": NON_ZERO_EXIT,
                           "Cause": f"the {container} container exited with a non-zero code"},
            SUCCEEDED_STATE: {"Type": "Succeed"},
        },
    }, indent=2)


def _assume_role_policy(service: str, account: str) -> str:
    """Trust ``service`` to assume the role, for this account only (confused-deputy guard:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)."""
    return json.dumps({"Version": POLICY_VERSION, "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }]})


def state_machine_policy(
    *, partition: str, region: str, account: str, cluster_arn: str, family: str,
    execution_role_arn: str, task_role_arn: str,
) -> str:
    """What the state machine may do, and no more (the ``.sync`` ECS integration's needs).

    * ``ecs:RunTask`` on ``arn:<partition>:ecs:<region>:<account>:task-definition/<family>:*``
      (any revision of this job's family; the ARN form of the ECS service authorization
      reference), in this cluster only (``ecs:cluster`` condition);
    * ``ecs:StopTask``, ``ecs:DescribeTasks`` on ``*`` in this cluster only: a task's id is
      unknown before it starts, and Step Functions can stop only the tasks it started;
    * ``iam:PassRole`` on exactly the execution and task roles, passed to ECS tasks only;
    * ``events:PutTargets``, ``events:PutRule``, ``events:DescribeRule`` on the managed rule
      ``StepFunctionsGetEventsForECSTaskRule`` of this account and region.

    Sources: https://docs.aws.amazon.com/step-functions/latest/dg/ecs-iam.html (Run a Job
    (.sync), static resources), https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
    (task-definition ARN, ``ecs:cluster``), https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html (PassRole).
    """
    in_cluster = {"ArnEquals": {"ecs:cluster": cluster_arn}}
    return json.dumps({"Version": POLICY_VERSION, "Statement": [
        {"Sid": "RunJobTask", "Effect": "Allow", "Action": "ecs:RunTask",
         "Resource": f"arn:{partition}:ecs:{region}:{account}:task-definition/{family}:*",
         "Condition": in_cluster},
        {"Sid": "WatchAndStopJobTask", "Effect": "Allow", "Action": ["ecs:StopTask", "ecs:DescribeTasks"],
         "Resource": "*", "Condition": in_cluster},
        {"Sid": "PassTaskRoles", "Effect": "Allow", "Action": "iam:PassRole",
         "Resource": [execution_role_arn, task_role_arn],
         "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
        {"Sid": "SyncRule", "Effect": "Allow",
         "Action": ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
         "Resource": f"arn:{partition}:events:{region}:{account}:rule/{SYNC_RULE}"},
    ]})


class Job(Component):
    """A container run on a schedule: EventBridge Scheduler -> Step Functions -> one Fargate task.

    Creates (logical names ``<job>-<suffix>``):

    * the task (:func:`blueprints.api.task.build_task`): log group ``/ecs/<project>-<env>-<job>``,
      execution and task roles, task definition (no port mapping; ``command`` when given);
    * the tasks' security group ``service-sg`` (:func:`blueprints.api.security_groups.build_task_security_group`):
      no ingress, egress to anywhere, and an ingress rule on each linked component's group
      (``to-<component>``), as an API's;
    * ``state-machine``: ``aws.sfn.StateMachine`` (Standard), definition
      :func:`state_machine_definition`, role ``sfn-role`` (``<…>-sfn``) with the inline policy
      :func:`state_machine_policy` (``sfn-policy``);
    * ``schedule``: ``aws.scheduler.Schedule`` in the ``default`` group, the settings'
      expression (:func:`blueprints.job.schedule.parse_schedule`) and ``timezone``, flexible
      time window ``OFF`` (runs start on the minute), target the state machine with input
      ``{}``, role ``scheduler-role`` (``<…>-scheduler``) allowed ``states:StartExecution``
      on this state machine only (``scheduler-policy``);
    * when ``settings.alarms``: ``alarm-failed``, a metric-math alarm on the sum of
      ``AWS/States`` ``ExecutionsFailed`` + ``ExecutionsTimedOut`` + ``ExecutionsAborted``
      of the state machine (5-minute periods, fires at 1), to ``alarm_topic_arn``.

    A run that fails (non-zero exit, a task that cannot start, ``timeout`` reached) is
    retried ``retries`` times; when the last one fails too, the execution fails and the
    alarm fires. Without alarms, failures stay visible in the state machine's execution
    history (Step Functions console, 90 days), in its ``AWS/States`` metrics and in the
    container's log group. Runs of one job may overlap when a run outlasts the schedule's
    interval.

    Args:
        name: The component name, e.g. ``"nightly-report"``.
        settings: What to run, when, with which timeout and retries (:class:`JobSettings`).
        context: The project and environment.
        network: Tasks run in its private subnets.
        cluster: The shared :class:`blueprints.api.ServiceCluster`.
        links: What the job ``uses`` (:class:`blueprints.base.Link`), as for an API.
        alarm_topic_arn: SNS topic ARN for the alarm (when ``settings.alarms``).
        opts: Passed through to the component resource.

    Raises:
        ValueError: From :func:`blueprints.api.links.merge_links` (a component linked twice,
            a variable defined twice), or a state machine or schedule name AWS would refuse.

    Attributes:
        settings, links: As given.
        expression: The ``ScheduleExpression`` sent to AWS, e.g. ``"cron(0 3 * * ? *)"``.
        schedule: ``aws.scheduler.Schedule``.
        state_machine: ``aws.sfn.StateMachine``.
        state_machine_role, scheduler_role: ``aws.iam.Role``.
        task_definition, container_name, log_group, execution_role, task_role, task_policy:
            as on :class:`blueprints.api.Api`.
        security_group: The tasks' ``aws.ec2.SecurityGroup``.
        link_rules: ``aws.vpc.SecurityGroupIngressRule`` on each linked group, by component.
        alarms: ``aws.cloudwatch.MetricAlarm`` by suffix (``"failed"``); empty when alarms are off.
    """

    KIND = "Job"

    def __init__(
        self,
        name: str,
        settings: JobSettings,
        *,
        context: StackContext,
        network: NetworkAttachment,
        cluster: ServiceCluster,
        links: Sequence[Link] = (),
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        linked = merge_links(settings, links)  # validate before registering anything
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        self.links = tuple(links)
        self.expression = parse_schedule(settings.schedule).expression
        machine_name = checked_name("sfn_state_machine", self.physical_name(max_len=80))
        schedule_name = checked_name("scheduler_schedule", self.physical_name(max_len=64))

        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id

        self.security_group, self.link_rules = build_task_security_group(self, network, self.links)
        task = build_task(self, settings, linked)
        task.expose_on(self)

        self.state_machine_role = self._service_role(
            "sfn", "states.amazonaws.com", account,
            "Step Functions runs the job's task with this role, and nothing else.")
        state_machine_policy_resource = aws.iam.RolePolicy(
            self.logical_name("sfn-policy"),
            role=self.state_machine_role.id,
            policy=pulumi.Output.all(partition, region, account, cluster.arn, task.task_definition.family,
                                     task.execution_role.arn, task.task_role.arn).apply(
                lambda a: state_machine_policy(
                    partition=a[0], region=a[1], account=a[2], cluster_arn=a[3], family=a[4],
                    execution_role_arn=a[5], task_role_arn=a[6])),
            opts=self.child_opts(),
        )
        self.state_machine = aws.sfn.StateMachine(
            self.logical_name("state-machine"),
            name=machine_name,
            type="STANDARD",
            role_arn=self.state_machine_role.arn,
            definition=pulumi.Output.all(partition, cluster.arn, task.task_definition.arn,
                                         network.private_subnet_ids, self.security_group.id).apply(
                lambda a: state_machine_definition(
                    partition=a[0], cluster_arn=a[1], task_definition_arn=a[2],
                    container=task.container_name, subnet_ids=a[3], security_group_id=a[4],
                    timeout=settings.timeout, retries=settings.retries)),
            tags=self.tags(),
            # Step Functions checks the role when the state machine is created.
            opts=self.child_opts(depends_on=[state_machine_policy_resource]),
        )

        self.scheduler_role = self._service_role(
            "scheduler", "scheduler.amazonaws.com", account,
            "EventBridge Scheduler starts the job's state machine with this role.")
        scheduler_policy = aws.iam.RolePolicy(
            self.logical_name("scheduler-policy"),
            role=self.scheduler_role.id,
            # https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
            policy=self.state_machine.arn.apply(lambda arn: json.dumps({
                "Version": POLICY_VERSION, "Statement": [{
                    "Sid": "StartJob", "Effect": "Allow", "Action": "states:StartExecution", "Resource": arn,
                }]})),
            opts=self.child_opts(),
        )
        self.schedule = aws.scheduler.Schedule(
            self.logical_name("schedule"),
            name=schedule_name,
            group_name="default",
            description=f"Starts {name} ({settings.schedule}, {settings.timezone})"[:512],
            schedule_expression=self.expression,
            schedule_expression_timezone=settings.timezone,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            state="ENABLED",
            target=aws.scheduler.ScheduleTargetArgs(
                arn=self.state_machine.arn,
                role_arn=self.scheduler_role.arn,
                input="{}",
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_event_age_in_seconds=SCHEDULER_MAX_EVENT_AGE,
                    maximum_retry_attempts=SCHEDULER_MAX_RETRY_ATTEMPTS,
                ),
            ),
            # The first start must not find the role without its permission.
            opts=self.child_opts(depends_on=[scheduler_policy]),
        )

        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        if settings.alarms:
            self.alarms["failed"] = self._failure_alarm(alarm_topic_arn)

        self.register_outputs({
            "state_machine_arn": self.state_machine.arn,
            "schedule_name": self.schedule.name,
            "schedule_expression": self.expression,
            "security_group_id": self.security_group.id,
            "log_group_name": self.log_group.name,
        })

    def _service_role(self, suffix: str, service: str, account: pulumi.Output[str],
                      description: str) -> aws.iam.Role:
        """``aws.iam.Role`` ``<job>-<suffix>-role`` named ``<project>-<env>-<job>-<suffix>``,
        which only ``service`` may assume, for this account only."""
        return aws.iam.Role(
            self.logical_name(f"{suffix}-role"),
            name=self.physical_name(suffix, max_len=64),
            description=description,
            assume_role_policy=account.apply(lambda a: _assume_role_policy(service, a)),
            tags=self.tags(),
            opts=self.child_opts(),
        )

    def _failure_alarm(self, alarm_topic_arn: pulumi.Input[str] | None) -> aws.cloudwatch.MetricAlarm:
        """Sum of failed, timed-out and aborted executions (metric math; missing data is 0)."""
        queries = [aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=f"m{i}",
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace="AWS/States", metric_name=metric, period=ALARM_PERIOD, stat="Sum",
                dimensions={"StateMachineArn": self.state_machine.arn},
            ),
            return_data=False,
        ) for i, metric in enumerate(FAILURE_METRICS, start=1)]
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html (FILL)
        queries.append(aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="failures",
            expression=" + ".join(f"FILL(m{i}, 0)" for i in range(1, len(FAILURE_METRICS) + 1)),
            label="Failed, timed-out and aborted executions",
            return_data=True,
        ))
        return metric_math_alarm(
            self, "failed",
            description=self.log_group.name.apply(lambda log_group: (
                f"Job {self.component_name} failed after {self.settings.retries} retries (or timed out, or was "
                "stopped). Open the state machine's failed execution in the Step Functions console for the "
                f"error, and the log group {log_group} for the container's output.")),
            queries=queries, threshold=1, comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=1, datapoints_to_alarm=1,
            treat_missing_data="notBreaching", alarm_topic_arn=alarm_topic_arn,
        )
