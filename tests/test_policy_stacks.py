"""The guardrails over each stack's real graph: what CI gates on, and what removing a setting shows."""

from __future__ import annotations

from datetime import date

from policy import format_findings, rule_table
from tests.helpers import REPO
from tests.policy_helpers import HARDENINGS, TODAY, findings, fired, setting, weaken
from tools.harness import Graph
from tools.policy_stack import evaluate_stack

ADVISORY_NAT = {
    "dev": "egress through 1 NAT instance(s) for 2 AZs: every private subnet loses egress while the instance is "
    "replaced, recovered or its AZ fails",
    "staging": "1 NAT gateway(s) for 3 AZs: private subnets in us-east-1b, us-east-1c lose egress when the NAT "
    "gateway's AZ fails",
}


def test_no_stack_has_a_blocking_finding(graph: Graph) -> None:
    """The CI gate: a mandatory, unexcepted violation in any stack fails the build."""
    findings = evaluate_stack(graph.stack, graph=graph, today=TODAY)
    assert [f.line() for f in findings if f.blocking] == [], format_findings(findings, graph.stack)


HIGH_AVAILABILITY = {"nat-gateway-per-az", "rds-multi-az", "elasticache-failover-multi-az"}


def test_no_stack_has_a_finding_beyond_its_declared_exceptions(graph: Graph) -> None:
    """Issue 9's bar: prod has no violation; dev and staging none beyond declared, unexpired exceptions."""
    findings = evaluate_stack(graph.stack, graph=graph, today=TODAY)
    assert [f.line() for f in findings if f.excepted_by is None] == []


def test_dev_and_staging_except_only_availability_and_image_digests(graphs: dict[str, Graph]) -> None:
    """What dev and staging trade for cost is availability (one NAT gateway, no standby), never security."""
    for stack, message in ADVISORY_NAT.items():
        findings = evaluate_stack(stack, graph=graphs[stack], today=TODAY)
        assert {f.rule_id for f in findings} <= HIGH_AVAILABILITY | {"k8s-image-digest"}
        assert ("nat-gateway-per-az", "quantumvest-network-vpc", message) in {
            (f.rule_id, f.resource_name, f.message) for f in findings
        }


def test_declared_exceptions_stop_covering_on_their_expiry(graphs: dict[str, Graph]) -> None:
    later = evaluate_stack("dev", graph=graphs["dev"], today=date(2027, 7, 1))
    assert "policy-exception-valid" in {f.rule_id for f in later if f.blocking}
    assert "nat-gateway-per-az" in {f.rule_id for f in later if f.excepted_by is None}


POD_SECURITY = "spec.template.spec.securityContext."
POD_SELECTION = "k8s-network-policy:NetworkPolicy:(the resource)"


def _namespace_wide_policy(graph: Graph, policy) -> bool:
    """Is there a policy selecting every pod in this policy's namespace (besides this one)?"""
    namespace = policy.inputs.get("metadata", {}).get("namespace")
    return policy.inputs.get("spec", {}).get("podSelector") not in (None, {}) and any(
        other.inputs.get("spec", {}).get("podSelector") in (None, {})
        and other.inputs.get("metadata", {}).get("namespace") == namespace
        for other in graph.of_type(policy.type)
    )


def _weaken_everywhere(graph: Graph, hardening, resource) -> Graph:
    """Apply a weakening; a pod-level security setting the stack also repeats on every container
    (defence in depth) is removed at both levels, or the containers would still satisfy the rule."""
    weakened = hardening.apply(graph, resource)
    marker = "template.spec.securityContext."  # a pod-level setting (Deployment, Job or CronJob template)
    if hardening.path and marker in hardening.path:
        pod_path, field = hardening.path.split(".securityContext.", 1)
        pod = setting(resource, pod_path) or {}
        for kind in ("initContainers", "containers"):
            for index, container in enumerate(pod.get(kind, [])):
                if field in (container.get("securityContext") or {}):
                    path = f"{pod_path}.{kind}[{index}].securityContext.{field}"
                    weakened = weaken(weakened, resource.name, path, hardening.weakened)
    return weakened


def test_removing_any_hardening_setting_prod_has_fires_its_rule(graphs: dict[str, Graph]) -> None:
    """Every setting of HARDENINGS prod's resources carry is load-bearing: remove it, its rule fires.

    Prod is the stack that carries every hardening (dev and staging run single replicas and no
    standby on purpose); every rule is also checked on the hardened reference in test_policy_rules.
    """
    graph = graphs["prod"]
    environment = "prod"
    before = findings(graph, environment)  # computed once: each weakening is compared with it
    already = {(f.rule_id, f.resource_name) for f in before}
    tried, missed = [], []
    for hardening in HARDENINGS:
        for resource in hardening.targets(graph):
            if (hardening.rule, resource.name) in already:
                continue
            if hardening.label == POD_SELECTION and _namespace_wide_policy(graph, resource):
                continue  # the namespace's default deny selects these pods as well
            if hardening.path is not None and setting(resource, hardening.path) == hardening.weakened:
                continue  # the stack already holds the weakened value where the rule allows it (SSE-S3 log target)
            tried.append(f"{hardening.label} on {resource.name}")
            weakened = _weaken_everywhere(graph, hardening, resource)
            # The rule must fire; its message may differ from the reference's (another rule position).
            # Only that rule is evaluated (the whole pack ~480 times was most of this file's time);
            # a miss is then explained with everything the weakening did make fire.
            if not fired(before, weakened, environment, rule=hardening.rule):
                new = fired(before, weakened, environment)
                missed.append(
                    f"{hardening.label} on {resource.name}: fired {sorted({f.rule_id for f in new})}"
                )
    assert missed == []
    assert any("vpc-flow-logs" in t for t in tried) and any("vpc-default-sg-closed" in t for t in tried)


def test_policy_page_carries_the_current_rule_table() -> None:
    assert rule_table() in (REPO / "docs" / "policy.md").read_text(), (
        "regenerate with: uv run python -m tools policy-report --table"
    )
