"""The rules of the platform's WAFv2 web ACLs, as plain data (the same rules guard the ALB and the CDN).

Order matters — WAF evaluates rules by priority and stops at the first terminating action:

0. Amazon IP reputation list: known bots and scanners are blocked before they count against anything.
1. A rate-based rule per client IP (seed 003: 2000 requests per 5 minutes), answering 429.
2. AWS common rule set (OWASP top ten: XSS, path traversal, size limits…).
3. Known bad inputs (Log4Shell, Java deserialisation, …; CKV_AWS_192).
4. SQL injection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: AWS managed rule groups every ACL carries, in evaluation order.
MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)

RATE_LIMIT_RULE = "RateLimitPerIp"


def visibility(metric_name: str) -> dict[str, Any]:
    """CloudWatch metrics and sampled requests on, under ``metric_name``."""
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric_name, "sampled_requests_enabled": True}


def _managed(group: str, priority: int, metric_prefix: str, count_only: Sequence[str]) -> dict[str, Any]:
    statement: dict[str, Any] = {"name": group, "vendor_name": "AWS"}
    if count_only:
        statement["rule_action_overrides"] = [
            {"name": rule, "action_to_use": {"count": {}}} for rule in count_only
        ]
    return {
        "name": group,
        "priority": priority,
        "override_action": {"none": {}},
        "statement": {"managed_rule_group_statement": statement},
        "visibility_config": visibility(f"{metric_prefix}-{group}"),
    }


def web_acl_rules(
    *,
    rate_limit: int,
    rate_window_seconds: int,
    metric_prefix: str,
    count_only: Mapping[str, Sequence[str]] | None = None,
) -> list[dict[str, Any]]:
    """The ACL's rules: IP reputation, the per-IP rate limit, then the other managed groups."""
    count_only = count_only or {}
    first, *others = MANAGED_RULE_GROUPS
    rate_rule = {
        "name": RATE_LIMIT_RULE,
        "priority": 1,
        "action": {"block": {"custom_response": {"response_code": 429}}},
        "statement": {
            "rate_based_statement": {
                "limit": rate_limit,
                "evaluation_window_sec": rate_window_seconds,
                "aggregate_key_type": "IP",
            }
        },
        "visibility_config": visibility(f"{metric_prefix}-{RATE_LIMIT_RULE}"),
    }
    return [
        _managed(first, 0, metric_prefix, count_only.get(first, ())),
        rate_rule,
        *(
            _managed(group, priority, metric_prefix, count_only.get(group, ()))
            for priority, group in enumerate(others, start=2)
        ),
    ]
