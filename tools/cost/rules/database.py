"""Pricing rules: RDS and Aurora (the database tier). One module so database pricing is found in one place."""

from __future__ import annotations

from tools.cost.lookup import hourly, usage_value
from tools.cost.model import Context, CostItem, Priced, Unpriceable, prices
from tools.harness import Resource

#: RDS ``storage_type`` default when ``iops`` is not set (pulumi_aws.rds.Instance docstring).
RDS_DEFAULT_STORAGE_TYPE = "gp2"


@prices("aws:rds/instance:Instance", usage=("backup_storage_gb_beyond_free",))
def _rds(resource: Resource, ctx: Context) -> Priced:
    inputs = resource.inputs
    source = (
        ctx.find("aws:rds/instance:Instance", inputs.get("replicateSourceDb"))
        if inputs.get("replicateSourceDb")
        else None
    )
    replica = bool(inputs.get("replicateSourceDb"))
    engine = inputs.get("engine") or (source.inputs.get("engine") if source else None)
    if engine is None and replica:
        raise Unpriceable("read replica whose source is not in this stack: engine unknown")
    if engine not in ("postgres", None):
        raise Unpriceable(f"the price table has RDS prices for PostgreSQL only, not {engine!r}")
    instance_class = inputs.get("instanceClass")
    rate = ctx.prices.rate("rds_postgres_hourly_single_az", instance_class or "")
    if rate is None:
        raise Unpriceable(f"no RDS PostgreSQL price for instance class {instance_class!r}")
    multi_az = bool(inputs.get("multiAz"))
    copies = 2 if multi_az else 1
    role = "read replica" if replica else "primary"
    layout = "Multi-AZ: 2 x instance" if multi_az else "single-AZ"
    priced = Priced([hourly(ctx, f"Instance ({instance_class}, {role}, {layout})", rate, copies)])
    storage = inputs.get("allocatedStorage") or (source.inputs.get("allocatedStorage") if source else None)
    storage_type = inputs.get("storageType") or (source.inputs.get("storageType") if source else None)
    storage_type = storage_type or ("io1" if inputs.get("iops") else RDS_DEFAULT_STORAGE_TYPE)
    if storage:
        storage_rate = ctx.prices.rate("rds_storage_gb_month", storage_type)
        if storage_rate is None:
            priced.notes.append(
                f"storage type {storage_type!r} is not in the price table: storage not priced"
            )
        else:
            suffix = ", Multi-AZ: 2 x storage" if multi_az else ""
            priced.items.append(
                CostItem(
                    f"Storage ({storage_type}{suffix})", float(storage) * copies, "GB-months", storage_rate
                )
            )
    else:
        priced.notes.append(
            "allocatedStorage unknown (replica of a source outside this stack): storage not priced"
        )
    if inputs.get("iops"):
        priced.notes.append("provisioned IOPS are not in the price table")
    if (inputs.get("performanceInsightsRetentionPeriod") or 7) > 7:
        priced.notes.append("Performance Insights retention beyond 7 days is not priced")
    if not replica:
        beyond = usage_value(ctx, resource, "backup_storage_gb_beyond_free", priced)
        if beyond:
            priced.items.append(
                CostItem(
                    "Backup storage beyond the free allowance",
                    beyond,
                    "GB-months",
                    ctx.prices.data["rds_backup_gb_month_beyond_free"],
                )
            )
    return priced


def _aurora_cluster_of(ctx: Context, resource: Resource) -> Resource | None:
    return ctx.find("aws:rds/cluster:Cluster", resource.inputs.get("clusterIdentifier"))


@prices(
    "aws:rds/cluster:Cluster",
    usage=("storage_gb", "monthly_io_requests_millions", "backup_storage_gb_beyond_free"),
)
def _aurora_cluster(resource: Resource, ctx: Context) -> Priced:
    """The cluster volume: GB used (Aurora bills what is stored, replicated 6 ways at no extra charge),
    I/O requests on Aurora Standard, backups beyond the free allowance. Instances are priced apart."""
    inputs = resource.inputs
    if not str(inputs.get("engine") or "").startswith("aurora-postgresql"):
        raise Unpriceable(f"the price table has Aurora PostgreSQL prices only, not {inputs.get('engine')!r}")
    storage_type = inputs.get("storageType") or "aurora"
    rate = ctx.prices.rate("aurora_storage_gb_month", storage_type)
    if rate is None:
        raise Unpriceable(f"no Aurora storage price for storage type {storage_type!r}")
    priced = Priced()
    label = "I/O-Optimized" if storage_type == "aurora-iopt1" else "Standard"
    gb = usage_value(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(CostItem(f"Cluster volume (Aurora {label})", gb, "GB-months", rate))
    if storage_type != "aurora-iopt1":
        io = usage_value(ctx, resource, "monthly_io_requests_millions", priced)
        if io is not None:
            priced.items.append(
                CostItem("I/O requests", io, "million requests", ctx.prices.data["aurora_io_per_million"])
            )
    beyond = usage_value(ctx, resource, "backup_storage_gb_beyond_free", priced)
    if beyond:
        priced.items.append(
            CostItem(
                "Backup storage beyond the free allowance",
                beyond,
                "GB-months",
                ctx.prices.data["aurora_backup_gb_month_beyond_free"],
            )
        )
    if inputs.get("globalClusterIdentifier") and not inputs.get("masterUsername"):
        priced.notes.append("a global database's secondary: replicated write I/Os are not priced")
    return priced


@prices("aws:rds/clusterInstance:ClusterInstance", usage=("average_acus",))
def _aurora_instance(resource: Resource, ctx: Context) -> Priced:
    """An Aurora instance: instance-hours of its class (x1.3 on I/O-Optimized), or ACU-hours for
    Serverless v2 (``average_acus``: the month's mean capacity, pauses counting as 0)."""
    instance_class = resource.inputs.get("instanceClass") or ""
    cluster = _aurora_cluster_of(ctx, resource)
    optimized = cluster is not None and cluster.inputs.get("storageType") == "aurora-iopt1"
    factor = ctx.prices.data["aurora_iopt1_instance_factor"] if optimized else 1.0
    suffix = ", I/O-Optimized" if optimized else ""
    priced = Priced()
    if instance_class == "db.serverless":
        acus = usage_value(ctx, resource, "average_acus", priced)
        if acus is not None:
            priced.items.append(
                CostItem(
                    f"Serverless v2 capacity (mean {acus:g} ACU{suffix})",
                    acus * ctx.hours,
                    "ACU-hours",
                    ctx.prices.data["aurora_serverless_v2_acu_hour"] * factor,
                )
            )
        return priced
    rate = ctx.prices.rate("aurora_postgres_hourly", instance_class)
    if rate is None:
        raise Unpriceable(f"no Aurora PostgreSQL price for instance class {instance_class!r}")
    priced.items.append(hourly(ctx, f"Instance ({instance_class}{suffix})", rate * factor))
    if (resource.inputs.get("performanceInsightsRetentionPeriod") or 7) > 7:
        priced.notes.append("Performance Insights retention beyond 7 days is not priced")
    return priced
