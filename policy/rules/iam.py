"""Guardrails for identity and audit: least-privilege IAM policies and a hardened CloudTrail."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from policy.model import Context, ResourceLike
from policy.rules.base import as_list, is_true, policy_document, present, principals, rule, statements, words
from policy.rules.tokens import CLOUDTRAIL, IAM_ATTACHMENTS, IAM_POLICY_DOCUMENTS, IAM_ROLE

#: Services where ``service:*`` hands over the keys to data or identity.
SENSITIVE_SERVICES = (
    "iam",
    "sts",
    "kms",
    "s3",
    "secretsmanager",
    "ssm",
    "ec2",
    "rds",
    "eks",
    "elasticache",
    "dynamodb",
    "lambda",
    "organizations",
    "cloudtrail",
    "wafv2",
)

#: Actions that let a principal grant itself more (the well-known IAM privilege-escalation paths).
ESCALATION_ACTIONS = (
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:PassRole",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "sts:AssumeRole",
)

#: AWS-managed policies that grant (nearly) everything.
ADMIN_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")


def _problems(document: dict[str, Any] | None, label: str) -> Iterator[str]:
    for statement in statements(document):
        if statement.get("Effect") != "Allow":
            continue
        sid = statement.get("Sid") or label
        resources = words(statement.get("Resource"))
        if statement.get("NotAction") is not None:
            yield f"{sid}: Allow with NotAction grants every other action"
            continue
        actions = words(statement.get("Action"))
        if any(a in ("*", "*:*") for a in actions):
            yield f"{sid}: allows every action ('*')"
            continue
        for action in actions:
            service, _, verb = action.partition(":")
            if verb == "*" and service.lower() in SENSITIVE_SERVICES:
                yield f"{sid}: allows all of {service} ({action})"
        if "*" in resources:
            escalations = sorted(
                {e for a in actions for e in ESCALATION_ACTIONS if fnmatchcase(e.lower(), a.lower())}
            )
            if escalations:
                yield f"{sid}: {', '.join(escalations)} on every resource allows privilege escalation"


def _open_trust(document: dict[str, Any] | None) -> Iterator[str]:
    for statement in statements(document):
        if (
            statement.get("Effect") == "Allow"
            and "*" in principals(statement)
            and not statement.get("Condition")
        ):
            yield f"{statement.get('Sid') or 'trust policy'}: anyone may assume the role (Principal '*')"


@rule(
    "iam-least-privilege",
    "IAM policies grant no '*:*', no wildcard on sensitive services, no privilege escalation",
    ids=("FSBP IAM.1", "CKV_AWS_1", "CKV_AWS_49", "CKV_AWS_110", "NAG IAM5"),
    types=(*IAM_POLICY_DOCUMENTS, IAM_ROLE, *IAM_ATTACHMENTS),
    remediation="List the actions the workload calls and the ARNs it touches (components/iam.py builds "
    "documents); never attach AdministratorAccess to a workload role.",
)
def iam_least_privilege(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if r.type in IAM_ATTACHMENTS:
        arn = str(r.inputs.get("policyArn") or "")
        if any(arn.endswith(f":policy/{name}") for name in ADMIN_POLICIES):
            yield f"attaches {arn.rsplit('/', 1)[-1]}"
        return
    if r.type == IAM_ROLE:
        yield from _open_trust(policy_document(r.inputs.get("assumeRolePolicy")))
        for inline in as_list(r.inputs.get("inlinePolicies")):
            if isinstance(inline, dict):
                yield from _problems(
                    policy_document(inline.get("policy")), str(inline.get("name") or "inline")
                )
        for arn in as_list(r.inputs.get("managedPolicyArns")):
            if any(str(arn).endswith(f":policy/{name}") for name in ADMIN_POLICIES):
                yield f"attaches {str(arn).rsplit('/', 1)[-1]}"
        return
    yield from _problems(policy_document(r.inputs.get("policy")), "statement")


@rule(
    "cloudtrail-hardened",
    "CloudTrail is multi-region, validates log files, encrypts with KMS and delivers to CloudWatch",
    ids=(
        "FSBP CloudTrail.1",
        "FSBP CloudTrail.2",
        "FSBP CloudTrail.4",
        "CKV_AWS_67",
        "CKV_AWS_36",
        "CKV_AWS_35",
    ),
    types=CLOUDTRAIL,
    remediation="Set is_multi_region_trail=True, enable_log_file_validation=True, kms_key_id=<logs key>, "
    "cloud_watch_logs_group_arn and cloud_watch_logs_role_arn.",
)
def cloudtrail_hardened(trail: ResourceLike, ctx: Context) -> Iterator[str]:
    if not is_true(trail.inputs.get("isMultiRegionTrail")):
        yield "the trail records one region only (isMultiRegionTrail is not true)"
    if not is_true(trail.inputs.get("enableLogFileValidation")):
        yield "log file validation is off: tampering would go unnoticed"
    if not present(trail, "kmsKeyId"):
        yield "logs are not encrypted with a KMS key (kmsKeyId)"
    if not present(trail, "cloudWatchLogsGroupArn"):
        yield "no CloudWatch Logs delivery (cloudWatchLogsGroupArn): no alarms on API activity"
