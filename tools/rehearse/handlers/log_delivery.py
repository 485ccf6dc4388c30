"""CloudWatch Logs resource policies and vended-log delivery (CloudFront access logs) in moto; the
RDS automated-backups replication is validated against the API model (moto lacks the operation)."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:cloudwatch/logResourcePolicy:LogResourcePolicy")
def resource_policy(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call("logs", "put_resource_policy", policyName=i["policyName"], policyDocument=i["policyDocument"])
    return i["policyName"], {}


@creates("aws:cloudwatch/logDeliverySource:LogDeliverySource")
def delivery_source(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "logs", "put_delivery_source", name=i["name"], resourceArn=i["resourceArn"], logType=i["logType"]
    )["deliverySource"]
    return i["name"], {"arn": created.get("arn") or ctx.arn("logs", f"delivery-source:{i['name']}")}


@creates("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")
def delivery_destination(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    config = i.get("deliveryDestinationConfiguration") or {}
    created = ctx.call(
        "logs",
        "put_delivery_destination",
        name=i["name"],
        outputFormat=i.get("outputFormat"),
        deliveryDestinationConfiguration={"destinationResourceArn": config["destinationResourceArn"]},
    )["deliveryDestination"]
    return i["name"], {
        "arn": created["arn"],
        "deliveryDestinationType": created.get("deliveryDestinationType"),
    }


@creates("aws:cloudwatch/logDelivery:LogDelivery")
def delivery(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    s3 = (i.get("s3DeliveryConfigurations") or [{}])[0]
    created = ctx.call(
        "logs",
        "create_delivery",
        deliverySourceName=i["deliverySourceName"],
        deliveryDestinationArn=i["deliveryDestinationArn"],
        fieldDelimiter=i.get("fieldDelimiter"),
        recordFields=i.get("recordFields"),
        s3DeliveryConfiguration={
            k: v
            for k, v in {
                "suffixPath": s3.get("suffixPath"),
                "enableHiveCompatiblePath": s3.get("enableHiveCompatiblePath"),
            }.items()
            if v is not None
        }
        or None,
    )["delivery"]
    return created["id"], {"arn": created.get("arn")}


@validates(
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
    "rds",
    "StartDBInstanceAutomatedBackupsReplication",
)
def backups_replication(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    source = i["sourceDbInstanceArn"]
    region = source.split(":")[3]
    identifier = source.split(":")[-1]
    ctx.client("rds", region).describe_db_instances(DBInstanceIdentifier=identifier)  # the source exists
    return {
        k: v
        for k, v in {
            "SourceDBInstanceArn": source,
            "BackupRetentionPeriod": i.get("retentionPeriod"),
            "KmsKeyId": i.get("kmsKeyId"),
        }.items()
        if v is not None
    }
