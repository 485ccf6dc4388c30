"""Rules of a DR pair (components/dr.py) that need more than the ``dr`` section."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def pair_owns_the_public_records(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """The failover records are the program's: external-dns would write simple records for the same
    names, which Route 53 refuses beside failover records (and the two writers would fight)."""
    if cfg.dr.role != "none" and cfg.cluster_services.external_dns:
        yield FieldProblem(
            "cluster_services.external_dns",
            True,
            f"must be false with dr.role: {cfg.dr.role}: the program writes the failover records of the "
            "public hosts (docs/decisions/dr-standby.md)",
        )


def pair_has_a_domain(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Failover is per public host; a pair without a domain has nothing to fail over."""
    if cfg.dr.role != "none" and not cfg.platform.domain:
        yield FieldProblem(
            "platform.domain", None, f"required with dr.role: {cfg.dr.role} (the failover hosts)"
        )


def standby_has_no_dr_region(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """A pair's DR region is the standby stack's region; a second one inside either stack is a copy of
    what the pair already has, and the move of issue 22 takes it out of prod."""
    if cfg.dr.role != "none" and cfg.platform.dr_region is not None:
        yield FieldProblem(
            "platform.dr_region",
            cfg.platform.dr_region,
            f"must be unset with dr.role: {cfg.dr.role}: the standby stack is the DR region",
        )


RULES = [pair_owns_the_public_records, pair_has_a_domain, standby_has_no_dr_region]
