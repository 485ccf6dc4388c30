"""Data-tier rules that need the tier or another section: what prod must keep (DR included), and
that the network lets the clients reach the ports the database and cache listen on."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs

#: Days of recovery points prod keeps at least (FSBP RDS.11 asks for 7).
PROD_MIN_RETENTION_DAYS = 7


def prod_keeps_a_week_of_recovery_points(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Prod keeps at least a week of database backups and cache snapshots."""
    if cfg.platform.environment != "prod":
        return
    allowed = f"prod keeps at least {PROD_MIN_RETENTION_DAYS} days (FSBP RDS.11)"
    if cfg.database.backup_retention_days < PROD_MIN_RETENTION_DAYS:
        yield FieldProblem("database.backup_retention_days", cfg.database.backup_retention_days, allowed)
    if cfg.cache.snapshot_retention_days < PROD_MIN_RETENTION_DAYS:
        yield FieldProblem("cache.snapshot_retention_days", cfg.cache.snapshot_retention_days, allowed)


def prod_data_survives_mistakes_and_outages(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Prod's database has deletion protection, a final snapshot and a reader to fail over to; with a DR
    region it leads a global database (the DR stack's standby joins it); its cache fails over."""
    if cfg.platform.environment != "prod":
        return
    db, cache = cfg.database, cfg.cache
    if not db.deletion_protection:
        yield FieldProblem(
            "database.deletion_protection", False, "prod needs deletion protection (FSBP RDS.8)"
        )
    if not db.final_snapshot:
        yield FieldProblem("database.final_snapshot", False, "prod takes a final snapshot on deletion")
    if db.read_replica_count < 1:
        yield FieldProblem(
            "database.read_replica_count",
            db.read_replica_count,
            "prod needs at least 1 reader in another AZ to fail over to (FSBP RDS.15)",
        )
    if cfg.dr.role == "primary" and not db.global_database:
        yield FieldProblem(
            "database.global_database",
            False,
            "prod is a DR primary (dr.role: primary): its database leads the global database its standby "
            "joins (seed 003: RPO < 5 min)",
        )
    if not (cache.automatic_failover and cache.multi_az):
        key = "automatic_failover" if not cache.automatic_failover else "multi_az"
        yield FieldProblem(
            f"cache.{key}", False, "prod needs automatic failover and Multi-AZ (FSBP ElastiCache.3)"
        )


def network_admits_the_data_ports(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """The database tier's network ACL must let the private subnets reach both ports."""
    admitted = cfg.network.database_ports
    for key, port in (("database.port", cfg.database.port), ("cache.port", cfg.cache.port)):
        if port not in admitted:
            yield FieldProblem(
                key, port, f"not in network.database_ports {admitted}; the database tier's ACL would drop it"
            )


def admin_cidrs_inside_private_subnets(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """The database tier's ACL admits only the private subnets, so an admin CIDR must lie inside one."""
    private = cfg.network.subnet_layout()["private"]
    for index, cidr in enumerate(cfg.database.admin_cidrs):
        if not any(cidr.subnet_of(subnet) for subnet in private):
            yield FieldProblem(
                f"database.admin_cidrs[{index}]",
                str(cidr),
                "must lie inside a private subnet (" + ", ".join(map(str, private)) + "); reach the "
                "database from a bastion or SSM session there",
            )


RULES = [
    prod_keeps_a_week_of_recovery_points,
    prod_data_survives_mistakes_and_outages,
    network_admits_the_data_ports,
    admin_cidrs_inside_private_subnets,
]
