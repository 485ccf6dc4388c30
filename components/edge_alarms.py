"""Alarms on the public load balancer, which the AWS Load Balancer Controller creates (not Pulumi).

CloudWatch keys ALB metrics by the ``LoadBalancer`` dimension, ``app/<name>/<id>``; the id is AWS's,
known only once the controller has created the ALB. The program names the ALB (``<platform.name>-
<stack>``, through the controller's LoadBalancerConfiguration), so the alarms look it up by that name
with an invoke that *depends on* the edge objects: during a preview that creates them the lookup waits
(its result is unknown), and during the update it runs after them.

Why not a Metrics Insights query alarm, which needs no id: Metrics Insights aggregates with AVG, COUNT,
MAX, MIN and SUM only (no percentile, so no p99), and its ``WHERE`` matches dimension values exactly
(the id again). See docs/decisions/load-balancer-alarms.md.

The two alarms: the 5xx rate (the ALB's own 5xx plus the targets', over all requests, as a
percentage, by metric math) and the p99 target response time.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
from pydantic import Field

from .args import Args

NAMESPACE = "AWS/ApplicationELB"


class EdgeAlarmThresholds(Args):
    """When the load balancer alarms fire."""

    error_rate_percent: float = Field(
        default=5, gt=0, le=100, description="5xx share of requests; seed 004's critical 'error rates > 5%'."
    )
    p99_latency_seconds: float = Field(
        default=2.0, gt=0, le=60, description="p99 TargetResponseTime; seed 003's API latency target is 2 s."
    )
    evaluation_periods: int = Field(default=5, ge=1, le=60, description="Consecutive one-minute periods.")


def create_edge_alarms(
    name: str,
    thresholds: EdgeAlarmThresholds,
    *,
    load_balancer_name: str,
    topic_arn: pulumi.Input[str],
    depends_on: Sequence[pulumi.Resource],
    opts: pulumi.ResourceOptions,
) -> list[aws.cloudwatch.MetricAlarm]:
    """The 5xx-rate and p99-latency alarms of the ALB named ``load_balancer_name``."""
    lookup = aws.lb.get_load_balancer_output(
        name=load_balancer_name,
        opts=pulumi.InvokeOutputOptions(parent=opts.parent, depends_on=list(depends_on)),
    )
    dimensions = {"LoadBalancer": lookup.arn_suffix}

    def metric(query_id: str, metric_name: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgsDict:
        return {
            "id": query_id,
            "metric": {
                "namespace": NAMESPACE,
                "metric_name": metric_name,
                "dimensions": dimensions,
                "period": 60,
                "stat": "Sum",
            },
            "return_data": False,
        }

    error_rate = aws.cloudwatch.MetricAlarm(
        f"{name}-alb-5xx-rate",
        alarm_description=f"ALB {load_balancer_name}: more than {thresholds.error_rate_percent}% of requests "
        "answered 5xx (by the ALB or the targets)",
        metric_queries=[
            metric("elb5xx", "HTTPCode_ELB_5XX_Count"),
            metric("target5xx", "HTTPCode_Target_5XX_Count"),
            metric("requests", "RequestCount"),
            {
                "id": "rate",
                "expression": "100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests",
                "label": "5xx %",
                "return_data": True,
            },
        ],
        evaluation_periods=thresholds.evaluation_periods,
        threshold=thresholds.error_rate_percent,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",  # no requests: no errors
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags={"AlarmGroup": "ALB"},
        opts=opts,
    )
    latency = aws.cloudwatch.MetricAlarm(
        f"{name}-alb-p99-latency",
        alarm_description=f"ALB {load_balancer_name}: p99 target response time above "
        f"{thresholds.p99_latency_seconds} s",
        namespace=NAMESPACE,
        metric_name="TargetResponseTime",
        dimensions=dimensions,
        extended_statistic="p99",
        period=60,
        evaluation_periods=thresholds.evaluation_periods,
        threshold=thresholds.p99_latency_seconds,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags={"AlarmGroup": "ALB"},
        opts=opts,
    )
    return [error_rate, latency]
