"""The hardened S3 bucket every storage role gets, and the bucket-policy statements they share.

A bucket here is the bucket plus its standalone configuration resources (the provider's current
shape: ``aws.s3.Bucket`` + ``BucketVersioning``, ``BucketServerSideEncryptionConfiguration``, …):

- default encryption: SSE-KMS with the given key and an S3 Bucket Key (one KMS call per object
  batch, not per object), or SSE-S3 for a bucket that receives S3 server access logs, which S3
  cannot write under SSE-KMS (FSBP S3.17, CKV_AWS_145);
- versioning on (FSBP S3.14, CKV_AWS_21);
- all four block-public-access flags (FSBP S3.8, CKV2_AWS_6, CKV_AWS_53..56);
- object ownership ``BucketOwnerEnforced``: ACLs off, the bucket owner owns every object;
- a lifecycle configuration (colder classes, expiry, noncurrent versions, stale multipart uploads);
- server access logging into the log bucket (FSBP S3.9, CKV_AWS_18) unless it is the log bucket.

The bucket policy is not created here: other resources (a CloudFront distribution, log delivery)
add statements to it, so :func:`attach_policy` creates it once they are known. Every policy starts
with :func:`tls_only_statements` (FSBP S3.5, NAG S10). A log bucket gets its policy before the
buckets that log into it, so their logging configuration can wait for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic import Field

from .args import Args
from .iam import policy_document
from .lifecycle import LifecycleArgs

#: A bucket role: a DNS-label-like word that becomes part of the bucket name.
ROLE_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")

#: Characters Pulumi appends to ``bucket_prefix`` (S3 names are at most 63 characters).
BUCKET_PREFIX_MAX = 37

#: Name starts S3 reserves (bucket naming rules).
RESERVED_NAME_STARTS = ("xn--", "sthree-", "amzn-s3-demo-")

#: Where S3 server access logs land in the log bucket, one folder per source bucket.
ACCESS_LOG_PREFIX = "s3-access"


class BucketArgs(Args):
    """One bucket of the platform. Defaults: versioned, Standard storage, noncurrent versions kept 90 days."""

    lifecycle: LifecycleArgs = Field(
        default_factory=LifecycleArgs,
        description="Storage-class transitions and expiry (checked as S3 would).",
    )
    replicate_to_dr: bool = Field(
        default=False,
        description="Replicate objects to a bucket in the DR region (CKV_AWS_144); the backups bucket in prod.",
    )


@dataclass
class HardenedBucket:
    """The resources of one bucket that callers wire to (others are created and left alone)."""

    role: str
    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    public_access_block: aws.s3.BucketPublicAccessBlock
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    #: Set by :func:`attach_policy`; writers into this bucket wait for it.
    policy: aws.s3.BucketPolicy | None = field(default=None)

    @property
    def name(self) -> pulumi.Output[str]:
        return self.bucket.bucket

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.bucket.arn


def hardened_bucket(
    name: str,
    role: str,
    *,
    bucket_prefix: str,
    lifecycle: LifecycleArgs,
    kms_key_arn: pulumi.Input[str] | None,
    log_bucket: HardenedBucket | None,
    log_prefix: str | None = None,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
    protect: bool = False,
    retain_on_delete: bool = False,
    force_destroy: bool = False,
    former_names: Mapping[str, str] | None = None,
) -> HardenedBucket:
    """Create one bucket with the hardening above. ``kms_key_arn=None`` means SSE-S3 (log buckets only).

    Resources are named ``{name}-{role}-…`` and parented to ``parent``; ``provider`` places them in
    another region (the DR copy). ``protect`` guards the bucket itself against deletion;
    ``retain_on_delete`` keeps it in AWS if the stack that made it is ever destroyed; ``force_destroy``
    lets a destroy empty it first (off: only a tier that is torn down routinely asks for it).
    ``former_names`` maps a resource's suffix (``bucket``, ``ownership``, ``public-access-block``,
    ``versioning``, ``encryption``, ``lifecycle``, ``access-logging``) to the logical name it had
    before the bucket moved onto this builder: it becomes a ``pulumi.Alias``, so the move is a rename
    in the state, not a replacement.
    """
    prefix = f"{name}-{role}"
    child = pulumi.ResourceOptions(parent=parent, provider=provider)

    def opts(suffix: str, extra: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        former = (former_names or {}).get(suffix)
        aliased = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=former)]) if former else None
        return pulumi.ResourceOptions.merge(pulumi.ResourceOptions.merge(child, extra), aliased)

    bucket = aws.s3.Bucket(
        f"{prefix}-bucket",
        bucket_prefix=f"{bucket_prefix}{role}-",
        force_destroy=force_destroy,
        tags={"Role": role},
        opts=opts("bucket", pulumi.ResourceOptions(protect=protect, retain_on_delete=retain_on_delete)),
    )
    aws.s3.BucketOwnershipControls(
        f"{prefix}-ownership",
        bucket=bucket.bucket,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=opts("ownership"),
    )
    public_access_block = aws.s3.BucketPublicAccessBlock(
        f"{prefix}-public-access-block",
        bucket=bucket.bucket,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts("public-access-block"),
    )
    versioning = aws.s3.BucketVersioning(
        f"{prefix}-versioning",
        bucket=bucket.bucket,
        versioning_configuration={"status": "Enabled"},
        opts=opts("versioning"),
    )
    by_default: aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgsDict = (
        {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn}
        if kms_key_arn is not None
        else {"sse_algorithm": "AES256"}
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{prefix}-encryption",
        bucket=bucket.bucket,
        rules=[
            {
                "apply_server_side_encryption_by_default": by_default,
                "bucket_key_enabled": kms_key_arn is not None,
            }
        ],
        opts=opts("encryption"),
    )
    aws.s3.BucketLifecycleConfiguration(
        f"{prefix}-lifecycle",
        bucket=bucket.bucket,
        rules=[lifecycle.rule(), *lifecycle.prefix_rules()],
        # Noncurrent-version rules act on versions; create them once versioning is on.
        opts=opts("lifecycle", pulumi.ResourceOptions(depends_on=[versioning])),
    )
    if log_bucket is not None:
        aws.s3.BucketLogging(
            f"{prefix}-access-logging",
            bucket=bucket.bucket,
            target_bucket=log_bucket.name,
            target_prefix=f"{ACCESS_LOG_PREFIX}/{log_prefix or role}/",
            target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
            # The log bucket's policy must admit the S3 logging service before logs are pointed at it.
            opts=opts(
                "access-logging",
                pulumi.ResourceOptions(depends_on=[log_bucket.policy] if log_bucket.policy else []),
            ),
        )
    return HardenedBucket(
        role=role,
        bucket=bucket,
        versioning=versioning,
        public_access_block=public_access_block,
        encryption=encryption,
    )


def tls_only_statements(bucket_arn: pulumi.Input[str]) -> list[dict[str, Any]]:
    """Deny every request not made over TLS, and over TLS older than 1.2 (FSBP S3.5, NAG S10)."""
    resources = [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    ]


def server_access_log_statement(
    log_bucket_arn: pulumi.Input[str], bucket_prefix: str, account_id: pulumi.Input[str]
) -> dict[str, Any]:
    """Let the S3 logging service write access logs of this account's buckets named ``bucket_prefix…``.

    The source is matched by name prefix rather than by a list of bucket ARNs so that the policy
    exists before the buckets it serves (their logging configuration waits for it).
    """
    return {
        "Sid": "AllowS3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": pulumi.Output.concat(log_bucket_arn, f"/{ACCESS_LOG_PREFIX}/*"),
        "Condition": {
            "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket_prefix}*"},
            "StringEquals": {"aws:SourceAccount": account_id},
        },
    }


def attach_policy(
    name: str,
    target: HardenedBucket,
    extra_statements: list[dict[str, Any]] | pulumi.Output[list[dict[str, Any]]],
    *,
    parent: pulumi.Resource,
    provider: pulumi.ProviderResource | None = None,
    former_name: str | None = None,
) -> aws.s3.BucketPolicy:
    """The bucket's one policy: TLS-only, then ``extra_statements`` (may hold Outputs, or be one).

    ``former_name``: the policy's logical name before it moved here (a ``pulumi.Alias``, no replacement).
    """
    statements = pulumi.Output.from_input([tls_only_statements(target.arn), extra_statements])
    target.policy = aws.s3.BucketPolicy(
        f"{name}-{target.role}-policy",
        bucket=target.name,
        policy=statements.apply(lambda s: policy_document(*s[0], *s[1])),
        # With the public-access block in place first, a mistaken public statement is refused, not applied.
        opts=pulumi.ResourceOptions(
            parent=parent,
            provider=provider,
            depends_on=[target.public_access_block],
            aliases=[pulumi.Alias(name=former_name)] if former_name else None,
        ),
    )
    return target.policy
