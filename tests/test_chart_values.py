"""Helm values against the charts at their pinned versions (tools/chart_facts.py, tools/data/charts/).

Helm ignores keys no template reads, so these tests are the only place a misspelt value key shows up
before a cluster runs without the setting. Every Release of every stack is checked; the negative tests
break one key (or one schema constraint) and expect exactly that problem.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.versions import PINS_BY_NAME, of_kind
from tests.conftest import stack_graph
from tools.chart_facts import FACTS_DIR, check_values, facts_path, load_facts
from tools.harness import Graph, Resource
from tools.refresh_chart_facts import ChartSource, extract

RELEASE = "kubernetes:helm.sh/v3:Release"


def _releases(graph: Graph) -> list[Resource]:
    return graph.of_type(RELEASE)


def _values(stack: str, chart: str) -> dict[str, Any]:
    for release in stack_graph(stack).of_type(RELEASE):
        if release.inputs["chart"] == chart:
            return copy.deepcopy(release.inputs["values"])
    raise AssertionError(f"no {chart} release in {stack}")


def test_every_release_sets_only_values_its_chart_defines(graph: Graph) -> None:
    releases = _releases(graph)
    assert len(releases) >= 10  # the cluster services and the monitoring charts
    problems = [
        f"{r.inputs['chart']} {r.inputs['version']}: {p}"
        for r in releases
        for p in check_values(r.inputs["chart"], r.inputs["version"], r.inputs.get("values", {}))
    ]
    assert problems == []


def test_every_chart_a_stack_installs_is_in_the_versions_table(graph: Graph) -> None:
    for release in _releases(graph):
        chart = release.inputs["chart"]
        assert chart in PINS_BY_NAME, f"{chart}: add a helm-chart row to components/versions.py"
        assert PINS_BY_NAME[chart].kind == "helm-chart"
        assert release.inputs["repositoryOpts"]["repo"] == PINS_BY_NAME[chart].lookup, chart


def test_a_misspelt_key_is_reported() -> None:
    values = _values("prod", "metrics-server")
    values["podDisruptionBudget"]["enable"] = values["podDisruptionBudget"].pop("enabled")
    version = PINS_BY_NAME["metrics-server"].version
    assert check_values("metrics-server", version, values) == [
        f"podDisruptionBudget.enable: not a value of metrics-server {version} "
        "(not in values.yaml, not read by a template); did you mean podDisruptionBudget.enabled?"
    ]


def test_a_misspelt_key_of_a_bundled_subchart_is_reported() -> None:
    """kube-prometheus-stack's ``grafana`` section is the grafana chart's values: checked against its facts."""
    values = _values("prod", "kube-prometheus-stack")
    values["grafana"]["sidecar"]["dashboard"] = values["grafana"]["sidecar"].pop("dashboards")
    problems = check_values("kube-prometheus-stack", PINS_BY_NAME["kube-prometheus-stack"].version, values)
    assert len(problems) == 1
    assert problems[0].startswith("grafana.sidecar.dashboard: not a value of grafana ")


def test_keys_below_a_map_the_chart_passes_through_are_accepted() -> None:
    """A node selector's label keys are Kubernetes', not the chart's: any key below it is accepted."""
    values = _values("prod", "metrics-server")
    values["nodeSelector"]["example.com/any-label"] = "x"
    assert check_values("metrics-server", PINS_BY_NAME["metrics-server"].version, values) == []


def test_a_schema_violation_is_reported() -> None:
    """external-dns publishes values.schema.json: a policy outside its enum fails before Helm does."""
    values = _values("staging", "external-dns")  # (prod, a DR pair, runs no external-dns)
    values["policy"] = "delete-everything"
    problems = check_values("external-dns", PINS_BY_NAME["external-dns"].version, values)
    assert len(problems) == 1
    assert problems[0].startswith("policy: 'delete-everything' is not one of")
    assert "values.schema.json of external-dns" in problems[0]


def test_a_schema_type_violation_is_reported() -> None:
    values = _values("prod", "cert-manager")
    values["replicaCount"] = "two"
    problems = check_values("cert-manager", PINS_BY_NAME["cert-manager"].version, values)
    assert len(problems) == 1 and problems[0].startswith("replicaCount: 'two' is not of type"), problems


def test_a_pin_without_refreshed_facts_is_reported() -> None:
    """Bumping a pin without running tools/refresh_chart_facts.py fails the values test."""
    problems = check_values("metrics-server", "3.99.0", _values("prod", "metrics-server"))
    assert len(problems) == 1 and "no facts" in problems[0] and "refresh_chart_facts" in problems[0]


