"""The Cache component built alone with each stack's settings: tier shape, placement, encryption,
the AUTH token and its secret, logs and protection."""

from __future__ import annotations

import json
import string

import pytest

from components.cache import Cache, CacheArgs
from tests.conftest import STACKS
from tests.data_graphs import CACHE_SUBNET_GROUP, NODE_SG, VPC_ID, data_graph, key_arn, stack_config
from tools.harness import Graph, Resource, run

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
TOKEN = "random:index/randomPassword:RandomPassword"

#: What the issue asks of each tier: node type, node count, failover and Multi-AZ, snapshot retention.
EXPECTED = {
    "dev": ("cache.t4g.micro", 1, False, 1),
    "staging": ("cache.t4g.medium", 2, True, 3),
    "prod": ("cache.r6g.large", 3, True, 7),
}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return request.param


def _graph(stack: str) -> Graph:
    return data_graph("cache", stack)


def _group(graph: Graph) -> Resource:
    return graph.one(GROUP)


def test_group_matches_the_tier(stack: str) -> None:
    node_type, nodes, ha, retention = EXPECTED[stack]
    group = _group(_graph(stack)).inputs
    assert group["engine"] == "redis" and group["engineVersion"] == "7.1"
    assert group["nodeType"] == node_type
    assert group["numCacheClusters"] == nodes
    assert group["automaticFailoverEnabled"] is ha
    assert group["multiAzEnabled"] is ha
    assert group["snapshotRetentionLimit"] == retention
    assert group["snapshotWindow"] == "02:00-03:00"
    assert group["maintenanceWindow"] == "mon:05:00-mon:06:00"
    assert group["autoMinorVersionUpgrade"] is True


def test_protect_and_final_snapshot_per_tier(stack: str) -> None:
    graph = _graph(stack)
    group = _group(graph)
    assert group.protect is (stack == "prod")
    assert graph.one("aws:secretsmanager/secret:Secret").protect is (stack == "prod")
    assert ("finalSnapshotIdentifier" in group.inputs) is (stack != "dev")


def test_in_the_database_subnets_behind_a_node_only_security_group(stack: str) -> None:
    graph = _graph(stack)
    group = _group(graph)
    sg = graph.one("aws:ec2/securityGroup:SecurityGroup")
    assert group.inputs["subnetGroupName"] == CACHE_SUBNET_GROUP
    assert group.inputs["securityGroupIds"] == [sg.id]
    assert sg.inputs["vpcId"] == VPC_ID and sg.inputs["egress"] == []
    rules = [r.inputs for r in graph.of_type(INGRESS)]
    assert [
        (r["securityGroupId"], r["referencedSecurityGroupId"], r["ipProtocol"], r["fromPort"], r["toPort"])
        for r in rules
    ] == [(sg.id, NODE_SG, "tcp", 6379, 6379)]


def test_encrypted_at_rest_and_in_transit_with_auth(stack: str) -> None:
    graph = _graph(stack)
    group = _group(graph)
    assert group.inputs["atRestEncryptionEnabled"] is True
    assert group.inputs["kmsKeyId"] == key_arn("us-east-1", "data")
    assert group.inputs["transitEncryptionEnabled"] is True
    assert group.inputs["transitEncryptionMode"] == "required"
    token = graph.one(TOKEN)
    assert group.inputs["authToken"] == token.outputs["result"]
    assert "authToken" in group.secret_paths


def test_auth_token_uses_only_characters_elasticache_accepts(stack: str) -> None:
    token = _graph(stack).one(TOKEN).inputs
    assert 16 <= token["length"] <= 128
    assert token["special"] is True
    allowed = set(string.ascii_letters + string.digits + "!&#$^<>-")
    assert set(token["overrideSpecial"]) <= allowed
    assert not set(token["overrideSpecial"]) & set('@"/ ')


def test_auth_token_is_stored_in_an_encrypted_secret(stack: str) -> None:
    graph = _graph(stack)
    secret = graph.one("aws:secretsmanager/secret:Secret")
    version = graph.one("aws:secretsmanager/secretVersion:SecretVersion")
    group = _group(graph)
    assert secret.inputs["kmsKeyId"] == key_arn("us-east-1", "secrets")
    assert version.inputs["secretId"] == secret.id
    assert "secretString" in version.secret_paths
    stored = json.loads(version.inputs["secretString"])
    assert stored == {
        "auth_token": graph.one(TOKEN).outputs["result"],
        "host": group.outputs["primaryEndpointAddress"],
        "reader_host": group.outputs["readerEndpointAddress"],
        "port": 6379,
        "tls": True,
    }


def test_parameter_group_for_the_engine_family(stack: str) -> None:
    graph = _graph(stack)
    params = graph.one("aws:elasticache/parameterGroup:ParameterGroup")
    assert params.inputs["family"] == "redis7"
    assert {p["name"]: p["value"] for p in params.inputs["parameters"]} == {
        "maxmemory-policy": "volatile-lru",
        "slowlog-log-slower-than": "10000",
    }
    assert _group(graph).inputs["parameterGroupName"] == params.id


def test_slow_and_engine_logs_go_to_cloudwatch(stack: str) -> None:
    graph = _graph(stack)
    groups = {g.name: g for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")}
    delivery = {d["logType"]: d for d in _group(graph).inputs["logDeliveryConfigurations"]}
    assert set(delivery) == {"slow-log", "engine-log"}
    for log_type, config in delivery.items():
        log_group = groups[f"cache-{log_type}"]
        assert config["destination"] == log_group.outputs["name"]
        assert config["destinationType"] == "cloudwatch-logs"
        assert log_group.inputs["retentionInDays"] == stack_config(stack).cache.log_retention_days


def test_outputs_are_what_consumers_read() -> None:
    graph = _graph("prod")
    group = _group(graph).outputs
    assert graph.outputs["cachePrimaryEndpoint"] == group["primaryEndpointAddress"]
    assert graph.outputs["cacheReaderEndpoint"] == group["readerEndpointAddress"]
    assert graph.outputs["cachePort"] == 6379
    assert graph.outputs["cacheAuthSecretArn"] == graph.one("aws:secretsmanager/secret:Secret").outputs["arn"]
    assert graph.outputs["cacheReplicationGroupId"] == group["replicationGroupId"]
    assert graph.outputs["cacheMemberClusterIds"] == group["memberClusters"]
    assert len(group["memberClusters"]) == 3


def test_valkey_is_selectable() -> None:
    args = CacheArgs(engine="valkey")
    graph = run(
        lambda: Cache(
            "cache",
            args,
            subnet_group_name=CACHE_SUBNET_GROUP,
            vpc_id=VPC_ID,
            client_security_group_id=NODE_SG,
            kms_key_arn=key_arn("us-east-1", "data"),
        )
    )
    group = graph.one(GROUP).inputs
    assert (group["engine"], group["engineVersion"]) == ("valkey", "8.2")
    assert graph.one("aws:elasticache/parameterGroup:ParameterGroup").inputs["family"] == "valkey8"
    # Without a separate secrets key, the data key encrypts the AUTH secret.
    assert graph.one("aws:secretsmanager/secret:Secret").inputs["kmsKeyId"] == key_arn("us-east-1", "data")
