"""``python -m tools plan STACK``: what a stack would create, as a deterministic plan file and a summary.

The plan file is JSON: every resource (components included) with type, logical name, component,
parent, provider, dependencies, inputs and the options a reviewer cares about, plus stack outputs,
counts, the cost estimate, the deploy-time estimate and policy findings. It is *deterministic*: sorted
by URN with sorted keys, no generated ids (the offline harness derives everything from names), and
nothing from the machine: the deploy-time estimate uses the fixed
:data:`tools.deploy_time.PLAN_PARALLELISM`, not this machine's ``PULUMI_PARALLEL`` or CPU count (the
command prints the estimate for this machine separately). So two runs of the same commit give
byte-identical files wherever they run, and two commits give a meaningful ``diff``. Secret values are
redacted (see :mod:`tools.redact`).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tools import cli, cost, deploy_time, policy_check, stacks
from tools.activation import add_activate, stack_argument
from tools.errors import ToolError
from tools.harness import Graph, Resource
from tools.pricing import Usage, load_usage
from tools.redact import REDACTED, redact_paths, scrub, secret_values

#: Bump when the plan layout changes; ``diff`` refuses plans of another version.
FORMAT_VERSION = 1
DEFAULT_OUT = Path("out")

_OPTION_DEFAULTS: dict[str, Any] = {
    "protect": False,
    "retain_on_delete": False,
    "ignore_changes": [],
    "delete_before_replace": False,
    "replace_on_changes": [],
    "additional_secret_outputs": [],
    "aliases": [],
}


def _options(resource: Resource) -> dict[str, Any]:
    """The options that differ from the engine's defaults, lists sorted."""
    out: dict[str, Any] = {}
    for key, default in _OPTION_DEFAULTS.items():
        value = resource.options.get(key, default)
        if value != default:
            out[key] = sorted(value, key=json.dumps) if isinstance(value, list) else value
    return out


def resource_entry(graph: Graph, resource: Resource) -> dict[str, Any]:
    """One resource as the plan records it (secrets at its secret paths redacted)."""
    return {
        "urn": resource.urn,
        "type": resource.type,
        "name": resource.name,
        "custom": resource.custom,
        "component": graph.component_of(resource),
        "parent": resource.parent,
        "provider": resource.provider,
        "dependencies": sorted(graph.depends_on(resource)),
        # Which input refers to which resource: the diff cascades a replacement along these.
        "property_dependencies": {
            key: sorted(urns) for key, urns in sorted(resource.property_dependencies.items()) if urns
        },
        "inputs": redact_paths(resource.inputs, resource.secret_paths),
        "secret_paths": sorted(resource.secret_paths),
        "options": _options(resource),
    }


