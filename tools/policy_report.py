"""A small command line for CI over the policy pack (the text itself is in :mod:`policy.text`).

``python -m tools policy-report dev staging prod`` evaluates each stack offline (every stack when none is
named), prints the findings and exits 1 if any is blocking (mandatory, determined, not excepted) or a
stack's configuration is rejected; 2 for an unknown stack or a bad argument, before anything is
evaluated. ``python -m tools policy-report --table`` prints the rule table docs/policy.md carries.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from policy.model import Finding
from policy.text import coverage_summary, format_findings, rule_table
from tools import cli

__all__ = ["coverage_summary", "format_findings", "main", "parser", "prepare", "register", "rule_table"]

EPILOG = "exit status: 0 no blocking finding, 1 a blocking finding or rejected configuration, 2 usage error"
HELP = "the guardrails over stacks (exit 1 on a blocking finding); --table: the rule table"


def evaluate_stack(path: str | Path, *, today: date | None = None) -> list[Finding]:
    """:func:`tools.policy_stack.evaluate_stack` (stack file -> graph -> findings)."""
    # late import: the loader and mock engine import the SDK; --help registers this command SDK-free
    from tools.policy_stack import evaluate_stack as evaluate

    return evaluate(path, today=today)


def _arguments(root: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Arguments of ``policy-report``, following the tools' convention (``tools/cli.py``): unknown
    stack or bad date: one line, exit 2; rejected configuration: exit 1, before evaluation."""
    cli.add_stack(root, dest="stacks", nargs="*")  # none: every stack of the repository
    root.set_defaults(func=run)
    root.add_argument("--today", type=cli.iso_date, help="judge expiry as of this date (YYYY-MM-DD)")
    root.add_argument("--table", action="store_true", help="print the rule table of docs/policy.md and exit")
    return root


def parser() -> argparse.ArgumentParser:
    """The command on its own (``main``), as ``python -m tools policy-report`` runs it."""
    return _arguments(
        cli.Parser(
            prog="python -m tools policy-report",
            description=__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            epilog=EPILOG,
        )
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``policy-report`` to ``python -m tools``."""
    _arguments(cli.add_command(commands, "policy-report", run, help=HELP))


def run(args: argparse.Namespace) -> int:
    if args.table:
        print(rule_table())
        return 0
    failed = False
    for stack in args.stacks or cli.known_stacks():
        findings = evaluate_stack(cli.stack_path(stack), today=args.today)
        print(format_findings(findings, stack))
        print(coverage_summary(findings, stack))
        failed = failed or any(f.blocking for f in findings)
    return 1 if failed else 0


def prepare(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and check ``argv`` without evaluating any stack (raises SystemExit 1/2 on a problem)."""
    return cli.prepare(parser(), argv)


def main(argv: list[str] | None = None) -> int:
    return cli.main(parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
