"""Wiring of the ``api`` kind: an HTTP service on ECS Fargate, built last, linked to what it uses.

Spec: :mod:`scaffold.spec.kinds.api`; component: :mod:`blueprints.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from blueprints.api.settings import ApiSettings, ScalingSettings, container_region_problems
from blueprints.constraints import SettingProblem, raise_problems
from stacks.kinds import (
    ALARM,
    EGRESS,
    INGRESS,
    ROLE,
    ROLE_POLICY,
    SECURITY_GROUP,
    SERVICES,
    StackBuild,
    Wiring,
)
from stacks.settings import DAY, nested

if TYPE_CHECKING:
    from scaffold.spec.blueprint import ApiBlueprint, Blueprint


def api_settings(c: ApiBlueprint, bp: Blueprint) -> ApiSettings:
    """The settings of an API component; retentions in days.

    Raises:
        SettingsError: Every problem of the scaling (``scaling.<field>``) and of the rest.
    """
    s = c.scaling
    problems: list[SettingProblem] = []
    scaling = nested(problems, "scaling.", lambda: ScalingSettings(
        min=s.min, max=s.max, cpu=s.cpu, memory=s.memory, requests=s.requests)) or ScalingSettings()
    settings = nested(problems, "", lambda: ApiSettings(
        image=c.image, port=c.port, cpu=c.cpu, memory=c.memory, health_check=c.health_check,
        health_check_grace_period=c.health_check_grace_period, public=c.public, domain=c.domain,
        scaling=scaling,
        environment=dict(c.environment), secrets=dict(c.secrets),
        log_retention_days=c.log_retention // DAY, access_logs=c.access_logs,
        deletion_protection=c.deletion_protection, alarms=bp.alarms.enabled,
        zone=c.zone, certificate=c.certificate, waf=c.waf,
        command=tuple(c.command) if c.command is not None else None,
    ))
    raise_problems(problems)
    assert settings is not None
    return settings


def extra_problems(c: ApiBlueprint, bp: Blueprint) -> Any:
    """A secret in another partition than the environment's region (the component cannot know the region)."""
    return container_region_problems(c, bp.region)


def build(name: str, c: ApiBlueprint, settings: ApiSettings, stack: StackBuild) -> Any:
    """The :class:`blueprints.api.Api` in the shared cluster, linked to each component it uses."""
    from blueprints.api import Api

    cluster = stack.cluster()
    return Api(name, settings, context=stack.context, network=stack.network, cluster=cluster,
               links=stack.links(c.uses), alarm_topic_arn=stack.alarm_topic_arn)


def exports(api: Any) -> dict[str, Any]:
    """The URL and the load balancer's DNS name."""
    return {"url": api.url, "load_balancer_dns": api.load_balancer.dns_name}


def physical_names(n: Any, c: ApiBlueprint) -> None:
    """Each AWS name the API sets (:mod:`scaffold.spec.names`)."""
    from scaffold.spec.names import PLACEHOLDER_ACCOUNT_ID

    s = api_settings(c, n.bp)
    n.add("aws:cloudwatch/logGroup:LogGroup", "name", f"/ecs/{n.stem(max_len=500)}", "log_group")
    n.add("aws:iam/role:Role", "name", n.stem("exec", max_len=64), "iam_role")
    n.add("aws:iam/role:Role", "name", n.stem("task", max_len=64), "iam_role")
    n.add("aws:ecs/taskDefinition:TaskDefinition", "family", n.stem(max_len=255), "ecs_task_family")
    n.add("aws:ecs/service:Service", "name", n.stem(max_len=255), "ecs_service")
    n.add("aws:lb/loadBalancer:LoadBalancer", "name", n.stem("" if s.public else "int", max_len=32), "alb")
    n.add("aws:lb/targetGroup:TargetGroup", "name", n.stem(str(s.port), max_len=32), "target_group")
    if s.access_logs:
        n.add("aws:s3/bucket:Bucket", "bucket", n.stem(f"alb-logs-{PLACEHOLDER_ACCOUNT_ID}", max_len=63),
              "s3_bucket")
    n.autonamed("aws:ec2/securityGroup:SecurityGroup", "alb-sg", "security_group")
    n.autonamed("aws:ec2/securityGroup:SecurityGroup", "service-sg", "security_group")
    targets = [key for key, value in (("cpu", s.scaling.cpu), ("memory", s.scaling.memory),
                                      ("requests", s.scaling.requests)) if value is not None]
    for key in targets:
        n.add("aws:appautoscaling/policy:Policy", "name", n.stem(f"scale-{key}", max_len=255), "scaling_policy")
    if s.waf and s.public:  # blueprints.api.load_balancer: public ALBs only
        n.add("aws:wafv2/webAcl:WebAcl", "name", n.stem("waf", max_len=128), "waf_web_acl")
    if s.alarms:
        n.alarms(["5xx", "latency-p95", "unhealthy-hosts", "running-tasks"])


