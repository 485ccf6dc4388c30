"""Each guardrail against a compliant and a non-compliant resource.

Compliant: the hardened reference graph (tests/policy_reference.py, built with the real SDKs) has no
finding at all. Non-compliant: the same graph with one hardening setting removed (tests/policy_helpers.py)
makes exactly the expected rule report the expected message.
"""

from __future__ import annotations

from datetime import date

import pytest

from policy import RULES, Enforcement, Subject, evaluate
from policy.rules import RULES_BY_ID
from policy.rules import tokens as t
from tests.policy_helpers import HARDENINGS, TODAY, Hardening, findings, fired
from tests.policy_reference import reference_graph
from tools.harness import Graph


@pytest.fixture(scope="module")
def reference() -> Graph:
    return reference_graph()


def test_reference_graph_passes_every_rule_in_every_tier(reference: Graph) -> None:
    for environment in ("dev", "staging", "prod"):
        assert [f.line() for f in findings(reference, environment)] == []


def test_every_resource_and_stack_rule_has_subjects_in_the_reference(reference: Graph) -> None:
    types = {r.type for r in reference}
    idle = [r.id for r in RULES if r.scope != "config" and not types & set(r.types)]
    assert idle == []


def test_every_resource_and_stack_rule_has_a_weakening_that_fires_it() -> None:
    covered = {h.rule for h in HARDENINGS}
    assert sorted(r.id for r in RULES if r.scope != "config" and r.id not in covered) == []


@pytest.mark.parametrize("hardening", HARDENINGS, ids=lambda h: h.label)
def test_removing_a_hardening_setting_fires_its_rule(reference: Graph, hardening: Hardening) -> None:
    targets = hardening.targets(reference)
    assert targets, f"the reference has no {hardening.type} to weaken"
    weakened = hardening.apply(reference, targets[0])
    new = fired(reference, weakened)
    messages = [f.message for f in new if f.rule_id == hardening.rule]
    assert messages, f"{hardening.label} fired {sorted({f.rule_id for f in new})}, not {hardening.rule}"
    assert any(hardening.message in m for m in messages), messages


def test_findings_carry_the_rule_metadata(reference: Graph) -> None:
    hardening = next(h for h in HARDENINGS if h.rule == "rds-storage-encrypted")
    (finding,) = [
        f
        for f in fired(reference, hardening.apply(reference, hardening.targets(reference)[0]))
        if f.rule_id == hardening.rule
    ]
    rule = RULES_BY_ID["rds-storage-encrypted"]
    assert finding.external_ids == ("FSBP RDS.3", "CKV_AWS_16", "NAG RDS2", "AG rds-storage-encrypted")
    assert finding.remediation == rule.remediation and finding.resource_name == "ref-db"
    assert finding.enforcement is Enforcement.MANDATORY and finding.blocking


# --- tier-dependent enforcement ---------------------------------------------------------------------


def _single_az_database(**inputs: object) -> Subject:
    base = {
        "engine": "postgres",
        "storageEncrypted": True,
        "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/k",
        "iamDatabaseAuthenticationEnabled": True,
        "enabledCloudwatchLogsExports": ["postgresql"],
        "manageMasterUserPassword": True,
        "backupRetentionPeriod": 7,
        "multiAz": False,
    }
    return Subject(t.RDS_INSTANCE, "db", inputs={**base, **inputs})


@pytest.mark.parametrize(
    ("environment", "expected"),
    [("dev", Enforcement.ADVISORY), ("staging", Enforcement.ADVISORY), ("prod", Enforcement.MANDATORY)],
)
def test_high_availability_rules_are_advisory_below_prod(environment: str, expected: Enforcement) -> None:
    found = [
        f for f in evaluate([_single_az_database()], environment, today=TODAY) if f.rule_id == "rds-multi-az"
    ]
    assert [f.enforcement for f in found] == [expected]
    assert found[0].message == "multiAz is not enabled: an AZ outage takes the database down"
    assert found[0].blocking is (environment == "prod")


