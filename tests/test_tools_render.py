"""`render`: Kubernetes objects as YAML in apply order, validated against the schema (strict)."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate.utils as kv
import pytest
import yaml

from tests.conftest import stack_graph
from tests.synthetic import GraphBuilder, deployment, platform
from tools import render, stacks
from tools.__main__ import main
from tools.harness import Graph


def _workloads() -> Graph:
    b = GraphBuilder()
    work = b.component("quantumvest:workloads:Workloads", "work")
    cluster = b.add("aws:eks/cluster:Cluster", "eks", work, {"version": "1.31"})
    k8s = b.add("pulumi:providers:kubernetes", "k8s", work, depends_on=[cluster], provider=None)
    b.add("kubernetes:apps/v1:Deployment", "api", work, deployment("api"), provider=k8s)
    b.add(
        "kubernetes:core/v1:Secret",
        "api-secret",
        work,
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"namespace": "quantumvest"},
         "stringData": {"DATABASE_URL": "postgres://app:s3cr3t-password@db:5432/app"}},
        provider=k8s,
        secret_paths={"stringData"},
    )  # fmt: skip
    b.add("kubernetes:core/v1:Namespace", "ns", work, {"metadata": {"name": "quantumvest"}}, provider=k8s)
    b.add(
        "kubernetes:cert-manager.io/v1:ClusterIssuer",
        "issuer",
        work,
        {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "letsencrypt"},
         "spec": {"acme": {"server": "https://acme-v02.api.letsencrypt.org/directory"}}},
        provider=k8s,
    )  # fmt: skip
    b.add(
        "kubernetes:helm.sh/v3:Release",
        "metrics-server",
        work,
        {"chart": "metrics-server", "version": "3.13.0"},
        provider=k8s,
    )
    return b.graph()


def test_objects_are_written_in_apply_order_and_validate(tmp_path: Path) -> None:
    result = render.render(_workloads(), tmp_path)
    assert result.errors == []
    files = sorted(p.name for p in tmp_path.glob("*.yaml"))
    assert [f.split("-", 2)[1] for f in files] == ["namespace", "secret", "deployment", "clusterissuer"]
    assert files[0] == "001-namespace-quantumvest.yaml"
    assert files[2] == "003-deployment-quantumvest-api.yaml"
    assert result.kubernetes_version.startswith("1.31")
    for path in tmp_path.glob("*.yaml"):
        body = yaml.safe_load(path.read_text())
        if body["kind"] != "ClusterIssuer":  # re-validate what was written, independently of the tool
            kv.validate(body, "1.31.0", strict=True)
    assert [i.body["kind"] for i in result.unvalidated] == ["ClusterIssuer"]
    assert [r.name for r in result.not_objects] == ["metrics-server"]


def test_secret_values_are_redacted_and_names_auto_generated(tmp_path: Path) -> None:
    render.render(_workloads(), tmp_path)
    text = "".join(p.read_text() for p in tmp_path.glob("*.yaml"))
    assert "s3cr3t-password" not in text
    secret = yaml.safe_load(next(tmp_path.glob("*-secret-*.yaml")).read_text())
    assert secret["stringData"] == {"DATABASE_URL": "[secret]"}
    assert secret["metadata"]["name"].startswith("api-secret-")  # auto-named, like pulumi-kubernetes


def test_strict_validation_catches_unknown_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = GraphBuilder()
    work = b.component("quantumvest:workloads:Workloads", "work")
    bad = deployment("api")
    bad["spec"]["replica"] = 3  # typo: strict schemas reject unknown fields
    b.add("kubernetes:apps/v1:Deployment", "api", work, bad, provider=None)
    result = render.render(b.graph(), tmp_path)
    assert len(result.errors) == 1
    assert "001-deployment-quantumvest-api.yaml: Deployment api" in result.errors[0]
    assert "replica" in result.errors[0]


def test_synthetic_platform_renders_cleanly(tmp_path: Path) -> None:
    result = render.render(platform(ledger_service=True), tmp_path)
    assert result.errors == [] and len(result.manifests) == 5 and not result.unvalidated


def test_real_stacks_render(graph: Graph, tmp_path: Path) -> None:
    result = render.render(graph, tmp_path)
    assert result.errors == []
    assert all(item.validated for item in result.manifests if item not in result.unvalidated)
    assert len(list(tmp_path.glob("*.yaml"))) == len(result.manifests)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The run's shared evaluation of dev: this is about the command, not the evaluation.
    monkeypatch.setattr(stacks, "load", lambda stack, label="render", quiet=False: stack_graph(stack))
    assert main(["render", "dev", str(tmp_path / "manifests")]) == 0
    assert "Kubernetes objects written to" in capsys.readouterr().out


def test_gateway_api_objects_are_checked_against_their_crd_schema(tmp_path: Path) -> None:
    b = GraphBuilder()
    work = b.component("quantumvest:workloads:Workloads", "work")
    k8s = b.add("pulumi:providers:kubernetes", "k8s", work, provider=None)
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": {"name": "api", "namespace": "quantumvest"},
        "spec": {"parentRefs": [{"name": "edge"}], "rules": [{"backendRefs": [{"name": "api", "port": 80}]}]},
    }
    typo = {
        **route,
        "metadata": {"name": "web", "namespace": "quantumvest"},
        "spec": {"parentRef": [{"name": "edge"}]},
    }
    b.add("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "api-route", work, route, provider=k8s)
    b.add("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "web-route", work, typo, provider=k8s)
    result = render.render(b.graph(), tmp_path)
    assert result.unvalidated == []
    assert [m.body["metadata"]["name"] for m in result.manifests if m.validated] == ["api"]
    assert len(result.errors) == 1 and "'parentRef' was unexpected" in result.errors[0]
