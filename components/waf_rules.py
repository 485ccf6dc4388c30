"""The rules of the platform's WAFv2 web ACLs, as plain data (the same rules guard the ALB and the CDN).

Order matters — WAF evaluates rules by priority and stops at the first terminating action:

0. Amazon IP reputation list: known bots and scanners are blocked before they count against anything.
1. A rate-based rule per client IP (seed 003: 2000 requests per 5 minutes), answering 429.
2. AWS common rule set (OWASP top ten: XSS, path traversal, size limits…).
3. Known bad inputs (Log4Shell, Java deserialisation, …; CKV_AWS_192).
4. SQL injection.
5. The ALB's per-path limits (seed 004: API 100 req/s, authentication 5 req/s, file uploads 1 req/s,
   general traffic 10 req/s), one rate-based rule each, scoped down to a host and a path prefix,
   answering 429 (REGIONAL ACL only: the CDN serves none of these paths). Last, so a request another
   rule already blocked does not count against a client's allowance.

**Per second becomes per window.** WAF counts a rate-based rule's requests per client IP over an
evaluation window of 60, 120, 300 or 600 seconds (there is no per-second limit), so seed 004's
``N req/s`` becomes ``N * window`` requests per window: 1 req/s over the shortest window (60 s) is 60
per minute. This is an average, not a leaky bucket: a client may spend a minute's allowance in a
burst, and WAF blocks it until its count over the trailing window falls below the limit again (WAF
re-evaluates about every 10 seconds, so enforcement starts within seconds, not instantly). The shortest
window keeps that burst smallest. WAF's lowest limit is 10 per window, so no seed figure is lost.

**Most specific path wins**: a rule for ``/`` on a host does not count the requests of the host's
more specific prefixes (``/auth``, ``/upload``), which have their own rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from .args import Args, FieldProblem

if TYPE_CHECKING:  # the rules are plain data shaped as the SDK's TypedDicts; no SDK import at run time
    from pulumi_aws.wafv2 import WebAclRuleArgsDict as Rule
    from pulumi_aws.wafv2 import (
        WebAclRuleStatementManagedRuleGroupStatementArgsDict as ManagedGroupStatement,
    )
    from pulumi_aws.wafv2 import (
        WebAclRuleStatementRateBasedStatementScopeDownStatementArgsDict as ScopeDown,
    )
    from pulumi_aws.wafv2 import (
        WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementFieldToMatchArgsDict as FieldToMatch,
    )
    from pulumi_aws.wafv2 import (
        WebAclRuleStatementRateBasedStatementScopeDownStatementByteMatchStatementTextTransformationArgsDict as TextTransformation,
    )
    from pulumi_aws.wafv2 import WebAclRuleVisibilityConfigArgsDict as Visibility

#: WAF's lowest limit of a rate-based rule (requests per evaluation window; WAFv2 API RateLimit min).
WAF_PATH_RATE_LIMIT_MIN = 10


class PathRateLimit(Args):
    """One per-path limit: requests per second per client IP on ``host`` under the ``path`` prefix."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]{0,63}$", description="Rule name suffix (metric name).")
    host: str = Field(
        pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$",
        description="A public host label ('api' → api.<domain>).",
    )
    path: str = Field(
        default="/", pattern=r"^/[A-Za-z0-9._~/-]*$", description="Path prefix ('/' is the host)."
    )
    requests_per_second: int = Field(ge=1, le=1_000_000, description="Seed 004's figure, per client IP.")
    window_seconds: Literal[60, 120, 300, 600] = Field(
        default=60, description="WAF evaluation window; the shortest keeps a burst smallest."
    )

    @property
    def limit(self) -> int:
        """The WAF limit: requests per window."""
        return self.requests_per_second * self.window_seconds

    @model_validator(mode="after")
    def _check(self) -> PathRateLimit:
        if self.limit < WAF_PATH_RATE_LIMIT_MIN:
            raise FieldProblem(
                "requests_per_second",
                self.requests_per_second,
                f"{self.limit} per {self.window_seconds} s is below WAF's lowest limit ({WAF_PATH_RATE_LIMIT_MIN})",
            )
        return self


def seed_path_rate_limits() -> list[PathRateLimit]:
    """Seed 004's rate-limiting zones. The seed names no upload path; ``/upload`` on the API is ours."""
    return [
        PathRateLimit(name="Api", host="api", path="/", requests_per_second=100),
        PathRateLimit(name="Auth", host="api", path="/auth", requests_per_second=5),
        PathRateLimit(name="Uploads", host="api", path="/upload", requests_per_second=1),
        PathRateLimit(name="General", host="www", path="/", requests_per_second=10),
    ]


