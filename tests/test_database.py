"""The Database component built alone with each stack's settings: tier shape, placement, encryption,
protection, replicas and the DR replica."""

from __future__ import annotations

import json

import pulumi_aws as aws
import pytest

from components.database import Database, DatabaseArgs
from tests.conftest import STACKS
from tests.data_graphs import (
    DB_SUBNET_GROUP,
    DR_REGION,
    DR_SUBNET_GROUP,
    NODE_SG,
    VPC_ID,
    data_graph,
    key_arn,
    stack_config,
)
from tools.harness import Graph, Resource, run

INSTANCE = "aws:rds/instance:Instance"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DATA_KEY = key_arn("us-east-1", "data")
DR_KEY = key_arn("us-west-2", "dr-data")

#: What the issue asks of each tier: class, Multi-AZ, retention, replicas, DR region.
EXPECTED = {
    "dev": ("db.t4g.micro", False, 1, 0, None),
    "staging": ("db.t4g.medium", True, 7, 1, None),
    "prod": ("db.r6g.xlarge", True, 30, 1, None),  # its DR copy is the standby's (prod-dr, issue 22)
}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return request.param


def _graph(stack: str) -> Graph:
    return data_graph("database", stack)


def _primary(graph: Graph) -> Resource:
    return graph.one(INSTANCE, "primary")


def _replicas(graph: Graph) -> list[Resource]:
    return [r for r in graph.of_type(INSTANCE) if "-replica-" in r.name]


