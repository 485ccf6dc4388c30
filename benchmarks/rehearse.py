"""Rehearsal timings: the median time to rehearse each stack against emulated AWS, the time per AWS
resource, and the created / validated-only split of each stack's AWS types.

Run: ``uv run python benchmarks/rehearse.py [--runs 3]`` (a script, not a test; it prints figures).
Each run opens a fresh emulated account; the first run of the process also pays moto's start-up.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.rehearse.coverage import coverage
from tools.rehearse.engine import emulated_account, rehearse_stack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("stacks", nargs="*", default=["dev", "staging", "prod"])
    args = parser.parse_args()
    print(
        f"{'stack':<8} {'median s':>9} {'min s':>7} {'AWS resources':>14} {'ms/resource':>12}  types created / validated"
    )
    for stack in args.stacks:
        times: list[float] = []
        for _ in range(args.runs):
            started = time.perf_counter()
            with emulated_account():
                result = rehearse_stack(stack)
            times.append(time.perf_counter() - started)
        resources = sum(result.report.created.values()) + sum(result.report.validated.values())
        split = coverage(result.graph)
        median = statistics.median(times)
        print(
            f"{stack:<8} {median:>9.1f} {min(times):>7.1f} {resources:>14} {1000 * median / resources:>12.1f}"
            f"  {len(split.created)} / {len(split.validated)}"
        )


if __name__ == "__main__":
    main()
