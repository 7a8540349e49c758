"""Api and ServiceCluster: what the engine would receive, dev-like vs production-like."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws
import pytest

from blueprints.api import Api, ApiSettings, ScalingSettings, ServiceCluster, check_fargate_pair
from blueprints.api.load_balancer import SSL_POLICY
from blueprints.base import (
    TAG_COMPONENT,
    TAG_ENVIRONMENT,
    TAG_PROJECT,
    StackContext,
)
from tests.blueprints.fakes import fake_network

SERVICE = "aws:ecs/service:Service"
CLUSTER = "aws:ecs/cluster:Cluster"
LB = "aws:lb/loadBalancer:LoadBalancer"
TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
CERT = "aws:acm/certificate:Certificate"
TARGET = "aws:appautoscaling/target:Target"
POLICY = "aws:appautoscaling/policy:Policy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
BUCKET = "aws:s3/bucket:Bucket"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shop-prod-alarms"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/orders:1.4.2"

DEV = ApiSettings(image=IMAGE)
PROD = ApiSettings(
    image=IMAGE, cpu=1024, memory=2048, domain="api.example.com", alarms=True,
    access_logs=True, deletion_protection=True, log_retention_days=90, waf=True,
    scaling=ScalingSettings(min=2, max=10, cpu=60, memory=70, requests=1000),
)

#: Resource types that take no tags in AWS (or in the provider).
NOT_TAGGABLE = {
    "aws:iam/rolePolicy:RolePolicy",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/record:Record",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    POLICY,
}


def build(offline: Callable[..., Any], settings: ApiSettings, *, stack: str = "prod",
          topic: str | None = None, names: tuple[str, ...] = ("orders-api",)) -> Any:
    """Build one shared cluster and an API per name; export each API's url as ``<name>``."""
    def program() -> None:
        context = StackContext(project="shop", environment=stack)
        cluster = ServiceCluster("services", context=context)
        for name in names:
            api = Api(name, settings, context=context, network=fake_network(), cluster=cluster,
                      alarm_topic_arn=topic)
            pulumi.export(name, api.url)
    return offline(program, stack=stack)


def build_settings_run(settings: ApiSettings, **kw: Any) -> Any:
    """Like :func:`build`, outside a test's ``offline`` fixture (for module fixtures)."""
    from stacks.mocks import run_offline
    return build(lambda program, *, stack: run_offline(program, project="shop", stack=stack),
                 settings, **kw)


def one(run: Any, type_token: str) -> Any:
    found = run.of_type(type_token)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


@pytest.fixture(scope="module")
def runs() -> dict[str, Any]:
    """Dev-like (public), dev-like internal and production-like runs, side by side."""
    return {
        "dev": build_settings_run(DEV, stack="dev"),
        "internal": build_settings_run(ApiSettings(image=IMAGE, public=False), stack="dev"),
        "prod": build_settings_run(PROD, stack="prod", topic=TOPIC),
    }


# -- ECS service -------------------------------------------------------------------------------
@pytest.mark.parametrize("case,desired", [("dev", 1), ("internal", 1), ("prod", 2)])
def test_service_deploys_safely_in_private_subnets(runs: dict[str, Any], case: str, desired: int) -> None:
    service = one(runs[case], SERVICE).inputs
    assert service["launchType"] == "FARGATE"
    assert service["desiredCount"] == desired
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service["waitForSteadyState"] is True  # a rolled-back rollout fails `pulumi up`
    assert service["deploymentMinimumHealthyPercent"] == 100
    assert service["deploymentMaximumPercent"] == 200
    assert service["healthCheckGracePeriodSeconds"] == 60
    network_config = service["networkConfiguration"]
    assert network_config["assignPublicIp"] is False
    assert network_config["subnets"] == ["subnet-priv0", "subnet-priv1", "subnet-priv2"]
    sg = runs[case].named("orders-api-service-sg").outputs["id"]
    assert network_config["securityGroups"] == [sg]
    assert service["cluster"] == one(runs[case], CLUSTER).outputs["arn"]
    [lb] = service["loadBalancers"]
    assert lb == {"targetGroupArn": one(runs[case], TG).outputs["arn"],
                  "containerName": "orders-api", "containerPort": 8080}


