"""RDS and ElastiCache: the computed attributes consumers of the data tier read, shaped like AWS's.

RDS instance: ``identifier`` (auto-named when not given), ``address``/``endpoint``/``port``, ``arn``
(``arn:aws:rds:<region>:<account>:db:<identifier>``), ``resourceId`` and, with an RDS-managed password,
``masterUserSecrets[0].secretArn`` (``rds!db-<uuid>``). ElastiCache replication group: its id,
``primaryEndpointAddress`` / ``readerEndpointAddress`` (the ``master.`` / ``replica.`` names AWS gives a
group with in-transit encryption), ``memberClusters`` (``<id>-001`` …) and ``port``. Secrets Manager
secrets get their ARN with the six-character suffix AWS appends.
"""

from __future__ import annotations

import uuid
from typing import Any

from tools.harness.invokes import ACCOUNT_ID

#: Short region codes in ElastiCache endpoint names (``use1``).
_REGION_CODES = {
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-1": "usw1",
    "us-west-2": "usw2",
    "eu-west-1": "euw1",
    "eu-central-1": "euc1",
    "ap-southeast-1": "apse1",
}


def _region_code(region: str) -> str:
    return _REGION_CODES.get(region, region.replace("-", ""))


def _rds_instance(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    identifier = inputs.get("identifier") or f"{name}-{seed[:7]}".lower()
    port = int(inputs.get("port") or 5432)
    address = f"{identifier}.c{seed[:10]}.{region}.rds.amazonaws.com"
    outputs: dict[str, Any] = {
        "identifier": identifier,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "arn": f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{identifier}",
        "resourceId": f"db-{seed.upper()}",
        "engineVersionActual": inputs.get("engineVersion") or "17.7",
        "hostedZoneId": "Z2R2ITUGPM61AM",
        "status": "available",
    }
    if inputs.get("manageMasterUserPassword"):
        outputs["masterUserSecrets"] = [
            {
                "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"),
                "secretArn": (
                    f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:"
                    f"rds!db-{uuid.uuid5(uuid.NAMESPACE_URL, seed)}-{seed[:6]}"
                ),
                "secretStatus": "active",
            }
        ]
    return outputs


def _replication_group(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    group_id = inputs.get("replicationGroupId") or f"{name}-{seed[:7]}".lower()
    host = f"{group_id}.{seed[:6]}.{_region_code(region)}.cache.amazonaws.com"
    count = int(inputs.get("numCacheClusters") or 1)
    return {
        "replicationGroupId": group_id,
        "primaryEndpointAddress": f"master.{host}",
        "readerEndpointAddress": f"replica.{host}",
        "memberClusters": [f"{group_id}-{i + 1:03d}" for i in range(count)],
        "port": int(inputs.get("port") or 6379),
        "arn": f"arn:aws:elasticache:{region}:{ACCOUNT_ID}:replicationgroup:{group_id}",
        "engineVersionActual": f"{inputs.get('engineVersion') or '7.1'}.0",
        "clusterEnabled": False,
    }


def _secret(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    secret_name = inputs.get("name") or f"{name}-{seed[:7]}"
    return {
        "name": secret_name,
        "arn": f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{secret_name}-{seed[:6]}",
    }


def _rds_cluster(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    """An Aurora cluster: id = identifier, the writer (``cluster-``) and reader (``cluster-ro-``)
    endpoints AWS names, the RDS-managed master secret (a primary only), the key it was encrypted with."""
    identifier = inputs.get("clusterIdentifier") or f"{name}-{seed[:8]}"
    host = f"c{seed[:10]}.{region}.rds.amazonaws.com"
    outputs: dict[str, Any] = {
        "id": identifier,
        "clusterIdentifier": identifier,
        "arn": f"arn:aws:rds:{region}:{ACCOUNT_ID}:cluster:{identifier}",
        "endpoint": f"{identifier}.cluster-{host}",
        "readerEndpoint": f"{identifier}.cluster-ro-{host}",
        "port": int(inputs.get("port") or 5432),
        "clusterResourceId": f"cluster-{seed.upper()}",
        "engineVersionActual": inputs.get("engineVersion") or "17.5",
        "kmsKeyId": inputs.get("kmsKeyId"),
        "hostedZoneId": "Z2R2ITUGPM61AM",
    }
    if inputs.get("manageMasterUserPassword"):
        outputs["masterUserSecrets"] = [
            {
                "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"),
                "secretArn": (
                    f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:"
                    f"rds!cluster-{uuid.uuid5(uuid.NAMESPACE_URL, seed)}-{seed[:6]}"
                ),
                "secretStatus": "active",
            }
        ]
    return outputs


def _rds_cluster_instance(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    identifier = inputs.get("identifier") or f"{name}-{seed[:7]}".lower()
    return {
        "id": identifier,
        "identifier": identifier,
        "arn": f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{identifier}",
        "endpoint": f"{identifier}.c{seed[:10]}.{region}.rds.amazonaws.com",
        "port": 5432,
        "dbiResourceId": f"db-{seed.upper()}",
    }


def _global_cluster(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    identifier = inputs.get("globalClusterIdentifier") or f"{name}-{seed[:8]}"
    return {
        "id": identifier,
        "arn": f"arn:aws:rds::{ACCOUNT_ID}:global-cluster:{identifier}",
        "globalClusterResourceId": f"cluster-{seed[:16]}",
        "engineVersionActual": inputs.get("engineVersion") or "17.5",
    }


EXTRA_OUTPUTS = {
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _rds_cluster_instance,
    "aws:rds/globalCluster:GlobalCluster": _global_cluster,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:secretsmanager/secret:Secret": _secret,
}

ID_PREFIX = {"aws:rds/instance:Instance": "db-"}

#: Parameter groups are known by their name.
NAME_IS_ID = {
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
}
