"""Issue 18's least-privilege fixes, on the whole stacks and on the parts alone: the VPC CNI on its own
role, the cluster role without the legacy cloud provider's writes, node SSM and the VPC resource
controller behind settings, confused-deputy guards on every service role, key-policy conditions that
apply, and the load balancer controller's policy pinned to the release the program installs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.cluster import Cluster, ClusterArgs
from components.cluster_service_policies import LBC_POLICY_VERSION, load_balancer_controller_policy
from components.key_policies import logs_key_policy
from policy.rules.iam_documents import documents, service_principals
from policy.rules.iam_reference import expand, key_applies
from tests.dr_region import dr_region_graph
from tools.harness import Graph, Resource, run

ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ADDON = "aws:eks/addon:Addon"
UPSTREAM_LBC = (
    Path(__file__).parent / "data" / f"aws-load-balancer-controller-iam-policy-{LBC_POLICY_VERSION}.json"
)


def _trust(role: Resource) -> dict[str, Any]:
    return json.loads(role.inputs["assumeRolePolicy"])


def _attached(graph: Graph, role: Resource) -> set[str]:
    return {
        a.inputs["policyArn"].rsplit("/", 1)[1]
        for a in graph.of_type(ATTACHMENT)
        if a.inputs["role"] == role.id
    }


# --- the VPC CNI, the node role and the cluster role -----------------------------------------------------


def test_vpc_cni_runs_on_its_own_irsa_role_with_the_cni_policy(graph: Graph) -> None:
    cni = graph.one(ADDON, "vpc-cni")
    (role,) = [r for r in graph.of_type(ROLE) if r.outputs["arn"] == cni.inputs["serviceAccountRoleArn"]]
    (statement,) = _trust(role)["Statement"]
    subjects = [v for k, v in statement["Condition"]["StringEquals"].items() if k.endswith(":sub")]
    assert subjects == ["system:serviceaccount:kube-system:aws-node"]
    assert _attached(graph, role) == {"AmazonEKS_CNI_Policy"}
    holders = [
        r.name for r in graph.of_type(ATTACHMENT) if r.inputs["policyArn"].endswith("/AmazonEKS_CNI_Policy")
    ]
    assert holders == [f"{role.name}-attach-0"]  # nobody else, the node role least of all


def test_cluster_role_has_the_minimal_policy_and_no_managed_writes(graph: Graph) -> None:
    role = graph.one(ROLE, "cluster-role")
    assert _attached(graph, role) == set()  # neither AmazonEKSClusterPolicy nor the VPC resource controller
    minimal = json.loads(graph.one("aws:iam/rolePolicy:RolePolicy", "cluster-role-minimal").inputs["policy"])
    writes = {
        a.full
        for s in minimal["Statement"]
        for pattern in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        for a in expand(pattern) or []
        if a.level != "R" and a.level != "L"
    }
    assert writes == {"ec2:CreateTags", "ec2:DeleteNetworkInterface"}
    for statement in minimal["Statement"]:
        if statement["Action"] in ("ec2:CreateTags", "ec2:DeleteNetworkInterface"):
            assert statement["Condition"], statement["Sid"]


def test_cluster_trust_names_this_account_and_this_cluster(graph: Graph) -> None:
    (statement,) = _trust(graph.one(ROLE, "cluster-role"))["Statement"]
    cluster = graph.one("aws:eks/cluster:Cluster")
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": f"arn:aws:eks:us-east-1:123456789012:cluster/{cluster.inputs['name']}"},
    }


def _cluster(**settings: Any) -> Graph:
    return run(
        lambda: Cluster(
            "eks",
            ClusterArgs(**settings),
            vpc_id="vpc-0123456789abcdef0",
            subnet_ids=["subnet-a", "subnet-b"],
        )
    )


def test_ssm_and_the_vpc_resource_controller_only_when_their_setting_is_on() -> None:
    default = _cluster()
    assert _attached(default, default.one(ROLE, "node-role")) == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryPullOnly",
    }
    assert "env" not in json.loads(default.one(ADDON, "vpc-cni").inputs["configurationValues"])
    on = _cluster(node_ssm_access=True, security_groups_for_pods=True)
    assert "AmazonSSMManagedInstanceCore" in _attached(on, on.one(ROLE, "node-role"))
    assert _attached(on, on.one(ROLE, "cluster-role")) == {"AmazonEKSVPCResourceController"}
    assert json.loads(on.one(ADDON, "vpc-cni").inputs["configurationValues"])["env"] == {
        "ENABLE_POD_ENI": "true"
    }


def test_node_ssm_is_a_tier_setting_on_in_dev_only(graphs: dict[str, Graph]) -> None:
    for stack, graph in graphs.items():
        assert ("AmazonSSMManagedInstanceCore" in _attached(graph, graph.one(ROLE, "node-role"))) == (
            stack == "dev"
        )


# --- confused-deputy guards ------------------------------------------------------------------------------

#: Where each service's role trust points aws:SourceArn (None: aws:SourceAccount alone).
EXPECTED_SOURCE_ARN = {
    "vpc-flow-logs.amazonaws.com": "arn:aws:ec2:{region}:123456789012:vpc-flow-log/*",
    "monitoring.rds.amazonaws.com": "arn:aws:rds:*:123456789012:db:*",
    "backup.amazonaws.com": None,
}


def test_every_service_role_trust_names_this_account(graph: Graph) -> None:
    seen: set[str] = set()
    for role in graph.of_type(ROLE):
        for statement in _trust(role)["Statement"]:
            for service in service_principals(statement):
                seen.add(service)
                if service == "ec2.amazonaws.com":
                    assert "Condition" not in statement  # instance profiles: see the pack's exemption list
                    continue
                condition = statement["Condition"]
                assert condition.get("StringEquals", {}).get("aws:SourceAccount") == "123456789012" or (
                    "123456789012" in json.dumps(condition.get("StringEquals", {}).get("aws:SourceArn"))
                ), (role.name, service)
                if service in EXPECTED_SOURCE_ARN:
                    region = "us-west-2" if "-dr-" in role.name else "us-east-1"
                    expected = EXPECTED_SOURCE_ARN[service]
                    assert condition.get("ArnLike", {}).get("aws:SourceArn") == (
                        expected.format(region=region) if expected else None
                    ), role.name
    assert {"eks.amazonaws.com", "vpc-flow-logs.amazonaws.com", "backup.amazonaws.com"} <= seen


def test_replication_role_acts_only_for_its_source_bucket() -> None:
    graph = dr_region_graph()  # prod with platform.dr_region (prod itself has a standby instead)
    role = graph.one(ROLE, "replication")
    (statement,) = _trust(role)["Statement"]
    source = graph.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs["bucket"]
    assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"].endswith(f":::{source}")


# --- key policies ----------------------------------------------------------------------------------------


def test_logs_key_conditions_apply_to_the_actions_they_guard() -> None:
    policy = json.loads(logs_key_policy("aws", "123456789012", "us-east-1", "trail"))
    for statement in policy["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        for block in statement.get("Condition", {}).values():
            for key in block:
                for pattern in actions:
                    assert all(key_applies(a, key) for a in expand(pattern) or []), (
                        statement["Sid"],
                        key,
                        pattern,
                    )
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["CloudWatchLogsDescribesTheKeyForThisAccount"]["Action"] == "kms:DescribeKey"
    assert "kms:DescribeKey" not in by_sid["CloudWatchLogsEncryptsThisAccountsLogGroups"]["Action"]


# --- the load balancer controller ------------------------------------------------------------------------


def _normal(statement: dict[str, Any]) -> tuple:
    def items(value: Any) -> tuple[str, ...]:
        return tuple(sorted([value] if isinstance(value, str) else value))

    return (
        items(statement["Action"]),
        items(statement["Resource"]),
        json.dumps(statement.get("Condition"), sort_keys=True),
    )


def test_load_balancer_controller_policy_is_the_pinned_release_plus_one_narrowing() -> None:
    upstream = {_normal(s) for s in json.loads(UPSTREAM_LBC.read_text())["Statement"]}
    ours = json.loads(load_balancer_controller_policy("aws", "qv-cluster-1a2b3c4d"))["Statement"]
    narrowed = {
        "Null": {"aws:ResourceTag/kubernetes.io/cluster/qv-cluster-1a2b3c4d": "false"},
    }
    changed = [s for s in ours if _normal(s) not in upstream]
    assert [(s["Sid"], s["Condition"]) for s in changed] == [("SecurityGroupRules", narrowed)]
    unconditioned = {k: v for k, v in changed[0].items() if k != "Condition"}
    assert _normal(unconditioned) in upstream
    assert len(ours) == len(upstream)


@pytest.mark.parametrize("partition", ["aws", "aws-us-gov"])
def test_load_balancer_controller_security_group_writes_all_need_a_tag(partition: str) -> None:
    """No statement lets the controller open or delete a group it cannot prove is its own or the
    cluster's (the database's group carries neither tag)."""
    for statement in json.loads(load_balancer_controller_policy(partition, "c"))["Statement"]:
        actions = {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])
        if actions & {
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:RevokeSecurityGroupIngress",
            "ec2:DeleteSecurityGroup",
        }:
            tags = set(statement["Condition"]["Null"])
            assert tags <= {
                "aws:ResourceTag/elbv2.k8s.aws/cluster",
                "aws:ResourceTag/kubernetes.io/cluster/c",
            }, tags


def test_every_attached_aws_managed_policy_is_kept_as_data(graphs: dict[str, Graph]) -> None:
    """The wildcard rule judges AWS-managed policies by their documents in policy/data: all must be there."""
    for graph in graphs.values():
        for resource in graph:
            for document in documents(resource):
                assert document.document is not None, (graph.stack, resource.name, document.label)
