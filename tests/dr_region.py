"""prod as it was before its standby (issue 22): ``platform.dr_region`` us-west-2 and no ``dr`` pair.

The DR-region machinery (a DR network, DR keys, the backup copy to a DR vault, the backups bucket's
replica, the cross-region database replica) stays a supported configuration for a stack without a
standby; no stack file uses it any more, so its tests build this variant (once per session).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.helpers import write_stack
from tools.harness import Graph, run_stack

OVERRIDES = {
    "platform": {"dr_region": "us-west-2"},
    "dr": None,
    "cluster_services": {"external_dns": True},
    "storage": {"buckets": {"backups": {"replicate_to_dr": True}}},
}
_GRAPH: dict[str, Graph] = {}


def dr_region_stack_file(directory: Path) -> Path:
    """``Pulumi.prod.yaml`` with a DR region instead of a standby, written into ``directory``."""
    return write_stack(directory, "prod", OVERRIDES)


def dr_region_graph() -> Graph:
    """The variant's graph (stack name ``prod``, so its names are prod's), built on first use."""
    if "graph" not in _GRAPH:
        _GRAPH["graph"] = run_stack(str(dr_region_stack_file(Path(tempfile.mkdtemp(prefix="dr-region-")))))
    return _GRAPH["graph"]
