"""IRSA: every web-identity role is bound to exactly one namespace/service account, the one that uses it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.irsa import irsa_role, irsa_trust_policy, service_account_subject
from tools.harness import Graph, Resource, run

ROLE = "aws:iam/role:Role"
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
OIDC_URL = "oidc.eks.us-east-1.amazonaws.com/id/ABC"


def _trust(role: Resource) -> dict[str, Any]:
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    return statement


def _web_identity_roles(graph: Graph) -> list[Resource]:
    return [r for r in graph.of_type(ROLE) if _trust(r)["Action"] == "sts:AssumeRoleWithWebIdentity"]


def _subject(role: Resource) -> str:
    condition = _trust(role)["Condition"]
    assert set(condition) == {"StringEquals"}  # never StringLike: no wildcards in the subject
    (sub,) = [v for k, v in condition["StringEquals"].items() if k.endswith(":sub")]
    return sub


def test_every_irsa_role_trusts_only_the_cluster_oidc_provider_for_one_service_account(graph: Graph) -> None:
    oidc = graph.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    issuer = graph.outputs["clusterOidcProviderUrl"]
    roles = _web_identity_roles(graph)
    assert len(roles) >= 6
    subjects = []
    for role in roles:
        statement = _trust(role)
        assert statement["Principal"] == {"Federated": oidc.outputs["arn"]}
        assert statement["Condition"]["StringEquals"] == {
            f"{issuer}:sub": _subject(role),
            f"{issuer}:aud": "sts.amazonaws.com",
        }
        subjects.append(_subject(role))
    assert len(set(subjects)) == len(subjects)  # one role per service account


def test_each_release_uses_the_role_bound_to_its_own_namespace_and_service_account(graph: Graph) -> None:
    roles_by_arn = {r.outputs["arn"]: r for r in _web_identity_roles(graph)}
    checked = 0
    services = graph.one("quantumvest:cluster:ClusterServices")
    for release in (r for r in graph.of_type("kubernetes:helm.sh/v3:Release") if r.parent == services.urn):
        values = release.inputs.get("values") or {}  # the CRD chart has none
        account = values.get("serviceAccount") or values.get("rbac", {}).get("serviceAccount")
        if not account or "eks.amazonaws.com/role-arn" not in account.get("annotations", {}):
            continue
        role = roles_by_arn[account["annotations"]["eks.amazonaws.com/role-arn"]]
        assert _subject(role) == f"system:serviceaccount:{release.inputs['namespace']}:{account['name']}"
        checked += 1
    # cluster-autoscaler, load balancer controller, cert-manager, external-dns, external-secrets (no
    # external-dns in prod: a DR pair's public records are the program's, components/dr.py)
    assert checked == (4 if graph.stack == "prod" else 5)


def test_trust_policy_pins_subject_and_audience() -> None:
    statement = json.loads(irsa_trust_policy(OIDC_ARN, "https://" + OIDC_URL, "payments", "api"))[
        "Statement"
    ][0]
    assert statement["Condition"] == {
        "StringEquals": {
            f"{OIDC_URL}:sub": "system:serviceaccount:payments:api",
            f"{OIDC_URL}:aud": "sts.amazonaws.com",
        }
    }


@pytest.mark.parametrize(("namespace", "account"), [("Payments", "api"), ("payments", "*"), ("-x", "api")])
def test_subjects_must_be_valid_kubernetes_names(namespace: str, account: str) -> None:
    with pytest.raises(ValueError, match="not a valid Kubernetes"):
        service_account_subject(namespace, account)


def test_helper_creates_role_inline_policy_and_attachments() -> None:
    def program() -> None:
        irsa_role(
            "reader",
            namespace="payments",
            service_account="api",
            oidc_provider_arn=OIDC_ARN,
            oidc_provider_url=OIDC_URL,
            policy_json='{"Version": "2012-10-17", "Statement": []}',
            managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        )

    graph = run(program)
    role = graph.one(ROLE)
    assert _subject(role) == "system:serviceaccount:payments:api"
    assert graph.one("aws:iam/rolePolicy:RolePolicy").inputs["role"] == role.id
    assert (
        graph.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs["role"] == role.outputs["name"]
    )


def test_a_role_with_no_permissions_is_refused() -> None:
    with pytest.raises(ValueError, match="give policy_json or managed_policy_arns"):
        irsa_role(
            "idle",
            namespace="payments",
            service_account="api",
            oidc_provider_arn=OIDC_ARN,
            oidc_provider_url=OIDC_URL,
        )
