"""KMS keys and aliases in moto (rotation and key policy are set and can be read back)."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]


@creates("aws:kms/key:Key")
def key(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "kms",
        "create_key",
        Policy=i.get("policy"),
        Description=i.get("description"),
        KeyUsage=i.get("keyUsage"),
        KeySpec=i.get("customerMasterKeySpec"),
        MultiRegion=i.get("multiRegion"),
        Tags=[{"TagKey": k, "TagValue": v} for k, v in (i.get("tags") or {}).items()] or None,
    )["KeyMetadata"]
    key_id = created["KeyId"]
    if i.get("enableKeyRotation"):
        ctx.call(
            "kms", "enable_key_rotation", KeyId=key_id, RotationPeriodInDays=i.get("rotationPeriodInDays")
        )
    return key_id, {"arn": created["Arn"], "keyId": key_id}


@creates("aws:kms/alias:Alias")
def alias(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or f"alias/{ctx.auto_name(200)}"
    ctx.call("kms", "create_alias", AliasName=name, TargetKeyId=i["targetKeyId"])
    return name, {"arn": ctx.arn("kms", name), "name": name}
