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

import config as stack_config
from config.errors import PROJECT
from config.profiles.dr import DATABASE_PROMOTION_KEY
from tools import cli
from tools.errors import ToolError
from tools.harness import Graph, Resource

#: What each resource does during the update.
SAME, UPDATE, CREATE = "same", "update", "create"


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
    cfg = stack_config.load_stack_file(path)
    if cfg.dr.role != "standby":
        raise ToolError(
            f"{path.name}: --activate needs a DR standby (dr.role: standby), not dr.role: {cfg.dr.role}"
        )
    target = (directory or Path(tempfile.mkdtemp(prefix="activate-"))) / path.name
    target.write_text(path.read_text())
    set_active(target, True)
    stack_config.read_stack(target)  # the copy passes the strict reader like the original
    return target


def stack_argument(args: argparse.Namespace) -> str:
    """The stack a command runs: the activated copy with ``--activate``, else the stack as given."""
    if getattr(args, "activate", False):
        return str(activated_stack_file(args.stack))
    return args.stack


def _comparable(resource: Resource) -> str:
    return json.dumps(resource.inputs, sort_keys=True, default=str)


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


def set_active(path: Path, active: bool, *, keep_database_attached: bool = False) -> None:
    """Set ``dr.active`` in a standby's stack file in place (the drill workflow's config change, the
    same as ``pulumi config set --path quantumvest-infra:dr.active true``). With
    ``keep_database_attached`` an activation leaves the database in the global cluster (``database.
    detached: false``): a drill that exercises scaling and the edge without breaking replication, which
    a real detach does for good. The rewritten file passes the strict reader and the validation."""
    document = yaml.safe_load(path.read_text())
    config = document["config"]
    key = f"{PROJECT}:dr"
    config[key] = {**config.get(key, {}), "active": active}
    database_key = f"{PROJECT}:database"
    if keep_database_attached and active:
        config[database_key] = {**config.get(database_key, {}), DATABASE_PROMOTION_KEY: False}
    elif not keep_database_attached and isinstance(config.get(database_key), dict):
        config[database_key].pop(DATABASE_PROMOTION_KEY, None)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    stack_config.load_stack_file(path)


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.activation STACK_FILE true|false [--keep-database-attached]`` (the drill)."""
    parser = argparse.ArgumentParser(prog="python -m tools.activation", description=set_active.__doc__)
    parser.add_argument("stack_file", type=Path)
    parser.add_argument("active", choices=["true", "false"])
    parser.add_argument("--keep-database-attached", action="store_true")
    args = parser.parse_args(argv)
    set_active(args.stack_file, args.active == "true", keep_database_attached=args.keep_database_attached)
    print(f"{args.stack_file}: {PROJECT}:dr.active = {args.active}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
