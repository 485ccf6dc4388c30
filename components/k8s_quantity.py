"""Kubernetes resource quantities (``100m``, ``1.5``, ``256Mi``, ``1G``) as exact numbers.

Pure functions, so config validation can compare a request with its limit, and a namespace quota with
what the services need at their autoscaling maximum, before anything is deployed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_QUANTITY = re.compile(
    r"^(?P<number>[0-9]+(\.[0-9]*)?|\.[0-9]+)(?P<suffix>m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"
)

_SUFFIX: dict[str, Decimal] = {
    "": Decimal(1),
    "m": Decimal("0.001"),
    "k": Decimal(10) ** 3,
    "M": Decimal(10) ** 6,
    "G": Decimal(10) ** 9,
    "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15,
    "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10,
    "Mi": Decimal(2) ** 20,
    "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40,
    "Pi": Decimal(2) ** 50,
    "Ei": Decimal(2) ** 60,
}

#: What a quantity may look like, for error messages.
QUANTITY_HELP = (
    "a Kubernetes quantity: a non-negative decimal number with an optional suffix "
    "(m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei), e.g. '250m', '0.5', '512Mi', '2Gi'"
)


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity this project accepts."""


def parse_quantity(text: str) -> Decimal:
    """The value of a quantity in base units (cores for CPU, bytes for memory)."""
    match = _QUANTITY.match(text) if isinstance(text, str) else None
    if match is None:
        raise QuantityError(f"not {QUANTITY_HELP}")
    try:
        number = Decimal(match["number"])
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        raise QuantityError(f"not {QUANTITY_HELP}") from None
    return number * _SUFFIX[match["suffix"] or ""]


def format_cpu(cores: Decimal) -> str:
    """Cores as Kubernetes writes them: whole cores plainly, otherwise millicores (``1500m``)."""
    if cores == cores.to_integral_value():
        return str(int(cores))
    return f"{int((cores * 1000).to_integral_value())}m"


def format_memory(size: Decimal) -> str:
    """Bytes in the largest binary unit that states them exactly in at most two decimals (``1.5Gi``)."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        value = size / _SUFFIX[suffix]
        if value >= 1 and value == value.quantize(Decimal("0.01")):
            return f"{value.normalize():f}{suffix}"
    return str(int(size))
