"""What a stack would create, grouped by component and type, from an offline run under the mock engine."""

from __future__ import annotations

from collections import Counter, defaultdict

from tools.harness import Graph


def summarize(graph: Graph) -> str:
    """A table of resource counts per component and type, then the stack outputs."""
    by_component: dict[str, Counter[str]] = defaultdict(Counter)
    for resource in graph:
        if resource.custom:
            by_component[graph.component_of(resource)][resource.type] += 1
    total = sum(sum(c.values()) for c in by_component.values())
    lines = [f"Stack {graph.stack}: {total} resources would be created"]
    for component in sorted(by_component):
        counts = by_component[component]
        lines.append(f"\n  {component} ({sum(counts.values())})")
        lines.extend(f"    {count:>3}  {type_token}" for type_token, count in sorted(counts.items()))
    lines.append("\n  Outputs")
    for key in sorted(graph.outputs):
        value = "[secret]" if key in graph.secret_outputs else graph.outputs[key]
        lines.append(f"    {key}: {value}")
    return "\n".join(lines)
