"""Security rules that need the tier or another section."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def prod_has_a_dr_region(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Production copies its backups to another region (seed 003: multi-region with disaster recovery):
    to its DR standby stack's vault (dr.role primary/standby: the standby is the DR region), or to a
    vault in ``platform.dr_region``."""
    if cfg.platform.environment == "prod" and cfg.platform.dr_region is None and cfg.dr.role == "none":
        yield FieldProblem(
            "platform.dr_region",
            None,
            "prod needs another region for backup copies: a DR standby stack (dr.role: primary, "
            "dr.standby_stack: <org>/quantumvest-infra/prod-dr) or a platform.dr_region (e.g. us-west-2)",
        )


def prod_budget_alerts_someone(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """A production budget nobody hears about guards nothing (elsewhere a budget without recipients is
    still tracked in the console)."""
    budget = cfg.security.budget
    if cfg.platform.environment == "prod" and budget.enabled and not budget.alert_emails:
        yield FieldProblem(
            "security.budget.alert_emails",
            [],
            "prod needs at least one address for budget alerts (or security.budget.enabled: false)",
        )


def prod_is_protected(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Production keys, vaults, trail bucket, repositories and secrets cannot be deleted by a stray `up`."""
    if cfg.platform.environment == "prod" and not cfg.security.protect:
        yield FieldProblem("security.protect", False, "prod keeps its keys, vaults and secrets protected")


RULES = [prod_has_a_dr_region, prod_budget_alerts_someone, prod_is_protected]
