"""The guardrails over each stack's real graph: what CI gates on, and what removing a setting shows."""

from __future__ import annotations

from policy import evaluate_stack, format_findings, rule_table
from tests.helpers import REPO
from tests.policy_helpers import HARDENINGS, TODAY, findings, fired, setting
from tools.harness import Graph

ADVISORY_NAT = {
    "dev": "1 NAT gateway(s) for 2 AZs: private subnets in us-east-1b lose egress when the NAT gateway's AZ fails",
    "staging": "1 NAT gateway(s) for 3 AZs: private subnets in us-east-1b, us-east-1c lose egress when the NAT "
    "gateway's AZ fails",
}


def test_no_stack_has_a_blocking_finding(graph: Graph) -> None:
    """The CI gate: a mandatory, unexcepted violation in any stack fails the build."""
    findings = evaluate_stack(graph.stack, graph=graph, today=TODAY)
    assert [f.line() for f in findings if f.blocking] == [], format_findings(findings, graph.stack)


def test_prod_has_no_finding_at_all(graphs: dict[str, Graph]) -> None:
    assert [f.line() for f in evaluate_stack("prod", graph=graphs["prod"], today=TODAY)] == []


HIGH_AVAILABILITY = {"nat-gateway-per-az", "rds-multi-az", "elasticache-failover-multi-az"}


def test_dev_and_staging_are_only_advised_about_high_availability(graphs: dict[str, Graph]) -> None:
    """dev and staging trade availability for cost (one NAT gateway, no standby in dev): advisory only."""
    for stack, message in ADVISORY_NAT.items():
        findings = evaluate_stack(stack, graph=graphs[stack], today=TODAY)
        assert {f.enforcement.value for f in findings} == {"advisory"}
        assert {f.rule_id for f in findings} <= HIGH_AVAILABILITY
        assert ("nat-gateway-per-az", "quantumvest-network-vpc", message) in {
            (f.rule_id, f.resource_name, f.message) for f in findings
        }


def test_removing_any_hardening_setting_a_stack_has_fires_its_rule(graph: Graph) -> None:
    """Every setting of HARDENINGS a stack's resources carry is load-bearing: remove it, its rule fires.

    Today the stacks hold the network (flow logs, the default group, endpoint ingress, NAT per AZ); as
    components land, their resources are weakened here with no new test.
    """
    # Judged with prod's enforcement (every rule in scope); a setting a tier does not carry (dev has no
    # deletion protection) is skipped: its rule already fires there, so removing it proves nothing.
    environment = "prod"
    already = {(f.rule_id, f.resource_name) for f in findings(graph, environment)}
    tried, missed = [], []
    for hardening in HARDENINGS:
        for resource in hardening.targets(graph):
            if (hardening.rule, resource.name) in already:
                continue
            if hardening.path is not None and setting(resource, hardening.path) == hardening.weakened:
                continue  # the stack already holds the weakened value where the rule allows it (SSE-S3 log target)
            tried.append(f"{hardening.label} on {resource.name}")
            new = fired(graph, hardening.apply(graph, resource), environment)
            # The rule must fire; its message may differ from the reference's (another rule position).
            if not any(f.rule_id == hardening.rule for f in new):
                missed.append(
                    f"{hardening.label} on {resource.name}: fired {sorted({f.rule_id for f in new})}"
                )
    assert missed == []
    assert any("vpc-flow-logs" in t for t in tried) and any("vpc-default-sg-closed" in t for t in tried)


def test_readme_carries_the_current_rule_table() -> None:
    assert rule_table() in (REPO / "README.md").read_text(), (
        "regenerate with: uv run python -m policy.report --table"
    )
