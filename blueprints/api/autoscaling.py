"""How many tasks run: an Application Auto Scaling target and target-tracking policies.

* ``aws.appautoscaling.Target`` on ``service/<cluster>/<service>``'s
  ``ecs:service:DesiredCount``, between ``scaling.min`` and ``scaling.max``.
* One ``TargetTrackingScaling`` policy per set target: average CPU
  (``ECSServiceAverageCPUUtilization``), average memory
  (``ECSServiceAverageMemoryUtilization``) and ALB requests per target per minute
  (``ALBRequestCountPerTarget``, labelled ``<alb arn suffix>/<target group arn suffix>``).

Autoscaling owns the desired count from then on; the ECS service ignores
changes to it (see :mod:`blueprints.api.component`).

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/appautoscaling/policy/
"""

from __future__ import annotations

import pulumi

from blueprints import aws
from blueprints.api.settings import ScalingSettings
from blueprints.base import Component

#: Seconds after a scale-out before another scale-out may start.
SCALE_OUT_COOLDOWN = 60  # seconds
#: Seconds after a scale-in before another scale-in may start (slower, to avoid flapping).
SCALE_IN_COOLDOWN = 300  # seconds

CPU_METRIC = "ECSServiceAverageCPUUtilization"
MEMORY_METRIC = "ECSServiceAverageMemoryUtilization"
REQUESTS_METRIC = "ALBRequestCountPerTarget"


def build_autoscaling(
    owner: Component,
    scaling: ScalingSettings,
    *,
    cluster_name: pulumi.Input[str],
    service_name: pulumi.Input[str],
    load_balancer: aws.lb.LoadBalancer,
    target_group: aws.lb.TargetGroup,
) -> tuple[aws.appautoscaling.Target, dict[str, aws.appautoscaling.Policy]]:
    """Create the scaling target and its policies; returns ``(target, {"cpu"|"memory"|"requests": policy})``."""
    target = aws.appautoscaling.Target(
        owner.logical_name("scaling"),
        service_namespace="ecs",
        scalable_dimension="ecs:service:DesiredCount",
        resource_id=pulumi.Output.concat("service/", cluster_name, "/", service_name),
        min_capacity=scaling.min,
        max_capacity=scaling.max,
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
    wanted: list[tuple[str, str, int, pulumi.Input[str] | None]] = []
    if scaling.cpu is not None:
        wanted.append(("cpu", CPU_METRIC, scaling.cpu, None))
    if scaling.memory is not None:
        wanted.append(("memory", MEMORY_METRIC, scaling.memory, None))
    if scaling.requests is not None:
        label = pulumi.Output.concat(load_balancer.arn_suffix, "/", target_group.arn_suffix)
        wanted.append(("requests", REQUESTS_METRIC, scaling.requests, label))

    policies: dict[str, aws.appautoscaling.Policy] = {}
    for key, metric, value, label in wanted:
        policies[key] = aws.appautoscaling.Policy(
            owner.logical_name(f"scale-{key}"),
            name=owner.physical_name(f"scale-{key}", max_len=255),
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=float(value),
                scale_in_cooldown=SCALE_IN_COOLDOWN,
                scale_out_cooldown=SCALE_OUT_COOLDOWN,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type=metric,
                    resource_label=label,
                ),
            ),
            opts=owner.child_opts(),
        )
    return target, policies
