"""Alerts that must live in the DR region: the Aurora global database's replication lag.

``AuroraGlobalDBReplicationLag`` is published by the *secondary* cluster, in its own region (AWS docs
"Monitoring Aurora global databases"), and a CloudWatch alarm reads metrics of its own region and
notifies topics of its own region: so the alarm and the topic it notifies are created in the DR region
(the DR stack's provider), encrypted with that region's logs key, subscribed by the same people (and
pager) as the primary alert topic.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .sns_topics import subscribe, topic_policy


class DrAlerts(pulumi.ComponentResource):
    """Creates, through ``opts``' DR provider: an alert topic (KMS, TLS-only) with email and pager
    subscriptions, and an AuroraGlobalDBReplicationLag alarm on the standby cluster notifying it."""

    topic_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        cluster_identifier: pulumi.Input[str],
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
            f"{name}-rds-global-replication-lag",
            alarm_description=f"Aurora: the standby lags the primary region by more than {lag_threshold_seconds} s "
            "(seed 003's RPO is 5 min: a region loss now would lose that much)",
            namespace="AWS/RDS",
            metric_name="AuroraGlobalDBReplicationLag",  # milliseconds
            dimensions={"DBClusterIdentifier": cluster_identifier},
            statistic="Maximum",
            period=60,
            evaluation_periods=evaluation_periods,
            threshold=lag_threshold_seconds * 1000,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data="breaching",  # no lag figure at all: replication is broken
            alarm_actions=[topic.arn],
            ok_actions=[topic.arn],
            tags={"AlarmGroup": "RDS"},
            opts=child,
        )
        self.topic_arn = topic.arn
        self.register_outputs({"topic_arn": self.topic_arn})
