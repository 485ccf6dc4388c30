"""Answers to ``pulumi.StackReference`` under the mock engine: the referenced stack's own outputs.

A DR pair reads each other's outputs (components/dr.py). Offline, the harness answers a reference to
``<org>/<project>/<stack>`` with the outputs of ``Pulumi.<stack>.yaml``'s own mock run, so what one
stack reads is what the other exports (a name the other does not export fails the run, as
``require_output`` does against a real backend). The referenced stack is run *before* the stack that
reads it (the mock runtime runs one program at a time); its own references are answered from the
contract (:func:`contract_placeholders`), which ends the recursion of a pair that reads both ways.
Runs are remembered per process, keyed by the stack file's path, size and modification time: the last
full run of a stack (a plan, a test's graph) answers later references to it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from components.contract import STACK_OUTPUTS
from tools.harness.invokes import ACCOUNT_ID

STACK_REFERENCE = "pulumi:pulumi:StackReference"

_RUNS: dict[tuple[str, int, int], dict[str, Any]] = {}


def stack_of(reference: str) -> str:
    """The stack part of ``<org>/<project>/<stack>`` (or a bare stack name)."""
    return reference.rsplit("/", 1)[-1]


def _key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def remember(path: Path, outputs: dict[str, Any]) -> None:
    """Record a stack's outputs from a run, for references to it later in this process."""
    _RUNS[_key(path)] = outputs


def recalled(path: Path) -> dict[str, Any] | None:
    """The outputs of this stack file's last run in this process, if its file has not changed since."""
    return _RUNS.get(_key(path))


def contract_placeholders(stack: str, region: str) -> dict[str, Any]:
    """Every contract output with a value of its type, shaped like the real thing where a reader parses
    it (ARNs carry the region; a zone id is a Route 53 id). Used only to end the recursion of a pair."""
    digest = hashlib.sha256(stack.encode()).hexdigest()[:13].upper()
    values: dict[str, Any] = {}
    for name, spec in STACK_OUTPUTS.items():
        if spec.type is str:
            if name.endswith("Arn"):
                values[name] = f"arn:aws:placeholder:{region}:{ACCOUNT_ID}:{stack}/{name}"
            elif name == "dnsZoneId":
                values[name] = f"Z{digest}"
            else:
                values[name] = f"{stack}-{name}"
        else:
            values[name] = spec.type()
    return values


def reference_state(name: str, outputs: dict[str, Any]) -> dict[str, Any]:
    """The state a StackReference resolves to (``outputs`` and ``secretOutputNames``)."""
    return {"name": name, "outputs": outputs, "secretOutputNames": []}
