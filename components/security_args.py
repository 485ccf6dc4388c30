"""The security layer's settings (``SecurityArgs`` and its parts: keys, WAF, CloudTrail, GuardDuty, ECR,
application secrets, backups, budget) and the stack's physical-name prefix (``derive_prefix``).

Split from ``security.py``; every name stays importable from there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from .args import Args, FieldProblem, RetentionDays
from .backup import RestoreTestingArgs
from .cost_controls import AnomalyArgs
from .waf_rules import (
    MANAGED_RULE_GROUPS,
    PathRateLimit,
    path_limit_problems,
    seed_path_rate_limits,
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


@dataclass(frozen=True)
class SecurityScope:
    """What every part of ``Security`` builds with: its logical name, the physical-name prefix, the
    settings, the options its children take, and the account it runs in (invoke outputs)."""

    name: str
    prefix: str
    args: SecurityArgs
    parent: pulumi.Resource
    #: ``parent=`` the component.
    child: pulumi.ResourceOptions
    #: ``parent=`` the component, ``protect`` as the settings say: for keys, buckets, vaults, secrets.
    stateful: pulumi.ResourceOptions
    partition: pulumi.Output[str]
    account: pulumi.Output[str]
    region: pulumi.Output[str]

    def region_of(self, provider: pulumi.ProviderResource | None) -> pulumi.Output[str]:
        """The region a provider deploys to (this stack's when ``None``)."""
        if provider is None:
            return self.region
        return aws.get_region_output(
            opts=pulumi.InvokeOutputOptions(parent=self.parent, provider=provider)
        ).region
