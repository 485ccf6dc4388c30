"""Alerts that must live in the DR region: the cross-region database replica's lag.

A CloudWatch alarm reads metrics of its own region and notifies topics of its own region, so the DR
replica's ReplicaLag alarm and the topic it notifies are created through the DR provider, encrypted
with the DR logs key, subscribed by the same people (and pager) as the primary alert topic.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .sns_topics import subscribe, topic_policy


class DrAlerts(pulumi.ComponentResource):
    """Creates, through ``opts``' DR provider: an alert topic (KMS, TLS-only) with email and pager
    subscriptions, and a ReplicaLag alarm on the DR database replica notifying it."""

    topic_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        replica_identifier: pulumi.Input[str],
        lag_threshold_seconds: int,
        evaluation_periods: int,
        kms_key_arn: pulumi.Input[str],
        emails: Sequence[str],
        pager_endpoint: str | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:monitoring:DrAlerts", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        topic = aws.sns.Topic(
            f"{name}-topic",
            display_name="QuantumVest DR alerts",
            kms_master_key_id=kms_key_arn,
            tags={"Purpose": "alerts"},
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, account).apply(
                lambda v: topic_policy(
                    v[0], v[1], sid="CloudWatchAlarmsPublish", service="cloudwatch.amazonaws.com"
                )
            ),
            opts=child,
        )
        subscribe(name, topic.arn, emails, pager_endpoint, child)
        aws.cloudwatch.MetricAlarm(
            f"{name}-rds-dr-replica-lag",
            alarm_description=f"RDS: the DR replica lags the primary by more than {lag_threshold_seconds} s "
            "(cross-region replication stalled: the DR copy is going stale)",
            namespace="AWS/RDS",
            metric_name="ReplicaLag",
            dimensions={"DBInstanceIdentifier": replica_identifier},
            statistic="Maximum",
            period=60,
            evaluation_periods=evaluation_periods,
            threshold=lag_threshold_seconds,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="breaching",  # no lag figure at all: replication is broken
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            tags={"AlarmGroup": "RDS"},
            opts=child,
        )
        self.topic_arn = topic.arn
        self.register_outputs({"topic_arn": self.topic_arn})
