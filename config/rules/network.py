"""Network rules that depend on the tier."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def prod_spans_three_azs(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Production survives the loss of one AZ with quorum to spare: three AZs or more."""
    if cfg.platform.environment == "prod" and cfg.network.az_count < 3:
        yield FieldProblem(
            "network.az_count", cfg.network.az_count, "prod needs at least 3 availability zones"
        )


RULES = [prod_spans_three_azs]
