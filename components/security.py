"""Security and guardrails: KMS keys, WAF, CloudTrail, GuardDuty, ECR, application secrets, backups, budget.

``Security`` and its KMS keys are here; the other parts live beside it, one concern each: settings
(``security_args.py``), web ACLs (``security_waf.py``), CloudTrail and GuardDuty (``security_audit.py``),
ECR and application secrets (``security_stores.py``), AWS Backup and the budget (``security_backup.py``).
Every name that was importable from this module still is.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from .key_policies import data_key_policy, logs_key_policy, secrets_key_policy
from .security_args import (
    WAF_RATE_LIMIT_MAX,
    WAF_RATE_LIMIT_MIN,
    AppSecretsArgs,
    BackupArgs,
    BudgetArgs,
    CloudTrailArgs,
    EcrArgs,
    GuardDutyArgs,
    KeysArgs,
    SecurityArgs,
    SecurityScope,
    WafArgs,
    derive_prefix,
)
from .security_audit import cloudtrail, guardduty
from .security_backup import backups, budget
from .security_stores import app_secrets, repositories
from .security_waf import web_acl

__all__ = [
    "WAF_RATE_LIMIT_MAX",
    "WAF_RATE_LIMIT_MIN",
    "AppSecretsArgs",
    "BackupArgs",
    "BudgetArgs",
    "CloudTrailArgs",
    "EcrArgs",
    "GuardDutyArgs",
    "KeysArgs",
    "Security",
    "SecurityArgs",
    "WafArgs",
    "derive_prefix",
]


class Security(pulumi.ComponentResource):
    """The platform's security layer.

    Creates: KMS keys for data, logs and secrets (rotating, aliased, explicit policies) and, with a DR
    provider, a data key in the DR region; a REGIONAL WAFv2 web ACL for the ALB (IP reputation, per-IP rate
    limit, common / known-bad-inputs / SQLi managed rules) logging to an encrypted ``aws-waf-logs-`` group,
    and with a us-east-1 provider a CLOUDFRONT-scope ACL for the CDN; a multi-region CloudTrail with log
    file validation into its own encrypted bucket and CloudWatch Logs; a GuardDuty detector (EKS audit
    logs, S3, RDS); an ECR repository per service; a Secrets Manager secret per service with generated
    values; an AWS Backup vault, daily plan and backup role (copies to a DR-region vault with a DR
    provider); a monthly AWS Budget with forecast and actual alerts.
    """

    data_key_arn: pulumi.Output[str]
    logs_key_arn: pulumi.Output[str]
    secrets_key_arn: pulumi.Output[str]
    dr_data_key_arn: pulumi.Output[str] | None
    dr_logs_key_arn: pulumi.Output[str] | None
    regional_web_acl_arn: pulumi.Output[str]
    cloudfront_web_acl_arn: pulumi.Output[str] | None
    ecr_repository_urls: dict[str, pulumi.Output[str]]
    app_secret_arns: dict[str, pulumi.Output[str]]
    backup_vault_name: pulumi.Output[str] | None
    #: The tag (key → value) the CSI volumes carry to be backed up by this stack's plan.
    backup_selection_tags: dict[str, str]
    trail_bucket_name: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: SecurityArgs,
        *,
        dr_provider: aws.Provider | None = None,
        us_east_1_provider: aws.Provider | None = None,
        dr_backup_vault_arn: pulumi.Input[str | None] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``dr_backup_vault_arn``: a vault in another region (a DR standby stack's) the daily backups
        are copied to, when the standby exports one."""
        super().__init__("quantumvest:security:Security", name, None, opts)
        prefix = args.alias_prefix or derive_prefix(name)
        #: ``<platform.name>-<stack>``: the stack's prefix of the few physical names (and backup names).
        self.prefix: str = prefix
        here = pulumi.InvokeOutputOptions(parent=self)
        self._scope = scope = SecurityScope(
            name=name,
            prefix=prefix,
            args=args,
            parent=self,
            child=pulumi.ResourceOptions(parent=self),
            stateful=pulumi.ResourceOptions(parent=self, protect=args.protect),
            partition=aws.get_partition_output(opts=here).partition,
            account=aws.get_caller_identity_output(opts=here).account_id,
            region=aws.get_region_output(opts=here).region,
        )
        trail_name = f"{prefix}-audit" if args.cloudtrail.enabled else None
        self.trail_bucket_name = None

        data_key = self._key("data", data_key_policy, "RDS, ElastiCache, EBS, EFS, S3, ECR and backups")
        logs_key = self._key(
            "logs",
            lambda p, a, r: logs_key_policy(p, a, r, trail_name),
            "CloudWatch Logs, flow logs, WAF logs and CloudTrail",
        )
        secrets_key = self._key("secrets", secrets_key_policy, "Secrets Manager and EKS secrets")
        self.data_key_arn = data_key.arn
        self.logs_key_arn = logs_key.arn
        self.secrets_key_arn = secrets_key.arn

        dr_data_key = None
        if dr_provider is not None:
            dr_data_key = self._key(
                "dr-data",
                data_key_policy,
                "backup copies and replicas in the DR region",
                provider=dr_provider,
            )
        self.dr_data_key_arn = dr_data_key.arn if dr_data_key else None
        # CloudWatch Logs in the DR region (its VPC flow logs, the DR replica's exported logs).
        self.dr_logs_key_arn = (
            self._key(
                "dr-logs", logs_key_policy, "CloudWatch Logs in the DR region", provider=dr_provider
            ).arn
            if dr_provider is not None
            else None
        )

        self.regional_web_acl_arn = web_acl(scope, "regional", "REGIONAL", logs_key.arn, None).arn
        self.cloudfront_web_acl_arn = None
        if us_east_1_provider is not None:
            edge_key = self._key(
                "edge-logs",
                logs_key_policy,
                "CloudWatch Logs in us-east-1 (the CDN's WAF logs)",
                provider=us_east_1_provider,
            )
            self.cloudfront_web_acl_arn = web_acl(
                scope, "cloudfront", "CLOUDFRONT", edge_key.arn, us_east_1_provider
            ).arn

        if trail_name is not None:
            self.trail_bucket_name = cloudtrail(scope, logs_key, trail_name)
        if args.guardduty.enabled:
            guardduty(scope)
        self.ecr_repository_urls = repositories(scope, data_key)
        self.app_secret_arns = app_secrets(scope, secrets_key)
        self.backup_selection_tags = {args.backup.selection_tag_key: prefix}
        self.backup_vault_name = None
        self.backup_plan_id: pulumi.Output[str] | None = None
        self.backup_vault_arn: pulumi.Output[str] | None = None
        self.backup_role_arn: pulumi.Output[str] | None = None
        if args.backup.enabled:
            plan = backups(scope, data_key, dr_data_key, dr_provider, dr_backup_vault_arn)
            self.backup_vault_name = plan.vault_name
            self.backup_plan_id = plan.plan_id
            self.backup_vault_arn = plan.vault_arn
            self.backup_role_arn = plan.role_arn
        if args.budget.enabled:
            budget(scope)

        self.register_outputs(
            {
                "data_key_arn": self.data_key_arn,
                "logs_key_arn": self.logs_key_arn,
                "secrets_key_arn": self.secrets_key_arn,
                "dr_data_key_arn": self.dr_data_key_arn,
                "dr_logs_key_arn": self.dr_logs_key_arn,
                "regional_web_acl_arn": self.regional_web_acl_arn,
                "cloudfront_web_acl_arn": self.cloudfront_web_acl_arn,
                "ecr_repository_urls": self.ecr_repository_urls,
                "app_secret_arns": self.app_secret_arns,
                "backup_vault_name": self.backup_vault_name,
            }
        )

    # --- KMS -------------------------------------------------------------------------------------------

    def _key(
        self,
        data_class: str,
        policy: Any,
        used_by: str,
        provider: aws.Provider | None = None,
    ) -> aws.kms.Key:
        """A symmetric key with rotation, an explicit policy built for its region, and an alias."""
        scope = self._scope
        keys = scope.args.keys
        region = scope.region_of(provider)
        key = aws.kms.Key(
            f"{scope.name}-{data_class}-key",
            description=f"{scope.prefix} {data_class}: {used_by}",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=keys.rotation_period_days,
            deletion_window_in_days=keys.deletion_window_days,
            policy=pulumi.Output.all(scope.partition, scope.account, region).apply(lambda a: policy(*a)),
            opts=pulumi.ResourceOptions.merge(scope.stateful, pulumi.ResourceOptions(provider=provider)),
        )
        aws.kms.Alias(
            f"{scope.name}-{data_class}-alias",
            name=f"alias/{scope.prefix}-{data_class}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        return key
