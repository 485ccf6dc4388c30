"""The hosts the ingress serves must lie in the zone cert-manager can answer DNS-01 challenges for."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def ingress_domain_is_in_the_dns_zone(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    zone = cfg.cluster_services.dns_zone
    domain = cfg.workloads.domain
    if zone and not (domain == zone or domain.endswith(f".{zone}")):
        yield FieldProblem(
            "workloads.domain",
            domain,
            f"must be {zone} or under it (cluster_services.dns_zone): certificates are issued through that zone",
        )


RULES = [ingress_domain_is_in_the_dns_zone]
