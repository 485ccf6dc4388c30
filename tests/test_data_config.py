"""The database and cache sections: tier defaults, and each bad input rejected with file, key, value and rule."""

from __future__ import annotations

import pytest

from tests.data_graphs import stack_config
from tests.helpers import load_with, rejected


def test_tier_defaults() -> None:
    dev, staging, prod = (stack_config(s) for s in ("dev", "staging", "prod"))
    assert (dev.database.deletion_protection, dev.database.final_snapshot, dev.database.protect) == (
        False,
        False,
        False,
    )
    assert (
        staging.database.deletion_protection,
        staging.database.final_snapshot,
        staging.database.protect,
    ) == (
        True,
        True,
        False,
    )
    assert (prod.database.protect, prod.database.retain_on_delete, prod.database.global_database) == (
        True,
        True,
        True,
    )
    assert (dev.database.global_database, staging.database.global_database) == (False, False)
    assert (dev.cache.num_cache_nodes, staging.cache.num_cache_nodes, prod.cache.num_cache_nodes) == (1, 2, 3)
    assert (dev.cache.protect, staging.cache.protect, prod.cache.protect) == (False, False, True)
    assert prod.cache.engine == "redis"


def test_stack_file_can_select_valkey(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {"cache": {"engine": "valkey"}})
    assert (cfg.cache.resolved_engine_version, cfg.cache.parameter_group_family) == ("8.2", "valkey8")


@pytest.mark.parametrize("days", [0, 36])
def test_backup_retention_outside_1_to_35(tmp_path, days: int) -> None:
    message = rejected(tmp_path, "dev", {"database": {"backup_retention_days": days}})
    assert message == (
        f"Pulumi.dev.yaml: quantumvest-infra:database.backup_retention_days = {days}: "
        "Aurora keeps automated backups 1-35 days (they cannot be turned off)"
    )


