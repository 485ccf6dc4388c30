"""RDS and ElastiCache subnet groups in moto (AWS checks they span enough AZs)."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import AwsCallError, Ctx
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]


def _require_two_azs(ctx: Ctx, operation: str, subnet_ids: list[str]) -> None:
    """AWS refuses a DB subnet group covering fewer than two AZs; moto does not check, so we do.

    The code and message are RDS's documented ``DBSubnetGroupDoesNotCoverEnoughAZs`` fault.
    """
    subnets = ctx.call("ec2", "describe_subnets", SubnetIds=subnet_ids)["Subnets"]
    zones = sorted({s["AvailabilityZone"] for s in subnets})
    if len(zones) < 2:
        raise AwsCallError(
            operation,
            {"SubnetIds": subnet_ids},
            "DBSubnetGroupDoesNotCoverEnoughAZs",
            f"The DB subnet group doesn't meet Availability Zone (AZ) coverage requirement. "
            f"Current AZ coverage: {', '.join(zones)}. Add subnets to cover at least 2 AZs.",
        )


@creates("aws:rds/subnetGroup:SubnetGroup")
def db_subnet_group(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(255, lower=True)
    _require_two_azs(ctx, "CreateDBSubnetGroup", i["subnetIds"])
    created = ctx.call(
        "rds",
        "create_db_subnet_group",
        DBSubnetGroupName=name,
        DBSubnetGroupDescription=i.get("description", "Managed by Pulumi"),
        SubnetIds=i["subnetIds"],
    )["DBSubnetGroup"]
    return name, {"arn": created["DBSubnetGroupArn"], "name": name, "vpcId": created.get("VpcId")}


@creates("aws:elasticache/subnetGroup:SubnetGroup")
def cache_subnet_group(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(255, lower=True)
    created = ctx.call(
        "elasticache",
        "create_cache_subnet_group",
        CacheSubnetGroupName=name,
        CacheSubnetGroupDescription=i.get("description", "Managed by Pulumi"),
        SubnetIds=i["subnetIds"],
    )["CacheSubnetGroup"]
    return name, {"arn": created.get("ARN", ctx.arn("elasticache", f"subnetgroup:{name}")), "name": name}
