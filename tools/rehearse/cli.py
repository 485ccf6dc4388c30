"""``python -m tools rehearse STACK``: ``pulumi up`` rehearsed against emulated AWS, nothing to set up."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

import config
from tools import cli
from tools.activation import activated_stack_file
from tools.cli import stack_path
from tools.harness import Graph, run_stack
from tools.harness.graph import COMPONENT_PREFIX, Resource
from tools.rehearse.account import ACCOUNT_ID

if TYPE_CHECKING:
    from tools.rehearse.engine import Rehearsal

_PRINT = threading.Lock()  # registrations arrive on several threads


def progress_line(record: Resource) -> str | None:
    """The line printed as a component is registered (None for a plain resource)."""
    if record.type.startswith(COMPONENT_PREFIX):
        return f"  ▸ {record.name} ({record.type.rsplit(':', 1)[1]})"
    return None


def _progress(record: Resource) -> None:
    line = progress_line(record)
    if line is not None:
        with _PRINT:
            print(line, flush=True)


def header(stack: str) -> str:
    return f"Rehearsing {stack} in emulated AWS (moto, in process, account {ACCOUNT_ID})"


def report_lines(rehearsal: Rehearsal, elapsed: float) -> list[str]:
    """What the command prints after a clean rehearsal; call it while the emulated account exists
    (the inventory is queried back from it)."""
    report = rehearsal.report
    created, validated = sum(report.created.values()), sum(report.validated.values())
    lines = [
        "",
        f"Done in {elapsed:.1f} s: {created} resources of {len(report.created)} types created in moto, "
        f"{validated} of {len(report.validated)} types validated against the AWS API model only",
    ]
    if report.validated:
        lines.append("  validated only: " + ", ".join(sorted(report.validated)))
    lines += ["", "What exists in the emulated account (queried back through the AWS APIs):"]
    # late import: boto3 clients, only when a rehearsal has run (keeps `python -m tools --help` fast)
    from tools.rehearse.inventory import inventory

    return lines + inventory(rehearsal.regions)


def main(stack: str) -> int:
    """Rehearse ``stack``; print what exists afterwards, or one line per AWS error. Returns the exit code."""
    # late import: moto and the SDK (~4 s), only when rehearsing; the other commands of `python -m tools` stay fast
    from tools.rehearse.engine import RehearsalError, emulated_account, rehearse_stack

    print(header(stack), flush=True)
    started = time.perf_counter()
    with emulated_account():
        try:
            rehearsal = rehearse_stack(stack, progress=_progress)
        except RehearsalError as err:
            for error in err.errors:
                print(f"error: {error.line()}", file=sys.stderr)
            return 1
        print("\n".join(report_lines(rehearsal, time.perf_counter() - started)))
        if config.load_stack_file(stack_path(stack)).dr.role == "standby":
            return _activation(stack, rehearsal.graph, rehearsal.references)
    return 0


def _activation(stack: str, idle: Graph, references: dict[str, dict[str, Any]]) -> int:
    """The standby's activation applied to the emulated account as the update it is."""
    # late import: moto and the SDK, only when rehearsing (see main)
    from tools.rehearse.activation import ActivationError, rehearse_activation

    print(f"\nActivating {stack} (dr.active: true) as an update of the emulated account:", flush=True)
    planned_idle = run_stack(stack, references=references)
    active = run_stack(str(activated_stack_file(stack)), references=references)
    try:
        lines = rehearse_activation(idle, planned_idle, active)
    except ActivationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print("\n".join(f"  {line}" for line in lines))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands,
        "rehearse",
        lambda args: main(args.stack),
        help="rehearse `pulumi up` of a stack against emulated AWS (moto, in process); a DR standby after "
        "its primary, then its activation as an update",
    )
    cli.add_stack(parser)
