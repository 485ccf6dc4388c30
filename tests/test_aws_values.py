"""AWS values checked against what AWS accepts (botocore's models and endpoints, the price table, the
EventBridge cron grammar): the pure checks, then each wired to its config key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config import ConfigError, aws_values
from tests.helpers import load_with, rejected, write_stack
from tools.harness import run_stack


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 5 ? * * *)",
        "cron(0/15 8-18 ? * MON-FRI *)",
        "cron(0 12 L * ? 2027)",
        "cron(0 3 ? * 6#3 *)",
        "cron(30 1 1W * ? *)",
        "cron(0 0 1,15 JAN,JUL ? *)",
        "rate(1 hour)",
        "rate(5 minutes)",
    ],
)
def test_schedule_expressions_aws_accepts(expression) -> None:
    assert aws_values.schedule_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("cron(99 5 ? * * *)", "cron minute 99: 99 is outside 0-59"),
        ("cron(0 24 ? * * *)", "cron hour 24: 24 is outside 0-23"),
        ("cron(0 5 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 5 ? * ? *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 5 ? * 8 *)", "cron day-of-week 8: 8 is outside 1-7 or SUN-SAT"),
        ("cron(0 5 ? 13 * *)", "cron month 13: 13 is outside 1-12 or JAN-DEC"),
        ("cron(0 5 ? * *)", "a cron expression has 6 fields"),
        ("cron(*/0 5 ? * * *)", "step /0 must be a whole number"),
        ("cron(0 5 ? * * 1969)", "cron year 1969"),
        ("rate(1 hours)", "write rate(1 hour)"),
        ("rate(0 minutes)", "must be a positive whole number"),
        ("daily", "not a schedule expression"),
    ],
)
def test_schedule_expressions_aws_rejects(expression, problem) -> None:
    assert problem in (aws_values.schedule_problem(expression) or "")


@given(minute=st.integers(0, 59), hour=st.integers(0, 23), dom=st.booleans())
def test_every_in_range_daily_cron_is_accepted(minute, hour, dom) -> None:
    fields = f"{minute} {hour} {'*' if dom else '?'} * {'?' if dom else '*'} *"
    assert aws_values.schedule_problem(f"cron({fields})") is None


@given(minute=st.integers(60, 10_000))
def test_every_out_of_range_minute_is_refused(minute) -> None:
    assert "outside 0-59" in aws_values.schedule_problem(f"cron({minute} 5 ? * * *)")


def test_instance_types_come_from_botocores_ec2_model() -> None:
    assert aws_values.instance_type_problem("m6i.large") is None
    assert "t3 offers" in aws_values.instance_type_problem("t3.gigantic")
    assert "m6i.large" in aws_values.ec2_instance_types()


def test_rds_and_cache_classes_come_from_the_price_table() -> None:
    assert aws_values.rds_class_problem("db.r6g.xlarge") is None
    assert aws_values.rds_class_problem("db.serverless") is None
    assert "add its price" in aws_values.rds_class_problem("db.t4g.micro")  # RDS offers it, Aurora not
    assert "t3.gigantic is not an EC2 instance size" in aws_values.rds_class_problem("db.t3.gigantic")
    assert "add its price" in aws_values.rds_class_problem("db.c5.large")
    assert "start with 'cache.'" in aws_values.cache_node_type_problem("db.r6g.large")


@pytest.mark.parametrize(
    "address", ["a@b.c1", "a..b@example.com", "ops@-x.com", "ops@localhost", "@example.com"]
)
def test_email_addresses_aws_would_not_deliver_to(address) -> None:
    assert aws_values.email_problem(address) is not None


def test_arn_checks_partition_service_account_and_resource() -> None:
    def problem(arn: str) -> str | None:
        return aws_values.arn_problem(arn, "iam", "role/", "aws")

    assert problem("arn:aws:iam::123456789012:role/platform-admin") is None
    assert "partition aws-cn" in problem("arn:aws-cn:iam::123456789012:role/x")
    assert "12 digits" in problem("arn:aws:iam::1234:role/x")
    assert "must be role/<name>" in problem("arn:aws:iam::123456789012:user/x")


# --- wired to the stack file ------------------------------------------------------------------------


def test_an_instance_type_that_does_not_exist_is_rejected(tmp_path) -> None:
    message = rejected(
        tmp_path, "staging", {"cluster": {"node_groups": {"system": {"instance_types": ["t3.gigantic"]}}}}
    )
    assert (
        "quantumvest-infra:cluster.node_groups.system.instance_types[0] = t3.gigantic: not an EC2 instance type"
        in message
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"database": {"instance_class": "db.t3.gigantic"}},
            "database.instance_class = db.t3.gigantic: no such Aurora PostgreSQL class",
        ),
        (
            {"cache": {"node_type": "cache.t4g.huge"}},
            "cache.node_type = cache.t4g.huge: no such ElastiCache class",
        ),
        ({"platform": {"region": "us-east-9"}}, "platform.region = us-east-9: not an AWS region"),
        ({"platform": {"dr_region": "cn-north-1"}}, "platform.dr_region = cn-north-1: in partition aws-cn"),
        (
            {"security": {"backup": {"schedule": "cron(99 5 ? * * *)"}}},
            "security.backup.schedule = cron(99 5 ? * * *): cron minute 99",
        ),
        (
            {"monitoring": {"alert_emails": ["ops@example.c0m"]}},
            "monitoring.alert_emails[0] = ops@example.c0m: 'example.c0m' is not",
        ),
        (
            {"cluster_services": {"acme_email": "a..b@quantumvest.com"}},
            "cluster_services.acme_email = a..b@quantumvest.com:",
        ),
        (
            {"cluster": {"admin_roles": ["arn:aws-cn:iam::123456789012:role/admin"]}},
            "cluster.admin_roles[0] = arn:aws-cn:iam::123456789012:role/admin: in partition aws-cn",
        ),
    ],
)
def test_aws_values_are_checked_at_load(tmp_path, overrides, expected) -> None:
    message = rejected(tmp_path, "dev", overrides)
    assert f"quantumvest-infra:{expected}" in message
    assert len(message.splitlines()) == 1  # one line per problem, and only this problem


def test_a_region_that_does_not_exist_never_reaches_the_harness(tmp_path) -> None:

    path = write_stack(tmp_path, "dev", {"platform": {"region": "us-east-9"}})
    with pytest.raises(ConfigError, match="not an AWS region"):
        run_stack(str(path))


def test_the_platforms_stacks_pass_every_aws_value_check(tmp_path) -> None:
    assert load_with(tmp_path, "prod", {}).platform.region == "us-east-1"
