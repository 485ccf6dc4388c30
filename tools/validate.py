"""``python -m tools validate STACK_FILE``: check a stack's configuration, nothing else.

For editors and pre-commit hooks: loads the stack file through the same loader the program uses
(schema defaults, tier profile, stack file; tier rules), without running the program. Prints one line
when valid; one line per problem (file, key path, value, what is allowed) and exit status 1 when not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import config
from config import ConfigError
from tools import cli


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands, "validate", run, help="validate stack configuration only (for editors and pre-commit)"
    )
    cli.add_stack(parser, dest="stack_files", nargs="+", configuration=False)


def run(args: argparse.Namespace) -> int:
    failed = False
    for stack_file in args.stack_files:
        path = cli.stack_path(stack_file)
        try:
            settings = config.load_stack_file(path)
        except ConfigError as err:
            failed = True
            for problem in err.problems:
                print(f"{err.source}: {problem}", file=sys.stderr)
            continue
        sections = sorted(name for name in type(settings).model_fields if name != "platform")
        print(
            f"{Path(path).name}: valid ({settings.platform.environment} tier, {settings.platform.region}; "
            f"sections: {', '.join(sections)})"
        )
    return 1 if failed else 0
