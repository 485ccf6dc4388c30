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
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, field_validator

from components.args import Args

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
        from difflib import get_close_matches

        from policy.rules import RULES_BY_ID, UNEXCEPTABLE

        if value not in RULES_BY_ID:
            allowed = sorted(set(RULES_BY_ID) - UNEXCEPTABLE)
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
        from fnmatch import fnmatchcase

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
