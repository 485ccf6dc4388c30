"""Security findings to people: GuardDuty → EventBridge → the security SNS topic.

GuardDuty writes findings to its console and to EventBridge, nowhere else; without a rule and a
target nobody hears of a compromised pod or a leaked key. The security topic is its own (findings go
to the security on-call, not the platform alert stream), KMS-encrypted, TLS-only, and its policy lets
EventBridge in this account publish. Low-severity findings (below ``min_severity``) stay in the console.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from .sns_topics import subscribe, topic_policy

#: GuardDuty severities: 1-3.9 low, 4-6.9 medium, 7-8.9 high, 9-10 critical (GuardDuty user guide).
MEDIUM = 4


def finding_pattern(min_severity: float) -> str:
    """The EventBridge pattern of GuardDuty findings at or above ``min_severity``."""
    return json.dumps(
        {
            "source": ["aws.guardduty"],
            "detail-type": ["GuardDuty Finding"],
            "detail": {"severity": [{"numeric": [">=", min_severity]}]},
        },
        sort_keys=True,
    )


class SecurityFindings(pulumi.ComponentResource):
    """Creates: the security topic (KMS, TLS-only, EventBridge may publish) with its email and pager
    subscriptions, an EventBridge rule matching GuardDuty findings of ``min_severity`` and above, and
    the rule's target, the topic."""

    topic_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        kms_key_arn: pulumi.Input[str],
        emails: Sequence[str],
        pager_endpoint: str | None = None,
        min_severity: float = MEDIUM,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:security:SecurityFindings", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        topic = aws.sns.Topic(
            f"{name}-topic",
            display_name="QuantumVest security findings",
            kms_master_key_id=kms_key_arn,
            tags={"Purpose": "security-findings"},
            opts=child,
        )
        rule = aws.cloudwatch.EventRule(
            f"{name}-guardduty",
            description=f"GuardDuty findings of severity {min_severity} and above to the security topic",
            event_pattern=finding_pattern(min_severity),
            opts=child,
        )
        policy = aws.sns.TopicPolicy(
            f"{name}-topic-policy",
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, account, rule.arn).apply(
                lambda v: topic_policy(
                    v[0],
                    v[1],
                    sid="EventBridgeFindingsRulePublishes",
                    service="events.amazonaws.com",
                    source_arn=v[2],
                )
            ),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-guardduty-target",
            rule=rule.name,
            arn=topic.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        subscribe(name, topic.arn, emails, pager_endpoint, child)
        self.topic_arn = topic.arn
        self.register_outputs({"topic_arn": self.topic_arn})
