"""Pricing rules: ElastiCache (Redis OSS and Valkey node-based; Serverless listed as not priced)."""

from __future__ import annotations

from tools.cost.lookup import hourly
from tools.cost.model import Context, Priced, Unpriceable, prices
from tools.harness import Resource

#: ElastiCache for Valkey vs Redis OSS, same node type (prices file ``_about.notes``).
VALKEY_FACTOR = 0.8


def _cache_rate(ctx: Context, node_type: str | None, engine: str | None, priced: Priced) -> float:
    if engine == "memcached":
        raise Unpriceable("the price table has ElastiCache prices for Redis OSS and Valkey only")
    rate = ctx.prices.rate("elasticache_redis_node_hourly", node_type or "")
    if rate is None:
        raise Unpriceable(f"no ElastiCache price for node type {node_type!r}")
    if engine == "valkey":
        priced.notes.append(f"Valkey priced at {VALKEY_FACTOR} x the Redis OSS node rate")
        rate *= VALKEY_FACTOR
    return rate


@prices("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(resource: Resource, ctx: Context) -> Priced:
    inputs = resource.inputs
    if inputs.get("numNodeGroups") is not None:
        shards = int(inputs["numNodeGroups"])
        replicas = int(inputs.get("replicasPerNodeGroup") or 0)
        nodes, shape = shards * (replicas + 1), f"{shards} shards x {replicas + 1} nodes"
    else:
        nodes = int(inputs.get("numCacheClusters") or 1)
        shape = f"{nodes} nodes: primary + {nodes - 1} replicas"
    priced = Priced()
    rate = _cache_rate(ctx, inputs.get("nodeType"), inputs.get("engine"), priced)
    priced.items.append(hourly(ctx, f"Cache nodes ({inputs.get('nodeType')}, {shape})", rate, nodes))
    return priced


@prices("aws:elasticache/cluster:Cluster")
def _cache_cluster(resource: Resource, ctx: Context) -> Priced | None:
    if resource.inputs.get("replicationGroupId"):
        return None  # a member of a replication group, priced there
    nodes = int(resource.inputs.get("numCacheNodes") or 1)
    priced = Priced()
    rate = _cache_rate(ctx, resource.inputs.get("nodeType"), resource.inputs.get("engine"), priced)
    priced.items.append(hourly(ctx, f"Cache nodes ({resource.inputs.get('nodeType')})", rate, nodes))
    return priced


@prices("aws:elasticache/serverlessCache:ServerlessCache")
def _serverless_cache(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(
        "ElastiCache Serverless bills per ECPU and GB-hour, which the price table does not have"
    )
