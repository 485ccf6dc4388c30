"""The in-cluster half of the public path trace: every regional host of every stack passes, and each kind
of hop, broken once on a copy of the plan, is the hop the trace names.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from tests.conftest import STACKS, stack_graph
from tools.harness import Graph, Resource
from tools.trace_k8s import edge_hops


def traced(stack: str, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """The stack's graph as built: every stack has its zone and a certificate per public host."""
    return stack_graph(stack)


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return traced("dev", tmp_path_factory)


@pytest.mark.parametrize("stack", STACKS)
def test_every_regional_host_traces_from_listener_to_network_policy(
    stack: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    graph = traced(stack, tmp_path_factory)
    hosts = graph.outputs["ingressHosts"]
    assert {h.split(".")[0] for h in hosts} == {"api", "www"}
    for host in hosts:
        hops = edge_hops(graph, host)
        assert [h for h in hops if not h.ok] == [], host
        kinds = [h.kind for h in hops]
        assert kinds[:3] == ["listener-443", "redirect-80", "waf"]
        # One route → service → pods → network-policy chain per path of the host.
        paths = kinds.count("route")
        assert paths >= 1 and kinds[3:] == ["route", "service", "pods", "network-policy"] * paths
    api = [h for h in edge_hops(graph, next(h for h in hosts if h.startswith("api."))) if h.kind == "route"]
    assert len(api) == 3  # api.<domain>/, /auth and /upload (seed 004's per-path limits)


def _one(graph: Graph, type_suffix: str, name_part: str) -> Resource:
    (found,) = [r for r in graph if r.type.endswith(type_suffix) and name_part in r.name]
    return found


def _missing_service(g: Graph) -> None:
    route = _one(g, ":HTTPRoute", "backend-route-0")
    route.inputs["spec"]["rules"][0]["backendRefs"][0]["name"] = "backend-gone"


def _port_no_container_exposes(g: Graph) -> None:
    service = _one(g, ":Service", "workloads-backend-service")
    service.inputs["spec"]["ports"][0]["targetPort"] = 9999


def _policy_shuts_out_load_balancer(g: Graph) -> None:
    policy = _one(g, ":NetworkPolicy", "workloads-backend-netpol-ingress")
    policy.inputs["spec"]["ingress"][0]["from"] = [{"ipBlock": {"cidr": "192.0.2.0/24"}}]


def _listener_without_tls13(g: Graph) -> None:
    config = _one(g, ":LoadBalancerConfiguration", "edge-lb-config")
    config.inputs["spec"]["listenerConfigurations"][0]["sslPolicy"] = "ELBSecurityPolicy-2016-08"


def _no_waf(g: Graph) -> None:
    config = _one(g, ":LoadBalancerConfiguration", "edge-lb-config")
    del config.inputs["spec"]["wafV2"]


def _no_readiness_probe(g: Graph) -> None:
    deployment = _one(g, ":Deployment", "workloads-backend-deployment")
    del deployment.inputs["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]


def _http_listener_serves(g: Graph) -> None:
    route = _one(g, ":HTTPRoute", "backend-route-0")
    route.inputs["spec"]["parentRefs"][0]["sectionName"] = "http"


BREAKS: dict[str, tuple[Callable[[Graph], None], str, str]] = {
    "route to a missing Service": (_missing_service, "service", "no Service quantumvest/backend-gone"),
    "Service port no container exposes": (_port_no_container_exposes, "pods", "no container exposes 9999"),
    "NetworkPolicy shuts out the load balancer": (
        _policy_shuts_out_load_balancer,
        "network-policy",
        "admits the load balancer",
    ),
    "listener without TLS 1.3": (_listener_without_tls13, "listener-443", "ELBSecurityPolicy-2016-08"),
    "no WAF": (_no_waf, "waf", "no web ACL"),
    "deployment without readiness probe": (_no_readiness_probe, "pods", "readiness probe"),
    "HTTP listener serving a route": (_http_listener_serves, "redirect-80", "serves traffic: backend"),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_each_broken_hop_is_named(case: str, dev: Graph) -> None:
    breaker, kind, reason = BREAKS[case]
    host = next(h for h in dev.outputs["ingressHosts"] if h.startswith("api."))
    assert not [h for h in edge_hops(dev, host) if not h.ok]
    broken_graph = copy.deepcopy(dev)
    breaker(broken_graph)
    broken = [h for h in edge_hops(broken_graph, host) if not h.ok]
    # Exactly this kind of hop breaks (once per route when both of api.'s paths share the backend).
    assert broken and {h.kind for h in broken} == {kind}, broken
    assert all(reason in h.detail for h in broken), broken
    # The other host is untouched by a break on the backend's objects (Gateway-wide breaks reach both).
    www = next(h for h in dev.outputs["ingressHosts"] if h.startswith("www."))
    www_broken = {h.kind for h in edge_hops(broken_graph, www) if not h.ok}
    assert www_broken == ({kind} if kind in ("listener-443", "redirect-80", "waf") else set())
