"""Guardrails for S3 buckets. With pulumi-aws 7 each bucket setting is its own resource
(``BucketPublicAccessBlock``, ``BucketServerSideEncryptionConfiguration``, ``BucketVersioning``,
``BucketPolicy``, ``BucketLogging``, ``BucketReplicationConfig``), so every check is a stack check:
find the bucket's companion resource, then read it. The bucket's deprecated inline arguments count too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy.model import Context, ResourceLike, Tiering
from policy.rules.base import as_list, dig, has, is_true, policy_document, principals, rule, statements, words
from policy.rules.tokens import (
    BUCKET_ENCRYPTION,
    BUCKET_LOGGING,
    BUCKET_POLICY,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKET_REPLICATION,
    BUCKET_VERSIONING,
    BUCKETS,
)

PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def companions(ctx: Context, bucket: ResourceLike, *types: str) -> list[ResourceLike]:
    """The resources of ``types`` that configure ``bucket`` (their ``bucket`` input names it)."""
    return ctx.stack.referrers(bucket, "bucket", *types)


def is_log_target(ctx: Context, bucket: ResourceLike) -> bool:
    """Does another bucket deliver its access logs here? (The log bucket does not log to itself.)"""
    return bool(ctx.stack.referrers(bucket, "targetBucket", *BUCKET_LOGGING))


def is_replica_destination(ctx: Context, bucket: ResourceLike) -> bool:
    """Is this bucket the DR copy another bucket replicates into? (The copy does not replicate again.)"""
    identities = ctx.stack.identities(bucket)
    return any(
        isinstance(rule_, dict) and dig(rule_, "destination.bucket") in identities
        for config in ctx.stack.of_type(BUCKET_REPLICATION)
        for rule_ in as_list(config.inputs.get("rules"))
    )


def is_backup_bucket(bucket: ResourceLike) -> bool:
    """A bucket holding backups: tagged ``Purpose: backups`` or named ``…backup…``."""
    tags = bucket.inputs.get("tags") or {}
    purpose = str(tags.get("Purpose", "")).lower() if isinstance(tags, dict) else ""
    return purpose in ("backup", "backups") or "backup" in bucket.name.lower()


@rule(
    "s3-public-access-block",
    "Every bucket blocks public access with all four flags",
    ids=("FSBP S3.8", "CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
    types=BUCKETS,
    remediation="Add aws.s3.BucketPublicAccessBlock(bucket=..., block_public_acls=True, block_public_policy=True, "
    "ignore_public_acls=True, restrict_public_buckets=True).",
    scope="stack",
)
def s3_public_access_block(bucket: ResourceLike, ctx: Context) -> Iterator[str]:
    blocks = companions(ctx, bucket, BUCKET_PUBLIC_ACCESS_BLOCK)
    if not blocks:
        yield "no public access block"
        return
    for block in blocks:
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if not is_true(block.inputs.get(flag))]
        if off:
            yield f"public access block {block.name} leaves {', '.join(off)} off"


def _sse_rules(value: Any) -> list[dict[str, Any]]:
    return [r for r in as_list(value) if isinstance(r, dict)]


@rule(
    "s3-encryption-kms",
    "Every bucket encrypts by default with SSE-KMS (a customer key)",
    ids=("FSBP S3.17", "CKV_AWS_145"),
    types=BUCKETS,
    remediation="Add aws.s3.BucketServerSideEncryptionConfiguration with sse_algorithm 'aws:kms', "
    "kms_master_key_id = the data key, bucket_key_enabled=True.",
    scope="stack",
)
def s3_encryption_kms(bucket: ResourceLike, ctx: Context) -> Iterator[str]:
    defaults = []
    for config in companions(ctx, bucket, *BUCKET_ENCRYPTION):
        defaults += [
            dig(r, "applyServerSideEncryptionByDefault") for r in _sse_rules(config.inputs.get("rules"))
        ]
    inline = dig(bucket.inputs, "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault")
    if inline:
        defaults.append(inline)
    defaults = [d for d in defaults if isinstance(d, dict)]
    if not defaults:
        yield "no default encryption configuration (S3 falls back to SSE-S3)"
        return
    for default in defaults:
        algorithm = str(default.get("sseAlgorithm") or "")
        if algorithm == "AES256" and is_log_target(ctx, bucket):
            continue  # S3 server access logging delivers only to SSE-S3 target buckets
        if not algorithm.startswith("aws:kms"):
            yield f"default encryption is {algorithm or 'unset'}, not SSE-KMS"
        elif not has(default, "kmsMasterKeyId"):
            yield "SSE-KMS with the AWS-managed aws/s3 key; set kmsMasterKeyId to the data key"


@rule(
    "s3-versioning",
    "Every bucket keeps object versions",
    ids=("FSBP S3.14", "CKV_AWS_21"),
    types=BUCKETS,
    remediation="Add aws.s3.BucketVersioning(bucket=..., versioning_configuration={'status': 'Enabled'}).",
    scope="stack",
)
def s3_versioning(bucket: ResourceLike, ctx: Context) -> Iterator[str]:
    statuses = [
        dig(v.inputs, "versioningConfiguration.status") for v in companions(ctx, bucket, *BUCKET_VERSIONING)
    ]
    if is_true(dig(bucket.inputs, "versioning.enabled")):
        statuses.append("Enabled")
    if "Enabled" not in statuses:
        yield "versioning is not enabled: an overwrite or delete is final"


def _denies_insecure_transport(statement: dict[str, Any]) -> bool:
    if statement.get("Effect") != "Deny" or "*" not in principals(statement):
        return False
    actions = words(statement.get("Action"))
    if not any(a in ("s3:*", "*") for a in actions):
        return False
    condition = statement.get("Condition") or {}
    secure = dig(condition, "Bool.aws:SecureTransport")
    return str(secure).lower() == "false" or "false" in [str(v).lower() for v in as_list(secure)]


@rule(
    "s3-tls-only",
    "Every bucket policy denies requests that do not use TLS",
    ids=("FSBP S3.5", "NAG S10"),
    types=BUCKETS,
    remediation="Add a BucketPolicy statement: Effect Deny, Principal '*', Action 's3:*', Resource bucket and "
    "bucket/*, Condition {'Bool': {'aws:SecureTransport': 'false'}}.",
    scope="stack",
)
def s3_tls_only(bucket: ResourceLike, ctx: Context) -> Iterator[str]:
    documents = [policy_document(p.inputs.get("policy")) for p in companions(ctx, bucket, BUCKET_POLICY)]
    documents.append(policy_document(bucket.inputs.get("policy")))
    if not any(_denies_insecure_transport(s) for d in documents for s in statements(d)):
        yield "no bucket policy statement denies aws:SecureTransport = false"


@rule(
    "s3-access-logging",
    "Every bucket (but the access-log bucket itself) logs server access",
    ids=("FSBP S3.9", "CKV_AWS_18"),
    types=BUCKETS,
    remediation="Add aws.s3.BucketLogging(bucket=..., target_bucket=<the access-log bucket>, target_prefix=...).",
    scope="stack",
)
def s3_access_logging(bucket: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_log_target(ctx, bucket):
        return
    if not companions(ctx, bucket, *BUCKET_LOGGING) and not dig(bucket.inputs, "logging.targetBucket"):
        yield "server access logging is off"


@rule(
    "s3-backup-replication",
    "Backup buckets replicate to another region in prod",
    ids=("CKV_AWS_144",),
    types=BUCKETS,
    remediation="Add aws.s3.BucketReplicationConfig to a versioned, KMS-encrypted bucket in the DR region.",
    scope="stack",
    tiering=Tiering.PROD_ONLY,
)
def s3_backup_replication(bucket: ResourceLike, ctx: Context) -> Iterator[str]:
    if not is_backup_bucket(bucket) or is_replica_destination(ctx, bucket):
        return
    enabled = [
        rule_
        for config in companions(ctx, bucket, BUCKET_REPLICATION)
        for rule_ in as_list(config.inputs.get("rules"))
        if isinstance(rule_, dict) and rule_.get("status") == "Enabled"
    ]
    if not enabled:
        yield "the backup bucket does not replicate to another region"
