"""Security resources: the computed attributes consumers read (key ids, repository URLs, ACL and secret
ARNs) shaped as AWS returns them."""

from __future__ import annotations

from typing import Any

from tools.harness.invokes import ACCOUNT_ID


def _uuid(seed: str) -> str:
    """A UUID-shaped id from the 12-hex-digit seed (KMS key ids, WAF ids, plan ids are UUIDs)."""
    hexed = (seed * 3)[:32]
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:32]}"


def _kms_key(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    key_id = _uuid(seed)
    return {"id": key_id, "keyId": key_id, "arn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key_id}"}


def _kms_alias(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    alias = inputs["name"]
    return {"id": alias, "arn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:{alias}"}


def _ecr_repository(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    repo = inputs.get("name") or f"{name}-{seed[:7]}"
    return {
        "name": repo,
        "arn": f"arn:aws:ecr:{region}:{ACCOUNT_ID}:repository/{repo}",
        "registryId": ACCOUNT_ID,
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{repo}",
    }


def _web_acl(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    acl_name = inputs.get("name") or f"{name}-{seed[:7]}"
    scope = "global" if inputs.get("scope") == "CLOUDFRONT" else "regional"
    acl_id = _uuid(seed)
    return {
        "id": acl_id,
        "name": acl_name,
        "capacity": 1200,
        "arn": f"arn:aws:wafv2:{region}:{ACCOUNT_ID}:{scope}/webacl/{acl_name}/{acl_id}",
    }


def _secret(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    secret_name = inputs.get("name") or f"{inputs.get('namePrefix', name + '-')}{seed[:7]}"
    arn = f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{secret_name}-{seed[-6:]}"
    return {"id": arn, "arn": arn, "name": secret_name}


def _vault(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    vault = inputs.get("name") or f"{name}-{seed[:7]}"
    return {"arn": f"arn:aws:backup:{region}:{ACCOUNT_ID}:backup-vault:{vault}", "recoveryPoints": 0}


def _plan(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    plan_id = _uuid(seed)
    return {
        "id": plan_id,
        "arn": f"arn:aws:backup:{region}:{ACCOUNT_ID}:backup-plan:{plan_id}",
        "version": seed,
    }


def _trail(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    trail = inputs.get("name") or f"{name}-{seed[:7]}"
    return {"arn": f"arn:aws:cloudtrail:{region}:{ACCOUNT_ID}:trail/{trail}", "homeRegion": region}


def _detector(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    detector_id = (seed * 3)[:32]
    return {
        "id": detector_id,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:guardduty:{region}:{ACCOUNT_ID}:detector/{detector_id}",
    }


EXTRA_OUTPUTS = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:backup/vault:Vault": _vault,
    "aws:backup/plan:Plan": _plan,
    "aws:cloudtrail/trail:Trail": _trail,
    "aws:guardduty/detector:Detector": _detector,
}

#: Types whose id is their name.
NAME_IS_ID = {
    "aws:ecr/repository:Repository",
    "aws:backup/vault:Vault",
    "aws:cloudtrail/trail:Trail",
}
