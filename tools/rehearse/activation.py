"""A DR standby's activation rehearsed in emulated AWS, after the standby itself (``rehearse prod-dr``).

The idle standby is rehearsed first (us-west-2, and us-east-1 for CloudFront's certificate and web
ACL: two regions, one emulated account; tools/rehearse/engine.py says why its primary is not
rehearsed into the same account). The activation is then applied as the update it is
(tools/activation.py): each node group whose scaling changes gets ``UpdateNodegroupConfig`` with the
active sizes and is read back; an Aurora cluster leaving its global cluster gets
``RemoveFromGlobalCluster``. Kubernetes changes (replica counts) are not AWS calls and are listed.
An AWS-side change of any other type is refused here rather than silently skipped.
"""

from __future__ import annotations

from typing import Any

from tools.activation import UPDATE, changes
from tools.harness import Graph, Resource
from tools.rehearse.context import AwsCallError, Ctx

NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
AURORA_CLUSTER = "aws:rds/cluster:Cluster"


class ActivationError(Exception):
    """An AWS change of the activation that the rehearsal cannot apply (one line each)."""


def _region(graph: Graph, resource: Resource) -> str:
    providers = {r.urn: r.inputs.get("region") for r in graph.of_type("pulumi:providers:aws")}
    return str(providers.get(resource.provider or "") or "us-east-1")


def _scaling(resource: Resource) -> dict[str, Any]:
    config = resource.inputs.get("scalingConfig") or {}
    return {k: config[k] for k in ("minSize", "maxSize", "desiredSize") if k in config}


def rehearse_activation(idle: Graph, planned_idle: Graph, active: Graph) -> list[str]:
    """Apply the activation's AWS changes to the emulated account holding the idle standby (``idle``, the
    rehearsal's graph, whose outputs are moto's); the changes are those between the two offline runs
    ``planned_idle`` and ``active`` (the same mocks on both sides, so only the configuration differs).
    One line per change; raises :class:`ActivationError` for an AWS change it cannot apply or that does
    not hold."""
    lines: list[str] = []
    kubernetes = 0
    for urn, kind in changes(planned_idle, active).items():
        if kind != UPDATE:
            continue
        before, after = idle.by_urn(urn), active.by_urn(urn)
        if after.type.startswith("kubernetes:"):
            kubernetes += 1
            continue
        ctx = Ctx(region=_region(idle, before), name=after.name, seed="0", type=after.type)
        try:
            if after.type == NODE_GROUP:
                cluster, group = before.outputs["clusterName"], before.outputs["nodeGroupName"]
                wanted = _scaling(after)
                ctx.call(
                    "eks",
                    "update_nodegroup_config",
                    clusterName=cluster,
                    nodegroupName=group,
                    scalingConfig=wanted,
                )
                now = ctx.call("eks", "describe_nodegroup", clusterName=cluster, nodegroupName=group)[
                    "nodegroup"
                ]
                if {k: now["scalingConfig"].get(k) for k in wanted} != wanted:
                    raise ActivationError(f"{after.name}: scaling is {now['scalingConfig']}, not {wanted}")
                lines.append(f"{after.name}: UpdateNodegroupConfig {_scaling(before)} -> {wanted}")
            elif (
                after.type == AURORA_CLUSTER
                and before.inputs.get("globalClusterIdentifier")
                and not after.inputs.get("globalClusterIdentifier")
            ):
                ctx.call(
                    "rds",
                    "remove_from_global_cluster",
                    GlobalClusterIdentifier=before.inputs["globalClusterIdentifier"],
                    DbClusterIdentifier=before.outputs["arn"],
                )
                lines.append(f"{after.name}: RemoveFromGlobalCluster (detach and promote)")
            else:
                raise ActivationError(f"{after.name} ({after.type}): an update this rehearsal does not apply")
        except AwsCallError as err:
            raise ActivationError(f"{after.name}: {err}") from None
    lines.append(f"{kubernetes} Kubernetes objects change (replicas, autoscalers): not AWS calls")
    return lines
