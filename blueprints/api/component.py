"""The API component: an HTTP service on ECS Fargate behind an Application Load Balancer.

The parts are built by the sibling modules, in this order:
:mod:`~blueprints.api.links` (merge settings and links),
:mod:`~blueprints.api.security_groups`, :mod:`~blueprints.api.task`,
:mod:`~blueprints.api.load_balancer`, then the ECS service here,
:mod:`~blueprints.api.autoscaling` and :mod:`~blueprints.api.monitoring`.

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/ecs/service/
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from blueprints import aws
from blueprints.api.autoscaling import build_autoscaling
from blueprints.api.links import merge_links
from blueprints.api.load_balancer import build_load_balancer
from blueprints.api.monitoring import build_alarms
from blueprints.api.security_groups import build_security_groups
from blueprints.api.service import (  # noqa: F401 (re-exported)
    DEPLOYMENT_MAXIMUM_PERCENT,
    DEPLOYMENT_MINIMUM_HEALTHY_PERCENT,
    build_service,
)
from blueprints.api.service_cluster import ServiceCluster
from blueprints.api.settings import ApiSettings
from blueprints.api.task import build_task
from blueprints.base import Component, Link, NetworkAttachment, StackContext


class Api(Component):
    """An HTTP service: Fargate tasks in the private subnets behind an ALB, with autoscaling.

    What it creates is listed per module: :mod:`blueprints.api.task` (log group,
    execution and task roles, task definition), :mod:`blueprints.api.security_groups`
    (ALB and service groups, links' network access), :mod:`blueprints.api.load_balancer`
    (ALB, target group, listeners, access-log bucket), :mod:`blueprints.api.dns`
    (certificate and Route 53 records), :mod:`blueprints.api.waf` (web ACL), an
    ``aws.ecs.Service``, :mod:`blueprints.api.autoscaling` and
    :mod:`blueprints.api.monitoring`.

    The ECS service runs ``scaling.min`` tasks at first, with the deployment circuit
    breaker rolling a failed deployment back, 100 % minimum healthy and 200 % maximum
    during deployments, and no public IPs. ``wait_for_steady_state`` makes ``pulumi up``
    wait (up to the provider's 20-minute create/update timeout) until the new tasks
    run and pass their health checks: a rollout that the circuit breaker rolls back
    fails the deploy (:mod:`stacks.engine_errors` explains it) instead of reporting
    success. Its ``desired_count`` is in
    ``ignore_changes``: after creation Application Auto Scaling owns it, and a
    ``pulumi up`` must not reset a scaled-out service to ``scaling.min``. To change
    the running count by hand, change ``scaling.min``/``scaling.max``.

    Args:
        name: The component name, e.g. ``"orders-api"``.
        settings: What to run and how (:class:`ApiSettings`).
        context: The project and environment.
        network: The VPC and subnets; tasks go in the private subnets.
        cluster: The shared :class:`ServiceCluster`.
        links: What the service ``uses`` (:class:`blueprints.base.Link`), see
            :mod:`blueprints.api.links`.
        alarm_topic_arn: SNS topic ARN for the alarms (when ``settings.alarms``).
        opts: Passed through to the component resource.

    Raises:
        ValueError: From :func:`blueprints.api.links.merge_links`: a component linked
            twice, or a variable name defined twice.

    Attributes:
        settings, links: As given.
        load_balancer: ``aws.lb.LoadBalancer``.
        target_group: ``aws.lb.TargetGroup``.
        listeners: The ``aws.lb.Listener`` list (HTTP, then HTTPS with a domain or certificate).
        certificate: ``aws.acm.Certificate``, or ``None`` (no domain, or a certificate given).
        certificate_validation: ``aws.acm.CertificateValidation``, or ``None``.
        dns_records: The Route 53 ``aws.route53.Record`` s: validation CNAMEs, then
            the alias ``A`` record; empty without Route 53.
        web_acl: The ``aws.wafv2.WebAcl``, or ``None`` (``waf`` off, or an internal ALB).
        access_log_bucket: ``aws.s3.Bucket``, or ``None`` without access logs.
        service: ``aws.ecs.Service``.
        task_definition: ``aws.ecs.TaskDefinition``.
        container_name: The container's name in the task definition.
        security_group: The tasks' ``aws.ec2.SecurityGroup``.
        alb_security_group: The ALB's ``aws.ec2.SecurityGroup``.
        link_rules: ``aws.vpc.SecurityGroupIngressRule`` on each linked group, by component.
        execution_role, task_role: ``aws.iam.Role``.
        task_policy: The task role's ``aws.iam.RolePolicy``, or ``None`` when no link needs one.
        log_group: ``aws.cloudwatch.LogGroup``.
        url: ``Output[str]``: ``https://<domain>``, ``https://<ALB DNS name>`` (certificate
            without domain) or ``http://<ALB DNS name>``.
        scaling_target: ``aws.appautoscaling.Target``.
        scaling_policies: ``aws.appautoscaling.Policy`` by ``"cpu"``, ``"memory"``, ``"requests"``.
        alarms: ``aws.cloudwatch.MetricAlarm`` by suffix; empty when alarms are off.
    """

    KIND = "Api"

    def __init__(
        self,
        name: str,
        settings: ApiSettings,
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

        groups = build_security_groups(self, settings, network, self.links)
        self.security_group = groups.service
        self.alb_security_group = groups.alb
        self.link_rules = groups.link_rules

        task = build_task(self, settings, linked)
        task.expose_on(self)

        front = build_load_balancer(self, settings, network, groups.alb)
        self.load_balancer = front.load_balancer
        self.target_group = front.target_group
        self.listeners = front.listeners
        self.certificate = front.certificate
        self.certificate_validation = front.certificate_validation
        self.access_log_bucket = front.access_log_bucket
        self.dns_records = [*(front.dns.validation_records if front.dns else []),
                            *([front.alias] if front.alias else [])]
        self.web_acl = front.waf.web_acl if front.waf else None
        self.url: pulumi.Output[str] = front.url

        self.service = build_service(
            self, cluster=cluster, task=task, network=network, security_group=groups.service,
            desired_count=settings.scaling.min,
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=front.target_group.arn,
                container_name=task.container_name,
                container_port=settings.port,
            )],
            health_check_grace_period=settings.health_check_grace_period,
            depends_on=front.listeners,
        )

        self.scaling_target, self.scaling_policies = build_autoscaling(
            self, settings.scaling, cluster_name=cluster.name, service_name=self.service.name,
            load_balancer=front.load_balancer, target_group=front.target_group,
        )
        self.alarms: dict[str, aws.cloudwatch.MetricAlarm] = {}
        if settings.alarms:
            self.alarms = build_alarms(
                self, settings, load_balancer=front.load_balancer,
                target_group=front.target_group, cluster_name=cluster.name,
                service_name=self.service.name, alarm_topic_arn=alarm_topic_arn,
            )

        self.register_outputs({
            "url": self.url,
            "load_balancer_dns_name": self.load_balancer.dns_name,
            "service_name": self.service.name,
            "security_group_id": self.security_group.id,
            "log_group_name": self.log_group.name,
        })
