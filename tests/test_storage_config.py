"""The storage section: tier defaults, and bad input named by file, key path, value and rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.lifecycle import ALLOWED_NEXT, DAYS_IN_CLASS, MIN_DAYS, Transition, transition_problems
from config import load_stack_file
from tests.dr_region import OVERRIDES as DR_REGION
from tests.helpers import REPO, load_with, rejected


@pytest.mark.parametrize(
    ("stack", "protect", "replicated", "price_class"),
    [
        ("dev", False, [], "PriceClass_100"),
        ("staging", False, [], "PriceClass_100"),
        ("prod", True, [], "PriceClass_All"),  # AWS Backup copies into the standby's vault instead
    ],
)
def test_tier_defaults(stack: str, protect: bool, replicated: list[str], price_class: str) -> None:
    storage = load_stack_file(REPO / f"Pulumi.{stack}.yaml").storage
    assert set(storage.buckets) == {"assets", "backups", "logs", "model-artifacts"}
    assert storage.bucket_prefix == f"quantumvest-{stack}-"
    assert (storage.protect, storage.replicated_roles(), storage.cdn.price_class) == (
        protect,
        replicated,
        price_class,
    )


def test_a_stack_file_changes_one_key_of_one_bucket_and_keeps_the_rest(tmp_path) -> None:
    storage = load_with(
        tmp_path, "prod", {"storage": {"buckets": {"logs": {"lifecycle": {"expiration_days": 731}}}}}
    ).storage
    assert storage.buckets["logs"].lifecycle.expiration_days == 731
    assert [t.days for t in storage.buckets["logs"].lifecycle.transitions] == [
        30,
        90,
    ]  # from the prod profile
    assert storage.buckets["backups"].replicate_to_dr is False  # prod-dr holds the cross-region copy
    dropped = load_with(tmp_path, "dev", {"storage": {"buckets": {"model-artifacts": None}}}).storage
    assert set(dropped.buckets) == {"assets", "backups", "logs"}


PREFIX = "Pulumi.{stack}.yaml: quantumvest-infra:storage."


@pytest.mark.parametrize(
    ("stack", "overrides", "line"),
    [
        # A bucket name S3 would reject.
        (
            "dev",
            {"bucket_prefix": "QuantumVest_"},
            "bucket_prefix = QuantumVest_: S3 bucket names use lowercase letters, digits and hyphens",
        ),
        (
            "dev",
            {"bucket_prefix": "xn--qv-"},
            "bucket_prefix = xn--qv-: S3 reserves bucket names starting with xn--",
        ),
        (
            "dev",
            {"bucket_prefix": "quantumvest-development-"},
            "bucket_prefix = quantumvest-development-: with role 'model-artifacts' the name prefix "
            "'quantumvest-development-model-artifacts-' is 40 characters; S3 names are at most 63",
        ),
        (
            "dev",
            {"buckets": {"Exports_2": {}}},
            "buckets.Exports_2 = Exports_2: a bucket role is lowercase letters, digits and hyphens",
        ),
        # Lifecycle transitions S3 would refuse.
        (
            "dev",
            {
                "buckets": {
                    "backups": {"lifecycle": {"transitions": [{"days": 10, "storage_class": "STANDARD_IA"}]}}
                }
            },
            "buckets.backups.lifecycle.transitions[0].days = 10: S3 moves objects to STANDARD_IA only at 30 days "
            "after creation or later",
        ),
        (
            "prod",
            {
                "buckets": {
                    "backups": {
                        "lifecycle": {
                            "transitions": [
                                {"days": 30, "storage_class": "STANDARD_IA"},
                                {"days": 45, "storage_class": "GLACIER"},
                            ],
                        }
                    }
                }
            },
            "buckets.backups.lifecycle.transitions[1].days = 45: must be at least 60 (30 days after the STANDARD_IA "
            "transition on day 30); S3 requires objects to stay 30 days in STANDARD_IA before moving on",
        ),
        (
            "prod",
            {
                "buckets": {
                    "backups": {
                        "lifecycle": {
                            "transitions": [
                                {"days": 0, "storage_class": "GLACIER"},
                                {"days": 60, "storage_class": "STANDARD_IA"},
                            ]
                        }
                    }
                }
            },
            "buckets.backups.lifecycle.transitions[1].storage_class = STANDARD_IA: S3 cannot transition from "
            "GLACIER to STANDARD_IA; from GLACIER it allows: DEEP_ARCHIVE",
        ),
        (
            "prod",
            {"buckets": {"backups": {"lifecycle": {"expiration_days": 100}}}},
            "buckets.backups.lifecycle.expiration_days = 100: must be later than the last transition (day 180)",
        ),
        (
            "staging",
            {
                "buckets": {
                    "assets": {
                        "lifecycle": {"noncurrent_transitions": [{"days": 7, "storage_class": "ONEZONE_IA"}]}
                    }
                }
            },
            "buckets.assets.lifecycle.noncurrent_transitions[0].days = 7: S3 moves objects to ONEZONE_IA only at 30 "
            "days noncurrent or later",
        ),
        # The public names: a DNS name, in the stack's zone, hosts that are labels.
        ("dev", {"dns": {"domain": "Quantum Vest"}}, "dns.domain = Quantum Vest: a lowercase DNS name"),
        (
            "dev",
            {"dns": {"domain": "example.com"}},
            "dns.domain = example.com: must be dev.quantumvest.com or under it: certificates are validated "
            "through the records of that zone",
        ),
        ("dev", {"dns": {"cdn_host": "Assets"}}, "dns.cdn_host = Assets: one DNS label"),
        (
            "dev",
            {"dns": {"regional_hosts": ["api", "assets"]}},
            "dns.regional_hosts = [api, assets]: hosts must be distinct (and not the cdn_host)",
        ),
        # Wiring inside the section.
        (
            "dev",
            {"buckets": {"assets": None}},
            "cdn.origin_bucket = assets: must name one of the buckets (backups, logs, model-artifacts)",
        ),
        (
            "dev",
            {"buckets": {"logs": {"replicate_to_dr": True}}},
            "buckets.logs.replicate_to_dr = true: the access-log bucket is not replicated",
        ),
        (
            "dev",
            {"efs": {"performance_mode": "maxIO"}},
            "efs.performance_mode = maxIO: Elastic throughput requires 'generalPurpose'",
        ),
        # Tier rules.
        ("prod", {"protect": False}, "protect = false: prod keeps buckets and the file system protected"),
    ],
)
def test_bad_storage_input_is_named(tmp_path, stack: str, overrides: dict, line: str) -> None:
    message = rejected(tmp_path, stack, {"storage": overrides})
    assert PREFIX.format(stack=stack) + line in message


def test_the_public_names_take_the_platform_domain(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {})
    assert (cfg.dns.domain, cfg.storage.dns.domain) == ("dev.quantumvest.com", "dev.quantumvest.com")
    assert (cfg.storage.dns.regional_hosts, cfg.storage.dns.cdn_host) == (["api", "www"], "assets")


# --- the lifecycle checks against S3's documented rules ---------------------------------------------

CLASSES = sorted(ALLOWED_NEXT)


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=400), st.sampled_from(CLASSES)), min_size=1, max_size=4
    ),
    st.booleans(),
)
def test_accepted_transitions_obey_every_s3_rule(steps: list[tuple[int, str]], noncurrent: bool) -> None:
    transitions = [Transition(days=days, storage_class=cls) for days, cls in steps]
    if transition_problems(transitions, "transitions", noncurrent):
        return
    for index, step in enumerate(transitions):
        assert step.days >= MIN_DAYS.get(step.storage_class, 0)
        if index:
            before = transitions[index - 1]
            assert step.storage_class in ALLOWED_NEXT[before.storage_class]
            assert step.days >= before.days + DAYS_IN_CLASS.get(before.storage_class, 1)


@pytest.mark.parametrize(
    "chain",
    [
        # Examples from the S3 user guide and common practice, all accepted by S3.
        [(30, "STANDARD_IA"), (60, "GLACIER")],
        [(0, "INTELLIGENT_TIERING")],
        [(0, "GLACIER_IR"), (90, "DEEP_ARCHIVE")],
        [(30, "STANDARD_IA"), (60, "ONEZONE_IA"), (90, "GLACIER"), (180, "DEEP_ARCHIVE")],
        [(1, "GLACIER"), (2, "DEEP_ARCHIVE")],
    ],
)
def test_valid_s3_lifecycles_are_accepted(chain: list[tuple[int, str]]) -> None:
    transitions = [Transition(days=days, storage_class=cls) for days, cls in chain]
    assert transition_problems(transitions, "transitions", noncurrent=False) == []


def test_prod_without_a_standby_replicates_its_backups(tmp_path) -> None:
    overrides = {**DR_REGION, "storage": {"buckets": {"backups": {"replicate_to_dr": False}}}}
    message = rejected(tmp_path, "prod", overrides)
    assert (
        "quantumvest-infra:storage.buckets.backups.replicate_to_dr = false: prod replicates the backups bucket "
        "to the DR region" in message
    )
