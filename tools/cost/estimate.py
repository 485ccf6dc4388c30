"""The estimate: every resource of a graph priced by its type's rule, free, or listed as not priced."""

from __future__ import annotations

from tools.cost import rules  # noqa: F401  (registers the pricing rules)
from tools.cost.free import is_free
from tools.cost.model import PRICERS, USAGE_KEYS, Context, CostLine, CostReport, NotPriced, Unpriceable
from tools.errors import ToolError
from tools.harness import Graph, Resource
from tools.pricing import PriceTable, Usage


def region_of(graph: Graph, resource: Resource) -> str | None:
    region = resource.inputs.get("region")
    if isinstance(region, str) and region:
        return region
    provider = graph.provider_of(resource)
    if provider is not None and isinstance(provider.inputs.get("region"), str):
        return provider.inputs["region"]
    return None


def check_usage_keys(usage: Usage, graph: Graph) -> None:
    """Reject usage keys the pricer of that type does not read (a typo would silently count zero)."""
    for type_token, values in usage.type_defaults.items():
        allowed = USAGE_KEYS.get(type_token)
        if allowed is None:
            continue
        for key in values:
            if key not in allowed:
                raise ToolError(
                    f"{usage.source}: resource_type_default_usage.{type_token}.{key}: unknown usage key; "
                    f"allowed: {', '.join(allowed) or '(none: this type is not usage-based)'}"
                )
    by_name = {r.name: r for r in graph if r.custom}
    for name, values in usage.by_name.items():
        resource = by_name.get(name)
        if resource is None:
            continue  # usage for a resource another stack has
        allowed = USAGE_KEYS.get(resource.type, ())
        for key in values:
            if key not in allowed:
                raise ToolError(
                    f"{usage.source}: resource_usage.{name}.{key}: unknown usage key for {resource.type}; "
                    f"allowed: {', '.join(allowed) or '(none: this type is not usage-based)'}"
                )


def estimate(graph: Graph, usage: Usage | None = None, prices_table: PriceTable | None = None) -> CostReport:
    """Price every resource of ``graph``; unpriceable ones are listed with the reason."""
    table = prices_table or PriceTable()
    usage = usage if usage is not None else Usage(source="(no usage file)")
    check_usage_keys(usage, graph)
    ctx = Context(graph=graph, prices=table, usage=usage, hours=table.hours)
    lines: list[CostLine] = []
    not_priced: list[NotPriced] = []
    free = 0
    for resource in sorted(graph, key=lambda r: r.urn):
        component = graph.component_of(resource)
        pricer = PRICERS.get(resource.type)
        if pricer is None:
            if is_free(resource):
                free += resource.custom
            else:
                not_priced.append(
                    NotPriced(
                        resource.urn, resource.name, resource.type, component, "no pricing rule for this type"
                    )
                )
            continue
        try:
            priced = pricer(resource, ctx)
        except Unpriceable as why:
            not_priced.append(NotPriced(resource.urn, resource.name, resource.type, component, str(why)))
            continue
        if priced is None:
            free += 1
            continue
        region = region_of(graph, resource)
        if region and region != table.region:
            priced.notes.append(f"in {region}: priced at {table.region} rates")
        lines.append(
            CostLine(
                resource.urn,
                resource.name,
                resource.type,
                component,
                priced.items,
                priced.notes,
                priced.missing_usage,
            )
        )
    return CostReport(
        stack=graph.stack,
        currency=table.currency,
        region=table.region,
        prices_dated=table.dated,
        usage_source=usage.source,
        lines=lines,
        not_priced=not_priced,
        free=free,
    )
