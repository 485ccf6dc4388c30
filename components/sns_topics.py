"""What every alert topic of the platform shares: a TLS-only policy that lets exactly one AWS service of
this account publish, and the receivers (email addresses, and a pager endpoint where the tier has one).

The platform's alert, DR-alert and security-finding topics differ only in who publishes (CloudWatch
alarms, an EventBridge rule) and their display names; the coverage rule ``alert-routing`` checks that
each ends at a subscription, which :func:`subscribe` creates.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws


def topic_policy(
    topic_arn: str, account: str, *, sid: str, service: str, source_arn: str | None = None
) -> str:
    """Deny publishing or subscribing without TLS; allow ``service`` to publish for ``account`` only
    (and for ``source_arn`` only, when given: the confused-deputy guard SNS documents)."""
    condition: dict[str, dict[str, str]] = {"StringEquals": {"aws:SourceAccount": account}}
    if source_arn is not None:
        condition["ArnEquals"] = {"aws:SourceArn": source_arn}
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": ["sns:Publish", "sns:Subscribe"],
                    "Resource": topic_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": condition,
                },
            ],
        },
        sort_keys=True,
    )


def subscribe(
    name: str,
    topic_arn: pulumi.Input[str],
    emails: Sequence[str],
    pager_endpoint: str | None,
    opts: pulumi.ResourceOptions,
) -> None:
    """One email subscription per address (named by a hash of it, so reordering renames nothing) and,
    when given, the pager's HTTPS endpoint (auto-confirmed: PagerDuty/Opsgenie confirm on receipt)."""
    for address in emails:
        aws.sns.TopicSubscription(
            f"{name}-email-{hashlib.sha256(address.encode()).hexdigest()[:10]}",
            topic=topic_arn,
            protocol="email",
            endpoint=address,
            opts=opts,
        )
    if pager_endpoint is not None:
        aws.sns.TopicSubscription(
            f"{name}-pager",
            topic=topic_arn,
            protocol="https",
            endpoint=pager_endpoint,
            endpoint_auto_confirms=True,
            opts=opts,
        )
