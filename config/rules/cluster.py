"""EKS rules that need the tier or a second section."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def no_world_open_endpoint_outside_dev(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Staging and prod admit the public API endpoint only from listed networks (FSBP EKS.1, CKV_AWS_39)."""
    cluster = cfg.cluster
    if cfg.platform.environment != "dev" and cluster.opens_to_world():
        yield FieldProblem(
            "cluster.public_access_cidrs",
            cluster.public_cidrs(),
            f"{cfg.platform.environment} never opens the public endpoint to 0.0.0.0/0; list the networks "
            "that need the API (VPN egress, CI runners) or turn endpoint_public_access off",
        )


def prod_system_group_survives_a_node_loss(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """CoreDNS and the controllers keep running when one system node goes away."""
    cluster = cfg.cluster
    system = cluster.node_groups[cluster.system_node_group]
    if cfg.platform.environment == "prod" and system.min_size < 2:
        yield FieldProblem(
            f"cluster.node_groups.{cluster.system_node_group}.min_size",
            system.min_size,
            "prod keeps at least 2 system nodes",
        )


def prod_cluster_is_deletion_protected(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    if cfg.platform.environment == "prod" and not cfg.cluster.deletion_protection:
        yield FieldProblem("cluster.deletion_protection", False, "prod clusters are deletion-protected")


def autoscaler_matches_kubernetes(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """The cluster autoscaler supports exactly the Kubernetes minor version it was built for."""
    tag = cfg.cluster_services.cluster_autoscaler_image_tag
    version = cfg.cluster.kubernetes_version
    if not tag.startswith(f"v{version}."):
        yield FieldProblem(
            "cluster_services.cluster_autoscaler_image_tag",
            tag,
            f"must be a v{version}.x release to match cluster.kubernetes_version {version}",
        )


RULES = [
    no_world_open_endpoint_outside_dev,
    prod_system_group_survives_a_node_loss,
    prod_cluster_is_deletion_protected,
    autoscaler_matches_kubernetes,
]
