"""The ``cost`` command: arguments, the early usage-file check, and the run."""

from __future__ import annotations

import argparse

from tools import cli, stacks
from tools.activation import add_activate, stack_argument
from tools.cost.estimate import estimate
from tools.cost.report import format_report
from tools.pricing import load_usage


def check_usage(args: argparse.Namespace) -> None:
    """Read the usage file before the stack is evaluated (a typo in it fails in a second, not after 20)."""
    load_usage(args.usage, cli.stack_name(args.stack))


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(commands, "cost", run, help="monthly cost estimate per component (and resource)")
    cli.add_stack(parser)
    parser.add_argument(
        "--usage", type=cli.existing_file, help="usage file (default: cost-usage.yml in the repository root)"
    )
    parser.add_argument("--verbose", action="store_true", help="every resource with its price breakdown")
    add_activate(parser)
    cli.add_check(parser, check_usage)


def run(args: argparse.Namespace) -> int:
    graph = stacks.load(stack_argument(args), label="cost")
    report = estimate(graph, load_usage(args.usage, graph.stack))
    print(format_report(report, verbose=args.verbose))
    return 0
