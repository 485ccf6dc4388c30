"""Who reaches the EKS API endpoint (tools/trace_api.py): the check passes on every stack, and each way
of breaking it is named. Each negative test breaks exactly one thing in a copy of a stack's graph."""

from __future__ import annotations

import dataclasses

import pytest

from tests.conftest import stack_graph
from tools.__main__ import main
from tools.harness import Graph, Resource
from tools.trace_api import INGRESS_RULE, api_hops, report


def _copy(graph: Graph, resources: list[Resource]) -> Graph:
    return Graph(
        graph.stack,
        resources,
        outputs=graph.outputs,
        secret_outputs=graph.secret_outputs,
        component_outputs=graph.component_outputs,
    )


def _without(graph: Graph, name: str) -> Graph:
    kept = [r for r in graph.resources if r.name != name]
    assert len(kept) == len(graph.resources) - 1, f"{name} is not in the {graph.stack} graph"
    return _copy(graph, kept)


def _broken(graph: Graph) -> list[str]:
    return [h.line() for h in api_hops(graph) if not h.ok]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_only_the_runner_the_vpn_and_the_nodes_reach_the_api(stack: str) -> None:
    graph = stack_graph(stack)
    ok, lines = report(graph)
    assert ok, "\n".join(lines)
    kinds = [h.kind for h in api_hops(graph)]
    assert kinds.count("runner") == 1 and "runner-access" in kinds and "nodes" in kinds
    vpn = [h for h in api_hops(graph) if h.kind == "vpn"]
    # staging and prod have the VPN endpoint, admitted by its own rule; dev has none.
    assert ("quantumvest-cluster-api-from-admin-vpn" in vpn[0].detail) == (stack != "dev")


def test_removing_the_runners_rule_is_named() -> None:
    broken = _broken(_without(stack_graph("dev"), "quantumvest-cluster-api-from-ci-runner"))
    assert len(broken) == 1
    assert "runner quantumvest-dev-runner" in broken[0] and "no rule admits" in broken[0]


def test_removing_the_vpns_rule_is_named() -> None:
    broken = _broken(_without(stack_graph("staging"), "quantumvest-cluster-api-from-admin-vpn"))
    assert len(broken) == 1
    assert "VPN clients 10.250.0.0/22" in broken[0] and "quantumvest-admin-vpn-sg" in broken[0]


def test_a_vpn_without_an_authorization_rule_for_the_api_subnets_is_named() -> None:
    graph = stack_graph("prod")
    kept = [r for r in graph.resources if not r.name.startswith("quantumvest-admin-vpn-authorize-private-")]
    broken = _broken(_copy(graph, kept))
    assert len(broken) == 1 and "no authorization rule opens the API endpoint's subnets" in broken[0]


def test_a_rule_open_to_the_internet_is_named() -> None:
    graph = stack_graph("prod")
    runner_rule = graph.named("quantumvest-cluster-api-from-ci-runner")
    open_rule = dataclasses.replace(
        runner_rule,
        urn=runner_rule.urn.replace("api-from-ci-runner", "api-from-anywhere"),
        name="quantumvest-cluster-api-from-anywhere",
        inputs={**runner_rule.inputs, "referencedSecurityGroupId": None, "cidrIpv4": "0.0.0.0/0"},
    )
    broken = _broken(_copy(graph, [*graph.resources, open_rule]))
    assert len(broken) == 1
    assert (
        "0.0.0.0/0 is outside the VPC" in broken[0] and "quantumvest-cluster-api-from-anywhere" in broken[0]
    )


def test_a_rule_from_inside_the_vpc_is_listed_but_passes() -> None:
    graph = stack_graph("dev")
    runner_rule = graph.named("quantumvest-cluster-api-from-ci-runner")
    inside = dataclasses.replace(
        runner_rule,
        urn=runner_rule.urn + "-office",
        name="quantumvest-cluster-api-from-subnet",
        inputs={**runner_rule.inputs, "referencedSecurityGroupId": None, "cidrIpv4": "10.10.0.0/19"},
    )
    hops = api_hops(_copy(graph, [*graph.resources, inside]))
    assert all(h.ok for h in hops)
    assert any(h.kind == "source" and "10.10.0.0/19 (inside the VPC)" in h.detail for h in hops)


def test_a_public_endpoint_is_named() -> None:
    graph = stack_graph("dev")
    cluster = graph.one("aws:eks/cluster:Cluster")
    opened = dataclasses.replace(
        cluster,
        inputs={
            **cluster.inputs,
            "vpcConfig": {
                **cluster.inputs["vpcConfig"],
                "endpointPublicAccess": True,
                "publicAccessCidrs": ["203.0.113.7/32"],
            },
        },
    )
    broken = _broken(_copy(graph, [opened if r is cluster else r for r in graph.resources]))
    assert len(broken) == 1 and "public endpoint open to 203.0.113.7/32" in broken[0]


def test_a_deploy_role_without_its_access_entry_is_named() -> None:
    graph = stack_graph("dev")
    kept = [r for r in graph.resources if not r.name.startswith("quantumvest-cluster-access-pipeline-deploy")]
    broken = _broken(_copy(graph, kept))
    assert len(broken) == 1 and "quantumvest-dev-deploy has no cluster-admin access entry" in broken[0]


def test_ingress_rules_are_what_the_check_reads() -> None:
    """The check reads the rule type the cluster registers (a rename would silently pass otherwise)."""
    graph = stack_graph("dev")
    assert graph.named("quantumvest-cluster-api-from-ci-runner").type == INGRESS_RULE


def test_command_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "dev", "--api"]) == 0
    assert "runner quantumvest-dev-runner" in capsys.readouterr().out
    assert main(["trace", "no-such-stack", "--api"]) == 2
    assert main(["trace", "dev", "api", "--api"]) == 2  # a host and --api: one or the other
    assert main(["trace", "--api"]) == 2
