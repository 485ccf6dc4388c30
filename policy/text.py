"""Findings as text and the rule table of docs/policy.md (what ``python -m tools policy-report`` and the tests print)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from policy.model import Finding, Rule
from policy.rules import RULES


def format_findings(findings: Iterable[Finding], stack: str | None = None) -> str:
    """A summary line, then one line per finding (blocking ones first) with its remediation."""
    findings = list(findings)
    blocking = [f for f in findings if f.blocking]
    others = [f for f in findings if not f.blocking]
    title = f"Policy ({stack}): " if stack else "Policy: "
    counts = {
        "blocking": len(blocking),
        "advisory": sum(1 for f in others if f.excepted_by is None and not f.undetermined),
        "excepted": sum(1 for f in others if f.excepted_by is not None),
        "undetermined": sum(1 for f in others if f.undetermined),
    }
    lines = [title + ", ".join(f"{n} {k}" for k, n in counts.items())]
    for finding in _in_rule_order(blocking) + _in_rule_order(others):
        lines.append(f"  {finding.line()}")
        if finding.excepted_by is not None:
            e = finding.excepted_by
            lines.append(f"      excepted until {e.expires.isoformat()}: {e.reason}")
        elif finding.blocking:
            lines.append(f"      fix: {finding.remediation}")
    return "\n".join(lines)


def _in_rule_order(findings: list[Finding]) -> list[Finding]:
    """Findings in the order their rules come, then by resource name: the same text on every run
    (the program registers resources on several threads, so the graph's order varies)."""
    rank: dict[str, int] = {}
    for finding in findings:
        rank.setdefault(finding.rule_id, len(rank))
    return sorted(findings, key=lambda f: (rank[f.rule_id], f.resource_name or "", f.message))


def rule_table(rules: Sequence[Rule] | None = None) -> str:
    """The Markdown table of rules: id, description, external ids, enforcement, scope."""
    if rules is None:
        rules = RULES
    lines = [
        "| id | rule | covers | enforcement | checks |",
        "|---|---|---|---|---|",
    ]
    for r in rules:
        ids = ", ".join(i for i in r.external_ids if i != "—") or "— (not covered by the tools)"
        lines.append(f"| `{r.id}` | {r.description} | {ids} | {r.tiering.summary} | {r.scope} |")
    return "\n".join(lines)


#: The stack-level coverage rules (issue 16): the report says of each whether it holds.
COVERAGE_RULES = ("backup-coverage", "scrape-coverage", "alert-routing", "cost-attribution")


def coverage_summary(findings: Iterable[Finding], stack: str | None = None) -> str:
    """One line per coverage rule: passing, or how many resources it found uncovered (and whether that
    blocks)."""
    findings = list(findings)
    lines = [f"Coverage ({stack}):" if stack else "Coverage:"]
    for rule_id in COVERAGE_RULES:
        found = [f for f in findings if f.rule_id == rule_id and f.excepted_by is None]
        if not found:
            lines.append(f"  {rule_id}: passing")
            continue
        level = "blocking" if any(f.blocking for f in found) else "not blocking"
        lines.append(f"  {rule_id}: {len({f.resource_name for f in found})} resource(s) uncovered ({level})")
    return "\n".join(lines)
