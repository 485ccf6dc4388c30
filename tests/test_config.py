"""The stack configuration: every stack file loads, layers apply in order, bad input is named clearly."""

from __future__ import annotations

import pytest

from config import ConfigError, load_stack_file
from config.loader import build
from tests.dr_region import OVERRIDES as DR_REGION
from tests.helpers import REPO, load_with, rejected, write_stack


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_stack_file_loads_with_its_tier(stack: str) -> None:
    cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    assert cfg.platform.environment == stack


def test_tier_profile_applies_then_stack_file_wins(tmp_path) -> None:
    # dev's profile sets two AZs and a NAT instance; the schema default is three AZs and a NAT per AZ.
    dev = load_stack_file(REPO / "Pulumi.dev.yaml")
    assert (dev.network.az_count, dev.network.nat_strategy) == (2, "instance")
    override = load_with(tmp_path, "dev", {"network": {"az_count": 3}})
    assert override.network.az_count == 3
    assert override.network.nat_strategy == "instance"  # untouched profile values survive the merge


def test_null_in_stack_file_restores_the_schema_default(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {"network": {"nat_strategy": None}})
    assert cfg.network.nat_strategy == "one_per_az"


def test_invalid_cidr_from_seed_003_names_file_key_value_and_rule(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"network": {"cidr": "10.0.300.0/24"}})
    assert message.startswith("Pulumi.dev.yaml: quantumvest-infra:network.cidr = 10.0.300.0/24: ")
    assert "not a valid IPv4 CIDR block" in message and "e.g. '10.0.0.0/16'" in message


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.0.0.0/29"])
def test_vpc_prefix_outside_16_to_28(tmp_path, cidr: str) -> None:
    message = rejected(tmp_path, "dev", {"network": {"cidr": cidr}})
    assert f"quantumvest-infra:network.cidr = {cidr}" in message
    assert "between /16 and /28" in message


def _explicit(public: list[str], private: list[str], database: list[str]) -> dict:
    return {
        "network": {
            "cidr": "10.10.0.0/16",
            "az_count": 2,
            "public_subnets": public,
            "private_subnets": private,
            "database_subnets": database,
        }
    }


def test_subnet_outside_the_vpc(tmp_path) -> None:
    message = rejected(
        tmp_path,
        "dev",
        _explicit(
            ["10.10.0.0/24", "10.10.1.0/24"],
            ["10.99.0.0/20", "10.10.16.0/20"],
            ["10.10.2.0/24", "10.10.3.0/24"],
        ),
    )
    assert (
        "quantumvest-infra:network.private_subnets[0] = 10.99.0.0/20: must lie inside the VPC 10.10.0.0/16"
        in message
    )


def test_overlapping_subnets(tmp_path) -> None:
    message = rejected(
        tmp_path,
        "dev",
        _explicit(
            ["10.10.0.0/24", "10.10.1.0/24"],
            ["10.10.16.0/20", "10.10.32.0/20"],
            ["10.10.1.128/25", "10.10.3.0/24"],
        ),
    )
    assert (
        "quantumvest-infra:network.database_subnets[0] = 10.10.1.128/25: overlaps public_subnets[1]"
        in message
    )


def test_explicit_subnets_are_used_as_given(tmp_path) -> None:
    cfg = load_with(
        tmp_path,
        "dev",
        _explicit(
            ["10.10.0.0/24", "10.10.1.0/24"],
            ["10.10.16.0/20", "10.10.32.0/20"],
            ["10.10.2.0/24", "10.10.3.0/24"],
        ),
    )
    assert [str(s) for s in cfg.network.subnet_layout()["private"]] == ["10.10.16.0/20", "10.10.32.0/20"]


def test_fewer_than_two_azs(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"network": {"az_count": 1}})
    assert "quantumvest-infra:network.az_count = 1: Input should be greater than or equal to 2" in message


def test_prod_needs_three_azs(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"network": {"az_count": 2}})
    assert (
        message
        == "Pulumi.prod.yaml: quantumvest-infra:network.az_count = 2: prod needs at least 3 availability zones"
    )


def test_unknown_key_suggests_the_right_one(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"network": {"nat_stratgy": "single"}})
    assert "quantumvest-infra:network.nat_stratgy: unknown key (did you mean 'nat_strategy'?)" in message
    assert "allowed keys here: az_count, cidr," in message


def test_unknown_section(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"netwrok": {"az_count": 2}})
    assert "quantumvest-infra:netwrok: unknown key (did you mean 'network'?)" in message


