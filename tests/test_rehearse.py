"""Rehearsals against emulated AWS (moto): the stacks are accepted, AWS-side checks catch what the
mock engine cannot, and facts queried back from the account hold."""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from tests import doc_samples as ds
from tests.conftest import STACKS
from tools.harness import Graph, Resource, run
from tools.rehearse import cli as rehearse_cli
from tools.rehearse.coverage import coverage
from tools.rehearse.engine import (
    AwsError,
    Rehearsal,
    RehearsalError,
    emulated_account,
    rehearse,
    rehearse_stack,
)
from tools.rehearse.inventory import inventory, snapshot

_DONE: dict[str, tuple[Rehearsal, dict[str, Any], list[str]]] = {}
_PRINTED: dict[str, list[str]] = {}  # what `python -m tools rehearse STACK` prints, for the doc samples


def rehearsed(stack: str) -> tuple[Rehearsal, dict[str, Any], list[str]]:
    """Rehearse a stack once per session; keep what the account said while it existed, and what the
    command prints (the same functions, in the same order, as ``tools/rehearse/cli.py``'s ``main``)."""
    if stack not in _DONE:
        printed = [rehearse_cli.header(stack)]

        def progress(record: Resource) -> None:
            line = rehearse_cli.progress_line(record)
            if line is not None:
                printed.append(line)

        started = time.perf_counter()
        with emulated_account():
            result = rehearse_stack(stack, progress=progress)
            _DONE[stack] = (result, snapshot(result.regions), inventory(result.regions))
            _PRINTED[stack] = printed + rehearse_cli.report_lines(result, time.perf_counter() - started)
    return _DONE[stack]


@pytest.mark.parametrize("stack", STACKS)
def test_stack_rehearses_cleanly(stack: str) -> None:
    result, _, lines = rehearsed(stack)
    assert result.report.errors == []
    assert sum(result.report.created.values()) >= 30
    assert any(line.strip().startswith("VPC vpc-") for line in lines)


REHEARSAL_SAMPLES = [
    (sample, command)
    for sample, command in ds.iter_commands(ds.samples())
    if ds.module_argv(command.command)[0] == "tools"
    and ds.module_argv(command.command)[1][:1] == ["rehearse"]
]


def test_the_rehearsal_samples_in_the_docs_are_what_the_command_prints() -> None:
    """docs/rehearsal.md's sample (and any other) against this session's rehearsal of the stack; with
    UPDATE_SAMPLES=1 the samples are rewritten (see tests/doc_samples.py)."""
    assert REHEARSAL_SAMPLES, "docs/rehearsal.md shows a rehearsal"
    outputs: dict[str, ds.Output] = {}
    for sample, command in REHEARSAL_SAMPLES:
        (stack,) = ds.module_argv(command.command)[1][1:]
        rehearsed(stack)
        outputs[command.command] = ds.Output(tuple(_PRINTED[stack]), 0)
        if os.environ.get("UPDATE_SAMPLES") != "1":
            assert ds.matches(command.expected, _PRINTED[stack]), (
                f"{sample.where}: the sample of `{command.command}` no longer matches (UPDATE_SAMPLES=1 "
                "rewrites it):\n" + ds.diff(command.expected, _PRINTED[stack])
            )
    if os.environ.get("UPDATE_SAMPLES") == "1":
        for path in {sample.path for sample, _ in REHEARSAL_SAMPLES}:
            ds.rewrite(
                path,
                lambda s: (
                    ds.refreshed(s, outputs) if all(c.command in outputs for c in s.commands) else s.body
                ),
            )


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_type_is_created_or_validated(graphs: dict[str, Graph], stack: str) -> None:
    split = coverage(graphs[stack])
    assert split.uncovered == [], f"add a handler in tools/rehearse/handlers for {split.uncovered}"
    assert split.created  # most of the stack is really created, not only validated


def test_database_route_tables_have_no_internet_route_when_queried_back() -> None:
    _, facts, _ = rehearsed("prod")
    region = facts["us-east-1"]
    database_subnets = {
        s["SubnetId"] for s in region["subnets"] if {"Key": "Tier", "Value": "database"} in s.get("Tags", [])
    }
    assert len(database_subnets) == 3
    tables = [
        t
        for t in region["route_tables"]
        if {a.get("SubnetId") for a in t.get("Associations", [])} & database_subnets
    ]
    assert tables
    for table in tables:
        for route in table["Routes"]:
            target = route.get("GatewayId", "") + route.get("NatGatewayId", "")
            assert not target.startswith(("igw-", "nat-")), route


