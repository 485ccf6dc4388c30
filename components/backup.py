"""What the backup plan protects, and the proof that it restores.

Security creates the vault, the daily plan (with its DR copy) and the backup role; this component,
built once the data stores exist, says what the plan backs up and tests that it restores:

- a selection **by ARN** of the database, the EFS file system and the buckets that hold data (the ARNs
  come from the resources themselves, so nothing depends on a tag someone forgot);
- a selection **by tag** of the EBS volumes the CSI driver creates (their ids exist only at run time;
  the driver's ``extraVolumeTags`` put the selection tag on every one);
- AWS Backup **restore testing** (seeds 000 and 004: "regular restore testing"): a weekly plan that
  restores the latest recovery point of the database (into the database subnets and security group)
  and of the file system, validates it and deletes it;
- CloudWatch alarms, to the alert topic, when a backup job, a copy job or a restore test fails.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
from pydantic import Field

from .args import Args

#: AWS Backup's job metrics (namespace AWS/Backup, "Monitoring AWS Backup metrics with CloudWatch").
BACKUP_NAMESPACE = "AWS/Backup"
#: Restore tests run on these resource types (AWS Backup's ResourceType dimension values).
#: AWS Backup protected-resource types: an Aurora cluster is "Aurora" (a DB instance would be "RDS").
RESTORE_TESTED = {"database": "Aurora", "efs": "EFS"}


class RestoreTestingArgs(Args):
    """AWS Backup restore testing of the database and the file system."""

    enabled: bool = True
    schedule: str = Field(
        default="cron(0 7 ? * MON *)",
        pattern=r"^cron\((\S+ ){5}\S+\)$",
        description="Weekly on Monday 07:00 UTC, after the 05:00 daily backup has had time to finish.",
    )
    start_window_hours: int = Field(default=8, ge=1, le=168, description="Hours a test may wait to start.")
    selection_window_days: int = Field(
        default=7, ge=1, le=365, description="Test the latest recovery point of the last N days."
    )
    validation_window_hours: int = Field(
        default=2,
        ge=0,
        le=168,
        description="Hours the restored copy is kept for validation before AWS Backup deletes it.",
    )


def _backup_name(prefix: str, suffix: str) -> str:
    """A restore-testing name: letters, digits and '_' only (AWS Backup), at most 50 characters."""
    return f"{prefix.replace('-', '_')}_{suffix}"[:50]


class BackupCoverage(pulumi.ComponentResource):
    """Backup selections, restore testing and backup alarms for the stack's data stores.

    Creates: two ``aws.backup.Selection`` (by ARN; the CSI volumes by tag), a ``RestoreTestingPlan``
    and a ``RestoreTestingSelection`` per tested store (RDS, EFS), and ``MetricAlarm`` for failed backup
    jobs, failed copy jobs and failed restore jobs per tested type, each notifying ``alert_topic_arn``.
    """

    def __init__(
        self,
        name: str,
        args: RestoreTestingArgs,
        *,
        prefix: str,
        plan_id: pulumi.Input[str],
        role_arn: pulumi.Input[str],
        vault_name: pulumi.Input[str],
        vault_arn: pulumi.Input[str],
        resource_arns: Sequence[pulumi.Input[str]],
        volume_tags: Mapping[str, str],
        alert_topic_arn: pulumi.Input[str],
        database_arn: pulumi.Input[str] | None = None,
        database_subnet_group_name: pulumi.Input[str] | None = None,
        database_security_group_ids: Sequence[pulumi.Input[str]] = (),
        efs_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:security:BackupCoverage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        aws.backup.Selection(
            f"{name}-by-arn",
            name=f"{prefix}-resources",
            plan_id=plan_id,
            iam_role_arn=role_arn,
            resources=list(resource_arns),
            opts=child,
        )
        if volume_tags:
            aws.backup.Selection(
                f"{name}-volumes",
                name=f"{prefix}-volumes",
                plan_id=plan_id,
                iam_role_arn=role_arn,
                resources=[pulumi.Output.concat("arn:", partition, ":ec2:*:*:volume/*")],
                conditions=[
                    {
                        "string_equals": [
                            {"key": f"aws:ResourceTag/{key}", "value": value}
                            for key, value in sorted(volume_tags.items())
                        ]
                    }
                ],
                opts=child,
            )

        tested: list[str] = []
        if args.enabled and (database_arn is not None or efs_arn is not None):
            plan = aws.backup.RestoreTestingPlan(
                f"{name}-restore-tests",
                name=_backup_name(prefix, "restores"),
                schedule_expression=args.schedule,
                start_window_hours=args.start_window_hours,
                recovery_point_selection={
                    "algorithm": "LATEST_WITHIN_WINDOW",
                    "include_vaults": [vault_arn],
                    "recovery_point_types": ["SNAPSHOT"],
                    "selection_window_days": args.selection_window_days,
                },
                opts=child,
            )
            if database_arn is not None:
                overrides: dict[str, pulumi.Input[str]] = {}
                if database_subnet_group_name is not None:
                    # Restore inside the database subnets, not the default VPC (which may not exist).
                    overrides["dbsubnetgroupname"] = database_subnet_group_name
                if database_security_group_ids:
                    overrides["vpcsecuritygroupids"] = pulumi.Output.all(*database_security_group_ids).apply(
                        json.dumps
                    )
                aws.backup.RestoreTestingSelection(
                    f"{name}-restore-database",
                    name="database",
                    restore_testing_plan_name=plan.name,
                    protected_resource_type=RESTORE_TESTED["database"],
                    protected_resource_arns=[database_arn],
                    iam_role_arn=role_arn,
                    restore_metadata_overrides=overrides or None,
                    validation_window_hours=args.validation_window_hours,
                    opts=child,
                )
                tested.append("database")
            if efs_arn is not None:
                aws.backup.RestoreTestingSelection(
                    f"{name}-restore-efs",
                    name="efs",
                    restore_testing_plan_name=plan.name,
                    protected_resource_type=RESTORE_TESTED["efs"],
                    protected_resource_arns=[efs_arn],
                    iam_role_arn=role_arn,
                    validation_window_hours=args.validation_window_hours,
                    opts=child,
                )
                tested.append("efs")

        alarms: list[tuple[str, str, str, Mapping[str, pulumi.Input[str]]]] = [
            (
                "backup-jobs-failed",
                "NumberOfBackupJobsFailed",
                "a backup job failed",
                {"BackupVaultName": vault_name},
            ),
            (
                "copy-jobs-failed",
                "NumberOfCopyJobsFailed",
                "a copy to the DR vault failed",
                {"BackupVaultName": vault_name},
            ),
        ]
        alarms += [
            (
                f"restore-test-failed-{store}",
                "NumberOfRestoreJobsFailed",
                f"a restore ({RESTORE_TESTED[store]}, restore testing) failed",
                {"ResourceType": RESTORE_TESTED[store]},
            )
            for store in tested
        ]
        for key, metric, what, dimensions in alarms:
            aws.cloudwatch.MetricAlarm(
                f"{name}-{key}",
                alarm_description=f"AWS Backup: {what} — the data it protects has no fresh recovery point",
                namespace=BACKUP_NAMESPACE,
                metric_name=metric,
                dimensions=dimensions,
                statistic="Sum",
                period=3600,
                evaluation_periods=1,
                threshold=0,
                comparison_operator="GreaterThanThreshold",
                treat_missing_data="notBreaching",  # no job in the hour: nothing failed
                alarm_actions=[alert_topic_arn],
                ok_actions=[alert_topic_arn],
                tags={"AlarmGroup": "Backup"},
                opts=child,
            )
        self.register_outputs({})
