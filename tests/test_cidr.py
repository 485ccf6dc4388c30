"""Property tests of the derived subnet layout: inside the VPC, disjoint, one per AZ per tier."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.cidr import AWS_MIN_SUBNET_PREFIX, TIERS, CidrLayoutError, derive_subnets, first_overlap

vpcs = st.builds(
    lambda addr, prefix: ipaddress.IPv4Network((addr, prefix), strict=False),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=16, max_value=26),
)


@given(vpc=vpcs, az_count=st.integers(min_value=1, max_value=6))
def test_layout_is_inside_disjoint_and_one_per_az(vpc: ipaddress.IPv4Network, az_count: int) -> None:
    try:
        layout = derive_subnets(vpc, az_count)
    except CidrLayoutError:
        # Only a VPC too small for the per-tier split may be refused.
        assert vpc.prefixlen + 2 + (az_count - 1).bit_length() > AWS_MIN_SUBNET_PREFIX
        return
    assert set(layout) == set(TIERS)
    everything = []
    for tier in TIERS:
        assert len(layout[tier]) == az_count
        for subnet in layout[tier]:
            assert subnet.subnet_of(vpc)
            assert subnet.prefixlen <= AWS_MIN_SUBNET_PREFIX
            everything.append((tier, subnet))
    assert first_overlap(everything) is None


@given(vpc=vpcs, az_count=st.integers(min_value=1, max_value=6))
def test_private_tier_is_never_smaller_than_the_others(vpc: ipaddress.IPv4Network, az_count: int) -> None:
    try:
        layout = derive_subnets(vpc, az_count)
    except CidrLayoutError:
        return
    assert layout["private"][0].num_addresses >= layout["public"][0].num_addresses


def test_known_layout_for_a_slash_16_over_three_azs() -> None:
    layout = derive_subnets("10.0.0.0/16", 3)
    assert [str(s) for s in layout["private"]] == ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]
    assert [str(s) for s in layout["public"]] == ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"]
    assert [str(s) for s in layout["database"]] == ["10.0.192.0/20", "10.0.208.0/20", "10.0.224.0/20"]


def test_too_small_vpc_is_refused_with_the_reason() -> None:
    with pytest.raises(CidrLayoutError, match="too small for 6 AZs"):
        derive_subnets("10.0.0.0/25", 6)


def test_first_overlap_names_both_sides() -> None:
    nets = [("a", ipaddress.IPv4Network("10.0.0.0/24")), ("b", ipaddress.IPv4Network("10.0.0.128/25"))]
    assert first_overlap(nets) == ("a", "b")
