"""Values checked against what AWS accepts (:mod:`config.aws_values`): regions, instance types and
classes, schedule expressions, e-mail addresses and role ARNs.

These run in the loader rather than in the components' models: they read botocore's service models
and the project's price table, which the components (shipped as a wheel) neither import nor carry.
"""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs
from config import aws_values


def regions_exist(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Every region is one botocore knows, and the DR region is in the primary's partition."""
    for key, region in (
        ("platform.region", cfg.platform.region),
        ("platform.dr_region", cfg.platform.dr_region),
    ):
        if region is None:
            continue
        problem = aws_values.region_problem(region)
        if problem:
            yield FieldProblem(key, region, problem)
            continue
        primary = aws_values.regions().get(cfg.platform.region)
        if key != "platform.region" and primary and aws_values.regions()[region] != primary:
            yield FieldProblem(
                key,
                region,
                f"in partition {aws_values.regions()[region]}; {cfg.platform.region} is in {primary}",
            )


def instance_types_exist(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Node groups, the database and the cache use instance types and classes AWS offers."""
    for group_name, group in cfg.cluster.node_groups.items():
        for index, instance_type in enumerate(group.instance_types):
            problem = aws_values.instance_type_problem(instance_type)
            if problem:
                yield FieldProblem(
                    f"cluster.node_groups.{group_name}.instance_types[{index}]", instance_type, problem
                )
    for key in ("instance_class", "replica_instance_class"):
        value = getattr(cfg.database, key)
        problem = value is not None and aws_values.rds_class_problem(value)
        if problem:
            yield FieldProblem(f"database.{key}", value, problem)
    problem = aws_values.cache_node_type_problem(cfg.cache.node_type)
    if problem:
        yield FieldProblem("cache.node_type", cfg.cache.node_type, problem)


def backup_schedule_is_aws_cron(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """AWS Backup takes a cron expression in EventBridge's grammar (CreateBackupPlan ScheduleExpression)."""
    schedule = cfg.security.backup.schedule
    problem = aws_values.schedule_problem(schedule, allow_rate=False)
    if problem:
        yield FieldProblem("security.backup.schedule", schedule, problem)


def email_addresses_are_deliverable(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Addresses SNS subscribes and Let's Encrypt registers are real addresses (one rule for all keys)."""
    lists = {
        "monitoring.alert_emails": cfg.monitoring.alert_emails,
        "monitoring.warning_emails": cfg.monitoring.warning_emails or [],
        "security.budget.alert_emails": cfg.security.budget.alert_emails,
    }
    for key, addresses in lists.items():
        for index, address in enumerate(addresses):
            problem = aws_values.email_problem(address)
            if problem:
                yield FieldProblem(f"{key}[{index}]", address, problem)
    acme = cfg.cluster_services.acme_email
    problem = acme is not None and aws_values.email_problem(acme)
    if problem:
        yield FieldProblem("cluster_services.acme_email", acme, problem)


def role_arns_are_iam_roles_of_the_partition(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """A role given by ARN is an IAM role ARN in the partition of the stack's region."""
    partition = aws_values.regions().get(cfg.platform.region)
    for key in ("admin_roles", "readonly_roles"):
        for index, role in enumerate(getattr(cfg.cluster, key)):
            if not role.startswith("arn:"):
                continue
            problem = aws_values.arn_problem(role, "iam", "role/", partition)
            if problem:
                yield FieldProblem(f"cluster.{key}[{index}]", role, problem)


RULES = [
    regions_exist,
    instance_types_exist,
    backup_schedule_is_aws_cron,
    email_addresses_are_deliverable,
    role_arns_are_iam_roles_of_the_partition,
]
