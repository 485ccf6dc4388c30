"""The ``policy`` config section: dated, explained exceptions to the guardrails.

```yaml
quantumvest-infra:policy:
  exceptions:
    - rule: rds-multi-az
      resource: quantumvest-database-*        # glob on the logical name
      reason: "Single-AZ until the r7g reservation lands; failover tested weekly (PLAT-123)."
      expires: "2027-01-31"
```

The loader rejects what is wrong on any day: an unknown rule id, a rule that cannot be excepted, an
empty glob, an unexplained reason. Whether an exception has *expired* depends on the date, so the
policy engine judges it (rule ``policy-exception-valid``, with an injectable ``today``), not the
loader: a stack file that loads today loads tomorrow, and an expired exception simply stops covering
its finding, which then blocks like any other (docs/decisions/guardrail-exceptions.md).

This settings model lives on the ground floor because both the config loader (which validates the
section) and the policy pack (which applies it) read it, and neither may import the other. For the
same reason the rule ids an exception may name are listed here as data (:data:`RULE_IDS`);
``tests/test_import_direction.py`` fails when they differ from ``policy.rules.RULES``, and the pack's
``policy-exception-valid`` rule checks them again at evaluation time.
"""

from __future__ import annotations

from datetime import date, datetime
from difflib import get_close_matches
from fnmatch import fnmatchcase
from typing import Any

from pydantic import Field, field_validator

from components.args import Args

#: The id of every guardrail in ``policy/rules/`` (kept equal to ``policy.rules.RULES`` by a test).
RULE_IDS: frozenset[str] = frozenset(
    {
        "alb-behind-waf",
        "alb-gateway-listeners",
        "alb-https-tls12",
        "alert-routing",
        "backup-coverage",
        "cloudfront-own-certificate",
        "cloudtrail-hardened",
        "config-no-plaintext-secrets",
        "cost-attribution",
        "db-port-not-public",
        "db-sg-ingress-within-vpc",
        "eks-control-plane-logs",
        "eks-endpoint-restricted",
        "eks-node-hardening",
        "eks-secrets-encrypted",
        "eks-supported-version",
        "elasticache-encrypted-at-rest",
        "elasticache-failover-multi-az",
        "elasticache-in-transit-auth",
        "elasticache-snapshots",
        "iam-condition-keys-apply",
        "iam-least-privilege",
        "iam-no-not-action-allow",
        "iam-open-principal",
        "iam-service-trust-confused-deputy",
        "iam-wildcard-write",
        "iam-workload-trust-one-service-account",
        "k8s-container-hardening",
        "k8s-container-resources",
        "k8s-hpa-target",
        "k8s-image-digest",
        "k8s-image-pinned",
        "k8s-network-policy",
        "k8s-no-plaintext-secret-env",
        "k8s-pdb",
        "k8s-pod-baseline",
        "k8s-pod-restricted",
        "k8s-pod-token-namespace",
        "k8s-rbac-least-privilege",
        "k8s-zone-spread",
        "kms-key-policy",
        "kms-key-rotation",
        "nat-gateway-per-az",
        "policy-exception-unused",
        "policy-exception-valid",
        "rds-auto-minor-upgrade",
        "rds-backup-retention",
        "rds-deletion-protection",
        "rds-force-ssl",
        "rds-iam-auth",
        "rds-logs-exported",
        "rds-managed-master-password",
        "rds-multi-az",
        "rds-not-public",
        "rds-storage-encrypted",
        "s3-access-logging",
        "s3-backup-replication",
        "s3-encryption-kms",
        "s3-public-access-block",
        "s3-tls-only",
        "s3-versioning",
        "scrape-coverage",
        "sg-world-ingress-lb-only",
        "state-protected",
        "vpc-default-sg-closed",
        "vpc-flow-logs",
        "waf-logging",
        "waf-managed-rules",
    }
)

#: Rules about the exceptions themselves: excepting them would defeat them.
UNEXCEPTABLE = frozenset({"policy-exception-valid", "policy-exception-unused", "config-no-plaintext-secrets"})

#: Reasons that explain nothing.
PLACEHOLDER_REASONS = frozenset(
    {"todo", "tbd", "n/a", "na", "none", "temp", "temporary", "fix later", "wip", "-"}
)
MIN_REASON_LENGTH = 20


class PolicyException(Args):
    """One exception: this rule does not block these resources, for this reason, until this date."""

    rule: str = Field(description="The id of the rule excepted (see the rule table in docs/policy.md).")
    resource: str = Field(
        min_length=1,
        description="A glob on the logical resource name (e.g. 'quantumvest-database-*'); '*' alone is refused.",
    )
    reason: str = Field(
        description="Why the rule does not apply here or what compensates, and who fixes it when; "
        f"at least {MIN_REASON_LENGTH} characters."
    )
    expires: date = Field(description="The last day the exception covers (YYYY-MM-DD); quote it in YAML.")

    @field_validator("rule")
    @classmethod
    def _known_rule(cls, value: str) -> str:
        if value not in RULE_IDS:
            allowed = sorted(RULE_IDS - UNEXCEPTABLE)
            hint = get_close_matches(value, allowed, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            raise ValueError(f"no such rule{did_you_mean}; allowed: {', '.join(allowed)}")
        if value in UNEXCEPTABLE:
            raise ValueError("this rule guards the exceptions themselves and cannot be excepted")
        return value

    @field_validator("resource")
    @classmethod
    def _narrow_glob(cls, value: str) -> str:
        if value.strip("*?") == "":
            raise ValueError("name the resources (a glob such as 'quantumvest-database-*'), not everything")
        return value

    @field_validator("reason")
    @classmethod
    def _explained(cls, value: str) -> str:
        text = value.strip()
        if text.lower() in PLACEHOLDER_REASONS or len(text) < MIN_REASON_LENGTH:
            raise ValueError(
                f"unexplained exception; say why the rule does not apply or what compensates, and who "
                f"fixes it by when (at least {MIN_REASON_LENGTH} characters)"
            )
        return text

    @field_validator("expires", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        """Accept ``2027-01-31`` however YAML/the engine delivered it (date, or an ISO date/timestamp)."""
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                raise ValueError("not a date; write it as YYYY-MM-DD, e.g. '2027-01-31'") from None
        raise ValueError("not a date; write it as YYYY-MM-DD, e.g. '2027-01-31'")

    def is_expired(self, today: date) -> bool:
        """Expired once ``today`` is past the last covered day."""
        return today > self.expires

    def covers(self, rule_id: str, resource_name: str | None, today: date) -> bool:
        """Does this (unexpired) exception cover a finding of ``rule_id`` on ``resource_name``?"""
        return (
            rule_id == self.rule
            and resource_name is not None
            and not self.is_expired(today)
            and fnmatchcase(resource_name, self.resource)
        )


class PolicyArgs(Args):
    """Settings of the guardrails for this stack: the exceptions it declares (none by default)."""

    exceptions: list[PolicyException] = Field(
        default_factory=list,
        description="Dated, explained exceptions; none by default, because every rule holds in every stack.",
    )
