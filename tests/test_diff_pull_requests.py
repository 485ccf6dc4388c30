"""The offline diff of three realistic pull requests on staging, as a reviewer needs to read them.

Each head is the real staging stack file with one change (as a pull request would make it), run
under the mock engine; the base is staging as committed. Golden Markdown in ``tests/golden/``
(regenerate with ``UPDATE_GOLDEN=1`` and review the .md diff):

- a node group's ``desired_size``: ``ignore_changes`` on it, so ``pulumi up`` changes nothing, at $0;
- ``database.engine_version`` 17 -> 18: refused without ``allow_major_version_upgrade``, and with it
  an in-place upgrade of the Aurora cluster plus a cluster parameter group of the new family, created
  before the old one is deleted;
- ``storage.bucket_prefix``: every bucket replaced, and every resource naming a bucket with it.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import stack_graph
from tests.helpers import write_stack
from tools import diff
from tools.harness import run_stack
from tools.plan import build_plan
from tools.pricing import load_usage

GOLDEN = Path(__file__).parent / "golden"
_PLANS: dict[str, dict[str, Any]] = {}

PULL_REQUESTS: dict[str, dict[str, Any]] = {
    "staging_node_group_desired_size": {"cluster": {"node_groups": {"trading": {"desired_size": 4}}}},
    "staging_postgres_major_refused": {"database": {"engine_version": "18"}},
    "staging_postgres_major_upgrade": {
        "database": {"engine_version": "18", "allow_major_version_upgrade": True}
    },
    "staging_bucket_prefix": {"storage": {"bucket_prefix": "qv-stg-"}},
}


def _plan(name: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if name not in _PLANS:
        if name == "staging_postgres_major_refused":
            # The same program as with the flag, but for the flag: one stack run fewer.
            plan = copy.deepcopy(_plan("staging_postgres_major_upgrade", tmp_path_factory))
            for entry in plan["resources"]:
                if entry["name"] == "quantumvest-database-cluster":
                    entry["inputs"]["allowMajorVersionUpgrade"] = False
            _PLANS[name] = plan
            return plan
        if name == "base":
            graph = stack_graph("staging")
        else:
            folder = tmp_path_factory.mktemp(name)
            graph = run_stack(str(write_stack(folder, "staging", PULL_REQUESTS[name])))
        _PLANS[name] = build_plan(graph, load_usage(None, "staging"))
    return _PLANS[name]


def _diffs(name: str, tmp_path_factory: pytest.TempPathFactory) -> list[diff.ResourceDiff]:
    return diff.compare(_plan("base", tmp_path_factory), _plan(name, tmp_path_factory))


def _by_name(diffs: list[diff.ResourceDiff]) -> dict[str, diff.ResourceDiff]:
    return {d.entry["name"]: d for d in diffs}


@pytest.mark.parametrize("name", sorted(PULL_REQUESTS))
def test_golden(name: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    text = diff.render_markdown(_plan("base", tmp_path_factory), _plan(name, tmp_path_factory))
    path = GOLDEN / f"diff_pr_{name}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text()


def test_node_group_desired_size_is_ignored_and_free(tmp_path_factory: pytest.TempPathFactory) -> None:
    (only,) = _diffs("staging_node_group_desired_size", tmp_path_factory)
    assert (only.kind, only.entry["name"]) == ("ignored", "quantumvest-cluster-trading")
    assert [(c.path, c.old, c.new, c.ignored) for c in only.changes] == [
        ("scalingConfig.desiredSize", 2, 4, True)
    ]
    base, head = _plan("base", tmp_path_factory), _plan("staging_node_group_desired_size", tmp_path_factory)
    assert head["cost"]["monthly_total"] > base["cost"]["monthly_total"]  # the program's value costs more...
    text = diff.render_markdown(base, head)
    assert "(**+$0.00** USD/month" in text  # ...but `pulumi up` will not apply it
    assert "ignored by `pulumi up`" in text and "🔧 update" not in text


def test_postgres_major_without_the_flag_is_refused(tmp_path_factory: pytest.TempPathFactory) -> None:
    found = _by_name(_diffs("staging_postgres_major_refused", tmp_path_factory))
    cluster = found["quantumvest-database-cluster"]
    assert any("RDS refuses" in e and "allow_major_version_upgrade" in e for e in cluster.errors)
    assert found["quantumvest-database-params"].kind == "replace"
    assert [r.path for r in found["quantumvest-database-params"].replacements] == ["family"]


def test_postgres_major_with_the_flag_is_an_upgrade_and_a_new_parameter_group_first(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    found = _by_name(_diffs("staging_postgres_major_upgrade", tmp_path_factory))
    cluster, params = found["quantumvest-database-cluster"], found["quantumvest-database-params"]
    assert cluster.kind == "change" and not cluster.errors
    assert any("major version upgrade aurora-postgresql 17 → 18" in n for n in cluster.notes)
    assert params.kind == "replace" and "created first, then the old one deleted" in params.notes
    # The cluster moves to the new group in place (dbClusterParameterGroupName does not force
    # replacement); its instances follow the cluster's engine and are not touched.
    assert any(
        "dbClusterParameterGroupName` refers to `quantumvest-database-params` (replaced)" in n
        for n in cluster.notes
    )
    assert "quantumvest-database-writer" not in found
    assert not any(d.errors for d in found.values())


def test_bucket_prefix_replaces_every_bucket_and_what_names_it(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    diffs = _diffs("staging_bucket_prefix", tmp_path_factory)
    replaced = {d.entry["name"] for d in diffs if d.kind == "replace"}
    base = _plan("base", tmp_path_factory)
    buckets = [
        e
        for e in base["resources"]
        if e["type"] == "aws:s3/bucket:Bucket" and e["component"] == "quantumvest-storage"
    ]
    assert len(buckets) == 4
    assert {b["name"] for b in buckets} <= replaced
    bucket_urns = {b["urn"] for b in buckets}
    naming_a_bucket = {
        e["name"]
        for e in base["resources"]
        if e["type"].startswith("aws:s3/bucket")
        and set(e.get("property_dependencies", {}).get("bucket", [])) & bucket_urns
    }
    assert (
        naming_a_bucket and naming_a_bucket <= replaced
    )  # policies, versioning, encryption, logging, lifecycle
    assert not any(
        d.kind == "change"
        and d.entry["type"].startswith("aws:s3/bucket")
        and d.entry["name"] in naming_a_bucket
        for d in diffs
    )
    text = diff.render_markdown(base, _plan("staging_bucket_prefix", tmp_path_factory))
    caution = [line for line in text.splitlines() if line.startswith("> | `")]
    assert (
        len(caution) == len({line.split("`")[1] for line in caution}) == len(replaced)
    )  # each resource once
