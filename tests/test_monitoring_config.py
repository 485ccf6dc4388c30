"""The ``monitoring`` config section: tier defaults, and bad input named by file, key, value and rule."""

from __future__ import annotations

import pytest

from config import load_stack_file
from tests.helpers import REPO, load_with, rejected


@pytest.mark.parametrize(
    ("stack", "retention", "storage", "cpu"),
    [("dev", 14, 20, 90), ("staging", 90, 50, 85), ("prod", 365, 200, 80)],
)
def test_tier_defaults(stack: str, retention: int, storage: int, cpu: float) -> None:
    cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml").monitoring
    assert cfg.log_retention_days == retention
    assert cfg.prometheus.storage_gib == storage
    assert cfg.thresholds.rds_cpu_percent == cpu


def test_stack_file_overrides_one_threshold_and_keeps_the_rest(tmp_path) -> None:
    cfg = load_with(tmp_path, "prod", {"monitoring": {"thresholds": {"rds_cpu_percent": 70}}}).monitoring
    assert cfg.thresholds.rds_cpu_percent == 70
    assert cfg.thresholds.rds_connections == 400  # the prod profile's value survives
    assert cfg.alert_emails == ["platform-oncall@quantumvest.com"]


def test_an_email_that_is_not_an_email(tmp_path) -> None:
    message = rejected(
        tmp_path, "staging", {"monitoring": {"alert_emails": ["ops@quantumvest.com", "oncall-at-qv"]}}
    )
    assert message.startswith(
        "Pulumi.staging.yaml: quantumvest-infra:monitoring.alert_emails[1] = oncall-at-qv: "
    )
    assert "not an email address" in message and "name@domain.tld" in message


def test_a_warning_email_that_is_not_an_email(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"monitoring": {"warning_emails": ["team@localhost"]}})
    assert "quantumvest-infra:monitoring.warning_emails[0] = team@localhost: not an email address" in message


def test_an_https_endpoint_that_is_plain_http(tmp_path) -> None:
    message = rejected(
        tmp_path, "dev", {"monitoring": {"alert_https_endpoints": ["http://events.pagerduty.com/x"]}}
    )
    assert "quantumvest-infra:monitoring.alert_https_endpoints[0] = http://events.pagerduty.com/x" in message
    assert "not an HTTPS URL" in message


@pytest.mark.parametrize("value", [150, -1, 100.5])
def test_a_percentage_threshold_outside_0_to_100(tmp_path, value: float) -> None:
    message = rejected(tmp_path, "dev", {"monitoring": {"thresholds": {"cache_memory_percent": value}}})
    assert f"quantumvest-infra:monitoring.thresholds.cache_memory_percent = {value!r}: " in message
    assert "a percentage; allowed: 0 to 100" in message


def test_percentage_bounds_are_inclusive(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {"monitoring": {"thresholds": {"rds_cpu_percent": 100}}})
    assert cfg.monitoring.thresholds.rds_cpu_percent == 100


def test_a_retention_cloudwatch_does_not_accept(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"monitoring": {"log_retention_days": 10}})
    assert (
        "quantumvest-infra:monitoring.log_retention_days = 10: CloudWatch Logs does not accept 10 days"
        in message
    )
    assert "allowed: 1, 3, 5, 7, 14, 30" in message


def test_prod_keeps_logs_a_year(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"monitoring": {"log_retention_days": 90}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:monitoring.log_retention_days = 90: "
        "prod keeps logs at least 365 days (PCI DSS 10.5.1)"
    )


def test_prod_alerts_must_reach_someone(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"monitoring": {"alert_emails": [], "warning_emails": None}})
    assert (
        "quantumvest-infra:monitoring.alert_emails = []: prod needs at least one alert subscriber" in message
    )


def test_an_https_subscriber_alone_satisfies_prod(tmp_path) -> None:
    cfg = load_with(
        tmp_path,
        "prod",
        {
            "monitoring": {
                "alert_emails": [],
                "alert_https_endpoints": ["https://events.pagerduty.com/integration/x/enqueue"],
            }
        },
    )
    assert cfg.monitoring.alert_https_endpoints


def test_chart_versions_are_exact_pins(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"monitoring": {"charts": {"kube_prometheus_stack": "~69.4"}}})
    assert (
        "quantumvest-infra:monitoring.charts.kube_prometheus_stack = ~69.4: pin an exact chart version"
        in message
    )


def test_monitoring_and_logging_namespaces_differ(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"monitoring": {"logging_namespace": "monitoring"}})
    assert (
        "quantumvest-infra:monitoring.logging_namespace = monitoring: must differ from namespace" in message
    )


def test_unknown_monitoring_key_suggests_the_right_one(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"monitoring": {"alert_email": ["a@b.io"]}})
    assert "quantumvest-infra:monitoring.alert_email: unknown key (did you mean 'alert_emails'?)" in message


def test_an_email_with_a_trailing_newline_is_not_an_email(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"monitoring": {"alert_emails": ["ops@quantumvest.com\n"]}})
    assert "monitoring.alert_emails[0]" in message and "not an email address" in message
