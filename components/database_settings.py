"""Settings of the PostgreSQL database: an Aurora PostgreSQL cluster (docs/decisions/database-topology.md).

Kept apart from the component (``components/database.py``) so the validation reads on its own.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from .args import Args, Cidr, FieldProblem, RetentionDays
from .versions import version
from .windows import WindowError, daily_overlaps_weekly, parse_daily, parse_weekly

#: Aurora PostgreSQL majors in standard support (13 left it on 2026-02-28; Extended Support bills extra).
POSTGRES_MAJORS = (14, 15, 16, 17, 18)
#: The engine every cluster of this component runs.
ENGINE = "aurora-postgresql"
#: Parameters this component sets for security and audit; a stack cannot override them.
LOCKED_PARAMETERS = ("rds.force_ssl", "log_connections", "log_disconnections")
#: Parameter values Aurora PostgreSQL cannot run: seed 003's TimescaleDB settings (Aurora PostgreSQL has
#: no timescaledb extension; AWS docs "Extension versions for Aurora PostgreSQL" does not list it).
UNAVAILABLE_PARAMETERS = {"shared_preload_libraries": "timescaledb"}
#: Log types Aurora PostgreSQL exports to CloudWatch Logs (RDS API ``EnableCloudwatchLogsExports`` for
#: aurora-postgresql; ``upgrade`` is RDS for PostgreSQL's only).
LogExport = Literal["postgresql", "iam-db-auth-error"]
#: Names RDS reserves for itself.
RESERVED_USERNAMES = ("rdsadmin", "rdsrepladmin", "rds_superuser", "rds_replication")
#: Aurora Serverless v2's instance class.
SERVERLESS = "db.serverless"
#: First minor of each major whose Serverless v2 scales to 0 ACU (AWS docs "Aurora Serverless v2
#: capacity": minimum 0 ACU from Aurora PostgreSQL 17.4, 16.3, 15.7, 14.12 and 13.15). A major alone
#: ('17') resolves to AWS's default minor, which is above these.
ZERO_ACU_FROM = {17: (17, 4), 16: (16, 3), 15: (15, 7), 14: (14, 12)}
#: Instance classes an Aurora global database accepts: memory-optimised (db.r5 or later, db.x2g) or
#: Serverless v2 (AWS docs "Configuration requirements of an Amazon Aurora global database":
#: "requires DB instance classes that are optimized for memory-intensive applications").
_GLOBAL_CLASS = re.compile(r"^db\.(r[5-9][a-z]*|x2[a-z]*)\.[a-z0-9]+$|^db\.serverless$")

_INSTANCE_CLASS = re.compile(r"^db\.[a-z0-9-]+(\.[a-z0-9-]+)?$")
_ENGINE_VERSION = re.compile(r"^(\d+)(\.(\d+))?$")
_IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]{0,62}$"


class DatabaseArgs(Args):
    """Settings of the Aurora PostgreSQL cluster. Defaults are prod's: a Graviton writer and a reader
    in another AZ (the failover target), a month of backups, protected, primary of a global database."""

    engine_version: str = Field(
        default=version("postgresql"),
        description=(
            "Aurora PostgreSQL version: a major ('17') lets Aurora apply minor upgrades without drift; a "
            "minor ('17.5') pins it. 17 is the newest major with a year of minor releases behind it."
        ),
    )
    allow_major_version_upgrade: bool = Field(
        default=False,
        description=(
            "Let a change of engine_version's major (17 -> 18) upgrade the cluster in place; RDS refuses a "
            "major upgrade without it. Set it in the same change as the new engine_version. The cluster "
            "parameter group's family follows the major and is auto-named, so the new family's group is "
            "created before the old one is deleted. With a global database, upgrade the global cluster."
        ),
    )
    role: Literal["primary", "standby"] = Field(
        default="primary",
        description=(
            "primary: a writable cluster with its master user (and, with global_database, the global "
            "cluster it leads). standby: a secondary cluster of another stack's global database in this "
            "stack's region (the DR stack): read-only, no master credentials, promoted by 'detached'."
        ),
    )
    detached: bool = Field(
        default=False,
        description=(
            "Standby only: remove the cluster from the global database, which promotes it to a standalone "
            "writable cluster (RemoveFromGlobalCluster, an in-place update). The DR activation switch."
        ),
    )
    global_database: bool = Field(
        default=False,
        description=(
            "Primary only: create an Aurora global database with this cluster as its primary, so a DR "
            "stack can attach a standby in another region (RPO ~1 s, promotion in minutes)."
        ),
    )
    instance_class: str = Field(
        default="db.r6g.xlarge",
        description=(
            "Class of every instance (writer and readers unless replica_instance_class is set); seed 003's "
            "db.r6g.xlarge (Graviton, memory-optimised) for prod; 'db.serverless' for Aurora Serverless v2."
        ),
    )
    serverless_min_acu: float = Field(
        default=0.5,
        ge=0,
        le=256,
        description=(
            "Serverless v2 floor in ACUs (1 ACU ~ 2 GiB); 0 lets idle instances pause (dev). Read only when "
            "a class is 'db.serverless'."
        ),
    )
    serverless_max_acu: float = Field(
        default=16, ge=1, le=256, description="Serverless v2 ceiling in ACUs (1-256 in steps of 0.5)."
    )
    seconds_until_auto_pause: int | None = Field(
        default=None,
        description="With serverless_min_acu 0: idle seconds before an instance pauses (300-86400).",
    )
    storage_type: Literal["aurora", "aurora-iopt1"] = Field(
        default="aurora",
        description=(
            "Aurora Standard (storage plus $0.20 per million I/Os) or I/O-Optimized (no I/O charge, ~30% "
            "more per instance-hour and $0.225/GB-month): switch when I/O passes ~25% of the bill."
        ),
    )
    database_name: str = Field(
        default="quantumvest", pattern=_IDENTIFIER, description="The database created with the cluster."
    )
    master_username: str = Field(
        default="quantumvest_admin",
        pattern=_IDENTIFIER,
        description="Master user; its password is generated and rotated by RDS in Secrets Manager.",
    )
    port: int = Field(default=5432, ge=1150, le=65535, description="PostgreSQL's standard port.")
    backup_retention_days: int = Field(
        default=30,
        description="Automated backups and point-in-time recovery (seed 003: 30 days in prod); Aurora 1-35.",
    )
    backup_window: str = Field(default="03:00-04:00", description="Daily backup window, UTC (seed 000).")
    maintenance_window: str = Field(
        default="mon:04:00-mon:05:00", description="Weekly maintenance window, UTC (seed 000), after backups."
    )
    deletion_protection: bool = Field(
        default=True, description="AWS refuses to delete the cluster while on (FSBP RDS.7)."
    )
    final_snapshot: bool = Field(
        default=True,
        description="Take a final snapshot on deletion and keep the automated backups after it.",
    )
    protect: bool = Field(
        default=True,
        description="Pulumi refuses to delete the cluster, its instances and the global cluster.",
    )
    retain_on_delete: bool = Field(
        default=True, description="Removing the cluster from the program leaves it running in AWS."
    )
    read_replica_count: int = Field(
        default=1,
        description=(
            "Aurora Replicas (readers) beside the writer, 0-15: they serve the reader endpoint and are the "
            "failover targets (a cluster with none fails over by re-creating the writer, ~10 min)."
        ),
    )
    replica_instance_class: str | None = Field(
        default=None,
        description="Class of the readers; the writer's class when unset (a reader becomes the writer).",
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
        default_factory=lambda: ["postgresql"],
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
        default_factory=dict, description="More PostgreSQL parameters for the cluster parameter group."
    )

    @model_validator(mode="after")
    def _check(self) -> DatabaseArgs:
        match = _ENGINE_VERSION.match(self.engine_version)
        if not match or int(match.group(1)) not in POSTGRES_MAJORS:
            raise FieldProblem(
                "engine_version",
                self.engine_version,
                "an Aurora PostgreSQL major in standard support ("
                + ", ".join(map(str, POSTGRES_MAJORS))
                + "), optionally with a minor ('17' or '17.5'); 13 left standard support on 2026-02-28",
            )
        self._check_classes()
        self._check_roles()
        if not 1 <= self.backup_retention_days <= 35:
            raise FieldProblem(
                "backup_retention_days",
                self.backup_retention_days,
                "Aurora keeps automated backups 1-35 days (they cannot be turned off)",
            )
        if not 0 <= self.read_replica_count <= 15:
            raise FieldProblem("read_replica_count", self.read_replica_count, "0 to 15 Aurora Replicas")
        days = self.performance_insights_retention_days
        if days not in (7, 731) and not (days % 31 == 0 and 31 <= days <= 713):
            raise FieldProblem(
                "performance_insights_retention_days", days, "7, 731, or a multiple of 31 up to 713"
            )
        if self.master_username.lower() in RESERVED_USERNAMES:
            raise FieldProblem("master_username", self.master_username, "reserved by RDS")
        self._check_parameters()
        self._check_windows()
        return self

    def _check_classes(self) -> None:
        for key in ("instance_class", "replica_instance_class"):
            value = getattr(self, key)
            if value is not None and not _INSTANCE_CLASS.match(value):
                raise FieldProblem(
                    key,
                    value,
                    "an Aurora instance class starts with 'db.', e.g. 'db.r6g.xlarge' or 'db.serverless'",
                )
        if not self.uses_serverless:
            return
        if self.serverless_max_acu < max(self.serverless_min_acu, 1) or self.serverless_max_acu * 2 % 1:
            raise FieldProblem(
                "serverless_max_acu",
                self.serverless_max_acu,
                f"at least serverless_min_acu ({self.serverless_min_acu:g}) and 1, in steps of 0.5",
            )
        if self.serverless_min_acu * 2 % 1:
            raise FieldProblem("serverless_min_acu", self.serverless_min_acu, "0-256 in steps of 0.5")
        if self.serverless_min_acu == 0 and not self.scales_to_zero_supported:
            floor = ZERO_ACU_FROM.get(self.major_version)
            raise FieldProblem(
                "serverless_min_acu",
                0,
                f"engine_version {self.engine_version} cannot scale to 0 ACU; Aurora PostgreSQL "
                + (f"{floor[0]}.{floor[1]}" if floor else "17.4")
                + " and later can (AWS docs 'Aurora Serverless v2 capacity'); use 0.5",
            )
        pause = self.seconds_until_auto_pause
        if pause is not None and (self.serverless_min_acu != 0 or not 300 <= pause <= 86400):
            raise FieldProblem(
                "seconds_until_auto_pause",
                pause,
                "300-86400, and only with serverless_min_acu 0 (instances at a higher floor never pause)",
            )

    def _check_roles(self) -> None:
        if self.detached and self.role != "standby":
            raise FieldProblem(
                "detached", True, "only a standby (role: standby) can be detached from a global database"
            )
        if self.global_database and self.role != "primary":
            raise FieldProblem(
                "global_database",
                True,
                "a standby joins the primary's global database (global_cluster_identifier); it does not create one",
            )
        if self.role == "standby" and self.uses_serverless and self.serverless_min_acu == 0:
            raise FieldProblem(
                "serverless_min_acu", 0, "a global database's secondary cannot pause; use 0.5 or more"
            )
        if self.global_database or self.role == "standby":
            for key in ("instance_class", "replica_instance_class"):
                value = getattr(self, key)
                if value is not None and not _GLOBAL_CLASS.match(value):
                    raise FieldProblem(
                        key,
                        value,
                        "an Aurora global database needs memory-optimised classes (db.r5 or later, db.x2g) "
                        "or db.serverless (AWS docs 'Configuration requirements of an Amazon Aurora global "
                        "database')",
                    )
            if self.uses_serverless and self.serverless_min_acu == 0:
                raise FieldProblem(
                    "serverless_min_acu", 0, "a global database's primary cannot pause; use 0.5 or more"
                )

    def _check_parameters(self) -> None:
        locked = sorted(set(self.parameters) & set(LOCKED_PARAMETERS))
        if locked:
            raise FieldProblem(
                f"parameters.{locked[0]}",
                self.parameters[locked[0]],
                "set by the component (TLS required, connections logged) and not overridable",
            )
        for key, library in UNAVAILABLE_PARAMETERS.items():
            if library in self.parameters.get(key, "").split(","):
                raise FieldProblem(
                    f"parameters.{key}",
                    self.parameters[key],
                    f"Aurora PostgreSQL has no {library} extension (seed 003's TimescaleDB settings "
                    "belong to a separate time-series database)",
                )

    def _check_windows(self) -> None:
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

    @property
    def major_version(self) -> int:
        return int(self.engine_version.split(".")[0])

    @property
    def parameter_group_family(self) -> str:
        """The cluster parameter group family of the engine version (``aurora-postgresql17``)."""
        return f"aurora-postgresql{self.major_version}"

    @property
    def pins_minor_version(self) -> bool:
        return "." in self.engine_version

    @property
    def reader_class(self) -> str:
        return self.replica_instance_class or self.instance_class

    @property
    def uses_serverless(self) -> bool:
        return SERVERLESS in (self.instance_class, self.reader_class)

    @property
    def scales_to_zero_supported(self) -> bool:
        """Whether the engine version offers a 0 ACU floor (a bare major resolves to a newer minor)."""
        floor = ZERO_ACU_FROM.get(self.major_version)
        if self.major_version > max(ZERO_ACU_FROM):
            return True
        if floor is None:
            return False
        if not self.pins_minor_version:
            return True
        minor = int(self.engine_version.split(".")[1])
        return (self.major_version, minor) >= floor

    def parameter_list(self) -> list[dict[str, str]]:
        """The cluster parameter group: TLS, connection audit (seed 000), slow-query log, then extras.
        All four are cluster-level, dynamic parameters of Aurora PostgreSQL."""
        values = {
            "rds.force_ssl": "1",
            "log_connections": "1",
            "log_disconnections": "1",
            "log_min_duration_statement": str(self.slow_query_ms),
            **self.parameters,
        }
        return [{"name": k, "value": v, "apply_method": "immediate"} for k, v in sorted(values.items())]
