"""A DR standby's activation, offline: the stack file with ``dr.active: true`` and what the update
changes (``deploy-time STACK --activate`` estimates it, tools/deploy_time.py; ``plan`` and ``cost`` take
``--activate`` too).

Activating the standby is a config change and a ``pulumi up`` (components/dr.py). Its duration is the
duration of an *update*, not of a creation: resources whose inputs do not change take no time, changed
ones take their update time (``update_minutes`` in tools/data/aws-create-times.json; a Kubernetes
workload's rollout awaits its new pods like a creation does), new ones their creation time. The same
scheduler as the from-scratch estimate (tools/deploy_time.py) orders them by their dependencies, so the
critical chain of the activation is printed the same way.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import yaml

from config.errors import PROJECT
from config.loader import load_stack_file, read_stack
from tools import cli
from tools.errors import ToolError
from tools.harness import Graph, Resource

#: What each resource does during the update.
SAME, UPDATE, CREATE = "same", "update", "create"

#: Inputs that differ between two offline runs without a change being deployed (none today; a place to
#: name one with its reason).
_VOLATILE: frozenset[str] = frozenset()


def add_activate(parser: argparse.ArgumentParser) -> None:
    """The ``--activate`` flag: run the standby with ``dr.active: true`` (its failover configuration)."""
    parser.add_argument(
        "--activate",
        action="store_true",
        help="a DR standby stack as it runs after failover (dr.active: true; docs/disaster-recovery.md)",
    )


def activated_stack_file(stack: str, directory: Path | None = None) -> Path:
    """A copy of the standby's stack file with ``dr.active: true``, named ``Pulumi.<stack>.yaml`` (so the
    run is the same stack) in ``directory`` (a new temporary one by default). Refuses a stack that is not
    a standby (exit 1, one line)."""
    path = cli.stack_path(stack)
    cfg = load_stack_file(path)
    if cfg.dr.role != "standby":
        raise ToolError(
            f"{path.name}: --activate needs a DR standby (dr.role: standby), not dr.role: {cfg.dr.role}"
        )
    document = yaml.safe_load(path.read_text())
    key = f"{PROJECT}:dr"
    document["config"][key] = {**document["config"][key], "active": True}
    target = (directory or Path(tempfile.mkdtemp(prefix="activate-"))) / path.name
    target.write_text(yaml.safe_dump(document, sort_keys=False))
    read_stack(target)  # the copy passes the strict reader like the original
    return target


def stack_argument(args: argparse.Namespace) -> str:
    """The stack a command runs: the activated copy with ``--activate``, else the stack as given."""
    if getattr(args, "activate", False):
        return str(activated_stack_file(args.stack))
    return args.stack


def _comparable(resource: Resource) -> str:
    inputs = {k: v for k, v in resource.inputs.items() if k not in _VOLATILE}
    return json.dumps(inputs, sort_keys=True, default=str)


def changes(before: Graph, after: Graph) -> dict[str, str]:
    """Per URN of ``after``: ``same``, ``update`` (its inputs changed) or ``create`` (new)."""
    old = {r.urn: r for r in before}
    result: dict[str, str] = {}
    for resource in after:
        previous = old.get(resource.urn)
        if previous is None:
            result[resource.urn] = CREATE
        elif resource.custom and _comparable(previous) != _comparable(resource):
            result[resource.urn] = UPDATE
        else:
            result[resource.urn] = SAME
    return result


def removed(before: Graph, after: Graph) -> list[Resource]:
    """Resources the update deletes (in ``before`` only)."""
    kept = {r.urn for r in after}
    return [r for r in before if r.urn not in kept and r.custom]