def counts(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Custom resources per component and type."""
    by_component: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in resources:
        if entry["custom"]:
            by_component[entry["component"]][entry["type"]] += 1
    return {
        "resources": sum(sum(c.values()) for c in by_component.values()),
        "by_component": {name: dict(sorted(c.items())) for name, c in sorted(by_component.items())},
    }


def build_plan(
    graph: Graph,
    usage: Usage | None = None,
    parallelism: int | None = None,
    with_estimates: bool = True,
    deploy_shape: deploy_time.Shape | None = None,
) -> dict[str, Any]:
    """The plan document for ``graph`` (cost, deploy time and policy included unless told otherwise;
    ``deploy_shape``: the graph's :func:`tools.deploy_time.shape`, if the caller has it already)."""
    resources = [resource_entry(graph, r) for r in sorted(graph, key=lambda r: r.urn)]
    outputs = {k: (REDACTED if k in graph.secret_outputs else v) for k, v in sorted(graph.outputs.items())}
    plan: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "project": "quantumvest-infra",
        "stack": graph.stack,
        "summary": counts(resources),
        "resources": resources,
        "outputs": outputs,
        "secret_outputs": sorted(graph.secret_outputs),
    }
    if with_estimates:
        plan["cost"] = cost.estimate(graph, usage).as_dict()
        slots = parallelism or deploy_time.PLAN_PARALLELISM  # never this machine's: plans must compare
        plan["deploy_time"] = deploy_time.estimate(graph, slots, deploy_shape).as_dict()
        status, found = policy_check.findings(graph)
        plan["policy"] = {"status": status, "findings": [f.as_dict() for f in found]}
    return scrub(plan, secret_values(graph))


def dumps(plan: dict[str, Any]) -> str:
    """The canonical text of a plan: sorted keys, two-space indent, trailing newline."""
    return json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write_plan(plan: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(plan))


def load_plan(path: Path) -> dict[str, Any]:
    """A plan file written by this version of the tools, or a one-line error."""
    try:
        plan = json.loads(path.read_text())
    except FileNotFoundError:
        raise ToolError(f"{path}: no such plan file") from None
    except ValueError as err:
        raise ToolError(f"{path}: not a plan file (invalid JSON: {err})") from None
    if not isinstance(plan, dict) or "format_version" not in plan:
        raise ToolError(f"{path}: not a plan file (no format_version)")
    if plan["format_version"] != FORMAT_VERSION:
        raise ToolError(
            f"{path}: plan format version {plan['format_version']}, this version of the tools reads "
            f"version {FORMAT_VERSION}; re-create it with `python -m tools plan`"
        )
    return plan


def summary(plan: dict[str, Any], out: Path | None = None, verbose: bool = False) -> str:
    """What ``plan`` prints: counts per component, cost, deploy time and policy in a screenful; with
    ``verbose`` also the types per component, the outputs, what is not priced and every finding."""
    stats = plan["summary"]
    where = f" -> {out}" if out else ""
    components = stats["by_component"]
    lines = [f"Stack {plan['stack']}: {stats['resources']} resources in {len(components)} components{where}"]
    money = plan.get("cost", {}).get("by_component", {})
    rows = []
    for component, types in components.items():
        subtotal = f"{cost.money(money.get(component, 0.0))}/month" if "cost" in plan else ""
        rows.append((component, str(sum(types.values())), subtotal))
        if verbose:
            rows.extend(("", f"{count}", f"  {type_token}") for type_token, count in types.items())
    lines.extend(cli.table(rows, right=(1,) if verbose else (1, 2)))
    if verbose:
        lines.append("\n  Outputs")
        lines.extend(f"    {key}: {value}" for key, value in plan["outputs"].items())
    else:
        lines.append(f"  Outputs: {len(plan['outputs'])} (--verbose lists them)")
    if "cost" in plan:
        lines.extend(_cost_lines(plan["cost"], verbose))
    if "deploy_time" in plan:
        d = plan["deploy_time"]
        chain = " -> ".join(step["name"] for step in d["critical_chain"])
        lines.append(
            f"  Deploy time from scratch: {d['estimate_minutes']} min (range {d['range_minutes'][0]}-"
            f"{d['range_minutes'][1]}, lower bound {d['lower_bound_minutes']}, {d['parallelism']} at once)"
        )
        lines.append(f"    critical chain: {chain}")
    if "policy" in plan:
        lines.extend(_policy_lines(plan["policy"], verbose))
    return "\n".join(lines)


def _cost_lines(c: dict[str, Any], verbose: bool) -> list[str]:
    lines = [
        f"\n  Monthly cost: {cost.money(c['monthly_total'])} {c['currency']} "
        f"({c['prices_region']} prices dated {c['prices_dated']}; usage: {c['usage_file']})"
    ]
    if c["missing_usage"]:
        lines.append(f"    usage not set for {len(c['missing_usage'])}: {', '.join(c['missing_usage'])}")
    if verbose:
        lines.extend(
            f"    not priced: {item['urn'].rsplit('::', 1)[-1]} ({item['type']}): {item['reason']}"
            for item in c["not_priced"]
        )
    elif c["not_priced"]:
        lines.append(
            f"    not priced: {len(c['not_priced'])} resources (--verbose lists them with the reason)"
        )
    return lines


def _policy_lines(p: dict[str, Any], verbose: bool) -> list[str]:
    found = p["findings"]
    lines = [
        f"  Policy: {p['status']}"
        + (f", {len(found)} findings" if p["status"] != policy_check.NOT_PRESENT else "")
    ]
    # A blocking finding is always shown; the excepted and advisory ones with --verbose.
    shown = found if verbose else [f for f in found if f["level"] == "mandatory"]
    lines.extend(f"    [{f['level']}] {f['rule']}: {f['resource']}: {f['message']}" for f in shown)
    if len(shown) < len(found):
        lines.append(f"    {len(found) - len(shown)} advisory or excepted (--verbose lists them)")
    return lines


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands, "plan", run, help="run a stack offline, write a deterministic plan file, print a summary"
    )
    cli.add_stack(parser)
    parser.add_argument(
        "--out", type=cli.output_file, help="plan file to write (default: out/plan-<stack>.json)"
    )
    parser.add_argument(
        "--usage", type=cli.existing_file, help="usage file for the cost estimate (default: cost-usage.yml)"
    )
    parser.add_argument(
        "--parallel",
        type=cli.whole_number(1, cli.MAX_PARALLEL),
        help="also print the deploy-time estimate with this many operations at once (default: this "
        "machine's, PULUMI_PARALLEL or 4 x CPUs); the plan file always uses the fixed plan parallelism",
    )
    parser.add_argument("--verbose", action="store_true", help="types, outputs, unpriced and every finding")
    add_activate(parser)
    cli.add_check(parser, cost.check_usage)
    alias = cli.add_command(
        commands, "summary", run_summary, help="what `plan` prints, without writing a plan file"
    )
    cli.add_stack(alias)
    alias.add_argument("--verbose", action="store_true", help="types, outputs, unpriced and every finding")


def run(args: argparse.Namespace) -> int:
    graph = stacks.load(stack_argument(args), label="plan")
    shaped = deploy_time.shape(graph)  # once, for the plan's estimate and this machine's
    plan = build_plan(graph, load_usage(args.usage, graph.stack), deploy_shape=shaped)
    out = args.out or DEFAULT_OUT / f"plan-{graph.stack}.json"
    write_plan(plan, out)
    print(summary(plan, out, args.verbose))
    here = args.parallel or deploy_time.default_parallelism()
    if here != plan["deploy_time"]["parallelism"]:
        local = deploy_time.estimate(graph, here, shaped)
        print(
            f"    on this machine ({here} at once; not in the plan file): {local.minutes:.1f} min "
            f"(lower bound {local.lower_bound:.1f})"
        )
    return 0


def run_summary(args: argparse.Namespace) -> int:
    graph = stacks.load(args.stack, label="summary")
    print(summary(build_plan(graph, load_usage(None, graph.stack)), verbose=args.verbose))
    return 0
