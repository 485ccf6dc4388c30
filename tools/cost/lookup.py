"""Price and usage lookups shared by the pricing rules: the rate of an instance or volume type, a usage
figure (recorded as missing when the usage file does not set it), storage quantities."""

from __future__ import annotations

import re
from typing import Any

from tools.cost.model import Context, CostItem, Priced, Unpriceable
from tools.harness import Resource


def get_path(value: Any, path: str, default: Any = None) -> Any:
    """``value["a"]["b"]`` for ``path`` ``"a.b"``; ``default`` when a step is missing or the value is None."""
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return default if value is None else value


def usage_value(ctx: Context, resource: Resource, key: str, priced: Priced) -> float | None:
    """The usage figure ``key`` for ``resource``; None (and recorded on ``priced`` as missing) when unset."""
    value = ctx.usage_for(resource).get(key)
    if value is None:
        priced.missing_usage.append(key)
        return None
    return float(value)


def hourly(ctx: Context, label: str, rate: float, count: float = 1) -> CostItem:
    """``count`` of something billed per hour, for the table's hours a month."""
    return CostItem(label, count * ctx.hours, "hours", rate)


def ebs_rate(ctx: Context, volume_type: str) -> float:
    """The GB-month rate of an EBS volume type; Unpriceable when the table has none."""
    rate = ctx.prices.rate("ebs_gb_month", volume_type)
    if rate is None:
        raise Unpriceable(f"no EBS price for volume type {volume_type!r}")
    return rate


def ec2_rate(ctx: Context, instance_type: str) -> float:
    """The on-demand hourly rate of an EC2 instance type; Unpriceable when the table has none."""
    rate = ctx.prices.rate("ec2_hourly", instance_type)
    if rate is None:
        raise Unpriceable(f"no EC2 price for instance type {instance_type!r} in the price table")
    return rate


_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)([KMGTPE]i?)?$")
_UNIT_GB = {None: 1e-9, "K": 1e-6, "M": 1e-3, "G": 1, "T": 1e3, "P": 1e6,
            "Ki": 2**10 / 2**30, "Mi": 2**20 / 2**30, "Gi": 1, "Ti": 2**10, "Pi": 2**20}  # fmt: skip


def storage_gb(quantity: Any) -> float:
    """A Kubernetes storage quantity (``20Gi``, ``500M``) in GB-months as EBS bills them (GiB = GB)."""
    match = _QUANTITY.match(str(quantity).strip())
    if not match or match.group(2) not in _UNIT_GB:
        raise Unpriceable(f"cannot read storage quantity {quantity!r}")
    return float(match.group(1)) * _UNIT_GB[match.group(2)]
