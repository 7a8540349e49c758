"""AWS WAF in front of a public API's load balancer.

Only when ``settings.waf`` and ``settings.public`` (the production profile turns
``waf`` on; an internal load balancer never gets a web ACL: it is reachable from
the VPC only).

* ``aws.wafv2.WebAcl``, scope ``REGIONAL`` (the scope an ALB takes), default action
  allow, three rules in this order:

  0. ``AWSManagedRulesCommonRuleSet`` (the OWASP-style core rule set),
  1. ``AWSManagedRulesKnownBadInputsRuleSet`` (request patterns of known exploits),

     both AWS managed rule groups with ``override_action`` none, so their own
     block actions apply;
  2. a rate-based rule that blocks a client IP above :data:`RATE_LIMIT` requests in
     :data:`RATE_WINDOW` seconds, until its rate falls below the limit again.

  CloudWatch metrics and sampled requests are on for the ACL and each rule.
* ``aws.wafv2.WebAclAssociation`` of the ACL with the ALB.

Constraints (terraform-provider-aws ``internal/service/wafv2/schemas.go`` and
``web_acl.go``, AWS WAF API reference ``RateBasedStatement``/``VisibilityConfig``):
web ACL and rule names 1-128 characters ``[0-9A-Za-z_-]``; metric names 1-128
characters ``^[0-9A-Za-z_-]+$``; the rate limit 100 (AWS now accepts 10) to
2,000,000,000 requests; the evaluation window 60, 120, 300 or 600 seconds.

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/wafv2/webacl/
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

import pulumi

from blueprints import aws
from blueprints.base import Component

#: Requests one client IP may send per :data:`RATE_WINDOW` before WAF blocks it.
#: Provider range: 100 to 2,000,000,000 (terraform-provider-aws wafv2 schemas.go, ``limit``);
#: AWS WAF API reference RateBasedStatement.Limit: 10 to 2,000,000,000.
RATE_LIMIT = 2000  # requests per 5 minutes per IP: ~7 per second sustained
#: The window the rate is counted over, in seconds (one of 60, 120, 300, 600).
RATE_WINDOW = 300  # seconds
#: The AWS managed rule groups every web ACL runs, in priority order, with their metric suffix.
MANAGED_RULE_GROUPS = {"AWSManagedRulesCommonRuleSet": "common",
                       "AWSManagedRulesKnownBadInputsRuleSet": "bad-inputs"}
#: Name of the rate-based rule.
RATE_RULE = "RateLimitPerIp"
#: What WAF accepts as a web ACL name or a CloudWatch metric name.
WAF_NAME = re.compile(r"^[0-9A-Za-z_-]{1,128}\Z")

_V = TypeVar("_V", aws.wafv2.WebAclVisibilityConfigArgs, aws.wafv2.WebAclRuleVisibilityConfigArgs)


@dataclass(frozen=True)
class Waf:
    """What :func:`build_waf` created.

    Attributes:
        web_acl: The ``aws.wafv2.WebAcl``.
        association: The ``aws.wafv2.WebAclAssociation`` with the ALB.
    """

    web_acl: aws.wafv2.WebAcl
    association: aws.wafv2.WebAclAssociation


def _metric(owner: Component, suffix: str) -> str:
    name = owner.physical_name(suffix, max_len=128)
    if not WAF_NAME.match(name):  # physical names are [a-z0-9-]; this guards a future change
        raise ValueError(f"{name!r} is not a valid WAF name or metric name")
    return name


def _visibility(kind: type[_V], metric_name: str) -> _V:
    return kind(cloudwatch_metrics_enabled=True, metric_name=metric_name,
                sampled_requests_enabled=True)


def build_waf(owner: Component, load_balancer_arn: pulumi.Input[str]) -> Waf:
    """Create the web ACL and associate it with the load balancer ``load_balancer_arn``."""
    rules = [
        aws.wafv2.WebAclRuleArgs(
            name=group, priority=priority,
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name=group, vendor_name="AWS")),
            visibility_config=_visibility(aws.wafv2.WebAclRuleVisibilityConfigArgs,
                                          _metric(owner, f"waf-{suffix}")),
        )
        for priority, (group, suffix) in enumerate(MANAGED_RULE_GROUPS.items())
    ]
    rules.append(aws.wafv2.WebAclRuleArgs(
        name=RATE_RULE, priority=len(MANAGED_RULE_GROUPS),
        action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                limit=RATE_LIMIT, evaluation_window_sec=RATE_WINDOW, aggregate_key_type="IP")),
        visibility_config=_visibility(aws.wafv2.WebAclRuleVisibilityConfigArgs,
                                      _metric(owner, "waf-rate-limit")),
    ))
    web_acl = aws.wafv2.WebAcl(
        owner.logical_name("waf"),
        name=_metric(owner, "waf"),
        # AWS WAF CreateWebACL Description: 1-256 of [\w+=:#@/\-,.\s], no edge spaces.
        description=f"Managed rules and a per-IP rate limit for {owner.component_name}",
        scope="REGIONAL",
        default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
        rules=rules,
        visibility_config=_visibility(aws.wafv2.WebAclVisibilityConfigArgs, _metric(owner, "waf")),
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
    association = aws.wafv2.WebAclAssociation(
        owner.logical_name("waf-association"),
        resource_arn=load_balancer_arn,
        web_acl_arn=web_acl.arn,
        opts=owner.child_opts(),
    )
    return Waf(web_acl=web_acl, association=association)
