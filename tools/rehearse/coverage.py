"""Which AWS types of a graph the rehearsal creates in moto, which it only validates, which it cannot."""

from __future__ import annotations

from dataclasses import dataclass

from tools.harness.graph import Graph
from tools.rehearse.handlers import CREATORS, VALIDATIONS


@dataclass(frozen=True)
class Coverage:
    created: list[str]
    validated: list[str]
    uncovered: list[str]


def coverage(graph: Graph) -> Coverage:
    """The split of the graph's AWS resource types (providers excluded)."""
    types = sorted({r.type for r in graph if r.custom and r.type.startswith("aws:")})
    return Coverage(
        created=[t for t in types if t in CREATORS],
        validated=[t for t in types if t not in CREATORS and t in VALIDATIONS],
        uncovered=[t for t in types if t not in CREATORS and t not in VALIDATIONS],
    )