def test_service_leaves_desired_count_to_autoscaling(
    offline: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[pulumi.ResourceOptions] = []

    class Spy(pulumi_aws.ecs.Service):
        def __init__(self, resource_name: str, *args: Any, opts: pulumi.ResourceOptions | None = None,
                     **kwargs: Any) -> None:
            seen.append(opts)
            super().__init__(resource_name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(pulumi_aws.ecs, "Service", Spy)
    build(offline, DEV)
    [opts] = seen
    assert opts.ignore_changes == ["desiredCount"]
    assert opts.depends_on  # created after its listeners


def test_task_definition_is_fargate_awsvpc_with_the_sizes_as_strings(runs: dict[str, Any]) -> None:
    dev = runs["dev"].named("orders-api-task").inputs
    prod = runs["prod"].named("orders-api-task").inputs
    for task in (dev, prod):
        assert task["requiresCompatibilities"] == ["FARGATE"]
        assert task["networkMode"] == "awsvpc"
    assert (dev["cpu"], dev["memory"]) == ("256", "512")
    assert (prod["cpu"], prod["memory"]) == ("1024", "2048")
    [container] = json.loads(prod["containerDefinitions"])
    assert container["image"] == IMAGE
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert container["logConfiguration"] == {"logDriver": "awslogs", "options": {
        "awslogs-group": "/ecs/shop-prod-orders-api", "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "ecs"}}
    assert runs["prod"].named("orders-api-logs").inputs["retentionInDays"] == 90
    assert runs["dev"].named("orders-api-logs").inputs["retentionInDays"] == 7


def test_execution_role_reads_logs_and_its_own_ecr_repository_only(runs: dict[str, Any]) -> None:
    trust = json.loads(runs["dev"].named("orders-api-execution-role").inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    policy = json.loads(runs["dev"].named("orders-api-execution-policy").inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert set(by_sid) == {"WriteContainerLogs", "EcrLogin", "PullImage"}  # no secrets: no ReadSecrets
    assert by_sid["WriteContainerLogs"]["Resource"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/shop-dev-orders-api:log-stream:*")
    assert by_sid["PullImage"]["Resource"] == "arn:aws:ecr:us-east-1:123456789012:repository/shop/orders"
    # No links with IAM needs: the task role has no policy at all.
    assert [r.name for r in runs["dev"].of_type("aws:iam/rolePolicy:RolePolicy")] == [
        "orders-api-execution-policy"]


# -- load balancer -----------------------------------------------------------------------------
def test_alb_public_vs_internal(runs: dict[str, Any]) -> None:
    public, internal = one(runs["dev"], LB).inputs, one(runs["internal"], LB).inputs
    assert public["internal"] is False and internal["internal"] is True
    assert public["subnets"] == ["subnet-pub0", "subnet-pub1", "subnet-pub2"]
    assert internal["subnets"] == ["subnet-priv0", "subnet-priv1", "subnet-priv2"]
    for alb in (public, internal):
        assert alb["loadBalancerType"] == "application"
        assert alb["dropInvalidHeaderFields"] is True
        assert len(alb["name"]) <= 32
        assert alb["securityGroups"] == [runs["dev"].named("orders-api-alb-sg").outputs["id"]]
    assert public["name"] != internal["name"]


def test_alb_ingress_from_internet_or_vpc_and_service_ingress_only_from_alb(runs: dict[str, Any]) -> None:
    for case, source, ports in (("dev", "0.0.0.0/0", (80,)), ("internal", "10.20.0.0/16", (80,)),
                                ("prod", "0.0.0.0/0", (80, 443))):
        run = runs[case]
        alb_sg = run.named("orders-api-alb-sg").outputs["id"]
        service_sg = run.named("orders-api-service-sg").outputs["id"]
        rules = {r.name: r.inputs for r in run.of_type(INGRESS)}
        # Only the ports a listener uses: no 443 without TLS.
        assert {r["fromPort"] for r in rules.values() if r["securityGroupId"] == alb_sg} == set(ports)
        for port in ports:
            rule = rules[f"orders-api-alb-in-{port}"]
            assert (rule["securityGroupId"], rule["cidrIpv4"]) == (alb_sg, source)
            assert (rule["fromPort"], rule["toPort"], rule["ipProtocol"]) == (port, port, "tcp")
        into_service = [r for r in rules.values() if r["securityGroupId"] == service_sg]
        assert into_service == [rules["orders-api-service-in-8080"]]
        assert into_service[0]["referencedSecurityGroupId"] == alb_sg
        assert "cidrIpv4" not in into_service[0]
        assert (into_service[0]["fromPort"], into_service[0]["toPort"]) == (8080, 8080)
        alb_out = run.named("orders-api-alb-out-8080").inputs
        assert (alb_out["securityGroupId"], alb_out["referencedSecurityGroupId"]) == (alb_sg, service_sg)


def test_target_group_targets_ips_and_checks_health(runs: dict[str, Any]) -> None:
    tg = one(runs["prod"], TG).inputs
    assert tg["targetType"] == "ip"
    assert (tg["protocol"], tg["port"], tg["vpcId"]) == ("HTTP", 8080, "vpc-0123")
    assert tg["healthCheck"]["path"] == "/"
    assert tg["healthCheck"]["matcher"] == "200-399"
    assert len(tg["name"]) <= 32
    custom = build_settings_run(ApiSettings(image=IMAGE, health_check="/healthz", port=3000))
    tg = one(custom, TG).inputs
    assert (tg["healthCheck"]["path"], tg["port"]) == ("/healthz", 3000)


def test_domain_gives_https_with_redirect(runs: dict[str, Any]) -> None:
    run = runs["prod"]
    cert = one(run, CERT)
    assert cert.inputs["domainName"] == "api.example.com"
    assert cert.inputs["validationMethod"] == "DNS"
    listeners = {r.inputs["port"]: r.inputs for r in run.of_type(LISTENER)}
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"] == SSL_POLICY == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["certificateArn"] == cert.outputs["arn"]
    assert https["defaultActions"] == [{"type": "forward", "targetGroupArn": one(run, TG).outputs["arn"]}]
    assert listeners[80]["defaultActions"] == [{"type": "redirect", "redirect": {
        "protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]
    assert run.outputs["orders-api"] == "https://api.example.com"


def test_no_domain_gives_one_plain_http_listener(runs: dict[str, Any]) -> None:
    run = runs["dev"]
    assert run.of_type(CERT) == []
    [listener] = run.of_type(LISTENER)
    assert (listener.inputs["port"], listener.inputs["protocol"]) == (80, "HTTP")
    assert listener.inputs["defaultActions"] == [
        {"type": "forward", "targetGroupArn": one(run, TG).outputs["arn"]}]
    assert "certificateArn" not in listener.inputs
    assert run.outputs["orders-api"] == f"http://{one(run, LB).outputs['dnsName']}"


def test_access_logs_and_deletion_protection_only_in_production(runs: dict[str, Any]) -> None:
    dev, prod = one(runs["dev"], LB).inputs, one(runs["prod"], LB).inputs
    assert dev["enableDeletionProtection"] is False and prod["enableDeletionProtection"] is True
    assert runs["dev"].of_type(BUCKET) == [] and "accessLogs" not in dev
    bucket = one(runs["prod"], BUCKET)
    assert prod["accessLogs"] == {"bucket": bucket.outputs["bucket"], "enabled": True}
    assert len(bucket.outputs["bucket"]) <= 63
    assert bucket.inputs["forceDestroy"] is False  # deletion protection keeps the logs
    sse = runs["prod"].named("orders-api-access-logs-encryption").inputs
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    block = runs["prod"].named("orders-api-access-logs-public-access").inputs
    assert all(block[k] is True for k in (
        "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    policy = json.loads(runs["prod"].named("orders-api-access-logs-policy").inputs["policy"])
    writers = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    assert {json.dumps(s["Principal"], sort_keys=True) for s in writers} == {
        '{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}',
        '{"AWS": "arn:aws:iam::127311923021:root"}',  # the us-east-1 ELB account
    }
    assert {s["Action"] for s in writers} == {"s3:PutObject"}
    assert {s["Resource"] for s in writers} == {
        f"{bucket.outputs['arn']}/AWSLogs/123456789012/*"}


# -- autoscaling -------------------------------------------------------------------------------
def test_scaling_target_bounds_and_resource_id(runs: dict[str, Any]) -> None:
    for case, bounds in (("dev", (1, 2)), ("prod", (2, 10))):
        target = one(runs[case], TARGET).inputs
        assert (target["minCapacity"], target["maxCapacity"]) == bounds
        assert target["resourceId"] == f"service/shop-{case}-services/shop-{case}-orders-api"
        assert target["scalableDimension"] == "ecs:service:DesiredCount"
        assert target["serviceNamespace"] == "ecs"


def test_scaling_policies(runs: dict[str, Any]) -> None:
    def policies(case: str) -> dict[str, dict[str, Any]]:
        found = {}
        for p in runs[case].of_type(POLICY):
            assert p.inputs["policyType"] == "TargetTrackingScaling"
            assert p.inputs["resourceId"] == one(runs[case], TARGET).inputs["resourceId"]
            config = p.inputs["targetTrackingScalingPolicyConfiguration"]
            spec = config["predefinedMetricSpecification"]
            found[spec["predefinedMetricType"]] = {**spec, "target": config["targetValue"]}
        return found

    dev = policies("dev")
    assert dev == {"ECSServiceAverageCPUUtilization": {
        "predefinedMetricType": "ECSServiceAverageCPUUtilization", "target": 60}}
    prod = policies("prod")
    assert set(prod) == {"ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization",
                         "ALBRequestCountPerTarget"}
    assert prod["ECSServiceAverageMemoryUtilization"]["target"] == 70
    requests = prod["ALBRequestCountPerTarget"]
    assert requests["target"] == 1000
    alb, tg = one(runs["prod"], LB).outputs, one(runs["prod"], TG).outputs
    assert requests["resourceLabel"] == f"{alb['arnSuffix']}/{tg['arnSuffix']}"
    assert requests["resourceLabel"].startswith("app/") and "/targetgroup/" in requests["resourceLabel"]


# -- alarms ------------------------------------------------------------------------------------
def test_alarms_only_when_enabled_and_sent_to_the_topic(runs: dict[str, Any]) -> None:
    assert runs["dev"].of_type(ALARM) == []
    alarms = {a.inputs["metricName"]: a.inputs for a in runs["prod"].of_type(ALARM)}
    assert set(alarms) == {"HTTPCode_Target_5XX_Count", "TargetResponseTime",
                           "UnHealthyHostCount", "RunningTaskCount"}
    for alarm in alarms.values():
        assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
    latency = alarms["TargetResponseTime"]
    assert latency["extendedStatistic"] == "p95" and "statistic" not in latency
    assert latency["threshold"] == 1.0
    alb, tg = one(runs["prod"], LB).outputs, one(runs["prod"], TG).outputs
    assert latency["dimensions"] == {"LoadBalancer": alb["arnSuffix"], "TargetGroup": tg["arnSuffix"]}
    assert alarms["HTTPCode_Target_5XX_Count"]["threshold"] == 10
    assert alarms["HTTPCode_Target_5XX_Count"]["statistic"] == "Sum"
    tasks = alarms["RunningTaskCount"]
    assert tasks["namespace"] == "ECS/ContainerInsights"
    assert (tasks["comparisonOperator"], tasks["threshold"]) == ("LessThanThreshold", 2)
    assert tasks["dimensions"] == {"ClusterName": "shop-prod-services",
                                   "ServiceName": "shop-prod-orders-api"}


def test_alarms_without_topic_notify_nobody(offline: Callable[..., Any]) -> None:
    run = build(offline, ApiSettings(image=IMAGE, alarms=True))
    assert len(run.of_type(ALARM)) == 4
    assert all(a.inputs.get("alarmActions", []) == [] for a in run.of_type(ALARM))


# -- cluster, names, tags, opts ----------------------------------------------------------------
def test_cluster_has_container_insights_and_is_shared(offline: Callable[..., Any]) -> None:
    run = build(offline, DEV, names=("orders-api", "billing-api"))
    cluster = one(run, CLUSTER)
    assert cluster.inputs["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert {s.inputs["cluster"] for s in run.of_type(SERVICE)} == {cluster.outputs["arn"]}
    assert len(run.of_type(LB)) == 2  # one ALB per API, no name clash (duplicates would raise)


def test_every_taggable_resource_is_tagged(runs: dict[str, Any]) -> None:
    for case in ("dev", "prod"):
        expected = {TAG_PROJECT: "shop", TAG_ENVIRONMENT: case}
        custom = [r for r in runs[case].resources if r.custom]
        assert len(custom) > 15
        for r in custom:
            if r.type in NOT_TAGGABLE:
                continue
            tags = r.inputs.get("tags")
            assert tags, f"{r.type} {r.name} has no tags"
            assert tags.items() >= expected.items(), r.name
            assert tags[TAG_COMPONENT] in ("orders-api", "services")


def test_opts_pass_through(offline: Callable[..., Any]) -> None:
    def program() -> None:
        context = StackContext(project="shop", environment="dev")
        group = pulumi.ComponentResource("test:index:Group", "group")
        cluster = ServiceCluster("services", context=context,
                                 opts=pulumi.ResourceOptions(parent=group))
        Api("orders-api", DEV, context=context, network=fake_network(), cluster=cluster,
            opts=pulumi.ResourceOptions(parent=group))

    run = offline(program)
    group = run.named("group").urn
    assert run.named("orders-api").parent == group
    assert run.named("services").parent == group
    assert run.named("orders-api-service").parent == run.named("orders-api").urn


# -- validation --------------------------------------------------------------------------------
@pytest.mark.parametrize("cpu,memory", [(256, 512), (256, 2048), (512, 4096), (1024, 8192),
                                        (4096, 30720), (16384, 122880)])
def test_valid_fargate_pairs(cpu: int, memory: int) -> None:
    check_fargate_pair(cpu, memory)
    assert ApiSettings(image=IMAGE, cpu=cpu, memory=memory).memory == memory


@pytest.mark.parametrize("cpu,memory,message", [
    (256, 1536, "cpu 256 takes memory 512, 1024 or 2048 MiB, not 1536"),
    (256, 4096, "cpu 256 takes memory 512, 1024 or 2048 MiB, not 4096"),
    (1024, 512, "cpu 1024 takes memory 2048 to 8192 MiB in steps of 1024, not 512"),
    (1024, 2500, "cpu 1024 takes memory 2048 to 8192 MiB in steps of 1024, not 2500"),
    (8192, 20000, "cpu 8192 takes memory 16384 to 61440 MiB in steps of 4096, not 20000"),
    (300, 512, "cpu 300 is not a Fargate size"),
])
def test_invalid_fargate_pairs_name_the_valid_range(cpu: int, memory: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ApiSettings(image=IMAGE, cpu=cpu, memory=memory)


@pytest.mark.parametrize("kwargs,message", [
    ({"min": 3, "max": 2}, "must not exceed"),
    ({"min": 0}, "at least 1"),
    ({"cpu": 0}, "percentage"),
    ({"memory": 101}, "percentage"),
    ({"requests": 0}, "per target per minute"),
])
def test_scaling_validation(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ScalingSettings(**kwargs)


@pytest.mark.parametrize("kwargs,message", [
    ({"secrets": {"STRIPE_KEY": "sk_live_123"}}, "never the value itself"),
    ({"environment": {"A": "1"}, "secrets": {"A": "arn:aws:secretsmanager:us-east-1:123456789012:secret:a-AbCdEf"}},
     "both in environment and in secrets"),
    ({"environment": {"1BAD": "x"}}, "not a valid environment variable name"),
    ({"port": 0}, "port"),
    ({"health_check": "healthz"}, "starting with '/'"),
    ({"log_retention_days": 10}, "log_retention_days 10"),
])
def test_settings_validation(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ApiSettings(image=IMAGE, **kwargs)


def test_settings_mappings_are_frozen() -> None:
    env = {"LOG_LEVEL": "info"}
    settings = ApiSettings(image=IMAGE, environment=env)
    env["LOG_LEVEL"] = "debug"
    assert settings.environment["LOG_LEVEL"] == "info"
    with pytest.raises(TypeError):
        settings.environment["X"] = "y"  # type: ignore[index]
