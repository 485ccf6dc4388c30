"""components/versions.py: well-formed rows, and every row reaching the resources that use it.

A row nobody reads is a version that is reported current while the program runs another. So each
kind is followed to its consumer in the stacks' graphs: chart pins to Helm releases, add-on pins to
EKS add-ons, the Kubernetes pin to the cluster, engine pins to RDS and ElastiCache, image pins to the
containers and chart values that run them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from components.versions import KUBERNETES_VERSION, PINS, PINS_BY_NAME, of_kind
from tools.harness import Graph

RELEASE = "kubernetes:helm.sh/v3:Release"


def test_rows_are_unique_sourced_and_dated() -> None:
    assert len(PINS_BY_NAME) == len(PINS)
    for pin in PINS:
        assert pin.source.startswith("https://"), pin.name
        assert dt.date.fromisoformat(pin.checked) <= dt.date.today(), pin.name
    for pin in of_kind("helm-chart"):
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", pin.version) and pin.lookup.startswith("https://"), pin.name
    for pin in of_kind("eks-addon"):
        assert re.fullmatch(r"v\d+\.\d+\.\d+-eksbuild\.\d+", pin.version), pin.name


def test_every_chart_pin_is_what_some_stack_installs(graphs: dict[str, Graph]) -> None:
    installed = {
        (r.inputs["chart"], r.inputs["version"]) for g in graphs.values() for r in g.of_type(RELEASE)
    }
    for pin in of_kind("helm-chart"):
        assert (pin.name, pin.version) in installed, pin.name


def test_every_add_on_pin_is_installed_at_that_version(graphs: dict[str, Graph]) -> None:
    installed = {
        (r.inputs["addonName"], r.inputs.get("addonVersion"))
        for g in graphs.values()
        for r in g.of_type("aws:eks/addon:Addon")
    }
    assert {(p.name, p.version) for p in of_kind("eks-addon")} == installed


def test_kubernetes_engines_and_images_reach_their_resources(graphs: dict[str, Graph]) -> None:
    prod = graphs["prod"]
    assert {r.inputs["version"] for g in graphs.values() for r in g.of_type("aws:eks/cluster:Cluster")} == {
        KUBERNETES_VERSION
    }
    assert {
        r.inputs["engineVersion"]
        for g in graphs.values()
        for type_token in ("aws:rds/cluster:Cluster", "aws:rds/globalCluster:GlobalCluster")
        for r in g.of_type(type_token)
    } == {PINS_BY_NAME["postgresql"].version}
    engines = {
        (r.inputs["engine"], r.inputs["engineVersion"])
        for r in prod.of_type("aws:elasticache/replicationGroup:ReplicationGroup")
    }
    assert (PINS_BY_NAME["redis"].name, PINS_BY_NAME["redis"].version) in engines
    client = PINS_BY_NAME["postgres-client-image"]
    images = {
        c["image"]
        for r in prod.of_type("kubernetes:batch/v1:Job")
        for c in r.inputs["spec"]["template"]["spec"]["containers"]
    }
    assert f"{client.lookup}:{client.version}" in images
    (autoscaler,) = [r for r in prod.of_type(RELEASE) if r.inputs["chart"] == "cluster-autoscaler"]
    assert autoscaler.inputs["values"]["image"]["tag"] == PINS_BY_NAME["cluster-autoscaler-image"].version
    assert PINS_BY_NAME["cluster-autoscaler-image"].version.startswith(f"v{KUBERNETES_VERSION}.")


_VERSION_LITERAL = re.compile(
    r"""["'](v?\d+\.\d+\.\d+(?:-eksbuild\.\d+)?|[\w.-]+/[\w./-]+:[\w.-]*\d[\w.-]*)["']"""
)


def test_no_version_is_pinned_outside_the_table() -> None:
    """Components take versions from components/versions.py; a literal elsewhere is a pin Renovate misses."""
    components = Path(__file__).resolve().parents[1] / "components"
    stray = [
        (path.name, match.group(1))
        for path in sorted(components.glob("*.py"))
        if path.name != "versions.py"
        for match in _VERSION_LITERAL.finditer(path.read_text())
        if not match.group(1).startswith(("arn:", "http"))
    ]
    assert stray == []
