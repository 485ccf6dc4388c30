"""Data-tier rules that need the tier or another section: what prod must keep, where DR may go, and
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
    """Prod's database has deletion protection, a final snapshot and a standby; its cache fails over."""
    if cfg.platform.environment != "prod":
        return
    db, cache = cfg.database, cfg.cache
    if not db.deletion_protection:
        yield FieldProblem(
            "database.deletion_protection", False, "prod needs deletion protection (FSBP RDS.8)"
        )
    if not db.final_snapshot:
        yield FieldProblem("database.final_snapshot", False, "prod takes a final snapshot on deletion")
    if not db.multi_az:
        yield FieldProblem("database.multi_az", False, "prod needs a Multi-AZ standby (FSBP RDS.5)")
    if not (cache.automatic_failover and cache.multi_az):
        key = "automatic_failover" if not cache.automatic_failover else "multi_az"
        yield FieldProblem(
            f"cache.{key}", False, "prod needs automatic failover and Multi-AZ (FSBP ElastiCache.3)"
        )


def dr_region_differs_from_primary(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """A DR replica in the primary region would fail with it."""
    if cfg.database.dr_region is not None and cfg.database.dr_region == cfg.platform.region:
        yield FieldProblem(
            "database.dr_region",
            cfg.database.dr_region,
            f"must differ from the primary region (platform.region = {cfg.platform.region})",
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
    dr_region_differs_from_primary,
    network_admits_the_data_ports,
    admin_cidrs_inside_private_subnets,
]


def database_dr_region_is_the_platforms(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """The platform has one DR provider, in ``platform.dr_region``; a DR replica can only go there."""
    wanted = cfg.database.dr_region
    if wanted is not None and wanted not in (cfg.platform.dr_region, cfg.platform.region):
        yield FieldProblem(
            "database.dr_region",
            wanted,
            f"must equal platform.dr_region ({cfg.platform.dr_region}), the region of the platform's DR provider",
        )


RULES = [*RULES, database_dr_region_is_the_platforms]
