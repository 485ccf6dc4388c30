"""The Database component built alone with each stack's settings: an Aurora PostgreSQL cluster, its
instances, the global database prod leads, and the standby role a DR stack uses."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from components.database import Database, DatabaseArgs
from tests.conftest import STACKS
from tests.data_graphs import DB_SUBNET_GROUP, NODE_SG, VPC_ID, data_graph, key_arn, stack_config
from tools.harness import Graph, Resource, run

CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
DATA_KEY = key_arn("us-east-1", "data")
DR_KEY = key_arn("us-west-2", "data")
GLOBAL_ID = "quantumvest-database-1a2b3c4d-global"

#: What each tier gets: instance class, readers, backup days, global database.
EXPECTED = {
    "dev": ("db.serverless", 0, 1, False),
    "staging": ("db.t4g.medium", 1, 7, False),
    "prod": ("db.r6g.xlarge", 1, 30, True),
}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return request.param


def _graph(stack: str) -> Graph:
    return data_graph("database", stack)


def _cluster(graph: Graph) -> Resource:
    return graph.one(CLUSTER, "cluster")


def build(args: DatabaseArgs, region: str = "us-east-1", **wiring: object) -> Graph:
    return run(
        lambda: Database(
            "db",
            args,
            subnet_group_name=DB_SUBNET_GROUP,
            vpc_id=VPC_ID,
            client_security_group_id=NODE_SG,
            kms_key_arn=key_arn(region, "data"),
            **wiring,  # type: ignore[arg-type]
        ),
        region=region,
    )


def test_cluster_matches_the_tier(stack: str) -> None:
    cfg = stack_config(stack).database
    instance_class, readers, retention, global_database = EXPECTED[stack]
    assert (cfg.instance_class, cfg.read_replica_count, cfg.backup_retention_days, cfg.global_database) == (
        instance_class,
        readers,
        retention,
        global_database,
    )
    graph = _graph(stack)
    cluster = _cluster(graph).inputs
    assert (cluster["engine"], cluster["engineMode"], cluster["engineVersion"]) == (
        "aurora-postgresql",
        "provisioned",
        "17",
    )
    assert cluster["backupRetentionPeriod"] == retention
    assert cluster["preferredBackupWindow"] == "03:00-04:00"  # seed 000
    assert cluster["preferredMaintenanceWindow"] == "mon:04:00-mon:05:00"  # seed 000, as AWS stores it
    assert cluster["copyTagsToSnapshot"] is True
    assert cluster["enabledCloudwatchLogsExports"] == ["postgresql"]
    instances = graph.of_type(INSTANCE)
    assert sorted(i.name.removeprefix("db-") for i in instances) == sorted(
        ["writer", *[f"reader-{i}" for i in range(readers)]]
    )
    assert {i.inputs["instanceClass"] for i in instances} == {instance_class}
    assert all(i.inputs["engine"] == "aurora-postgresql" for i in instances)
    assert all(i.inputs["autoMinorVersionUpgrade"] is True for i in instances)


def test_dev_is_serverless_and_pauses_when_idle() -> None:
    scaling = _cluster(_graph("dev")).inputs["serverlessv2ScalingConfiguration"]
    assert scaling == {"minCapacity": 0, "maxCapacity": 4, "secondsUntilAutoPause": 600}
    assert "serverlessv2ScalingConfiguration" not in _cluster(_graph("prod")).inputs


def test_protection_per_tier(stack: str) -> None:
    graph = _graph(stack)
    cluster = _cluster(graph)
    durable = stack in ("staging", "prod")
    assert cluster.inputs["deletionProtection"] is durable
    assert cluster.inputs["skipFinalSnapshot"] is not durable
    assert ("finalSnapshotIdentifier" in cluster.inputs) is durable
    assert cluster.inputs["deleteAutomatedBackups"] is not durable
    assert cluster.protect is (stack == "prod")
    assert cluster.retain_on_delete is (stack == "prod")
    assert {i.protect for i in graph.of_type(INSTANCE)} == {stack == "prod"}


def test_encrypted_private_iam_auth_and_a_managed_secret(stack: str) -> None:
    graph = _graph(stack)
    cluster = _cluster(graph)
    assert cluster.inputs["storageEncrypted"] is True
    assert cluster.inputs["kmsKeyId"] == DATA_KEY
    assert cluster.inputs["iamDatabaseAuthenticationEnabled"] is True
    assert cluster.inputs["manageMasterUserPassword"] is True
    assert cluster.inputs["masterUserSecretKmsKeyId"] == key_arn("us-east-1", "secrets")
    assert "masterPassword" not in cluster.inputs
    assert cluster.inputs["dbSubnetGroupName"] == DB_SUBNET_GROUP
    insights = stack_config(stack).database.performance_insights
    for instance in graph.of_type(INSTANCE):
        assert instance.inputs["publiclyAccessible"] is False
        assert instance.inputs["caCertIdentifier"] == "rds-ca-rsa2048-g1"
        assert instance.inputs["performanceInsightsEnabled"] is insights
        if insights:  # the cluster's own key, read from the cluster
            assert instance.inputs["performanceInsightsKmsKeyId"] == DATA_KEY


def test_readers_depend_only_on_the_cluster(stack: str) -> None:
    """Every instance waits for the cluster and nothing else it does not need: not for another
    instance (no writer -> reader chain), not for the log groups or the parameter group."""
    graph = _graph(stack)
    cluster = _cluster(graph)
    role = next(iter(graph.of_type("aws:iam/role:Role")), None)
    allowed = {cluster.urn} | ({role.urn} if role is not None else set())
    for instance in graph.of_type(INSTANCE):
        assert cluster.urn in instance.dependencies
        assert set(instance.dependencies) <= allowed, (instance.name, instance.dependencies)
        assert instance.inputs["clusterIdentifier"] == cluster.id


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
    assert _cluster(graph).inputs["vpcSecurityGroupIds"] == [sg.id]


def test_admin_cidr_is_admitted_only_on_the_port() -> None:
    graph = build(DatabaseArgs(read_replica_count=0, admin_cidrs=["10.0.16.0/24"]))  # type: ignore[list-item]
    admin = graph.one(INGRESS, "admin")
    assert (admin.inputs["cidrIpv4"], admin.inputs["fromPort"], admin.inputs["toPort"]) == (
        "10.0.16.0/24",
        5432,
        5432,
    )


def test_cluster_parameter_group_forces_tls_and_logs_connections_and_slow_queries(stack: str) -> None:
    graph = _graph(stack)
    params = graph.one(PARAMS, "db-params")
    assert params.inputs["family"] == "aurora-postgresql17"
    values = {p["name"]: p["value"] for p in params.inputs["parameters"]}
    assert values == {
        "rds.force_ssl": "1",
        "log_connections": "1",
        "log_disconnections": "1",
        "log_min_duration_statement": "1000",
    }
    assert _cluster(graph).inputs["dbClusterParameterGroupName"] == params.id


def test_the_cluster_exports_logs_to_a_log_group_made_first(stack: str) -> None:
    graph = _graph(stack)
    cluster = _cluster(graph)
    group = graph.one(LOG_GROUP, "postgresql-logs")
    assert group.inputs["name"] == f"/aws/rds/cluster/{cluster.inputs['clusterIdentifier']}/postgresql"
    assert group.inputs["retentionInDays"] == stack_config(stack).database.log_retention_days
    assert group.urn in cluster.dependencies


def test_enhanced_monitoring_role_where_monitoring_is_on(stack: str) -> None:
    graph = _graph(stack)
    role = next(iter(graph.of_type("aws:iam/role:Role")), None)
    if stack_config(stack).database.monitoring_interval_seconds == 0:
        assert role is None and {i.inputs["monitoringInterval"] for i in graph.of_type(INSTANCE)} == {0}
        return
    assert role is not None
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
    assert {i.inputs["monitoringRoleArn"] for i in graph.of_type(INSTANCE)} == {role.outputs["arn"]}


def test_prod_leads_a_global_database_and_the_primary_is_in_it() -> None:
    graph = _graph("prod")
    glob = graph.one(GLOBAL, "global")
    cluster = _cluster(graph)
    assert cluster.inputs["globalClusterIdentifier"] == glob.id
    assert glob.urn in cluster.dependencies
    assert (glob.inputs["engine"], glob.inputs["engineVersion"]) == ("aurora-postgresql", "17")
    assert glob.inputs["storageEncrypted"] is True and glob.inputs["deletionProtection"] is True
    assert glob.protect is True
    assert glob.ignore_changes == ["engineVersion"]  # AWS reports the resolved minor of '17'
    assert graph.outputs["databaseGlobalClusterId"] == glob.id
    for stack in ("dev", "staging"):
        assert not _graph(stack).of_type(GLOBAL)
        assert "globalClusterIdentifier" not in _cluster(_graph(stack)).inputs


def test_outputs_are_what_consumers_read() -> None:
    graph = _graph("prod")
    cluster = _cluster(graph)
    writer, reader = graph.one(INSTANCE, "writer"), graph.one(INSTANCE, "reader-0")
    assert graph.outputs["databaseWriterEndpoint"] == cluster.outputs["endpoint"]
    assert ".cluster-" in graph.outputs["databaseWriterEndpoint"]
    assert graph.outputs["databaseReaderEndpoint"] == cluster.outputs["readerEndpoint"]
    assert graph.outputs["databasePort"] == 5432
    assert graph.outputs["databaseName"] == "quantumvest"
    assert graph.outputs["databaseMasterSecretArn"] == cluster.outputs["masterUserSecrets"][0]["secretArn"]
    assert graph.outputs["databaseInstanceIds"] == [
        writer.outputs["identifier"],
        reader.outputs["identifier"],
    ]


def test_pinned_minor_version_ignores_the_upgrades_aurora_applies() -> None:
    def cluster(version: str) -> Resource:
        return _cluster(build(DatabaseArgs(engine_version=version, read_replica_count=0)))

    assert cluster("17.5").ignore_changes == ["engineVersion"]
    assert cluster("17").ignore_changes == []  # a major alone never drifts; major upgrades stay visible


# --------------------------------------------------------------------------- the standby role


def _standby(**settings: object) -> DatabaseArgs:
    return DatabaseArgs(role="standby", deletion_protection=True, **settings)  # type: ignore[arg-type]


def test_a_standby_without_global_cluster_identifier_is_refused() -> None:
    with pytest.raises(ValueError) as refused:
        build(_standby(), region="us-west-2")
    message = str(refused.value)
    assert "database.role is 'standby'" in message
    assert "pass global_cluster_identifier" in message and "databaseGlobalClusterId" in message


def test_a_primary_given_a_global_cluster_identifier_is_refused() -> None:
    with pytest.raises(
        ValueError, match=re.escape("global_cluster_identifier was given but database.role is 'primary'")
    ):
        build(DatabaseArgs(), global_cluster_identifier=GLOBAL_ID)


def test_a_standby_joins_the_global_database_without_credentials_in_its_region() -> None:
    graph = build(_standby(read_replica_count=1), region="us-west-2", global_cluster_identifier=GLOBAL_ID)
    cluster = _cluster(graph)
    assert cluster.inputs["globalClusterIdentifier"] == GLOBAL_ID
    assert cluster.inputs["kmsKeyId"] == DR_KEY
    for key in ("masterUsername", "manageMasterUserPassword", "databaseName"):
        assert key not in cluster.inputs
    assert "replicationSourceIdentifier" in cluster.ignore_changes
    assert not graph.of_type(GLOBAL)
    assert len(graph.of_type(INSTANCE)) == 2  # at the settings' size: writer-to-be and a reader


def test_detaching_a_standby_drops_only_the_global_cluster_identifier() -> None:
    attached = _cluster(build(_standby(), region="us-west-2", global_cluster_identifier=GLOBAL_ID))
    detached = _cluster(
        build(_standby(detached=True), region="us-west-2", global_cluster_identifier=GLOBAL_ID)
    )
    changed = {
        k
        for k in attached.inputs.keys() | detached.inputs.keys()
        if attached.inputs.get(k) != detached.inputs.get(k)
    }
    assert changed == {"globalClusterIdentifier"}


def test_settings_refuse_what_aurora_refuses() -> None:
    cases = {
        "detached": ({"detached": True}, "only a standby"),
        "global_database": ({"role": "standby", "global_database": True}, "does not create one"),
        "instance_class": ({"global_database": True, "instance_class": "db.t4g.medium"}, "memory-optimised"),
        "serverless_min_acu": (
            {"instance_class": "db.serverless", "serverless_min_acu": 0, "engine_version": "16.2"},
            "cannot scale to 0 ACU",
        ),
        "seconds_until_auto_pause": (
            {"instance_class": "db.serverless", "seconds_until_auto_pause": 600},
            "only with serverless_min_acu 0",
        ),
        "backup_retention_days": ({"backup_retention_days": 0}, "cannot be turned off"),
        "parameters.shared_preload_libraries": (
            {"parameters": {"shared_preload_libraries": "pg_stat_statements,timescaledb"}},
            "no timescaledb",
        ),
    }
    for key, (settings, allowed) in cases.items():
        with pytest.raises(ValidationError) as refused:
            DatabaseArgs(**settings)  # type: ignore[arg-type]
        assert f"{key} = " in str(refused.value) and allowed in str(refused.value), key
    # and what it accepts: a pinned minor that scales to zero, a Serverless v2 global primary at 0.5
    DatabaseArgs(instance_class="db.serverless", serverless_min_acu=0, engine_version="16.3")
    DatabaseArgs(instance_class="db.serverless", global_database=True)
