"""The API's CloudWatch alarms, all through :func:`blueprints.alarms.metric_alarm`.

* ``5xx``: targets returned more than ``http_5xx_threshold`` 5xx responses in a minute.
* ``latency-p95``: p95 of ``TargetResponseTime`` above ``p95_latency_threshold`` seconds.
* ``unhealthy-hosts``: at least one target failed its health check.
* ``running-tasks``: Container Insights' ``RunningTaskCount`` fell below ``scaling.min``
  (missing data counts as breaching: no data means no tasks reporting).
"""

from __future__ import annotations

import pulumi

from blueprints import aws
from blueprints.alarms import metric_alarm
from blueprints.api.settings import ApiSettings
from blueprints.base import Component

#: Minutes the latency and 5xx alarms must breach in a row.
SUSTAINED_PERIODS = 5
#: Minutes the health and task-count alarms must breach in a row.
HEALTH_PERIODS = 3


def build_alarms(
    owner: Component,
    settings: ApiSettings,
    *,
    load_balancer: aws.lb.LoadBalancer,
    target_group: aws.lb.TargetGroup,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    alarm_topic_arn: pulumi.Input[str] | None,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """Create the four alarms; returns them by suffix."""
    lb_dims = {"LoadBalancer": load_balancer.arn_suffix, "TargetGroup": target_group.arn_suffix}
    name = owner.component_name
    return {
        "5xx": metric_alarm(
            owner, "5xx",
            description=f"{name}: more than {settings.http_5xx_threshold} 5xx responses "
                        f"per minute from the tasks for {SUSTAINED_PERIODS} minutes",
            namespace="AWS/ApplicationELB", metric_name="HTTPCode_Target_5XX_Count",
            dimensions=lb_dims, statistic="Sum", threshold=settings.http_5xx_threshold,
            evaluation_periods=SUSTAINED_PERIODS, alarm_topic_arn=alarm_topic_arn,
        ),
        "latency-p95": metric_alarm(
            owner, "latency-p95",
            description=f"{name}: p95 response time above {settings.p95_latency_threshold} s "
                        f"for {SUSTAINED_PERIODS} minutes",
            namespace="AWS/ApplicationELB", metric_name="TargetResponseTime",
            dimensions=lb_dims, statistic=None, extended_statistic="p95",
            threshold=settings.p95_latency_threshold,
            evaluation_periods=SUSTAINED_PERIODS, alarm_topic_arn=alarm_topic_arn,
        ),
        "unhealthy-hosts": metric_alarm(
            owner, "unhealthy-hosts",
            description=f"{name}: at least one task fails its load-balancer health check",
            namespace="AWS/ApplicationELB", metric_name="UnHealthyHostCount",
            dimensions=lb_dims, statistic="Maximum", threshold=0,
            evaluation_periods=HEALTH_PERIODS, alarm_topic_arn=alarm_topic_arn,
        ),
        "running-tasks": metric_alarm(
            owner, "running-tasks",
            description=f"{name}: fewer than {settings.scaling.min} tasks running",
            namespace="ECS/ContainerInsights", metric_name="RunningTaskCount",
            dimensions={"ClusterName": cluster_name, "ServiceName": service_name},
            statistic="Minimum", threshold=settings.scaling.min,
            comparison_operator="LessThanThreshold", treat_missing_data="breaching",
            evaluation_periods=HEALTH_PERIODS, alarm_topic_arn=alarm_topic_arn,
        ),
    }
