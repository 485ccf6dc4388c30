"""PostgreSQL on RDS: a private, encrypted primary with read replicas and an optional DR replica."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import Field, model_validator

from .args import Args, Cidr, FieldProblem, RetentionDays
from .data_access import client_only_security_group
from .iam import service_trust_policy
from .versions import version
from .windows import (
    WindowError,
    daily_overlaps_weekly,
    normalise_weekly,
    parse_daily,
    parse_weekly,
)

#: RDS for PostgreSQL majors in RDS standard support (13 left it on 2026-02-28; Extended Support bills extra).
POSTGRES_MAJORS = (14, 15, 16, 17, 18)
#: Parameters this component sets for security and audit; a stack cannot override them.
LOCKED_PARAMETERS = ("rds.force_ssl", "log_connections", "log_disconnections")
#: Log types RDS for PostgreSQL can export to CloudWatch Logs.
LogExport = Literal["postgresql", "upgrade", "iam-db-auth-error"]
#: Names RDS reserves for itself.
RESERVED_USERNAMES = ("rdsadmin", "rdsrepladmin", "rds_superuser", "rds_replication")

_REGION = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"
_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9-]+\.[a-z0-9-]+$")
_ENGINE_VERSION = re.compile(r"^(\d+)(\.\d+)?$")
_IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]{0,62}$"


class DatabaseArgs(Args):
    """Settings of the PostgreSQL database. Defaults are prod's: Multi-AZ, a month of backups, protected."""

    engine_version: str = Field(
        default=version("postgresql"),
        description=(
            "PostgreSQL version: a major ('17') lets RDS apply minor upgrades without drift; a minor ('17.7') "
            "pins it. 17 is the newest major with a year of RDS minor releases behind it; seed 000's 13 is "
            "out of RDS standard support."
        ),
    )
    allow_major_version_upgrade: bool = Field(
        default=False,
        description=(
            "Let a change of engine_version's major (17 -> 18) upgrade the instance in place; RDS refuses a "
            "major upgrade without it. Off by default so a major is never changed by accident: set it in "
            "the same change as the new engine_version (take a snapshot first; the offline diff shows the "
            "upgrade and the new parameter group). The parameter group's family follows the major, and "
            "the group is auto-named, so the new family's group is created before the old one is deleted."
        ),
    )
    instance_class: str = Field(
        default="db.r6g.xlarge",
        description="Writer instance class; seed 003's db.r6g.xlarge (Graviton, memory-optimised) for prod.",
    )
    allocated_storage_gb: int = Field(
        default=1000,
        ge=20,
        le=65536,
        description="Initial gp3 storage (seed 003: 1000 GiB); gp3 starts at 20.",
    )
    max_allocated_storage_gb: int = Field(
        default=2000,
        ge=20,
        le=65536,
        description="Storage autoscaling ceiling; RDS grows the volume up to it without downtime.",
    )
    multi_az: bool = Field(
        default=True,
        description="A synchronous standby in another AZ: failover in ~1-2 minutes (FSBP RDS.5).",
    )
    database_name: str = Field(
        default="quantumvest", pattern=_IDENTIFIER, description="The database created with the instance."
    )
    master_username: str = Field(
        default="quantumvest_admin",
        pattern=_IDENTIFIER,
        description="Master user; its password is generated and rotated by RDS in Secrets Manager.",
    )
    port: int = Field(default=5432, ge=1150, le=65535, description="PostgreSQL's standard port.")
    backup_retention_days: int = Field(
        default=30, description="Automated backups and point-in-time recovery (seed 003: 30 days in prod)."
    )
    backup_window: str = Field(default="03:00-04:00", description="Daily backup window, UTC (seed 000).")
    maintenance_window: str = Field(
        default="mon:04:00-mon:05:00", description="Weekly maintenance window, UTC (seed 000), after backups."
    )
    deletion_protection: bool = Field(
        default=True, description="AWS refuses to delete the instance while on (FSBP RDS.8)."
    )
    final_snapshot: bool = Field(
        default=True,
        description="Take a final snapshot on deletion and keep the automated backups after it.",
    )
    protect: bool = Field(
        default=True, description="Pulumi refuses to delete the primary and the DR replica."
    )
    retain_on_delete: bool = Field(
        default=True, description="Removing them from the program leaves them running in AWS."
    )
    read_replica_count: int = Field(
        default=1, description="Same-region read replicas for read scaling (seed 000); 0 to 5."
    )
    replica_instance_class: str | None = Field(
        default=None, description="Class of the read replicas; the writer's class when unset."
    )
    dr_region: str | None = Field(
        default=None,
        pattern=_REGION,
        description="Region of a cross-region read replica for disaster recovery; none when unset.",
    )
    dr_instance_class: str | None = Field(
        default=None,
        description="Class of the DR replica; the writer's class when unset (it becomes the writer).",
    )
    dr_backup_replication: bool = Field(
        default=True,
        description="Also copy automated backups to the DR region, so point-in-time restore survives a region loss.",
    )
    performance_insights: bool = Field(
        default=True, description="Performance Insights, encrypted with the data key (seed 003)."
    )
    performance_insights_retention_days: int = Field(
        default=7, description="7 days is free; otherwise a multiple of 31, or 731."
    )
    monitoring_interval_seconds: Literal[0, 1, 5, 10, 15, 30, 60] = Field(
        default=60, description="Enhanced Monitoring granularity (seed 003: 60 s); 0 turns it off."
    )
    slow_query_ms: int = Field(
        default=1000,
        ge=-1,
        description="log_min_duration_statement: log statements slower than this; -1 turns it off.",
    )
    log_exports: list[LogExport] = Field(
        default_factory=lambda: ["postgresql", "upgrade"],
        description="Logs exported to CloudWatch Logs (FSBP RDS.9).",
    )
    log_retention_days: RetentionDays = Field(
        default=365, description="Retention of the exported logs; a year covers most audit look-backs."
    )
    auto_minor_version_upgrade: bool = Field(
        default=True, description="Security patches in the maintenance window (FSBP RDS.13)."
    )
    apply_immediately: bool = Field(
        default=False, description="Apply changes now rather than in the maintenance window."
    )
    ca_cert_identifier: str = Field(
        default="rds-ca-rsa2048-g1", description="Server certificate authority clients verify with TLS."
    )
    admin_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="Extra CIDRs admitted on the port (a bastion's subnet); must lie in the private subnets.",
    )
    parameters: dict[str, str] = Field(
        default_factory=dict, description="More PostgreSQL parameters for the parameter group."
    )

    @model_validator(mode="after")
    def _check(self) -> DatabaseArgs:
        match = _ENGINE_VERSION.match(self.engine_version)
        if not match or int(match.group(1)) not in POSTGRES_MAJORS:
            raise FieldProblem(
                "engine_version",
                self.engine_version,
                "a PostgreSQL major in RDS standard support ("
                + ", ".join(map(str, POSTGRES_MAJORS))
                + "), optionally with a minor ('17' or '17.7'); 13 left standard support on 2026-02-28",
            )
        for key in ("instance_class", "replica_instance_class", "dr_instance_class"):
            value = getattr(self, key)
            if value is not None and not _INSTANCE_CLASS.match(value):
                raise FieldProblem(
                    key, value, "an RDS instance class starts with 'db.', e.g. 'db.r6g.xlarge'"
                )
        if not 0 <= self.backup_retention_days <= 35:
            raise FieldProblem(
                "backup_retention_days", self.backup_retention_days, "RDS keeps automated backups 0-35 days"
            )
        if not 0 <= self.read_replica_count <= 5:
            raise FieldProblem("read_replica_count", self.read_replica_count, "0 to 5 read replicas")
        if (self.read_replica_count or self.dr_region) and self.backup_retention_days < 1:
            raise FieldProblem(
                "backup_retention_days",
                self.backup_retention_days,
                "read replicas (and the DR replica) need automated backups on the source: at least 1 day",
            )
        if self.max_allocated_storage_gb < self.allocated_storage_gb:
            raise FieldProblem(
                "max_allocated_storage_gb",
                self.max_allocated_storage_gb,
                f"the autoscaling ceiling is at least allocated_storage_gb ({self.allocated_storage_gb})",
            )
        days = self.performance_insights_retention_days
        if days not in (7, 731) and not (days % 31 == 0 and 31 <= days <= 713):
            raise FieldProblem(
                "performance_insights_retention_days", days, "7, 731, or a multiple of 31 up to 713"
            )
        if self.master_username.lower() in RESERVED_USERNAMES:
            raise FieldProblem("master_username", self.master_username, "reserved by RDS")
        locked = sorted(set(self.parameters) & set(LOCKED_PARAMETERS))
        if locked:
            raise FieldProblem(
                f"parameters.{locked[0]}",
                self.parameters[locked[0]],
                "set by the component (TLS required, connections logged) and not overridable",
            )
        try:
            backup = parse_daily(self.backup_window)
        except WindowError as err:
            raise FieldProblem("backup_window", self.backup_window, str(err)) from None
        try:
            maintenance = parse_weekly(self.maintenance_window)
        except WindowError as err:
            raise FieldProblem("maintenance_window", self.maintenance_window, str(err)) from None
        if daily_overlaps_weekly(backup, maintenance):
            raise FieldProblem(
                "maintenance_window",
                self.maintenance_window,
                f"overlaps the backup window {self.backup_window}; RDS rejects overlapping windows",
            )
        return self

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])

    @property
    def parameter_group_family(self) -> str:
        """The parameter group family of the engine version (``postgres17``)."""
        return f"postgres{self.major_version}"

    @property
    def pins_minor_version(self) -> bool:
        return "." in self.engine_version

    def parameter_list(self) -> list[aws.rds.ParameterGroupParameterArgsDict]:
        """The parameter group's parameters: TLS, connection audit (seed 000), slow-query log, then extras."""
        values = {
            "rds.force_ssl": "1",
            "log_connections": "1",
            "log_disconnections": "1",
            "log_min_duration_statement": str(self.slow_query_ms),
            **self.parameters,
        }
        return [{"name": k, "value": v, "apply_method": "immediate"} for k, v in sorted(values.items())]


