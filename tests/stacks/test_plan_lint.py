"""The plan-lint over the worst-case specs, and the lint's own rules on known-bad values.

``tests/stacks/worst_case/*.yaml`` hold the specs that push every name to its longest (project 39
characters, environment 16, component 32) and cover every kind, every profile, several regions
(including the aws-us-gov and aws-cn partitions), ``nat: none``, a domain, MySQL and Valkey.
Each environment of each must plan with no violation of a rule in ``tests/stacks/plan_lint.py``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from stacks.plan import Plan, PlannedResource
from tests.stacks.plan_lint import WORST_CASE_DIR, Planned, check_arn, lint, worst_case_plans

KINDS = {"scaffold:blueprints:Database", "scaffold:blueprints:Cache", "scaffold:blueprints:Queue",
         "scaffold:blueprints:Notifications", "scaffold:blueprints:Api", "scaffold:blueprints:Worker",
         "scaffold:blueprints:Job", "scaffold:blueprints:Bucket"}

#: Rules on inputs no component sets today (it sets the ``namePrefix``, or lets the provider name
#: the resource): they hold the AWS rule for the day a component sets the input.
NOT_SET_TODAY = {
    ("aws:rds/clusterParameterGroup:ClusterParameterGroup", "name"),
    ("aws:rds/parameterGroup:ParameterGroup", "name"),
    ("aws:elasticache/parameterGroup:ParameterGroup", "name"),
    ("aws:iam/rolePolicy:RolePolicy", "name"),
    ("aws:secretsmanager/secret:Secret", "name"),
}


@pytest.fixture(scope="module")
def plans() -> tuple[Planned, ...]:
    return worst_case_plans()


def test_worst_case_specs_cover_what_they_claim(plans: tuple[Planned, ...]) -> None:
    assert {p.blueprint.profile for p in plans} == {"dev", "staging", "production"}
    assert {p.plan.region for p in plans} >= {"us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1"}
    assert any(p.blueprint.network.nat == "none" for p in plans)
    assert {r.type for p in plans for r in p.plan.resources} >= KINDS
    engines = {r.inputs.get("engine") for p in plans for r in p.plan.aws_resources}
    assert {"aurora-postgresql", "aurora-mysql", "redis", "valkey"} <= engines
    assert any(c.kind == "api" and c.domain for p in plans for c in p.blueprint.components.values())
    longest = [p.blueprint for p in plans if p.label.startswith("longest-names")]
    assert max(len(b.project) for b in longest) == 39
    assert max(len(b.environment) for b in longest) == 16
    assert max(len(name) for b in longest for name in b.components) == 32
    assert len(list(WORST_CASE_DIR.glob("*.yaml"))) >= 3


def test_every_rule_is_exercised_by_a_worst_case_plan(plans: tuple[Planned, ...]) -> None:
    """A rule on an input no worst-case plan sets could never fail: each must meet a value."""
    from tests.stacks.plan_lint import RULES, _values

    unexercised = []
    for rule in RULES:
        if (rule.type, rule.input) in NOT_SET_TODAY:
            continue
        met = any(True for p in plans for r in p.plan.resources if r.type == rule.type
                  for _ in _values(r.inputs, rule.input.split("."), ""))
        if not met:
            unexercised.append(f"{rule.type} {rule.input}")
    assert not unexercised, "\n".join(unexercised)


def test_worst_case_plans_break_no_rule(plans: tuple[Planned, ...]) -> None:
    violations = [f"{p.label}: {v}" for p in plans for v in lint(p.plan)]
    assert not violations, "\n".join(violations)


# -- the lint itself: each rule family catches a known-bad value -------------------------------
def _plan(*resources: tuple[str, dict[str, Any]], region: str = "us-east-1") -> Plan:
    planned = [PlannedResource(urn=f"urn:{i}", type=t, name=f"r{i}", parent=None, component=None, inputs=inputs,
                               id=f"id{i}") for i, (t, inputs) in enumerate(resources)]
    return Plan(project="p", stack="s", profile="dev", region=region, resources=planned, outputs={})


def _rules(plan: Plan) -> list[str]:
    return [f"{v.input}: {v.rule}" for v in lint(plan)]


@pytest.mark.parametrize(("typ", "inputs", "expected"), [
    ("aws:lb/loadBalancer:LoadBalancer", {"name": "internal-prod-api"}, "must not begin with 'internal-'"),
    ("aws:lb/loadBalancer:LoadBalancer", {"name": "a" * 33}, "at most 32 characters"),
    ("aws:lb/targetGroup:TargetGroup", {"name": "shop-prod-api-"}, "no leading or trailing hyphen"),
    ("aws:ec2/securityGroup:SecurityGroup", {"name": "sg-prod-api", "description": "x"}, "must not start with 'sg-'"),
    ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", {"description": "api -> orders-db"},
     "EC2 charset"),
    ("aws:elasticache/replicationGroup:ReplicationGroup",
     {"engine": "redis", "engineVersion": "7.1.0", "replicationGroupId": "a", "description": "d"},
     "redis version"),
    ("aws:elasticache/replicationGroup:ReplicationGroup",
     {"engine": "valkey", "engineVersion": "8", "replicationGroupId": "a", "description": "d"}, "valkey version"),
    ("aws:elasticache/replicationGroup:ReplicationGroup", {"replicationGroupId": "a" * 41, "description": "d"},
     "1 to 40"),
    ("aws:rds/cluster:Cluster", {"engine": "aurora-mysql", "engineVersion": "16.4"}, "aurora-mysql version"),
    ("aws:rds/cluster:Cluster", {"clusterIdentifier": "shop--db"}, "no '--'"),
    ("aws:sqs/queue:Queue", {"name": "q" * 81}, "1 to 80"),
    ("aws:sqs/queue:Queue", {"name": "q" * 76 + ".fifo"}, "1 to 80"),
    ("aws:iam/role:Role", {"name": "r" * 65}, "1 to 64"),
    ("aws:cloudwatch/logGroup:LogGroup", {"retentionInDays": 10}, "retention"),
    ("aws:kms/alias:Alias", {"name": "alias/alias/x"}, "not doubled"),
    ("aws:s3/bucket:Bucket", {"bucket": "Shop_Logs"}, "3 to 63 lowercase"),
    ("aws:secretsmanager/secret:Secret", {"name": "shop-dev-auth-AbCdEf"}, "6 characters"),
    ("aws:ecs/taskDefinition:TaskDefinition", {"cpu": "256", "memory": "1536", "containerDefinitions": "[]"},
     "Fargate cpu/memory pair"),
    ("aws:ecs/taskDefinition:TaskDefinition",
     {"cpu": "256", "memory": "512", "containerDefinitions": json.dumps([{"name": "api", "secrets": [
         {"name": "K", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe"}]}])},
     "full Secrets Manager secret ARN"),
    ("aws:ecs/taskDefinition:TaskDefinition",
     {"cpu": "256", "memory": "512", "containerDefinitions": json.dumps([{"name": "api", "environment": [
         {"name": "A", "value": "1"}], "secrets": [{"name": "A", "valueFrom": "x"}]}])},
     "each environment variable set once"),
    ("aws:wafv2/webAcl:WebAcl", {"name": "shop", "scope": "REGIONAL",
                                 "visibilityConfig": {"metricName": "shop prod"}}, "no spaces"),
])
def test_each_rule_catches_a_known_bad_value(typ: str, inputs: dict[str, Any], expected: str) -> None:
    found = _rules(_plan((typ, inputs)))
    assert any(expected in f for f in found), found


def test_good_values_pass() -> None:
    plan = _plan(
        ("aws:lb/loadBalancer:LoadBalancer", {"name": "shop-prod-api", "loadBalancerType": "application"}),
        ("aws:elasticache/replicationGroup:ReplicationGroup",
         {"engine": "redis", "engineVersion": "7.1", "replicationGroupId": "shop-prod-sessions", "description": "d"}),
        ("aws:rds/cluster:Cluster", {"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.08.0",
                                     "clusterIdentifier": "shop-prod-db"}),
        ("aws:sqs/queue:Queue", {"name": "q" * 75 + ".fifo"}),
        ("aws:ecs/taskDefinition:TaskDefinition", {"cpu": "4096", "memory": "30720", "containerDefinitions": "[]"}),
    )
    assert lint(plan) == []


@pytest.mark.parametrize(("arn", "region", "expected"), [
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe", "us-east-1", "secretsmanager resource"),
    ("arn:aws:kms:us-east-1:123456789012:alias/alias/shop", "us-east-1", "kms resource"),
    ("arn:aws:sqs:us-east-1:123456789012:shop-dev-jobs", "cn-north-1", "partition (aws-cn)"),
    ("arn:aws:iam:us-east-1:123456789012:role/x", "us-east-1", "no region in a iam ARN"),
    ("arn:aws:s3:::bucket/AWSLogs/x", "us-east-1", None),
    ("arn:aws:logs:us-east-1:123456789012:log-group:/ecs/x:log-stream:*", "us-east-1", None),
    ("arn:aws:secretsmanager:us-east-1:123456789012:secret:stripe-??????", "us-east-1", None),
    ("arn:aws-us-gov:rds-db:us-gov-west-1:123456789012:dbuser:cluster-ABC123/app", "us-gov-west-1", None),
    ("not-an-arn", "us-east-1", "well-formed"),
])
def test_policy_arns(arn: str, region: str, expected: str | None) -> None:
    problems = [rule for rule, _ in check_arn(arn, region)]
    if expected is None:
        assert problems == []
    else:
        assert any(expected in p for p in problems), problems


def test_violations_name_resource_input_value_rule_and_source() -> None:
    (violation,) = lint(_plan(("aws:lb/loadBalancer:LoadBalancer", {"name": "internal-x"})))
    assert (violation.resource, violation.input, violation.value) == (
        "aws:lb/loadBalancer:LoadBalancer r0", "name", "internal-x")
    assert "internal/service/elbv2/validate.go" in violation.source
