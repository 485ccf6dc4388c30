"""The audit trail: a multi-region CloudTrail into its own encrypted bucket and CloudWatch Logs, and a
GuardDuty detector.

Split from ``security.py``; children of the ``Security`` component, same logical names as before.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .buckets import attach_policy, hardened_bucket
from .iam import policy_document
from .key_policies import trail_arn, trail_bucket_statements
from .lifecycle import LifecycleArgs, Transition
from .security_args import SecurityScope


def cloudtrail(scope: SecurityScope, logs_key: aws.kms.Key, trail_name: str) -> pulumi.Output[str]:
    """A multi-region trail with log file validation, into its own bucket and CloudWatch Logs."""
    trail_cfg = scope.args.cloudtrail
    name, child = scope.name, scope.child
    # The platform's bucket hardening (components/buckets.py), SSE-KMS with the logs key. Named under
    # the platform's prefix, which the access-log bucket's policy admits as a source (the storage
    # component points its access logging here). The names before it moved onto the builder are
    # aliases: the move renames resources in the state and replaces none.
    trail_bucket = hardened_bucket(
        name,
        "trail",
        bucket_prefix=f"{scope.prefix}-",
        lifecycle=LifecycleArgs(
            transitions=(
                [Transition(days=trail_cfg.glacier_after_days, storage_class="GLACIER")]
                if trail_cfg.glacier_after_days < trail_cfg.archive_retention_days
                else []
            ),
            expiration_days=trail_cfg.archive_retention_days,
            noncurrent_expiration_days=30,
            abort_incomplete_multipart_days=7,
        ),
        kms_key_arn=logs_key.arn,
        log_bucket=None,
        parent=scope.parent,
        protect=scope.args.protect,
        force_destroy=not scope.args.protect,
        former_names={
            suffix: f"{name}-trail-bucket-{former}"
            for suffix, former in (
                ("ownership", "ownership"),
                ("public-access-block", "public-access"),
                ("versioning", "versioning"),
                ("encryption", "encryption"),
                ("lifecycle", "lifecycle"),
            )
        },
    )
    bucket = trail_bucket.bucket
    bucket_policy = attach_policy(
        name,
        trail_bucket,
        pulumi.Output.all(bucket.arn, scope.partition, scope.account, scope.region).apply(
            lambda a: trail_bucket_statements(a[0], a[1], a[2], a[3], trail_name)
        ),
        parent=scope.parent,
        former_name=f"{name}-trail-bucket-policy",
    )
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-trail-logs",
        retention_in_days=trail_cfg.log_retention_days,
        kms_key_id=logs_key.arn,
        opts=child,
    )
    role = aws.iam.Role(
        f"{name}-trail-logs-role",
        assume_role_policy=pulumi.Output.all(scope.partition, scope.account, scope.region).apply(
            lambda a: policy_document(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn(a[0], a[1], a[2], trail_name)}},
                }
            )
        ),
        opts=child,
    )
    role_policy = aws.iam.RolePolicy(
        f"{name}-trail-logs-write",
        role=role.id,
        policy=log_group.arn.apply(
            lambda arn: policy_document(
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": f"{arn}:log-stream:*",
                }
            )
        ),
        opts=child,
    )
    aws.cloudtrail.Trail(
        f"{name}-trail",
        name=trail_name,
        s3_bucket_name=bucket.id,
        is_multi_region_trail=True,
        include_global_service_events=True,
        enable_log_file_validation=True,
        enable_logging=True,
        kms_key_id=logs_key.arn,
        cloud_watch_logs_group_arn=log_group.arn.apply(lambda arn: f"{arn}:*"),
        cloud_watch_logs_role_arn=role.arn,
        event_selectors=[{"read_write_type": "All", "include_management_events": True}],
        opts=pulumi.ResourceOptions(
            parent=scope.parent, depends_on=[bucket_policy, trail_bucket.encryption, role_policy]
        ),
    )
    return bucket.id


def guardduty(scope: SecurityScope) -> None:
    """A detector with the EKS audit log, S3 and RDS protection features as configured."""
    cfg = scope.args.guardduty
    detector = aws.guardduty.Detector(
        f"{scope.name}-guardduty",
        enable=True,
        finding_publishing_frequency=cfg.finding_publishing_frequency,
        opts=scope.child,
    )
    for feature, on in (
        ("EKS_AUDIT_LOGS", cfg.eks_audit_logs),
        ("S3_DATA_EVENTS", cfg.s3_protection),
        ("RDS_LOGIN_EVENTS", cfg.rds_protection),
    ):
        aws.guardduty.DetectorFeature(
            f"{scope.name}-guardduty-{feature.lower().replace('_', '-')}",
            detector_id=detector.id,
            name=feature,
            status="ENABLED" if on else "DISABLED",
            opts=scope.child,
        )