def _master_secret_arn(secrets: Sequence[aws.rds.outputs.InstanceMasterUserSecret]) -> str:
    """The ARN of the secret RDS manages for the master user (always set with manage_master_user_password)."""
    arn = secrets[0].secret_arn if secrets else None
    if arn is None:
        raise ValueError("RDS returned no master user secret; manage_master_user_password must be on")
    return arn


class Database(pulumi.ComponentResource):
    """RDS for PostgreSQL. Creates: a security group admitting the port from the cluster's nodes only, a
    parameter group (TLS forced, connections and slow queries logged), the Enhanced Monitoring role, log
    groups for the exports, the primary (gp3 with autoscaling, KMS-encrypted, Multi-AZ, RDS-managed
    master password, IAM auth, Performance Insights), same-region read replicas, and, when a DR region is
    configured, a cross-region replica there (plus replicated automated backups) through ``dr_provider``.
    """

    writer_endpoint: pulumi.Output[str]
    reader_endpoints: pulumi.Output[list[str]]
    port: pulumi.Output[int]
    database_name: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    instance_ids: pulumi.Output[list[str]]
    dr_endpoint: pulumi.Output[str] | None

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
        dr_provider: aws.Provider | None = None,
        dr_kms_key_arn: pulumi.Input[str] | None = None,
        dr_subnet_group_name: pulumi.Input[str] | None = None,
        dr_vpc_id: pulumi.Input[str] | None = None,
        dr_logs_kms_key_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``kms_key_arn`` encrypts storage, Performance Insights and (unless ``secrets_kms_key_arn`` is
        given) the master secret. With ``args.dr_region`` set, ``dr_provider`` (an aws provider for that
        region) and ``dr_kms_key_arn`` (a key in that region) are required; ``dr_subnet_group_name`` and
        ``dr_vpc_id`` place the DR replica in a private network there (else the region's default VPC).
        """
        if args.dr_region and (dr_provider is None or dr_kms_key_arn is None):
            raise ValueError(
                f"database.dr_region is {args.dr_region!r}: pass dr_provider (an aws.Provider for that region) "
                "and dr_kms_key_arn (a KMS key in that region)"
            )
        if dr_provider is not None and not args.dr_region:
            raise ValueError("dr_provider was given but database.dr_region is not set; nothing would use it")
        super().__init__("quantumvest:data:Database", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        secrets_key = secrets_kms_key_arn if secrets_kms_key_arn is not None else kms_key_arn

        sg = self._security_group(name, args, vpc_id, client_security_group_id, child)
        params = aws.rds.ParameterGroup(
            f"{name}-params",
            family=args.parameter_group_family,
            description=f"{name}: TLS required, connections and slow queries logged",
            parameters=args.parameter_list(),
            opts=child,
        )
        monitoring_role_arn = self._monitoring_role(name, args, child)

        # A stable random suffix makes the identifier known before creation, so the log groups RDS
        # exports to can be created (with retention and encryption) first. It changes only with what
        # forces a new instance, so a replacement gets a fresh identifier.
        suffix = random.RandomId(
            f"{name}-id",
            byte_length=4,
            keepers={"kms_key_arn": kms_key_arn, "database_name": args.database_name},
            opts=child,
        )
        identifier = pulumi.Output.concat(name.lower(), "-", suffix.hex)
        protected = pulumi.ResourceOptions(
            protect=args.protect,
            retain_on_delete=args.retain_on_delete,
            ignore_changes=["engineVersion"]
            if args.pins_minor_version and args.auto_minor_version_upgrade
            else [],
        )

        common: dict[str, Any] = {  # the arguments primary and replicas share
            "storage_encrypted": True,
            "publicly_accessible": False,
            "auto_minor_version_upgrade": args.auto_minor_version_upgrade,
            "iam_database_authentication_enabled": True,
            "deletion_protection": args.deletion_protection,
            "copy_tags_to_snapshot": True,
            "monitoring_interval": args.monitoring_interval_seconds,
            "monitoring_role_arn": monitoring_role_arn,
            "performance_insights_enabled": args.performance_insights,
            "performance_insights_retention_period": (
                args.performance_insights_retention_days if args.performance_insights else None
            ),
            "enabled_cloudwatch_logs_exports": list(args.log_exports),
            "maintenance_window": normalise_weekly(args.maintenance_window),
            "apply_immediately": args.apply_immediately,
            "ca_cert_identifier": args.ca_cert_identifier,
            "max_allocated_storage": args.max_allocated_storage_gb,
        }

        logs = self._log_groups(name, "primary", identifier, args, logs_kms_key_arn, child)
        primary = aws.rds.Instance(
            f"{name}-primary",
            identifier=identifier,
            engine="postgres",
            engine_version=args.engine_version,
            allow_major_version_upgrade=args.allow_major_version_upgrade,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            storage_type="gp3",
            kms_key_id=kms_key_arn,
            db_name=args.database_name,
            username=args.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=secrets_key,
            port=args.port,
            db_subnet_group_name=subnet_group_name,
            vpc_security_group_ids=[sg.id],
            parameter_group_name=params.name,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            backup_window=args.backup_window,
            skip_final_snapshot=not args.final_snapshot,
            final_snapshot_identifier=(
                pulumi.Output.concat(identifier, "-final") if args.final_snapshot else None
            ),
            delete_automated_backups=not args.final_snapshot,
            performance_insights_kms_key_id=kms_key_arn if args.performance_insights else None,
            tags={"Name": f"{name}-primary", "Role": "writer"},
            **common,
            opts=pulumi.ResourceOptions.merge(child, protected).merge(
                pulumi.ResourceOptions(depends_on=logs)
            ),
        )

        replicas: list[aws.rds.Instance] = []
        for index in range(args.read_replica_count):
            replica_id = pulumi.Output.concat(identifier, f"-replica-{index}")
            replica_logs = self._log_groups(
                name, f"replica-{index}", replica_id, args, logs_kms_key_arn, child
            )
            replicas.append(
                aws.rds.Instance(
                    f"{name}-replica-{index}",
                    identifier=replica_id,
                    replicate_source_db=primary.identifier,
                    instance_class=args.replica_instance_class or args.instance_class,
                    kms_key_id=kms_key_arn,
                    vpc_security_group_ids=[sg.id],
                    parameter_group_name=params.name,
                    multi_az=False,
                    backup_retention_period=0,
                    skip_final_snapshot=True,
                    performance_insights_kms_key_id=kms_key_arn if args.performance_insights else None,
                    tags={"Name": f"{name}-replica-{index}", "Role": "reader"},
                    **common,
                    # Protected like the primary: replacing a replica by accident is a read outage.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=replica_logs, protect=args.protect),
                )
            )

        self.dr_endpoint = None
        #: The cross-region replica's identifier (its ReplicaLag alarm lives in the DR region).
        self.dr_identifier: pulumi.Output[str] | None = None
        dr_ids: list[pulumi.Output[str]] = []
        if args.dr_region and dr_provider is not None and dr_kms_key_arn is not None:
            dr = self._dr_replica(
                name,
                args,
                primary,
                identifier,
                common,
                protected,
                dr_provider,
                dr_kms_key_arn,
                dr_subnet_group_name,
                dr_vpc_id,
                dr_logs_kms_key_arn,
            )
            self.dr_endpoint = dr.address
            self.dr_identifier = dr.identifier
            dr_ids.append(dr.identifier)

        self.writer_endpoint = primary.address
        #: The writer's ARN and security group (backup selection, restore testing).
        self.primary_arn: pulumi.Output[str] = primary.arn
        self.security_group_id: pulumi.Output[str] = sg.id
        self.reader_endpoints = pulumi.Output.all(*[r.address for r in replicas])
        self.port = primary.port
        self.database_name = primary.db_name
        self.master_secret_arn = primary.master_user_secrets.apply(_master_secret_arn)
        self.instance_ids = pulumi.Output.all(primary.identifier, *[r.identifier for r in replicas])
        self.register_outputs(
            {
                "writer_endpoint": self.writer_endpoint,
                "reader_endpoints": self.reader_endpoints,
                "port": self.port,
                "database_name": self.database_name,
                "master_secret_arn": self.master_secret_arn,
                "instance_ids": self.instance_ids,
                "dr_endpoint": self.dr_endpoint,
            }
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
        """The role RDS Enhanced Monitoring publishes OS metrics with (IAM is global: the DR replica uses it too)."""
        if args.monitoring_interval_seconds == 0:
            return None
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        # Confused-deputy guard from the RDS User Guide (Enhanced Monitoring role): this account's DB
        # instances only; any region, since the DR replica publishes with the same role.
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

    def _log_groups(
        self,
        name: str,
        role: str,
        identifier: pulumi.Output[str],
        args: DatabaseArgs,
        kms_key_arn: pulumi.Input[str] | None,
        opts: pulumi.ResourceOptions,
    ) -> list[aws.cloudwatch.LogGroup]:
        """The log groups RDS exports to, made first so they get retention (RDS's own never expire)."""
        return [
            aws.cloudwatch.LogGroup(
                f"{name}-{role}-{export}-logs",
                name=pulumi.Output.concat("/aws/rds/instance/", identifier, f"/{export}"),
                retention_in_days=args.log_retention_days,
                kms_key_id=kms_key_arn,
                opts=opts,
            )
            for export in args.log_exports
        ]

    def _dr_replica(
        self,
        name: str,
        args: DatabaseArgs,
        primary: aws.rds.Instance,
        identifier: pulumi.Output[str],
        common: dict[str, Any],
        protected: pulumi.ResourceOptions,
        dr_provider: aws.Provider,
        dr_kms_key_arn: pulumi.Input[str],
        dr_subnet_group_name: pulumi.Input[str] | None,
        dr_vpc_id: pulumi.Input[str] | None,
        dr_logs_kms_key_arn: pulumi.Input[str] | None,
    ) -> aws.rds.Instance:
        """A cross-region read replica in the DR region: asynchronous (RPO of seconds, within seed 003's
        five minutes) and promotable in minutes (within its fifteen-minute RTO). Parameter groups are
        regional, so the DR region gets its own; the data there is encrypted with a key of that region.
        """
        in_dr = pulumi.ResourceOptions(parent=self, provider=dr_provider)
        params = aws.rds.ParameterGroup(
            f"{name}-dr-params",
            family=args.parameter_group_family,
            description=f"{name} (DR): TLS required, connections and slow queries logged",
            parameters=args.parameter_list(),
            opts=in_dr,
        )
        security_group_ids: list[pulumi.Input[str]] | None = None
        if dr_vpc_id is not None:
            dr_sg = aws.ec2.SecurityGroup(
                f"{name}-dr-sg",
                vpc_id=dr_vpc_id,
                description=f"{name} (DR): no clients until a failover wires them in",
                egress=[],
                tags={"Name": f"{name}-postgres-dr"},
                opts=in_dr,
            )
            security_group_ids = [dr_sg.id]
        dr_id = pulumi.Output.concat(identifier, "-dr")
        logs = self._log_groups(name, "dr", dr_id, args, dr_logs_kms_key_arn, in_dr)
        replica = aws.rds.Instance(
            f"{name}-dr-replica",
            identifier=dr_id,
            replicate_source_db=primary.arn,  # cross-region replicas name their source by ARN
            instance_class=args.dr_instance_class or args.instance_class,
            kms_key_id=dr_kms_key_arn,
            db_subnet_group_name=dr_subnet_group_name,
            vpc_security_group_ids=security_group_ids,
            parameter_group_name=params.name,
            multi_az=False,
            backup_retention_period=args.backup_retention_days,  # point-in-time restore right after promotion
            backup_window=args.backup_window,
            skip_final_snapshot=True,
            performance_insights_kms_key_id=dr_kms_key_arn if args.performance_insights else None,
            tags={"Name": f"{name}-dr-replica", "Role": "disaster-recovery"},
            **common,
            opts=pulumi.ResourceOptions.merge(in_dr, protected).merge(
                pulumi.ResourceOptions(depends_on=logs)
            ),
        )
        if args.dr_backup_replication:
            aws.rds.InstanceAutomatedBackupsReplication(
                f"{name}-dr-backups",
                source_db_instance_arn=primary.arn,
                kms_key_id=dr_kms_key_arn,
                retention_period=args.backup_retention_days,
                opts=in_dr,
            )
        return replica