#: The API's children besides its port and link rules: logical-name suffix -> resource types.
CHILDREN: dict[str, tuple[str, ...]] = {
    "access-logs": ("aws:s3/bucket:Bucket",),
    "access-logs-encryption": (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",),
    "access-logs-lifecycle": ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",),
    "access-logs-policy": ("aws:s3/bucketPolicy:BucketPolicy",),
    "access-logs-public-access": ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",),
    "alarm-5xx": (ALARM,), "alarm-latency-p95": (ALARM,), "alarm-running-tasks": (ALARM,),
    "alarm-unhealthy-hosts": (ALARM,),
    "alb": ("aws:lb/loadBalancer:LoadBalancer",), "alb-sg": (SECURITY_GROUP,), "alb-in-80": (INGRESS,),
    "alb-in-443": (INGRESS,), "alias": ("aws:route53/record:Record",),
    "certificate": ("aws:acm/certificate:Certificate",),
    "certificate-validation": ("aws:acm/certificateValidation:CertificateValidation",),
    "certificate-validation-0": ("aws:route53/record:Record",),
    "execution-policy": (ROLE_POLICY,), "execution-role": (ROLE,),
    "http": ("aws:lb/listener:Listener",), "https": ("aws:lb/listener:Listener",),
    "logs": ("aws:cloudwatch/logGroup:LogGroup",),
    "scale-cpu": ("aws:appautoscaling/policy:Policy",), "scale-memory": ("aws:appautoscaling/policy:Policy",),
    "scale-requests": ("aws:appautoscaling/policy:Policy",), "scaling": ("aws:appautoscaling/target:Target",),
    "service": ("aws:ecs/service:Service",), "service-out": (EGRESS,), "service-sg": (SECURITY_GROUP,),
    "task": ("aws:ecs/taskDefinition:TaskDefinition",), "task-policy": (ROLE_POLICY,), "task-role": (ROLE,),
    "tg": ("aws:lb/targetGroup:TargetGroup",), "waf": ("aws:wafv2/webAcl:WebAcl",),
    "waf-association": ("aws:wafv2/webAclAssociation:WebAclAssociation",),
}


def children(c: ApiBlueprint) -> dict[str, tuple[str, ...]]:
    """:data:`CHILDREN`, the rules on its port and one ingress rule per used component."""
    return {**CHILDREN, f"alb-out-{c.port}": (EGRESS,), f"service-in-{c.port}": (INGRESS,),
            **{f"to-{u}": (INGRESS,) for u in c.uses}}


WIRING = Wiring(kind="api", phase=SERVICES, settings=api_settings, build=build, exports=exports,
                spec_fields={"log_retention_days": "log_retention"}, day_fields=("log_retention",),
                extra_problems=extra_problems, physical_names=physical_names, children=children,
                uses_cluster=True)
