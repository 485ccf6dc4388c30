"""The Cluster component in each stack and alone: node groups, launch templates, control plane, add-ons."""

from __future__ import annotations

import json

import pytest

from components.cluster import CONTROL_PLANE_LOG_TYPES, NODE_GROUP_LABEL, Cluster, ClusterArgs
from tools.harness import Graph, Resource, run

CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ADDON = "aws:eks/addon:Addon"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

SYSTEM_TAINT = [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}]
SPOT_TAINT = [{"key": "capacity-type", "value": "spot", "effect": "NO_SCHEDULE"}]
GPU_TAINT = [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}]

#: What each tier must run (seed 003 for prod's system/trading/analytics; seed 001 for the GPU group):
#: group → (instance types, capacity type, (min, desired, max), role label, taints).
EXPECTED_GROUPS: dict[str, dict[str, tuple]] = {
    "dev": {
        # issue 21: one untainted Graviton spot group runs the add-ons and the apps.
        "system": (["t4g.medium", "c6g.large", "c7g.large", "c8g.large"], "SPOT", (3, 3, 5), "general", []),
    },
    "staging": {
        "system": (["t3.medium"], "ON_DEMAND", (2, 2, 4), "system", SYSTEM_TAINT),
        "trading": (["c5.large"], "ON_DEMAND", (2, 2, 6), "trading", []),
        "analytics": (["r5.large"], "ON_DEMAND", (1, 1, 4), "analytics", []),
        "spot": (["m5.large", "m6i.large"], "SPOT", (0, 1, 6), "batch", SPOT_TAINT),
    },
    "prod": {
        "system": (["t3.medium"], "ON_DEMAND", (2, 2, 4), "system", SYSTEM_TAINT),
        "trading": (["c5.xlarge"], "ON_DEMAND", (3, 5, 20), "trading", []),
        "analytics": (["r5.2xlarge"], "ON_DEMAND", (2, 3, 10), "analytics", []),
        "spot": (["m5.xlarge", "m6i.xlarge"], "SPOT", (0, 2, 20), "batch", SPOT_TAINT),
        "gpu": (["g5.xlarge"], "ON_DEMAND", (0, 0, 4), "model-serving", GPU_TAINT),
    },
}
EXPECTED_LOG_RETENTION = {"dev": 30, "staging": 90, "prod": 365}


def _groups(graph: Graph) -> dict[str, Resource]:
    return {ng.inputs["labels"][NODE_GROUP_LABEL]: ng for ng in graph.of_type(NODE_GROUP)}


def _build(args: ClusterArgs, **wiring) -> Graph:
    return run(
        lambda: Cluster(
            "eks",
            args,
            vpc_id="vpc-0123456789abcdef0",
            subnet_ids=["subnet-a", "subnet-b", "subnet-c"],
            **wiring,
        )
    )


# --- node groups ------------------------------------------------------------------------------------


def test_node_groups_sizes_capacity_labels_and_taints_match_the_tier(graph: Graph) -> None:
    groups = _groups(graph)
    expected = EXPECTED_GROUPS[graph.stack]
    assert set(groups) == set(expected)
    for name, (types, capacity, (low, desired, high), role, taints) in expected.items():
        inputs = groups[name].inputs
        assert inputs["instanceTypes"] == types, name
        assert inputs["capacityType"] == capacity, name
        assert inputs["scalingConfig"] == {"minSize": low, "desiredSize": desired, "maxSize": high}, name
        assert inputs["labels"]["role"] == role, name
        assert inputs.get("taints", []) == taints, name
        assert inputs["version"] == graph.one(CLUSTER).inputs["version"]  # nodes follow the control plane


def test_dev_runs_one_untainted_graviton_group(graph: Graph) -> None:
    if graph.stack != "dev":
        pytest.skip("dev's single spot group")
    (group,) = _groups(graph).values()
    assert group.inputs["amiType"] == "AL2023_ARM_64_STANDARD" and group.inputs["taints"] == []
    coredns = json.loads(graph.one(ADDON, "coredns").inputs["configurationValues"])
    assert coredns["replicaCount"] == 2  # one per node: a spot reclaim leaves DNS up