def test_prod_only_rules_do_not_run_in_dev() -> None:
    dev = {f.rule_id for f in evaluate([_single_az_database()], "dev", today=TODAY)}
    prod = {f.rule_id for f in evaluate([_single_az_database()], "prod", today=TODAY)}
    assert {"rds-deletion-protection", "state-protected"} <= prod
    assert not {"rds-deletion-protection", "state-protected"} & dev


def test_backup_retention_threshold_depends_on_the_tier() -> None:
    three_days = [_single_az_database(backupRetentionPeriod=3)]
    assert "rds-backup-retention" not in {f.rule_id for f in evaluate(three_days, "dev", today=TODAY)}
    (prod,) = [f for f in evaluate(three_days, "prod", today=TODAY) if f.rule_id == "rds-backup-retention"]
    assert prod.message == "backup retention is 3 day(s); prod needs at least 7"
    zero = [_single_az_database(backupRetentionPeriod=0)]
    (dev,) = [f for f in evaluate(zero, "dev", today=TODAY) if f.rule_id == "rds-backup-retention"]
    assert dev.message == "backup retention is 0 day(s); dev needs at least 1"


# --- edge cases the reference does not show ---------------------------------------------------------


def test_read_replica_inherits_encryption_backups_and_credentials() -> None:
    replica = Subject(
        t.RDS_INSTANCE,
        "replica",
        inputs={
            "replicateSourceDb": "arn:aws:rds:us-east-1:123456789012:db:primary",
            "kmsKeyId": "arn:aws:kms:us-west-2:123456789012:key/dr",
            "iamDatabaseAuthenticationEnabled": True,
            "enabledCloudwatchLogsExports": ["postgresql"],
        },
    )
    ids = {f.rule_id for f in evaluate([replica], "prod", today=TODAY)}
    assert not ids & {
        "rds-storage-encrypted",
        "rds-backup-retention",
        "rds-managed-master-password",
        "rds-multi-az",
    }
    replica.inputs.pop("kmsKeyId")
    (finding,) = [f for f in evaluate([replica], "prod", today=TODAY) if f.rule_id == "rds-storage-encrypted"]
    assert "read replica names no KMS key" in finding.message


def test_kubernetes_version_support_follows_the_injected_date() -> None:
    cluster = Subject(t.EKS_CLUSTER, "eks", inputs={"version": "1.34"})

    def version_findings(today: date) -> list[str]:
        return [
            f.message
            for f in evaluate([cluster], "prod", today=today)
            if f.rule_id == "eks-supported-version"
        ]

    assert version_findings(date(2026, 12, 2)) == []
    assert version_findings(date(2026, 12, 3)) == [
        "Kubernetes 1.34 left EKS standard support on 2026-12-02; extended support costs 6x per hour"
    ]
    cluster.inputs["version"] = "1.40"  # newer than the table: released after it, so supported
    assert version_findings(date(2027, 1, 1)) == []


def test_world_ingress_on_443_is_fine_on_a_load_balancer_group_only() -> None:
    group = Subject(
        t.SECURITY_GROUP,
        "web",
        id="sg-web",
        inputs={
            "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"]}]
        },
    )
    lb = Subject(t.LOAD_BALANCERS[0], "alb", inputs={"securityGroups": ["sg-web"], "internal": True})
    assert not [
        f for f in evaluate([group, lb], "prod", today=TODAY) if f.rule_id == "sg-world-ingress-lb-only"
    ]
    endpoint = Subject(t.VPC_ENDPOINT, "ssm", inputs={"securityGroupIds": ["sg-web"]})
    (finding,) = [
        f
        for f in evaluate([group, lb, endpoint], "prod", today=TODAY)
        if f.rule_id == "sg-world-ingress-lb-only"
    ]
    assert finding.message == (
        "ingress[0] admits 0.0.0.0/0 on 443 on a group attached to ssm (VpcEndpoint), not only to a load balancer"
    )


