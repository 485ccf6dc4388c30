"""The web ACLs: a WAFv2 ACL with the platform's rules (``waf_rules.py``), logging to an encrypted
``aws-waf-logs-`` log group.

Split from ``security.py``; children of the ``Security`` component, same logical names as before.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .key_policies import waf_log_delivery_policy
from .security_args import SecurityScope
from .waf_rules import web_acl_rules


def web_acl(
    scope: SecurityScope,
    role: str,
    acl_scope: str,
    logs_key_arn: pulumi.Input[str],
    provider: aws.Provider | None,
) -> aws.wafv2.WebAcl:
    """A web ACL with the platform's rules, logging to an encrypted ``aws-waf-logs-`` log group."""
    waf = scope.args.waf
    opts = pulumi.ResourceOptions(parent=scope.parent, provider=provider)
    metric_prefix = f"{scope.prefix}-{role}"
    acl = aws.wafv2.WebAcl(
        f"{scope.name}-{role}-acl",
        description=f"{scope.prefix}: {'ALB' if acl_scope == 'REGIONAL' else 'CDN'} web ACL",
        scope=acl_scope,
        default_action={"allow": {}},
        rules=web_acl_rules(
            rate_limit=waf.rate_limit,
            rate_window_seconds=waf.rate_limit_window_seconds,
            metric_prefix=metric_prefix,
            count_only=waf.count_only_rules,
            # The per-path limits are the ALB's (api., www.); the CDN serves none of those paths.
            path_limits=waf.path_rate_limits if acl_scope == "REGIONAL" else (),
            domain=waf.domain,
        ),
        visibility_config={
            "cloudwatch_metrics_enabled": True,
            "metric_name": metric_prefix,
            "sampled_requests_enabled": True,
        },
        opts=opts,
    )
    log_group = aws.cloudwatch.LogGroup(
        f"{scope.name}-{role}-waf-logs",
        name_prefix=f"aws-waf-logs-{scope.prefix}-{role}-",
        retention_in_days=waf.log_retention_days,
        kms_key_id=logs_key_arn,
        opts=opts,
    )
    region = scope.region_of(provider)
    delivery = aws.cloudwatch.LogResourcePolicy(
        f"{scope.name}-{role}-waf-log-delivery",
        policy_name=f"{scope.prefix}-{role}-waf-logs",
        policy_document=pulumi.Output.all(log_group.arn, scope.partition, scope.account, region).apply(
            lambda a: waf_log_delivery_policy(*a)
        ),
        opts=opts,
    )
    aws.wafv2.WebAclLoggingConfiguration(
        f"{scope.name}-{role}-acl-logging",
        resource_arn=acl.arn,
        log_destination_configs=[log_group.arn],
        redacted_fields=[{"single_header": {"name": header}} for header in waf.redacted_headers],
        opts=pulumi.ResourceOptions(parent=scope.parent, provider=provider, depends_on=[delivery]),
    )
    return acl
