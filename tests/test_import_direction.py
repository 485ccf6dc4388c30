"""One direction of imports: components ← config ← tools, and components ← policy ← tools.

* ``components`` (the wheel) imports nothing of the project outside itself;
* ``config`` imports ``components`` (their settings models) and nothing above;
* ``policy`` reads a resource graph: it imports ``components`` (the guardrail settings, secret-key
  patterns) and never ``config`` or ``tools``. The one exception is ``policy/__main__.py``, the
  CrossGuard entry point nothing imports, which wires :func:`tools.policy_stack.pack_context` (the
  stack file → :class:`policy.pack.PackContext`) into the pack;
* ``tools`` (and the programs: ``__main__.py``, ``bootstrap/``, ``benchmarks/``, and ``tests/``) may import
  anything.

Every import counts, wherever it is written (module level, inside a function, under
``TYPE_CHECKING``, ``importlib.import_module("…")``), and an import of a project module inside a
function is refused anywhere unless a ``# late import: <why>`` comment on or just above it says why no
other way exists: a late import is how a cycle hides.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.guardrails import RULE_IDS, UNEXCEPTABLE
from policy.rules import RULES
from tests.helpers import REPO

PROJECT = frozenset({"components", "config", "policy", "tools", "bootstrap", "benchmarks", "tests"})

#: What each layer may import of the project (its own package always).
ALLOWED: dict[str, frozenset[str]] = {
    "components": frozenset({"components"}),
    "config": frozenset({"components", "config"}),
    "policy": frozenset({"components", "policy"}),
    "bootstrap": frozenset({"components", "bootstrap"}),
}
#: Single modules allowed one import beyond their layer, and why.
COMPOSITION_ROOTS: dict[str, frozenset[str]] = {
    # The CrossGuard entry point: nothing imports it; it hands the pack the stack under preview.
    "policy/__main__.py": frozenset({"tools.policy_stack"}),
}
LATE_MARKER = "# late import:"
SCANNED = ("components", "config", "policy", "tools", "bootstrap", "benchmarks", "tests", "__main__.py")


@dataclass(frozen=True)
class Import:
    module: str
    line: int
    late: bool


def _imports(relpath: str, source: str) -> list[Import]:
    """Every project import in ``source`` (a file at ``relpath``), relative ones resolved."""
    package = relpath.split("/")[:-1]  # the package a relative import starts from
    found: list[Import] = []

    def visit(node: ast.AST, late: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = late or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parent = package[: len(package) - (child.level - 1)]
                    base = ".".join([*parent, *([base] if base else [])])
                # `from tools import harness` names tools.harness; `from tools.harness import Graph`, tools.harness
                names = [f"{base}.{a.name}" for a in child.names] if "." not in base else [base]
            elif (
                isinstance(child, ast.Call)
                and (
                    (isinstance(child.func, ast.Attribute) and child.func.attr == "import_module")
                    or (isinstance(child.func, ast.Name) and child.func.id in ("import_module", "__import__"))
                )
                and child.args
                and isinstance(child.args[0], ast.Constant)
                and isinstance(child.args[0].value, str)
            ):
                names = [child.args[0].value]
            for name in names:
                if name.split(".")[0] in PROJECT:
                    found.append(Import(name, child.lineno, late))
            visit(child, inner)

    visit(ast.parse(source), False)
    return found


def violations(relpath: str, source: str) -> list[str]:
    """What is wrong with the imports of ``source``, one line each (empty: nothing)."""
    layer = relpath.split("/")[0] if "/" in relpath else ""
    lines = source.splitlines()
    problems = []
    for imp in _imports(relpath, source):
        top = imp.module.split(".")[0]
        allowed = ALLOWED.get(layer)
        extra = COMPOSITION_ROOTS.get(relpath, frozenset())
        if top == "tests" and layer != "tests":
            problems.append(f"{relpath}:{imp.line}: imports {imp.module} (shipped code never imports tests)")
        elif allowed is not None and top not in allowed and imp.module not in extra:
            problems.append(
                f"{relpath}:{imp.line}: {layer} imports {imp.module} (allowed: {', '.join(sorted(allowed))})"
            )
        if imp.late:
            around = [line for line in lines[max(0, imp.line - 2) : imp.line] if LATE_MARKER in line]
            reason = around[-1].split(LATE_MARKER, 1)[1].strip() if around else ""
            if not reason:
                problems.append(
                    f"{relpath}:{imp.line}: imports {imp.module} inside a function "
                    f"(import it at the top, or say why not with '{LATE_MARKER} <why>')"
                )
    return problems


def _project_files() -> list[Path]:
    files: list[Path] = []
    for entry in SCANNED:
        path = REPO / entry
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return files


def test_every_import_goes_one_way_and_none_hides_in_a_function() -> None:
    problems = [
        problem
        for path in _project_files()
        for problem in violations(path.relative_to(REPO).as_posix(), path.read_text())
    ]
    assert problems == []


def test_the_scan_sees_every_layer() -> None:
    layers = {p.relative_to(REPO).parts[0] for p in _project_files()}
    assert {"components", "config", "policy", "tools", "__main__.py"} <= layers
    assert len(_project_files()) > 150


@pytest.mark.parametrize(
    ("relpath", "source", "expected"),
    [
        (
            "policy/rules/s3.py",
            "def check(r):\n    from tools import harness\n    return harness\n",
            [
                "policy/rules/s3.py:2: policy imports tools.harness (allowed: components, policy)",
                "policy/rules/s3.py:2: imports tools.harness inside a function",
            ],
        ),
        (
            "policy/rules/s3.py",
            "from tools.harness import Graph\n",
            ["policy/rules/s3.py:1: policy imports tools.harness (allowed: components, policy)"],
        ),
        (
            "policy/pack.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from config.loader import StackConfig\n",
            ["policy/pack.py:3: policy imports config.loader (allowed: components, policy)"],
        ),
        (
            "config/loader.py",
            "def build():\n    from config.rules import aws_values\n",
            ["config/loader.py:2: imports config.rules inside a function"],
        ),
        (
            "config/loader.py",
            "from policy.rules import RULES\n",
            ["config/loader.py:1: config imports policy.rules (allowed: components, config)"],
        ),
        (
            "components/network.py",
            "from ..config import load_stack_file\n",
            ["components/network.py:1: components imports config.load_stack_file (allowed: components)"],
        ),
        (
            "components/network.py",
            "import importlib\nSEED = importlib.import_module('config.seed_services')\n",
            ["components/network.py:2: components imports config.seed_services (allowed: components)"],
        ),
        (
            "policy/__main__.py",
            "from tools.policy_stack import pack_context\nfrom tools.harness import run_stack\n",
            ["policy/__main__.py:2: policy imports tools.harness (allowed: components, policy)"],
        ),
        (
            "tools/plan.py",
            "def run():\n    # late import: \n    from tools import stacks\n",
            ["tools/plan.py:3: imports tools.stacks inside a function"],
        ),
    ],
)
def test_the_check_refuses_each_wrong_import(relpath: str, source: str, expected: list[str]) -> None:
    assert [p.split(" (import it")[0] for p in violations(relpath, source)] == expected


def test_the_check_accepts_a_late_import_that_says_why_and_the_allowed_directions() -> None:
    source = (
        "from components.args import Args\nfrom . import model\n"
        "def f():\n    # late import: the analyzer server must not start at import time\n"
        "    from policy import pack\n"
    )
    assert violations("policy/view.py", source) == []
    assert violations("tools/x.py", "from config import build\nfrom policy import evaluate\n") == []


def test_the_guardrail_ids_a_stack_may_except_are_the_rules_the_pack_runs() -> None:
    """``config`` validates exception rule ids without importing ``policy``, from this list."""
    ids = {r.id for r in RULES}
    assert set(RULE_IDS) == ids, (
        "update components/guardrails.py RULE_IDS: "
        f"missing {sorted(ids - set(RULE_IDS))}, stale {sorted(set(RULE_IDS) - ids)}"
    )
    assert ids >= UNEXCEPTABLE