def test_wrong_type_is_not_coerced(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"network": {"az_count": "3"}})
    assert "quantumvest-infra:network.az_count = '3': Input should be a valid integer" in message


def test_wrong_choice_lists_the_allowed_values(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"network": {"nat_strategy": "two"}})
    assert "quantumvest-infra:network.nat_strategy = two" in message
    assert "'none', 'instance', 'single' or 'one_per_az'" in message


def test_missing_or_unknown_environment(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"platform": {"environment": "qa"}})
    assert (
        message
        == "Pulumi.dev.yaml: quantumvest-infra:platform.environment = qa: required; allowed: dev, staging, prod"
    )


@pytest.mark.parametrize("key", ["db_password", "apiToken", "webhook_secret", "private_key"])
def test_plaintext_secret_looking_value_is_rejected(tmp_path, key: str) -> None:
    message = rejected(tmp_path, "dev", {"platform": {"extra_tags": {key: "hunter2"}}})
    assert f"quantumvest-infra:platform.extra_tags.{key} = <7 characters of plain text>" in message
    assert "must be set as a Pulumi secret" in message
    assert "hunter2" not in message  # the error itself must not leak the value


def test_secure_value_is_accepted_and_stays_opaque(tmp_path) -> None:
    path = write_stack(tmp_path, "dev", {"platform": {"extra_tags": {"api_token": {"secure": "v1:abc"}}}})
    cfg = load_stack_file(path)
    assert "v1:abc" not in cfg.platform.extra_tags["api_token"]


def test_engine_marks_whole_section_secret() -> None:
    values = {
        "platform": {
            "environment": "dev",
            "domain": "dev.quantumvest.com",
            "extra_tags": {"api_token": "decrypted"},
        },
        "cluster_services": {"acme_email": "platform-team@quantumvest.com"},
    }
    with pytest.raises(ConfigError):
        build(values, "Pulumi.dev.yaml")
    assert (
        build(values, "Pulumi.dev.yaml", frozenset({"platform"})).platform.extra_tags["api_token"]
        == "decrypted"
    )


def test_aws_region_must_agree_with_platform_region(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"aws:region": "eu-west-1"})
    assert "quantumvest-infra:platform.region = us-east-1: differs from aws:region (eu-west-1)" in message


def test_reserved_tag_prefix(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"platform": {"extra_tags": {"aws:team": "x"}}})
    assert "quantumvest-infra:platform.extra_tags" in message and "not starting with 'aws:'" in message


def test_all_problems_reported_at_once(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"network": {"az_count": "x", "nat_strategy": "two"}})
    assert len(message.splitlines()) == 2


def test_missing_stack_file_and_bad_yaml(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"Pulumi.nope.yaml: no such stack file"):
        load_stack_file(tmp_path / "Pulumi.nope.yaml")
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text("config: [unclosed")
    with pytest.raises(ConfigError, match=r"Pulumi.bad.yaml: line 1, column \d+: not valid YAML"):
        load_stack_file(bad)


def test_database_has_no_dr_region_of_its_own(tmp_path) -> None:
    """The DR copy of the database is the DR stack's standby, not a replica prod makes (issue 21)."""
    message = rejected(tmp_path, "prod", {"database": {"dr_region": "us-west-2"}})
    assert "quantumvest-infra:database.dr_region: unknown key; allowed keys here: " in message


def test_dr_network_must_not_overlap_the_primary_vpc(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {**DR_REGION, "dr_network": {"cidr": "10.30.0.0/16"}})
    assert "quantumvest-infra:dr_network.cidr = 10.30.0.0/16: overlaps network.cidr (10.30.0.0/16)" in message


def test_platform_domain_is_set_once_and_feeds_dns_zone_and_ingress(tmp_path) -> None:
    cfg = load_with(tmp_path, "staging", {"platform": {"domain": "qa.example.org"}})
    assert (cfg.cluster_services.dns_zone, cfg.workloads.domain) == ("qa.example.org", "qa.example.org")
    kept = load_with(tmp_path, "staging", {"workloads": {"domain": "api.staging.quantumvest.com"}})
    assert kept.workloads.domain == "api.staging.quantumvest.com"  # an explicit value wins (inside the zone)


def test_ingress_domain_outside_the_dns_zone_is_rejected(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"workloads": {"domain": "example.org"}})
    assert (
        "quantumvest-infra:workloads.domain = example.org: must be dev.quantumvest.com or under it" in message
    )


def test_a_malformed_domain_is_rejected(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"platform": {"domain": "Not A Domain"}})
    assert "quantumvest-infra:platform.domain = Not A Domain" in message
