"""The `security` section and `platform.dr_region`: tier defaults, and bad input rejected with a message
naming the file, key path, value and what is allowed."""

from __future__ import annotations

import pytest

from components.platform import security_settings
from tests.dr_region import OVERRIDES as DR_REGION
from tests.helpers import load_with, rejected


def test_tier_defaults(tmp_path) -> None:
    dev = load_with(tmp_path, "dev", {})
    prod = load_with(tmp_path, "prod", {})
    assert (dev.security.keys.deletion_window_days, prod.security.keys.deletion_window_days) == (7, 30)
    assert (dev.security.protect, prod.security.protect) == (False, True)
    assert (dev.security.backup.retention_days, prod.security.backup.retention_days) == (7, 30)
    assert (dev.platform.dr_region, prod.platform.dr_region) == (None, None)  # prod's DR is prod-dr
    assert prod.security.waf.rate_limit == 2000 and prod.security.waf.rate_limit_window_seconds == 300


def test_stack_file_overrides_the_tier(tmp_path) -> None:
    cfg = load_with(
        tmp_path,
        "prod",
        {**DR_REGION, "security": {"waf": {"rate_limit": 5000}}, "platform": {"dr_region": "eu-west-1"}},
    )
    assert cfg.security.waf.rate_limit == 5000
    assert cfg.platform.dr_region == "eu-west-1"
    assert cfg.security.budget.alert_emails == ["platform-alerts@quantumvest.com"]  # sibling keys kept


@pytest.mark.parametrize("limit", [99, 2_000_000_001, 0])
def test_rate_limit_outside_what_waf_accepts(tmp_path, limit: int) -> None:
    message = rejected(tmp_path, "dev", {"security": {"waf": {"rate_limit": limit}}})
    assert message.startswith("Pulumi.dev.yaml: ")
    assert f"quantumvest-infra:security.waf.rate_limit = {limit}" in message
    assert "WAF rate-based rules accept 100 to 2,000,000,000 requests per window" in message


@pytest.mark.parametrize("limit", [100, 2_000_000_000])
def test_rate_limit_bounds_are_inclusive(tmp_path, limit: int) -> None:
    assert (
        load_with(tmp_path, "dev", {"security": {"waf": {"rate_limit": limit}}}).security.waf.rate_limit
        == limit
    )


def test_rate_limit_window_must_be_one_waf_offers(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"security": {"waf": {"rate_limit_window_seconds": 30}}})
    assert "quantumvest-infra:security.waf.rate_limit_window_seconds = 30" in message
    assert "60" in message and "600" in message


def test_dr_region_equal_to_the_primary_region(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"platform": {"dr_region": "us-east-1"}})
    assert message.startswith("Pulumi.prod.yaml: ")
    assert (
        "quantumvest-infra:platform.dr_region = us-east-1: must differ from platform.region (us-east-1)"
        in message
    )


def test_dr_region_must_look_like_a_region(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"platform": {"dr_region": "oregon"}})
    assert "quantumvest-infra:platform.dr_region = oregon" in message


def test_prod_without_a_dr_region(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"platform": {"dr_region": None}, "dr": None})
    assert (
        "quantumvest-infra:platform.dr_region = null: prod needs another region for backup copies" in message
    )


def test_prod_must_stay_protected(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"security": {"protect": False}})
    assert (
        "quantumvest-infra:security.protect = false: prod keeps its keys, vaults and secrets protected"
        in message
    )


def test_prod_budget_needs_a_recipient(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"security": {"budget": {"alert_emails": []}}})
    assert "quantumvest-infra:security.budget.alert_emails = []: prod needs at least one address" in message


def test_bad_alert_email(tmp_path) -> None:
    message = rejected(
        tmp_path, "dev", {"security": {"budget": {"alert_emails": ["ops@example.com", "not-an-email"]}}}
    )
    assert "quantumvest-infra:security.budget.alert_emails[1] = not-an-email: an e-mail address" in message


def test_key_deletion_window_outside_kms_limits(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"security": {"keys": {"deletion_window_days": 3}}})
    assert "quantumvest-infra:security.keys.deletion_window_days = 3" in message and "7" in message


def test_alias_prefix_may_not_use_the_aws_namespace(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"security": {"alias_prefix": "aws-prod"}})
    assert "quantumvest-infra:security.alias_prefix = aws-prod" in message
    assert "not starting with 'aws'" in message


def test_repository_name_ecr_would_reject(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"security": {"ecr": {"repositories": ["backend", "Model_Server"]}}})
    assert (
        "quantumvest-infra:security.ecr.repositories[1] = Model_Server: a lowercase service name" in message
    )


def test_backup_completion_window_too_short(tmp_path) -> None:
    message = rejected(
        tmp_path,
        "dev",
        {"security": {"backup": {"completion_window_minutes": 120, "start_window_minutes": 90}}},
    )
    assert (
        "quantumvest-infra:security.backup.completion_window_minutes = 120: at least start_window_minutes + 60 (150)"
        in message
    )


def test_backup_schedule_must_be_an_aws_cron(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"security": {"backup": {"schedule": "daily"}}})
    assert "quantumvest-infra:security.backup.schedule = daily: an AWS cron expression" in message


def test_app_secret_value_names_are_environment_variable_names(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"security": {"app_secrets": {"services": {"backend": ["jwt-key"]}}}})
    assert "quantumvest-infra:security.app_secrets.services.backend = jwt-key" in message


def test_count_only_rules_name_a_managed_group(tmp_path) -> None:
    message = rejected(
        tmp_path, "dev", {"security": {"waf": {"count_only_rules": {"AWSManagedRulesBotControl": ["x"]}}}}
    )
    assert (
        "quantumvest-infra:security.waf.count_only_rules.AWSManagedRulesBotControl = AWSManagedRulesBotControl: one of the ACL's managed groups"
        in message
    )


def test_platform_fills_alias_prefix_and_budget_filter_from_its_own_settings(tmp_path) -> None:
    cfg = load_with(tmp_path, "staging", {})
    derived = security_settings(cfg, "staging-eu")
    assert derived.alias_prefix == "quantumvest-staging-eu"
    assert derived.budget.cost_filter_tags == {"CostCenter": "quantumvest-staging"}
    explicit = load_with(tmp_path, "staging", {"security": {"alias_prefix": "qv-stg"}})
    assert security_settings(explicit, "staging").alias_prefix == "qv-stg"
