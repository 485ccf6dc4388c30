"""Run the guardrails over a resource graph without the Pulumi CLI: the entry point for pytest, ``plan``
and CI (``tools.policy_stack.evaluate_stack`` reads a stack file, runs it offline and calls this).

```python
from policy import evaluate

findings = evaluate(graph, "prod", settings.policy.exceptions)      # a graph you already built
blocking = [f for f in findings if f.blocking]                       # what fails CI
```
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date

from components.guardrails import PolicyException
from policy.model import ConfigView, Context, Enforcement, Finding, ResourceLike, Rule
from policy.rules import RULES
from policy.unknown import Undetermined
from policy.view import StackView


def _finding(rule: Rule, environment: str, message: str, subject: ResourceLike | None = None) -> Finding:
    return Finding(
        rule_id=rule.id,
        enforcement=rule.enforcement(environment),
        message=message,
        remediation=rule.remediation,
        external_ids=rule.external_ids,
        resource_type=subject.type if subject is not None else None,
        resource_name=subject.name if subject is not None else None,
        resource_urn=subject.urn if subject is not None else None,
    )


def check_subject(rule: Rule, subject: ResourceLike, ctx: Context) -> list[Finding]:
    """One rule over one resource: its findings, or one *undetermined* finding if a value is unknown."""
    try:
        return [_finding(rule, ctx.environment, m, subject) for m in rule.check(subject, ctx)]
    except Undetermined as unknown:
        finding = _finding(rule, ctx.environment, f"cannot be judged before deployment: {unknown}", subject)
        return [replace(finding, undetermined=True)]


def resource_findings(rules: Iterable[Rule], ctx: Context) -> list[Finding]:
    """The findings of resource- and stack-scope ``rules`` over every resource of ``ctx.stack``."""
    found: list[Finding] = []
    for rule in rules:
        if rule.scope == "config" or rule.enforcement(ctx.environment) is Enforcement.DISABLED:
            continue
        for subject in ctx.stack.of_type(*rule.types):
            found.extend(check_subject(rule, subject, ctx))
    return found


def apply_exceptions(
    findings: Iterable[Finding], exceptions: Sequence[PolicyException], today: date
) -> list[Finding]:
    """Mark each finding covered by an unexpired exception (rule id + resource-name glob)."""
    out = []
    for finding in findings:
        cover = next((e for e in exceptions if e.covers(finding.rule_id, finding.resource_name, today)), None)
        out.append(replace(finding, excepted_by=cover) if cover is not None else finding)
    return out


def config_findings(rules: Iterable[Rule], ctx: Context) -> list[Finding]:
    """The findings of config-scope ``rules`` (stack file, exceptions)."""
    found: list[Finding] = []
    for rule in rules:
        if rule.scope != "config" or rule.enforcement(ctx.environment) is Enforcement.DISABLED:
            continue
        found.extend(_finding(rule, ctx.environment, m) for m in rule.check(ctx.config, ctx))
    return found


def evaluate(
    graph: Iterable[ResourceLike],
    environment: str,
    exceptions: Sequence[PolicyException] = (),
    *,
    today: date | None = None,
    config: ConfigView | None = None,
    rules: Sequence[Rule] = RULES,
) -> list[Finding]:
    """Every finding of ``rules`` over ``graph`` (a ``tools.harness.Graph`` or any resources) in ``environment``.

    ``exceptions`` are the stack's ``policy.exceptions``; ``today`` decides which have expired (and
    whether a Kubernetes version is still supported) and defaults to the real date; ``config`` adds the
    raw stack file for the plaintext-secret check. Findings come in rule order, then resource order.
    """
    today = today or date.today()
    config = (
        replace(config, exceptions=exceptions) if config is not None else ConfigView(exceptions=exceptions)
    )
    ctx = Context(environment=environment, today=today, stack=StackView(graph), config=config)
    found = apply_exceptions(resource_findings(rules, ctx), exceptions, today)
    return found + config_findings(rules, replace(ctx, findings=tuple(found)))
