"""The engine's rules in the offline diff, each on a two-resource plan made by hand."""

from __future__ import annotations

import copy
from typing import Any

from tools.changes import compare

STACK = "urn:pulumi:test::quantumvest-infra::"


def _entry(type_token: str, name: str, inputs: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {
        "urn": f"{STACK}{type_token}::{name}",
        "type": type_token,
        "name": name,
        "custom": True,
        "component": "c",
        "provider": None,
        "inputs": inputs,
        "options": options,
        "property_dependencies": {},
    }


def _plans(*entries: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    base = {"stack": "test", "resources": list(entries)}
    return base, copy.deepcopy(base)


def _one(base: dict[str, Any], head: dict[str, Any]):  # type: ignore[no-untyped-def]
    (only,) = compare(base, head)
    return only


def test_a_protected_resource_that_would_be_deleted_fails_and_a_retained_one_stays() -> None:
    base, head = _plans(
        _entry("aws:kms/key:Key", "key", {"description": "k"}, protect=True, retain_on_delete=True)
    )
    head["resources"] = []
    gone = _one(base, head)
    assert gone.kind == "remove" and any("is protected" in e for e in gone.errors)
    assert any("retain_on_delete" in n for n in gone.notes)


def test_delete_before_replace_is_honoured() -> None:
    base, head = _plans(
        _entry("aws:ec2/subnet:Subnet", "s", {"cidrBlock": "10.0.0.0/24"}, delete_before_replace=True)
    )
    head["resources"][0]["inputs"]["cidrBlock"] = "10.0.1.0/24"
    d = _one(base, head)
    assert d.kind == "replace" and any("deleted **before**" in n for n in d.notes)


def test_replace_on_changes_forces_a_replacement_the_provider_would_not() -> None:
    base, head = _plans(
        _entry("aws:sns/topic:Topic", "t", {"displayName": "a"}, replace_on_changes=["displayName"])
    )
    head["resources"][0]["inputs"]["displayName"] = "b"
    d = _one(base, head)
    assert d.kind == "replace" and d.replacements[0].source == "replaceOnChanges resource option"


def test_a_type_without_data_is_unknown_not_an_update() -> None:
    base, head = _plans(_entry("aws:lambda/function:Function", "f", {"memorySize": 128}))
    head["resources"][0]["inputs"]["memorySize"] = 256
    d = _one(base, head)
    assert d.kind == "change" and d.unknown


def test_a_valkey_major_upgrade_is_named() -> None:
    group = "aws:elasticache/replicationGroup:ReplicationGroup"
    base, head = _plans(_entry(group, "g", {"engine": "valkey", "engineVersion": "7.2"}))
    head["resources"][0]["inputs"]["engineVersion"] = "8.2"
    d = _one(base, head)
    assert d.kind == "change" and not d.unknown
    assert any("major version upgrade valkey 7 → 8" in n for n in d.notes)


def test_a_replacement_cascades_only_through_replace_forcing_inputs() -> None:
    bucket = _entry("aws:s3/bucket:Bucket", "b", {"bucketPrefix": "a-"})
    policy = _entry("aws:s3/bucketPolicy:BucketPolicy", "p", {"bucket": "a-1", "policy": "{}"})
    alarm = _entry("aws:cloudwatch/metricAlarm:MetricAlarm", "m", {"dimensions": {"BucketName": "a-1"}})
    policy["property_dependencies"] = {"bucket": [bucket["urn"]]}
    alarm["property_dependencies"] = {"dimensions": [bucket["urn"]]}
    base, head = _plans(bucket, policy, alarm)
    head["resources"][0]["inputs"]["bucketPrefix"] = "b-"
    kinds = {d.entry["name"]: d.kind for d in compare(base, head)}
    assert kinds == {"b": "replace", "p": "replace", "m": "change"}
