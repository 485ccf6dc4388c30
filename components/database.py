"""PostgreSQL on Aurora: a private, encrypted cluster with a writer, readers and, in prod, a global
database a DR stack attaches its standby to (docs/decisions/database-topology.md)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .data_access import client_only_security_group
from .database_settings import (
    ENGINE,
    LOCKED_PARAMETERS,
    POSTGRES_MAJORS,
    SERVERLESS,
    DatabaseArgs,
    LogExport,
)
from .iam import service_trust_policy
from .windows import normalise_weekly

__all__ = ["LOCKED_PARAMETERS", "POSTGRES_MAJORS", "Database", "DatabaseArgs", "LogExport"]


class Database(pulumi.ComponentResource):
    """Aurora PostgreSQL. Creates: a security group admitting the port from the cluster's nodes only, a
    cluster parameter group (TLS forced, connections and slow queries logged), the Enhanced Monitoring
    role, the log group the cluster exports to, the cluster (KMS-encrypted, RDS-managed master password,
    IAM auth, backups, deletion protection) and its instances: a writer and ``read_replica_count``
    readers, each depending only on the cluster (and the monitoring role it names), so they are created
    in parallel once the cluster is up. Aurora makes whichever instance is up first the writer; the
    readers are the failover targets (promotion tier 1) and serve the reader endpoint.

    With ``global_database`` (a primary), an ``aws.rds.GlobalCluster`` is created first and the cluster
    joins it as its primary; a DR stack attaches a standby to it. With ``role: standby`` the cluster is
    that secondary, in this stack's region: no master credentials (they replicate from the primary),
    encrypted with this region's key, joined to ``global_cluster_identifier``. ``detached: true`` then
    removes ``global_cluster_identifier`` from the cluster: terraform-provider-aws (which pulumi-aws
    bridges) treats that as an update, not a replacement — the attribute is not ForceNew, and
    ``resourceClusterUpdate`` calls ``RemoveFromGlobalCluster`` when the old value is set and the new
    one empty, then waits for the cluster to be available (internal/service/rds/cluster.go, commit
    0168cf68); AWS promotes the detached cluster to a standalone, writable one.
    """

    writer_endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    database_name: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str] | None
    cluster_identifier: pulumi.Output[str]
    cluster_arn: pulumi.Output[str]
    instance_ids: pulumi.Output[list[str]]
    global_cluster_id: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: DatabaseArgs,
        *,
        subnet_group_name: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        client_security_group_id: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str],
        secrets_kms_key_arn: pulumi.Input[str] | None = None,
        logs_kms_key_arn: pulumi.Input[str] | None = None,
        global_cluster_identifier: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``kms_key_arn`` (a key in this stack's region) encrypts storage, Performance Insights and
        (unless ``secrets_kms_key_arn`` is given) the master secret. ``global_cluster_identifier`` names
        the global database a standby joins (the primary stack's ``databaseGlobalClusterId`` output):
        required with ``role: standby``, refused otherwise (a primary makes its own)."""
        if args.role == "standby" and global_cluster_identifier is None:
            raise ValueError(
                f"{name}: database.role is 'standby': pass global_cluster_identifier (the primary stack's "
                "databaseGlobalClusterId output), the global database this cluster joins"
            )
        if args.role == "primary" and global_cluster_identifier is not None:
            raise ValueError(
                f"{name}: global_cluster_identifier was given but database.role is 'primary'; a primary "
                "creates its own global cluster (database.global_database: true) — set role: standby"
            )
        super().__init__("quantumvest:data:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        primary = args.role == "primary"
        secrets_key = secrets_kms_key_arn if secrets_kms_key_arn is not None else kms_key_arn

        sg = self._security_group(name, args, vpc_id, client_security_group_id, child)
        params = aws.rds.ClusterParameterGroup(
            f"{name}-params",
            family=args.parameter_group_family,
            description=f"{name}: TLS required, connections and slow queries logged",
            parameters=[aws.rds.ClusterParameterGroupParameterArgs(**p) for p in args.parameter_list()],
            opts=child,
        )
        monitoring_role_arn = self._monitoring_role(name, args, child)

        # A stable random suffix makes the identifier known before creation, so the log group the
        # cluster exports to can be created (with retention and encryption) first. It changes only with
        # what forces a new cluster, so a replacement gets a fresh identifier.
        suffix = random.RandomId(
            f"{name}-id",
            byte_length=4,
            keepers={"kms_key_arn": kms_key_arn, "database_name": args.database_name},
            opts=child,
        )
        identifier = pulumi.Output.concat(name.lower(), "-", suffix.hex)
        protected = pulumi.ResourceOptions(
            parent=self, protect=args.protect, retain_on_delete=args.retain_on_delete
        )

        self.global_cluster_id = None
        joins: pulumi.Input[str] | None = None
        if primary and args.global_database:
            global_cluster = aws.rds.GlobalCluster(
                f"{name}-global",
                global_cluster_identifier=pulumi.Output.concat(identifier, "-global"),
                engine=ENGINE,
                engine_version=args.engine_version,
                database_name=args.database_name,
                storage_encrypted=True,
                deletion_protection=args.deletion_protection,
                # AWS reports the resolved minor ('17.5'); a bare major would show as drift.
                opts=pulumi.ResourceOptions.merge(
                    protected,
                    pulumi.ResourceOptions(
                        ignore_changes=[] if args.pins_minor_version else ["engineVersion"]
                    ),
                ),
            )
            self.global_cluster_id = global_cluster.id
            joins = global_cluster.id
        elif not primary and not args.detached:
            joins = global_cluster_identifier

        logs = [
            aws.cloudwatch.LogGroup(
                f"{name}-{export}-logs",
                name=pulumi.Output.concat("/aws/rds/cluster/", identifier, f"/{export}"),
                retention_in_days=args.log_retention_days,
                kms_key_id=logs_kms_key_arn,
                opts=child,
            )
            for export in args.log_exports
        ]
        ignored = ["engineVersion"] if args.pins_minor_version and args.auto_minor_version_upgrade else []
        if not primary:
            # AWS fills it in on a secondary; promotion clears it (terraform-provider-aws docs, aws_rds_cluster).
            ignored.append("replicationSourceIdentifier")
        cluster = aws.rds.Cluster(
            f"{name}-cluster",
            cluster_identifier=identifier,
            engine=ENGINE,
            engine_mode="provisioned",
            engine_version=args.engine_version,
            allow_major_version_upgrade=args.allow_major_version_upgrade,
            global_cluster_identifier=joins,
            storage_encrypted=True,
            kms_key_id=kms_key_arn,
            storage_type="aurora-iopt1" if args.storage_type == "aurora-iopt1" else None,
            database_name=args.database_name if primary else None,
            master_username=args.master_username if primary else None,
            manage_master_user_password=True if primary else None,
            master_user_secret_kms_key_id=secrets_key if primary else None,
            port=args.port,
            db_subnet_group_name=subnet_group_name,
            vpc_security_group_ids=[sg.id],
            db_cluster_parameter_group_name=params.name,
            backup_retention_period=args.backup_retention_days,
            preferred_backup_window=args.backup_window,
            preferred_maintenance_window=normalise_weekly(args.maintenance_window),
            copy_tags_to_snapshot=True,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=not args.final_snapshot,
            final_snapshot_identifier=(
                pulumi.Output.concat(identifier, "-final") if args.final_snapshot else None
            ),
            delete_automated_backups=not args.final_snapshot,
            iam_database_authentication_enabled=True,
            enabled_cloudwatch_logs_exports=list(args.log_exports),
            serverlessv2_scaling_configuration=(
                aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=args.serverless_min_acu,
                    max_capacity=args.serverless_max_acu,
                    seconds_until_auto_pause=args.seconds_until_auto_pause,
                )
                if args.uses_serverless
                else None
            ),
            apply_immediately=args.apply_immediately,
            tags={"Name": f"{name}-cluster", "Role": args.role},
            opts=pulumi.ResourceOptions.merge(
                protected, pulumi.ResourceOptions(depends_on=logs, ignore_changes=ignored)
            ),
        )

        instances = [
            self._instance(name, role, tier, instance_class, args, cluster, monitoring_role_arn)
            for role, tier, instance_class in [
                ("writer", 0, args.instance_class),
                *((f"reader-{i}", 1, args.reader_class) for i in range(args.read_replica_count)),
            ]
        ]

        self.writer_endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        self.port = cluster.port
        self.database_name = pulumi.Output.from_input(args.database_name)
        self.cluster_identifier = cluster.cluster_identifier
        #: The cluster's ARN (backup selection, restore testing) and security group.
        self.cluster_arn = cluster.arn
        self.security_group_id: pulumi.Output[str] = sg.id
        self.master_secret_arn = cluster.master_user_secrets.apply(_master_secret_arn) if primary else None
        #: Instance identifiers, the writer first (CloudWatch's DBInstanceIdentifier dimension).
        self.instance_ids = pulumi.Output.all(*[i.identifier for i in instances])
        self.register_outputs(
            {
                "writer_endpoint": self.writer_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "port": self.port,
                "database_name": self.database_name,
                "master_secret_arn": self.master_secret_arn,
                "cluster_identifier": self.cluster_identifier,
                "cluster_arn": self.cluster_arn,
                "instance_ids": self.instance_ids,
                "global_cluster_id": self.global_cluster_id,
            }
        )

    def _instance(
        self,
        name: str,
        role: str,
        promotion_tier: int,
        instance_class: str,
        args: DatabaseArgs,
        cluster: aws.rds.Cluster,
        monitoring_role_arn: pulumi.Output[str] | None,
    ) -> aws.rds.ClusterInstance:
        """One instance of the cluster. Every input comes from the cluster (its identifier and key) or
        the settings, so it waits for the cluster only (and the monitoring role it names)."""
        return aws.rds.ClusterInstance(
            f"{name}-{role}",
            identifier=pulumi.Output.concat(cluster.cluster_identifier, f"-{role}"),
            cluster_identifier=cluster.id,
            engine=aws.rds.EngineType.AURORA_POSTGRESQL,
            instance_class=instance_class,
            promotion_tier=promotion_tier,
            publicly_accessible=False,
            auto_minor_version_upgrade=args.auto_minor_version_upgrade,
            ca_cert_identifier=args.ca_cert_identifier,
            copy_tags_to_snapshot=True,
            monitoring_interval=args.monitoring_interval_seconds,
            monitoring_role_arn=monitoring_role_arn,
            performance_insights_enabled=args.performance_insights,
            performance_insights_kms_key_id=cluster.kms_key_id if args.performance_insights else None,
            performance_insights_retention_period=(
                args.performance_insights_retention_days if args.performance_insights else None
            ),
            preferred_maintenance_window=normalise_weekly(args.maintenance_window),
            apply_immediately=args.apply_immediately,
            tags={
                "Name": f"{name}-{role}",
                "Role": role.split("-")[0],
                **({"Capacity": "serverless-v2"} if instance_class == SERVERLESS else {}),
            },
            # Protected like the cluster: replacing an instance by accident is a read (or write) outage.
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

    def _security_group(
        self,
        name: str,
        args: DatabaseArgs,
        vpc_id: pulumi.Input[str],
        client_security_group_id: pulumi.Input[str],
        child: pulumi.ResourceOptions,
    ) -> aws.ec2.SecurityGroup:
        """The database's security group: the port from the clients' group (and admin CIDRs), no egress."""
        sg = client_only_security_group(
            name,
            vpc_id=vpc_id,
            client_security_group_id=client_security_group_id,
            port=args.port,
            engine="PostgreSQL",
            opts=child,
        )
        for index, cidr in enumerate(args.admin_cidrs):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-from-admin-{index}",
                security_group_id=sg.id,
                cidr_ipv4=str(cidr),
                ip_protocol="tcp",
                from_port=args.port,
                to_port=args.port,
                description="PostgreSQL from an administration subnet",
                opts=child,
            )
        return sg

    def _monitoring_role(
        self, name: str, args: DatabaseArgs, child: pulumi.ResourceOptions
    ) -> pulumi.Output[str] | None:
        """The role RDS Enhanced Monitoring publishes the instances' OS metrics with."""
        if args.monitoring_interval_seconds == 0:
            return None
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        # Confused-deputy guard from the RDS User Guide (Enhanced Monitoring role): this account's DB
        # instances only (Aurora instances are DB instances: arn:...:db:<identifier>).
        trust = pulumi.Output.all(partition, aws.get_caller_identity_output(opts=invoke).account_id).apply(
            lambda a: service_trust_policy(
                "monitoring.rds.amazonaws.com", account=a[1], source_arn=f"arn:{a[0]}:rds:*:{a[1]}:db:*"
            )
        )
        role = aws.iam.Role(
            f"{name}-monitoring-role",
            assume_role_policy=trust,
            description=f"{name}: RDS Enhanced Monitoring",
            opts=child,
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, ":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
            ),
            opts=child,
        )
        return role.arn


def _master_secret_arn(secrets: Sequence[aws.rds.outputs.ClusterMasterUserSecret]) -> str:
    """The ARN of the RDS-managed master secret (``manage_master_user_password``): RDS reports exactly
    one once the cluster exists."""
    if not secrets or not secrets[0].secret_arn:
        raise ValueError("RDS reported no managed master user secret for the cluster")
    return secrets[0].secret_arn
