"""Rendered Kubernetes manifests validate against the cluster version's schema, strictly."""

from __future__ import annotations

import copy

import pytest

from tests.workloads_wiring import KUBERNETES_VERSION, workloads_graph
from tools.harness import Graph
from tools.k8s_manifests import SKIPPED_CUSTOM_RESOURCES, api_version_and_kind, render, to_yaml, validate


@pytest.fixture(scope="module", params=("dev", "staging", "prod"))
def wl(request: pytest.FixtureRequest) -> Graph:
    return workloads_graph(request.param)


def test_every_rendered_manifest_validates_strictly(wl: Graph) -> None:
    manifests = render(wl)
    report = validate(manifests, KUBERNETES_VERSION, strict=True)
    assert report.errors == []
    # Only the external-secrets and Prometheus Operator CRDs are skipped, each named; the rest was checked.
    assert {ident.split()[0] for ident, _ in report.skipped} == {
        "SecretStore",
        "ExternalSecret",
        "ServiceMonitor",
        "PodMonitor",
    }
    assert len(report.validated) + len(report.skipped) == len(manifests)
    kinds = {m.split()[0] for m in report.validated}
    expected = {
        "Namespace",
        "Deployment",
        "Job",
        "CronJob",
        "Service",
        "HorizontalPodAutoscaler",
        # The edge's custom resources, against their CRDs' schemas (Gateway API v1.6.0, LBC v3.5.0).
        "Gateway",
        "HTTPRoute",
        "LoadBalancerConfiguration",
        "TargetGroupConfiguration",
        "NetworkPolicy",
        "ResourceQuota",
        "LimitRange",
        "ConfigMap",
        "ServiceAccount",
        "PersistentVolume",
        "PersistentVolumeClaim",
    }
    assert expected | ({"PodDisruptionBudget"} if wl.stack != "dev" else set()) <= kinds


def test_manifests_are_in_apply_order(wl: Graph) -> None:
    kinds = [m["kind"] for m in render(wl)]
    assert kinds[:2] == ["Namespace", "Namespace"]
    assert kinds.index("ServiceAccount") < kinds.index("Deployment") < kinds.index("HorizontalPodAutoscaler")
    assert max(i for i, k in enumerate(kinds) if k == "ExternalSecret") < kinds.index("Deployment")
    # The load balancer's configuration before its Gateway, the Gateway before the routes attaching to it.
    assert kinds.index("LoadBalancerConfiguration") < kinds.index("Gateway") < kinds.index("HTTPRoute")
    assert kinds.index("Service") < kinds.index("ServiceMonitor")
    assert to_yaml(render(wl)).count("\n---\n") == len(kinds) - 1


def _deployment(graph: Graph) -> dict:
    return copy.deepcopy(next(m for m in render(graph) if m["kind"] == "Deployment"))


def test_strict_validation_rejects_an_unknown_field() -> None:
    manifest = _deployment(workloads_graph("dev"))
    manifest["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsNonroot"] = True  # typo
    report = validate([manifest], KUBERNETES_VERSION)
    assert len(report.errors) == 1
    assert "securityContext" in report.errors[0] and "'runAsNonroot' was unexpected" in report.errors[0]


def test_validation_rejects_a_wrong_type_and_a_missing_required_field() -> None:
    wrong = _deployment(workloads_graph("dev"))
    wrong["spec"]["replicas"] = "three"
    missing = _deployment(workloads_graph("dev"))
    del missing["spec"]["selector"]
    report = validate([wrong, missing], KUBERNETES_VERSION)
    assert len(report.errors) == 2
    assert "spec.replicas" in report.errors[0] and "'selector' is a required property" in report.errors[1]


def test_an_unknown_custom_resource_is_an_error_not_a_silent_skip() -> None:
    report = validate(
        [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}], KUBERNETES_VERSION
    )
    assert report.validated == [] and report.skipped == []
    assert "Widget" in report.errors[0] and "SKIPPED_CUSTOM_RESOURCES" in report.errors[0]
    assert ("external-secrets.io/v1", "ExternalSecret") in SKIPPED_CUSTOM_RESOURCES


def test_type_tokens_map_to_api_versions() -> None:
    assert api_version_and_kind("kubernetes:core/v1:ConfigMap") == ("v1", "ConfigMap")
    assert api_version_and_kind("kubernetes:apps/v1:Deployment") == ("apps/v1", "Deployment")
    assert api_version_and_kind("kubernetes:networking.k8s.io/v1:Ingress") == (
        "networking.k8s.io/v1",
        "Ingress",
    )
    assert api_version_and_kind("kubernetes:external-secrets.io/v1:ExternalSecret") == (
        "external-secrets.io/v1",
        "ExternalSecret",
    )


def test_custom_resources_are_validated_strictly_against_their_crds() -> None:
    manifests = render(workloads_graph("dev"))
    route = copy.deepcopy(next(m for m in manifests if m["kind"] == "HTTPRoute"))
    route["spec"]["rules"][0]["backendRef"] = route["spec"]["rules"][0].pop("backendRefs")  # typo
    config = copy.deepcopy(next(m for m in manifests if m["kind"] == "LoadBalancerConfiguration"))
    config["spec"]["scheme"] = "public"  # not internet-facing / internal
    report = validate([route, config], KUBERNETES_VERSION)
    assert len(report.errors) == 2, report.errors
    assert "'backendRef' was unexpected" in report.errors[0]
    assert "spec.scheme" in report.errors[1] and "'public' is not one of" in report.errors[1]
