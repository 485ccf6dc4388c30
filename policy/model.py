"""What a guardrail is, what it finds, and the resource shape it reads.

A rule is a plain function ``check(subject, ctx) -> Iterable[str]`` (one message per problem) plus its
metadata (:class:`Rule`): an id, a one-line description, the external ids it covers (FSBP, Checkov,
cdk-nag, AWSGuard, Pod Security Standards, kube-score), a remediation hint, the resource types it
looks at, its scope and how its enforcement depends on the tier.

The same functions run three ways, over the same camelCase property names the engine sees:

* pytest and the offline ``plan`` tool pass the harness graph (``tools.harness.Resource``);
* ``pulumi preview --policy-pack policy`` passes :class:`Subject` objects built from the policy
  SDK's arguments (``policy/pack.py``);
* unit tests build :class:`Subject` objects by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from components.guardrails import PolicyException
    from policy.view import StackView

Environment = Literal["dev", "staging", "prod"]
TIERS: tuple[str, ...] = ("dev", "staging", "prod")


class Enforcement(StrEnum):
    """What a finding does to a deployment (the policy SDK's levels, minus ``remediate``)."""

    MANDATORY = "mandatory"
    ADVISORY = "advisory"
    DISABLED = "disabled"


class Tiering(StrEnum):
    """How a rule's enforcement depends on the stack's tier."""

    #: Security: mandatory in every tier (a dev database is still customer data's neighbour).
    ALWAYS = "always"
    #: High availability (Multi-AZ, replicas, a NAT gateway per AZ): mandatory in prod, advisory in
    #: dev and staging, whose profiles trade availability for cost on purpose.
    HIGH_AVAILABILITY = "high-availability"
    #: Production durability (deletion protection, ``protect``, cross-region backups): mandatory in
    #: prod, not evaluated elsewhere, where tearing a stack down is a feature.
    PROD_ONLY = "prod-only"
    #: A recommendation in every tier (image digests, unused exceptions).
    ADVISORY = "advisory"

    def enforcement(self, environment: str) -> Enforcement:
        """The enforcement level of a rule with this tiering in ``environment`` (unknown tier → prod)."""
        prod = environment not in ("dev", "staging")
        if self is Tiering.ALWAYS:
            return Enforcement.MANDATORY
        if self is Tiering.ADVISORY:
            return Enforcement.ADVISORY
        if self is Tiering.HIGH_AVAILABILITY:
            return Enforcement.MANDATORY if prod else Enforcement.ADVISORY
        return Enforcement.MANDATORY if prod else Enforcement.DISABLED

    @property
    def summary(self) -> str:
        """How the rule table (docs/policy.md) states this tiering."""
        return {
            Tiering.ALWAYS: "mandatory",
            Tiering.HIGH_AVAILABILITY: "mandatory in prod, advisory in dev/staging",
            Tiering.PROD_ONLY: "mandatory in prod (not run in dev/staging)",
            Tiering.ADVISORY: "advisory",
        }[self]


Scope = Literal["resource", "stack", "config"]


class ResourceLike(Protocol):
    """What a rule reads from a resource; ``tools.harness.Resource`` and :class:`Subject` both fit."""

    urn: str
    type: str
    name: str
    parent: str | None
    inputs: dict[str, Any]
    options: dict[str, Any]
    property_dependencies: dict[str, list[str]]
    outputs: dict[str, Any]
    id: str | None


@dataclass
class Subject:
    """A resource as the policy pack sees it, or a synthetic one in a test.

    ``inputs`` are camelCase as the engine sends them; ``options`` holds at least ``protect``;
    ``property_dependencies`` maps an input to the URNs it was computed from (how stack rules link
    a bucket policy to its bucket while ids are still unknown in a preview).
    """

    type: str
    name: str
    inputs: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    parent: str | None = None
    urn: str = ""
    #: The URN of the explicit provider the resource was registered with (its region, default tags).
    provider: str | None = None

    def __post_init__(self) -> None:
        if not self.urn:
            self.urn = f"urn:pulumi:test::quantumvest-infra::{self.type}::{self.name}"


@dataclass(frozen=True)
class ConfigView:
    """The stack configuration a config rule reads.

    ``values``: the raw ``quantumvest-infra:`` values of the stack file (section → value, secrets
    still in their ``{secure: ...}`` form), or ``None`` when not available.
    """

    source: str = "Pulumi.<stack>.yaml"
    values: Mapping[str, Any] | None = None
    secret_sections: frozenset[str] = frozenset()
    exceptions: Sequence[PolicyException] = ()
    problems: Sequence[str] = ()


@dataclass(frozen=True)
class Context:
    """What a check may know beyond its subject: the tier, today's date, the whole stack, the config.

    ``today`` is passed in (never read from the clock inside a rule) so tests pin the date.
    """

    environment: str
    today: date
    stack: StackView
    config: ConfigView = field(default_factory=ConfigView)
    findings: Sequence[Finding] = ()


Check = Callable[[Any, Context], Iterable[str]]


@dataclass(frozen=True)
class Rule:
    """A guardrail: metadata plus the plain function that checks one subject."""

    id: str
    description: str
    external_ids: tuple[str, ...]
    remediation: str
    types: tuple[str, ...]
    scope: Scope
    tiering: Tiering
    check: Check
    area: str = ""

    def enforcement(self, environment: str) -> Enforcement:
        return self.tiering.enforcement(environment)


@dataclass(frozen=True)
class Finding:
    """One problem a rule found, with what to do about it.

    ``enforcement`` is the rule's level in this stack's tier. A finding is *blocking* when it is
    mandatory, not covered by a valid exception, and determined (a preview may not know a value yet).
    """

    rule_id: str
    enforcement: Enforcement
    message: str
    remediation: str
    external_ids: tuple[str, ...] = ()
    resource_type: str | None = None
    resource_name: str | None = None
    resource_urn: str | None = None
    excepted_by: PolicyException | None = None
    undetermined: bool = False

    @property
    def blocking(self) -> bool:
        return (
            self.enforcement is Enforcement.MANDATORY and self.excepted_by is None and not self.undetermined
        )

    @property
    def where(self) -> str:
        """``name (type)`` of the resource, or ``stack config`` for config rules."""
        if self.resource_name is None:
            return "stack config"
        return f"{self.resource_name} ({self.resource_type})"

    def line(self) -> str:
        """One line for a terminal: level, rule id, resource and message."""
        if self.excepted_by is not None:
            level = "excepted"
        elif self.undetermined:
            level = "unknown"
        else:
            level = self.enforcement.value
        return f"[{level}] {self.rule_id}: {self.where}: {self.message}"


@dataclass(frozen=True)
class PackContext:
    """What the pack (``policy.pack``) knows about the stack under preview: its tier, its declared exceptions and the raw
    stack file (``config``). Plain data, so the pack never reads the stack file itself."""

    stack: str
    environment: str
    exceptions: tuple[PolicyException, ...] = ()
    config: ConfigView = field(default_factory=ConfigView)
    today: date | None = None

    def day(self) -> date:
        return self.today or date.today()
