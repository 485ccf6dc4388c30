"""Where moto is stricter or narrower than AWS, the smallest shims that make it behave as AWS does.

Each shim names the moto version it was written against and the AWS behaviour it restores. They are
applied when an emulated account is opened (:func:`tools.rehearse.engine.emulated_account`).
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from moto.s3 import models as s3_models

LOGGING_SERVICE_PRINCIPAL = "logging.s3.amazonaws.com"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _log_permissions_enabled_policy(target_bucket: Any, target_prefix: str | None) -> bool:
    """moto 5.2.5 reads the target bucket's policy assuming every ``Principal`` is a mapping and every
    ``Resource`` a string equal to the target prefix, and crashes on ``"Principal": "*"`` (a valid
    deny-insecure-transport statement). AWS accepts any policy whose statements grant the logging
    service ``s3:PutObject`` on a resource pattern covering the log objects (``logs/*`` covers the
    prefix ``logs/assets/``); this is that check with AWS's grammar (strings or lists, wildcards)."""
    policy = target_bucket.policy
    if not policy:
        return False
    arn = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
    log_object = f"{arn}/{target_prefix or ''}2026-01-01-00-00-00-EXAMPLE"
    for statement in _as_list(json.loads(policy.decode())["Statement"]):
        principal = statement.get("Principal")
        services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
        if statement.get("Effect") != "Allow" or LOGGING_SERVICE_PRINCIPAL not in services:
            continue
        if "s3:PutObject" not in _as_list(statement.get("Action", [])):
            continue
        if any(
            fnmatch.fnmatchcase(log_object, pattern) for pattern in _as_list(statement.get("Resource", []))
        ):
            return True
    return False


def apply() -> None:
    """Install the shims (idempotent)."""
    s3_models.FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)
