"""Pricing rules: S3, EFS, ECR and AWS Backup vaults (storage from the usage file)."""

from __future__ import annotations

from tools.cost.lookup import usage_value
from tools.cost.model import Context, CostItem, Priced, Unpriceable, prices
from tools.harness import Resource


@prices("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", usage=("storage_gb",))
def _bucket(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["requests and data transfer are not priced"])
    gb = usage_value(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Storage (S3 Standard)", gb, "GB-months", ctx.prices.data["s3_gb_month"]["standard"])
        )
    return priced


@prices("aws:efs/fileSystem:FileSystem", usage=("storage_gb", "infrequent_access_storage_gb"))
def _efs(resource: Resource, ctx: Context) -> Priced:
    priced = Priced()
    if resource.inputs.get("throughputMode") == "provisioned":
        priced.notes.append("provisioned throughput is not in the price table")
    gb = usage_value(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Storage (Standard)", gb, "GB-months", ctx.prices.data["efs_gb_month"]["standard"])
        )
    ia = ctx.usage_for(resource).get("infrequent_access_storage_gb")
    if ia:
        rate = ctx.prices.data["efs_gb_month"]["infrequent_access"]
        priced.items.append(CostItem("Storage (Infrequent Access)", float(ia), "GB-months", rate))
    return priced


@prices("aws:efs/replicationConfiguration:ReplicationConfiguration")
def _efs_replication(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("the replica file system AWS creates in the destination region is not in the graph")


@prices("aws:ecr/repository:Repository", usage=("storage_gb",))
def _ecr(resource: Resource, ctx: Context) -> Priced:
    priced = Priced()
    gb = usage_value(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Image storage", gb, "GB-months", ctx.prices.per_resource("ecr_gb_month"))
        )
    return priced


@prices("aws:backup/vault:Vault", usage=("storage_gb",))
def _backup_vault(resource: Resource, ctx: Context) -> Priced:
    priced = Priced()
    gb = usage_value(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Warm backup storage", gb, "GB-months", ctx.prices.per_resource("backup_warm_gb_month"))
        )
    return priced
