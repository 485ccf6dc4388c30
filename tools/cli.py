"""The command-line convention of ``python -m tools …`` (``policy-report`` included).

Exit status:

====  ==========================================================================================
0     done; every check passed
1     a check failed: the stack's configuration is rejected, a policy finding blocks, a manifest
      fails its schema, a plan file cannot be read, writing an output failed
2     usage error: unknown stack, bad option value, an input file that does not exist, an output
      path that cannot be one, a format this machine cannot produce — decided before anything runs
====  ==========================================================================================

Every error is one line on stderr (``error: …``), never a traceback. Arguments are checked in two
steps before a command evaluates anything: argparse ``type=`` functions (this module) and the
command's *checks* (functions of the parsed arguments, run by :func:`prepare`). A stack argument's
check loads and validates the stack file (one line per problem, exit 1), so a command fails on bad
configuration in well under a second instead of after the evaluation. :func:`prepare` is what the
tests (and the fuzz test) drive: it parses and validates and never runs a command.

A new command adopts all of this in two lines of its ``register``::

    def register(commands):
        parser = cli.add_command(commands, "trace", run, help="follow a request through the stack")
        cli.add_stack(parser)                      # STACK: listed stacks, exit 2; config checked, exit 1
        parser.add_argument("host", nargs="?")     # its own arguments, with cli.* types where they fit

and ``run(args) -> int`` returns 0 or 1 (or raises :class:`~tools.errors.ToolError` /
``config.ConfigError`` for exit 1).
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from config import ConfigError
from tools.errors import ToolError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

REPO_ROOT = Path(__file__).resolve().parents[1]

#: Pulumi's ``--parallel`` is a 32-bit integer; old pulumi/actions releases passed its maximum.
MAX_PARALLEL = 2**31 - 1

Check = Callable[[argparse.Namespace], None]


class UsageError(Exception):
    """The command line is wrong (exit 2); the message is one line."""


class Parser(argparse.ArgumentParser):
    """argparse with the convention: an argument error is one line (``error: …``) and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


def known_stacks(root: Path = REPO_ROOT) -> list[str]:
    """The stacks that have a ``Pulumi.<stack>.yaml`` in the repository root."""
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in root.glob("Pulumi.*.yaml"))


def stack(value: str) -> str:
    """argparse type: a stack name with a ``Pulumi.<name>.yaml`` here, or a path to an existing stack
    file. Anything else is a usage error naming the stacks (the same line for every command)."""
    if value.endswith((".yaml", ".yml")):
        path = Path(value)
        if not path.exists():
            raise UsageError(f"{value}: no such stack file")
        if not path.is_file():
            raise UsageError(f"{value}: not a file")
        return value
    if value and "/" not in value and "\\" not in value and (REPO_ROOT / f"Pulumi.{value}.yaml").is_file():
        return value
    missing = f"no Pulumi.{value}.yaml; " if value.isprintable() and value.strip() == value else ""
    raise UsageError(f"unknown stack {value!r}: {missing}stacks here: {', '.join(known_stacks())}")


def stack_path(value: str) -> Path:
    """The stack file of a value :func:`stack` accepted."""
    return Path(value) if value.endswith((".yaml", ".yml")) else REPO_ROOT / f"Pulumi.{value}.yaml"


def existing_file(value: str) -> Path:
    """argparse type: a file that exists (an input: usage file, plan file)."""
    path = Path(value)
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: not a file")
    return path


def _blocked_by_a_file(path: Path) -> Path | None:
    """The nearest existing ancestor of ``path`` when it is not a directory (``README.md/x``)."""
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else parent
    return None


def output_dir(value: str) -> Path:
    """argparse type: a directory that exists or can be created (not an existing file)."""
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: exists and is not a directory")
    blocker = _blocked_by_a_file(path)
    if blocker is not None:
        raise argparse.ArgumentTypeError(f"{value}: {blocker} is a file, not a directory")
    return path


def output_file(value: str) -> Path:
    """argparse type: a file to write (not an existing directory, not below a file)."""
    path = Path(value)
    if path.is_dir() or value.endswith(("/", "\\")):
        raise argparse.ArgumentTypeError(f"{value}: is a directory; name a file")
    blocker = _blocked_by_a_file(path)
    if blocker is not None:
        raise argparse.ArgumentTypeError(f"{value}: {blocker} is a file, not a directory")
    return path


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """argparse type: a whole number in ``low..high`` (both included)."""

    def parse(value: str) -> int:
        text = value.strip()
        number = int(text) if re.fullmatch(r"[+-]?[0-9]{1,12}", text) else None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{value!r}: a whole number from {low} to {high}")
        return number

    parse.__name__ = f"whole number {low}..{high}"
    return parse


