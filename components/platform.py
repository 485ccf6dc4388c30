"""The whole platform as one component: providers, then every area wired by explicit outputs."""

from __future__ import annotations

import re
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from components.args import Args
from components.network import Network, NetworkArgs
from components.workloads import WorkloadsArgs

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
    workloads: WorkloadsArgs = Field(default_factory=WorkloadsArgs)


class Platform(pulumi.ComponentResource):
    """The QuantumVest platform. Creates: the AWS provider(s) with default tags, then each area.

    Other stacks can import and build it with their own ``PlatformArgs``.
    """

    network: Network

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("quantumvest:platform:Platform", name, None, opts)
        settings = args.platform
        self.aws_provider = aws.Provider(
            f"{name}-aws",
            region=settings.region,
            default_tags={"tags": settings.default_tags()},
            opts=pulumi.ResourceOptions(parent=self),
        )
        on_aws = pulumi.ResourceOptions(parent=self, providers={"aws": self.aws_provider})

        self.network = Network(f"{name}-network", args.network, opts=on_aws)

        self.register_outputs({"vpc_id": self.network.vpc_id})

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
        }