@pytest.mark.parametrize("pin", of_kind("helm-chart"), ids=lambda p: p.name)
def test_every_chart_pin_has_facts_from_its_release(pin: Any) -> None:
    facts = load_facts(pin.name, pin.version)
    assert facts is not None, f"{facts_path(pin.name, pin.version)} missing: run tools/refresh_chart_facts.py"
    assert (facts.chart, facts.version) == (pin.name, pin.version)
    # The facts came from the same public repository the table cites, at a recorded commit.
    assert pin.source.startswith(facts.source["repository"]), (pin.source, facts.source["repository"])
    assert facts.source["ref"] and len(facts.source["commit"] or "") == 40
    assert facts.source["ref"] in pin.source, (
        f"the table cites {pin.source}, the facts came from {facts.source['ref']}"
    )
    for alias, (chart, version) in facts.subcharts.items():
        if alias == "grafana":  # the subchart this program configures
            assert load_facts(chart, version) is not None, f"{chart} {version} facts missing"


def test_facts_files_are_named_for_their_chart_and_version() -> None:
    for path in FACTS_DIR.glob("*.json"):
        data = json.loads(path.read_text())
        assert path.name == f"{data['chart']}-{data['version']}.json"
        assert data["source"]["by"] == "tools/refresh_chart_facts.py"


def test_the_refresh_script_records_defaults_template_reads_and_pass_throughs(tmp_path: Path) -> None:
    chart = tmp_path / "demo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: v9\n")
    (chart / "values.yaml").write_text(
        "replicas: 1\nnodeSelector: {}\npdb:\n  enabled: false\nlabels:\n  team: x\n"
        "grafana.ini:\n  server:\n    root_url: x\n"
    )
    (chart / "values.schema.json").write_text(
        json.dumps(
            {"type": "object", "properties": {"extra": {"type": "object", "additionalProperties": True}}}
        )
    )
    (chart / "templates" / "deploy.yaml").write_text(
        'replicas: {{ .Values.replicas }}\nimage: {{ .Values.image.tag | default "v1" }}\n'
        "{{- with .Values.labels }}\nlabels:\n  {{- toYaml . | nindent 4 }}\n{{- end }}\n"
        '{{- range $k, $v := index .Values "grafana.ini" }}\n{{ $k }}\n{{- end }}\n'
    )
    facts = extract(
        ChartSource(git=None, ref=None, path="", directory=chart), origin="https://x", version=None
    )
    assert facts["version"] == "1.2.3" and facts["appVersion"] == "v9"
    assert {"replicas", "pdb.enabled", "grafana.ini.server.root_url"} <= set(facts["value_paths"])
    assert "image.tag" in facts["template_paths"]  # read with no default in values.yaml
    assert set(facts["open_paths"]) == {"nodeSelector", "labels", "grafana.ini", "extra"}
    assert facts["schema"]["properties"]["extra"]["type"] == "object"


def test_the_crd_upgrade_runbook_names_the_pinned_operator_version() -> None:
    """docs/deploying.md's server-side CRD step must follow kube-prometheus-stack's pin (its appVersion is the operator)."""
    version = PINS_BY_NAME["kube-prometheus-stack"].version
    operator = json.loads(facts_path("kube-prometheus-stack", version).read_text())["appVersion"]
    page = (Path(__file__).resolve().parents[1] / "docs" / "deploying.md").read_text()
    assert f"OPERATOR={operator}\n" in page, f"update the CRD runbook in docs/deploying.md to {operator}"


def test_the_refresh_script_reads_a_chart_at_a_git_tag(tmp_path: Path) -> None:
    """The --git path: files come from the tag, not the work tree, and the commit is recorded."""
    repo = tmp_path / "repo"
    chart = repo / "charts" / "demo"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 2.0.0\n")
    (chart / "values.yaml").write_text("tagged: true\n")
    (chart / "templates" / "cm.yaml").write_text("x: {{ .Values.fromTemplate }}\n")

    def git(*args: str) -> str:
        command = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "chart")
    git("tag", "demo-2.0.0")
    (chart / "values.yaml").write_text("untagged: true\n")  # a later change the tag does not have
    source = ChartSource(git=repo / ".git", ref="demo-2.0.0", path="charts/demo", directory=None)
    facts = extract(source, origin="https://example.com/repo", version=None)
    assert facts["value_paths"] == ["tagged"]
    assert facts["template_paths"] == ["fromTemplate"]
    assert facts["source"]["commit"] == git("rev-parse", "demo-2.0.0")
