"""The offline side as one command line: ``python -m tools <command> ...``."""

from __future__ import annotations

import argparse
import sys

from config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="run a stack offline and print what it would create")
    summary.add_argument("stack", help="dev, staging, prod, or a path to a Pulumi.<stack>.yaml")
    rehearse = commands.add_parser(
        "rehearse", help="rehearse `pulumi up` of a stack against emulated AWS (moto)"
    )
    rehearse.add_argument("stack", help="dev, staging, prod, or a path to a Pulumi.<stack>.yaml")
    args = parser.parse_args(argv)
    try:
        if args.command == "summary":
            from tools.harness import run_stack
            from tools.summary import summarize

            print(summarize(run_stack(args.stack)))
        if args.command == "rehearse":
            from tools.rehearse.cli import main as rehearse_main

            return rehearse_main(args.stack)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
