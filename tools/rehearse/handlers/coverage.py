"""Issue 16's AWS types: EventBridge rules and targets (GuardDuty findings) in moto; AWS Backup restore
testing and the Cost Explorer resources (cost-allocation tags, anomaly monitors and subscriptions),
which moto lacks, validated against botocore's model."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:cloudwatch/eventRule:EventRule")
def event_rule(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(64)
    created = ctx.call(
        "events",
        "put_rule",
        Name=name,
        EventPattern=i.get("eventPattern"),
        ScheduleExpression=i.get("scheduleExpression"),
        Description=i.get("description"),
        State=i.get("state") or "ENABLED",
    )
    return name, {"arn": created["RuleArn"], "name": name}


@creates("aws:cloudwatch/eventTarget:EventTarget")
def event_target(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    target_id = i.get("targetId") or ctx.auto_name(64)
    result = ctx.call("events", "put_targets", Rule=i["rule"], Targets=[{"Id": target_id, "Arn": i["arn"]}])
    if result.get("FailedEntryCount"):
        raise ValueError(f"put_targets failed: {result.get('FailedEntries')}")
    return f"{i['rule']}-{target_id}", {"targetId": target_id}


@validates("aws:backup/restoreTestingPlan:RestoreTestingPlan", "backup", "CreateRestoreTestingPlan")
def restore_testing_plan(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    selection = i["recoveryPointSelection"]
    return {
        "RestoreTestingPlan": {
            k: v
            for k, v in {
                "RestoreTestingPlanName": i["name"],
                "ScheduleExpression": i["scheduleExpression"],
                "StartWindowHours": i.get("startWindowHours"),
                "RecoveryPointSelection": {
                    k2: v2
                    for k2, v2 in {
                        "Algorithm": selection["algorithm"],
                        "IncludeVaults": selection["includeVaults"],
                        "RecoveryPointTypes": selection["recoveryPointTypes"],
                        "SelectionWindowDays": selection.get("selectionWindowDays"),
                    }.items()
                    if v2 is not None
                },
            }.items()
            if v is not None
        }
    }


@validates(
    "aws:backup/restoreTestingSelection:RestoreTestingSelection", "backup", "CreateRestoreTestingSelection"
)
def restore_testing_selection(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    return {
        "RestoreTestingPlanName": i["restoreTestingPlanName"],
        "RestoreTestingSelection": {
            k: v
            for k, v in {
                "RestoreTestingSelectionName": i["name"],
                "ProtectedResourceType": i["protectedResourceType"],
                "ProtectedResourceArns": i.get("protectedResourceArns"),
                "IamRoleArn": i["iamRoleArn"],
                "RestoreMetadataOverrides": i.get("restoreMetadataOverrides"),
                "ValidationWindowHours": i.get("validationWindowHours"),
            }.items()
            if v is not None
        },
    }


@validates("aws:costexplorer/costAllocationTag:CostAllocationTag", "ce", "UpdateCostAllocationTagsStatus")
def cost_allocation_tag(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    return {"CostAllocationTagsStatus": [{"TagKey": i["tagKey"], "Status": i["status"]}]}


@validates("aws:costexplorer/anomalyMonitor:AnomalyMonitor", "ce", "CreateAnomalyMonitor")
def anomaly_monitor(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    import json

    monitor: dict[str, Any] = {
        "MonitorName": i.get("name") or ctx.auto_name(1024),
        "MonitorType": i["monitorType"],
    }
    if i.get("monitorDimension"):
        monitor["MonitorDimension"] = i["monitorDimension"]
    if i.get("monitorSpecification"):
        monitor["MonitorSpecification"] = json.loads(i["monitorSpecification"])
    return {"AnomalyMonitor": monitor}


@validates("aws:costexplorer/anomalySubscription:AnomalySubscription", "ce", "CreateAnomalySubscription")
def anomaly_subscription(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    threshold = (i.get("thresholdExpression") or {}).get("dimension") or {}
    return {
        "AnomalySubscription": {
            "SubscriptionName": i.get("name") or ctx.auto_name(1024),
            "MonitorArnList": i["monitorArnLists"],
            "Subscribers": [{"Type": s["type"], "Address": s["address"]} for s in i["subscribers"]],
            "Frequency": i["frequency"],
            "ThresholdExpression": {
                "Dimensions": {
                    "Key": threshold["key"],
                    "Values": threshold["values"],
                    "MatchOptions": threshold.get("matchOptions"),
                }
            },
        }
    }
