"""Guardrails for KMS keys: automatic rotation and an explicit key policy without open principals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy.model import Context, ResourceLike
from policy.rules.base import is_true, policy_document, principals, rule, statements
from policy.rules.tokens import KMS_KEY, KMS_KEY_POLICY, KMS_REPLICA_KEY


def is_symmetric_encryption_key(key: ResourceLike) -> bool:
    """Only symmetric encryption keys can rotate automatically."""
    spec = str(key.inputs.get("customerMasterKeySpec") or key.inputs.get("keySpec") or "SYMMETRIC_DEFAULT")
    usage = str(key.inputs.get("keyUsage") or "ENCRYPT_DECRYPT")
    return (
        spec == "SYMMETRIC_DEFAULT" and usage == "ENCRYPT_DECRYPT" and not key.inputs.get("customKeyStoreId")
    )


@rule(
    "kms-key-rotation",
    "Customer-managed keys rotate automatically",
    ids=("FSBP KMS.4", "CKV_AWS_7"),
    types=KMS_KEY,
    remediation="Set enable_key_rotation=True (rotation_period_in_days defaults to 365).",
)
def kms_key_rotation(key: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_symmetric_encryption_key(key) and not is_true(key.inputs.get("enableKeyRotation")):
        yield "automatic key rotation is off (enableKeyRotation is not true)"


def _open_statements(document: dict[str, Any] | None) -> Iterator[str]:
    for statement in statements(document):
        if (
            statement.get("Effect") == "Allow"
            and "*" in principals(statement)
            and not statement.get("Condition")
        ):
            yield str(statement.get("Sid") or "(no Sid)")


@rule(
    "kms-key-policy",
    "Keys have an explicit key policy with no unconditioned '*' principal",
    ids=("CKV2_AWS_64", "CKV_AWS_33"),
    types=(KMS_KEY, KMS_REPLICA_KEY),
    remediation="Pass policy= with the account root, the key administrators and the using services' roles; "
    "scope any '*' principal with aws:PrincipalAccount or kms:ViaService conditions.",
    scope="stack",
)
def kms_key_policy(key: ResourceLike, ctx: Context) -> Iterator[str]:
    documents = [policy_document(key.inputs.get("policy"))]
    documents += [
        policy_document(p.inputs.get("policy")) for p in ctx.stack.referrers(key, "keyId", KMS_KEY_POLICY)
    ]
    documents = [d for d in documents if d]
    if not documents:
        yield "no explicit key policy: the default grants the whole account through IAM"
        return
    for document in documents:
        for sid in _open_statements(document):
            yield f"statement {sid} allows principal '*' without a condition"
    if is_true(key.inputs.get("bypassPolicyLockoutSafetyCheck")):
        yield "bypassPolicyLockoutSafetyCheck is true: a bad policy can lock everyone out of the key"
