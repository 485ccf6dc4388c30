"""The cluster and cluster_services sections: tier defaults load, and bad input is named precisely."""

from __future__ import annotations

import pytest

from components.cluster import ClusterArgs, NodeGroupArgs
from tests.helpers import load_with, rejected

SYSTEM_TAINT = {"key": "CriticalAddonsOnly", "value": "true"}


def test_stack_files_name_the_access_roles_and_dns(tmp_path) -> None:
    cfg = load_with(tmp_path, "prod", {})
    assert cfg.cluster.admin_roles == ["platform-admin"] and cfg.cluster.readonly_roles == [
        "platform-readonly"
    ]
    # external-dns off: prod's public records are its DR failover records (components/dr.py)
    assert cfg.cluster_services.dns_zone == "quantumvest.com" and cfg.cluster_services.external_dns is False


def test_a_stack_changes_one_node_group_and_keeps_the_rest_of_the_tier(tmp_path) -> None:
    cfg = load_with(
        tmp_path, "prod", {"cluster": {"node_groups": {"trading": {"max_size": 30}, "gpu": None}}}
    )
    groups = cfg.cluster.node_groups
    assert groups["trading"].max_size == 30 and groups["trading"].instance_types == ["c5.xlarge"]
    assert "gpu" not in groups and set(groups) == {"system", "trading", "analytics", "spot"}


def test_a_stack_pins_one_addon_and_keeps_the_other_pins(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {"cluster": {"addon_versions": {"coredns": "v1.13.2-eksbuild.12"}}})
    assert cfg.cluster.addon_versions["coredns"] == "v1.13.2-eksbuild.12"
    assert cfg.cluster.addon_versions["vpc-cni"] == ClusterArgs().addon_versions["vpc-cni"]


def test_schema_defaults_are_the_secure_shape() -> None:
    args = ClusterArgs()
    assert args.endpoint_public_access is False and args.deletion_protection is True
    assert args.metadata_hop_limit == 1
    assert NodeGroupArgs().capacity_type == "ON_DEMAND"


# --- node groups ---------------------------------------------------------------------------------------


def test_min_above_desired(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"cluster": {"node_groups": {"trading": {"min_size": 6}}}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:cluster.node_groups.trading.min_size = 6: "
        "need min_size (6) <= desired_size (5) <= max_size (20)"
    )


def test_desired_above_max(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"cluster": {"node_groups": {"trading": {"desired_size": 21}}}})
    assert "quantumvest-infra:cluster.node_groups.trading.desired_size = 21: " in message
    assert "<= max_size (20)" in message


def test_zero_max(tmp_path) -> None:
    overrides = {"cluster": {"node_groups": {"spot": {"min_size": 0, "desired_size": 0, "max_size": 0}}}}
    message = rejected(tmp_path, "dev", overrides)
    assert message.startswith(
        "Pulumi.dev.yaml: quantumvest-infra:cluster.node_groups.spot.max_size = 0: at least 1"
    )


def test_spot_group_with_one_instance_type(tmp_path) -> None:
    message = rejected(
        tmp_path,
        "dev",
        {"cluster": {"node_groups": {"spot": {"instance_types": ["t3.large"], "capacity_type": "SPOT"}}}},
    )
    assert "quantumvest-infra:cluster.node_groups.spot.instance_types = [t3.large]" in message
    assert "a SPOT group needs at least two instance types" in message


@pytest.mark.parametrize("effect", ["NO_SCHEDULE", "NoScheduling", "Evict"])
def test_taint_effect_outside_the_three_kubernetes_effects(tmp_path, effect: str) -> None:
    overrides = {"cluster": {"node_groups": {"system": {"taints": [{**SYSTEM_TAINT, "effect": effect}]}}}}
    message = rejected(tmp_path, "dev", overrides)
    assert f"quantumvest-infra:cluster.node_groups.system.taints[0].effect = {effect}" in message
    assert "allowed: NoSchedule, PreferNoSchedule, NoExecute" in message


def test_gpu_instances_need_the_nvidia_ami_and_graviton_an_arm_one(tmp_path) -> None:
    gpu = rejected(tmp_path, "dev", {"cluster": {"node_groups": {"gpu": {"instance_types": ["g5.xlarge"]}}}})
    assert "cluster.node_groups.gpu.instance_types = [g5.xlarge]: g5.xlarge is a GPU instance" in gpu
    arm = rejected(tmp_path, "dev", {"cluster": {"node_groups": {"arm": {"instance_types": ["m7g.large"]}}}})
    assert "cluster.node_groups.arm.instance_types = [m7g.large]" in arm and "ARM_64" in arm


