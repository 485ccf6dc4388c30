"""Cost attribution and anomaly detection (seed 001: cost monitoring and alerts).

A budget that filters on a tag sees nothing until the tag is *activated* as a cost-allocation tag in
the billing console; the program activates each tag the budget filters on. Cost Anomaly Detection
watches the stack's spend (a custom monitor scoped to the same tag, so two stacks in one account each
get their own) and publishes anomalies above a dollar impact to the alert topic at once.

Both are account-level billing resources served from us-east-1 (Cost Explorer's endpoint); a stack in
another region passes a us-east-1 provider.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import pulumi
import pulumi_aws as aws
from pydantic import Field

from .args import Args


class AnomalyArgs(Args):
    """Cost Anomaly Detection of the stack's tagged spend."""

    enabled: bool = True
    threshold_usd: int = Field(
        default=100,
        ge=1,
        le=1_000_000,
        description="Alert on anomalies whose total impact is at least this many dollars.",
    )
    activate_tags: bool = Field(
        default=True,
        description="Activate the budget's cost-allocation tags (account-wide; activation is idempotent and "
        "shared by every stack of the account).",
    )


def monitor_specification(tags: Mapping[str, str]) -> str:
    """The custom monitor's expression: spend of resources carrying any of ``tags``."""
    expressions = [
        {"Tags": {"Key": key, "Values": [value], "MatchOptions": ["EQUALS"]}}
        for key, value in sorted(tags.items())
    ]
    return json.dumps(expressions[0] if len(expressions) == 1 else {"Or": expressions}, sort_keys=True)


class CostControls(pulumi.ComponentResource):
    """Creates: a ``CostAllocationTag`` (Active) per tag the budget filters on, a custom
    ``AnomalyMonitor`` over the spend carrying those tags, and an immediate ``AnomalySubscription``
    publishing to ``alert_topic_arn``."""

    def __init__(
        self,
        name: str,
        args: AnomalyArgs,
        *,
        cost_tags: Mapping[str, str],
        alert_topic_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:security:CostControls", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.activate_tags:
            for key in sorted(cost_tags):
                aws.costexplorer.CostAllocationTag(
                    f"{name}-tag-{key.lower()}",
                    tag_key=key,
                    status="Active",
                    # Deactivating on destroy would blind every other stack's budget in the account.
                    opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
                )
        if args.enabled and cost_tags:
            monitor = aws.costexplorer.AnomalyMonitor(
                f"{name}-anomaly-monitor",
                monitor_type="CUSTOM",
                monitor_specification=monitor_specification(cost_tags),
                opts=child,
            )
            aws.costexplorer.AnomalySubscription(
                f"{name}-anomaly-alerts",
                frequency="IMMEDIATE",  # SNS subscribers require it
                monitor_arn_lists=[monitor.arn],
                subscribers=[{"type": "SNS", "address": alert_topic_arn}],
                threshold_expression={
                    "dimension": {
                        "key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                        "match_options": ["GREATER_THAN_OR_EQUAL"],
                        "values": [str(args.threshold_usd)],
                    }
                },
                opts=child,
            )
        self.register_outputs({})