def test_prod_db_subnet_group_spans_three_azs_in_aws() -> None:
    _, facts, _ = rehearsed("prod")
    (group,) = facts["us-east-1"]["db_subnet_groups"]
    assert len({s["SubnetAvailabilityZone"]["Name"] for s in group["Subnets"]}) == 3


def test_default_security_group_has_no_rules_in_aws() -> None:
    _, facts, _ = rehearsed("dev")
    vpc_ids = {v["VpcId"] for v in facts["us-east-1"]["vpcs"]}
    defaults = [
        g
        for g in facts["us-east-1"]["security_groups"]
        if g["VpcId"] in vpc_ids and g["GroupName"] == "default"
    ]
    assert defaults and all(g["IpPermissions"] == [] and g["IpPermissionsEgress"] == [] for g in defaults)


def _negative_cases() -> None:
    """Five mistakes only AWS catches, each in its own VPC so they fail independently in one account."""
    outside_vpc = aws.ec2.Vpc("outside-vpc", cidr_block="10.0.0.0/16")
    aws.ec2.Subnet("outside", vpc_id=outside_vpc.id, cidr_block="10.1.0.0/24")

    overlap_vpc = aws.ec2.Vpc("overlap-vpc", cidr_block="10.2.0.0/16")
    first = aws.ec2.Subnet("first", vpc_id=overlap_vpc.id, cidr_block="10.2.0.0/24")
    aws.ec2.Subnet(
        "second",
        vpc_id=overlap_vpc.id,
        cidr_block="10.2.0.128/25",
        opts=pulumi.ResourceOptions(depends_on=[first]),
    )

    group_vpc = aws.ec2.Vpc("group-vpc", cidr_block="10.3.0.0/16")
    group = aws.ec2.SecurityGroup("sg", vpc_id=group_vpc.id, description="test")
    aws.vpc.SecurityGroupIngressRule(
        "from-missing",
        security_group_id=group.id,
        ip_protocol="tcp",
        from_port=5432,
        to_port=5432,
        referenced_security_group_id="sg-0123456789abcdef0",
    )

    one_az_vpc = aws.ec2.Vpc("one-az-vpc", cidr_block="10.4.0.0/16")
    subnets = [
        aws.ec2.Subnet(
            f"s{i}", vpc_id=one_az_vpc.id, cidr_block=f"10.4.{i}.0/24", availability_zone="us-east-1a"
        )
        for i in range(2)
    ]
    aws.rds.SubnetGroup("one-az", subnet_ids=[s.id for s in subnets])

    aws.cloudwatch.LogGroup("typo", retention_in_days="thirty")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def refused() -> dict[str, AwsError]:
    """The AWS errors of the negative cases, by resource (one emulated account for all five)."""
    with emulated_account(), pytest.raises(RehearsalError) as caught:
        rehearse(lambda factory: run(_negative_cases, mocks_factory=factory))
    return {error.resource: error for error in caught.value.errors}


def test_only_the_five_mistakes_are_refused(refused: dict[str, AwsError]) -> None:
    assert set(refused) == {"outside", "second", "from-missing", "one-az", "typo"}


def test_subnet_outside_the_vpc_is_refused_by_aws(refused: dict[str, AwsError]) -> None:
    assert refused["outside"].code == "InvalidSubnet.Range"
    assert "CidrBlock='10.1.0.0/24'" in refused["outside"].line()


def test_the_refusal_docs_rehearsal_md_shows_is_what_the_command_prints(refused: dict[str, AwsError]) -> None:
    """The one-line error the page quotes, with the VPC id moto generates elided."""
    line = re.sub(r"vpc-[0-9a-f]{8,17}", "vpc-…", f"error: {refused['outside'].line()}")
    assert f"`{line}`" in (ds.REPO / "docs" / "rehearsal.md").read_text(), line


def test_overlapping_subnets_are_refused_by_aws(refused: dict[str, AwsError]) -> None:
    assert refused["second"].code == "InvalidSubnet.Conflict"


def test_rule_referencing_a_missing_group_is_refused_by_aws(refused: dict[str, AwsError]) -> None:
    assert refused["from-missing"].code == "InvalidGroup.NotFound"


def test_db_subnet_group_in_one_az_is_refused_by_aws(refused: dict[str, AwsError]) -> None:
    assert refused["one-az"].code == "DBSubnetGroupDoesNotCoverEnoughAZs"


def test_parameter_of_the_wrong_type_is_refused(refused: dict[str, AwsError]) -> None:
    assert refused["typo"].code == "ParamValidation"
    assert "retentionInDays" in refused["typo"].line()


