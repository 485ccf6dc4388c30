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


@prices("aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance")
def _aurora(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("Aurora is not in the price table")
