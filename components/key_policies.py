"""KMS key policies and the CloudTrail bucket policy, as plain functions of account, region and partition.

Every key policy starts with the account root statement (it delegates key use to IAM, so a role's own
policy can grant access) and adds only what services that cannot be granted through IAM need:

- service principals (CloudWatch Logs, CloudTrail, log delivery) with conditions naming this account
  and, where the service sends one, the encryption context of the resource;
- for keys that AWS services use on a caller's behalf (RDS, EBS through the Auto Scaling service-linked
  role, Secrets Manager…), the pattern of AWS's own managed keys: any principal *of this account*
  (``kms:CallerAccount``) and only *through the listed services* (``kms:ViaService``). The service-linked
  role that launches EKS nodes with encrypted volumes cannot be given an IAM policy, so this is the one
  way it can use a customer key without naming a role that may not exist yet.

No statement allows ``*`` without both conditions (CKV_AWS_33, CKV2_AWS_64). Every service-specific
condition applies to every action of its statement (``kms:EncryptionContext:*`` only to the operations
that carry a context; ``kms:GrantIsForAWSResource`` only to the grant operations): a condition key an
action does not carry makes the statement grant nothing for that action. The policy pack's
``iam-condition-keys-apply`` rule checks this against the IAM service authorization data.
"""

from __future__ import annotations

from typing import Any

from .iam import policy_document

#: The key operations a service needs to encrypt and decrypt data keys for a resource.
ENVELOPE_ACTIONS = [
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
]

#: Services that encrypt customer data with the data key (RDS, ElastiCache, EBS, EFS, S3, ECR, Backup).
DATA_KEY_SERVICES = ("rds", "elasticache", "ec2", "elasticfilesystem", "s3", "ecr", "backup")

#: Services that use the secrets key (Secrets Manager; EKS uses it through the cluster role's IAM policy).
SECRETS_KEY_SERVICES = ("secretsmanager",)


def _root(partition: str, account: str) -> dict[str, Any]:
    return {
        "Sid": "AccountRootAdministersAndDelegatesToIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def _via_services(account: str, region: str, services: tuple[str, ...]) -> dict[str, Any]:
    return {
        "Sid": "AccountPrincipalsThroughListedServices",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ENVELOPE_ACTIONS,
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:CallerAccount": account,
                "kms:ViaService": [f"{s}.{region}.amazonaws.com" for s in services],
            }
        },
    }


def _grants_for_aws_resources(account: str, region: str, services: tuple[str, ...]) -> dict[str, Any]:
    """Grants that attach the key to a resource (an EBS volume, an RDS instance) — never free-standing."""
    return {
        "Sid": "GrantsOnlyForAwsResources",
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        "Resource": "*",
        "Condition": {
            "StringEquals": {
                "kms:CallerAccount": account,
                "kms:ViaService": [f"{s}.{region}.amazonaws.com" for s in services],
            },
            "Bool": {"kms:GrantIsForAWSResource": "true"},
        },
    }


def data_key_policy(partition: str, account: str, region: str) -> str:
    """The data key: databases, caches, volumes, file systems, buckets, images and backups."""
    return policy_document(
        _root(partition, account),
        _via_services(account, region, DATA_KEY_SERVICES),
        _grants_for_aws_resources(account, region, DATA_KEY_SERVICES),
    )


def secrets_key_policy(partition: str, account: str, region: str) -> str:
    """The secrets key: Secrets Manager secrets and (through the cluster role) EKS envelope encryption."""
    return policy_document(
        _root(partition, account),
        _via_services(account, region, SECRETS_KEY_SERVICES),
    )


def trail_arn(partition: str, account: str, region: str, trail_name: str) -> str:
    """The ARN a trail will have: known before it exists, so policies can name it."""
    return f"arn:{partition}:cloudtrail:{region}:{account}:trail/{trail_name}"


#: Services that publish to the KMS-encrypted alert topics: CloudWatch alarms, EventBridge (GuardDuty
#: findings) and Cost Anomaly Detection. Each needs the key to encrypt what it publishes (SNS SSE docs).
ALERT_PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com", "costalerts.amazonaws.com")


def _alert_publishers(account: str) -> dict[str, Any]:
    return {
        "Sid": "AlertPublishersEncryptForTopics",
        "Effect": "Allow",
        "Principal": {"Service": list(ALERT_PUBLISHERS)},
        "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }


def logs_key_policy(partition: str, account: str, region: str, trail_name: str | None = None) -> str:
    """The logs key: CloudWatch Logs (flow logs, WAF, EKS, CloudTrail delivery), vended log delivery and,
    when ``trail_name`` is given, CloudTrail's log files."""
    statements: list[dict[str, Any]] = [
        _root(partition, account),
        {
            "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            # Only the operations that carry an encryption context: kms:EncryptionContext:* is absent
            # from a DescribeKey request, so DescribeKey under this condition would never be allowed.
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": f"arn:{partition}:logs:{region}:{account}:log-group:*"
                }
            },
        },
        {
            # DescribeKey on its own, guarded by a key that applies to it (the global aws:SourceAccount,
            # the confused-deputy guard), instead of an encryption-context key it never carries.
            "Sid": "CloudWatchLogsDescribesTheKeyForThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{region}.amazonaws.com"},
            "Action": "kms:DescribeKey",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "LogDeliveryForThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account}:*"},
            },
        },
    ]
    statements.append(_alert_publishers(account))
    if trail_name is not None:
        arn = trail_arn(partition, account, region, trail_name)
        statements += [
            {
                "Sid": "CloudTrailEncryptsThisTrailsLogFiles",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"aws:SourceArn": arn},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": f"arn:{partition}:cloudtrail:*:{account}:trail/*"
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribesTheKey",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceArn": arn}},
            },
        ]
    return policy_document(*statements)


def trail_bucket_statements(
    bucket_arn: str, partition: str, account: str, region: str, trail_name: str
) -> list[dict[str, Any]]:
    """What CloudTrail needs on its bucket and nothing more, for this trail only (``aws:SourceArn``): the
    ACL check it makes when the trail is created or updated, and writes under ``AWSLogs/<account>/``
    with the owner-full-control ACL it sends (AWS CloudTrail User Guide, "Amazon S3 bucket policy for
    CloudTrail"). TLS-only access comes from ``buckets.attach_policy``."""
    trail = trail_arn(partition, account, region, trail_name)
    return [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{account}/*",
            "Condition": {
                "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}
            },
        },
    ]


def waf_log_delivery_policy(log_group_arn: str, partition: str, account: str, region: str) -> str:
    """The CloudWatch Logs resource policy letting WAF's log delivery write to its log group."""
    return policy_document(
        {
            "Sid": "WafLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{log_group_arn}:*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account}:*"},
            },
        }
    )
