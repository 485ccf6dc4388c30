"""Monitoring rules that depend on the tier."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs

#: PCI DSS 10.5.1: keep audit trails for at least a year.
PROD_MIN_LOG_RETENTION_DAYS = 365


def prod_alerts_reach_someone(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """An alarm nobody receives is no alarm: prod subscribes at least one address or endpoint."""
    monitoring = cfg.monitoring
    if cfg.platform.environment == "prod" and not (
        monitoring.alert_emails or monitoring.alert_https_endpoints
    ):
        yield FieldProblem(
            "monitoring.alert_emails",
            monitoring.alert_emails,
            "prod needs at least one alert subscriber (alert_emails or alert_https_endpoints)",
        )


def prod_keeps_logs_a_year(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Container logs are part of the audit trail in prod."""
    days = cfg.monitoring.log_retention_days
    if cfg.platform.environment == "prod" and days < PROD_MIN_LOG_RETENTION_DAYS:
        yield FieldProblem(
            "monitoring.log_retention_days",
            days,
            f"prod keeps logs at least {PROD_MIN_LOG_RETENTION_DAYS} days (PCI DSS 10.5.1)",
        )


RULES = [prod_alerts_reach_someone, prod_keeps_logs_a_year]