def test_gpu_group_uses_the_nvidia_ami_and_is_labelled_for_the_device_plugin(
    graphs: dict[str, Graph],
) -> None:
    gpu = _groups(graphs["prod"])["gpu"].inputs
    assert gpu["amiType"] == "AL2023_x86_64_NVIDIA"
    assert gpu["labels"]["nvidia.com/gpu.present"] == "true"
    releases = [r.inputs["chart"] for r in graphs["prod"].of_type("kubernetes:helm.sh/v3:Release")]
    assert "nvidia-device-plugin" in releases
    dev_releases = [r.inputs["chart"] for r in graphs["dev"].of_type("kubernetes:helm.sh/v3:Release")]
    assert "nvidia-device-plugin" not in dev_releases


def test_every_node_group_has_a_launch_template_with_imdsv2_encrypted_gp3_and_no_ssh(graph: Graph) -> None:
    templates = {lt.id: lt for lt in graph.of_type(LAUNCH_TEMPLATE)}
    node_sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "node-sg")
    cluster_sg = graph.one(CLUSTER).outputs["vpcConfig"]["clusterSecurityGroupId"]
    for name, group in _groups(graph).items():
        assert "remoteAccess" not in group.inputs and "diskSize" not in group.inputs, name
        template = templates[group.inputs["launchTemplate"]["id"]]
        assert group.inputs["launchTemplate"]["version"] == str(template.outputs["latestVersion"])
        lt = template.inputs
        assert lt["metadataOptions"]["httpTokens"] == "required", name
        assert lt["metadataOptions"]["httpPutResponseHopLimit"] == 1, name
        assert "keyName" not in lt, name
        (root,) = lt["blockDeviceMappings"]
        assert root["deviceName"] == "/dev/xvda"
        assert root["ebs"]["encrypted"] == "true" and root["ebs"]["volumeType"] == "gp3", name
        assert set(lt["vpcSecurityGroupIds"]) == {cluster_sg, node_sg.id}, name


def test_desired_size_is_left_to_the_autoscaler(graph: Graph) -> None:
    for name, group in _groups(graph).items():
        assert "scalingConfig.desiredSize" in group.ignore_changes, name


def test_every_node_group_carries_the_cluster_autoscaler_discovery_tags(graph: Graph) -> None:
    cluster_name = graph.one(CLUSTER).inputs["name"]
    for name, group in _groups(graph).items():
        tags = group.inputs["tags"]
        assert tags["k8s.io/cluster-autoscaler/enabled"] == "true", name
        assert tags[f"k8s.io/cluster-autoscaler/{cluster_name}"] == "owned", name


def test_node_role_has_worker_and_ecr_pull_ssm_only_in_dev_and_no_cni(graph: Graph) -> None:
    """The CNI's ENI writes live on its own IRSA role (tests/test_iam_fixes.py); SSM is a tier setting."""
    node_role = graph.one(ROLE, "node-role")
    attached = {
        a.inputs["policyArn"].rsplit("/", 1)[1]
        for a in graph.of_type(ATTACHMENT)
        if a.inputs["role"] == node_role.id
    }
    assert attached == {"AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"} | (
        {"AmazonSSMManagedInstanceCore"} if graph.stack == "dev" else set()
    )
    assert json.loads(node_role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }


def test_node_security_group_admits_only_itself(graph: Graph) -> None:
    node_sg = graph.one("aws:ec2/securityGroup:SecurityGroup", "node-sg")
    ingress = [
        r
        for r in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs["securityGroupId"] == node_sg.id
    ]
    assert [r.inputs.get("referencedSecurityGroupId") for r in ingress] == [node_sg.id]
    assert not any(r.inputs.get("cidrIpv4") for r in ingress)
    assert graph.outputs["nodeSecurityGroupId"] == node_sg.id


# --- control plane ------------------------------------------------------------------------------------


