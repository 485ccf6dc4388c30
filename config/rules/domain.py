"""One domain, one zone: every public name of a stack lies in the hosted zone of ``platform.domain``.

The zone (``dns``) is named after ``platform.domain``; certificates (``storage.dns``) are validated
through it, external-dns (``cluster_services.dns_zone``) writes the load balancer's names into it, and
the routes' hosts (``workloads.domain``) must be names in it, or nothing resolves them.
"""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def _within(name: str, zone: str) -> bool:
    return name == zone or name.endswith(f".{zone}")


def every_stack_has_a_domain(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    if cfg.platform.domain is None:
        yield FieldProblem(
            "platform.domain",
            None,
            "required: the stack's public domain (e.g. 'dev.quantumvest.com'); its Route 53 zone holds every "
            "public name (api., www., assets.) and validates their certificates",
        )


def the_zone_is_the_platform_domain(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    domain = cfg.platform.domain
    if domain is not None and cfg.dns.domain != domain:
        yield FieldProblem(
            "dns.domain",
            cfg.dns.domain,
            f"the hosted zone is named after platform.domain ({domain}); change platform.domain instead",
        )


def public_names_are_in_the_zone(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    zone = cfg.dns.domain
    if zone is None:
        return
    if cfg.storage.dns.domain is not None and not _within(cfg.storage.dns.domain, zone):
        yield FieldProblem(
            "storage.dns.domain",
            cfg.storage.dns.domain,
            f"must be {zone} or under it: certificates are validated through the records of that zone",
        )
    if cfg.cluster_services.dns_zone is not None and cfg.cluster_services.dns_zone != zone:
        yield FieldProblem(
            "cluster_services.dns_zone",
            cfg.cluster_services.dns_zone,
            f"must be {zone} (dns.domain): external-dns writes the load balancer's names into that zone",
        )


def rate_limited_hosts_are_public_hosts(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    hosts = cfg.storage.dns.regional_hosts
    for index, limit in enumerate(cfg.security.waf.path_rate_limits):
        if limit.host not in hosts:
            yield FieldProblem(
                f"security.waf.path_rate_limits[{index}].host",
                limit.host,
                f"one of the load balancer's hosts (storage.dns.regional_hosts: {', '.join(hosts)})",
            )


def ingress_domain_is_in_the_dns_zone(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    zone = cfg.cluster_services.dns_zone
    domain = cfg.workloads.domain
    if zone and not _within(domain, zone):
        yield FieldProblem(
            "workloads.domain",
            domain,
            f"must be {zone} or under it (cluster_services.dns_zone): certificates are issued through that zone",
        )


RULES = [
    every_stack_has_a_domain,
    the_zone_is_the_platform_domain,
    public_names_are_in_the_zone,
    rate_limited_hosts_are_public_hosts,
    ingress_domain_is_in_the_dns_zone,
]
