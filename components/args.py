"""The base of every component's settings model, and the small validated types they share.

Settings are strict (``"3"`` is not an integer), frozen (a component cannot change what it was
given) and closed (an unknown key is a typo, and is rejected).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, PlainSerializer, PlainValidator, WithJsonSchema

#: Retention periods CloudWatch Logs accepts (PutRetentionPolicy ``retentionInDays``).
CLOUDWATCH_RETENTION_DAYS: tuple[int, ...] = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)


class FieldProblem(ValueError):
    """Raised by a validator to point at a key below the model being validated.

    ``subpath`` is appended to the key path pydantic reports, so a cross-field check on a section can
    still name the exact key and value at fault.
    """

    def __init__(self, subpath: str, value: Any, allowed: str):
        self.subpath = subpath
        self.value = value
        self.allowed = allowed
        super().__init__(f"{subpath} = {value!r}: {allowed}")


class Args(BaseModel):
    """Base for component settings: frozen, strict, unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def _to_ipv4_network(value: Any) -> Any:
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an IPv4 CIDR block written as a string, e.g. '10.0.0.0/16'")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as err:
        raise ValueError(
            f"not a valid IPv4 CIDR block ({err}); allowed: four octets 0-255, a prefix length 0-32 "
            "and no host bits set, e.g. '10.0.0.0/16'"
        ) from None


def _check_retention(days: int) -> int:
    if days not in CLOUDWATCH_RETENTION_DAYS:
        raise ValueError(
            f"CloudWatch Logs does not accept {days} days; allowed: "
            + ", ".join(str(d) for d in CLOUDWATCH_RETENTION_DAYS)
        )
    return days


#: An IPv4 CIDR block such as ``10.0.0.0/16``.
Cidr = Annotated[
    ipaddress.IPv4Network,
    PlainValidator(_to_ipv4_network),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "format": "ipv4-cidr"}),
]

#: A log retention period CloudWatch accepts.
RetentionDays = Annotated[int, AfterValidator(_check_retention)]

#: A CloudWatch log group class for groups the platform fills itself (PutLogEvents). INFREQUENT_ACCESS
#: ingests at half the price and keeps Logs Insights queries, but has no metric filters, subscription
#: filters or Live Tail; a group's class cannot change after it is created (a change replaces it).
LogGroupClass = Literal["STANDARD", "INFREQUENT_ACCESS"]
