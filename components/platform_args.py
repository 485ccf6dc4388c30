"""The platform's settings: ``PlatformSettings`` (name, region, domain, tags, the DR region) and ``PlatformArgs``, every section's settings in one model; what the config loader validates a stack file into. Split from ``platform.py`` (which re-exports every name)."""

from __future__ import annotations

import re
from ipaddress import IPv4Network
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .admin_roles import AdminRolesArgs
from .admin_vpn import AdminVpnArgs
from .args import Args, FieldProblem
from .cache import CacheArgs
from .ci_runner import CiRunnerArgs
from .cluster import ClusterArgs
from .cluster_services import ClusterServicesArgs
from .database import DatabaseArgs
from .dns_zone import DnsZoneArgs
from .dr import DrSettings
from .monitoring import MonitoringArgs
from .network import NetworkArgs
from .security import SecurityArgs
from .storage import StorageArgs
from .workloads import WorkloadsArgs

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
    domain: str | None = Field(
        default=None,
        max_length=253,
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        description="The stack's public DNS domain, set once (every stack has one): the name of its hosted "
        "zone (dns.domain) and the default of cluster_services.dns_zone (external-dns), workloads.domain "
        "(route hosts) and storage.dns.domain (certificates).",
    )

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
    dr_network: NetworkArgs = Field(
        default_factory=lambda: NetworkArgs(
            cidr=IPv4Network("10.128.0.0/16"),
            nat_strategy="none",
            interface_endpoints=[],
            flow_log_retention_days=365,
        ),
        description="The private network in platform.dr_region (a stack with a DR region and no standby "
        "stack): database subnets with no route out, no NAT (nothing there initiates traffic); its own "
        "CIDR, for later peering.",
    )
    dns: DnsZoneArgs = Field(
        default_factory=DnsZoneArgs,
        description="The public hosted zone of platform.domain: created by the stack, or adopted by id.",
    )
    security: SecurityArgs = Field(default_factory=SecurityArgs)
    cluster: ClusterArgs = Field(default_factory=ClusterArgs)
    cluster_services: ClusterServicesArgs = Field(default_factory=ClusterServicesArgs)
    database: DatabaseArgs = Field(default_factory=DatabaseArgs)
    cache: CacheArgs = Field(default_factory=CacheArgs)
    storage: StorageArgs = Field(default_factory=StorageArgs)
    monitoring: MonitoringArgs = Field(default_factory=MonitoringArgs)
    workloads: WorkloadsArgs = Field(default_factory=WorkloadsArgs)
    ci_runner: CiRunnerArgs = Field(default_factory=CiRunnerArgs)
    admin_vpn: AdminVpnArgs = Field(default_factory=AdminVpnArgs)
    admin_roles: AdminRolesArgs = Field(default_factory=AdminRolesArgs)
    dr: DrSettings = Field(
        default_factory=DrSettings,
        description="This stack's side of a primary/standby pair in two regions (components/dr.py).",
    )
