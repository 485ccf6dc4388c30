"""How long does the offline evaluation of a stack take, what do the tools add to it, and how does it
grow? (a script, not a test; see docs/benchmarks.md)

    uv run python benchmarks/evaluate.py [--repeat 5] [--stacks dev staging prod] [--tools-stack prod]
                                         [--no-growth]

For each stack it measures, each in a fresh Python process, median of ``--repeat`` runs:

- **evaluate**: import the program and run it under the mock engine (what every tool and test does);
- **import floor**: import exactly the SDK modules that run loaded (pulumi, pulumi_aws submodules,
  pulumi_kubernetes...), nothing else. No evaluation can be faster than this;
- **program**: the difference, i.e. what the program, the config loader and the harness cost.

Then the tools against their targets (issue 21), each the median of ``--repeat`` fresh processes,
timed from outside (interpreter start included), for ``--tools-stack``:

- **plan**: ``python -m tools plan STACK --out FILE``, the whole command; its ratio to the stack's
  *evaluate* figure is what policy, cost, deploy time, redaction and writing the file add (target
  <= 1.1). The plan runs alternate with the evaluate runs, so that a busy machine slows both alike;
- **validate**: ``python -m tools validate STACK`` (target <= 0.5 s);
- **diff**: ``python -m tools diff PLAN PLAN`` on the plan file just written (target <= 0.5 s);

and which Pulumi SDK modules ``validate`` and ``diff`` import (``-X importtime``; there should be none).

Then how evaluation grows with the size of the platform: 1, 10 and 50 services, and 1, 5 and 20 node
groups, by cloning the first entry of the config section that holds them (``workloads.services``;
``cluster.node_groups``) in a temporary copy of the dev stack file; warm runs in this process. A
dimension whose section does not exist in this checkout is skipped with a message.
"""

from __future__ import annotations

import argparse
import copy
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from config import load_stack_file  # noqa: E402 (needs the repository on sys.path)
from tools.harness import run_stack  # noqa: E402

#: Scaling dimensions: (label, dotted path of the config key holding the entries, sizes).
DIMENSIONS = (
    ("services", "workloads.services", (1, 10, 50)),
    ("node groups", "cluster.node_groups", (1, 5, 20)),
)

_EVALUATE = """
import json, sys, time
start = time.perf_counter()
from tools.harness import run_stack
graph = run_stack({stack!r})
elapsed = time.perf_counter() - start
modules = sorted(m for m in sys.modules if m.split(".")[0] in ("pulumi", "pulumi_aws", "pulumi_kubernetes", "pulumi_random", "pulumi_tls", "grpc", "google"))
print(json.dumps({{"seconds": elapsed, "resources": sum(1 for r in graph if r.custom), "modules": modules}}))
"""

_FLOOR = """
import importlib, json, sys, time
modules = json.loads(sys.stdin.read())
start = time.perf_counter()
for name in modules:
    try:
        importlib.import_module(name)
    except Exception:
        pass
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def _python(code: str, stdin: str = "") -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, input=stdin, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


#: Targets of issue 21: plan at most this many times the evaluation; validate and diff at most this long.
PLAN_RATIO_TARGET = 1.1
READER_SECONDS_TARGET = 0.5
#: Top-level packages of the Pulumi SDK (and what only it brings in).
SDK_PACKAGES = (
    "pulumi",
    "pulumi_aws",
    "pulumi_kubernetes",
    "pulumi_random",
    "pulumi_tls",
    "pulumi_policy",
    "grpc",
)


def _timed(command: list[str]) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system) of a fresh process, and its stdout; fails if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, result.stdout


def _tool(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``python -m tools ARGV``."""
    wall, cpu, _ = _timed([sys.executable, "-m", "tools", *argv])
    return wall, cpu


def _median(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)


