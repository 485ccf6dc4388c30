"""Check Helm values against the facts of the chart at its pinned version (``tools/data/charts/``).

Helm renders what its templates read and ignores every other key, so ``podDisruptionBudget.enable``
(for ``enabled``) installs a chart without the budget and without an error. :func:`check_values`
reports each key path the program sets that the chart at that version neither defines in its
``values.yaml`` nor reads in a template, and, when the chart publishes a ``values.schema.json``, each
schema violation (Helm would refuse the install, but only at ``pulumi up``). The facts are produced
from the chart's source by ``tools/refresh_chart_facts.py``; a pin without its facts file is a problem
too, so a version bump cannot skip the refresh.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema.validators

FACTS_DIR = Path(__file__).resolve().parent / "data" / "charts"


@dataclass(frozen=True)
class ChartFacts:
    """What one chart version defines, reads and validates (see tools/refresh_chart_facts.py)."""

    chart: str
    version: str
    known: frozenset[str]
    open: frozenset[str]
    subcharts: Mapping[str, tuple[str, str]]
    schema: dict[str, Any] | None
    source: Mapping[str, Any]


def facts_path(chart: str, version: str) -> Path:
    return FACTS_DIR / f"{chart}-{version}.json"


@cache
def load_facts(chart: str, version: str) -> ChartFacts | None:
    """The facts of ``chart`` at ``version``, or None when they were never extracted."""
    path = facts_path(chart, version)
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    return ChartFacts(
        chart=data["chart"],
        version=data["version"],
        known=frozenset(data["value_paths"]) | frozenset(data["template_paths"]),
        open=frozenset(data["open_paths"]),
        subcharts={k: (v["chart"], v["version"]) for k, v in data["subcharts"].items()},
        schema=data["schema"],
        source=data["source"],
    )


def set_paths(values: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every key path a values document sets: maps are descended, a list or scalar ends a path."""
    if not isinstance(values, Mapping):
        return
    for key, value in values.items():
        path = (*prefix, str(key))
        yield path
        yield from set_paths(value, path)


def _path_problem(facts: ChartFacts, path: tuple[str, ...]) -> str | None:
    dotted, head = ".".join(path), path[0]
    if dotted in facts.known:
        return None
    if any(".".join(path[:i]) in facts.open for i in range(1, len(path))):
        return None  # below a map the chart passes through whole
    if head in facts.subcharts and len(path) > 1:
        name, version = facts.subcharts[head]
        sub = load_facts(name, version)
        if sub is None:
            return (
                f"{dotted}: configures subchart {name} {version}, whose facts are missing "
                f"({facts_path(name, version).name}); run tools/refresh_chart_facts.py"
            )
        # A parent chart may also read keys under the subchart's section itself.
        problem = _path_problem(sub, path[1:])
        return None if problem is None else f"{head}.{problem}"
    if head == "global":
        return None  # shared with every subchart; each reads its own
    siblings = [k for k in facts.known if k.count(".") == dotted.count(".")]
    close = difflib.get_close_matches(dotted, siblings, n=1, cutoff=0.8)
    hint = f"; did you mean {close[0]}?" if close else ""
    return (
        f"{dotted}: not a value of {facts.chart} {facts.version} "
        f"(not in values.yaml, not read by a template){hint}"
    )


def check_values(chart: str, version: str, values: Mapping[str, Any]) -> list[str]:
    """Problems with ``values`` for ``chart`` at ``version``; empty when every key is the chart's own."""
    facts = load_facts(chart, version)
    if facts is None:
        return [
            f"{chart} {version}: no facts at {facts_path(chart, version)}; "
            "run tools/refresh_chart_facts.py for the new pin"
        ]
    problems: list[str] = []
    reported: set[tuple[str, ...]] = set()
    for path in set_paths(values):
        if any(path[:i] in reported for i in range(1, len(path))):
            continue  # a misspelt map: its children are not reported again
        problem = _path_problem(facts, path)
        if problem is not None:
            reported.add(path)
            problems.append(problem)
    if facts.schema is not None:
        validator_class = jsonschema.validators.validator_for(facts.schema)
        validator = validator_class(facts.schema)
        for error in sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.absolute_path))):
            where = ".".join(map(str, error.absolute_path)) or "(top level)"
            problems.append(f"{where}: {error.message} (values.schema.json of {chart} {version})")
    return problems
