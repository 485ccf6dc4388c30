"""Pricing rules: KMS keys, Secrets Manager, WAF web ACLs, GuardDuty and CloudTrail."""

from __future__ import annotations

import json
from typing import Any

from tools.cost.lookup import usage_value
from tools.cost.model import Context, CostItem, Priced, Unpriceable, prices
from tools.harness import Resource


@prices("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", usage=("monthly_requests_10k",))
def _kms(resource: Resource, ctx: Context) -> Priced:
    priced = Priced([CostItem("Customer managed key", 1, "months", ctx.prices.per_resource("kms_key_month"))])
    requests = usage_value(ctx, resource, "monthly_requests_10k", priced)
    if requests is not None:
        priced.items.append(
            CostItem("Requests", requests, "x 10k", ctx.prices.per_resource("kms_10k_requests"))
        )
    return priced


@prices("aws:secretsmanager/secret:Secret")
def _secret(resource: Resource, ctx: Context) -> Priced:
    copies = 1 + len(resource.inputs.get("replicas") or [])
    rate = ctx.prices.per_resource("secretsmanager_secret_month")
    label = "Secret" if copies == 1 else f"Secret and {copies - 1} replica(s)"
    return Priced([CostItem(label, copies, "months", rate)], notes=["API calls are not priced"])


def _waf_rules(resource: Resource) -> list[dict[str, Any]]:
    rules = resource.inputs.get("rules")
    if rules is None and isinstance(resource.inputs.get("ruleJson"), str):
        try:
            rules = json.loads(resource.inputs["ruleJson"])
        except ValueError:
            rules = None
    return [r for r in rules or [] if isinstance(r, dict)]


_PAID_MANAGED_GROUPS = (
    "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet",
    "AWSManagedRulesACFPRuleSet",
)


@prices("aws:wafv2/webAcl:WebAcl", usage=("monthly_requests_million",))
def _web_acl(resource: Resource, ctx: Context) -> Priced:
    rules = _waf_rules(resource)
    priced = Priced(
        [
            CostItem("Web ACL", 1, "months", ctx.prices.per_resource("waf_web_acl_month")),
            CostItem(
                f"Rules and rule groups ({len(rules)})",
                len(rules),
                "months",
                ctx.prices.per_resource("waf_rule_month"),
            ),
        ]
    )
    paid = sorted({g for g in _PAID_MANAGED_GROUPS if g in json.dumps(rules)})
    if paid:
        priced.notes.append(f"subscription and request fees of {', '.join(paid)} are not in the price table")
    requests = usage_value(ctx, resource, "monthly_requests_million", priced)
    if requests is not None:
        priced.items.append(
            CostItem("Requests", requests, "millions", ctx.prices.per_resource("waf_million_requests"))
        )
    return priced


@prices("aws:guardduty/detector:Detector")
def _guardduty(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(f"usage-based ({ctx.prices.data['per_resource']['guardduty_note']})")


@prices("aws:cloudtrail/trail:Trail", usage=("monthly_data_events_100k",))
def _trail(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["the first copy of management events is free"])
    if resource.inputs.get("eventSelectors") or resource.inputs.get("advancedEventSelectors"):
        events = usage_value(ctx, resource, "monthly_data_events_100k", priced)
        if events:
            priced.items.append(
                CostItem(
                    "Data events", events, "x 100k", ctx.prices.per_resource("cloudtrail_data_events_100k")
                )
            )
    return priced
