"""The Worker component: an ECS Fargate service with no load balancer that consumes one SQS queue.

:class:`Worker` builds, as children of one component resource, with the API's parts:

* the tasks' security group (:func:`blueprints.api.security_groups.build_task_security_group`):
  **no ingress rule at all** (nothing connects to a worker), egress to anywhere, and one
  ingress rule on each linked component's group (a database, a cache) from it;
* the log group, execution and task roles and task definition
  (:func:`blueprints.api.task.build_task`), with the settings' ``command`` and no port
  mapping; the task role gets the consumed queue's consumer rights
  (:meth:`blueprints.queue.Queue.consumer_link`) and the ``uses`` links' statements
  (:func:`blueprints.api.links.merge_links`);
* ``aws.ecs.Service`` in the private subnets without a public IP or a load balancer, with
  the deployment circuit breaker (rollback), ``wait_for_steady_state`` and
  ``desired_count`` left to autoscaling after creation;
* ``aws.appautoscaling.Target`` and two target-tracking ``aws.appautoscaling.Policy`` s:
  **backlog per task** (metric math, :data:`BACKLOG_EXPRESSION`) and average CPU;
* with ``settings.alarms``, one metric-math ``aws.cloudwatch.MetricAlarm``: no running task
  while the queue has messages (:data:`NO_TASK_ALARM_EXPRESSION`).

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/ecs/service/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/appautoscaling/policy/ ,
https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/metricalarm/
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from blueprints import aws
from blueprints.alarms import metric_math_alarm
from blueprints.api.autoscaling import SCALE_IN_COOLDOWN, SCALE_OUT_COOLDOWN, build_autoscaling
from blueprints.api.links import merge_links
from blueprints.api.security_groups import build_task_security_group
from blueprints.api.service import build_service
from blueprints.api.service_cluster import ServiceCluster
from blueprints.api.settings import ScalingSettings
from blueprints.api.task import build_task
from blueprints.base import Component, Link, NetworkAttachment, StackContext
from blueprints.queue.component import Queue
from blueprints.worker.settings import WorkerSettings, consumed_queue_problem

_POLICY = aws.appautoscaling

#: The expression the backlog-per-task policy tracks: the queue's visible messages per running task
#: ("Example: Amazon SQS queue backlog per task",
#: https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking-metric-math.html).
#: ``visible`` is ``AWS/SQS`` ``ApproximateNumberOfMessagesVisible`` of the queue, ``running`` is
#: ``ECS/ContainerInsights`` ``RunningTaskCount`` of the service (the cluster has Container Insights
#: on). The division is guarded: ``FILL(…, 0)`` turns a minute without data into 0 (no task reports,
#: or an idle queue emits nothing), and ``IF(… > 0, …, 1)`` divides by 1 when no task runs, so a
#: backlog behind a stopped service still scales it out instead of giving no data point.
#: Limits (same page, "Limitations"): at most 10 metrics and expressions in one specification
#: (here 3), ids that start with a lowercase letter and hold letters, digits and ``_``
#: (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingMetricDataQuery.html),
#: exactly one query returning data, and an expression that returns a single time series.
BACKLOG_EXPRESSION = "FILL(visible, 0) / IF(FILL(running, 0) > 0, FILL(running, 0), 1)"
#: CloudWatch statistic of both backlog metrics (one data point a minute each).
BACKLOG_STAT = "Average"

#: The alarm's expression: 1 in a minute when the queue had visible messages all minute
#: (``visible``: Minimum) and no task of the service ran (``running``: Maximum, a minute
#: without data counting as 0), else 0. A metric-math alarm takes at most 10 metrics and
#: 10 expressions, exactly one returning data; an expression is at most 1024 characters
#: (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html,
#: terraform-provider-aws internal/service/cloudwatch/metric_alarm.go ``metric_query.expression``
#: StringLenBetween(1, 1024); ``metric.period`` 1, 5, 10, 20, 30 or a multiple of 60).
NO_TASK_ALARM_EXPRESSION = "IF(FILL(visible, 0) > 0 AND FILL(running, 0) == 0, 1, 0)"
#: Minutes in a row with messages waiting and no task running before the alarm fires.
NO_TASK_ALARM_PERIODS = 5
#: Period of the alarm's metrics, in seconds.
ALARM_PERIOD = 60


class Worker(Component):
    """A queue worker: Fargate tasks in the private subnets that consume one queue, scaled on its backlog.

    The ECS service runs ``scaling.min`` tasks at first, with no load balancer and no
    public IP; the deployment circuit breaker rolls a failed deployment back (a task that
    never reaches RUNNING), 100 % minimum healthy and 200 % maximum during deployments, and
    ``wait_for_steady_state`` makes ``pulumi up`` wait until the new tasks run, so a rolled
    back rollout fails the deploy. ``desired_count`` is in ``ignore_changes``: after creation
    Application Auto Scaling owns it. ECS's replica scheduler spreads a service's tasks across
    the Availability Zones of its subnets
    (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html,
    ``schedulingStrategy``): with ``scaling.min >= 2`` (production) an AZ outage leaves a task
    running; the network always has at least two AZs.

    Scaling: between ``scaling.min`` and ``scaling.max``, target tracking on **backlog per
    task** (the queue's visible messages divided by the running tasks, metric math, target
    ``scaling.backlog_per_task``) and, unless ``scaling.cpu`` is ``None``, on average CPU. ECS
    scales out when either policy is above its target and scales in only when both are below.

    Alarms (``settings.alarms``): "no running task while the queue has messages" for
    :data:`NO_TASK_ALARM_PERIODS` minutes, to ``alarm_topic_arn``. The consumed queue's
    oldest-message-age and dead-letter-queue alarms come from its
    :class:`blueprints.queue.Queue` (its own ``alarms`` setting), not from here.

    Args:
        name: The component name, e.g. ``"mailer"``.
        settings: What to run and how (:class:`WorkerSettings`).
        context: The project and environment.
        network: The VPC and subnets; tasks go in the private subnets.
        cluster: The shared :class:`blueprints.api.ServiceCluster` (Container Insights on).
        consumes: The queue the worker reads: ``<QUEUE>_QUEUE_URL`` and exactly
            ``sqs:ReceiveMessage``, ``sqs:DeleteMessage``, ``sqs:ChangeMessageVisibility``,
            ``sqs:GetQueueAttributes`` on it (:meth:`blueprints.queue.Queue.consumer_link`).
        links: What the worker ``uses`` (databases, caches, other queues, topics), as for an API.
        alarm_topic_arn: SNS topic ARN for the alarm (when ``settings.alarms``); ``None`` sends nowhere.
        opts: Passed through to the component resource.

    Raises:
        ValueError: ``links`` contains the consumed queue
            (:func:`blueprints.worker.settings.consumed_queue_problem`), or, from
            :func:`blueprints.api.links.merge_links`, a component linked twice or a variable
            name defined twice. Raised before any resource is registered.

    Attributes:
        settings, links: As given (``links`` without the consumer link).
        consumes: The consumed :class:`blueprints.queue.Queue`.
        consumer_link: Its :class:`blueprints.base.Link`.
        service: ``aws.ecs.Service``.
        task_definition: ``aws.ecs.TaskDefinition``; container_name: its container's name.
        security_group: The tasks' ``aws.ec2.SecurityGroup`` (no ingress).
        link_rules: ``aws.vpc.SecurityGroupIngressRule`` on each linked group, by component.
        execution_role, task_role: ``aws.iam.Role``; task_policy: the task role's ``aws.iam.RolePolicy``.
        log_group: ``aws.cloudwatch.LogGroup``.
        scaling_target: ``aws.appautoscaling.Target``.
        scaling_policies: ``aws.appautoscaling.Policy`` by ``"backlog"`` and ``"cpu"``.
        alarms: ``aws.cloudwatch.MetricAlarm`` by suffix (``"no-running-task"``); empty when off.
    """

    KIND = "Worker"

    def __init__(
        self,
        name: str,
        settings: WorkerSettings,
        *,
        context: StackContext,
        network: NetworkAttachment,
        cluster: ServiceCluster,
        consumes: Queue,
        links: Sequence[Link] = (),
        alarm_topic_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Validate before registering anything.
        problem = consumed_queue_problem(consumes.component_name, [link.component for link in links])
        if problem is not None:
            raise ValueError(f"{name}: {problem.message} ({problem.hint})")
        consumer_link = consumes.consumer_link()
        linked = merge_links(settings, (consumer_link, *links))
        super().__init__(name, context=context, opts=opts)
        self.settings = settings
        self.links = tuple(links)
        self.consumes = consumes
        self.consumer_link = consumer_link

        self.security_group, self.link_rules = build_task_security_group(self, network, self.links)

        task = build_task(self, settings, linked)
        task.expose_on(self)

        self.service = build_service(self, cluster=cluster, task=task, network=network,
                                     security_group=self.security_group, desired_count=settings.scaling.min)

        # The scaling target and the CPU policy are the API's (no request-count policy, so no
        # load balancer); the backlog policy is the worker's own.
        scaling = settings.scaling
        self.scaling_target, cpu_policies = build_autoscaling(
            self, ScalingSettings(min=scaling.min, max=scaling.max, cpu=scaling.cpu, memory=None, requests=None),
            cluster_name=cluster.name, service_name=self.service.name,
            load_balancer=None, target_group=None,  # type: ignore[arg-type]  # only read for `requests`
        )
        self.scaling_policies: dict[str, aws.appautoscaling.Policy] = {
            "backlog": self._backlog_policy(cluster.name), **cpu_policies}

        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        if settings.alarms:
            self.alarms["no-running-task"] = self._no_running_task_alarm(cluster.name, alarm_topic_arn)

        self.register_outputs({
            "service_name": self.service.name,
            "security_group_id": self.security_group.id,
            "log_group_name": self.log_group.name,
        })

    def _backlog_metrics(self, cluster_name: pulumi.Input[str]) -> tuple[
            tuple[str, str, str, dict[str, pulumi.Input[str]]], ...]:
        """``(id, namespace, metric, dimensions)`` of the queue's visible messages and the running tasks."""
        return (
            ("visible", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
             {"QueueName": self.consumes.queue.name}),
            ("running", "ECS/ContainerInsights", "RunningTaskCount",
             {"ClusterName": cluster_name, "ServiceName": self.service.name}),
        )

    def _backlog_policy(self, cluster_name: pulumi.Input[str]) -> aws.appautoscaling.Policy:
        spec = _POLICY.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs
        stat = _POLICY.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs
        metric = _POLICY.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs
        dimension = (_POLICY.
                     PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs)
        queries = [
            spec(id=query_id, return_data=False, metric_stat=stat(
                stat=BACKLOG_STAT, metric=metric(namespace=namespace, metric_name=metric_name, dimensions=[
                    dimension(name=key, value=value) for key, value in dimensions.items()])))
            for query_id, namespace, metric_name, dimensions in self._backlog_metrics(cluster_name)
        ]
        queries.append(spec(id="backlog_per_task", label="Visible messages per running task",
                            expression=BACKLOG_EXPRESSION, return_data=True))
        target = self.scaling_target
        return aws.appautoscaling.Policy(
            self.logical_name("scale-backlog"),
            name=self.physical_name("scale-backlog", max_len=255),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=_POLICY.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=float(self.settings.scaling.backlog_per_task),
                scale_in_cooldown=SCALE_IN_COOLDOWN,
                scale_out_cooldown=SCALE_OUT_COOLDOWN,
                customized_metric_specification=(
                    _POLICY.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs(
                        metrics=queries)),
            ),
            opts=self.child_opts(),
        )

    def _no_running_task_alarm(
        self, cluster_name: pulumi.Input[str], alarm_topic_arn: pulumi.Input[str] | None,
    ) -> aws.cloudwatch.MetricAlarm:
        stats = {"visible": "Minimum", "running": "Maximum"}
        queries = [
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id=query_id, return_data=False, metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                    namespace=namespace, metric_name=metric_name, dimensions=dimensions,
                    period=ALARM_PERIOD, stat=stats[query_id]))
            for query_id, namespace, metric_name, dimensions in self._backlog_metrics(cluster_name)
        ]
        queries.append(aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id="stalled", label="Messages waiting and no task running", expression=NO_TASK_ALARM_EXPRESSION,
            return_data=True))
        queue = self.consumes.component_name
        return metric_math_alarm(
            self, "no-running-task",
            description=(f"{self.component_name}: messages wait in {queue} and no task has run for "
                               f"{NO_TASK_ALARM_PERIODS} minutes: the tasks fail to start or crash "
                               "(see the service's events and logs)."),
            queries=queries, threshold=1, comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=NO_TASK_ALARM_PERIODS,
            treat_missing_data="notBreaching", alarm_topic_arn=alarm_topic_arn,
        )
