"""Every policy document a resource carries, labelled by kind, for the IAM rules.

- ``identity``: what a principal may do (inline role/user/group policies, customer-managed policies,
  and the AWS-managed policies attached, whose documents come from ``policy/data``);
- ``trust``: who may assume a role (``assumeRolePolicy``);
- ``resource``: who may use a resource (bucket, key, topic, queue, log, file system, repository,
  secret and vault policies).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from policy.model import ResourceLike
from policy.rules.base import as_list, policy_document
from policy.rules.iam_reference import managed_policy, managed_policy_name
from policy.rules.tokens import IAM_ATTACHMENTS, IAM_POLICY_DOCUMENTS, IAM_ROLE, KMS_KEY, KMS_KEY_POLICY

Kind = Literal["identity", "trust", "resource"]

#: Resource-policy types and the input holding the document.
RESOURCE_POLICIES: dict[str, str] = {
    KMS_KEY: "policy",
    KMS_KEY_POLICY: "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws:cloudwatch/logDestinationPolicy:LogDestinationPolicy": "accessPolicy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
}

#: Every type whose documents the IAM rules read.
POLICY_HOLDERS: tuple[str, ...] = (IAM_ROLE, *IAM_POLICY_DOCUMENTS, *IAM_ATTACHMENTS, *RESOURCE_POLICIES)


@dataclass(frozen=True)
class Document:
    """One policy document: its kind, a label naming where it comes from, and the parsed JSON
    (``None`` for an AWS-managed policy whose document is not kept in ``policy/data``)."""

    kind: Kind
    label: str
    document: dict[str, Any] | None


def _managed(arn: Any) -> Document | None:
    name = managed_policy_name(str(arn))
    if name is None:
        return None  # a customer-managed policy: checked on its own aws:iam/policy:Policy resource
    return Document("identity", f"aws-managed:{name.rsplit('/', 1)[-1]}", managed_policy(name))


def documents(r: ResourceLike) -> Iterator[Document]:
    """The documents ``r`` carries (none for a type that holds no policy)."""
    if r.type == IAM_ROLE:
        yield Document("trust", "trust policy", policy_document(r.inputs.get("assumeRolePolicy")))
        for inline in as_list(r.inputs.get("inlinePolicies")):
            if isinstance(inline, dict) and inline.get("policy"):
                label = f"inline:{inline.get('name') or 'policy'}"
                yield Document("identity", label, policy_document(inline.get("policy")))
        for arn in as_list(r.inputs.get("managedPolicyArns")):
            found = _managed(arn)
            if found is not None:
                yield found
    elif r.type in IAM_POLICY_DOCUMENTS:
        yield Document("identity", "policy", policy_document(r.inputs.get("policy")))
    elif r.type in IAM_ATTACHMENTS:
        found = _managed(r.inputs.get("policyArn"))
        if found is not None:
            yield found
    elif r.type in RESOURCE_POLICIES:
        value = r.inputs.get(RESOURCE_POLICIES[r.type])
        if value:
            yield Document("resource", "resource policy", policy_document(value))


def condition_keys(statement: dict[str, Any]) -> list[str]:
    """The condition keys of a statement, as written (``{"StringEquals": {"aws:SourceAccount": …}}``)."""
    condition = statement.get("Condition")
    if not isinstance(condition, dict):
        return []
    return [str(key) for block in condition.values() if isinstance(block, dict) for key in block]


def condition_values(statement: dict[str, Any], key: str) -> list[tuple[str, list[str]]]:
    """``(operator, values)`` for every place ``key`` (case-insensitive) appears in the condition."""
    condition = statement.get("Condition")
    found: list[tuple[str, list[str]]] = []
    if isinstance(condition, dict):
        for operator, block in condition.items():
            if isinstance(block, dict):
                for k, v in block.items():
                    if str(k).lower() == key.lower():
                        found.append((str(operator), [str(x) for x in as_list(v)]))
    return found


def service_principals(statement: dict[str, Any]) -> list[str]:
    """The ``Service`` principals of a statement."""
    principal = statement.get("Principal")
    if not isinstance(principal, dict):
        return []
    return [str(s) for s in as_list(principal.get("Service"))]


def is_open_principal(statement: dict[str, Any]) -> bool:
    """``"Principal": "*"`` or ``{"AWS": "*"}``: anyone, in any account."""
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in [str(p) for p in as_list(principal.get("AWS"))]
