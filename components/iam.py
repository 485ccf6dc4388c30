"""Small builders for IAM policy JSON, so every role states its trust and permissions the same way.

Trust of a service role: :func:`service_trust_policy` adds the confused-deputy guard AWS documents for
the service (``aws:SourceAccount`` and, where the service sends one, ``aws:SourceArn``), so the service
assumes the role only on behalf of this account's own resources. :func:`assume_role_policy` (no guard)
is left for the few principals that send neither key (EC2 instance profiles); the policy pack's
``iam-service-trust-confused-deputy`` rule names them, with the reason, in one list.
"""

from __future__ import annotations

import json
from typing import Any


def policy_document(*statements: dict[str, Any]) -> str:
    """A policy document (JSON string) from statements."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def assume_role_policy(service: str, *more: str) -> str:
    """Trust policy letting the given AWS service principals assume a role, without a condition.

    Only for principals that carry no ``aws:SourceAccount``/``aws:SourceArn`` (``ec2.amazonaws.com``
    for instance profiles); every other service role uses :func:`service_trust_policy`.
    """
    return policy_document(
        {
            "Effect": "Allow",
            "Principal": {"Service": [service, *more] if more else service},
            "Action": "sts:AssumeRole",
        }
    )


def confused_deputy_condition(account: str, source_arn: str | None = None) -> dict[str, Any]:
    """``aws:SourceAccount`` equal to ``account`` and, when given, ``aws:SourceArn`` like ``source_arn``
    (``ArnLike``, so a pattern such as ``arn:aws:rds:us-east-1:123:db:*`` names a family of resources)."""
    condition: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": account}}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    return condition


def service_trust_policy(service: str, *, account: str, source_arn: str | None = None) -> str:
    """Trust policy letting ``service`` assume the role only for ``account`` (and ``source_arn``).

    This is the confused-deputy guard of the IAM User Guide ("The confused deputy problem",
    cross-service): without it, the service could be made to use this role on behalf of a resource in
    another customer's account that names the role's ARN.
    """
    return policy_document(
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": confused_deputy_condition(account, source_arn),
        }
    )
