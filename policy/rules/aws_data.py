"""Guardrails for the data tier: RDS PostgreSQL (instances, read replicas, Aurora) and ElastiCache Redis.

Absent inputs are read as the provider's default (``publiclyAccessible`` and
``autoMinorVersionUpgrade`` default to safe values; ``storageEncrypted`` does not), because a
preview shows only what the program set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy.model import Context, ResourceLike, Tiering
from policy.rules.base import as_int, as_list, is_false, is_true, present, rule
from policy.rules.tokens import (
    CACHE_REPLICATION_GROUP,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_CLUSTER_PARAMETER_GROUP,
    RDS_INSTANCE,
    RDS_PARAMETER_GROUP,
)

#: Backup retention (days) each tier needs: a week of point-in-time recovery in prod; backups on elsewhere.
MIN_BACKUP_RETENTION = {"prod": 7, "staging": 1, "dev": 1}


def is_replica(r: ResourceLike) -> bool:
    """A read replica (same- or cross-region): it inherits encryption, backups and credentials."""
    return present(r, "replicateSourceDb") or present(r, "replicationSourceIdentifier")


def engine(r: ResourceLike) -> str:
    return str(r.inputs.get("engine") or "")


@rule(
    "rds-storage-encrypted",
    "RDS storage is encrypted with a customer-managed KMS key",
    ids=("FSBP RDS.3", "CKV_AWS_16", "NAG RDS2", "AG rds-storage-encrypted"),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Set storage_encrypted=True and kms_key_id=<the Security component's data key ARN>.",
)
def rds_storage_encrypted(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_replica(r) and r.type == RDS_INSTANCE:
        # A replica inherits its source's encryption; a cross-region one must name a key there.
        if not present(r, "kmsKeyId") and not is_true(r.inputs.get("storageEncrypted")):
            yield "read replica names no KMS key (kmsKeyId); a cross-region replica would be unencrypted"
        return
    if not is_true(r.inputs.get("storageEncrypted")):
        yield "storage is not encrypted (storageEncrypted is not true)"
    elif not present(r, "kmsKeyId"):
        yield "storage is encrypted with the AWS-managed key; set kmsKeyId to the platform's data key"


@rule(
    "rds-not-public",
    "RDS databases are not publicly accessible",
    ids=("FSBP RDS.2", "CKV_AWS_17"),
    types=(RDS_INSTANCE, RDS_CLUSTER_INSTANCE, RDS_CLUSTER),
    remediation="Set publicly_accessible=False; the database subnets have no route to the internet anyway.",
)
def rds_not_public(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_true(r.inputs.get("publiclyAccessible")):
        yield "publiclyAccessible is true: the database gets a public DNS name and address"


@rule(
    "rds-deletion-protection",
    "Production databases have deletion protection",
    ids=("FSBP RDS.8", "CKV_AWS_293", "NAG RDS10"),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Set deletion_protection=True in prod (database.deletion_protection in the prod profile).",
    tiering=Tiering.PROD_ONLY,
)
def rds_deletion_protection(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if not is_true(r.inputs.get("deletionProtection")):
        yield "deletionProtection is not enabled"


@rule(
    "rds-multi-az",
    "Primary databases are Multi-AZ (a standby, or two or more Aurora instances)",
    ids=("FSBP RDS.5", "CKV_AWS_157", "NAG RDS3"),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Set multi_az=True on the primary (Aurora: at least two cluster instances in different AZs).",
    scope="stack",
    tiering=Tiering.HIGH_AVAILABILITY,
)
def rds_multi_az(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_replica(r):
        return  # replicas add read capacity and DR; the primary carries the standby
    if r.type == RDS_INSTANCE:
        if not is_true(r.inputs.get("multiAz")):
            yield "multiAz is not enabled: an AZ outage takes the database down"
        return
    if str(r.inputs.get("engineMode") or "provisioned") == "serverless":
        return
    members = ctx.stack.referrers(r, "clusterIdentifier", RDS_CLUSTER_INSTANCE)
    if len(members) < 2:
        yield f"the cluster has {len(members)} instance(s); Multi-AZ needs a writer and a reader in another AZ"


@rule(
    "rds-backup-retention",
    "Automated backups are kept 7 days or more in prod (and enabled everywhere)",
    ids=("FSBP RDS.11", "CKV_AWS_133"),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Set backup_retention_period to at least 7 in prod (the seeds use 7-35), at least 1 elsewhere.",
)
def rds_backup_retention(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_replica(r):
        return
    minimum = MIN_BACKUP_RETENTION.get(ctx.environment, 7)
    raw = r.inputs.get("backupRetentionPeriod")
    parsed = as_int(raw) if raw is not None else None
    days = parsed if parsed is not None else 1  # the API's default (and an unreadable value): one day
    if days < minimum:
        shown = "not set (AWS default: 1 day)" if raw is None else f"{days} day(s)"
        yield f"backup retention is {shown}; {ctx.environment} needs at least {minimum}"


@rule(
    "rds-iam-auth",
    "IAM database authentication is enabled",
    ids=("FSBP RDS.10", "CKV_AWS_161"),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Set iam_database_authentication_enabled=True so services log in with IRSA tokens.",
)
def rds_iam_auth(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if not is_true(r.inputs.get("iamDatabaseAuthenticationEnabled")):
        yield "iamDatabaseAuthenticationEnabled is not true"


@rule(
    "rds-logs-exported",
    "Database logs are exported to CloudWatch Logs",
    ids=("FSBP RDS.9", "CKV_AWS_129"),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Set enabled_cloudwatch_logs_exports=['postgresql', 'upgrade'] (PostgreSQL).",
)
def rds_logs_exported(r: ResourceLike, ctx: Context) -> Iterator[str]:
    exports = [str(x) for x in as_list(r.inputs.get("enabledCloudwatchLogsExports"))]
    if not exports:
        yield "no logs are exported to CloudWatch (enabledCloudwatchLogsExports is empty)"
    elif "postgres" in engine(r) and "postgresql" not in exports:
        yield f"the PostgreSQL log is not exported (exports: {', '.join(exports)})"


#: The parameter that refuses unencrypted connections, per engine family.
_FORCE_TLS = {"postgres": ("rds.force_ssl", "1"), "mysql": ("require_secure_transport", "1")}


def _force_tls_set(parameters: Any, name: str) -> bool:
    for parameter in as_list(parameters):
        if isinstance(parameter, dict) and parameter.get("name") == name:
            return str(parameter.get("value")).lower() in ("1", "on", "true")
    return False


@rule(
    "rds-force-ssl",
    "Databases refuse connections without TLS (rds.force_ssl in a custom parameter group)",
    ids=("CKV2_AWS_69",),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Give the database a parameter group with rds.force_ssl = 1 (PostgreSQL) or "
    "require_secure_transport = 1 (MySQL).",
    scope="stack",
)
def rds_force_ssl(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if r.type == RDS_INSTANCE:
        prop, group_type = "parameterGroupName", RDS_PARAMETER_GROUP
    else:
        prop, group_type = "dbClusterParameterGroupName", RDS_CLUSTER_PARAMETER_GROUP
    if not engine(r):  # a replica inherits its engine: either parameter will do
        names = [name for name, _ in _FORCE_TLS.values()]
    else:
        family = "mysql" if ("mysql" in engine(r) or "maria" in engine(r)) else "postgres"
        names = [_FORCE_TLS[family][0]]
    if not present(r, prop):
        yield f"uses the engine's default parameter group ({prop} is not set), so TLS is not enforced"
        return
    groups = ctx.stack.referenced(r, prop, group_type)
    if not groups:
        yield f"{prop} names a parameter group outside this stack; TLS enforcement cannot be verified"
        return
    for group in groups:
        if not any(_force_tls_set(group.inputs.get("parameters"), name) for name in names):
            yield f"parameter group {group.name} does not set {' or '.join(names)} = 1"


@rule(
    "rds-auto-minor-upgrade",
    "Minor engine upgrades (security patches) are applied automatically",
    ids=("FSBP RDS.13", "CKV_AWS_226"),
    types=(RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
    remediation="Leave auto_minor_version_upgrade at True (the default); patch in the maintenance window.",
)
def rds_auto_minor_upgrade(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_false(r.inputs.get("autoMinorVersionUpgrade")):
        yield "autoMinorVersionUpgrade is false: security patches wait for a manual upgrade"


@rule(
    "rds-managed-master-password",
    "The master password is generated and rotated by RDS in Secrets Manager, never set by the program",
    ids=("CKV2_AWS_57", "NAG SMG4"),
    types=(RDS_INSTANCE, RDS_CLUSTER),
    remediation="Set manage_master_user_password=True (and master_user_secret_kms_key_id) and drop password.",
)
def rds_managed_master_password(r: ResourceLike, ctx: Context) -> Iterator[str]:
    secondary = present(r, "globalClusterIdentifier") and not present(r, "masterUsername")
    if is_replica(r) or present(r, "snapshotIdentifier") or secondary:
        return  # credentials come from the source (a global database's primary makes its own)
    password_keys = [
        k for k in ("password", "masterPassword", "passwordWo", "masterPasswordWo") if present(r, k)
    ]
    if password_keys:
        yield f"the program sets the master password ({password_keys[0]}); let RDS manage and rotate it"
    elif not is_true(r.inputs.get("manageMasterUserPassword")):
        yield "manageMasterUserPassword is not true: no rotated secret in Secrets Manager"


# --- ElastiCache -------------------------------------------------------------------------------


@rule(
    "elasticache-encrypted-at-rest",
    "Redis is encrypted at rest with a customer-managed KMS key",
    ids=("FSBP ElastiCache.4", "CKV_AWS_29", "CKV_AWS_191"),
    types=CACHE_REPLICATION_GROUP,
    remediation="Set at_rest_encryption_enabled=True and kms_key_id=<the data key ARN>.",
)
def elasticache_encrypted_at_rest(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if not is_true(r.inputs.get("atRestEncryptionEnabled")):
        yield "atRestEncryptionEnabled is not true"
    elif not present(r, "kmsKeyId"):
        yield "encrypted with the AWS-managed key; set kmsKeyId to the platform's data key"


@rule(
    "elasticache-in-transit-auth",
    "Redis requires TLS and authentication (AUTH token or RBAC user group)",
    ids=("FSBP ElastiCache.5", "FSBP ElastiCache.6", "CKV_AWS_30", "CKV_AWS_31"),
    types=CACHE_REPLICATION_GROUP,
    remediation="Set transit_encryption_enabled=True and auth_token (a secret) or user_group_ids.",
)
def elasticache_in_transit_auth(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if not is_true(r.inputs.get("transitEncryptionEnabled")):
        yield "transitEncryptionEnabled is not true: clients talk to Redis in plain text"
    elif str(r.inputs.get("transitEncryptionMode") or "required") == "preferred":
        yield "transitEncryptionMode is 'preferred': plain-text clients are still accepted"
    if not (present(r, "authToken") or present(r, "authTokenWo") or present(r, "userGroupIds")):
        yield "no AUTH token and no user group: any client that reaches the port is in"


@rule(
    "elasticache-failover-multi-az",
    "Redis has a replica in another AZ with automatic failover",
    ids=("FSBP ElastiCache.3", "CKV2_AWS_50"),
    types=CACHE_REPLICATION_GROUP,
    remediation="Set automatic_failover_enabled=True, multi_az_enabled=True and num_cache_clusters >= 2.",
    tiering=Tiering.HIGH_AVAILABILITY,
)
def elasticache_failover_multi_az(r: ResourceLike, ctx: Context) -> Iterator[str]:
    nodes = as_int(r.inputs.get("numCacheClusters"), None)
    replicas = as_int(r.inputs.get("replicasPerNodeGroup"), None)
    if (nodes or 1) < 2 and (replicas or 0) < 1:
        yield "a single node: no replica to fail over to"
    if not is_true(r.inputs.get("automaticFailoverEnabled")):
        yield "automaticFailoverEnabled is not true"
    if not is_true(r.inputs.get("multiAzEnabled")):
        yield "multiAzEnabled is not true"


@rule(
    "elasticache-snapshots",
    "Redis takes automatic daily snapshots",
    ids=("FSBP ElastiCache.1", "CKV_AWS_134"),
    types=CACHE_REPLICATION_GROUP,
    remediation="Set snapshot_retention_limit to 1 or more (days).",
)
def elasticache_snapshots(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if (as_int(r.inputs.get("snapshotRetentionLimit"), 0) or 0) < 1:
        yield "snapshotRetentionLimit is 0 or not set: no automatic snapshots"
