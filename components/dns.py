"""Public names and their TLS certificates, validated through the stack's hosted zone (components/dns_zone.py).

Creates, per public host (``api.<domain>``, ``www.<domain>`` for the load balancer, ``assets.<domain>``
for CloudFront): an ACM certificate validated by DNS, its validation record in the hosted zone, and
a ``CertificateValidation`` that waits until ACM has issued it, so nothing attaches an unissued
certificate. CloudFront only takes certificates from us-east-1, so the CDN's is created there.
One certificate per host keeps each one's validation record known before deployment (no SAN list to
iterate inside ``apply``) and lets a host be added or removed without reissuing the others.
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from .args import Args, FieldProblem
from .dns_zone import DOMAIN_PATTERN, LABEL

HOST_PATTERN = re.compile(rf"^{LABEL}$")


class DnsArgs(Args):
    """The public hosts and their certificates. Every stack has a domain (``platform.domain``, filled in by
    the loader); without one (a component built alone) no certificate is created."""

    domain: str | None = Field(
        default=None, max_length=253, description="Apex of the public names, e.g. 'quantumvest.com'."
    )
    regional_hosts: list[str] = Field(
        default_factory=lambda: ["api", "www"],
        description="Hosts served by the regional load balancer (the request path in DESIGN.md).",
    )
    cdn_host: str = Field(
        default="assets", description="Host CloudFront serves static assets on (DESIGN.md: assets.<domain>)."
    )

    @model_validator(mode="after")
    def _check_domain(self) -> DnsArgs:
        if self.domain is not None and not DOMAIN_PATTERN.match(self.domain):
            raise FieldProblem(
                "domain",
                self.domain,
                "a lowercase DNS name of two or more labels (letters, digits, hyphens), e.g. 'quantumvest.com'",
            )
        for index, host in enumerate([*self.regional_hosts, self.cdn_host]):
            where = f"regional_hosts[{index}]" if index < len(self.regional_hosts) else "cdn_host"
            if not HOST_PATTERN.match(host):
                raise FieldProblem(where, host, "one DNS label: lowercase letters, digits and hyphens")
        if len({*self.regional_hosts, self.cdn_host}) != len(self.regional_hosts) + 1:
            raise FieldProblem(
                "regional_hosts", self.regional_hosts, "hosts must be distinct (and not the cdn_host)"
            )
        return self

    @property
    def enabled(self) -> bool:
        return self.domain is not None

    def fqdn(self, host: str) -> str:
        return f"{host}.{self.domain}"


def validated_certificate(
    name: str,
    host: str,
    args: DnsArgs,
    *,
    zone_id: pulumi.Input[str],
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
) -> pulumi.Output[str]:
    """A DNS-validated ACM certificate for ``host.<domain>``, validated through ``zone_id``; its ARN once issued."""
    fqdn = args.fqdn(host)
    in_region = pulumi.ResourceOptions(parent=parent, provider=provider)
    certificate = aws.acm.Certificate(
        f"{name}-{host}-certificate",
        domain_name=fqdn,
        validation_method="DNS",
        tags={"Name": fqdn},
        opts=in_region,
    )
    option = certificate.domain_validation_options[0]
    record = aws.route53.Record(
        f"{name}-{host}-certificate-validation",
        zone_id=zone_id,
        name=option.resource_record_name,
        type=option.resource_record_type,
        records=[option.resource_record_value],
        ttl=300,
        allow_overwrite=True,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    validation = aws.acm.CertificateValidation(
        f"{name}-{host}-certificate-issued",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        opts=in_region,
    )
    return validation.certificate_arn
