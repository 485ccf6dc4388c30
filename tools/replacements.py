"""Which input changes make the engine *replace* a resource instead of updating it in place.

pulumi-aws is bridged from terraform-provider-aws: a property marked ``ForceNew`` in the provider's
schema forces a replacement ("Forces new resource" in the Terraform registry docs; "Changing this
forces a new resource" in some pulumi_aws docstrings). pulumi-kubernetes replaces objects when an
immutable field changes (``forceNew`` table in pulumi-kubernetes ``provider/pkg/provider/diff.go``).
The table lists those properties, as the engine records them (camelCase), for the types whose
replacement matters: the stateful ones first (a replacement there loses data or breaks clients).

Sources, per type (terraform-provider-aws ``internal/service/<svc>/<file>.go`` schema, ``ForceNew: true``):

- ``aws_db_instance`` (rds/instance.go): identifier, identifier_prefix, engine, storage_encrypted,
  kms_key_id, username, db_name, availability_zone, character_set_name, nchar_character_set_name,
  timezone, snapshot_identifier, restore_to_point_in_time, s3_import, custom_iam_instance_profile.
- ``aws_rds_cluster`` (rds/cluster.go): cluster_identifier(_prefix), engine, engine_mode,
  storage_encrypted, kms_key_id, master_username, database_name, snapshot_identifier.
- ``aws_elasticache_replication_group`` (elasticache/replication_group.go): replication_group_id,
  at_rest_encryption_enabled, kms_key_id, subnet_group_name, port, data_tiering_enabled,
  network_type, snapshot_arns, snapshot_name, global_replication_group_id; engine only on a downgrade
  (valkey -> redis), transit_encryption_enabled only below engine 7.0.5 (CustomizeDiff).
- ``aws_s3_bucket`` (s3/bucket.go): bucket, bucket_prefix, object_lock_enabled.
- ``aws_efs_file_system`` (efs/file_system.go): encrypted, kms_key_id, performance_mode,
  availability_zone_name, creation_token.
- ``aws_eks_cluster`` (eks/cluster.go): name, role_arn, bootstrap_self_managed_addons,
  access_config.bootstrap_cluster_creator_admin_permissions, kubernetes_network_config.service_ipv4_cidr
  and ip_family, outpost_config, remote_network_config; removing encryption_config (CustomizeDiff).
  vpc_config.subnet_ids is *not* ForceNew in the current provider (updated in place).
- ``aws_eks_node_group`` (eks/node_group.go): cluster_name, node_group_name(_prefix), node_role_arn,
  subnet_ids, instance_types, capacity_type, ami_type, disk_size, remote_access, launch_template id/name.
- ``aws_kms_key`` (kms/key.go): key_usage, customer_master_key_spec, multi_region, custom_key_store_id,
  xks_key_id.  ``aws_secretsmanager_secret``: name, name_prefix.  ``aws_cloudwatch_log_group``: name,
  name_prefix.  ``aws_ec2_vpc``: cidr_block.  ``aws_subnet``: vpc_id, cidr_block, availability_zone.
  ``aws_nat_gateway``: subnet_id, allocation_id, connectivity_type.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: A predicate on (old inputs, new inputs) for properties that force a replacement only sometimes.
Condition = Callable[[dict[str, Any], dict[str, Any]], bool]


@dataclass(frozen=True)
class Rule:
    """The replace-forcing properties of one type; ``stateful`` types hold data a replacement loses."""

    properties: tuple[str, ...]
    stateful: bool
    source: str
    conditional: tuple[tuple[str, Condition, str], ...] = ()


def _user_data_replaces(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return bool(new.get("userDataReplaceOnChange")) and old.get("userData") != new.get("userData")


def _engine_downgrade(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.get("engine") == "valkey" and new.get("engine") == "redis"


def _old_redis(old: dict[str, Any], new: dict[str, Any]) -> bool:
    version = str(new.get("engineVersion") or old.get("engineVersion") or "")
    try:
        parts = tuple(int(p) for p in version.split(".")[:3] if p.isdigit())
    except ValueError:
        return True
    return not parts or parts < (7, 0, 5)


def _encryption_removed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return bool(old.get("encryptionConfig")) and not new.get("encryptionConfig")


TF = "terraform-provider-aws schema (ForceNew)"
K8S = "pulumi-kubernetes forceNew table (provider/pkg/provider/diff.go)"

RULES: dict[str, Rule] = {
    "aws:rds/instance:Instance": Rule(
        (
            "identifier", "identifierPrefix", "engine", "storageEncrypted", "kmsKeyId", "username", "dbName",
            "availabilityZone", "characterSetName", "ncharCharacterSetName", "timezone", "snapshotIdentifier",
            "restoreToPointInTime", "s3Import", "customIamInstanceProfile",
        ),
        True,
        f"{TF}: rds/instance.go",
    ),
    "aws:rds/cluster:Cluster": Rule(
        (
            "clusterIdentifier", "clusterIdentifierPrefix", "engine", "engineMode", "storageEncrypted", "kmsKeyId",
            "masterUsername", "databaseName", "snapshotIdentifier",
        ),
        True,
        f"{TF}: rds/cluster.go",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": Rule(
        (
            "replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "port",
            "dataTieringEnabled", "networkType", "snapshotArns", "snapshotName", "globalReplicationGroupId",
        ),
        True,
        f"{TF}: elasticache/replication_group.go",
        (
            ("engine", _engine_downgrade, "engine downgrade valkey -> redis"),
            ("transitEncryptionEnabled", _old_redis, "engine version below 7.0.5"),
        ),
    ),
    "aws:s3/bucket:Bucket": Rule(("bucket", "bucketPrefix", "objectLockEnabled"), True, f"{TF}: s3/bucket.go"),
    "aws:s3/bucketV2:BucketV2": Rule(("bucket", "bucketPrefix", "objectLockEnabled"), True, f"{TF}: s3/bucket.go"),
    "aws:efs/fileSystem:FileSystem": Rule(
        ("encrypted", "kmsKeyId", "performanceMode", "availabilityZoneName", "creationToken"),
        True,
        f"{TF}: efs/file_system.go",
    ),
    "aws:kms/key:Key": Rule(
        ("keyUsage", "customerMasterKeySpec", "multiRegion", "customKeyStoreId", "xksKeyId"), True, f"{TF}: kms/key.go"
    ),
    "aws:secretsmanager/secret:Secret": Rule(("name", "namePrefix"), True, f"{TF}: secretsmanager/secret.go"),
    "aws:eks/cluster:Cluster": Rule(
        (
            "name", "roleArn", "bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions",
            "kubernetesNetworkConfig.serviceIpv4Cidr", "kubernetesNetworkConfig.ipFamily", "outpostConfig",
            "remoteNetworkConfig",
        ),
        True,
        f"{TF}: eks/cluster.go",
        (("encryptionConfig", _encryption_removed, "envelope encryption removed"),),
    ),
    "aws:eks/nodeGroup:NodeGroup": Rule(
        (
            "clusterName", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "subnetIds", "instanceTypes",
            "capacityType", "amiType", "diskSize", "remoteAccess", "launchTemplate.id", "launchTemplate.name",
        ),
        False,
        f"{TF}: eks/node_group.go",
    ),
    "aws:cloudwatch/logGroup:LogGroup": Rule(("name", "namePrefix"), True, f"{TF}: cloudwatch/log_group.go"),
    "aws:ec2/vpc:Vpc": Rule(("cidrBlock",), False, f"{TF}: ec2/vpc.go"),
    "aws:ec2/subnet:Subnet": Rule(("vpcId", "cidrBlock", "availabilityZone"), False, f"{TF}: ec2/subnet.go"),
    "aws:ec2/natGateway:NatGateway": Rule(("subnetId", "allocationId", "connectivityType"), False, f"{TF}: ec2/nat_gateway.go"),
    # The NAT instance: a new AMI (AWS's public parameter moves) or new user data replaces it.
    "aws:ec2/instance:Instance": Rule(
        (
            "ami", "availabilityZone", "subnetId", "keyName", "associatePublicIpAddress", "privateIp",
            "placementGroup", "launchTemplate", "instanceMarketOptions", "ebsOptimized", "hibernation", "hostId",
        ),
        False,
        f"{TF}: ec2/ec2_instance.go",
        (("userData", _user_data_replaces, "user data changed with user_data_replace_on_change"),),
    ),
    # Kubernetes (every object: metadata.name and metadata.namespace).
    "kubernetes:apps/v1:Deployment": Rule(("spec.selector",), False, K8S),
    "kubernetes:apps/v1:StatefulSet": Rule(
        ("spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"),
        True,
        K8S,
    ),
    "kubernetes:core/v1:PersistentVolumeClaim": Rule(("spec",), True, K8S),
    "kubernetes:core/v1:Service": Rule(("spec.clusterIP", "spec.type"), False, K8S),
    "kubernetes:core/v1:Secret": Rule(("type", "stringData", "data"), False, K8S),
    "kubernetes:core/v1:ConfigMap": Rule(("data", "binaryData"), False, K8S),
    "kubernetes:batch/v1:Job": Rule(("spec.selector", "spec.template"), False, K8S),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": Rule(("roleRef",), False, K8S),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": Rule(("roleRef",), False, K8S),
    "kubernetes:storage.k8s.io/v1:StorageClass": Rule(("parameters", "provisioner"), False, K8S),
}  # fmt: skip

KUBERNETES_ALWAYS = ("metadata.name", "metadata.namespace")


def _covers(prefix: str, path: str) -> bool:
    """``spec.selector`` covers ``spec.selector.matchLabels.app`` and ``subnetIds`` covers ``subnetIds[1]``."""
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")


@dataclass(frozen=True)
class Replacement:
    """Why a change replaces a resource: the property, and where that rule comes from."""

    path: str
    source: str
    stateful: bool


def forcing(
    type_token: str,
    changed_paths: list[str],
    old: dict[str, Any],
    new: dict[str, Any],
    replace_on_changes: list[str] | None = None,
) -> list[Replacement]:
    """The changed paths that force a replacement of a resource of ``type_token``."""
    rule = RULES.get(type_token)
    prefixes: list[tuple[str, str, bool]] = []
    if rule is not None:
        prefixes += [(p, rule.source, rule.stateful) for p in rule.properties]
        for prop, condition, why in rule.conditional:
            if condition(old, new):
                prefixes.append((prop, f"{rule.source} ({why})", rule.stateful))
    if type_token.startswith("kubernetes:"):
        prefixes += [(p, K8S, bool(rule and rule.stateful)) for p in KUBERNETES_ALWAYS]
    for path in replace_on_changes or []:
        prefixes.append(
            (
                path.replace("*", "").rstrip("."),
                "replaceOnChanges resource option",
                bool(rule and rule.stateful),
            )
        )
    found: list[Replacement] = []
    for changed in changed_paths:
        for prefix, source, stateful in prefixes:
            if prefix and _covers(prefix, changed):
                found.append(Replacement(changed, source, stateful))
                break
    return found


def is_stateful(type_token: str) -> bool:
    rule = RULES.get(type_token)
    return bool(rule and rule.stateful)
