"""CloudWatch Logs groups in moto."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]


@creates("aws:cloudwatch/logGroup:LogGroup")
def log_group(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or (i["namePrefix"] + ctx.seed[:10] if i.get("namePrefix") else ctx.auto_name(512))
    ctx.call(
        "logs",
        "create_log_group",
        logGroupName=name,
        kmsKeyId=i.get("kmsKeyId"),
        logGroupClass=i.get("logGroupClass"),
        tags=i.get("tags") or None,
    )
    if i.get("retentionInDays"):
        ctx.call("logs", "put_retention_policy", logGroupName=name, retentionInDays=i["retentionInDays"])
    arn = ctx.arn("logs", f"log-group:{name}")
    return name, {"arn": arn, "name": name}
