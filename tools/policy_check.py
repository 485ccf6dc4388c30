"""Policy findings for a plan: the project's CrossGuard rules (``policy/``) run over the plan's graph,
with the stack file's declared exceptions, exactly as pytest and ``pulumi preview --policy-pack`` do."""

from __future__ import annotations

from dataclasses import dataclass

from policy import evaluate
from policy.rules import RULES
from tools.harness import Graph
from tools.harness.paths import stack_file

NOT_PRESENT = "policy pack: not present"


@dataclass(frozen=True)
class Finding:
    rule: str
    resource: str
    message: str
    level: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "resource": self.resource, "message": self.message, "level": self.level}


def findings(graph: Graph) -> tuple[str, list[Finding]]:
    """``(status, findings)``: status names the pack and its rule count; excepted findings are listed
    with level ``excepted`` (the exception's reason is in the stack file)."""
    # A graph of a real stack is judged with its tier and its declared exceptions; a graph with no
    # stack file (a test program) with prod's enforcement and no exceptions.
    if stack_file(graph.stack).exists():
        # late import: the pack's stack-file side imports the SDK; diff/--help load this module SDK-free
        from tools.policy_stack import evaluate_stack

        results = evaluate_stack(graph.stack, graph=graph)
    else:
        results = evaluate(graph, "prod", [])
    found = [
        Finding(
            rule=f.rule_id,
            resource=f.resource_name or "(stack)",
            message=f.message,
            level="excepted" if f.excepted_by is not None else f.enforcement.value,
        )
        for f in results
    ]
    order = {"mandatory": 0, "advisory": 1, "excepted": 2}
    found.sort(key=lambda f: (order.get(f.level, 3), f.rule, f.resource, f.message))
    return f"policy pack: {len(RULES)} rules", found
