"""Security and guardrails: KMS keys, WAF, CloudTrail, GuardDuty, ECR, application secrets, backups, budget."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import Field, field_validator, model_validator

from .args import Args, FieldProblem, RetentionDays
from .backup import RestoreTestingArgs
from .cost_controls import AnomalyArgs
from .iam import policy_document, service_trust_policy
from .key_policies import (
    data_key_policy,
    logs_key_policy,
    secrets_key_policy,
    trail_arn,
    trail_bucket_policy,
    waf_log_delivery_policy,
)
from .waf_rules import (
    MANAGED_RULE_GROUPS,
    PathRateLimit,
    path_limit_problems,
    seed_path_rate_limits,
    web_acl_rules,
)

#: WAF's bounds for a rate-based rule's limit (requests per evaluation window per key).
WAF_RATE_LIMIT_MIN = 100
WAF_RATE_LIMIT_MAX = 2_000_000_000

_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
_ECR_NAME = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_TAG_KEY = re.compile(r"^[A-Za-z0-9 _.:/=+@-]{1,128}$")


def derive_prefix(*parts: str) -> str:
    """A physical-name prefix from free-form parts (``"quantumvest", "Dev_2"`` → ``quantumvest-dev-2``):
    lowercase, ``[a-z0-9-]``, at most 40 characters (room for suffixes within AWS's name limits)."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower())
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-")
    if not cleaned or cleaned.startswith("aws"):  # KMS reserves alias/aws*
        cleaned = f"p-{cleaned}".rstrip("-")
    return cleaned[:40].rstrip("-")


class KeysArgs(Args):
    """The customer-managed KMS keys (one per data class)."""

    rotation_period_days: int = Field(
        default=365,
        ge=90,
        le=2560,
        description="Automatic rotation period; a year is KMS's default and what FSBP KMS.4 expects at most.",
    )
    deletion_window_days: int = Field(
        default=30,
        ge=7,
        le=30,
        description="Waiting period before a deleted key is gone; the longest (30) gives most time to undo.",
    )


class WafArgs(Args):
    """The web ACLs in front of the ALB (REGIONAL) and the CDN (CLOUDFRONT)."""

    rate_limit: int = Field(
        default=2000,
        description="Requests per client IP per window before WAF answers 429 (seed 003: 2000 per 5 minutes).",
    )
    rate_limit_window_seconds: Literal[60, 120, 300, 600] = Field(
        default=300, description="The window the rate limit counts over; 300 s is seed 003's five minutes."
    )
    path_rate_limits: list[PathRateLimit] = Field(
        default_factory=seed_path_rate_limits,
        description="Per-path limits on the ALB (seed 004: API 100 req/s, auth 5, uploads 1, general 10), "
        "converted to requests per WAF evaluation window (components/waf_rules.py).",
    )
    domain: str | None = Field(
        default=None,
        description="The public domain the per-path limits' hosts are under; filled in from platform.domain "
        "by the Platform. None: no per-path rules.",
    )
    count_only_rules: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Managed rules to switch to COUNT while tuning false positives (e.g. "
        "AWSManagedRulesCommonRuleSet: [SizeRestrictions_BODY]); empty so every rule blocks.",
    )
    log_retention_days: RetentionDays = Field(
        default=365, description="WAF log retention; a year covers incident look-backs."
    )
    redacted_headers: list[str] = Field(
        default_factory=lambda: ["authorization", "cookie"],
        description="Headers removed from WAF logs so tokens and sessions never reach the log store.",
    )

    @field_validator("rate_limit")
    @classmethod
    def _check_rate_limit(cls, value: int) -> int:
        if not WAF_RATE_LIMIT_MIN <= value <= WAF_RATE_LIMIT_MAX:
            raise ValueError(
                f"WAF rate-based rules accept {WAF_RATE_LIMIT_MIN:,} to {WAF_RATE_LIMIT_MAX:,} requests per window"
            )
        return value

    @model_validator(mode="after")
    def _check_path_limits(self) -> WafArgs:
        for problem in path_limit_problems(self.path_rate_limits):
            raise problem
        return self

    @field_validator("count_only_rules")
    @classmethod
    def _check_groups(cls, overrides: dict[str, list[str]]) -> dict[str, list[str]]:
        for group, rules in overrides.items():
            if group not in MANAGED_RULE_GROUPS:
                raise FieldProblem(
                    group, group, "one of the ACL's managed groups: " + ", ".join(MANAGED_RULE_GROUPS)
                )
            for rule in rules:
                if not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", rule):
                    raise FieldProblem(group, rule, "a rule name of that group, e.g. SizeRestrictions_BODY")
        return overrides

    @field_validator("redacted_headers")
    @classmethod
    def _check_headers(cls, headers: list[str]) -> list[str]:
        for header in headers:
            if not re.fullmatch(r"[a-z0-9-]{1,64}", header):
                raise ValueError(
                    f"header {header!r}: lowercase letters, digits and '-' (WAF needs lowercase)"
                )
        return headers


class CloudTrailArgs(Args):
    """The account's audit trail."""

    enabled: bool = Field(
        default=True,
        description="Off only where an organization trail already records this account (avoids paying twice).",
    )
    log_retention_days: RetentionDays = Field(
        default=365, description="Retention of the CloudWatch copy used for searching and alarms."
    )
    archive_retention_days: int = Field(
        default=2557,
        ge=1,
        le=36500,
        description="Days log files stay in the trail bucket: seven years, as broker-dealer record rules ask.",
    )
    glacier_after_days: int = Field(
        default=90, ge=1, description="Move log files to Glacier Flexible Retrieval after this many days."
    )


class GuardDutyArgs(Args):
    """GuardDuty threat detection. One detector per account and region: a second stack in the same account
    must set ``enabled: false``."""

    enabled: bool = True
    eks_audit_logs: bool = Field(default=True, description="Analyse the EKS audit log (no agent needed).")
    s3_protection: bool = Field(default=True, description="Analyse S3 data events for exfiltration.")
    rds_protection: bool = Field(default=True, description="Analyse RDS login activity.")
    finding_publishing_frequency: Literal["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"] = Field(
        default="FIFTEEN_MINUTES",
        description="How soon updated findings reach EventBridge; fastest costs nothing.",
    )


class EcrArgs(Args):
    """Container image repositories, one per application service."""

    repositories: list[str] = Field(
        default_factory=lambda: ["backend", "frontend", "model-serving"],
        description="Application services that get a repository (seeds 000/001: backend, frontend, model).",
    )
    keep_images: int = Field(
        default=50,
        ge=1,
        le=10000,
        description="Tagged images kept per repository: enough to roll back weeks.",
    )
    untagged_expire_days: int = Field(
        default=7, ge=1, le=3650, description="Untagged layers (superseded builds) are removed after this."
    )

    @field_validator("repositories")
    @classmethod
    def _check_names(cls, names: list[str]) -> list[str]:
        for index, service in enumerate(names):
            if not (_DNS_LABEL.match(service) and _ECR_NAME.match(service)):
                raise FieldProblem(
                    f"[{index}]", service, "a lowercase service name: letters, digits and single '-', max 63"
                )
        if len(set(names)) != len(names):
            raise ValueError("each service is listed once")
        return names


class AppSecretsArgs(Args):
    """Secrets Manager secrets the services read (through External Secrets); values are generated."""

    services: dict[str, list[str]] = Field(
        default_factory=lambda: {"backend": ["SECRET_KEY", "JWT_SIGNING_KEY"]},
        description="Service → names of the random values in its secret (a JSON object). Values are "
        "generated by pulumi-random and never appear in config.",
    )
    length: int = Field(
        default=64, ge=32, le=4096, description="Characters per generated value (≥ 256 bits)."
    )
    recovery_window_days: int = Field(
        default=30, ge=7, le=30, description="Days a deleted secret can be restored; the longest by default."
    )

    @field_validator("services")
    @classmethod
    def _check_services(cls, services: dict[str, list[str]]) -> dict[str, list[str]]:
        for service, keys in services.items():
            if not _DNS_LABEL.match(service):
                raise FieldProblem(service, service, "a lowercase service name (a DNS label)")
            if not keys:
                raise FieldProblem(service, keys, "at least one value name")
            for key in keys:
                if not _ENV_NAME.match(key):
                    raise FieldProblem(service, key, "value names are environment-variable names")
        return services


class BackupArgs(Args):
    """AWS Backup: a vault, a daily plan and a tag-based selection of RDS, EFS and EBS."""

    enabled: bool = True
    schedule: str = Field(
        default="cron(0 5 ? * * *)",
        description="Daily at 05:00 UTC, after seed 003's 03:00-04:00 RDS backup window.",
    )
    retention_days: int = Field(default=30, ge=1, le=36500, description="Seed 004: 30-day retention.")
    start_window_minutes: int = Field(default=60, ge=60, description="AWS Backup's minimum is 60.")
    completion_window_minutes: int = Field(
        default=480, ge=120, description="A job not done in 8 hours is cancelled and alarms."
    )
    selection_tag_key: str = Field(
        default="backup-plan",
        description="Tag selecting the CSI volumes for this stack's plan (the EBS CSI driver puts it on every "
        "volume); its value is the stack's prefix, so two stacks in one account never back up each other's "
        "volumes. Databases, file systems and buckets are selected by ARN.",
    )
    restore_testing: RestoreTestingArgs = Field(default_factory=RestoreTestingArgs)

    @field_validator("schedule")
    @classmethod
    def _check_schedule(cls, value: str) -> str:
        if not re.fullmatch(r"cron\((\S+ ){5}\S+\)", value):
            raise ValueError("an AWS cron expression with six fields, e.g. 'cron(0 5 ? * * *)'")
        return value

    @field_validator("selection_tag_key")
    @classmethod
    def _check_tag_key(cls, value: str) -> str:
        if not _TAG_KEY.match(value) or value.lower().startswith("aws:"):
            raise ValueError("a tag key: 1-128 characters, not starting with 'aws:'")
        return value

    @model_validator(mode="after")
    def _check_windows(self) -> BackupArgs:
        if self.completion_window_minutes < self.start_window_minutes + 60:
            raise FieldProblem(
                "completion_window_minutes",
                self.completion_window_minutes,
                f"at least start_window_minutes + 60 ({self.start_window_minutes + 60}), as AWS Backup requires",
            )
        return self


class BudgetArgs(Args):
    """A monthly cost budget for the stack with forecast and actual alerts (seed 001)."""

    enabled: bool = True
    monthly_limit_usd: int = Field(default=10000, ge=1, description="Expected monthly spend of the stack.")
    alert_thresholds_percent: list[int] = Field(
        default_factory=lambda: [80, 100],
        description="Alert when forecast or actual spend passes each percentage of the limit.",
    )
    alert_emails: list[str] = Field(default_factory=list, description="Who receives the budget alerts.")
    anomaly: AnomalyArgs = Field(default_factory=AnomalyArgs)
    cost_filter_tags: dict[str, str] = Field(
        default_factory=dict,
        description="Cost-allocation tags scoping the budget to this stack's resources (a resource with any "
        "of them counts); the Platform fills CostCenter from platform.cost_center when empty.",
    )

    @field_validator("alert_emails")
    @classmethod
    def _check_emails(cls, emails: list[str]) -> list[str]:
        for index, email in enumerate(emails):
            if not _EMAIL.match(email):
                raise FieldProblem(f"[{index}]", email, "an e-mail address, e.g. platform-alerts@example.com")
        return emails

    @field_validator("alert_thresholds_percent")
    @classmethod
    def _check_thresholds(cls, values: list[int]) -> list[int]:
        for index, value in enumerate(values):
            if not 1 <= value <= 1000:
                raise FieldProblem(f"[{index}]", value, "a percentage of the limit, 1-1000")
        return values


class SecurityArgs(Args):
    """Settings of the security area. Defaults are the production shape: long key deletion windows,
    every protection on, resources protected from deletion."""

    alias_prefix: str | None = Field(
        default=None,
        description="Prefix of KMS aliases and the few physical names (trail, ECR namespace); unique per "
        "stack so two stacks share an account. Default: '<platform.name>-<stack>'.",
    )
    protect: bool = Field(
        default=True,
        description="Pulumi `protect` on keys, vaults, the trail bucket, repositories and secrets.",
    )
    keys: KeysArgs = Field(default_factory=KeysArgs)
    waf: WafArgs = Field(default_factory=WafArgs)
    cloudtrail: CloudTrailArgs = Field(default_factory=CloudTrailArgs)
    guardduty: GuardDutyArgs = Field(default_factory=GuardDutyArgs)
    ecr: EcrArgs = Field(default_factory=EcrArgs)
    app_secrets: AppSecretsArgs = Field(default_factory=AppSecretsArgs)
    backup: BackupArgs = Field(default_factory=BackupArgs)
    budget: BudgetArgs = Field(default_factory=BudgetArgs)

    @field_validator("alias_prefix")
    @classmethod
    def _check_prefix(cls, value: str | None) -> str | None:
        if value is not None and (not _PREFIX.match(value) or value.startswith("aws")):
            raise ValueError(
                "1-40 lowercase letters, digits and '-', not starting with 'aws' "
                "(KMS reserves alias/aws/, ECR needs lowercase)"
            )
        return value


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
        super().__init__("quantumvest:security:Security", name, None, opts)
        #: A vault in another region (a DR standby stack's) the daily backups are copied to.
        self._copy_vault_arn = dr_backup_vault_arn
        self._name = name
        self._args = args
        self._prefix = args.alias_prefix or derive_prefix(name)
        #: ``<platform.name>-<stack>``: the stack's prefix of the few physical names (and backup names).
        self.prefix: str = self._prefix
        self._child = pulumi.ResourceOptions(parent=self)
        self._stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        here = pulumi.InvokeOutputOptions(parent=self)
        self._partition = aws.get_partition_output(opts=here).partition
        self._account = aws.get_caller_identity_output(opts=here).account_id
        self._region = aws.get_region_output(opts=here).region
        self._trail_name = f"{self._prefix}-audit" if args.cloudtrail.enabled else None
        self.trail_bucket_name = None

        data_key = self._key("data", data_key_policy, "RDS, ElastiCache, EBS, EFS, S3, ECR and backups")
        logs_key = self._key(
            "logs",
            lambda p, a, r: logs_key_policy(p, a, r, self._trail_name),
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

        self.regional_web_acl_arn = self._web_acl("regional", "REGIONAL", logs_key.arn, None).arn
        self.cloudfront_web_acl_arn = None
        if us_east_1_provider is not None:
            edge_key = self._key(
                "edge-logs",
                logs_key_policy,
                "CloudWatch Logs in us-east-1 (the CDN's WAF logs)",
                provider=us_east_1_provider,
            )
            self.cloudfront_web_acl_arn = self._web_acl(
                "cloudfront", "CLOUDFRONT", edge_key.arn, us_east_1_provider
            ).arn

        if args.cloudtrail.enabled:
            self._cloudtrail(logs_key)
        if args.guardduty.enabled:
            self._guardduty()
        self.ecr_repository_urls = self._repositories(data_key)
        self.app_secret_arns = self._app_secrets(secrets_key)
        self.backup_selection_tags = {args.backup.selection_tag_key: self._prefix}
        self.backup_vault_name = None
        self.backup_plan_id: pulumi.Output[str] | None = None
        self.backup_vault_arn: pulumi.Output[str] | None = None
        self.backup_role_arn: pulumi.Output[str] | None = None
        if args.backup.enabled:
            self.backup_vault_name = self._backups(data_key, dr_data_key, dr_provider)
        if args.budget.enabled:
            self._budget()

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
        keys = self._args.keys
        region = self._region
        if provider is not None:
            region = aws.get_region_output(
                opts=pulumi.InvokeOutputOptions(parent=self, provider=provider)
            ).region
        key = aws.kms.Key(
            f"{self._name}-{data_class}-key",
            description=f"{self._prefix} {data_class}: {used_by}",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,
            rotation_period_in_days=keys.rotation_period_days,
            deletion_window_in_days=keys.deletion_window_days,
            policy=pulumi.Output.all(self._partition, self._account, region).apply(lambda a: policy(*a)),
            opts=pulumi.ResourceOptions.merge(self._stateful, pulumi.ResourceOptions(provider=provider)),
        )
        aws.kms.Alias(
            f"{self._name}-{data_class}-alias",
            name=f"alias/{self._prefix}-{data_class}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        return key

    # --- WAF -------------------------------------------------------------------------------------------

    def _web_acl(
        self, role: str, scope: str, logs_key_arn: pulumi.Input[str], provider: aws.Provider | None
    ) -> aws.wafv2.WebAcl:
        """A web ACL with the platform's rules, logging to an encrypted ``aws-waf-logs-`` log group."""
        waf = self._args.waf
        opts = pulumi.ResourceOptions(parent=self, provider=provider)
        metric_prefix = f"{self._prefix}-{role}"
        acl = aws.wafv2.WebAcl(
            f"{self._name}-{role}-acl",
            description=f"{self._prefix}: {'ALB' if scope == 'REGIONAL' else 'CDN'} web ACL",
            scope=scope,
            default_action={"allow": {}},
            rules=web_acl_rules(
                rate_limit=waf.rate_limit,
                rate_window_seconds=waf.rate_limit_window_seconds,
                metric_prefix=metric_prefix,
                count_only=waf.count_only_rules,
                # The per-path limits are the ALB's (api., www.); the CDN serves none of those paths.
                path_limits=waf.path_rate_limits if scope == "REGIONAL" else (),
                domain=waf.domain,
            ),
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": metric_prefix,
                "sampled_requests_enabled": True,
            },
            opts=opts,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{self._name}-{role}-waf-logs",
            name_prefix=f"aws-waf-logs-{self._prefix}-{role}-",
            retention_in_days=waf.log_retention_days,
            kms_key_id=logs_key_arn,
            opts=opts,
        )
        region = self._region
        if provider is not None:
            region = aws.get_region_output(
                opts=pulumi.InvokeOutputOptions(parent=self, provider=provider)
            ).region
        delivery = aws.cloudwatch.LogResourcePolicy(
            f"{self._name}-{role}-waf-log-delivery",
            policy_name=f"{self._prefix}-{role}-waf-logs",
            policy_document=pulumi.Output.all(log_group.arn, self._partition, self._account, region).apply(
                lambda a: waf_log_delivery_policy(*a)
            ),
            opts=opts,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{self._name}-{role}-acl-logging",
            resource_arn=acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[{"single_header": {"name": header}} for header in waf.redacted_headers],
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[delivery]),
        )
        return acl

    # --- CloudTrail ------------------------------------------------------------------------------------

    def _cloudtrail(self, logs_key: aws.kms.Key) -> None:
        """A multi-region trail with log file validation, into its own bucket and CloudWatch Logs."""
        trail_cfg = self._args.cloudtrail
        name, child, trail_name = self._name, self._child, self._trail_name
        assert trail_name is not None
        # Named under the platform's prefix, which the access-log bucket's policy admits as a source.
        bucket = aws.s3.Bucket(
            f"{name}-trail-bucket",
            bucket_prefix=f"{self._prefix}-trail-",
            force_destroy=not self._args.protect,
            opts=self._stateful,
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-trail-bucket-public-access",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-trail-bucket-ownership",
            bucket=bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        aws.s3.BucketVersioning(
            f"{name}-trail-bucket-versioning",
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-trail-bucket-encryption",
            bucket=bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": logs_key.arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child,
        )
        transitions = (
            [{"days": trail_cfg.glacier_after_days, "storage_class": "GLACIER"}]
            if trail_cfg.glacier_after_days < trail_cfg.archive_retention_days
            else []
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-trail-bucket-lifecycle",
            bucket=bucket.id,
            rules=[
                {
                    "id": "archive-then-expire",
                    "status": "Enabled",
                    "filter": {},
                    "transitions": transitions,
                    "expiration": {"days": trail_cfg.archive_retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": 30},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child,
        )
        bucket_policy = aws.s3.BucketPolicy(
            f"{name}-trail-bucket-policy",
            bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, self._partition, self._account, self._region).apply(
                lambda a: trail_bucket_policy(a[0], a[1], a[2], a[3], trail_name)
            ),
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-trail-logs",
            retention_in_days=trail_cfg.log_retention_days,
            kms_key_id=logs_key.arn,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-trail-logs-role",
            assume_role_policy=pulumi.Output.all(self._partition, self._account, self._region).apply(
                lambda a: policy_document(
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {
                            "StringEquals": {"aws:SourceArn": trail_arn(a[0], a[1], a[2], trail_name)}
                        },
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=[bucket_policy, encryption, role_policy]),
        )
        self.trail_bucket_name = bucket.id

    # --- GuardDuty -------------------------------------------------------------------------------------

    def _guardduty(self) -> None:
        """A detector with the EKS audit log, S3 and RDS protection features as configured."""
        cfg = self._args.guardduty
        detector = aws.guardduty.Detector(
            f"{self._name}-guardduty",
            enable=True,
            finding_publishing_frequency=cfg.finding_publishing_frequency,
            opts=self._child,
        )
        for feature, on in (
            ("EKS_AUDIT_LOGS", cfg.eks_audit_logs),
            ("S3_DATA_EVENTS", cfg.s3_protection),
            ("RDS_LOGIN_EVENTS", cfg.rds_protection),
        ):
            aws.guardduty.DetectorFeature(
                f"{self._name}-guardduty-{feature.lower().replace('_', '-')}",
                detector_id=detector.id,
                name=feature,
                status="ENABLED" if on else "DISABLED",
                opts=self._child,
            )

    # --- ECR -------------------------------------------------------------------------------------------

    def _repositories(self, data_key: aws.kms.Key) -> dict[str, pulumi.Output[str]]:
        """A repository per service: scan on push, immutable tags, KMS, lifecycle keeping the last N."""
        ecr = self._args.ecr
        lifecycle = json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "description": f"Remove untagged images after {ecr.untagged_expire_days} days",
                        "selection": {
                            "tagStatus": "untagged",
                            "countType": "sinceImagePushed",
                            "countUnit": "days",
                            "countNumber": ecr.untagged_expire_days,
                        },
                        "action": {"type": "expire"},
                    },
                    {
                        "rulePriority": 2,
                        "description": f"Keep the last {ecr.keep_images} images",
                        "selection": {
                            "tagStatus": "any",
                            "countType": "imageCountMoreThan",
                            "countNumber": ecr.keep_images,
                        },
                        "action": {"type": "expire"},
                    },
                ]
            },
            sort_keys=True,
        )
        urls: dict[str, pulumi.Output[str]] = {}
        for service in ecr.repositories:
            repo = aws.ecr.Repository(
                f"{self._name}-ecr-{service}",
                name=f"{self._prefix}/{service}",
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configurations=[{"encryption_type": "KMS", "kms_key": data_key.arn}],
                force_delete=not self._args.protect,
                opts=self._stateful,
            )
            aws.ecr.LifecyclePolicy(
                f"{self._name}-ecr-{service}-lifecycle",
                repository=repo.name,
                policy=lifecycle,
                opts=self._child,
            )
            urls[service] = repo.repository_url
        return urls

    # --- Secrets Manager -------------------------------------------------------------------------------

    def _app_secrets(self, secrets_key: aws.kms.Key) -> dict[str, pulumi.Output[str]]:
        """A secret per service holding a JSON object of generated values, encrypted with the secrets key."""
        cfg = self._args.app_secrets
        arns: dict[str, pulumi.Output[str]] = {}
        for service, value_names in cfg.services.items():
            secret = aws.secretsmanager.Secret(
                f"{self._name}-{service}-secret",
                name_prefix=f"{self._prefix}/{service}-",
                description=f"{self._prefix}: generated application secrets of {service}",
                kms_key_id=secrets_key.arn,
                recovery_window_in_days=cfg.recovery_window_days,
                opts=self._stateful,
            )
            values = {
                value_name: random.RandomPassword(
                    f"{self._name}-{service}-{value_name.lower().replace('_', '-')}",
                    length=cfg.length,
                    special=False,
                    opts=self._child,
                ).result
                for value_name in value_names
            }
            aws.secretsmanager.SecretVersion(
                f"{self._name}-{service}-secret-value",
                secret_id=secret.id,
                secret_string=pulumi.Output.secret(pulumi.Output.json_dumps(values)),
                opts=self._child,
            )
            arns[service] = secret.arn
        return arns

    # --- AWS Backup ------------------------------------------------------------------------------------

    def _with_standby_copy(
        self, copy_actions: list[dict[str, Any]], lifecycle: dict[str, Any]
    ) -> pulumi.Input[list[dict[str, Any]]]:
        """The copy actions plus one to the DR standby's vault (components/dr.py), once the standby
        exports one: a primary deployed before its standby (a new account) copies nowhere else yet."""
        if self._copy_vault_arn is None:
            return copy_actions
        return pulumi.Output.from_input(self._copy_vault_arn).apply(
            lambda arn: (
                [*copy_actions, {"destination_vault_arn": arn, "lifecycle": lifecycle}]
                if arn
                else copy_actions
            )
        )

    def _backups(
        self, data_key: aws.kms.Key, dr_data_key: aws.kms.Key | None, dr_provider: aws.Provider | None
    ) -> pulumi.Output[str]:
        """Vault (data key), daily plan with retention and the backup role; DR copies if a DR provider was
        given. The selections are components/backup.py's."""
        cfg = self._args.backup
        name = self._name
        vault = aws.backup.Vault(
            f"{name}-backup-vault",
            kms_key_arn=data_key.arn,
            force_destroy=not self._args.protect,
            opts=self._stateful,
        )
        lifecycle = {"delete_after": cfg.retention_days}
        copy_actions: list[dict[str, Any]] = []
        if dr_provider is not None and dr_data_key is not None:
            dr_vault = aws.backup.Vault(
                f"{name}-dr-backup-vault",
                kms_key_arn=dr_data_key.arn,
                force_destroy=not self._args.protect,
                opts=pulumi.ResourceOptions.merge(
                    self._stateful, pulumi.ResourceOptions(provider=dr_provider)
                ),
            )
            copy_actions.append({"destination_vault_arn": dr_vault.arn, "lifecycle": lifecycle})
        plan = aws.backup.Plan(
            f"{name}-backup-plan",
            rules=[
                {
                    "rule_name": "daily",
                    "target_vault_name": vault.name,
                    "schedule": cfg.schedule,
                    "start_window": cfg.start_window_minutes,
                    "completion_window": cfg.completion_window_minutes,
                    "lifecycle": lifecycle,
                    "copy_actions": self._with_standby_copy(copy_actions, lifecycle),
                    "recovery_point_tags": {cfg.selection_tag_key: self._prefix},
                }
            ],
            opts=self._child,
        )
        role = aws.iam.Role(
            f"{name}-backup-role",
            # IAM: confused-deputy guard (AWS Backup acting for this account only).
            assume_role_policy=self._account.apply(
                lambda account: service_trust_policy("backup.amazonaws.com", account=account)
            ),
            opts=self._child,
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-backup-role-{suffix}",
                role=role.name,
                policy_arn=self._partition.apply(
                    lambda p, policy=policy: f"arn:{p}:iam::aws:policy/service-role/{policy}"
                ),
                opts=self._child,
            )
            for suffix, policy in (
                ("backup", "AWSBackupServiceRolePolicyForBackup"),
                ("restore", "AWSBackupServiceRolePolicyForRestores"),
            )
        ]
        # What the plan backs up is chosen by components/backup.py once the resources exist (by ARN, and
        # the CSI volumes by tag); the role is handed over only once its policies are attached.
        self.backup_plan_id = plan.id
        self.backup_vault_arn = vault.arn
        self.backup_role_arn = pulumi.Output.all(role.arn, *[a.id for a in attachments]).apply(lambda v: v[0])
        return vault.name

    # --- Budget ----------------------------------------------------------------------------------------

    def _budget(self) -> None:
        """A monthly cost budget with an alert per threshold, on forecast and on actual spend."""
        cfg = self._args.budget
        notifications = [
            {
                "comparison_operator": "GREATER_THAN",
                "notification_type": kind,
                "threshold": float(threshold),
                "threshold_type": "PERCENTAGE",
                "subscriber_email_addresses": cfg.alert_emails,
            }
            for threshold in cfg.alert_thresholds_percent
            for kind in ("FORECASTED", "ACTUAL")
        ]
        cost_filters = (
            [
                {
                    "name": "TagKeyValue",
                    "values": [f"user:{key}${value}" for key, value in sorted(cfg.cost_filter_tags.items())],
                }
            ]
            if cfg.cost_filter_tags
            else []
        )
        aws.budgets.Budget(
            f"{self._name}-monthly-budget",
            name_prefix=f"{self._prefix}-monthly-",
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=str(cfg.monthly_limit_usd),
            limit_unit="USD",
            cost_filters=cost_filters,
            notifications=notifications if cfg.alert_emails else [],
            opts=self._child,
        )