def test_system_group_must_exist_and_be_on_demand(tmp_path) -> None:
    missing = rejected(tmp_path, "dev", {"cluster": {"system_node_group": "core"}})
    assert "quantumvest-infra:cluster.system_node_group = core: must name one of the node groups" in missing
    spot = {"capacity_type": "SPOT", "instance_types": ["t3.large", "m5.large"]}
    message = rejected(tmp_path, "staging", {"cluster": {"node_groups": {"system": spot}}})
    assert "quantumvest-infra:cluster.node_groups.system.capacity_type = SPOT: " in message
    # dev opts in (spot_system_group); taking the opt-in away brings the rule back.
    message = rejected(tmp_path, "dev", {"cluster": {"spot_system_group": False}})
    assert "quantumvest-infra:cluster.node_groups.system.capacity_type = SPOT: " in message


def test_prod_keeps_two_system_nodes(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"cluster": {"node_groups": {"system": {"min_size": 1}}}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:cluster.node_groups.system.min_size = 1: prod keeps at least 2 system nodes"
    )


def test_typo_in_a_node_group_key_lists_the_allowed_keys(tmp_path) -> None:
    message = rejected(
        tmp_path, "dev", {"cluster": {"node_groups": {"system": {"instance_type": ["t3.large"]}}}}
    )
    assert "cluster.node_groups.system.instance_type: unknown key (did you mean 'instance_types'?)" in message
    assert "max_size" in message


# --- add-ons, version, endpoint ---------------------------------------------------------------------------


def test_unknown_addon(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cluster": {"addon_versions": {"kube-dns": "v1.0.0-eksbuild.1"}}})
    assert (
        "quantumvest-infra:cluster.addon_versions.kube-dns = v1.0.0-eksbuild.1: unknown add-on; allowed: "
        in message
    )
    assert "vpc-cni" in message and "aws-ebs-csi-driver" in message


def test_version_outside_standard_support(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cluster": {"kubernetes_version": "1.31"}})
    assert (
        "quantumvest-infra:cluster.kubernetes_version = '1.31': allowed: versions in EKS standard support"
        in message
    )


def test_kube_proxy_must_follow_the_kubernetes_version(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cluster": {"kubernetes_version": "1.34"}})
    assert "quantumvest-infra:cluster.addon_versions.kube-proxy = v1.35.3-eksbuild.18" in message
    assert "must match the cluster's minor version 1.34" in message


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_public_endpoint_open_to_the_world_outside_dev(tmp_path, stack: str) -> None:
    overrides = {"cluster": {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]}}
    message = rejected(tmp_path, stack, overrides)
    assert message.startswith(
        f"Pulumi.{stack}.yaml: quantumvest-infra:cluster.public_access_cidrs = [0.0.0.0/0]: "
        f"{stack} never opens the public endpoint to 0.0.0.0/0"
    )


def test_dev_may_open_the_endpoint_but_only_with_an_explicit_list(tmp_path) -> None:
    opened = load_with(
        tmp_path, "dev", {"cluster": {"endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]}}
    )
    assert opened.cluster.opens_to_world()
    message = rejected(tmp_path, "dev", {"cluster": {"endpoint_public_access": True}})
    assert (
        "quantumvest-infra:cluster.public_access_cidrs = []: a public endpoint needs an explicit allow-list"
        in message
    )


def test_prod_cluster_keeps_deletion_protection(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"cluster": {"deletion_protection": False}})
    assert (
        "quantumvest-infra:cluster.deletion_protection = false: prod clusters are deletion-protected"
        in message
    )


def test_access_roles_must_be_role_arns_or_names(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cluster": {"admin_roles": ["arn:aws:iam::123456789012:user/bob"]}})
    assert "quantumvest-infra:cluster.admin_roles = ['arn:aws:iam::123456789012:user/bob']" in message
    assert "neither an IAM role ARN" in message


# --- cluster services ----------------------------------------------------------------------------------


def test_unknown_chart_and_version_ranges(tmp_path) -> None:
    unknown = rejected(tmp_path, "dev", {"cluster_services": {"chart_versions": {"argo-cd": "1.0.0"}}})
    assert "quantumvest-infra:cluster_services.chart_versions.argo-cd = 1.0.0: unknown chart" in unknown
    ranged = rejected(tmp_path, "dev", {"cluster_services": {"chart_versions": {"cert-manager": "^1.19"}}})
    assert "cluster_services.chart_versions.cert-manager = ^1.19: an exact chart version" in ranged


def test_dns_zone_needs_an_acme_email_and_external_dns_a_zone(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cluster_services": {"acme_email": None}})
    assert (
        "quantumvest-infra:cluster_services.acme_email = null: dns_zone and acme_email go together" in message
    )
    message = rejected(
        tmp_path,
        "dev",
        {"platform": {"domain": None}, "cluster_services": {"dns_zone": None, "acme_email": None}},
    )
    assert "quantumvest-infra:cluster_services.external_dns = true: needs dns_zone" in message


def test_autoscaler_follows_the_kubernetes_version(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cluster_services": {"cluster_autoscaler_image_tag": "v1.34.1"}})
    assert (
        "quantumvest-infra:cluster_services.cluster_autoscaler_image_tag = v1.34.1: must be a v1.35.x release"
        in message
    )
