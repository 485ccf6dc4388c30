"""The data-tier components built alone under mocks, once per stack, with fake wiring.

Each stack's real settings (tier profile + stack file) drive the build; the other areas' outputs are
stand-ins: a node security group id, KMS key ARNs in the right regions, subnet group names. Outputs are exported as a stack would,
so the secret scan covers them too.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pulumi

from components.cache import Cache
from components.database import Database
from config import StackConfig, load_stack_file
from tests.dr_region import dr_region_stack_file
from tests.helpers import REPO
from tools.harness import Graph, run

NODE_SG = "sg-0nodes0000000000"
DB_SUBNET_GROUP = "quantumvest-network-db-subnets-abc1234"
CACHE_SUBNET_GROUP = "quantumvest-network-cache-subnets-abc1234"
VPC_ID = "vpc-0data000000000000"


def key_arn(region: str, name: str) -> str:
    return f"arn:aws:kms:{region}:123456789012:key/{name}-0000-0000-0000-000000000000"


_CONFIGS: dict[str, StackConfig] = {}
_GRAPHS: dict[tuple[str, str], Graph] = {}


#: Not a stack file: prod with platform.dr_region and no standby (tests/dr_region.py).
DR_REGION = "dr-region"


def stack_config(stack: str) -> StackConfig:
    if stack not in _CONFIGS:
        path = (
            dr_region_stack_file(Path(tempfile.mkdtemp(prefix="dr-region-")))
            if stack == DR_REGION
            else REPO / f"Pulumi.{stack}.yaml"
        )
        _CONFIGS[stack] = load_stack_file(path)
    return _CONFIGS[stack]


def database_program(cfg: StackConfig, **wiring: object) -> None:
    """Build ``Database`` as the Platform will, and export its outputs."""
    region = cfg.platform.region
    db = Database(
        "db",
        cfg.database,
        subnet_group_name=DB_SUBNET_GROUP,
        vpc_id=VPC_ID,
        client_security_group_id=NODE_SG,
        kms_key_arn=key_arn(region, "data"),
        secrets_kms_key_arn=key_arn(region, "secrets"),
        **wiring,  # type: ignore[arg-type]
    )
    pulumi.export("databaseWriterEndpoint", db.writer_endpoint)
    pulumi.export("databaseReaderEndpoint", db.reader_endpoint)
    pulumi.export("databasePort", db.port)
    pulumi.export("databaseName", db.database_name)
    pulumi.export("databaseMasterSecretArn", db.master_secret_arn)
    pulumi.export("databaseInstanceIds", db.instance_ids)
    if db.global_cluster_id is not None:
        pulumi.export("databaseGlobalClusterId", db.global_cluster_id)


def cache_program(cfg: StackConfig) -> None:
    """Build ``Cache`` as the Platform will, and export its outputs."""
    region = cfg.platform.region
    cache = Cache(
        "cache",
        cfg.cache,
        subnet_group_name=CACHE_SUBNET_GROUP,
        vpc_id=VPC_ID,
        client_security_group_id=NODE_SG,
        kms_key_arn=key_arn(region, "data"),
        secrets_kms_key_arn=key_arn(region, "secrets"),
    )
    pulumi.export("cachePrimaryEndpoint", cache.primary_endpoint)
    pulumi.export("cacheReaderEndpoint", cache.reader_endpoint)
    pulumi.export("cachePort", cache.port)
    pulumi.export("cacheAuthSecretArn", cache.auth_secret_arn)
    pulumi.export("cacheReplicationGroupId", cache.replication_group_id)
    pulumi.export("cacheMemberClusterIds", cache.member_cluster_ids)


def data_graph(kind: str, stack: str) -> Graph:
    """The graph of ``kind`` ("database" or "cache") built with ``stack``'s settings, cached per session."""
    if (kind, stack) not in _GRAPHS:
        cfg = stack_config(stack)
        program = database_program if kind == "database" else cache_program
        _GRAPHS[(kind, stack)] = run(lambda: program(cfg), stack=stack, region=cfg.platform.region)
    return _GRAPHS[(kind, stack)]