def sdk_modules_imported(argv: list[str]) -> list[str]:
    """The Pulumi SDK modules ``python -m tools ARGV`` imports (from ``-X importtime``)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tools", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    names = (line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line)
    return sorted({n for n in names if n.split(".")[0] in SDK_PACKAGES})


def measure_tools(stack: str, repeat: int, directory: Path) -> dict[str, Any]:
    """evaluate and plan of ``stack`` alternately, then validate and diff; medians of ``repeat``."""
    plan_file = directory / f"plan-{stack}.json"
    evaluate, plan = [], []
    for _ in range(repeat):
        _, cpu, out = _timed([sys.executable, "-c", _EVALUATE.format(stack=stack)])
        evaluate.append((json.loads(out.strip().splitlines()[-1])["seconds"], cpu))
        plan.append(_tool(["plan", stack, "--out", str(plan_file)]))
    validate_argv = ["validate", stack]
    diff_argv = ["diff", str(plan_file), str(plan_file)]
    return {
        "evaluate": _median(evaluate),
        "plan": _median(plan),
        "validate": _median([_tool(validate_argv) for _ in range(repeat)]),
        "diff": _median([_tool(diff_argv) for _ in range(repeat)]),
        "sdk": {"validate": sdk_modules_imported(validate_argv), "diff": sdk_modules_imported(diff_argv)},
    }


def tools_report(stack: str, figures: dict[str, Any]) -> tuple[list[str], bool]:
    """The lines printed for :func:`measure_tools` and whether every target is met."""

    def verdict(ok: bool) -> str:
        return "pass" if ok else "FAIL"

    (plan, plan_cpu), (evaluate, evaluate_cpu) = figures["plan"], figures["evaluate"]
    ratio = plan / evaluate
    checks = [
        (
            f"plan {stack}",
            plan,
            ratio <= PLAN_RATIO_TARGET,
            f"{ratio:.2f} x evaluate ({evaluate:.2f} s); target <= {PLAN_RATIO_TARGET}; CPU "
            f"{plan_cpu:.2f} s, {plan_cpu / evaluate_cpu:.2f} x the evaluation process's {evaluate_cpu:.2f} s",
        ),
        *(
            (
                name,
                figures[key][0],
                figures[key][0] <= READER_SECONDS_TARGET,
                f"target <= {READER_SECONDS_TARGET} s; CPU {figures[key][1]:.2f} s",
            )
            for name, key in ((f"validate {stack}", "validate"), ("diff PLAN PLAN", "diff"))
        ),
    ]
    lines = [f"  {name:<17} {seconds:>6.2f} s  {verdict(ok)}  {note}" for name, seconds, ok, note in checks]
    for command, modules in figures["sdk"].items():
        packages = sorted({m.split(".")[0] for m in modules})
        shown = f"{', '.join(packages)} ({len(modules)} modules)" if modules else "none"
        lines.append(f"  {command} imports the Pulumi SDK: {verdict(not modules)}  {shown}")
    passed = all(ok for _, _, ok, _ in checks) and not any(figures["sdk"].values())
    return lines, passed


def measure_stack(stack: str, repeat: int) -> dict[str, Any]:
    runs = [_python(_EVALUATE.format(stack=stack)) for _ in range(repeat)]
    modules = runs[0]["modules"]
    floors = [_python(_FLOOR, json.dumps(modules))["seconds"] for _ in range(repeat)]
    evaluate = statistics.median(r["seconds"] for r in runs)
    floor = statistics.median(floors)
    return {
        "stack": stack,
        "resources": runs[0]["resources"],
        "evaluate": evaluate,
        "floor": floor,
        "program": evaluate - floor,
        "modules": len(modules),
    }


def _get(mapping: dict[str, Any], dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(mapping, dict) or key not in mapping:
            return None
        mapping = mapping[key]
    return mapping


def _replicate(entries: Any, count: int) -> Any:
    """``count`` entries made from the first one: dict keys / ``name`` fields suffixed ``-<i>``."""
    if isinstance(entries, dict) and entries:
        first_key, first = next(iter(entries.items()))
        return {(first_key if i == 0 else f"{first_key}-{i}"): copy.deepcopy(first) for i in range(count)}
    if isinstance(entries, list) and entries:
        out = []
        for i in range(count):
            item = copy.deepcopy(entries[0])
            if isinstance(item, dict) and "name" in item and i:
                if "image" in item:  # a clone runs the original's image, without its own routes
                    item["image"] = {
                        **item["image"],
                        "ecr_repository": item["image"].get("ecr_repository") or item["name"],
                    }
                    item["ingress"] = []
                    item["cors_allow_origins"] = []
                item["name"] = f"{item['name']}-{i}"
            out.append(item)
        return out
    return None


def scaled_stack_file(directory: Path, dotted: str, count: int) -> Path | None:
    """A copy of Pulumi.dev.yaml whose ``dotted`` section holds ``count`` entries (None if impossible)."""
    settings = load_stack_file(REPO / "Pulumi.dev.yaml").model_dump(mode="json")
    section, _, key = dotted.partition(".")
    current = _get(settings, dotted)
    scaled = _replicate(current, count)
    if scaled is None:
        return None
    document = yaml.safe_load((REPO / "Pulumi.dev.yaml").read_text())
    config_key = f"quantumvest-infra:{section}"
    value = copy.deepcopy(document["config"].get(config_key) or {})
    if key:
        value[key] = scaled
    else:
        value = scaled
    if dotted == "workloads.services":  # room in the namespace's quota for the clones
        value["quota"] = {
            "requests_cpu": "400",
            "requests_memory": "800Gi",
            "limits_cpu": "1000",
            "limits_memory": "2000Gi",
            "pods": 2000,
        }
    document["config"][config_key] = value
    path = directory / "Pulumi.dev.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def measure_growth(repeat: int) -> list[str]:
    lines = []
    run_stack(str(REPO / "Pulumi.dev.yaml"))  # warm the imports once
    for label, dotted, sizes in DIMENSIONS:
        with tempfile.TemporaryDirectory() as tmp:
            if scaled_stack_file(Path(tmp), dotted, sizes[0]) is None:
                lines.append(
                    f"  {label}: skipped: no non-empty `{dotted}` section in this checkout's dev settings "
                    "(a stack file without that section)"
                )
                continue
            for size in sizes:
                path = scaled_stack_file(Path(tmp), dotted, size)
                assert path is not None
                times = []
                for _ in range(repeat):
                    start = time.perf_counter()
                    graph = run_stack(str(path))
                    times.append(time.perf_counter() - start)
                resources = sum(1 for r in graph if r.custom)
                lines.append(
                    f"  {label:>11} = {size:>3}: {statistics.median(times):6.2f} s  ({resources} resources)"
                )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (median reported)")
    parser.add_argument("--stacks", nargs="+", default=["dev", "staging", "prod"])
    parser.add_argument("--tools-stack", default="prod", help="the stack plan and validate run on")
    parser.add_argument("--no-growth", action="store_true", help="skip how evaluation grows")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, median of {args.repeat} fresh processes per figure\n")
    print(f"  {'stack':<8} {'resources':>9} {'evaluate':>9} {'import floor':>13} {'program':>8}  SDK modules")
    for stack in args.stacks:
        row = measure_stack(stack, args.repeat)
        print(
            f"  {row['stack']:<8} {row['resources']:>9} {row['evaluate']:>8.2f}s {row['floor']:>12.2f}s "
            f"{row['program']:>7.2f}s  {row['modules']}"
        )
    print(f"\nThe tools (median of {args.repeat} fresh processes, interpreter start included):")
    with tempfile.TemporaryDirectory() as tmp:
        lines, passed = tools_report(
            args.tools_stack, measure_tools(args.tools_stack, args.repeat, Path(tmp))
        )
    print("\n".join(lines))
    if not args.no_growth:
        print("\nGrowth (warm, in one process, dev stack):")
        for line in measure_growth(args.repeat):
            print(line)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
