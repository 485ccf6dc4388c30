"""Which stacks exist, and running one offline with a progress line per component."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from tools.errors import ToolError
from tools.harness import Graph, Resource, run_stack
from tools.harness.paths import REPO_ROOT, stack_file

PLATFORM_TYPE = "quantumvest:platform:Platform"


def known_stacks(root: Path = REPO_ROOT) -> list[str]:
    """The stacks that have a ``Pulumi.<stack>.yaml`` in the repository root."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def resolve(stack: str) -> Path:
    """The stack file for a stack name or path, or a one-line error naming the stacks that exist."""
    path = stack_file(stack)
    if not path.is_file():
        if path.suffix in (".yaml", ".yml") and stack.endswith((".yaml", ".yml")):
            raise ToolError(f"{stack}: no such stack file")
        raise ToolError(f"unknown stack {stack!r}: no {path.name}; stacks here: {', '.join(known_stacks())}")
    return path


def progress_printer(label: str, stream=None) -> Callable[[Resource], None]:
    """A listener printing one line per component as the program registers it (to stderr)."""
    out = stream or sys.stderr

    def report(component: Resource) -> None:
        if component.type == PLATFORM_TYPE:
            return
        area = component.type.rsplit(":", 1)[-1]
        print(f"[{label}] {component.name} ({area})", file=out, flush=True)

    return report


def load(stack: str, label: str = "plan", quiet: bool = False) -> Graph:
    """Run a stack's program offline (config validated first) and return its resource graph."""
    path = resolve(stack)
    return run_stack(str(path), on_component=None if quiet else progress_printer(label))
