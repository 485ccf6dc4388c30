"""The offline side as one command line: ``python -m tools <command> ...``.

Every command runs the program under Pulumi's mock engine (no cloud account, no state backend):

  plan STACK [--out FILE]       deterministic plan file + summary (counts, outputs, cost, deploy time, policy)
  summary STACK                 what `plan` prints, without writing a file
  diff BASE.json HEAD.json      Markdown for a pull-request comment: changes, replacements, cost delta
  cost STACK [--usage FILE]     monthly cost per resource and component
  deploy-time STACK             critical path of a from-scratch `pulumi up`
  render STACK DIR              Kubernetes objects as YAML in apply order, schema-validated
  graph STACK                   components and their wiring (Mermaid; SVG/PNG with graphviz)
  validate STACK_FILE...        configuration only
  rehearse STACK                `pulumi up` against emulated AWS (moto): AWS-side validation, real ids
  bootstrap STACK --admin-cidr CIDR --repository OWNER/NAME   an empty account to a running stack (prints the steps)
  trace-api STACK               who can reach the EKS API endpoint (exit 1 if the runner cannot, or the internet can)

Errors (unknown stack, bad configuration, a plan file of another version) print one line each and
exit with status 1.
"""

from __future__ import annotations

import argparse
import sys

from config import ConfigError
from tools import bootstrap, cost, deploy_time, diagram, diff, plan, render, trace_api, validate
from tools.errors import ToolError
from tools.rehearse import cli as rehearse

COMMANDS = (plan, diff, cost, deploy_time, render, diagram, validate, rehearse, trace_api, bootstrap)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m tools",
        description="The offline side of quantumvest-infra: the program under Pulumi's mock engine.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.register(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as err:
        for problem in err.problems:
            print(f"error: {err.source}: {problem}", file=sys.stderr)
        return 1
    except ToolError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