def test_databases_are_encrypted_and_private_when_queried_back() -> None:
    _, facts, _ = rehearsed("prod")
    east = facts["us-east-1"]
    (cluster,) = east["db_clusters"]
    assert cluster["Engine"] == "aurora-postgresql" and cluster["StorageEncrypted"]
    assert cluster["DeletionProtection"] and cluster["BackupRetentionPeriod"] == 30
    # the global database moto created, with prod's cluster as its only (writer) member
    (glob,) = east["global_clusters"]
    assert [m["DBClusterArn"] for m in glob["GlobalClusterMembers"]] == [cluster["DBClusterArn"]]
    instances = east["db_instances"]
    assert len(instances) == 2  # the writer and a reader, both in the cluster
    assert {db["DBClusterIdentifier"] for db in instances} == {cluster["DBClusterIdentifier"]}
    assert all(not db["PubliclyAccessible"] for db in instances)
    assert "us-west-2" not in facts  # prod's DR region is its standby's (prod-dr, issue 22)


def test_buckets_block_public_access_and_encrypt_when_queried_back() -> None:
    _, facts, _ = rehearsed("prod")
    buckets = facts["buckets"]
    assert len(buckets) >= 5
    assert all(b["public_access_blocked"] and b["versioning"] == "Enabled" for b in buckets.values())
    # KMS everywhere but the access-log targets, which S3 requires to be SSE-S3.
    assert {name for name, b in buckets.items() if b["encryption"] != "aws:kms"} == {
        name for name in buckets if "-logs-" in name
    }


def test_every_key_rotates_when_queried_back() -> None:
    _, facts, _ = rehearsed("prod")
    rotation = facts["us-east-1"]["key_rotation"]
    assert len(rotation) >= 4 and all(rotation.values())


def test_the_zone_its_records_and_the_certificates_exist_in_the_emulated_account() -> None:
    """The hosted zone is created for real, and every record the program writes lands in it: one
    validation CNAME per certificate, the CDN host's A/AAAA aliases (NS and SOA come with the zone)."""
    _, _, lines = rehearsed("dev")
    (zone,) = [line.strip() for line in lines if line.strip().startswith("Route 53 zone")]
    assert zone.startswith("Route 53 zone dev.quantumvest.com. (")
    assert zone.endswith("): CNAME: 3, NS: 1, SOA: 1, alias A: 1, alias AAAA: 1")
    certificates = {line.strip() for line in lines if line.strip().startswith("ACM certificate")}
    assert {c.split(":")[0] for c in certificates} == {
        f"ACM certificate {host}.dev.quantumvest.com" for host in ("api", "www", "assets")
    }


# --------------------------------------------------------------------------- access to the private API


def test_runner_runs_in_private_subnets_with_a_group_admitting_nothing_in_aws() -> None:
    _, facts, _ = rehearsed("dev")
    (project,) = facts["codebuild_projects"]
    assert project["name"] == "quantumvest-dev-runner"
    private = {
        s["SubnetId"]
        for s in facts["us-east-1"]["subnets"]
        if any(t["Key"] == "Tier" and t["Value"] == "private" for t in s.get("Tags", []))
    }
    assert private and set(project["vpcConfig"]["subnets"]) == private
    (group_id,) = project["vpcConfig"]["securityGroupIds"]
    (group,) = [g for g in facts["us-east-1"]["security_groups"] if g["GroupId"] == group_id]
    assert group["IpPermissions"] == []
    assert project["logsConfig"]["cloudWatchLogs"]["status"] == "ENABLED"


def test_api_security_group_admits_exactly_the_runner_and_the_vpn_in_aws() -> None:
    result, facts, _ = rehearsed("staging")
    groups = facts["us-east-1"]["security_groups"]
    (api,) = [g for g in groups if g["GroupName"].startswith("eks-cluster-sg-")]
    admitted = {
        (p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), pair["GroupId"])
        for p in api["IpPermissions"]
        for pair in p.get("UserIdGroupPairs", [])
    }
    names = {g["GroupId"]: g["GroupName"] for g in groups}
    assert {(proto, low, high) for proto, low, high, _ in admitted} == {("tcp", 443, 443)}
    assert sorted(names[g].split("-sg-")[0] for *_, g in admitted) == [
        "quantumvest-admin-vpn",
        "quantumvest-ci-runner",
    ]
    assert not any(p.get("IpRanges") for p in api["IpPermissions"])
    assert result.report.validated.get("aws:ec2clientvpn/endpoint:Endpoint") == 1


def test_admin_roles_need_mfa_in_aws() -> None:
    _, facts, _ = rehearsed("prod")
    roles = [r for r in facts["iam_roles"] if r["RoleName"].startswith("quantumvest-admin-roles-")]
    assert len(roles) == 2
    for role in roles:
        (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}
        assert role["MaxSessionDuration"] <= 4 * 3600
