"""The whole platform as one component: providers, then every area wired by explicit outputs."""

from __future__ import annotations

import re
from typing import Literal

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import Field, field_validator, model_validator

from components.args import Args, FieldProblem
from components.cache import CacheArgs
from components.database import DatabaseArgs
from components.monitoring import MonitoringArgs
from components.network import Network, NetworkArgs
from components.security import Security, SecurityArgs, derive_prefix
from components.storage import StorageArgs

Environment = Literal["dev", "staging", "prod"]

_REGION = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
_TAG_KEY_RESERVED = re.compile(r"^aws:", re.IGNORECASE)


class PlatformSettings(Args):
    """Who and where: the name, tier, region and the cost-allocation tags every AWS resource carries."""

    name: str = Field(
        default="quantumvest",
        pattern=r"^[a-z][a-z0-9-]{1,20}[a-z0-9]$",
        description="Prefix of logical names and Name tags: a short DNS label.",
    )
    environment: Environment = Field(description="The tier; selects the tier profile of defaults.")
    region: str = Field(default="us-east-1", pattern=_REGION, description="Primary AWS region.")
    dr_region: str | None = Field(
        default=None,
        pattern=_REGION,
        description="Disaster-recovery region (backup copies, replicas, a data key there); none by default, "
        "us-west-2 in prod (seed 003). Must differ from the primary region.",
    )
    owner: str = Field(default="platform-team", min_length=1, max_length=256)
    cost_center: str = Field(default="quantumvest-platform", min_length=1, max_length=256)
    extra_tags: dict[str, str] = Field(default_factory=dict, description="More tags for every AWS resource.")

    @field_validator("extra_tags")
    @classmethod
    def _check_tags(cls, tags: dict[str, str]) -> dict[str, str]:
        for key, value in tags.items():
            if _TAG_KEY_RESERVED.match(key) or not 1 <= len(key) <= 128:
                raise ValueError(f"tag key {key!r}: 1-128 characters and not starting with 'aws:'")
            if len(value) > 256:
                raise ValueError(f"tag {key!r}: values are at most 256 characters")
        return tags

    @model_validator(mode="after")
    def _check_dr_region(self) -> PlatformSettings:
        if self.dr_region is not None and self.dr_region == self.region:
            raise FieldProblem(
                "dr_region",
                self.dr_region,
                f"must differ from platform.region ({self.region}): a DR copy in the same region survives "
                "nothing a regional outage takes down",
            )
        return self

    def default_tags(self) -> dict[str, str]:
        """The tags the AWS provider puts on every resource (cost allocation and ownership)."""
        return {
            **self.extra_tags,
            "Project": self.name,
            "Environment": self.environment,
            "ManagedBy": "pulumi",
            "CostCenter": self.cost_center,
            "Owner": self.owner,
        }


class PlatformArgs(Args):
    """Every setting of the platform, one section per area. This is what a stack file configures."""

    platform: PlatformSettings
    network: NetworkArgs = Field(default_factory=NetworkArgs)
    database: DatabaseArgs = Field(default_factory=DatabaseArgs)
    cache: CacheArgs = Field(default_factory=CacheArgs)
    monitoring: MonitoringArgs = Field(default_factory=MonitoringArgs)
    storage: StorageArgs = Field(default_factory=StorageArgs)
    security: SecurityArgs = Field(default_factory=SecurityArgs)


class Platform(pulumi.ComponentResource):
    """The QuantumVest platform. Creates: the AWS provider(s) with default tags, then each area.

    Other stacks can import and build it with their own ``PlatformArgs``.
    """

    network: Network
    security: Security

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("quantumvest:platform:Platform", name, None, opts)
        settings = args.platform
        self.aws_provider = self._aws_provider(f"{name}-aws", settings.region, settings)
        # The DR region and, for the CDN's web ACL, us-east-1: explicit providers with the same tags.
        self.dr_provider = (
            self._aws_provider(f"{name}-aws-dr", settings.dr_region, settings) if settings.dr_region else None
        )
        cdn_enabled = False  # merge with Storage: its CDN switch (storage owns it) decides this
        self.us_east_1_provider: aws.Provider | None = None
        if cdn_enabled:
            self.us_east_1_provider = (
                self.aws_provider
                if settings.region == "us-east-1"
                else self._aws_provider(f"{name}-aws-us-east-1", "us-east-1", settings)
            )
        # Default providers are disabled in every stack file, pulumi-random's included.
        self.random_provider = random.Provider(f"{name}-random", opts=pulumi.ResourceOptions(parent=self))
        on_aws = pulumi.ResourceOptions(
            parent=self, providers={"aws": self.aws_provider, "random": self.random_provider}
        )

        self.security = Security(
            f"{name}-security",
            security_settings(args, pulumi.get_stack()),
            dr_provider=self.dr_provider,
            us_east_1_provider=self.us_east_1_provider,
            opts=on_aws,
        )
        self.network = Network(
            f"{name}-network", args.network, flow_log_kms_key_arn=self.security.logs_key_arn, opts=on_aws
        )

        self.register_outputs(
            {"vpc_id": self.network.vpc_id, "regional_web_acl_arn": self.security.regional_web_acl_arn}
        )

    def _aws_provider(self, logical_name: str, region: str, settings: PlatformSettings) -> aws.Provider:
        """An explicit AWS provider for ``region`` carrying the platform's default tags."""
        return aws.Provider(
            logical_name,
            region=region,
            default_tags={"tags": settings.default_tags()},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def stack_outputs(self) -> dict[str, pulumi.Input[object]]:
        """The outputs every stack exports: the contract other stacks read with ``StackReference``."""
        net = self.network
        return {
            "vpcId": net.vpc_id,
            "vpcCidr": net.vpc_cidr,
            "availabilityZones": net.availability_zones,
            "publicSubnetIds": net.public_subnet_ids,
            "privateSubnetIds": net.private_subnet_ids,
            "databaseSubnetIds": net.database_subnet_ids,
            "dbSubnetGroupName": net.db_subnet_group_name,
            "cacheSubnetGroupName": net.cache_subnet_group_name,
            **self._security_outputs(),
        }

    def _security_outputs(self) -> dict[str, pulumi.Input[object]]:
        sec = self.security
        outputs: dict[str, pulumi.Input[object]] = {
            "regionalWebAclArn": sec.regional_web_acl_arn,
            "kmsKeyArns": {
                "data": sec.data_key_arn,
                "logs": sec.logs_key_arn,
                "secrets": sec.secrets_key_arn,
            },
            "ecrRepositoryUrls": sec.ecr_repository_urls,
            "appSecretArns": sec.app_secret_arns,
        }
        if sec.cloudfront_web_acl_arn is not None:
            outputs["cloudfrontWebAclArn"] = sec.cloudfront_web_acl_arn
        if sec.dr_data_key_arn is not None:
            outputs["drDataKeyArn"] = sec.dr_data_key_arn
        if sec.backup_vault_name is not None:
            outputs["backupVaultName"] = sec.backup_vault_name
        return outputs


def security_settings(args: PlatformArgs, stack: str) -> SecurityArgs:
    """The security settings with what derives from the platform filled in: the alias prefix
    (``<platform.name>-<stack>``, unique per stack so two stacks share an account) and the budget's
    cost-allocation filter (``CostCenter``)."""
    security = args.security
    budget = security.budget
    if not budget.cost_filter_tags:
        budget = budget.model_copy(update={"cost_filter_tags": {"CostCenter": args.platform.cost_center}})
    return security.model_copy(
        update={
            "alias_prefix": security.alias_prefix or derive_prefix(args.platform.name, stack),
            "budget": budget,
        }
    )
