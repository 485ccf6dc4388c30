"""Cross-region replication of a bucket to the DR region (CKV_AWS_144; seeds 000 and 001: backups
replicated to a secondary region).

Creates, for one source bucket: the replica bucket in the DR region (through the DR provider, with the
same hardening, encrypted with the DR region's data key, access-logged into the DR log bucket), an IAM
role S3 assumes to replicate, limited to these two buckets and these two keys, and the replication
configuration (every object, delete markers too, SSE-KMS objects re-encrypted with the DR key).
"""

from __future__ import annotations

from typing import Literal

import pulumi
import pulumi_aws as aws

from .buckets import HardenedBucket, attach_policy, hardened_bucket
from .iam import policy_document, service_trust_policy
from .lifecycle import LifecycleArgs

ReplicaStorageClass = Literal["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR"]


def replicate_to_dr(
    name: str,
    source: HardenedBucket,
    *,
    bucket_prefix: str,
    lifecycle: LifecycleArgs,
    source_kms_key_arn: pulumi.Input[str],
    dr_kms_key_arn: pulumi.Input[str],
    dr_log_bucket: HardenedBucket,
    storage_class: ReplicaStorageClass,
    parent: pulumi.Resource,
    dr_provider: pulumi.ProviderResource,
    protect: bool,
) -> HardenedBucket:
    """Replicate ``source`` into a new hardened bucket in the DR provider's region; returns the replica."""
    role_name = f"{source.role}-replica"
    replica = hardened_bucket(
        name,
        role_name,
        bucket_prefix=bucket_prefix,
        lifecycle=lifecycle,
        kms_key_arn=dr_kms_key_arn,
        log_bucket=dr_log_bucket,
        parent=parent,
        provider=dr_provider,
        protect=protect,
    )
    attach_policy(name, replica, [], parent=parent, provider=dr_provider)

    child = pulumi.ResourceOptions(parent=parent)
    role = aws.iam.Role(
        f"{name}-{source.role}-replication-role",
        # Confused-deputy guard from the S3 User Guide (replication role): S3 acting for this account's
        # source bucket only.
        assume_role_policy=pulumi.Output.all(
            aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id,
            source.arn,
        ).apply(lambda a: service_trust_policy("s3.amazonaws.com", account=a[0], source_arn=a[1])),
        description=f"S3 replicates the {source.role} bucket to the DR region",
        opts=child,
    )
    statements = [
        {
            "Sid": "ReadSourceConfiguration",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": source.arn,
        },
        {
            "Sid": "ReadSourceVersions",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": pulumi.Output.concat(source.arn, "/*"),
        },
        {
            "Sid": "WriteReplica",
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            "Resource": pulumi.Output.concat(replica.arn, "/*"),
        },
        {
            "Sid": "DecryptSource",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": source_kms_key_arn,
        },
        {
            "Sid": "EncryptReplica",
            "Effect": "Allow",
            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": dr_kms_key_arn,
        },
    ]
    policy = aws.iam.RolePolicy(
        f"{name}-{source.role}-replication",
        role=role.id,
        policy=pulumi.Output.from_input(statements).apply(lambda s: policy_document(*s)),
        opts=child,
    )
    aws.s3.BucketReplicationConfig(
        f"{name}-{source.role}-replication-config",
        bucket=source.name,
        role=role.arn,
        rules=[
            {
                "id": "to-dr-region",
                "status": "Enabled",
                "priority": 1,
                "filter": {"prefix": ""},
                "delete_marker_replication": {"status": "Enabled"},
                "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                "destination": {
                    "bucket": replica.arn,
                    "storage_class": storage_class,
                    "encryption_configuration": {"replica_kms_key_id": dr_kms_key_arn},
                },
            }
        ],
        # S3 accepts replication only between versioned buckets, with a role that can already act.
        opts=pulumi.ResourceOptions(
            parent=parent, depends_on=[source.versioning, replica.versioning, policy]
        ),
    )
    return replica
