"""`diff`: golden Markdown for the changes a reviewer most needs to see, and the cost delta by hand.

Golden files live in ``tests/golden/``; after an intended change to the output, regenerate them with
``UPDATE_GOLDEN=1 uv run pytest tests/test_tools_diff.py`` and review the diff of the .md files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.synthetic import GraphBuilder, platform
from tools import diff
from tools.__main__ import main
from tools.plan import build_plan, write_plan
from tools.pricing import Usage
from tools.replacements import forcing

GOLDEN = Path(__file__).parent / "golden"
#: 50 GB in each bucket, so removing one has a known price: 50 x $0.023.
USAGE = Usage(source="test-usage.yml", type_defaults={"aws:s3/bucketV2:BucketV2": {"storage_gb": 50}})
BASE: dict = {}


def _plan(**changes: object) -> dict:
    return build_plan(platform(**changes), USAGE, parallelism=16)  # type: ignore[arg-type]


def _base() -> dict:
    if not BASE:
        BASE.update(_plan())
    return BASE


SCENARIOS = {
    "added_service": {"ledger_service": True},
    "resized_node_group": {"node_count": 4},
    "rds_encryption_replaced": {"db_encrypted": True},
    "removed_bucket": {"logs_bucket": False},
}


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"diff_{name}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {path.name}: run with UPDATE_GOLDEN=1 and review it"
    assert text == path.read_text()


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_golden(scenario: str) -> None:
    _check_golden(scenario, diff.render_markdown(_base(), _plan(**SCENARIOS[scenario])))


def test_added_service_is_two_additions_in_workloads() -> None:
    diffs = diff.compare(_base(), _plan(ledger_service=True))
    assert sorted((d.kind, d.entry["name"]) for d in diffs) == [
        ("add", "quantumvest-workloads-ledger"),
        ("add", "quantumvest-workloads-ledger-svc"),
    ]


def test_resized_node_group_is_an_update_not_a_replacement() -> None:
    (only,) = diff.compare(_base(), _plan(node_count=4))
    assert only.kind == "change"
    assert [(c.path, c.old, c.new) for c in only.changes] == [("scalingConfig.desiredSize", 2, 4)]


def test_rds_storage_encryption_forces_replacement_flagged_loudly() -> None:
    head = _plan(db_encrypted=True)
    (only,) = diff.compare(_base(), head)
    assert only.kind == "replace" and only.stateful and only.protected
    assert [r.path for r in only.replacements] == ["storageEncrypted"]
    text = diff.render_markdown(_base(), head)
    assert "[!CAUTION]" in text and "will be REPLACED" in text and "1 hold data" in text
    assert (
        "| `quantumvest-database-primary` | `aws:rds/instance:Instance` | `storageEncrypted` | `false` → `true` |"
        in text
    )
    assert "rds/instance.go" in text  # the source of the rule is cited
    assert "`pulumi up` would fail" in text and "is protected" in text


def test_removed_bucket_is_a_deletion_of_data() -> None:
    (only,) = diff.compare(_base(), _plan(logs_bucket=False))
    assert (only.kind, only.entry["name"], only.stateful) == ("remove", "quantumvest-storage-logs", True)
    assert "holding data will be DELETED" in diff.render_markdown(_base(), _plan(logs_bucket=False))


def test_cost_delta_matches_hand_computed_figures() -> None:
    """Node group 2 -> 4 x m6i.large on-demand and the logs bucket removed, in one change.

    Instances: 2 more x 730 h x $0.096 = +$140.16; root volumes: 2 more x 20 GB gp2 x $0.10 = +$4.00;
    bucket: -50 GB x $0.023 = -$1.15. Total: +$143.01.
    """
    base, head = _base(), _plan(node_count=4, logs_bucket=False)
    delta = round(head["cost"]["monthly_total"] - base["cost"]["monthly_total"], 2)
    assert delta == pytest.approx(143.01, abs=0.005)
    assert round(
        head["cost"]["by_component"]["quantumvest-cluster"]
        - base["cost"]["by_component"]["quantumvest-cluster"],
        2,
    ) == pytest.approx(144.16)
    text = diff.render_markdown(base, head)
    assert "(**+$143.01** USD/month" in text
    assert "| quantumvest-storage | $2.30 | $1.15 | -$1.15 |" in text


def test_secrets_stay_redacted_in_the_comment() -> None:
    text = diff.render_markdown(_base(), _plan(db_encrypted=True, ledger_service=True))
    assert "hunter2" not in text


def test_renamed_resource_with_alias_is_not_a_replacement() -> None:
    base = _base()
    head = _plan()
    bucket = next(r for r in head["resources"] if r["name"] == "quantumvest-storage-logs")
    old_urn = bucket["urn"]
    bucket["urn"] = old_urn.replace("quantumvest-storage-logs", "quantumvest-storage-audit-logs")
    bucket["name"] = "quantumvest-storage-audit-logs"
    bucket["options"] = {"aliases": [{"spec": {"name": "quantumvest-storage-logs"}}]}
    (only,) = [d for d in diff.compare(base, head) if d.entry["name"].endswith("logs")]
    assert only.kind == "rename"


def test_no_changes() -> None:
    text = diff.render_markdown(_base(), _plan())
    assert "**No resource changes**" in text and "+$0.00" in text


def test_cli_writes_markdown_and_accepts_a_missing_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = tmp_path / "head.json"
    write_plan(_plan(ledger_service=True), head)
    assert main(["diff", str(tmp_path / "absent.json"), str(head)]) == 2  # usage: checked up front
    assert "absent.json: no such file" in capsys.readouterr().err
    out = tmp_path / "comment.md"
    assert (
        main(["diff", str(tmp_path / "absent.json"), str(head), "--allow-missing-base", "--out", str(out)])
        == 0
    )
    text = out.read_text()
    assert (
        text.startswith("<!-- quantumvest-offline-plan:prod -->")
        and "No usable plan for the base commit" in text
    )


def test_long_comments_are_cut_to_fit_github() -> None:
    text = "head\n```mermaid\n" + "x\n" * 40_000 + "```\n"
    cut = diff.fit_comment(text, limit=1_000)
    assert len(cut) < 1_200 and cut.count("```") % 2 == 0 and "**Truncated**" in cut
    assert diff.fit_comment("short") == "short"


def test_nat_instance_is_replaced_by_a_new_ami_or_new_user_data_only_when_asked() -> None:
    """The NAT instance (issue 21) is patched by replacement: a new AMI forces it; user data forces it
    only with user_data_replace_on_change (otherwise EC2 keeps the old boot script)."""

    token = "aws:ec2/instance:Instance"
    old = {"ami": "ami-1", "userData": "a", "userDataReplaceOnChange": True}
    assert [r.path for r in forcing(token, ["ami"], old, {**old, "ami": "ami-2"})] == ["ami"]
    assert [r.path for r in forcing(token, ["userData"], old, {**old, "userData": "b"})] == ["userData"]
    quiet = {**old, "userDataReplaceOnChange": False}
    assert forcing(token, ["userData"], quiet, {**quiet, "userData": "b"}) == []
    assert forcing(token, ["instanceType"], old, {**old, "instanceType": "t4g.medium"}) == []  # stop/start


def _standby(detached: bool) -> dict:
    """A DR stack's Aurora standby, attached to the primary's global database or detached from it."""
    b = GraphBuilder("prod-dr", region="us-west-2")
    db = b.component("quantumvest:data:Database", "quantumvest-database")
    inputs = {
        "engine": "aurora-postgresql",
        "engineVersion": "17",
        "clusterIdentifier": "quantumvest-database-1a2b3c4d",
        "storageEncrypted": True,
        "kmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/dr-data",
        **({} if detached else {"globalClusterIdentifier": "quantumvest-database-9f8e7d6c-global"}),
    }
    b.add("aws:rds/cluster:Cluster", "quantumvest-database-cluster", db, inputs, options={"protect": True})
    return build_plan(b.graph(), USAGE, parallelism=16)


def test_detaching_a_standby_from_the_global_database_is_an_update_not_a_replacement() -> None:
    (only,) = diff.compare(_standby(detached=False), _standby(detached=True))
    assert only.kind == "change" and not only.replacements
    assert [(c.path, c.old) for c in only.changes] == [
        ("globalClusterIdentifier", "quantumvest-database-9f8e7d6c-global")
    ]
    # the same data does replace the cluster on what AWS cannot change in place
    moved = _standby(detached=True)
    for entry in moved["resources"]:
        if entry["type"] == "aws:rds/cluster:Cluster":
            entry["inputs"]["kmsKeyId"] = "arn:aws:kms:us-west-2:123456789012:key/other"
    (replaced,) = diff.compare(_standby(detached=True), moved)
    assert replaced.kind == "replace" and [r.path for r in replaced.replacements] == ["kmsKeyId"]
