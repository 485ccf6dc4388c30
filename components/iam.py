"""Small builders for IAM policy JSON, so every role states its trust and permissions the same way."""

from __future__ import annotations

import json
from typing import Any


def policy_document(*statements: dict[str, Any]) -> str:
    """A policy document (JSON string) from statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def assume_role_policy(*services: str) -> str:
    """Trust policy letting the given AWS service principals assume a role."""
    return policy_document(
        {
            "Effect": "Allow",
            "Principal": {"Service": list(services) if len(services) > 1 else services[0]},
            "Action": "sts:AssumeRole",
        }
    )
