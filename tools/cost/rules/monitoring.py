"""Pricing rules: CloudWatch logs, alarms and dashboards, SNS topics, backup restore tests."""

from __future__ import annotations

from tools.cost.lookup import usage_value
from tools.cost.model import Context, CostItem, Priced, Unpriceable, prices
from tools.harness import Resource


@prices("aws:cloudwatch/logGroup:LogGroup", usage=("monthly_data_ingested_gb", "storage_gb"))
def _log_group(resource: Resource, ctx: Context) -> Priced:
    """Ingestion at the rate of the group's class (Infrequent Access: half the Standard rate) plus the
    stored volume, derived from the retention unless the usage file gives it."""
    priced = Priced()
    ingested = usage_value(ctx, resource, "monthly_data_ingested_gb", priced)
    if ingested is None:
        return priced
    if resource.inputs.get("logGroupClass") == "INFREQUENT_ACCESS":
        label, rate_key = "Ingestion (Infrequent Access class)", "cloudwatch_logs_ingest_gb_infrequent_access"
    else:
        label, rate_key = "Ingestion", "cloudwatch_logs_ingest_gb"
    priced.items.append(CostItem(label, ingested, "GB", ctx.prices.per_resource(rate_key)))
    stored = ctx.usage_for(resource).get("storage_gb")
    retention = resource.inputs.get("retentionInDays")
    if stored is None:
        months = min(retention, 365) / 30.4 if retention else 12.0
        stored = ingested * months
        basis = f"{ingested:g} GB/month x {months:.1f} months retained" + (
            "" if retention else " (never expires: a year assumed)"
        )
    else:
        basis = "from the usage file"
    priced.items.append(
        CostItem(
            f"Storage ({basis})",
            float(stored),
            "GB-months",
            ctx.prices.per_resource("cloudwatch_logs_store_gb_month"),
        )
    )
    return priced


@prices("aws:cloudwatch/metricAlarm:MetricAlarm")
def _alarm(resource: Resource, ctx: Context) -> Priced:
    queries = resource.inputs.get("metricQueries") or []
    metrics = sum(1 for q in queries if isinstance(q, dict) and q.get("metric")) or 1
    priced = Priced(
        [
            CostItem(
                f"Alarm ({metrics} metric{'s' if metrics > 1 else ''})",
                metrics,
                "months",
                ctx.prices.per_resource("cloudwatch_alarm_month"),
            )
        ]
    )
    period = resource.inputs.get("period")
    if isinstance(period, int) and period < 60:
        priced.notes.append(
            "high-resolution alarm: priced at the standard-resolution rate (its rate is not in the table)"
        )
    return priced


@prices("aws:backup/restoreTestingPlan:RestoreTestingPlan")
def _restore_testing(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(
        "each test is a restore job (billed per GB restored) plus the restored RDS instance and EFS file "
        "system while they are validated; both scale with the data and are not in the price table"
    )


@prices("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("composite alarms are not in the price table")


@prices("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(resource: Resource, ctx: Context) -> Priced:
    return Priced(
        [CostItem("Dashboard", 1, "months", ctx.prices.per_resource("cloudwatch_dashboard_month"))],
        notes=["the first 3 dashboards of an account are free"],
    )


@prices("aws:sns/topic:Topic", usage=("monthly_publishes_million",))
def _topic(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["deliveries (email, SMS, HTTP) are not priced"])
    publishes = usage_value(ctx, resource, "monthly_publishes_million", priced)
    if publishes:
        priced.items.append(
            CostItem("Publishes", publishes, "millions", ctx.prices.per_resource("sns_million_publishes"))
        )
    return priced


@prices("aws:cloudwatch/logDelivery:LogDelivery")
def _log_delivery(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(
        "vended logs (e.g. CloudFront standard logs v2) are billed per GB delivered at the CloudWatch "
        "vended-log rate, which the price table does not have; the S3 storage is on the bucket"
    )
