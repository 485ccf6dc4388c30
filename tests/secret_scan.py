"""Find generated secrets in plain text anywhere in a resource graph or its stack outputs.

A value is in plain text when the engine would store or show it unencrypted: a resource input not
marked secret, a resource output that is neither an ``additionalSecretOutputs`` key nor the output of a
secret input of the same name, a component's registered outputs, a stack output not marked secret, or
a resource's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from tools.harness import Graph

#: Types whose outputs are generated secrets, and the output holding the value.
GENERATED_SECRETS = {
    "random:index/randomPassword:RandomPassword": "result",
    "random:index/randomString:RandomString": "result",
}


def generated_secrets(graph: Graph) -> list[str]:
    """Every generated secret value in the graph (pulumi-random passwords and strings)."""
    return [
        str(r.outputs[key])
        for r in graph
        for rtype, key in GENERATED_SECRETS.items()
        if r.type == rtype and r.outputs.get(key)
    ]


def _leaves(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """``(path, text)`` for every string leaf, paths written as the harness records secret paths."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _leaves(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _leaves(child, f"{path}[{index}]")
    elif isinstance(value, str):
        yield path, value


def _covered(path: str, secret_paths: Iterable[str]) -> bool:
    """True when ``path`` or a property holding it is secret."""
    return any(path == s or path.startswith(f"{s}.") or path.startswith(f"{s}[") for s in secret_paths)


def _top(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def plaintext_leaks(graph: Graph, needles: Iterable[str]) -> list[str]:
    """Where any of ``needles`` appears unprotected: ``"<urn> inputs.<path>"`` and the like."""
    needles = [n for n in needles if n]
    found: list[str] = []

    def hit(text: str) -> bool:
        return any(n in text for n in needles)

    for r in graph:
        if hit(r.name):
            found.append(f"{r.urn} name")
        for path, text in _leaves(r.inputs, ""):
            if hit(text) and not _covered(path, r.secret_paths):
                found.append(f"{r.urn} inputs.{path}")
        secret_outputs = set(r.options.get("additional_secret_outputs", [])) | {
            _top(p) for p in r.secret_paths
        }
        for path, text in _leaves(r.outputs, ""):
            if hit(text) and _top(path) not in secret_outputs:
                found.append(f"{r.urn} outputs.{path}")
    for urn, outputs in graph.component_outputs.items():
        for path, text in _leaves(outputs, ""):
            if hit(text):
                found.append(f"{urn} registered outputs.{path}")
    for key, value in graph.outputs.items():
        if key in graph.secret_outputs:
            continue
        for path, text in _leaves(value, key):
            if hit(text):
                found.append(f"stack output {path}")
    return found