#: AWS managed rule groups every ACL carries, in evaluation order.
MANAGED_RULE_GROUPS: tuple[str, ...] = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)

RATE_LIMIT_RULE = "RateLimitPerIp"
PATH_RATE_LIMIT_RULE = "RateLimitPath"

#: Normalise before matching, so ``/AUTH`` or ``/%61uth`` count against the ``/auth`` limit too.
_NORMALISE: list[TextTransformation] = [
    {"priority": 0, "type": "URL_DECODE"},
    {"priority": 1, "type": "LOWERCASE"},
]
_LOWERCASE: TextTransformation = {"priority": 0, "type": "LOWERCASE"}


def visibility(metric_name: str) -> Visibility:
    """CloudWatch metrics and sampled requests on, under ``metric_name``."""
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric_name, "sampled_requests_enabled": True}


def _managed(group: str, priority: int, metric_prefix: str, count_only: Sequence[str]) -> Rule:
    statement: ManagedGroupStatement = {"name": group, "vendor_name": "AWS"}
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


def _match(
    field: FieldToMatch, constraint: str, text: str, transformations: list[TextTransformation]
) -> ScopeDown:
    return {
        "byte_match_statement": {
            "field_to_match": field,
            "positional_constraint": constraint,
            "search_string": text,
            "text_transformations": transformations,
        }
    }


def _path_match(path: str) -> ScopeDown:
    return _match({"uri_path": {}}, "STARTS_WITH", path, _NORMALISE)


def path_scope_down(limit: PathRateLimit, domain: str, others: Sequence[PathRateLimit]) -> ScopeDown:
    """Requests to ``limit.host.<domain>`` under ``limit.path``, except those of a more specific prefix."""
    host = f"{limit.host}.{domain}"
    statements: list[ScopeDown] = [_match({"single_header": {"name": "host"}}, "EXACTLY", host, [_LOWERCASE])]
    if limit.path != "/":
        statements.append(_path_match(limit.path))
    for other in others:
        more_specific = other.path != limit.path and other.path.startswith(limit.path.rstrip("/") + "/")
        if other.host == limit.host and (limit.path == "/" or more_specific) and other.path != "/":
            statements.append({"not_statement": {"statement": _path_match(other.path)}})
    return {"and_statement": {"statements": statements}} if len(statements) > 1 else statements[0]


def path_rate_rules(
    limits: Sequence[PathRateLimit], domain: str, first_priority: int, metric_prefix: str
) -> list[Rule]:
    """One rate-based rule per limit, per client IP, answering 429 (see the module docstring)."""
    rules: list[Rule] = []
    for offset, limit in enumerate(limits):
        name = f"{PATH_RATE_LIMIT_RULE}{limit.name}"
        rules.append(
            {
                "name": name,
                "priority": first_priority + offset,
                "action": {"block": {"custom_response": {"response_code": 429}}},
                "statement": {
                    "rate_based_statement": {
                        "limit": limit.limit,
                        "evaluation_window_sec": limit.window_seconds,
                        "aggregate_key_type": "IP",
                        "scope_down_statement": path_scope_down(limit, domain, limits),
                    }
                },
                "visibility_config": visibility(f"{metric_prefix}-{name}"),
            }
        )
    return rules


def path_limit_problems(limits: Sequence[PathRateLimit]) -> list[FieldProblem]:
    """Duplicate names or (host, path) pairs among the per-path limits."""
    problems = []
    seen_names: set[str] = set()
    seen_paths: set[tuple[str, str]] = set()
    for index, limit in enumerate(limits):
        if limit.name in seen_names:
            problems.append(FieldProblem(f"path_rate_limits[{index}].name", limit.name, "names are unique"))
        if (limit.host, limit.path) in seen_paths:
            problems.append(
                FieldProblem(
                    f"path_rate_limits[{index}].path",
                    limit.path,
                    f"{limit.host} {limit.path} is limited twice",
                )
            )
        seen_names.add(limit.name)
        seen_paths.add((limit.host, limit.path))
    return problems


def web_acl_rules(
    *,
    rate_limit: int,
    rate_window_seconds: int,
    metric_prefix: str,
    count_only: Mapping[str, Sequence[str]] | None = None,
    path_limits: Sequence[PathRateLimit] = (),
    domain: str | None = None,
) -> list[Rule]:
    """The ACL's rules: IP reputation, the per-IP rate limit, the per-path limits on ``domain``'s hosts
    (none without a domain), then the other managed groups."""
    count_only = count_only or {}
    first_path_priority = 1 + len(MANAGED_RULE_GROUPS)
    paths = path_rate_rules(path_limits, domain, first_path_priority, metric_prefix) if domain else []
    first, *others = MANAGED_RULE_GROUPS
    rate_rule: Rule = {
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
        *paths,
    ]
