"""Policy findings for a plan, when the project's policy pack (``policy/``) is present.

The pack is optional here: the offline tools work without it and say ``policy pack: not present``.
When ``policy.rules`` imports, its rules run over the resource graph. The expected interface is a
function ``evaluate(graph)`` (or ``check``/``run``) returning findings; failing that, a ``RULES`` list
of functions ``rule(graph)`` yielding findings. A finding may be a string, a mapping or an object; its
rule name, resource and message are read from the usual attribute names.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tools.harness import Graph

NOT_PRESENT = "policy pack: not present"


@dataclass(frozen=True)
class Finding:
    rule: str
    resource: str
    message: str
    level: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "resource": self.resource, "message": self.message, "level": self.level}


def _field(finding: Any, *names: str) -> str:
    for name in names:
        value = finding.get(name) if isinstance(finding, dict) else getattr(finding, name, None)
        if value not in (None, ""):
            return str(getattr(value, "name", value) if not isinstance(value, str | int) else value)
    return ""


def _normalise(finding: Any, default_rule: str) -> Finding:
    if isinstance(finding, str):
        return Finding(default_rule, "", finding, "mandatory")
    return Finding(
        rule=_field(finding, "rule", "policy", "policy_name", "name") or default_rule,
        resource=_field(finding, "urn", "resource", "resource_name", "resource_urn"),
        message=_field(finding, "message", "msg", "description", "reason") or str(finding),
        level=_field(finding, "level", "enforcement_level", "enforcement", "severity") or "mandatory",
    )


def _load_rules() -> Any | None:
    try:
        return importlib.import_module("policy.rules")
    except ModuleNotFoundError as err:
        if err.name in ("policy", "policy.rules"):
            return None
        raise


def findings(graph: Graph) -> tuple[str, list[Finding]]:
    """``(status, findings)``: status is :data:`NOT_PRESENT` or ``"policy pack: N rules"``."""
    rules_module = _load_rules()
    if rules_module is None:
        return NOT_PRESENT, []
    for entry in ("evaluate", "check", "run"):
        fn = getattr(rules_module, entry, None)
        if callable(fn):
            found = [_normalise(f, entry) for f in fn(graph) or []]
            return f"policy pack: policy.rules.{entry}", _sorted(found)
    rules: Iterable[Any] = (
        getattr(rules_module, "RULES", None) or getattr(rules_module, "POLICIES", None) or []
    )
    found: list[Finding] = []
    count = 0
    for rule in rules:
        if not callable(rule):
            continue
        count += 1
        name = getattr(rule, "__name__", type(rule).__name__)
        found.extend(_normalise(f, name) for f in rule(graph) or [])
    return f"policy pack: {count} rules", _sorted(found)


def _sorted(found: list[Finding]) -> list[Finding]:
    return sorted(set(found), key=lambda f: (f.level != "mandatory", f.rule, f.resource, f.message))
