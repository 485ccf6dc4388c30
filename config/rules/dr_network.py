"""The DR network must not overlap the primary VPC: the two are peered (or joined by a transit
gateway) the day a failover needs the application to reach the promoted replica."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def dr_network_does_not_overlap_the_primary(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    if cfg.platform.dr_region and cfg.dr_network.cidr.overlaps(cfg.network.cidr):
        yield FieldProblem(
            "dr_network.cidr",
            str(cfg.dr_network.cidr),
            f"overlaps network.cidr ({cfg.network.cidr}); the DR VPC needs its own range to be peered",
        )


RULES = [dr_network_does_not_overlap_the_primary]
