"""`graph`: components and the wiring between them, from dependencies across components."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import stack_graph
from tests.synthetic import platform
from tools import diagram, stacks
from tools.__main__ import main
from tools.harness import Graph
from tools.plan import build_plan


def test_edges_follow_dependencies_and_providers_between_components() -> None:
    plan = build_plan(platform(), with_estimates=False)
    wiring = {pair: dict(types) for pair, types in diagram.edges(plan).items()}
    assert wiring == {
        ("quantumvest-cluster", "quantumvest-workloads"): {"kubernetes provider": 3},
        ("quantumvest-network", "quantumvest-cluster"): {"Subnet": 2},
        ("quantumvest-network", "quantumvest-database"): {"Subnet": 1},
    }  # the platform's AWS provider is used by everything: not drawn as wiring


def test_mermaid_text() -> None:
    text = diagram.mermaid(build_plan(platform(), with_estimates=False))
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    assert '  c_quantumvest_network -->|"Subnet x2"| c_quantumvest_cluster' in lines
    assert '  c_quantumvest_storage["quantumvest-storage<br/>Storage · 2 resources"]' in lines


def test_real_stack_graph_cli(
    graph: Graph, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command draws the run's shared evaluation of the stack (evaluating it again adds nothing the
    # plan command's end-to-end test does not already run).
    monkeypatch.setattr(stacks, "load", lambda stack, label="graph", quiet=False: stack_graph(stack))
    assert main(["graph", graph.stack]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart LR") and "quantumvest-network" in out


def test_images_need_graphviz(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagram.shutil, "which", lambda _: None)
    assert main(["graph", "dev", "--format", "svg", "--out", str(tmp_path / "g.svg")]) == 2
    assert "needs graphviz's `dot`" in capsys.readouterr().err


def test_dot_text() -> None:
    text = diagram.dot(build_plan(platform(), with_estimates=False))
    assert (
        text.startswith("digraph components {")
        and 'c_quantumvest_network -> c_quantumvest_cluster [label="Subnet x2"];' in text
    )
