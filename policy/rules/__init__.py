"""The registry of guardrails: every rule of every area module, in the order docs/policy.md lists them.

Adding a rule is writing a function with ``@rule(...)`` in the area's module; adding an area is adding
its module to :data:`AREAS`.
"""

from __future__ import annotations

from components.guardrails import UNEXCEPTABLE  # rules about the exceptions: excepting them defeats them
from policy.model import Rule
from policy.rules import (
    aws_data,
    aws_network,
    coverage_signals,
    coverage_state,
    edge,
    eks,
    iam,
    iam_grants,
    k8s_cluster,
    k8s_pods,
    kms,
    s3,
    stack_rules,
)
from policy.rules.base import rules_in

#: Area modules, in table order.
AREAS = (
    aws_data,
    eks,
    s3,
    kms,
    aws_network,
    edge,
    iam,
    iam_grants,
    k8s_pods,
    k8s_cluster,
    stack_rules,
    coverage_state,
    coverage_signals,
)

RULES: tuple[Rule, ...] = tuple(r for module in AREAS for r in rules_in(vars(module)))
RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}


if len(RULES_BY_ID) != len(RULES):  # pragma: no cover - a duplicated id is a programming error
    raise RuntimeError("duplicate guardrail ids")

__all__ = ["AREAS", "RULES", "RULES_BY_ID", "UNEXCEPTABLE"]