def test_control_plane_logs_encryption_and_support_policy(graph: Graph) -> None:
    cluster = graph.one(CLUSTER).inputs
    assert cluster["enabledClusterLogTypes"] == list(CONTROL_PLANE_LOG_TYPES)
    assert set(CONTROL_PLANE_LOG_TYPES) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    assert cluster["encryptionConfig"]["resources"] == ["secrets"]
    key = graph.one("aws:kms/key:Key", "secrets-key")
    assert cluster["encryptionConfig"]["provider"]["keyArn"] == key.outputs["arn"]
    assert cluster["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster["accessConfig"]["authenticationMode"] == "API"
    assert cluster["bootstrapSelfManagedAddons"] is False


def test_log_group_is_the_one_eks_writes_to_and_exists_first(graph: Graph) -> None:
    eks = graph.one(CLUSTER)
    log_group = graph.one("aws:cloudwatch/logGroup:LogGroup", "control-plane-logs")
    assert log_group.inputs["name"] == f"/aws/eks/{eks.inputs['name']}/cluster"
    assert log_group.inputs["retentionInDays"] == EXPECTED_LOG_RETENTION[graph.stack]
    assert log_group.urn in eks.dependencies


def test_endpoint_is_private_and_never_open_to_the_world_outside_dev(graph: Graph) -> None:
    vpc_config = graph.one(CLUSTER).inputs["vpcConfig"]
    assert vpc_config["endpointPrivateAccess"] is True
    if graph.stack != "dev":
        public = vpc_config["endpointPublicAccess"]
        assert not public or "0.0.0.0/0" not in vpc_config["publicAccessCidrs"]
    assert vpc_config["endpointPublicAccess"] is False  # the stacks as configured: private only


def _secrets_key(graph: Graph):
    arn = graph.one(CLUSTER).inputs["encryptionConfig"]["provider"]["keyArn"]
    (key,) = [k for k in graph.of_type("aws:kms/key:Key") if k.outputs["arn"] == arn]
    return key


def test_prod_cluster_and_key_are_protected_and_dev_is_not(graphs: dict[str, Graph]) -> None:
    prod, dev = graphs["prod"], graphs["dev"]
    assert prod.one(CLUSTER).protect and prod.one(CLUSTER).inputs["deletionProtection"] is True
    assert _secrets_key(prod).protect  # replacing the key would replace the cluster
    assert not dev.one(CLUSTER).protect and dev.one(CLUSTER).inputs["deletionProtection"] is False


def test_secrets_are_encrypted_with_the_platform_secrets_key(graph: Graph) -> None:
    key = _secrets_key(graph)
    assert key.outputs["arn"] == graph.outputs["kmsKeyArns"]["secrets"]
    assert key.inputs["enableKeyRotation"] is True
    # The cluster role may use exactly that key (the key policy delegates to IAM in the account).
    grant = json.loads(graph.one(ROLE_POLICY, "cluster-role-kms").inputs["policy"])["Statement"][0]
    assert grant["Resource"] == key.outputs["arn"] and "kms:Decrypt" in grant["Action"]


def _configured(resources: list[Resource]) -> list[Resource]:
    """Entries for the roles named in config (the pipeline's and the MFA roles' are tests/test_access.py's)."""
    return [r for r in resources if not r.name.startswith("quantumvest-cluster-access-")]


def test_access_entries_for_configured_admin_and_readonly_roles(graph: Graph) -> None:
    entries = {
        e.inputs["principalArn"] for e in _configured(graph.of_type("aws:eks/accessEntry:AccessEntry"))
    }
    assert entries == {
        "arn:aws:iam::123456789012:role/platform-admin",
        "arn:aws:iam::123456789012:role/platform-readonly",
    }
    policies = {
        a.inputs["principalArn"].rsplit("/", 1)[1]: (
            a.inputs["policyArn"].rsplit("/", 1)[1],
            a.inputs["accessScope"],
        )
        for a in _configured(graph.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation"))
    }
    assert policies == {
        "platform-admin": ("AmazonEKSClusterAdminPolicy", {"type": "cluster"}),
        "platform-readonly": ("AmazonEKSViewPolicy", {"type": "cluster"}),
    }


def test_oidc_provider_trusts_the_cluster_issuer_for_sts(graph: Graph) -> None:
    eks = graph.one(CLUSTER)
    oidc = graph.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    issuer = eks.outputs["identities"][0]["oidcs"][0]["issuer"]
    assert oidc.inputs["url"] == issuer
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    assert graph.outputs["clusterOidcProviderArn"] == oidc.outputs["arn"]
    assert graph.outputs["clusterOidcProviderUrl"] == issuer.removeprefix("https://")


# --- add-ons ------------------------------------------------------------------------------------------


def _cluster_addons(graph: Graph) -> list:
    """The add-ons the Cluster component owns (Monitoring adds its own observability add-on)."""
    cluster = graph.one("quantumvest:cluster:Cluster")
    return [a for a in graph.of_type(ADDON) if a.parent == cluster.urn]


def test_managed_addons_are_pinned_and_ordered_around_the_nodes(graph: Graph) -> None:
    addons = {a.inputs["addonName"]: a for a in _cluster_addons(graph)}
    assert set(addons) == {
        "vpc-cni",
        "kube-proxy",
        "coredns",
        "eks-pod-identity-agent",
        "aws-ebs-csi-driver",
        "aws-efs-csi-driver",
    }
    for name, addon in addons.items():
        assert (
            addon.inputs["addonVersion"].startswith("v") and "-eksbuild." in addon.inputs["addonVersion"]
        ), name
    assert addons["kube-proxy"].inputs["addonVersion"].startswith(f"v{graph.outputs['kubernetesVersion']}.")
    group_urns = {g.urn for g in graph.of_type(NODE_GROUP)}
    for early in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
        assert all(addons[early].urn in graph.depends_on(g) for g in graph.of_type(NODE_GROUP)), early
    for late in ("coredns", "aws-ebs-csi-driver", "aws-efs-csi-driver"):
        assert group_urns <= graph.depends_on(addons[late]), late


def test_vpc_cni_enforces_network_policy(graph: Graph) -> None:
    cni = graph.one(ADDON, "vpc-cni").inputs
    assert json.loads(cni["configurationValues"])["enableNetworkPolicy"] == "true"


def test_coredns_and_csi_controllers_run_on_the_system_group(graph: Graph) -> None:
    toleration = {"key": "CriticalAddonsOnly", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
    placement = {
        "nodeSelector": {NODE_GROUP_LABEL: "system"},
        # dev's only group is untainted (the apps share it): nothing to tolerate there.
        "tolerations": [] if graph.stack == "dev" else [toleration],
    }
    coredns = json.loads(graph.one(ADDON, "coredns").inputs["configurationValues"])
    assert {k: coredns[k] for k in placement} == placement
    for csi in ("ebs-csi-driver", "efs-csi-driver"):
        config = json.loads(graph.one(ADDON, csi).inputs["configurationValues"])
        assert {k: config["controller"][k] for k in placement} == placement, csi


def test_csi_drivers_tag_what_they_create_with_the_cost_and_backup_tags(graph: Graph) -> None:
    """Volumes and access points are made by the drivers, not Pulumi: the provider's default tags never
    reach them, so the budget would not see them and the backup selection would not pick the volumes."""
    ebs = json.loads(graph.one(ADDON, "ebs-csi-driver").inputs["configurationValues"])["controller"]
    efs = json.loads(graph.one(ADDON, "efs-csi-driver").inputs["configurationValues"])["controller"]
    assert ebs["extraVolumeTags"]["CostCenter"] == f"quantumvest-{graph.stack}"
    assert ebs["extraVolumeTags"]["backup-plan"] == f"quantumvest-{graph.stack}"
    assert efs["tags"]["CostCenter"] == f"quantumvest-{graph.stack}" and "backup-plan" not in efs["tags"]


def test_csi_drivers_get_their_irsa_roles(graph: Graph) -> None:
    for addon, service_account in (
        ("ebs-csi-driver", "ebs-csi-controller-sa"),
        ("efs-csi-driver", "efs-csi-controller-sa"),
    ):
        role_arn = graph.one(ADDON, addon).inputs["serviceAccountRoleArn"]
        (role,) = [r for r in graph.of_type(ROLE) if r.outputs["arn"] == role_arn]
        condition = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
        subjects = [v for k, v in condition.items() if k.endswith(":sub")]
        assert subjects == [f"system:serviceaccount:kube-system:{service_account}"]


# --- the Kubernetes provider and outputs ----------------------------------------------------------------


def test_kubeconfig_is_a_secret_output_using_aws_eks_get_token(graph: Graph) -> None:
    assert "kubeconfig" in graph.secret_outputs
    config = json.loads(graph.outputs["kubeconfig"])
    user = config["users"][0]["user"]["exec"]
    assert user["command"] == "aws" and user["args"][2:4] == ["eks", "get-token"]
    eks = graph.one(CLUSTER)
    assert user["args"][user["args"].index("--cluster-name") + 1] == eks.inputs["name"]
    assert config["clusters"][0]["cluster"]["server"] == eks.outputs["endpoint"]
    provider = graph.one("pulumi:providers:kubernetes")
    assert "kubeconfig" in provider.secret_paths


def test_kubernetes_provider_waits_for_nodes_and_addons(graph: Graph) -> None:
    provider = graph.one("pulumi:providers:kubernetes")
    waits_for = graph.depends_on(provider)
    assert {g.urn for g in graph.of_type(NODE_GROUP)} <= waits_for
    assert {a.urn for a in _cluster_addons(graph)} <= waits_for


def test_stack_exports_the_cluster_contract(graph: Graph) -> None:
    eks = graph.one(CLUSTER)
    outputs = graph.outputs
    assert outputs["clusterName"] == eks.inputs["name"]
    assert outputs["clusterEndpoint"] == eks.outputs["endpoint"]
    assert outputs["clusterSecurityGroupId"] == eks.outputs["vpcConfig"]["clusterSecurityGroupId"]
    assert outputs["nodeRoleArn"] == graph.one(ROLE, "node-role").outputs["arn"]
    assert outputs["kubernetesVersion"] == eks.inputs["version"] == "1.35"


def test_cluster_name_is_unique_per_stack_not_fixed(graph: Graph) -> None:
    eks = graph.one(CLUSTER)
    suffix = graph.one("random:index/randomId:RandomId", "cluster")
    assert eks.inputs["name"] == f"quantumvest-cluster-{suffix.outputs['hex']}"
    assert suffix.provider and graph.by_urn(suffix.provider).type == "pulumi:providers:random"


# --- the component alone ------------------------------------------------------------------------------


def test_given_keys_are_used_and_no_key_is_created() -> None:
    graph = _build(
        ClusterArgs(),
        secrets_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/secrets",
        ebs_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/data",
        logs_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/logs",
    )
    assert graph.of_type("aws:kms/key:Key") == []
    assert graph.one(CLUSTER).inputs["encryptionConfig"]["provider"]["keyArn"].endswith("key/secrets")
    assert graph.one("aws:cloudwatch/logGroup:LogGroup").inputs["kmsKeyId"].endswith("key/logs")
    (template,) = graph.of_type(LAUNCH_TEMPLATE)
    assert template.inputs["blockDeviceMappings"][0]["ebs"]["kmsKeyId"].endswith("key/data")
    ebs_policy = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if "ebs-csi" in p.name]
    assert "kms:CreateGrant" in ebs_policy[0].inputs["policy"]


def test_public_endpoint_only_with_its_allow_list() -> None:
    args = ClusterArgs(
        endpoint_public_access=True, public_access_cidrs=["203.0.113.0/24"], admin_roles=["ops"]
    )
    vpc_config = _build(args).one(CLUSTER).inputs["vpcConfig"]
    assert vpc_config["endpointPublicAccess"] is True
    assert vpc_config["publicAccessCidrs"] == ["203.0.113.0/24"]


@pytest.mark.parametrize(
    ("role", "principal"),
    [
        ("ops", "arn:aws:iam::123456789012:role/ops"),
        ("arn:aws:iam::210987654321:role/sso/Admin", "arn:aws:iam::210987654321:role/sso/Admin"),
    ],
)
def test_roles_are_names_in_this_account_or_full_arns(role: str, principal: str) -> None:
    graph = _build(ClusterArgs(admin_roles=[role]))
    (entry,) = graph.of_type("aws:eks/accessEntry:AccessEntry")
    assert entry.inputs["principalArn"] == principal


def test_prefix_delegation_refuses_instance_types_that_are_not_nitro() -> None:
    group = {"instance_types": ["m5.large", "m4.large"], "capacity_type": "SPOT"}
    with pytest.raises(ValueError, match=r"node_groups\.system\.instance_types.*m4\.large not Nitro-based"):
        ClusterArgs(vpc_cni_prefix_delegation=True, spot_system_group=True, node_groups={"system": group})
    ClusterArgs(vpc_cni_prefix_delegation=False, spot_system_group=True, node_groups={"system": group})
