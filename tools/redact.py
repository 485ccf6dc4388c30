"""Secret redaction for everything the tools write: plans, diffs, manifests.

Two sources say what is secret: each resource's ``secret_paths`` (inputs the program marked secret, as
the engine records them) and the graph's ``secret_outputs``. As a second line of defence, every string
that *contains* a known secret value anywhere in a document is replaced too, so a secret copied into
an unmarked input (a connection string, a rendered config file) never leaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tools.harness import Graph

REDACTED = "[secret]"

#: Secret values shorter than this are not searched for inside other strings (too many false hits).
_MIN_SCAN_LENGTH = 6
#: The shortest leaf of a structured secret treated as secret on its own.
_MIN_STRUCTURED_SECRET = 16

_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    return [int(index) if index else key for key, index in _PATH_TOKEN.findall(path)]


def _get(value: Any, tokens: list[str | int]) -> Any:
    for token in tokens:
        if isinstance(token, int) and isinstance(value, list) and token < len(value):
            value = value[token]
        elif isinstance(token, str) and isinstance(value, dict) and token in value:
            value = value.get(token)
        else:
            return None
    return value


def _leaves(value: Any) -> list[Any]:
    """The non-null scalars in nested mappings and lists (in no particular order; a loop, not a
    recursive generator: this walks every input of the graph)."""
    out: list[Any] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif item is not None:
            out.append(item)
    return out


def redact_paths(value: Any, paths: Iterable[str], keep_shape: bool = False) -> Any:
    """A copy of ``value`` with each secret path (``a.b[0].c``) replaced by :data:`REDACTED`.

    ``keep_shape`` replaces only the string/number leaves below a secret path, keeping mappings and
    lists (a Kubernetes Secret's ``stringData`` stays an object, so the manifest still validates).
    """
    trie: dict[Any, Any] = {}
    for path in paths:
        node = trie
        tokens = _tokens(path)
        if not tokens:
            return _blank(value) if keep_shape else REDACTED
        for token in tokens[:-1]:
            node = node.setdefault(token, {})
            if node is True:
                break
        else:
            node[tokens[-1]] = True
    return _apply(value, trie, _blank if keep_shape else (lambda _: REDACTED))


def _blank(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value if value is None or isinstance(value, bool) else REDACTED


def _apply(value: Any, trie: dict[Any, Any], hide: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            rule = trie.get(key)
            out[key] = hide(child) if rule is True else _apply(child, rule, hide) if rule else child
        return out
    if isinstance(value, list):
        out_list = []
        for index, child in enumerate(value):
            rule = trie.get(index)
            out_list.append(hide(child) if rule is True else _apply(child, rule, hide) if rule else child)
        return out_list
    return value


def secret_values(graph: Graph) -> set[str]:
    """Every secret value in the graph, as text: inputs at secret paths and secret stack outputs.

    A scalar secret counts whole. A *structured* secret (a kubeconfig marked secret as one object)
    contributes only the leaves that appear nowhere in the graph as plain values: its region, cluster
    name or ``get-token`` argument are public elsewhere, and redacting them would blank half the plan.
    """
    scalar: set[str] = set()
    structured: set[str] = set()

    def collect(value: Any) -> None:
        if isinstance(value, dict | list):
            structured.update(str(v) for v in _leaves(value))
        elif value is not None:
            scalar.add(str(value))

    for resource in graph:
        for path in resource.secret_paths:
            collect(_get(resource.inputs, _tokens(path)))
    for key in graph.secret_outputs:
        collect(graph.outputs.get(key))
    if structured:
        # Short words ("admin", "Config") would blank every string containing them; real secret leaves
        # (tokens, passwords, keys) are long.
        candidates = {v for v in structured if len(v) >= _MIN_STRUCTURED_SECRET}
        structured = candidates - _found_in_plain(graph, candidates)
    return {v for v in scalar | structured if v and v != REDACTED}


def _found_in_plain(graph: Graph, candidates: set[str]) -> set[str]:
    """Those of ``candidates`` that are a leaf of inputs or outputs not under a secret path, or of a
    public stack output."""
    found: set[str] = set()
    for resource in graph:
        secret_roots = {tokens[0] for tokens in map(_tokens, resource.secret_paths) if tokens}
        for source in (resource.inputs, resource.outputs):
            for key, value in source.items():
                if key not in secret_roots:
                    found.update(text for text in map(str, _leaves(value)) if text in candidates)
    for key, value in graph.outputs.items():
        if key not in graph.secret_outputs:
            found.update(text for text in map(str, _leaves(value)) if text in candidates)
    return found


def scrub(value: Any, secrets: set[str]) -> Any:
    """A copy of ``value`` with any string equal to, or containing, a secret value replaced."""
    long_secrets = sorted(s for s in secrets if len(s) >= _MIN_SCAN_LENGTH)
    # One search per string for all of them (a plan has tens of thousands of strings).
    contained = re.compile("|".join(map(re.escape, long_secrets))) if long_secrets else None
    return _scrub(value, secrets, contained)


def _scrub(value: Any, exact: set[str], contained: re.Pattern[str] | None) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v, exact, contained) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v, exact, contained) for v in value]
    if isinstance(value, str):
        if value in exact or (contained is not None and contained.search(value)):
            return REDACTED
        return value
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and len(str(value)) >= 4
        and str(value) in exact
    ):
        return REDACTED
    return value
