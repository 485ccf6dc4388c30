"""Recovery and spend: the AWS Backup vault, daily plan and role (copies to a DR-region vault with a DR
provider), and the monthly AWS Budget.

Split from ``security.py``; children of the ``Security`` component, same logical names as before.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .iam import service_trust_policy
from .security_args import SecurityScope


@dataclass(frozen=True)
class BackupPlan:
    """What ``components/backup.py`` needs to select resources into the plan."""

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    plan_id: pulumi.Output[str]
    #: Resolves only once the role's policies are attached.
    role_arn: pulumi.Output[str]


def _with_standby_copy(
    copy_actions: list[aws.backup.PlanRuleCopyActionArgsDict],
    standby_vault_arn: pulumi.Input[str | None] | None,
    retention_days: int,
) -> pulumi.Input[list[aws.backup.PlanRuleCopyActionArgsDict]]:
    """The copy actions plus one to the DR standby's vault (components/dr.py), once the standby
    exports one: a primary deployed before its standby (a new account) copies nowhere else yet."""
    if standby_vault_arn is None:
        return copy_actions

    def with_standby(arn: str | None) -> list[aws.backup.PlanRuleCopyActionArgsDict]:
        if not arn:
            return copy_actions
        return [*copy_actions, {"destination_vault_arn": arn, "lifecycle": {"delete_after": retention_days}}]

    return pulumi.Output.from_input(standby_vault_arn).apply(with_standby)


def backups(
    scope: SecurityScope,
    data_key: aws.kms.Key,
    dr_data_key: aws.kms.Key | None,
    dr_provider: aws.Provider | None,
    standby_vault_arn: pulumi.Input[str | None] | None = None,
) -> BackupPlan:
    """Vault (data key), daily plan with retention and the backup role; DR copies if a DR provider was
    given. The selections are components/backup.py's."""
    cfg = scope.args.backup
    name = scope.name
    vault = aws.backup.Vault(
        f"{name}-backup-vault",
        kms_key_arn=data_key.arn,
        force_destroy=not scope.args.protect,
        opts=scope.stateful,
    )
    copy_actions: list[aws.backup.PlanRuleCopyActionArgsDict] = []
    if dr_provider is not None and dr_data_key is not None:
        dr_vault = aws.backup.Vault(
            f"{name}-dr-backup-vault",
            kms_key_arn=dr_data_key.arn,
            force_destroy=not scope.args.protect,
            opts=pulumi.ResourceOptions.merge(scope.stateful, pulumi.ResourceOptions(provider=dr_provider)),
        )
        copy_actions.append(
            {"destination_vault_arn": dr_vault.arn, "lifecycle": {"delete_after": cfg.retention_days}}
        )
    plan = aws.backup.Plan(
        f"{name}-backup-plan",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": vault.name,
                "schedule": cfg.schedule,
                "start_window": cfg.start_window_minutes,
                "completion_window": cfg.completion_window_minutes,
                "lifecycle": {"delete_after": cfg.retention_days},
                "copy_actions": _with_standby_copy(copy_actions, standby_vault_arn, cfg.retention_days),
                "recovery_point_tags": {cfg.selection_tag_key: scope.prefix},
            }
        ],
        opts=scope.child,
    )
    role = aws.iam.Role(
        f"{name}-backup-role",
        # IAM: confused-deputy guard (AWS Backup acting for this account only).
        assume_role_policy=scope.account.apply(
            lambda account: service_trust_policy("backup.amazonaws.com", account=account)
        ),
        opts=scope.child,
    )
    attachments = [
        aws.iam.RolePolicyAttachment(
            f"{name}-backup-role-{suffix}",
            role=role.name,
            policy_arn=scope.partition.apply(
                lambda p, policy=policy: f"arn:{p}:iam::aws:policy/service-role/{policy}"
            ),
            opts=scope.child,
        )
        for suffix, policy in (
            ("backup", "AWSBackupServiceRolePolicyForBackup"),
            ("restore", "AWSBackupServiceRolePolicyForRestores"),
        )
    ]
    # What the plan backs up is chosen by components/backup.py once the resources exist (by ARN, and
    # the CSI volumes by tag); the role is handed over only once its policies are attached.
    return BackupPlan(
        vault_name=vault.name,
        vault_arn=vault.arn,
        plan_id=plan.id,
        role_arn=pulumi.Output.all(role.arn, *[a.id for a in attachments]).apply(lambda v: v[0]),
    )


def budget(scope: SecurityScope) -> None:
    """A monthly cost budget with an alert per threshold, on forecast and on actual spend."""
    cfg = scope.args.budget
    notifications: list[aws.budgets.BudgetNotificationArgsDict] = [
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
    cost_filters: list[aws.budgets.BudgetCostFilterArgsDict] = (
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
        f"{scope.name}-monthly-budget",
        name_prefix=f"{scope.prefix}-monthly-",
        budget_type="COST",
        time_unit="MONTHLY",
        limit_amount=str(cfg.monthly_limit_usd),
        limit_unit="USD",
        cost_filters=cost_filters,
        notifications=notifications if cfg.alert_emails else [],
        opts=scope.child,
    )
