"""The API's name: an ACM certificate validated in Route 53, and an alias record to the ALB.

Only for an API with a ``domain`` and no ``certificate`` (:attr:`ApiSettings.hosted_zone`
is set). With a ``certificate`` the DNS lives elsewhere and scaffold creates nothing
here: you validate the certificate at your DNS host and point the domain (CNAME) at
the exported ``load_balancer_dns``.

* ``aws.route53.get_zone_output(name=<zone>, private_zone=False)``: the public hosted
  zone, which must already exist in the account (the lookup fails the preview otherwise).
* ``aws.acm.Certificate`` for the domain, ``validation_method="DNS"``.
* One ``aws.route53.Record`` per ``domain_validation_options`` entry (one: the
  certificate has one name), CNAME, TTL 60 s, ``allow_overwrite=True`` (ACM gives the
  same record to every certificate of the name, so a re-created certificate reuses it).
* ``aws.acm.CertificateValidation`` with ``validation_record_fqdns``: waits until ACM
  has issued the certificate (minutes once the records resolve).
* An alias ``A`` record ``<domain>`` -> the ALB (``evaluate_target_health=True``).
  ``allow_overwrite`` stays off: an existing record of that name is not taken over silently.

Registry: https://www.pulumi.com/registry/packages/aws/api-docs/acm/certificatevalidation/
and https://www.pulumi.com/registry/packages/aws/api-docs/route53/record/
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from blueprints import aws
from blueprints.api.settings import ApiSettings
from blueprints.base import Component

#: TTL of the certificate validation records, in seconds.
VALIDATION_RECORD_TTL = 60  # seconds


@dataclass(frozen=True)
class Dns:
    """What :func:`build_certificate` and :func:`build_alias` created.

    Attributes:
        zone_id: The hosted zone's id (``Output[str]``, ``Z…``).
        certificate: The ``aws.acm.Certificate``.
        validation_records: The ``aws.route53.Record`` CNAMEs ACM checks.
        validation: The ``aws.acm.CertificateValidation``; its ``certificate_arn``
            resolves only once the certificate is issued.
    """

    zone_id: pulumi.Output[str]
    certificate: aws.acm.Certificate
    validation_records: list[aws.route53.Record]
    validation: aws.acm.CertificateValidation


def build_certificate(owner: Component, settings: ApiSettings) -> Dns:
    """Look up the zone, request the certificate, create its validation records and wait.

    Raises:
        ValueError: ``settings`` has no Route 53 zone to use (no ``domain``, or a ``certificate``).
    """
    if settings.hosted_zone is None or settings.domain is None:
        raise ValueError("build_certificate needs a domain and no certificate")
    zone_id = aws.route53.get_zone_output(
        name=settings.hosted_zone, private_zone=False,
        opts=pulumi.InvokeOutputOptions(parent=owner),
    ).zone_id
    certificate = aws.acm.Certificate(
        owner.logical_name("certificate"),
        domain_name=settings.domain,
        validation_method="DNS",
        tags=owner.tags(),
        opts=owner.child_opts(),
    )
    options = certificate.domain_validation_options
    names = [settings.domain]  # the certificate's names: the domain alone, no SANs
    records = []
    for i in range(len(names)):  # ACM returns one validation option per name
        records.append(aws.route53.Record(
            owner.logical_name(f"certificate-validation-{i}"),
            zone_id=zone_id,
            name=options.apply(lambda o, i=i: o[i].resource_record_name),
            type=options.apply(lambda o, i=i: o[i].resource_record_type),
            records=[options.apply(lambda o, i=i: o[i].resource_record_value)],
            ttl=VALIDATION_RECORD_TTL,
            allow_overwrite=True,
            opts=owner.child_opts(),
        ))
    validation = aws.acm.CertificateValidation(
        owner.logical_name("certificate-validation"),
        certificate_arn=certificate.arn,
        validation_record_fqdns=[r.fqdn for r in records],
        opts=owner.child_opts(),
    )
    return Dns(zone_id=zone_id, certificate=certificate, validation_records=records,
               validation=validation)


def build_alias(owner: Component, settings: ApiSettings, dns: Dns,
                alb: aws.lb.LoadBalancer) -> aws.route53.Record:
    """The alias ``A`` record that points ``settings.domain`` at the load balancer."""
    return aws.route53.Record(
        owner.logical_name("alias"),
        zone_id=dns.zone_id,
        name=settings.domain,
        type="A",
        aliases=[aws.route53.RecordAliasArgs(
            name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True)],
        opts=owner.child_opts(),
    )
