"""WAFv2 web ACLs and their logging in moto (the scope's region: CLOUDFRONT ACLs live in us-east-1)."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]

#: Where the API's spelling is not the Pulumi name with a capital first letter.
_SPELLING = {"CloudwatchMetricsEnabled": "CloudWatchMetricsEnabled", "Arn": "ARN"}


def to_api(value: Any) -> Any:
    """Pulumi's camelCase WAF structure → the API's PascalCase (``rateBasedStatement`` → ``RateBasedStatement``)."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            api_key = key[:1].upper() + key[1:]
            out[_SPELLING.get(api_key, api_key)] = to_api(child)
        return out
    if isinstance(value, list):
        return [to_api(v) for v in value]
    return value


@creates("aws:wafv2/webAcl:WebAcl")
def web_acl(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(128)
    rules = to_api(i.get("rules") or [])
    created = ctx.call(
        "wafv2",
        "create_web_acl",
        Name=name,
        Scope=i["scope"],
        DefaultAction=to_api(i["defaultAction"]),
        Description=i.get("description"),
        Rules=rules,
        VisibilityConfig=to_api(i["visibilityConfig"]),
    )["Summary"]
    return created["Id"], {"arn": created["ARN"], "name": name, "lockToken": created.get("LockToken")}


@creates("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
def logging(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "wafv2",
        "put_logging_configuration",
        LoggingConfiguration={
            "ResourceArn": i["resourceArn"],
            "LogDestinationConfigs": i["logDestinationConfigs"],
        },
    )
    return i["resourceArn"], {}
