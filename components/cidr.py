"""Pure CIDR arithmetic for the three-tier VPC layout (no Pulumi, no AWS: property-tested).

The derived layout splits the VPC into halves and quarters so that tiers never overlap and each tier
has room for up to the next power of two of AZs:

* the first half of the VPC holds the private (application) subnets — EKS pods take their IPs from
  these with the VPC CNI, so they get the most room;
* the third quarter holds the public subnets (NAT gateways and the ALB only);
* the fourth quarter holds the database subnets (RDS, ElastiCache).

For a /16 and three AZs that is private /19s, public /20s and database /20s.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Iterable

IPv4Network = ipaddress.IPv4Network

#: The tiers of the VPC, in the order the layout assigns address space.
TIERS: tuple[str, ...] = ("private", "public", "database")

#: The smallest subnet AWS accepts (/28: 16 addresses, 11 usable).
AWS_MIN_SUBNET_PREFIX = 28


class CidrLayoutError(ValueError):
    """The VPC cannot hold the requested subnets."""


def _split(block: IPv4Network, count: int) -> list[IPv4Network]:
    """Split ``block`` into the next power of two ≥ ``count`` equal pieces and return the first ``count``."""
    bits = max(0, math.ceil(math.log2(count))) if count > 1 else 0
    new_prefix = block.prefixlen + bits
    if new_prefix > AWS_MIN_SUBNET_PREFIX:
        raise CidrLayoutError(
            f"{block} cannot be split into {count} subnets of at least /{AWS_MIN_SUBNET_PREFIX}"
        )
    return list(block.subnets(new_prefix=new_prefix))[:count]


def derive_subnets(vpc_cidr: IPv4Network | str, az_count: int) -> dict[str, list[IPv4Network]]:
    """Return ``{"private": [...], "public": [...], "database": [...]}``, one subnet per AZ per tier.

    Raises :class:`CidrLayoutError` when the VPC is too small for ``az_count`` AZs.
    """
    vpc = IPv4Network(vpc_cidr) if isinstance(vpc_cidr, str) else vpc_cidr
    if az_count < 1:
        raise CidrLayoutError("az_count must be at least 1")
    if vpc.prefixlen + 2 > AWS_MIN_SUBNET_PREFIX:
        raise CidrLayoutError(f"{vpc} is too small for three tiers (needs /26 or larger)")
    halves = list(vpc.subnets(prefixlen_diff=1))
    quarters = list(halves[1].subnets(prefixlen_diff=1))
    try:
        return {
            "private": _split(halves[0], az_count),
            "public": _split(quarters[0], az_count),
            "database": _split(quarters[1], az_count),
        }
    except CidrLayoutError as err:
        raise CidrLayoutError(
            f"VPC {vpc} is too small for {az_count} AZs x 3 tiers with subnets of at least "
            f"/{AWS_MIN_SUBNET_PREFIX}; use a larger VPC or give the subnets explicitly"
        ) from err


def first_overlap(networks: Iterable[tuple[str, IPv4Network]]) -> tuple[str, str] | None:
    """Return the labels of the first two overlapping networks, or ``None`` when all are disjoint."""
    seen: list[tuple[str, IPv4Network]] = []
    for label, net in networks:
        for other_label, other in seen:
            if net.overlaps(other):
                return other_label, label
        seen.append((label, net))
    return None
