"""The front door: Application Load Balancer, target group, listeners, certificate, access logs.

* ``aws.lb.LoadBalancer`` (application): internet-facing in the public subnets,
  or internal in the private subnets; one subnet per AZ; invalid header fields
  dropped; deletion protection from the settings.
* ``aws.lb.TargetGroup``: ``target_type="ip"`` (Fargate tasks are ENIs), HTTP on
  the container port, health check on ``settings.health_check`` expecting 200-399.
* With TLS (a ``domain`` or a ``certificate``): an HTTPS listener on 443 with the
  :data:`SSL_POLICY` (TLS 1.3 and 1.2 only) and a listener on 80 that redirects to
  it (HTTP 301). The certificate is ``settings.certificate`` when given, else the one
  :mod:`blueprints.api.dns` requests and validates in Route 53 (which also points
  the domain at the ALB). Without TLS: one HTTP listener on 80 that forwards.
* With ``waf`` on a public ALB: the web ACL of :mod:`blueprints.api.waf`.
* With ``access_logs``: an S3 bucket (SSE-S3, which is the only encryption ALB log
  delivery supports; all public access blocked; TLS-only; objects expire) whose
  policy lets Elastic Load Balancing write ``AWSLogs/<account>/``.

Names: ALB and target-group names are at most 32 characters. The target group's
name carries the container port and the ALB's its scheme, so a change of either
(which replaces the resource) can create the new one before deleting the old.

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/lb/loadbalancer/
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi

from blueprints import aws
from blueprints.api.dns import Dns, build_alias, build_certificate
from blueprints.api.security_groups import HTTP_PORT, HTTPS_PORT
from blueprints.api.settings import ApiSettings
from blueprints.base import Component, NetworkAttachment

if TYPE_CHECKING:
    from blueprints.api.waf import Waf

#: Longest name an ALB or a target group may have.
LB_NAME_MAX = 32
#: TLS policy of the HTTPS listener: TLS 1.3 and 1.2 only, forward-secret ciphers. It is
#: the policy AWS recommends for new HTTPS listeners (and the console default):
#: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
#: Clients older than TLS 1.2 (Windows 7-era stacks, Java 7) cannot connect, by design.
SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
#: Status codes the health check counts as healthy.
HEALTHY_CODES = "200-399"
#: Seconds between health checks.
HEALTH_CHECK_INTERVAL = 15  # seconds
#: Seconds the ALB waits for in-flight requests before it drops a deregistering task.
DEREGISTRATION_DELAY = 30  # seconds (the AWS default of 300 makes every deploy slow)
#: Service principal that delivers ALB access logs (all regions opened since August 2022 need it).
LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"
#: Elastic Load Balancing's own account in each region opened before August 2022; its
#: bucket-policy principal there. https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
ELB_ACCOUNTS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580", "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ca-central-1": "985666609251",
    "eu-central-1": "054676820928", "eu-west-1": "156460612806", "eu-west-2": "652711504416",
    "eu-south-1": "635631232127", "eu-west-3": "009996457667", "eu-north-1": "897822967062",
    "me-south-1": "076674570225", "sa-east-1": "507241528517",
    "us-gov-west-1": "048591011584", "us-gov-east-1": "190560391635",
    "cn-north-1": "638102146993", "cn-northwest-1": "037604701340",
}


@dataclass(frozen=True)
class Frontend:
    """The resources :func:`build_load_balancer` created.

    Attributes:
        url: ``https://<domain>``; ``https://<ALB DNS name>`` with a certificate but no
            domain; ``http://<ALB DNS name>`` without TLS.
        listeners: The listeners the service must wait for, HTTP first.
        dns: The Route 53 part (:class:`blueprints.api.dns.Dns`), or ``None``.
        alias: The alias record of the domain, or ``None``.
        waf: The web ACL and its association, or ``None``.
    """

    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    listeners: list[aws.lb.Listener]
    certificate: aws.acm.Certificate | None
    certificate_validation: aws.acm.CertificateValidation | None
    access_log_bucket: aws.s3.Bucket | None
    url: pulumi.Output[str]
    dns: Dns | None = None
    alias: aws.route53.Record | None = None
    waf: Waf | None = None


def access_log_policy(*, bucket_arn: str, account: str, region: str, partition: str) -> str:
    """The bucket policy that lets Elastic Load Balancing write access logs, over TLS only."""
    objects = f"{bucket_arn}/AWSLogs/{account}/*"
    statements: list[dict[str, object]] = [{
        "Sid": "LogDelivery", "Effect": "Allow", "Principal": {"Service": LOG_DELIVERY_PRINCIPAL},
        "Action": "s3:PutObject", "Resource": objects,
    }]
    if region in ELB_ACCOUNTS:
        statements.append({
            "Sid": "RegionalElbAccount", "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{ELB_ACCOUNTS[region]}:root"},
            "Action": "s3:PutObject", "Resource": objects,
        })
    statements.append({
        "Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _access_log_bucket(owner: Component, settings: ApiSettings) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
    invoke = pulumi.InvokeOutputOptions(parent=owner)
    account = aws.get_caller_identity_output(opts=invoke).account_id
    region = aws.get_region_output(opts=invoke).region
    partition = aws.get_partition_output(opts=invoke).partition
    bucket = aws.s3.Bucket(
        owner.logical_name("access-logs"),
        # Bucket names are global: the account id keeps two accounts' stacks apart.
        bucket=account.apply(lambda a: owner.physical_name(f"alb-logs-{a}", max_len=63)),
        force_destroy=not settings.deletion_protection,
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
    aws.s3.BucketPublicAccessBlock(
        owner.logical_name("access-logs-public-access"),
        bucket=bucket.id, block_public_acls=True, block_public_policy=True,
        ignore_public_acls=True, restrict_public_buckets=True,
        opts=owner.child_opts(),
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        owner.logical_name("access-logs-encryption"),
        bucket=bucket.id,
        rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256"),
        )],
        opts=owner.child_opts(),
    )
    aws.s3.BucketLifecycleConfiguration(
        owner.logical_name("access-logs-lifecycle"),
        bucket=bucket.id,
        rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-access-logs", status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                days=settings.access_log_retention_days),
        )],
        opts=owner.child_opts(),
    )
    policy = aws.s3.BucketPolicy(
        owner.logical_name("access-logs-policy"),
        bucket=bucket.id,
        policy=pulumi.Output.all(bucket.arn, account, region, partition).apply(
            lambda a: access_log_policy(bucket_arn=a[0], account=a[1], region=a[2], partition=a[3])
        ),
        opts=owner.child_opts(),
    )
    return bucket, policy


def _waf(owner: Component, load_balancer_arn: pulumi.Input[str]) -> Waf:
    # Imported here: importing blueprints.api.waf imports pulumi_aws.wafv2's input classes
    # (several tenths of a second), which stacks without a public production API (dev plans,
    # tests) should not pay.
    from blueprints.api.waf import build_waf

    return build_waf(owner, load_balancer_arn)


def build_load_balancer(
    owner: Component, settings: ApiSettings, network: NetworkAttachment,
    alb_security_group: aws.ec2.SecurityGroup,
) -> Frontend:
    """Create the ALB, target group and listeners; with the settings asking for them, the
    Route 53 certificate and alias (:mod:`blueprints.api.dns`), the access-log bucket and
    the WAF web ACL (:mod:`blueprints.api.waf`, public ALBs only)."""
    bucket = None
    depends: list[pulumi.Resource] = []
    access_logs = None
    if settings.access_logs:
        bucket, policy = _access_log_bucket(owner, settings)
        depends.append(policy)  # AWS checks the bucket policy when access logs are turned on
        access_logs = aws.lb.LoadBalancerAccessLogsArgs(bucket=bucket.bucket, enabled=True)

    alb = aws.lb.LoadBalancer(
        owner.logical_name("alb"),
        name=owner.physical_name("" if settings.public else "int", max_len=LB_NAME_MAX),
        load_balancer_type="application",
        internal=not settings.public,
        subnets=network.public_subnet_ids if settings.public else network.private_subnet_ids,
        security_groups=[alb_security_group.id],
        drop_invalid_header_fields=True,
        enable_deletion_protection=settings.deletion_protection,
        access_logs=access_logs,
        tags=owner.tags(),
        opts=owner.child_opts(depends_on=depends),
    )
    target_group = aws.lb.TargetGroup(
        owner.logical_name("tg"),
        name=owner.physical_name(str(settings.port), max_len=LB_NAME_MAX),
        target_type="ip",
        protocol="HTTP",
        port=settings.port,
        vpc_id=network.vpc_id,
        deregistration_delay=DEREGISTRATION_DELAY,
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True, path=settings.health_check, protocol="HTTP", port="traffic-port",
            matcher=HEALTHY_CODES, interval=HEALTH_CHECK_INTERVAL,
            healthy_threshold=2, unhealthy_threshold=3,
        ),
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
    forward = [aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)]

    dns = build_certificate(owner, settings) if settings.hosted_zone else None
    listeners: list[aws.lb.Listener] = []
    if settings.tls:
        listeners.append(aws.lb.Listener(
            owner.logical_name("http"),
            load_balancer_arn=alb.arn, port=HTTP_PORT, protocol="HTTP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301"),
            )],
            tags=owner.tags(),
            opts=owner.child_opts(),
        ))
        # The validation's certificate_arn resolves once ACM has issued the certificate.
        certificate_arn = dns.validation.certificate_arn if dns else settings.certificate
        listeners.append(aws.lb.Listener(
            owner.logical_name("https"),
            load_balancer_arn=alb.arn, port=HTTPS_PORT, protocol="HTTPS",
            ssl_policy=SSL_POLICY, certificate_arn=certificate_arn,
            default_actions=forward,
            tags=owner.tags(),
            opts=owner.child_opts(),
        ))
        url = (pulumi.Output.from_input(f"https://{settings.domain}") if settings.domain
               else alb.dns_name.apply(lambda name: f"https://{name}"))
    else:
        listeners.append(aws.lb.Listener(
            owner.logical_name("http"),
            load_balancer_arn=alb.arn, port=HTTP_PORT, protocol="HTTP",
            default_actions=forward,
            tags=owner.tags(),
            opts=owner.child_opts(),
        ))
        url = alb.dns_name.apply(lambda name: f"http://{name}")
    return Frontend(
        load_balancer=alb, target_group=target_group, listeners=listeners,
        certificate=dns.certificate if dns else None,
        certificate_validation=dns.validation if dns else None,
        access_log_bucket=bucket, url=url, dns=dns,
        alias=build_alias(owner, settings, dns, alb) if dns else None,
        waf=_waf(owner, alb.arn) if settings.waf and settings.public else None,
    )
