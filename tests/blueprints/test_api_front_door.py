"""The API's front door as AWS would receive it: descriptions EC2 accepts, HTTPS and the ports
it opens, Route 53 and ACM for ``domain``, a certificate of your own, and WAF."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws
import pytest

from blueprints.api import Api, ApiSettings, ServiceCluster
from blueprints.api.settings import default_zone
from blueprints.api.waf import RATE_LIMIT
from blueprints.base import Link, StackContext
from blueprints.constraints import EC2_DESCRIPTION, SettingsError, ec2_description
from tests.blueprints.fakes import fake_network

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/orders:1.4.2"
CERT_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
CERT = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
#: terraform-provider-aws internal/service/wafv2/schemas.go (visibility_config.metric_name).
WAF_METRIC_NAME = re.compile(r"^[0-9A-Za-z_-]{1,128}$")


def build(offline: Callable[..., Any], settings: ApiSettings, links: tuple[Link, ...] = ()) -> Any:
    def program() -> None:
        context = StackContext(project="shop", environment="prod")
        cluster = ServiceCluster("services", context=context)
        api = Api("orders-api", settings, context=context, network=fake_network(), cluster=cluster,
                  links=links)
        pulumi.export("url", api.url)
    return offline(program, stack="prod")


def one(run: Any, type_token: str) -> Any:
    found = run.of_type(type_token)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def alb_ports(run: Any) -> set[int]:
    alb_sg = run.named("orders-api-alb-sg").outputs["id"]
    return {r.inputs["fromPort"] for r in run.of_type(INGRESS) if r.inputs["securityGroupId"] == alb_sg}


# -- descriptions --------------------------------------------------------------------------------
def test_every_security_group_and_rule_description_is_one_ec2_accepts(offline: Callable[..., Any]) -> None:
    db = Link(component="orders-db", security_group_id="sg-0db", port=5432)
    run = build(offline, ApiSettings(image=IMAGE, domain="api.example.com"), links=(db,))
    rule = run.named("orders-api-to-orders-db").inputs
    # "orders-api -> orders-db" has a '>' that EC2 refuses (InvalidParameterValue at deploy time).
    assert rule["description"] == "From orders-api to orders-db"
    described = [r for r in run.resources if r.type in (SG, INGRESS, EGRESS)]
    assert len(described) == 8
    for r in described:
        text = r.inputs["description"]
        assert EC2_DESCRIPTION.match(text) and len(text) <= 255, (r.name, text)


@pytest.mark.parametrize("text,expected", [
    ("api -> orders-db", "api to orders-db"),
    ("a\nb", "a b"),  # '$' would let a trailing newline through; EC2 refuses it
    ("Tasks of <x>", "Tasks of x"),
    ("x" * 300, "x" * 255),
])
def test_ec2_description_keeps_only_what_ec2_accepts(text: str, expected: str) -> None:
    assert ec2_description(text) == expected
    assert EC2_DESCRIPTION.match(ec2_description(text))


def test_linked_security_groups_get_ec2_safe_descriptions(offline: Callable[..., Any]) -> None:
    from blueprints.base import Component

    class Linked(Component):
        KIND = "Linked"

    def program() -> None:
        owner = Linked("orders-db", context=StackContext(project="shop", environment="dev"))
        owner.linked_security_group("vpc-0123", "Aurora <orders-db> -> from its APIs")

    run = offline(program)
    assert one(run, SG).inputs["description"] == "Aurora orders-db to from its APIs"


# -- HTTPS and ports -----------------------------------------------------------------------------
def test_without_tls_only_port_80_is_open_and_forwards(offline: Callable[..., Any]) -> None:
    run = build(offline, ApiSettings(image=IMAGE))
    assert alb_ports(run) == {80}
    [listener] = run.of_type(LISTENER)
    assert (listener.inputs["port"], listener.inputs["defaultActions"][0]["type"]) == (80, "forward")
    assert run.of_type(RECORD) == [] and run.of_type(CERT) == []
    assert run.outputs["url"].startswith("http://")


def test_domain_validates_in_route53_and_points_the_name_at_the_alb(
    offline: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    lookups: list[dict[str, Any]] = []
    real = pulumi_aws.route53.get_zone_output

    def spy(**kwargs: Any) -> Any:
        lookups.append({k: v for k, v in kwargs.items() if k != "opts"})
        return real(**kwargs)

    monkeypatch.setattr(pulumi_aws.route53, "get_zone_output", spy)
    run = build(offline, ApiSettings(image=IMAGE, domain="api.shop.example.com"))
    assert lookups == [{"name": "shop.example.com", "private_zone": False}]  # the default zone
    assert alb_ports(run) == {80, 443}
    cert = one(run, CERT)
    records = {r.name: r for r in run.of_type(RECORD)}
    assert set(records) == {"orders-api-certificate-validation-0", "orders-api-alias"}
    check = records["orders-api-certificate-validation-0"]
    [option] = cert.outputs["domainValidationOptions"]
    assert check.inputs["name"] == option["resourceRecordName"]
    assert (check.inputs["type"], check.inputs["records"]) == ("CNAME", [option["resourceRecordValue"]])
    assert (check.inputs["ttl"], check.inputs["allowOverwrite"]) == (60, True)
    validation = one(run, VALIDATION).inputs
    assert validation["certificateArn"] == cert.outputs["arn"]
    assert validation["validationRecordFqdns"] == [check.outputs["fqdn"]]
    alias = records["orders-api-alias"].inputs
    alb = one(run, LB).outputs
    assert (alias["name"], alias["type"], alias["zoneId"]) == ("api.shop.example.com", "A", check.inputs["zoneId"])
    assert alias["aliases"] == [{"name": alb["dnsName"], "zoneId": alb["zoneId"], "evaluateTargetHealth": True}]
    assert not alias.get("allowOverwrite")  # never take over an existing record silently
    https = run.named("orders-api-https").inputs
    assert https["certificateArn"] == cert.outputs["arn"]
    assert run.outputs["url"] == "https://api.shop.example.com"


def test_an_explicit_zone_is_looked_up(offline: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    lookups: list[str] = []
    real = pulumi_aws.route53.get_zone_output
    monkeypatch.setattr(pulumi_aws.route53, "get_zone_output",
                        lambda **kw: lookups.append(kw["name"]) or real(**kw))
    build(offline, ApiSettings(image=IMAGE, domain="api.shop.example.com", zone="example.com"))
    assert lookups == ["example.com"]


@pytest.mark.parametrize("domain", [None, "api.example.com"])
def test_own_certificate_serves_https_without_acm_or_route53(offline: Callable[..., Any],
                                                             domain: str | None) -> None:
    run = build(offline, ApiSettings(image=IMAGE, domain=domain, certificate=CERT_ARN))
    assert run.of_type(CERT) == [] and run.of_type(VALIDATION) == [] and run.of_type(RECORD) == []
    assert alb_ports(run) == {80, 443}
    listeners = {r.inputs["port"]: r.inputs for r in run.of_type(LISTENER)}
    assert listeners[443]["certificateArn"] == CERT_ARN
    assert listeners[443]["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert listeners[80]["defaultActions"][0]["redirect"]["statusCode"] == "HTTP_301"
    expected = f"https://{domain}" if domain else f"https://{one(run, LB).outputs['dnsName']}"
    assert run.outputs["url"] == expected


# -- WAF -----------------------------------------------------------------------------------------
def test_waf_guards_a_public_alb(offline: Callable[..., Any]) -> None:
    run = build(offline, ApiSettings(image=IMAGE, waf=True, domain="api.example.com"))
    acl = one(run, WEB_ACL)
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    rules = {r["name"]: r for r in acl.inputs["rules"]}
    assert [r["name"] for r in sorted(acl.inputs["rules"], key=lambda r: r["priority"])] == [
        "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "RateLimitPerIp"]
    for group in ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"):
        assert rules[group]["overrideAction"] == {"none": {}}
        assert rules[group]["statement"] == {"managedRuleGroupStatement": {"vendorName": "AWS", "name": group}}
    rate = rules["RateLimitPerIp"]
    assert rate["action"] == {"block": {}}
    assert rate["statement"]["rateBasedStatement"] == {
        "limit": RATE_LIMIT, "evaluationWindowSec": 300, "aggregateKeyType": "IP"}
    assert 100 <= RATE_LIMIT <= 2_000_000_000  # the provider's range for `limit`
    metrics = [acl.inputs["visibilityConfig"]["metricName"],
               *(r["visibilityConfig"]["metricName"] for r in acl.inputs["rules"])]
    assert len(set(metrics)) == 4 and all(WAF_METRIC_NAME.match(m) for m in metrics)
    assert WAF_METRIC_NAME.match(acl.inputs["name"])
    association = one(run, WEB_ACL_ASSOCIATION).inputs
    assert association == {"resourceArn": one(run, LB).outputs["arn"], "webAclArn": acl.outputs["arn"]}


@pytest.mark.parametrize("settings", [
    ApiSettings(image=IMAGE, waf=True, public=False),  # internal: reachable from the VPC only
    ApiSettings(image=IMAGE, waf=False, domain="api.example.com"),
])
def test_no_waf_on_internal_albs_or_when_off(offline: Callable[..., Any], settings: ApiSettings) -> None:
    run = build(offline, settings)
    assert run.of_type(WEB_ACL) == [] and run.of_type(WEB_ACL_ASSOCIATION) == []


# -- settings ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,field,message", [
    ({"certificate": "arn:aws:acm:us-east-1:123456789012:certificate/stripe"}, "certificate",
     "is not an ACM certificate ARN"),
    ({"certificate": "arn:aws:iam::123456789012:server-certificate/x"}, "certificate",
     "is not an ACM certificate ARN"),
    ({"zone": "example.com"}, "zone", "zone needs a domain"),
    ({"domain": "api.example.com", "zone": "example.org"}, "zone", "is not inside zone"),
    ({"domain": "api.example.com", "zone": "example.com", "certificate": CERT_ARN}, "zone",
     "zone is unused with certificate"),
])
def test_front_door_settings_are_checked(kwargs: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ApiSettings(image=IMAGE, **kwargs)
    assert [(p.field, message in p.message) for p in caught.value.problems] == [(field, True)]


@pytest.mark.parametrize("domain,zone", [
    ("api.example.com", "example.com"), ("example.com", "example.com"),
    ("api.eu.shop.example.co.uk", "eu.shop.example.co.uk"),
])
def test_default_zone_drops_the_first_label_of_three_or_more(domain: str, zone: str) -> None:
    assert default_zone(domain) == zone
    assert ApiSettings(image=IMAGE, domain=domain).hosted_zone == zone


# -- validate: HTTPS rule and certificate region -------------------------------------------------
SPEC = """scaffold: 1
name: shop
region: eu-west-1
environments:
  {env}: {{profile: {profile}}}