def test_primary_matches_the_tier(stack: str) -> None:
    cfg = stack_config(stack).database
    instance_class, multi_az, retention, replicas, dr_region = EXPECTED[stack]
    assert (cfg.instance_class, cfg.multi_az, cfg.backup_retention_days) == (
        instance_class,
        multi_az,
        retention,
    )
    assert (cfg.read_replica_count, cfg.dr_region) == (replicas, dr_region)
    primary = _primary(_graph(stack)).inputs
    assert primary["engine"] == "postgres"
    assert primary["engineVersion"] == cfg.engine_version == "17"
    assert primary["instanceClass"] == instance_class
    assert primary["multiAz"] is multi_az
    assert primary["backupRetentionPeriod"] == retention
    assert primary["backupWindow"] == "03:00-04:00"  # seed 000
    assert primary["maintenanceWindow"] == "mon:04:00-mon:05:00"  # seed 000, as AWS stores it
    assert primary["storageType"] == "gp3"
    assert primary["allocatedStorage"] == cfg.allocated_storage_gb
    assert primary["maxAllocatedStorage"] == cfg.max_allocated_storage_gb > primary["allocatedStorage"]
    assert primary["copyTagsToSnapshot"] is True
    assert primary["autoMinorVersionUpgrade"] is True
    assert primary["enabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    assert primary["monitoringInterval"] == 60


def test_protection_per_tier(stack: str) -> None:
    primary = _primary(_graph(stack))
    durable = stack in ("staging", "prod")
    assert primary.inputs["deletionProtection"] is durable
    assert primary.inputs["skipFinalSnapshot"] is not durable
    assert ("finalSnapshotIdentifier" in primary.inputs) is durable
    assert primary.inputs["deleteAutomatedBackups"] is not durable
    assert primary.protect is (stack == "prod")
    assert primary.retain_on_delete is (stack == "prod")


def test_prod_final_snapshot_is_named_after_the_instance() -> None:
    primary = _primary(_graph("prod"))
    assert primary.inputs["finalSnapshotIdentifier"] == f"{primary.inputs['identifier']}-final"


def test_in_the_database_subnets_and_never_public(stack: str) -> None:
    graph = _graph(stack)
    assert _primary(graph).inputs["dbSubnetGroupName"] == DB_SUBNET_GROUP
    for replica in _replicas(graph):  # same-region replicas inherit the source's subnet group
        assert "dbSubnetGroupName" not in replica.inputs
    assert all(i.inputs["publiclyAccessible"] is False for i in graph.of_type(INSTANCE))


def test_security_group_admits_only_the_nodes_on_5432(stack: str) -> None:
    graph = _graph(stack)
    sg = graph.one(SG, "db-sg")
    assert sg.inputs["vpcId"] == VPC_ID
    assert sg.inputs["egress"] == []
    rules = [r for r in graph.of_type(INGRESS) if r.inputs["securityGroupId"] == sg.id]
    assert [
        (
            r.inputs["referencedSecurityGroupId"],
            r.inputs["ipProtocol"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
        )
        for r in rules
    ] == [(NODE_SG, "tcp", 5432, 5432)]
    assert not any("cidrIpv4" in r.inputs for r in rules)
    same_region = [i for i in graph.of_type(INSTANCE) if i.provider is None]
    assert {tuple(i.inputs["vpcSecurityGroupIds"]) for i in same_region} == {(sg.id,)}


def test_admin_cidr_is_admitted_only_on_the_port() -> None:
    args = DatabaseArgs(read_replica_count=0, admin_cidrs=["10.0.16.0/24"])  # type: ignore[list-item]
    graph = run(
        lambda: Database(
            "db",
            args,
            subnet_group_name=DB_SUBNET_GROUP,
            vpc_id=VPC_ID,
            client_security_group_id=NODE_SG,
            kms_key_arn=DATA_KEY,
        )
    )
    admin = graph.one(INGRESS, "admin")
    assert (admin.inputs["cidrIpv4"], admin.inputs["fromPort"], admin.inputs["toPort"]) == (
        "10.0.16.0/24",
        5432,
        5432,
    )


def test_storage_insights_and_secret_are_encrypted(stack: str) -> None:
    graph = _graph(stack)
    for instance in graph.of_type(INSTANCE):
        key = DR_KEY if "dr" in instance.name else DATA_KEY
        assert instance.inputs["storageEncrypted"] is True
        assert instance.inputs["kmsKeyId"] == key
        assert instance.inputs["performanceInsightsEnabled"] is True
        assert instance.inputs["performanceInsightsKmsKeyId"] == key
        assert instance.inputs["iamDatabaseAuthenticationEnabled"] is True
        assert instance.inputs["caCertIdentifier"] == "rds-ca-rsa2048-g1"
    primary = _primary(graph).inputs
    assert primary["manageMasterUserPassword"] is True
    assert primary["masterUserSecretKmsKeyId"] == key_arn("us-east-1", "secrets")


def test_parameter_group_forces_tls_and_logs_connections_and_slow_queries(stack: str) -> None:
    graph = _graph(stack)
    params = graph.one("aws:rds/parameterGroup:ParameterGroup", "db-params")
    assert params.inputs["family"] == "postgres17"
    values = {p["name"]: p["value"] for p in params.inputs["parameters"]}
    assert values == {
        "rds.force_ssl": "1",
        "log_connections": "1",
        "log_disconnections": "1",
        "log_min_duration_statement": "1000",
    }
    same_region = [i for i in graph.of_type(INSTANCE) if i.provider is None]
    assert {i.inputs["parameterGroupName"] for i in same_region} == {params.id}


def test_every_instance_exports_logs_to_its_own_log_group_made_first(stack: str) -> None:
    graph = _graph(stack)
    retention = stack_config(stack).database.log_retention_days
    groups = {g.inputs["name"]: g for g in graph.of_type(LOG_GROUP)}
    for instance in graph.of_type(INSTANCE):
        for export in ("postgresql", "upgrade"):
            group = groups[f"/aws/rds/instance/{instance.inputs['identifier']}/{export}"]
            assert group.inputs["retentionInDays"] == retention
            assert group.urn in instance.dependencies
            assert group.provider == instance.provider  # same region as the instance
    assert len(groups) == 2 * len(graph.of_type(INSTANCE))


def test_enhanced_monitoring_role(stack: str) -> None:
    graph = _graph(stack)
    role = graph.one("aws:iam/role:Role", "monitoring")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    attachment = graph.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "monitoring")
    assert (
        attachment.inputs["policyArn"]
        == "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
    )
    arn = role.outputs["arn"]
    assert {i.inputs["monitoringRoleArn"] for i in graph.of_type(INSTANCE)} == {arn}


def test_read_replicas_follow_the_primary(stack: str) -> None:
    graph = _graph(stack)
    primary = _primary(graph)
    replicas = _replicas(graph)
    assert len(replicas) == EXPECTED[stack][3]
    for replica in replicas:
        assert replica.provider is None
        assert replica.inputs["replicateSourceDb"] == primary.outputs["identifier"]
        assert replica.inputs["instanceClass"] == primary.inputs["instanceClass"]
        assert replica.inputs["monitoringInterval"] == 60
        assert replica.inputs["skipFinalSnapshot"] is True
        assert "username" not in replica.inputs and "manageMasterUserPassword" not in replica.inputs


def test_dr_replica_only_where_configured(stack: str) -> None:
    graph = _graph(stack)
    dr = [i for i in graph.of_type(INSTANCE) if i.name.endswith("-dr-replica")]
    assert len(dr) == 0  # no stack file has a DR region of its own: prod's standby is prod-dr
    assert (
        bool(graph.of_type("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"))
        is False
    )


def test_dr_replica_uses_the_dr_provider_and_a_key_from_that_region() -> None:
    graph = _graph(DR_REGION)  # prod with platform.dr_region and no standby
    primary = _primary(graph)
    dr = graph.one(INSTANCE, "dr-replica")
    provider = graph.provider_of(dr)
    assert provider is not None and provider.inputs["region"] == "us-west-2"
    assert dr.inputs["kmsKeyId"] == DR_KEY and DR_KEY.split(":")[3] == "us-west-2"
    assert dr.inputs["replicateSourceDb"] == primary.outputs["arn"]  # cross-region: the source's ARN
    assert dr.inputs["dbSubnetGroupName"] == DR_SUBNET_GROUP
    assert dr.inputs["publiclyAccessible"] is False
    assert dr.inputs["backupRetentionPeriod"] == 30  # PITR from the moment it is promoted
    assert dr.protect and dr.retain_on_delete
    assert dr.outputs["address"].endswith(".us-west-2.rds.amazonaws.com")
    # Its parameter group, security group and log groups live in the DR region too.
    params = graph.one("aws:rds/parameterGroup:ParameterGroup", "dr-params")
    sg = graph.one(SG, "dr-sg")
    assert params.provider == sg.provider == dr.provider
    assert dr.inputs["parameterGroupName"] == params.id
    assert dr.inputs["vpcSecurityGroupIds"] == [sg.id]
    assert [r for r in graph.of_type(INGRESS) if r.inputs["securityGroupId"] == sg.id] == []
    backups = graph.one("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")
    assert backups.provider == dr.provider
    assert (backups.inputs["sourceDbInstanceArn"], backups.inputs["kmsKeyId"]) == (
        primary.outputs["arn"],
        DR_KEY,
    )


def test_outputs_are_what_consumers_read() -> None:
    graph = _graph("prod")
    primary = _primary(graph)
    replica = graph.one(INSTANCE, "replica-0")
    assert graph.outputs["databaseWriterEndpoint"] == primary.outputs["address"]
    assert graph.outputs["databaseReaderEndpoints"] == [replica.outputs["address"]]
    assert graph.outputs["databasePort"] == 5432
    assert graph.outputs["databaseName"] == "quantumvest"
    assert graph.outputs["databaseMasterSecretArn"] == primary.outputs["masterUserSecrets"][0]["secretArn"]
    assert graph.outputs["databaseInstanceIds"] == [
        primary.outputs["identifier"],
        replica.outputs["identifier"],
    ]


def test_pinned_minor_version_ignores_the_upgrades_rds_applies() -> None:
    def build(version: str) -> Resource:
        args = DatabaseArgs(engine_version=version, read_replica_count=0)
        graph = run(
            lambda: Database(
                "db",
                args,
                subnet_group_name=DB_SUBNET_GROUP,
                vpc_id=VPC_ID,
                client_security_group_id=NODE_SG,
                kms_key_arn=DATA_KEY,
            )
        )
        return graph.one(INSTANCE, "primary")

    assert build("17.7").ignore_changes == ["engineVersion"]
    assert build("17").ignore_changes == []  # a major alone never drifts, and major upgrades stay visible


def test_dr_region_without_dr_wiring_is_refused() -> None:
    args = DatabaseArgs(dr_region="us-west-2")

    def program() -> None:
        Database(
            "db",
            args,
            subnet_group_name=DB_SUBNET_GROUP,
            vpc_id=VPC_ID,
            client_security_group_id=NODE_SG,
            kms_key_arn=DATA_KEY,
            dr_provider=aws.Provider("dr", region="us-west-2"),
        )

    with pytest.raises(Exception, match="dr_kms_key_arn"):
        run(program)