def test_cache_snapshot_retention_outside_0_to_35(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cache": {"snapshot_retention_days": 40}})
    assert (
        "quantumvest-infra:cache.snapshot_retention_days = 40: ElastiCache keeps snapshots 0-35 days"
        in message
    )


def test_prod_retention_below_a_week(tmp_path) -> None:
    message = rejected(
        tmp_path, "prod", {"database": {"backup_retention_days": 3}, "cache": {"snapshot_retention_days": 1}}
    )
    assert message.splitlines() == [
        "Pulumi.prod.yaml: quantumvest-infra:database.backup_retention_days = 3: prod keeps at least 7 days (FSBP RDS.11)",
        "Pulumi.prod.yaml: quantumvest-infra:cache.snapshot_retention_days = 1: prod keeps at least 7 days (FSBP RDS.11)",
    ]


def test_staging_may_keep_fewer_than_seven_days(tmp_path) -> None:
    assert (
        load_with(
            tmp_path, "staging", {"database": {"backup_retention_days": 3}}
        ).database.backup_retention_days
        == 3
    )


def test_multi_az_with_fewer_than_two_azs(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cache": {"multi_az": True}})  # dev has one node
    assert message == (
        "Pulumi.dev.yaml: quantumvest-infra:cache.multi_az = true: "
        "Multi-AZ needs nodes in at least 2 availability zones: num_cache_nodes >= 2"
    )


def test_automatic_failover_with_one_node(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cache": {"automatic_failover": True}})
    assert message == (
        "Pulumi.dev.yaml: quantumvest-infra:cache.automatic_failover = true: "
        "automatic failover needs a replica to promote: num_cache_nodes >= 2"
    )


@pytest.mark.parametrize(
    ("section", "key", "value", "rule"),
    [
        (
            "database",
            "instance_class",
            "r6g.xlarge",
            "an Aurora instance class starts with 'db.', e.g. 'db.r6g.xlarge' or 'db.serverless'",
        ),
        (
            "database",
            "replica_instance_class",
            "cache.r6g.large",
            "an Aurora instance class starts with 'db.'",
        ),
        (
            "cache",
            "node_type",
            "r6g.large",
            "an ElastiCache node type starts with 'cache.', e.g. 'cache.r6g.large'",
        ),
        ("cache", "node_type", "db.r6g.large", "an ElastiCache node type starts with 'cache.'"),
    ],
)
def test_instance_class_without_its_prefix(tmp_path, section: str, key: str, value: str, rule: str) -> None:
    message = rejected(tmp_path, "dev", {section: {key: value}})
    assert message.startswith(f"Pulumi.dev.yaml: quantumvest-infra:{section}.{key} = {value}: {rule}")


def test_more_than_fifteen_readers(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"database": {"read_replica_count": 16}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:database.read_replica_count = 16: 0 to 15 Aurora Replicas"
    )


def test_more_than_five_cache_replicas(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"cache": {"num_cache_nodes": 7}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:cache.num_cache_nodes = 7: 1 to 6 nodes: a primary and at most 5 replicas"
    )


def test_prod_without_deletion_protection(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"database": {"deletion_protection": False}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:database.deletion_protection = false: "
        "prod needs deletion protection (FSBP RDS.8)"
    )


def test_prod_without_final_snapshot_or_a_reader_to_fail_over_to(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"database": {"final_snapshot": False, "read_replica_count": 0}})
    assert (
        "quantumvest-infra:database.final_snapshot = false: prod takes a final snapshot on deletion"
        in message
    )
    assert (
        "quantumvest-infra:database.read_replica_count = 0: prod needs at least 1 reader in another AZ "
        "to fail over to (FSBP RDS.15)" in message
    )


def test_a_dr_primary_leads_a_global_database(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"database": {"global_database": False}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:database.global_database = false: prod is a DR primary "
        "(dr.role: primary): its database leads the global database its standby joins (seed 003: RPO < 5 min)"
    )


def test_prod_cache_without_failover(tmp_path) -> None:
    message = rejected(tmp_path, "prod", {"cache": {"automatic_failover": False, "multi_az": False}})
    assert message == (
        "Pulumi.prod.yaml: quantumvest-infra:cache.automatic_failover = false: "
        "prod needs automatic failover and Multi-AZ (FSBP ElastiCache.3)"
    )


def test_out_of_support_postgres_major(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"database": {"engine_version": "13"}})
    assert (
        "quantumvest-infra:database.engine_version = '13': an Aurora PostgreSQL major in standard support"
        in message
    )
    assert "13 left standard support on 2026-02-28" in message


def test_engine_version_of_the_other_engine(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cache": {"engine": "valkey", "engine_version": "7.1"}})
    assert "quantumvest-infra:cache.engine_version = '7.1': valkey versions: 7.2, 8.0, 8.1, 8.2" in message


def test_overlapping_backup_and_maintenance_windows(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"database": {"maintenance_window": "Mon:03:30-Mon:04:30"}})
    assert message == (
        "Pulumi.dev.yaml: quantumvest-infra:database.maintenance_window = Mon:03:30-Mon:04:30: "
        "overlaps the backup window 03:00-04:00; RDS rejects overlapping windows"
    )


def test_malformed_window(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"cache": {"snapshot_window": "2am-3am"}})
    assert (
        "quantumvest-infra:cache.snapshot_window = 2am-3am: a daily window is 'hh:mm-hh:mm' in UTC" in message
    )


def test_port_the_network_acl_would_drop(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"database": {"port": 5433}})
    assert message == (
        "Pulumi.dev.yaml: quantumvest-infra:database.port = 5433: not in network.database_ports [5432, 6379]; "
        "the database tier's ACL would drop it"
    )


def test_admin_cidr_outside_the_private_subnets(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"database": {"admin_cidrs": ["0.0.0.0/0"]}})
    assert (
        "quantumvest-infra:database.admin_cidrs[0] = 0.0.0.0/0: must lie inside a private subnet" in message
    )


def test_security_parameters_cannot_be_overridden(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"database": {"parameters": {"rds.force_ssl": "0"}}})
    assert "quantumvest-infra:database.parameters.rds.force_ssl = '0': set by the component" in message
