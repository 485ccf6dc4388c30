"""The offline side as one command line: ``python -m tools <command> ...``.

Every command runs the program under Pulumi's mock engine (no cloud account, no state backend):

  plan STACK [--out FILE]       deterministic plan file + summary (counts, outputs, cost, deploy time, policy)
  summary STACK                 what `plan` prints, without writing a file
  diff BASE.json HEAD.json      Markdown for a pull-request comment: changes, replacements, cost delta
  cost STACK [--usage FILE]     monthly cost per component (--verbose: per resource, with prices)
  deploy-time STACK             critical path of a from-scratch `pulumi up`
  render STACK DIR              Kubernetes objects as YAML in apply order, schema-validated
  graph STACK                   components and their wiring (Mermaid; SVG/PNG with graphviz)
  validate STACK_FILE...        configuration only
  rehearse STACK                `pulumi up` against emulated AWS (moto): AWS-side validation, real ids
  trace STACK [HOST]            each public host's request path, hop by hop (exit 1 if one is broken)
  trace STACK --api             who can reach the EKS API endpoint (exit 1 if the runner cannot, or the internet can)
  policy-report [STACK...]      the guardrails over stacks, as CI runs them (exit 1 on a blocking finding)
  bootstrap STACK --admin-cidr CIDR --repository OWNER/NAME   an empty account to a running stack (prints the steps)

Arguments and the stack's configuration are checked before anything is evaluated. Exit status: 0 ok,
1 a check failed (bad configuration, a failed check, an unreadable plan file), 2 usage error (unknown
stack, bad option, missing input file); every error is one line on stderr (see ``tools/cli.py``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tools import (
    bootstrap,
    cli,
    cost,
    deploy_time,
    diagram,
    diff,
    plan,
    policy_report,
    render,
    trace,
    validate,
)
from tools.rehearse import cli as rehearse

COMMANDS = (
    plan,
    diff,
    cost,
    deploy_time,
    render,
    diagram,
    validate,
    rehearse,
    trace,
    policy_report,
    bootstrap,
)


def parser() -> argparse.ArgumentParser:
    root = cli.Parser(
        prog="python -m tools",
        description="The offline side of quantumvest-infra: the program under Pulumi's mock engine.",
        epilog="exit status: 0 ok, 1 a check failed, 2 usage error",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return root


def prepare(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and check ``argv`` without running the command (raises SystemExit 1/2 on a problem)."""
    return cli.prepare(parser(), argv)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
