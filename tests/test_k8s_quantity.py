"""Kubernetes quantities: parsing and formatting (config compares requests, limits and quotas with them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.k8s_quantity import QuantityError, format_cpu, format_memory, parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Decimal("0.1")),
        ("1", Decimal(1)),
        ("1.5", Decimal("1.5")),
        ("256Mi", Decimal(256 * 2**20)),
        ("2Gi", Decimal(2 * 2**30)),
        ("1G", Decimal(10**9)),
        ("512k", Decimal(512_000)),
    ],
)
def test_parse(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "-1", "1.5.2", "100 m", "1gi", "Mi", "1e3", "abc"])
def test_rejects_what_is_not_a_quantity(text: str) -> None:
    with pytest.raises(QuantityError, match="Kubernetes quantity"):
        parse_quantity(text)


@given(st.integers(min_value=1, max_value=512_000))
def test_cpu_formats_and_parses_back(millicores: int) -> None:
    cores = Decimal(millicores) / 1000
    assert parse_quantity(format_cpu(cores)) == cores


@given(st.integers(min_value=1, max_value=4096), st.sampled_from(["Ki", "Mi", "Gi"]))
def test_memory_formats_whole_units_exactly(count: int, unit: str) -> None:
    size = parse_quantity(f"{count}{unit}")
    assert parse_quantity(format_memory(size)) == size


def test_memory_in_the_largest_readable_unit() -> None:
    assert format_memory(parse_quantity("1536Mi")) == "1.5Gi"
    assert format_memory(parse_quantity("640Mi")) == "640Mi"
