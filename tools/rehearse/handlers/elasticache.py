"""ElastiCache replication groups in moto; parameter groups are validated against the API model
(moto does not implement CreateCacheParameterGroup)."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:elasticache/replicationGroup:ReplicationGroup")
def replication_group(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    group_id = i.get("replicationGroupId") or ctx.auto_name(40, lower=True)
    created = ctx.call(
        "elasticache",
        "create_replication_group",
        ReplicationGroupId=group_id,
        ReplicationGroupDescription=i.get("description") or "Managed by Pulumi",
        Engine=i.get("engine"),
        EngineVersion=i.get("engineVersion"),
        CacheNodeType=i.get("nodeType"),
        NumCacheClusters=i.get("numCacheClusters"),
        AutomaticFailoverEnabled=i.get("automaticFailoverEnabled"),
        MultiAZEnabled=i.get("multiAzEnabled"),
        AtRestEncryptionEnabled=i.get("atRestEncryptionEnabled"),
        TransitEncryptionEnabled=i.get("transitEncryptionEnabled"),
        AuthToken=i.get("authToken"),
        KmsKeyId=i.get("kmsKeyId"),
        CacheSubnetGroupName=i.get("subnetGroupName"),
        SecurityGroupIds=i.get("securityGroupIds"),
        SnapshotRetentionLimit=i.get("snapshotRetentionLimit"),
        SnapshotWindow=i.get("snapshotWindow"),
        PreferredMaintenanceWindow=i.get("maintenanceWindow"),
        Port=i.get("port"),
    )["ReplicationGroup"]
    primary = ((created.get("NodeGroups") or [{}])[0].get("PrimaryEndpoint")) or {}
    return group_id, {
        "arn": created.get("ARN") or ctx.arn("elasticache", f"replicationgroup:{group_id}"),
        "replicationGroupId": group_id,
        "primaryEndpointAddress": primary.get("Address"),
        "readerEndpointAddress": (primary.get("Address") or "").replace("master.", "replica.", 1),
        # moto 5.2.5 lists one member whatever NumCacheClusters says; AWS names them <group>-001, -002 …
        "memberClusters": [f"{group_id}-{n:03d}" for n in range(1, int(i.get("numCacheClusters") or 1) + 1)],
        "port": primary.get("Port", 6379),
    }


@validates("aws:elasticache/parameterGroup:ParameterGroup", "elasticache", "CreateCacheParameterGroup")
def parameter_group(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    return {
        "CacheParameterGroupName": i.get("name") or ctx.auto_name(255, lower=True),
        "CacheParameterGroupFamily": i.get("family"),
        "Description": i.get("description", "Managed by Pulumi"),
    }
