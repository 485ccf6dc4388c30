"""Access to the private cluster (components/ci_runner.py, admin_vpn.py, admin_roles.py and the API
admission block of cluster.py): settings per tier, bad input, and the wiring in each stack's graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from config import load_stack_file
from tests.conftest import stack_graph
from tests.helpers import REPO, rejected
from tools.harness import Graph, Resource

SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPN = "aws:ec2clientvpn/endpoint:Endpoint"


def _private_subnets(graph: Graph) -> list[Resource]:
    """The primary network's private subnets (prod's DR network has its own)."""
    return [
        s
        for s in graph.of_type("aws:ec2/subnet:Subnet")
        if s.inputs["tags"].get("Tier") == "private" and s.name.startswith("quantumvest-network-")
    ]


def _group_rules(graph: Graph, group: Resource, kind: str) -> list[Resource]:
    return [r for r in graph.of_type(kind) if r.inputs.get("securityGroupId") == group.id]


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    ("stack", "vpn", "associations"), [("dev", False, 0), ("staging", True, 1), ("prod", True, 2)]
)
def test_tiers_runner_everywhere_vpn_in_staging_and_prod(stack: str, vpn: bool, associations: int) -> None:
    cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    assert cfg.ci_runner.enabled and cfg.admin_roles.enabled
    assert cfg.admin_vpn.enabled is vpn
    graph = stack_graph(stack)
    assert len(graph.of_type("aws:codebuild/project:Project")) == 1
    assert len(graph.of_type(VPN)) == int(vpn)
    assert len(graph.of_type("aws:ec2clientvpn/networkAssociation:NetworkAssociation")) == associations


def test_vpn_without_a_saml_provider_is_rejected(tmp_path: Path) -> None:
    message = rejected(tmp_path, "staging", {"admin_vpn": {"saml_provider": None}})
    assert "admin_vpn.saml_provider" in message and "Identity Center" in message


def test_vpn_clients_overlapping_the_vpc_are_rejected(tmp_path: Path) -> None:
    message = rejected(tmp_path, "prod", {"admin_vpn": {"client_cidr": "10.30.0.0/22"}})
    assert "admin_vpn.client_cidr = 10.30.0.0/22" in message and "overlaps network.cidr" in message


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"admin_vpn": {"client_cidr": "10.250.0.0/24"}}, "admin_vpn.client_cidr"),
        ({"admin_vpn": {"session_timeout_hours": 48}}, "admin_vpn.session_timeout_hours"),
        (
            {"admin_vpn": {"server_certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}},
            "admin_vpn.server_certificate_arn",
        ),
        ({"ci_runner": {"github_repository": "not a repo"}}, "ci_runner.github_repository"),
        ({"ci_runner": {"compute_type": "BUILD_GENERAL1_2XLARGE"}}, "ci_runner.compute_type"),
        (
            {"admin_roles": {"roles": {"admin": {"access": "cluster-admin", "max_session_hours": 24}}}},
            "admin_roles.roles.admin.max_session_hours",
        ),
    ],
)
def test_bad_access_settings_name_the_key(tmp_path: Path, overrides: dict, key: str) -> None:
    assert key in rejected(tmp_path, "staging", overrides)


# --------------------------------------------------------------------------- the runner


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_runner_is_in_the_private_subnets_admits_nothing_and_logs_encrypted(stack: str) -> None:
    graph = stack_graph(stack)
    project = graph.one("aws:codebuild/project:Project")
    vpc = project.inputs["vpcConfig"]
    private = [s.id for s in _private_subnets(graph)]
    assert sorted(vpc["subnets"]) == sorted(private)  # the runner spans every private subnet
    (group,) = [g for g in graph.of_type(SG) if g.id in vpc["securityGroupIds"]]
    assert _group_rules(graph, group, INGRESS) == []
    (egress,) = _group_rules(graph, group, EGRESS)
    assert (egress.inputs["ipProtocol"], egress.inputs["fromPort"], egress.inputs["toPort"]) == (
        "tcp",
        443,
        443,
    )
    logs = graph.named("quantumvest-ci-runner-logs")
    assert project.inputs["logsConfig"]["cloudwatchLogs"]["groupName"] == logs.outputs["name"]
    logs_key = graph.named("quantumvest-security-logs-key")
    assert logs.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    assert project.inputs["environment"]["privilegedMode"] is False
    assert project.inputs["name"] == f"quantumvest-{stack}-runner"
    (webhook,) = graph.of_type("aws:codebuild/webhook:Webhook")
    assert webhook.inputs["filterGroups"] == [
        {"filters": [{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]}
    ]


def test_runner_service_role_can_only_log_and_place_its_network_interfaces() -> None:
    graph = stack_graph("dev")
    policy = json.loads(graph.named("quantumvest-ci-runner-service-role-policy").inputs["policy"])
    actions = {
        a
        for s in policy["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert all(a.startswith(("logs:", "ec2:", "kms:")) for a in actions)
    assert not any(a.endswith("*") and not a.startswith("kms:GenerateDataKey") for a in actions)
    (eni,) = [s for s in policy["Statement"] if s["Action"] == "ec2:CreateNetworkInterfacePermission"]
    assert eni["Condition"]["StringEquals"] == {"ec2:AuthorizedService": "codebuild.amazonaws.com"}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_pipeline_and_mfa_roles_get_their_access_levels(stack: str) -> None:
    graph = stack_graph(stack)
    policies = {
        a.name.removeprefix("quantumvest-cluster-access-").removesuffix("-policy"): a.inputs[
            "policyArn"
        ].rsplit("/", 1)[-1]
        for a in graph.of_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
        if a.name.startswith("quantumvest-cluster-access-")
    }
    assert policies == {
        "pipeline-deploy": "AmazonEKSClusterAdminPolicy",
        "pipeline-preview": "AmazonEKSViewPolicy",
        "mfa-admin": "AmazonEKSClusterAdminPolicy",
        "mfa-readonly": "AmazonEKSViewPolicy",
    }
    entry = graph.named("quantumvest-cluster-access-pipeline-deploy")
    assert entry.inputs["principalArn"] == f"arn:aws:iam::123456789012:role/quantumvest-{stack}-deploy"


# --------------------------------------------------------------------------- the VPN


def test_vpn_is_saml_split_tunnel_logged_and_authorizes_the_private_subnets_only() -> None:
    graph = stack_graph("prod")
    endpoint = graph.one(VPN).inputs
    (auth,) = endpoint["authenticationOptions"]
    assert auth == {
        "type": "federated-authentication",
        "samlProviderArn": "arn:aws:iam::123456789012:saml-provider/quantumvest-client-vpn",
    }
    assert endpoint["splitTunnel"] is True and endpoint["sessionTimeoutHours"] == 8
    assert endpoint["serverCertificateArn"].startswith("arn:aws:acm:us-east-1:123456789012:certificate/")
    logs = graph.named("quantumvest-admin-vpn-connection-logs")
    assert endpoint["connectionLogOptions"]["enabled"] is True
    assert endpoint["connectionLogOptions"]["cloudwatchLogGroup"] == logs.outputs["name"]
    assert logs.inputs["kmsKeyId"] == graph.named("quantumvest-security-logs-key").outputs["arn"]
    private = sorted(s.inputs["cidrBlock"] for s in _private_subnets(graph))
    opened = sorted(
        r.inputs["targetNetworkCidr"]
        for r in graph.of_type("aws:ec2clientvpn/authorizationRule:AuthorizationRule")
    )
    assert opened == private
    assert endpoint["dnsServers"] == ["10.30.0.2"]
    assert not any(k in json.dumps(endpoint) for k in ("BEGIN CERTIFICATE", "PRIVATE KEY"))


def test_vpn_security_group_admits_nothing_and_reaches_only_https_and_dns_in_the_vpc() -> None:
    graph = stack_graph("staging")
    group = graph.named("quantumvest-admin-vpn-sg")
    assert _group_rules(graph, group, INGRESS) == []
    reach = sorted((r.inputs["cidrIpv4"], r.inputs["fromPort"]) for r in _group_rules(graph, group, EGRESS))
    assert reach == [("10.20.0.0/16", 443), ("10.20.0.2/32", 53), ("10.20.0.2/32", 53)]


def test_admin_roles_need_recent_mfa_and_short_sessions() -> None:
    graph = stack_graph("prod")
    admin = graph.named("quantumvest-admin-roles-admin")
    (statement,) = json.loads(admin.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Condition"] == {
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
        "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
    }
    assert statement["Principal"] == {"AWS": ["arn:aws:iam::123456789012:root"]}
    assert admin.inputs["maxSessionDuration"] == 3600