components:
  api:
    kind: api
    image: ghcr.io/acme/api:1
{extra}"""


def validate(tmp_path: Any, *, profile: str, extra: str = "", env: str = "prod") -> Any:
    from typer.testing import CliRunner

    from scaffold.cli import app

    spec = tmp_path / "scaffold.yaml"
    spec.write_text(SPEC.format(env=env, profile=profile, extra=extra))
    return spec, CliRunner().invoke(app, ["validate", "-f", str(spec)])


def test_public_production_api_without_https_fails_validate(tmp_path: Any) -> None:
    spec, result = validate(tmp_path, profile="production")
    assert result.exit_code == 2, result.output
    assert (f"{spec}:8:5: error: components.api.domain: a public API in production must serve HTTPS"
            in result.output)
    assert "add domain: api.example.com" in result.output and "set public: false" in result.output


@pytest.mark.parametrize("extra", ["    domain: api.example.com\n", f"    certificate: {CERT_ARN.replace('us-east-1', 'eu-west-1')}\n",
                                   "    public: false\n"])
def test_production_api_with_tls_or_internal_validates_without_warning(tmp_path: Any, extra: str) -> None:
    _, result = validate(tmp_path, profile="production", extra=extra)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


@pytest.mark.parametrize("profile", ["dev", "staging"])
def test_public_api_without_https_warns_in_dev_and_staging(tmp_path: Any, profile: str) -> None:
    spec, result = validate(tmp_path, profile=profile, env=profile)
    assert result.exit_code == 0, result.output
    assert f"{spec}:8:5: warning: components.api.domain: serves plain HTTP" in result.output


def test_certificate_from_another_region_fails_validate(tmp_path: Any) -> None:
    spec, result = validate(tmp_path, profile="production", extra=f"    certificate: {CERT_ARN}\n")
    assert result.exit_code == 2, result.output
    assert (f"{spec}:10:18: error: components.api.certificate: the certificate is in us-east-1, "
            "but this environment deploys to eu-west-1" in result.output)
