"""Redis (or Valkey) on ElastiCache: a private replication group, encrypted at rest and in transit."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Literal

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pydantic import Field, model_validator

from .args import Args, FieldProblem, RetentionDays
from .data_access import client_only_security_group
from .versions import version
from .windows import (
    WindowError,
    daily_overlaps_weekly,
    normalise_weekly,
    parse_daily,
    parse_weekly,
)

Engine = Literal["redis", "valkey"]

#: Node-based ElastiCache versions per engine and their parameter group family.
ENGINE_FAMILIES: dict[str, dict[str, str]] = {
    "redis": {"6.2": "redis6.x", "7.0": "redis7", "7.1": "redis7"},
    "valkey": {"7.2": "valkey7", "8.0": "valkey8", "8.1": "valkey8", "8.2": "valkey8"},
}
#: The version used when ``engine_version`` is unset: the newest of each engine listed above.
DEFAULT_VERSIONS = {"redis": version("redis"), "valkey": version("valkey")}  # components/versions.py
#: The only special characters ElastiCache accepts in an AUTH token (no '@', '"', '/' or spaces).
AUTH_TOKEN_SPECIALS = "!&#$^<>-"
MaxMemoryPolicy = Literal[
    "volatile-lru",
    "allkeys-lru",
    "volatile-lfu",
    "allkeys-lfu",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
]

_NODE_TYPE = re.compile(r"^cache\.[a-z0-9-]+\.[a-z0-9-]+$")


class CacheArgs(Args):
    """Settings of the cache. Defaults are prod's: seed 003's cache.r6g.large x 3, failover across AZs."""

    engine: Engine = Field(
        default="redis",
        description="Redis OSS (the seeds' engine) or Valkey (its open fork, cheaper per node).",
    )
    engine_version: str | None = Field(
        default=None,
        description="Engine version ('7.1', '8.2'); the newest supported for the engine when unset.",
    )
    node_type: str = Field(default="cache.r6g.large", description="Node type (seed 003: cache.r6g.large).")
    num_cache_nodes: int = Field(
        default=3, description="Nodes: one primary plus replicas (seed 003: 3); 1 to 6."
    )
    automatic_failover: bool = Field(
        default=True, description="Promote a replica when the primary fails (FSBP ElastiCache.3)."
    )
    multi_az: bool = Field(default=True, description="Spread the nodes over AZs and fail over across them.")
    port: int = Field(default=6379, ge=1024, le=65535, description="Redis's standard port.")
    snapshot_retention_days: int = Field(
        default=7, description="Daily snapshots kept (FSBP ElastiCache.1); 0 to 35."
    )
    snapshot_window: str = Field(default="02:00-03:00", description="Daily snapshot window, UTC.")
    maintenance_window: str = Field(
        default="mon:05:00-mon:06:00",
        description="Weekly maintenance, UTC: after the database's, so both are never down at once.",
    )
    final_snapshot: bool = Field(default=True, description="Snapshot the data when the group is deleted.")
    protect: bool = Field(default=True, description="Pulumi refuses to delete the group and its AUTH secret.")
    auth_token_length: int = Field(
        default=64, ge=16, le=128, description="Length of the generated AUTH token (ElastiCache: 16-128)."
    )
    secret_recovery_window_days: int = Field(
        default=30,
        description="Days a deleted AUTH secret stays recoverable: 7 to 30, or 0 to delete at once.",
    )
    log_retention_days: RetentionDays = Field(
        default=90, description="Retention of the slow log and engine log in CloudWatch Logs."
    )
    slowlog_threshold_us: int = Field(
        default=10000, ge=0, description="slowlog-log-slower-than: commands slower than this are logged."
    )
    maxmemory_policy: MaxMemoryPolicy = Field(
        default="volatile-lru", description="Eviction when memory is full; ElastiCache's default."
    )
    auto_minor_version_upgrade: bool = Field(
        default=True, description="Patch releases in the maintenance window."
    )
    apply_immediately: bool = Field(
        default=False, description="Apply changes now rather than in the maintenance window."
    )

    @model_validator(mode="after")
    def _check(self) -> CacheArgs:
        if not _NODE_TYPE.match(self.node_type):
            raise FieldProblem(
                "node_type",
                self.node_type,
                "an ElastiCache node type starts with 'cache.', e.g. 'cache.r6g.large'",
            )
        versions = ENGINE_FAMILIES[self.engine]
        if self.engine_version is not None and self.engine_version not in versions:
            raise FieldProblem(
                "engine_version", self.engine_version, f"{self.engine} versions: {', '.join(versions)}"
            )
        if not 1 <= self.num_cache_nodes <= 6:
            raise FieldProblem(
                "num_cache_nodes", self.num_cache_nodes, "1 to 6 nodes: a primary and at most 5 replicas"
            )
        if self.automatic_failover and self.num_cache_nodes < 2:
            raise FieldProblem(
                "automatic_failover",
                True,
                "automatic failover needs a replica to promote: num_cache_nodes >= 2",
            )
        if self.multi_az and self.num_cache_nodes < 2:
            raise FieldProblem(
                "multi_az",
                True,
                "Multi-AZ needs nodes in at least 2 availability zones: num_cache_nodes >= 2",
            )
        if self.multi_az and not self.automatic_failover:
            raise FieldProblem(
                "automatic_failover", False, "ElastiCache Multi-AZ requires automatic failover"
            )
        if not 0 <= self.snapshot_retention_days <= 35:
            raise FieldProblem(
                "snapshot_retention_days",
                self.snapshot_retention_days,
                "ElastiCache keeps snapshots 0-35 days",
            )
        if self.secret_recovery_window_days != 0 and not 7 <= self.secret_recovery_window_days <= 30:
            raise FieldProblem(
                "secret_recovery_window_days", self.secret_recovery_window_days, "0, or 7 to 30 days"
            )
        try:
            snapshot = parse_daily(self.snapshot_window, minimum_minutes=60)
        except WindowError as err:
            raise FieldProblem("snapshot_window", self.snapshot_window, str(err)) from None
        try:
            maintenance = parse_weekly(self.maintenance_window, minimum_minutes=60)
        except WindowError as err:
            raise FieldProblem("maintenance_window", self.maintenance_window, str(err)) from None
        if daily_overlaps_weekly(snapshot, maintenance):
            raise FieldProblem(
                "maintenance_window",
                self.maintenance_window,
                f"overlaps the snapshot window {self.snapshot_window}; ElastiCache rejects overlapping windows",
            )
        return self

    @property
    def resolved_engine_version(self) -> str:
        return self.engine_version or DEFAULT_VERSIONS[self.engine]

    @property
    def parameter_group_family(self) -> str:
        """The parameter group family (``redis7``, ``valkey8``)."""
        return ENGINE_FAMILIES[self.engine][self.resolved_engine_version]


class Cache(pulumi.ComponentResource):
    """An ElastiCache replication group (cluster mode off). Creates: a security group admitting the port
    from the cluster's nodes only, a parameter group, an AUTH token (pulumi-random, only characters
    ElastiCache accepts) stored in a KMS-encrypted Secrets Manager secret, CloudWatch log groups for the
    slow log and engine log, and the replication group: encrypted at rest with the data key, TLS
    required, failover and Multi-AZ per settings, daily snapshots.
    """

    primary_endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    port: pulumi.Output[int]
    auth_secret_arn: pulumi.Output[str]
    replication_group_id: pulumi.Output[str]
    member_cluster_ids: pulumi.Output[Sequence[str]]

    def __init__(
        self,
        name: str,
        args: CacheArgs,
        *,
        subnet_group_name: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        client_security_group_id: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str],
        secrets_kms_key_arn: pulumi.Input[str] | None = None,
        logs_kms_key_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``kms_key_arn`` encrypts the data at rest and (unless ``secrets_kms_key_arn`` is given) the AUTH
        secret; ``logs_kms_key_arn``, when given, encrypts the log groups."""
        super().__init__("quantumvest:data:Cache", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        protected = pulumi.ResourceOptions(parent=self, protect=args.protect)

        sg = client_only_security_group(
            name,
            vpc_id=vpc_id,
            client_security_group_id=client_security_group_id,
            port=args.port,
            engine=args.engine,
            opts=child,
        )
        params = aws.elasticache.ParameterGroup(
            f"{name}-params",
            family=args.parameter_group_family,
            description=f"{name}: slow-log threshold and eviction policy",
            parameters=[
                {"name": "maxmemory-policy", "value": args.maxmemory_policy},
                {"name": "slowlog-log-slower-than", "value": str(args.slowlog_threshold_us)},
            ],
            opts=child,
        )
        token = random.RandomPassword(
            f"{name}-auth-token",
            length=args.auth_token_length,
            special=True,
            override_special=AUTH_TOKEN_SPECIALS,
            min_lower=4,
            min_upper=4,
            min_numeric=4,
            opts=child,
        )
        secret = aws.secretsmanager.Secret(
            f"{name}-auth",
            description=f"{name}: AUTH token and TLS endpoints of the {args.engine} replication group",
            kms_key_id=secrets_kms_key_arn if secrets_kms_key_arn is not None else kms_key_arn,
            recovery_window_in_days=args.secret_recovery_window_days,
            opts=protected,
        )
        log_groups = {
            log_type: aws.cloudwatch.LogGroup(
                f"{name}-{log_type}",
                retention_in_days=args.log_retention_days,
                kms_key_id=logs_kms_key_arn,
                opts=child,
            )
            for log_type in ("slow-log", "engine-log")
        }
        final_snapshot_identifier = None
        if args.final_snapshot:
            suffix = random.RandomId(f"{name}-final-id", byte_length=4, opts=child)
            final_snapshot_identifier = pulumi.Output.concat(name.lower(), "-final-", suffix.hex)

        group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            description=f"{name}: {args.engine} for sessions and caching",
            engine=args.engine,
            engine_version=args.resolved_engine_version,
            node_type=args.node_type,
            num_cache_clusters=args.num_cache_nodes,
            port=args.port,
            parameter_group_name=params.name,
            subnet_group_name=subnet_group_name,
            security_group_ids=[sg.id],
            at_rest_encryption_enabled=True,
            kms_key_id=kms_key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token.result,
            auth_token_update_strategy="ROTATE",
            automatic_failover_enabled=args.automatic_failover,
            multi_az_enabled=args.multi_az,
            snapshot_retention_limit=args.snapshot_retention_days,
            snapshot_window=args.snapshot_window,
            maintenance_window=normalise_weekly(args.maintenance_window),
            final_snapshot_identifier=final_snapshot_identifier,
            auto_minor_version_upgrade=args.auto_minor_version_upgrade,
            apply_immediately=args.apply_immediately,
            log_delivery_configurations=[
                {
                    "destination": group_.name,
                    "destination_type": "cloudwatch-logs",
                    "log_format": "json",
                    "log_type": log_type,
                }
                for log_type, group_ in log_groups.items()
            ],
            tags={"Name": f"{name}-{args.engine}"},
            opts=protected,
        )
        aws.secretsmanager.SecretVersion(
            f"{name}-auth-value",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(
                pulumi.Output.all(
                    token.result, group.primary_endpoint_address, group.reader_endpoint_address
                ).apply(
                    lambda values: json.dumps(
                        {
                            "auth_token": values[0],
                            "host": values[1],
                            "reader_host": values[2],
                            "port": args.port,
                            "tls": True,
                        }
                    )
                )
            ),
            opts=child,
        )

        self.primary_endpoint = group.primary_endpoint_address
        self.reader_endpoint = group.reader_endpoint_address
        self.port = pulumi.Output.from_input(args.port)
        self.auth_secret_arn = secret.arn
        self.replication_group_id = group.replication_group_id
        self.member_cluster_ids = group.member_clusters
        self.register_outputs(
            {
                "primary_endpoint": self.primary_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "port": self.port,
                "auth_secret_arn": self.auth_secret_arn,
                "replication_group_id": self.replication_group_id,
                "member_cluster_ids": self.member_cluster_ids,
            }
        )
