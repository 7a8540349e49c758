"""The ECS service of an API or a worker: Fargate tasks in the private subnets, rolled out safely.

One ``aws.ecs.Service`` with

* no public IP, in the private subnets, with the tasks' security group;
* the deployment circuit breaker, which rolls a failed deployment back;
* 100 % minimum healthy and 200 % maximum during a deployment (a full new set beside the old);
* ``wait_for_steady_state``: ``pulumi up`` waits (up to the provider's 20-minute create/update
  timeout) until the new tasks run (and, behind a load balancer, pass their health checks), so a
  rollout the circuit breaker rolls back fails the deploy instead of reporting success;
* ``desired_count`` in ``ignore_changes``: after creation Application Auto Scaling owns it, and a
  ``pulumi up`` must not reset a scaled-out service to its minimum.

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/ecs/service/
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from blueprints import aws
from blueprints.api.service_cluster import ServiceCluster
from blueprints.api.task import TaskResources
from blueprints.base import Component, NetworkAttachment

#: Percent of the desired count that must stay healthy during a deployment.
DEPLOYMENT_MINIMUM_HEALTHY_PERCENT = 100  # percent: never fewer tasks than desired
#: Percent of the desired count that may run during a deployment.
DEPLOYMENT_MAXIMUM_PERCENT = 200  # percent: a full new set beside the old


def build_service(
    owner: Component,
    *,
    cluster: ServiceCluster,
    task: TaskResources,
    network: NetworkAttachment,
    security_group: aws.ec2.SecurityGroup,
    desired_count: int,
    load_balancers: Sequence[aws.ecs.ServiceLoadBalancerArgs] | None = None,
    health_check_grace_period: int | None = None,
    depends_on: Sequence[pulumi.Resource] = (),
) -> aws.ecs.Service:
    """The service ``<owner>-service`` named ``<project>-<env>-<component>``.

    Args:
        owner: The API or worker.
        cluster: The shared cluster.
        task: The task definition to run (:func:`blueprints.api.task.build_task`).
        network: Its private subnets take the tasks.
        security_group: The tasks' security group.
        desired_count: Tasks at creation (the scaling minimum); autoscaling owns it afterwards.
        load_balancers: The target groups the tasks register in (an API), or ``None`` (a worker).
        health_check_grace_period: Seconds a new task gets before load-balancer health checks
            count; only with ``load_balancers``.
        depends_on: What must exist first (an API's listeners: a target group must belong to a
            listener before a service can use it).
    """
    return aws.ecs.Service(
        owner.logical_name("service"),
        name=owner.physical_name(max_len=255),
        cluster=cluster.arn,
        task_definition=task.task_definition.arn,
        launch_type="FARGATE",
        desired_count=desired_count,
        network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
            subnets=network.private_subnet_ids,
            security_groups=[security_group.id],
            assign_public_ip=False,
        ),
        load_balancers=load_balancers,
        health_check_grace_period_seconds=health_check_grace_period,
        deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
        deployment_minimum_healthy_percent=DEPLOYMENT_MINIMUM_HEALTHY_PERCENT,
        deployment_maximum_percent=DEPLOYMENT_MAXIMUM_PERCENT,
        # Fail the deploy when the tasks never become healthy (the circuit breaker rolls back);
        # without it `pulumi up` returns at once and reports success.
        wait_for_steady_state=True,
        enable_ecs_managed_tags=True,
        propagate_tags="SERVICE",
        tags=owner.tags(),
        # Autoscaling owns the desired count once the service exists.
        opts=owner.child_opts(ignore_changes=["desiredCount"], depends_on=list(depends_on)),
    )