def test_all_protocols_open_to_the_world_opens_every_database_port() -> None:
    rule = Subject(
        t.SECURITY_GROUP_RULE,
        "all",
        inputs={
            "type": "ingress",
            "protocol": "-1",
            "fromPort": 0,
            "toPort": 0,
            "cidrBlocks": ["0.0.0.0/0"],
            "securityGroupId": "sg-x",
        },
    )
    (finding,) = [f for f in evaluate([rule], "dev", today=TODAY) if f.rule_id == "db-port-not-public"]
    assert finding.message.startswith("rule opens 5432 (PostgreSQL), 3306 (MySQL), 6379 (Redis)")


def test_regional_nat_gateway_covers_every_zone() -> None:
    vpc = Subject(t.VPC, "vpc", id="vpc-1", inputs={"cidrBlock": "10.0.0.0/16"})
    subnets = [
        Subject(
            t.SUBNET,
            f"s{i}",
            id=f"subnet-{i}",
            inputs={"vpcId": "vpc-1", "availabilityZone": f"us-east-1{z}"},
        )
        for i, z in enumerate("abc")
    ]
    zonal = Subject(t.NAT_GATEWAY, "nat", inputs={"subnetId": "subnet-0"})
    (finding,) = [
        f for f in evaluate([vpc, *subnets, zonal], "prod", today=TODAY) if f.rule_id == "nat-gateway-per-az"
    ]
    assert finding.message == (
        "1 NAT gateway(s) for 3 AZs: private subnets in us-east-1b, us-east-1c lose egress when the NAT gateway's AZ fails"
    )
    regional = Subject(t.NAT_GATEWAY, "nat", inputs={"vpcId": "vpc-1", "availabilityMode": "regional"})
    assert not [
        f
        for f in evaluate([vpc, *subnets, regional], "prod", today=TODAY)
        if f.rule_id == "nat-gateway-per-az"
    ]


def test_a_nat_instance_is_one_machine_for_every_zone() -> None:
    """An instance with source/dest check off in the VPC is its NAT (issue 21); any other is not."""
    vpc = Subject(t.VPC, "vpc", id="vpc-1", inputs={"cidrBlock": "10.0.0.0/16"})
    subnets = [
        Subject(
            t.SUBNET,
            f"s{i}",
            id=f"subnet-{i}",
            inputs={"vpcId": "vpc-1", "availabilityZone": f"us-east-1{z}"},
        )
        for i, z in enumerate("ab")
    ]

    def nat_findings(source_dest_check: bool) -> list[str]:
        nat = Subject(
            t.EC2_INSTANCE, "nat", inputs={"subnetId": "subnet-0", "sourceDestCheck": source_dest_check}
        )
        found = evaluate([vpc, *subnets, nat], "prod", today=TODAY)
        return [f.message for f in found if f.rule_id == "nat-gateway-per-az"]

    assert nat_findings(False) == [
        "egress through 1 NAT instance(s) for 2 AZs: every private subnet loses egress while the instance "
        "is replaced, recovered or its AZ fails"
    ]
    assert nat_findings(True) == []  # an ordinary instance routes nothing for others


def test_iam_escalation_through_wildcard_actions() -> None:
    policy = Subject(
        t.IAM_POLICY_DOCUMENTS[0],
        "ci",
        inputs={
            "policy": '{"Statement": [{"Sid": "Deploy", "Effect": "Allow", "Action": ["iam:Put*", "s3:GetObject"], "Resource": "*"}]}'
        },
    )
    (finding,) = [f for f in evaluate([policy], "dev", today=TODAY) if f.rule_id == "iam-least-privilege"]
    assert finding.message == (
        "Deploy: iam:PutGroupPolicy, iam:PutRolePolicy, iam:PutUserPolicy on every resource allows privilege escalation"
    )


