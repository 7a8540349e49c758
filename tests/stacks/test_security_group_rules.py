"""No security group mixes inline rules with standalone rule resources, in any planned stack.

terraform-provider-aws manages a group's rules inline as soon as ``ingress`` or ``egress`` is set,
even to ``[]``: on the next update it revokes every rule of that direction it did not create, which
includes the standalone ``aws.vpc.SecurityGroupIngressRule``/``EgressRule`` resources
("You should not use the aws.ec2.SecurityGroup resource with in-line rules ... in conjunction with the
aws.vpc.SecurityGroupEgressRule and aws.vpc.SecurityGroupIngressRule resources",
https://www.pulumi.com/registry/packages/aws/api-docs/ec2/securitygroup/). An RDS Proxy group with
``egress=[]`` and a standalone egress rule to the cluster would lose that rule and the proxy its cluster.
Leaving the inline lists out still removes AWS's default allow-all egress rule: the provider revokes it
when it creates the group (internal/service/ec2/vpc_security_group.go, resourceSecurityGroupCreate).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.stacks.plan_lint import Planned, plan_spec, worst_case_plans

SG = "aws:ec2/securityGroup:SecurityGroup"
RULES = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
         "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
         "aws:ec2/securityGroupRule:SecurityGroupRule")
SHOP = Path(__file__).parents[2] / "examples" / "shop.yaml"


def mixed_groups(planned: Planned) -> list[str]:
    """``<label>: <group>`` for each group with inline ``ingress``/``egress`` and a standalone rule."""
    resources = planned.plan.aws_resources
    with_rules = {r.inputs.get("securityGroupId") for r in resources if r.type in RULES}
    return [f"{planned.label}: {r.name} (inline {[k for k in ('ingress', 'egress') if k in r.inputs]})"
            for r in resources
            if r.type == SG and ("ingress" in r.inputs or "egress" in r.inputs) and r.id in with_rules]


@pytest.fixture(scope="module")
def plans() -> list[Planned]:
    return [*plan_spec(SHOP), *worst_case_plans()]


def test_the_plans_have_groups_with_standalone_rules(plans: list[Planned]) -> None:
    """The check below has something to check: proxy, cluster, cache and API groups with rules."""
    names = {r.name for p in plans for r in p.plan.aws_resources if r.type == SG}
    assert {"orders-db-proxy-sg", "orders-db-sg", "sessions-sg"} <= names
    assert any(r.type == RULES[1] for p in plans for r in p.plan.aws_resources)


def test_no_security_group_mixes_inline_and_standalone_rules(plans: list[Planned]) -> None:
    mixed = [m for p in plans for m in mixed_groups(p)]
    assert not mixed, "\n".join(mixed)