def iso_date(value: str) -> datetime.date:
    """argparse type: a date as YYYY-MM-DD."""
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: a date as YYYY-MM-DD") from None


def needs_program(program: str, why: str) -> None:
    """Raise a usage error when ``program`` is not on PATH (checked before any evaluation)."""
    if shutil.which(program) is None:
        raise UsageError(why)


def add_command(
    commands: argparse._SubParsersAction,
    name: str,
    run: Callable[[argparse.Namespace], int],
    *,
    help: str,
    checks: Sequence[Check] = (),
) -> argparse.ArgumentParser:
    """A subcommand following the convention: ``run`` is called only after every check passed."""
    parser = commands.add_parser(name, help=help, description=help)
    parser.set_defaults(func=run, checks=list(checks))
    return parser


def add_check(parser: argparse.ArgumentParser, check: Check) -> None:
    """Add a check of the parsed arguments (raise :class:`UsageError` for exit 2, ``ConfigError`` or
    :class:`ToolError` for exit 1); checks run in the order added, before the command."""
    parser.set_defaults(checks=[*(parser.get_default("checks") or []), check])


def add_stack(
    parser: argparse.ArgumentParser,
    *,
    dest: str = "stack",
    nargs: str | None = None,
    configuration: bool = True,
) -> None:
    """The STACK argument: a name listed in the repository or a stack file path (exit 2 otherwise).

    With ``configuration`` the stack file is loaded and validated before the command runs (exit 1 with
    one line per problem); ``nargs`` ``"+"`` or ``"*"`` takes several stacks."""
    parser.add_argument(
        dest,
        type=stack,
        nargs=nargs,
        metavar="STACK",
        help=f"{', '.join(known_stacks())}, or a path to a Pulumi.<stack>.yaml",
    )
    if configuration:
        every = known_stacks() if nargs == "*" else None  # "*" with none given: every stack here
        add_check(parser, lambda args: check_configuration(getattr(args, dest) or every))


def check_configuration(stacks: str | Sequence[str] | None) -> None:
    """Load and validate each stack file (raises ``ConfigError``); no resource is evaluated."""
    # late import: the settings models: only for commands given a stack
    from config import load_stack_file

    for value in [stacks] if isinstance(stacks, str) else list(stacks or ()):
        load_stack_file(stack_path(value))


def prepare(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse and check ``argv`` without running anything; on a problem print it (one line each) and
    raise :class:`SystemExit` with the exit status (2 usage, 1 failed check, 0 for ``--help``)."""
    try:
        args = parser.parse_args(argv)
        for check in getattr(args, "checks", None) or ():
            check(args)
    except (UsageError, argparse.ArgumentTypeError) as err:  # a check may reuse an argparse type
        _say(str(err))
        raise SystemExit(EXIT_USAGE) from None
    except ConfigError as err:
        for problem in err.problems:
            _say(f"{err.source}: {problem}")
        raise SystemExit(EXIT_FAILED) from None
    except ToolError as err:
        _say(str(err))
        raise SystemExit(EXIT_FAILED) from None
    return args


def execute(args: argparse.Namespace) -> int:
    """Run a prepared command; a problem while running is one line and exit 1."""
    try:
        return int(args.func(args) or 0)
    except ConfigError as err:
        for problem in err.problems:
            _say(f"{err.source}: {problem}")
    except (ToolError, UsageError) as err:
        _say(str(err))
        return EXIT_USAGE if isinstance(err, UsageError) else EXIT_FAILED
    except OSError as err:  # writing an output: disk full, permission denied
        where = f"{err.filename}: " if err.filename else ""
        _say(f"{where}{err.strerror or err}")
    return EXIT_FAILED


def main(parser: argparse.ArgumentParser, argv: Sequence[str] | None = None) -> int:
    """:func:`prepare`, then :func:`execute`: the whole convention, as an exit status."""
    try:
        args = prepare(parser, argv)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_USAGE
    return execute(args)


def one_line(text: str) -> str:
    """``text`` with every non-printable character escaped, so that an error stays one line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _say(message: str, stream: Any = None) -> None:
    print(f"error: {one_line(message)}", file=stream or sys.stderr)


def table(rows: Sequence[Sequence[str]], right: Sequence[int] = (), indent: str = "  ") -> list[str]:
    """Rows as aligned columns (``right``: indexes of right-aligned columns, e.g. amounts)."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))]
    lines = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def stack_name(value: str) -> str:
    """The stack's name for a value :func:`stack` accepted (``Pulumi.dev.yaml`` → ``dev``)."""
    path = stack_path(value)
    return path.stem.split(".", 1)[1] if path.stem.startswith("Pulumi.") else path.stem
