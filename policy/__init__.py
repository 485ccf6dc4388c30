"""The guardrails: one set of rules, run by ``pulumi preview --policy-pack policy``, by pytest over the
offline graph, and by the ``plan`` tool.

``policy/__main__.py`` is the CrossGuard entry point (it starts the analyzer server and blocks), so
nothing imports it; everything else lives in plain modules:

* :func:`evaluate` — findings for a resource graph (``tools.policy_stack.evaluate_stack`` for a stack
  file: the pack reads no stack file and imports neither ``config`` nor ``tools``);
* :data:`RULES` — the rules (``policy/rules/<area>.py``), each a plain function with metadata;
* :func:`format_findings`, :func:`rule_table` — text for terminals and docs/policy.md.
"""

from components.guardrails import PolicyArgs, PolicyException
from policy.engine import evaluate
from policy.model import Enforcement, Finding, Rule, Subject, Tiering
from policy.rules import RULES, RULES_BY_ID
from policy.text import format_findings, rule_table

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Enforcement",
    "Finding",
    "PolicyArgs",
    "PolicyException",
    "Rule",
    "Subject",
    "Tiering",
    "evaluate",
    "format_findings",
    "rule_table",
]
