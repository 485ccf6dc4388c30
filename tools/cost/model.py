"""Results of an estimate (items, lines, the report), the context a pricing rule reads, and the rule
registry: ``@prices("aws:...:Type", usage=(...))`` registers a rule with the usage keys it reads."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools.harness import Graph, Resource
from tools.pricing import PriceTable, Usage


@dataclass
class CostItem:
    """One priced quantity: e.g. 1,460 instance-hours at $0.225."""

    label: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Priced:
    """What a pricer found for one resource."""

    items: list[CostItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_usage: list[str] = field(default_factory=list)


class Unpriceable(Exception):
    """This resource has a cost the price table cannot express; the message says why."""


@dataclass
class CostLine:
    urn: str
    name: str
    type: str
    component: str
    items: list[CostItem]
    notes: list[str]
    missing_usage: list[str]

    @property
    def monthly(self) -> float:
        return round(sum(item.monthly for item in self.items), 2)


@dataclass
class NotPriced:
    urn: str
    name: str
    type: str
    component: str
    reason: str


@dataclass
class CostReport:
    stack: str
    currency: str
    region: str
    prices_dated: str
    usage_source: str
    lines: list[CostLine]
    not_priced: list[NotPriced]
    free: int

    @property
    def total(self) -> float:
        return round(sum(line.monthly for line in self.lines), 2)

    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.component] += line.monthly
        return {component: round(total, 2) for component, total in sorted(totals.items())}

    def missing_usage(self) -> list[tuple[CostLine, str]]:
        return [(line, key) for line in self.lines for key in line.missing_usage]

    def as_dict(self) -> dict[str, Any]:
        """The cost section of a plan file (rounded to cents, sorted)."""
        return {
            "currency": self.currency,
            "prices_region": self.region,
            "prices_dated": self.prices_dated,
            "usage_file": self.usage_source,
            "monthly_total": self.total,
            "by_component": self.by_component(),
            "resources": {line.urn: line.monthly for line in sorted(self.lines, key=lambda x: x.urn)},
            "missing_usage": sorted(f"{line.name}: {key}" for line, key in self.missing_usage()),
            "not_priced": [
                {"urn": n.urn, "type": n.type, "reason": n.reason}
                for n in sorted(self.not_priced, key=lambda x: x.urn)
            ],
        }


@dataclass
class Context:
    """What a pricer may read: the whole graph (to follow references), prices and usage."""

    graph: Graph
    prices: PriceTable
    usage: Usage
    hours: int

    def usage_for(self, resource: Resource) -> dict[str, Any]:
        return self.usage.for_resource(resource.type, resource.name)

    def find(self, type_token: str, value: Any) -> Resource | None:
        """The resource of ``type_token`` that ``value`` (an id, name, ARN or identifier) refers to."""
        if value in (None, ""):
            return None
        for candidate in self.graph.of_type(type_token):
            names = {candidate.id, candidate.urn, candidate.name}
            names.update(
                str(candidate.outputs.get(k))
                for k in ("id", "arn", "name", "identifier", "bucket")
                if candidate.outputs.get(k)
            )
            names.update(
                str(candidate.inputs.get(k)) for k in ("name", "identifier") if candidate.inputs.get(k)
            )
            meta = candidate.inputs.get("metadata")
            if isinstance(meta, dict) and meta.get("name"):
                names.add(str(meta["name"]))
            if value in names:
                return candidate
        return None


Pricer = Callable[[Resource, Context], Priced | None]


PRICERS: dict[str, Pricer] = {}


#: Usage keys each priced type reads from the usage file (anything else there is a typo: rejected).
USAGE_KEYS: dict[str, tuple[str, ...]] = {}


def prices(*type_tokens: str, usage: tuple[str, ...] = ()) -> Callable[[Pricer], Pricer]:
    """Register a pricer for one or more type tokens, with the usage keys it reads."""

    def register(fn: Pricer) -> Pricer:
        for token in type_tokens:
            PRICERS[token] = fn
            USAGE_KEYS[token] = usage
        return fn

    return register
