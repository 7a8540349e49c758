"""CloudWatch alarms, wired to a notifications topic.

Every alarm a component creates goes through :func:`metric_alarm` (or :func:`metric_math_alarm`
for an alarm on an expression of several metrics), so that all
of them send to the same SNS topic (the spec's ``alarms.notify``) and to nothing
when it is unset.

Becomes ``aws.cloudwatch.MetricAlarm``:
https://www.pulumi.com/registry/packages/aws/api-docs/cloudwatch/metricalarm/
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from blueprints import aws
from blueprints.base import Component

#: Default evaluation period of an alarm, in seconds.
DEFAULT_ALARM_PERIOD = 60  # 1 minute
#: Default number of periods that must breach before the alarm fires.
DEFAULT_EVALUATION_PERIODS = 5


def metric_alarm(
    owner: Component,
    suffix: str,
    *,
    description: str,
    namespace: str,
    metric_name: str,
    dimensions: Mapping[str, pulumi.Input[str]],
    threshold: float,
    comparison_operator: str = "GreaterThanThreshold",
    statistic: str | None = "Average",
    extended_statistic: str | None = None,
    period: int = DEFAULT_ALARM_PERIOD,
    evaluation_periods: int = DEFAULT_EVALUATION_PERIODS,
    treat_missing_data: str = "notBreaching",
    alarm_topic_arn: pulumi.Input[str] | None = None,
) -> aws.cloudwatch.MetricAlarm:
    """Create one CloudWatch metric alarm as a child of ``owner``.

    Args:
        owner: The component the alarm watches; it becomes the parent.
        suffix: Distinguishes the alarm within the component, e.g. ``"cpu"``.
        description: What the alarm means, in words an on-call engineer reads at 3 a.m.
        namespace: CloudWatch namespace, e.g. ``"AWS/RDS"``.
        metric_name: CloudWatch metric, e.g. ``"CPUUtilization"``.
        dimensions: Metric dimensions, e.g. ``{"DBClusterIdentifier": …}``.
        threshold: The value compared against, in the metric's own unit.
        comparison_operator: CloudWatch comparison operator.
        statistic: ``"Average"``, ``"Maximum"``, ``"Sum"`` …; ``None`` when
            ``extended_statistic`` is used.
        extended_statistic: A percentile such as ``"p95"``.
        period: Seconds per evaluation period.
        evaluation_periods: Consecutive breaching periods before it fires.
        treat_missing_data: CloudWatch's ``TreatMissingData``.
        alarm_topic_arn: The SNS topic ARN that receives ALARM and OK
            notifications; ``None`` sends nowhere.

    Returns:
        The ``aws.cloudwatch.MetricAlarm`` resource.
    """
    return _alarm(
        owner, suffix, alarm_topic_arn,
        alarm_description=description,
        namespace=namespace,
        metric_name=metric_name,
        dimensions=dict(dimensions),
        threshold=threshold,
        comparison_operator=comparison_operator,
        statistic=statistic if extended_statistic is None else None,
        extended_statistic=extended_statistic,
        period=period,
        evaluation_periods=evaluation_periods,
        treat_missing_data=treat_missing_data,
    )


def metric_math_alarm(
    owner: Component,
    suffix: str,
    *,
    description: pulumi.Input[str],
    queries: Sequence[aws.cloudwatch.MetricAlarmMetricQueryArgs],
    threshold: float,
    comparison_operator: str = "GreaterThanOrEqualToThreshold",
    evaluation_periods: int = DEFAULT_EVALUATION_PERIODS,
    datapoints_to_alarm: int | None = None,
    treat_missing_data: str = "notBreaching",
    alarm_topic_arn: pulumi.Input[str] | None = None,
) -> aws.cloudwatch.MetricAlarm:
    """Create one CloudWatch alarm on a metric-math expression as a child of ``owner``.

    Like :func:`metric_alarm` (the same name, topic and tags), for an alarm on several
    metrics: ``queries`` holds the metrics (``return_data`` false) and one expression that
    returns the data compared with ``threshold``. Query ids start with a lowercase letter
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricDataQuery.html).

    Args:
        datapoints_to_alarm: Breaching periods among ``evaluation_periods`` that fire it
            (``None``: all of them).
    """
    return _alarm(
        owner, suffix, alarm_topic_arn,
        alarm_description=description,
        metric_queries=list(queries),
        comparison_operator=comparison_operator,
        threshold=threshold,
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=datapoints_to_alarm,
        treat_missing_data=treat_missing_data,
    )


def _alarm(owner: Component, suffix: str, alarm_topic_arn: pulumi.Input[str] | None,
           **inputs: Any) -> aws.cloudwatch.MetricAlarm:
    """The ``<component>-alarm-<suffix>`` alarm named ``<stem>-alarm-<suffix>``, sending ALARM and OK
    to ``alarm_topic_arn`` (nowhere when ``None``), tagged, with ``inputs`` as the rest."""
    actions = [alarm_topic_arn] if alarm_topic_arn is not None else []
    return aws.cloudwatch.MetricAlarm(
        owner.logical_name(f"alarm-{suffix}"),
        name=owner.physical_name(f"alarm-{suffix}", max_len=255),
        **inputs,
        alarm_actions=actions,
        ok_actions=actions,
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
