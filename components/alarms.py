"""CloudWatch alarms of the platform's managed services: what is watched, against which threshold.

:class:`AlarmThresholds` holds the numbers (per tier, in config); :func:`alarm_specs` turns them and
the ids of the watched resources into :class:`AlarmSpec` values, one per alarm, which the monitoring
component registers and the CloudWatch dashboard plots. Keeping the list as data lets the dashboard
show exactly the alarmed metrics, with the alarm line drawn at the threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated

import pulumi
from pydantic import AfterValidator, Field

from .args import Args

#: Every alarm evaluates one-minute datapoints; counts below are therefore per minute.
PERIOD_SECONDS = 60

GIB = 1024**3
MIB = 1024**2


def _check_percent(value: float) -> float:
    if not 0 <= value <= 100:
        raise ValueError("a percentage; allowed: 0 to 100")
    return value


#: A percentage, 0 to 100 inclusive.
Percent = Annotated[float, AfterValidator(_check_percent)]


class AlarmThresholds(Args):
    """When each CloudWatch alarm fires. Defaults are production's: tight enough to page before users notice."""

    evaluation_periods: int = Field(
        default=5,
        ge=1,
        le=60,
        description="Consecutive one-minute periods over the threshold before an alarm fires: 5 matches the "
        "seed's `for: 5m`; dev waits longer to avoid noise.",
    )
    rds_cpu_percent: Percent = Field(
        default=80, description="RDS CPUUtilization: above 80% sustained leaves no headroom for a failover."
    )
    rds_free_local_storage_gib: int = Field(
        default=8,
        ge=1,
        description=(
            "Aurora FreeLocalStorage floor per instance (temporary tables, sorts, logs; the cluster volume "
            "itself grows on its own): 8 GiB of a db.r6g.xlarge's ~64 GiB."
        ),
    )
    rds_free_memory_mib: int = Field(
        default=512,
        ge=1,
        description="RDS FreeableMemory floor: under 512 MiB the instance starts swapping.",
    )
    rds_connections: int = Field(
        default=400,
        ge=1,
        description="RDS DatabaseConnections ceiling: ~80% of max_connections of the prod instance class.",
    )
    rds_replica_lag_seconds: int = Field(
        default=30,
        ge=1,
        description=(
            "AuroraReplicaLagMaximum of the cluster (readers normally lag by milliseconds): 30 s of stale "
            "reads is visible to users."
        ),
    )
    cache_engine_cpu_percent: Percent = Field(
        default=80,
        description="ElastiCache EngineCPUUtilization: Redis is single-threaded, so the engine thread saturates first.",
    )
    cache_memory_percent: Percent = Field(
        default=80,
        description="ElastiCache DatabaseMemoryUsagePercentage: above 80% evictions and swap follow.",
    )
    cache_evictions_per_minute: int = Field(
        default=100,
        ge=0,
        description="ElastiCache Evictions per minute: sessions live in Redis, so evictions log users out.",
    )
    cache_replication_lag_seconds: int = Field(
        default=10,
        ge=1,
        description="ElastiCache ReplicationLag on replicas: a lagging replica loses writes on failover.",
    )
    nat_port_allocation_errors_per_minute: int = Field(
        default=0,
        ge=0,
        description="NAT ErrorPortAllocation per minute: any error means connections are being refused.",
    )
    nat_dropped_packets_per_minute: int = Field(
        default=100,
        ge=0,
        description="NAT PacketsDropCount per minute: a steady drop rate means the gateway is saturated.",
    )
    eks_failed_nodes: int = Field(
        default=0,
        ge=0,
        description="Container Insights cluster_failed_node_count: any failed node is worth a look.",
    )
    waf_blocked_requests_per_minute: int = Field(
        default=500,
        ge=0,
        description="WAF BlockedRequests per minute: a spike is an attack or a broken client release.",
    )


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch alarm on one metric of one resource."""

    key: str  #: logical-name suffix, unique within the component
    group: str  #: dashboard section (RDS, ElastiCache, NAT, EKS, WAF)
    title: str  #: human title, also the dashboard widget title
    namespace: str
    metric_name: str
    dimensions: dict[str, pulumi.Input[str]]
    statistic: str
    comparison: str
    threshold: float
    description: str
    treat_missing_data: str = "missing"
    tags: dict[str, str] = field(default_factory=dict)


ABOVE = "GreaterThanThreshold"
BELOW = "LessThanThreshold"


def _rds(t: AlarmThresholds, identifiers: Sequence[pulumi.Input[str]], cluster: pulumi.Input[str] | None):
    """Per Aurora instance (writer first): CPU, local storage, memory, connections. Per cluster with
    readers: the largest reader lag, whichever instance is the writer after a failover."""
    for i, ident in enumerate(identifiers):
        rds = partial(AlarmSpec, group="RDS", namespace="AWS/RDS", dimensions={"DBInstanceIdentifier": ident})
        yield rds(
            key=f"rds-cpu-{i}", title="Aurora CPU utilisation (%)", metric_name="CPUUtilization",
            statistic="Average", comparison=ABOVE, threshold=t.rds_cpu_percent,
            description=f"Aurora instance {i}: CPU above {t.rds_cpu_percent:g}%",
        )  # fmt: skip
        yield rds(
            key=f"rds-free-local-storage-{i}", title="Aurora free local storage (bytes)",
            metric_name="FreeLocalStorage", statistic="Minimum", comparison=BELOW,
            threshold=t.rds_free_local_storage_gib * GIB,
            description=f"Aurora instance {i}: free local storage below {t.rds_free_local_storage_gib} GiB",
        )  # fmt: skip
        yield rds(
            key=f"rds-free-memory-{i}", title="Aurora freeable memory (bytes)", metric_name="FreeableMemory",
            statistic="Minimum", comparison=BELOW, threshold=t.rds_free_memory_mib * MIB,
            description=f"Aurora instance {i}: freeable memory below {t.rds_free_memory_mib} MiB",
        )  # fmt: skip
        yield rds(
            key=f"rds-connections-{i}", title="Aurora connections", metric_name="DatabaseConnections",
            statistic="Maximum", comparison=ABOVE, threshold=t.rds_connections,
            description=f"Aurora instance {i}: more than {t.rds_connections} connections",
        )  # fmt: skip
    if cluster is not None and len(identifiers) > 1:
        yield AlarmSpec(
            key="rds-replica-lag", group="RDS", title="Aurora replica lag (ms)", namespace="AWS/RDS",
            metric_name="AuroraReplicaLagMaximum", dimensions={"DBClusterIdentifier": cluster},
            statistic="Maximum", comparison=ABOVE, threshold=t.rds_replica_lag_seconds * 1000,
            description=f"Aurora cluster: a reader lags the writer by more than {t.rds_replica_lag_seconds} s",
        )  # fmt: skip


def _cache(t: AlarmThresholds, members: Sequence[pulumi.Input[str]]):
    for i, member in enumerate(members):
        redis = partial(
            AlarmSpec, group="ElastiCache", namespace="AWS/ElastiCache", dimensions={"CacheClusterId": member}
        )
        yield redis(
            key=f"cache-engine-cpu-{i}", title="Redis engine CPU (%)", metric_name="EngineCPUUtilization",
            statistic="Average", comparison=ABOVE, threshold=t.cache_engine_cpu_percent,
            description=f"Redis node {i}: engine CPU above {t.cache_engine_cpu_percent:g}%",
        )  # fmt: skip
        yield redis(
            key=f"cache-memory-{i}", title="Redis memory used (%)", metric_name="DatabaseMemoryUsagePercentage",
            statistic="Average", comparison=ABOVE, threshold=t.cache_memory_percent,
            description=f"Redis node {i}: memory use above {t.cache_memory_percent:g}%",
        )  # fmt: skip
        yield redis(
            key=f"cache-evictions-{i}", title="Redis evictions per minute", metric_name="Evictions",
            statistic="Sum", comparison=ABOVE, threshold=t.cache_evictions_per_minute,
            description=f"Redis node {i}: more than {t.cache_evictions_per_minute} evictions a minute",
            treat_missing_data="notBreaching",
        )  # fmt: skip
        # The primary publishes no ReplicationLag, and which node is primary changes on failover.
        yield redis(
            key=f"cache-replication-lag-{i}", title="Redis replication lag (s)", metric_name="ReplicationLag",
            statistic="Maximum", comparison=ABOVE, threshold=t.cache_replication_lag_seconds,
            description=f"Redis node {i}: replication lag above {t.cache_replication_lag_seconds} s",
            treat_missing_data="notBreaching",
        )  # fmt: skip


def _nat(t: AlarmThresholds, nat_ids: Sequence[pulumi.Input[str]]):
    for i, nat in enumerate(nat_ids):
        gateway = partial(
            AlarmSpec, group="NAT", namespace="AWS/NATGateway", dimensions={"NatGatewayId": nat},
            statistic="Sum", comparison=ABOVE, treat_missing_data="notBreaching",
        )  # fmt: skip
        yield gateway(
            key=f"nat-port-allocation-{i}", title="NAT port allocation errors", metric_name="ErrorPortAllocation",
            threshold=t.nat_port_allocation_errors_per_minute,
            description=f"NAT gateway {i}: port allocation errors, so new connections are refused",
        )  # fmt: skip
        yield gateway(
            key=f"nat-dropped-packets-{i}", title="NAT dropped packets", metric_name="PacketsDropCount",
            threshold=t.nat_dropped_packets_per_minute,
            description=f"NAT gateway {i}: more than {t.nat_dropped_packets_per_minute} packets dropped a minute",
        )  # fmt: skip


def _nat_instances(instance_ids: Sequence[pulumi.Input[str]]):
    # A NAT instance publishes no NAT metrics; its status checks say whether the VPC still has a way out
    # (a failed system check is recovered by EC2 itself, a failed instance check needs a person).
    for i, instance in enumerate(instance_ids):
        yield AlarmSpec(
            key=f"nat-instance-status-{i}", group="NAT", title="NAT instance status check failed",
            namespace="AWS/EC2", metric_name="StatusCheckFailed", dimensions={"InstanceId": instance},
            statistic="Maximum", comparison=ABOVE, threshold=0,
            description=f"NAT instance {i}: a status check fails, so the private subnets may have no egress",
        )  # fmt: skip


def _eks(t: AlarmThresholds, cluster_name: pulumi.Input[str]):
    yield AlarmSpec(
        key="eks-failed-nodes", group="EKS", title="EKS failed nodes", namespace="ContainerInsights",
        metric_name="cluster_failed_node_count", dimensions={"ClusterName": cluster_name},
        statistic="Maximum", comparison=ABOVE, threshold=t.eks_failed_nodes,
        description=f"EKS: more than {t.eks_failed_nodes} node(s) failed or not ready (Container Insights)",
    )  # fmt: skip


def _waf(t: AlarmThresholds, web_acl_name: pulumi.Input[str], region: pulumi.Input[str]):
    yield AlarmSpec(
        key="waf-blocked-requests", group="WAF", title="WAF blocked requests per minute",
        namespace="AWS/WAFV2", metric_name="BlockedRequests",
        dimensions={"WebACL": web_acl_name, "Region": region, "Rule": "ALL"},
        statistic="Sum", comparison=ABOVE, threshold=t.waf_blocked_requests_per_minute,
        description=f"WAF: more than {t.waf_blocked_requests_per_minute} requests blocked a minute "
        "(an attack, or a client release gone wrong)",
        treat_missing_data="notBreaching",
    )  # fmt: skip


def alarm_specs(
    thresholds: AlarmThresholds,
    *,
    cluster_name: pulumi.Input[str],
    region: pulumi.Input[str],
    db_instance_identifiers: Sequence[pulumi.Input[str]] = (),
    db_cluster_identifier: pulumi.Input[str] | None = None,
    cache_member_cluster_ids: Sequence[pulumi.Input[str]] = (),
    nat_gateway_ids: Sequence[pulumi.Input[str]] = (),
    nat_instance_ids: Sequence[pulumi.Input[str]] = (),
    web_acl_name: pulumi.Input[str] | None = None,
) -> list[AlarmSpec]:
    """Every alarm of the platform, in dashboard order: RDS, ElastiCache, NAT, EKS, WAF."""
    specs = [
        *_rds(thresholds, db_instance_identifiers, db_cluster_identifier),
        *_cache(thresholds, cache_member_cluster_ids),
        *_nat(thresholds, nat_gateway_ids),
        *_nat_instances(nat_instance_ids),
        *_eks(thresholds, cluster_name),
    ]
    if web_acl_name is not None:
        specs.extend(_waf(thresholds, web_acl_name, region))
    return specs
