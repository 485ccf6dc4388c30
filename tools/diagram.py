"""``python -m tools graph STACK``: the components of a stack and their wiring, as a diagram.

A component is drawn once; an arrow ``A --> B`` means resources of B wait for resources of A (B reads
A's outputs, depends on it explicitly, or uses a provider A created: the Kubernetes provider built
from the cluster's kubeconfig). The label lists the types B reads from A. Works from a plan
document, so ``diff`` can draw the components a change touches with the same code.

Mermaid text by default (GitHub renders it in Markdown); with graphviz installed, ``--format svg`` or
``png`` renders the same graph with ``dot``.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tools import cli, stacks
from tools.errors import ToolError
from tools.plan import build_plan

ROOT_COMPONENTS = {"(stack)"}
PLATFORM_TYPE = "quantumvest:platform:Platform"


def _short_type(type_token: str) -> str:
    """``aws:ec2/subnet:Subnet`` -> ``Subnet``; ``pulumi:providers:kubernetes`` -> ``kubernetes provider``."""
    if type_token.startswith("pulumi:providers:"):
        return f"{type_token.rsplit(':', 1)[-1]} provider"
    return type_token.rsplit(":", 1)[-1]


def components(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each component: its type token and its number of custom resources."""
    found: dict[str, dict[str, Any]] = {}
    for entry in plan["resources"]:
        if not entry["custom"] and entry["name"] == entry["component"]:
            found[entry["component"]] = {"type": entry["type"], "resources": 0}
    for entry in plan["resources"]:
        if entry["custom"]:
            found.setdefault(entry["component"], {"type": "", "resources": 0})["resources"] += 1
    return found


def edges(plan: dict[str, Any]) -> dict[tuple[str, str], Counter[str]]:
    """``(from, to) -> types of `from` that `to` waits for``, between different components."""
    by_urn = {entry["urn"]: entry for entry in plan["resources"]}
    wiring: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for entry in plan["resources"]:
        if not entry["custom"]:
            continue
        sources = list(entry["dependencies"]) + ([entry["provider"]] if entry.get("provider") else [])
        for urn in sources:
            source = by_urn.get(urn)
            if source is None or source["component"] == entry["component"]:
                continue
            if source["type"] == PLATFORM_TYPE or (source["type"].startswith("pulumi:providers:aws")):
                continue  # every AWS resource uses the platform's provider: not wiring between areas
            wiring[(source["component"], entry["component"])][_short_type(source["type"])] += 1
    return dict(sorted(wiring.items()))


def _count(resources: int) -> str:
    return f"{resources} resource{'' if resources == 1 else 's'}"


def _node_id(name: str) -> str:
    return "c_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _label(types: Counter[str], limit: int = 3) -> str:
    parts = [f"{t} x{n}" if n > 1 else t for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))]
    return ", ".join(parts[:limit]) + (f", +{len(parts) - limit}" if len(parts) > limit else "")


def mermaid(
    plan: dict[str, Any],
    only: set[str] | None = None,
    styles: dict[str, str] | None = None,
) -> str:
    """A Mermaid flowchart of the components (``only`` those, if given) and the wiring between them.

    ``styles`` maps a component to a class: ``added``, ``removed``, ``changed``, ``replaced`` (the diff
    uses them) or ``context``.
    """
    nodes = components(plan)
    if only is not None:
        nodes = {k: v for k, v in nodes.items() if k in only}
    for name in only or ():
        nodes.setdefault(name, {"type": "", "resources": 0})
    lines = ["flowchart LR"]
    for name, info in sorted(nodes.items()):
        kind = _short_type(info["type"]) if info["type"] else ""
        detail = f"{kind} · {_count(info['resources'])}" if kind else _count(info["resources"])
        lines.append(f'  {_node_id(name)}["{name}<br/>{detail}"]')
    for (source, target), types in edges(plan).items():
        if source in nodes and target in nodes:
            lines.append(f'  {_node_id(source)} -->|"{_label(types)}"| {_node_id(target)}')
    palette = {
        "added": "fill:#dafbe1,stroke:#1a7f37",
        "removed": "fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4",
        "changed": "fill:#fff8c5,stroke:#9a6700",
        "replaced": "fill:#ffebe9,stroke:#cf222e,stroke-width:3px",
        "context": "fill:#f6f8fa,stroke:#8c959f,color:#57606a",
    }
    used = sorted(set((styles or {}).values()))
    for style in used:
        lines.append(f"  classDef {style} {palette[style]}")
    for name, style in sorted((styles or {}).items()):
        if name in nodes:
            lines.append(f"  class {_node_id(name)} {style}")
    return "\n".join(lines)


def dot(plan: dict[str, Any]) -> str:
    """The same graph in graphviz DOT."""
    lines = [
        "digraph components {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled", fillcolor="#f6f8fa"];',
    ]
    for name, info in sorted(components(plan).items()):
        kind = _short_type(info["type"]) if info["type"] else ""
        lines.append(f'  {_node_id(name)} [label="{name}\\n{kind} · {_count(info["resources"])}"];')
    for (source, target), types in edges(plan).items():
        lines.append(f'  {_node_id(source)} -> {_node_id(target)} [label="{_label(types)}"];')
    lines.append("}")
    return "\n".join(lines)


def render_image(plan: dict[str, Any], fmt: str, out: Path) -> None:
    """Render with graphviz's ``dot``; a one-line error when it is not installed."""
    binary = shutil.which("dot")
    if binary is None:
        raise ToolError(
            f"--format {fmt} needs graphviz's `dot` on PATH (apt-get install graphviz); use --format mermaid"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([binary, f"-T{fmt}", "-o", str(out)], input=dot(plan), text=True, check=True)


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands, "graph", run, help="diagram of components and their wiring (Mermaid; SVG/PNG with graphviz)"
    )
    cli.add_stack(parser)
    parser.add_argument("--format", choices=("mermaid", "dot", "svg", "png"), default="mermaid")
    parser.add_argument(
        "--out",
        type=cli.output_file,
        help="write to this file (default for svg/png: out/graph-<stack>.<format>)",
    )
    cli.add_check(parser, _check_graphviz)


def _check_graphviz(args: argparse.Namespace) -> None:
    """SVG and PNG need graphviz's ``dot``: refused before the stack is evaluated."""
    if args.format in ("svg", "png"):
        cli.needs_program(
            "dot",
            f"--format {args.format} needs graphviz's `dot` on PATH (apt-get install graphviz); "
            "use --format mermaid or --format dot",
        )


def run(args: argparse.Namespace) -> int:
    plan = build_plan(stacks.load(args.stack, label="graph"), with_estimates=False)
    if args.format in ("svg", "png"):
        out = args.out or Path("out") / f"graph-{plan['stack']}.{args.format}"
        render_image(plan, args.format, out)
        print(out)
        return 0
    text = mermaid(plan) if args.format == "mermaid" else dot(plan)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
        print(args.out)
    else:
        print(text)
    return 0
