"""The CloudTrail bucket moved onto ``hardened_bucket``: the move renames resources (aliases) and
replaces or deletes none, compared against the real plan of the resources before the move
(``tests/data/trail-bucket-before-prod.json``, from ``python -m tools plan prod``); and its policy still
grants CloudTrail exactly what it needs."""

from __future__ import annotations

import json
from typing import Any

from tests.helpers import REPO
from tools.changes import compare
from tools.harness import Graph
from tools.plan import build_plan

BEFORE = REPO / "tests" / "data" / "trail-bucket-before-prod.json"
PREFIX = "quantumvest-security-trail-"
#: Former logical name → name after the move (the bucket keeps its name and its bucket_prefix).
RENAMED = {
    "quantumvest-security-trail-bucket-ownership": "quantumvest-security-trail-ownership",
    "quantumvest-security-trail-bucket-public-access": "quantumvest-security-trail-public-access-block",
    "quantumvest-security-trail-bucket-versioning": "quantumvest-security-trail-versioning",
    "quantumvest-security-trail-bucket-encryption": "quantumvest-security-trail-encryption",
    "quantumvest-security-trail-bucket-lifecycle": "quantumvest-security-trail-lifecycle",
    "quantumvest-security-trail-bucket-policy": "quantumvest-security-trail-policy",
}


def _trail_bucket_entries(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        e
        for e in plan["resources"]
        if e["name"].startswith(PREFIX) and e["type"].startswith("aws:s3/") and e["custom"]
    ]


def test_moving_the_trail_bucket_onto_the_builder_replaces_and_deletes_nothing(
    graphs: dict[str, Graph],
) -> None:
    before = json.loads(BEFORE.read_text())
    after = {"resources": _trail_bucket_entries(build_plan(graphs["prod"], with_estimates=False))}
    assert len(before["resources"]) == 7 and len(after["resources"]) == 7
    diffs = compare(before, after)
    fates = {
        (d.old_entry or d.entry)["name"]: (d.kind, d.entry["name"], [r.path for r in d.replacements])
        for d in diffs
    }
    assert {k: v for k, v in fates.items() if v[0] not in ("rename", "change")} == {}
    assert not any(d.unknown or d.replacements for d in diffs)
    assert {old: new for old, (kind, new, _) in fates.items() if kind == "rename"} == RENAMED
    # The bucket itself: same logical name, same bucket_prefix, still protected in prod.
    bucket = next(e for e in after["resources"] if e["type"] == "aws:s3/bucket:Bucket")
    (old_bucket,) = [e for e in before["resources"] if e["type"] == "aws:s3/bucket:Bucket"]
    assert bucket["urn"] == old_bucket["urn"]
    assert bucket["inputs"]["bucketPrefix"] == old_bucket["inputs"]["bucketPrefix"]
    assert bucket["options"]["protect"] is True


def test_the_trail_bucket_policy_allows_cloudtrail_only_its_acl_check_and_writes(graph: Graph) -> None:
    trail = graph.one("aws:cloudtrail/trail:Trail")
    bucket = graph.named(f"{PREFIX}bucket")
    policy = json.loads(graph.named(f"{PREFIX}policy").inputs["policy"])
    allows = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    arn, account = bucket.outputs["arn"], trail.outputs["arn"].split(":")[4]
    condition = {"aws:SourceArn": trail.outputs["arn"]}
    assert allows == [
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": {"StringEquals": condition},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{account}/*",
            "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **condition}},
        },
    ]
    denies = {s["Sid"] for s in policy["Statement"] if s["Effect"] == "Deny"}
    assert denies == {"DenyInsecureTransport", "DenyOutdatedTls"}
