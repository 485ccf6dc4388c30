"""AWS Backup vaults and plans and AWS Budgets in moto; backup selections are validated against the
API model (moto lacks CreateBackupSelection) after checking the plan exists."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import ACCOUNT_ID, Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:backup/vault:Vault")
def vault(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(50)
    created = ctx.call(
        "backup", "create_backup_vault", BackupVaultName=name, EncryptionKeyArn=i.get("kmsKeyArn")
    )
    return name, {"arn": created["BackupVaultArn"], "name": name}


def _lifecycle(value: Outputs | None) -> dict[str, Any] | None:
    if not value:
        return None
    return {
        k: v
        for k, v in {
            "DeleteAfterDays": value.get("deleteAfter"),
            "MoveToColdStorageAfterDays": value.get("coldStorageAfter"),
        }.items()
        if v is not None
    }


@creates("aws:backup/plan:Plan")
def plan(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(50)
    rules = []
    for rule in i.get("rules") or []:
        entry: dict[str, Any] = {
            "RuleName": rule["ruleName"],
            "TargetBackupVaultName": rule["targetVaultName"],
            "ScheduleExpression": rule.get("schedule"),
            "StartWindowMinutes": rule.get("startWindow"),
            "CompletionWindowMinutes": rule.get("completionWindow"),
            "Lifecycle": _lifecycle(rule.get("lifecycle")),
            "CopyActions": [
                {
                    k: v
                    for k, v in {
                        "DestinationBackupVaultArn": c["destinationVaultArn"],
                        "Lifecycle": _lifecycle(c.get("lifecycle")),
                    }.items()
                    if v
                }
                for c in rule.get("copyActions") or []
            ]
            or None,
            "EnableContinuousBackup": rule.get("enableContinuousBackup"),
        }
        rules.append({k: v for k, v in entry.items() if v is not None})
    created = ctx.call("backup", "create_backup_plan", BackupPlan={"BackupPlanName": name, "Rules": rules})
    return created["BackupPlanId"], {
        "arn": created["BackupPlanArn"],
        "name": name,
        "version": created.get("VersionId"),
    }


def _conditions(value: Any) -> dict[str, Any] | None:
    """A selection's ``conditions`` block as the API's ``Conditions`` (tag tests, ANDed)."""
    blocks = value if isinstance(value, list) else [value] if value else []
    api = {
        "stringEquals": "StringEquals",
        "stringNotEquals": "StringNotEquals",
        "stringLike": "StringLike",
        "stringNotLike": "StringNotLike",
    }
    found: dict[str, list[dict[str, str]]] = {}
    for block in blocks:
        for key, tests in (block or {}).items():
            found.setdefault(api[key], []).extend(
                {"ConditionKey": t["key"], "ConditionValue": t["value"]} for t in tests or []
            )
    return found or None


@validates("aws:backup/selection:Selection", "backup", "CreateBackupSelection")
def selection(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    ctx.call("backup", "get_backup_plan", BackupPlanId=i["planId"])  # the plan must exist
    return {
        "BackupPlanId": i["planId"],
        "BackupSelection": {
            k: v
            for k, v in {
                "SelectionName": i.get("name") or ctx.auto_name(50),
                "IamRoleArn": i["iamRoleArn"],
                "Resources": i.get("resources"),
                "ListOfTags": [
                    {"ConditionType": t["type"], "ConditionKey": t["key"], "ConditionValue": t["value"]}
                    for t in i.get("selectionTags") or []
                ]
                or None,
                "Conditions": _conditions(i.get("conditions")),
            }.items()
            if v is not None
        },
    }


@creates("aws:budgets/budget:Budget")
def budget(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(100)
    account = i.get("accountId") or ACCOUNT_ID
    notifications = [
        {
            "Notification": {
                k: v
                for k, v in {
                    "NotificationType": n["notificationType"],
                    "ComparisonOperator": n["comparisonOperator"],
                    "Threshold": float(n["threshold"]),
                    "ThresholdType": n.get("thresholdType"),
                }.items()
                if v is not None
            },
            "Subscribers": [
                {"SubscriptionType": "EMAIL", "Address": a} for a in n.get("subscriberEmailAddresses") or []
            ]
            + [{"SubscriptionType": "SNS", "Address": a} for a in n.get("subscriberSnsTopicArns") or []],
        }
        for n in i.get("notifications") or []
    ]
    ctx.call(
        "budgets",
        "create_budget",
        AccountId=account,
        Budget={
            "BudgetName": name,
            "BudgetLimit": {"Amount": str(i["limitAmount"]), "Unit": i.get("limitUnit", "USD")},
            "TimeUnit": i["timeUnit"],
            "BudgetType": i["budgetType"],
        },
        NotificationsWithSubscribers=notifications or None,
    )
    return f"{account}:{name}", {"arn": f"arn:aws:budgets::{account}:budget/{name}", "name": name}