def test_an_internal_alb_ingress_needs_no_waf_but_still_tls() -> None:
    ingress = Subject(
        t.K8S_INGRESS,
        "internal",
        inputs={"metadata": {"namespace": "apps", "annotations": {}}, "spec": {"ingressClassName": "alb"}},
    )
    found = evaluate([ingress], "prod", today=TODAY)
    assert "alb-behind-waf" not in {f.rule_id for f in found}
    assert [f.message for f in found if f.rule_id == "alb-https-tls12"] == [
        "the ALB has no HTTPS listener (alb.ingress.kubernetes.io/listen-ports)",
        "HTTP is not redirected to HTTPS (alb.ingress.kubernetes.io/ssl-redirect is not set)",
    ]


def test_a_custom_ingress_class_of_the_alb_controller_counts_as_alb() -> None:
    ingress_class = Subject(
        t.K8S_INGRESS_CLASS,
        "public",
        inputs={"metadata": {"name": "alb-public"}, "spec": {"controller": "ingress.k8s.aws/alb"}},
    )
    ingress = Subject(
        t.K8S_INGRESS,
        "api",
        inputs={
            "metadata": {
                "namespace": "apps",
                "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"},
            },
            "spec": {"ingressClassName": "alb-public"},
        },
    )
    ids = {f.rule_id for f in evaluate([ingress_class, ingress], "prod", today=TODAY)}
    assert "alb-behind-waf" in ids
    in_cluster = Subject(
        t.K8S_INGRESS,
        "web",
        inputs={"metadata": {"namespace": "apps"}, "spec": {"ingressClassName": "in-cluster"}},
    )
    assert not {f.rule_id for f in evaluate([in_cluster], "prod", today=TODAY)}


def test_bucket_linked_only_by_dependency_urn_as_in_a_preview() -> None:
    bucket = Subject(t.BUCKETS[0], "b")
    block = Subject(
        t.BUCKET_PUBLIC_ACCESS_BLOCK,
        "b-pab",
        inputs={
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
        property_dependencies={"bucket": [bucket.urn]},
    )
    ids = {f.rule_id for f in evaluate([bucket, block], "dev", today=TODAY)}
    assert "s3-public-access-block" not in ids and "s3-tls-only" in ids


def _aurora(**inputs: object) -> Subject:
    """A well-formed Aurora primary; each test breaks one thing."""
    base = {
        "engine": "aurora-postgresql",
        "storageEncrypted": True,
        "kmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/data",
        "deletionProtection": True,
        "backupRetentionPeriod": 30,
        "iamDatabaseAuthenticationEnabled": True,
        "enabledCloudwatchLogsExports": ["postgresql"],
        "masterUsername": "quantumvest_admin",
        "manageMasterUserPassword": True,
    }
    return Subject(t.RDS_CLUSTER, "quantumvest-database-cluster", inputs={**base, **inputs})


def test_rds_rules_read_the_aurora_cluster() -> None:
    def ids(cluster: Subject) -> set[str]:
        return {f.rule_id for f in evaluate([cluster], "prod", today=TODAY)}

    clean = ids(_aurora())
    assert not clean & {"rds-storage-encrypted", "rds-deletion-protection", "rds-managed-master-password"}
    assert "rds-storage-encrypted" in ids(_aurora(storageEncrypted=False))
    assert "rds-deletion-protection" in ids(_aurora(deletionProtection=False))
    assert "rds-backup-retention" in ids(_aurora(backupRetentionPeriod=3))
    # a global database's primary makes its own credentials: a program-set password is still caught
    primary = _aurora(globalClusterIdentifier="qv-global", manageMasterUserPassword=None, masterPassword="x")
    assert "rds-managed-master-password" in ids(primary)
    # its secondary (no master user: credentials replicate from the primary) is not asked for one
    secondary = _aurora(
        globalClusterIdentifier="qv-global", manageMasterUserPassword=None, masterUsername=None
    )
    assert "rds-managed-master-password" not in ids(secondary)
