"""Secrets Manager, SNS and CloudWatch alarms/dashboards in moto."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]


@creates("aws:secretsmanager/secret:Secret")
def secret(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or (i["namePrefix"] + ctx.seed if i.get("namePrefix") else ctx.auto_name(512))
    created = ctx.call(
        "secretsmanager",
        "create_secret",
        Name=name,
        KmsKeyId=i.get("kmsKeyId"),
        Description=i.get("description"),
        Tags=[{"Key": k, "Value": v} for k, v in (i.get("tags") or {}).items()] or None,
    )
    return created["ARN"], {"arn": created["ARN"], "name": name}


@creates("aws:secretsmanager/secretVersion:SecretVersion")
def secret_version(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "secretsmanager", "put_secret_value", SecretId=i["secretId"], SecretString=i.get("secretString")
    )
    return f"{i['secretId']}|{created['VersionId']}", {
        "arn": created["ARN"],
        "versionId": created["VersionId"],
    }


@creates("aws:sns/topic:Topic")
def topic(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(256)
    attributes = {
        k: str(v)
        for k, v in {"KmsMasterKeyId": i.get("kmsMasterKeyId"), "Policy": i.get("policy")}.items()
        if v
    }
    arn = ctx.call("sns", "create_topic", Name=name, Attributes=attributes or None)["TopicArn"]
    return arn, {"arn": arn, "name": name}


@creates("aws:sns/topicSubscription:TopicSubscription")
def subscription(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    arn = ctx.call(
        "sns",
        "subscribe",
        TopicArn=i["topic"],
        Protocol=i["protocol"],
        Endpoint=i.get("endpoint"),
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return arn, {"arn": arn}


@creates("aws:cloudwatch/metricAlarm:MetricAlarm")
def metric_alarm(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(255)
    metrics = [
        {
            k: v
            for k, v in {
                "Id": q["id"],
                "Expression": q.get("expression"),
                "Label": q.get("label"),
                "ReturnData": q.get("returnData"),
                "MetricStat": {
                    "Metric": {
                        "Namespace": q["metric"].get("namespace"),
                        "MetricName": q["metric"].get("metricName"),
                        "Dimensions": [
                            {"Name": dk, "Value": dv}
                            for dk, dv in (q["metric"].get("dimensions") or {}).items()
                        ],
                    },
                    "Period": q["metric"].get("period"),
                    "Stat": q["metric"].get("stat"),
                }
                if q.get("metric")
                else None,
            }.items()
            if v is not None
        }
        for q in i.get("metricQueries") or []
    ]
    ctx.call(
        "cloudwatch",
        "put_metric_alarm",
        AlarmName=name,
        AlarmDescription=i.get("alarmDescription"),
        ComparisonOperator=i["comparisonOperator"],
        EvaluationPeriods=i["evaluationPeriods"],
        DatapointsToAlarm=i.get("datapointsToAlarm"),
        Threshold=i.get("threshold"),
        MetricName=i.get("metricName"),
        Namespace=i.get("namespace"),
        Period=i.get("period"),
        Statistic=i.get("statistic"),
        ExtendedStatistic=i.get("extendedStatistic"),
        Dimensions=[{"Name": k, "Value": v} for k, v in (i.get("dimensions") or {}).items()] or None,
        Metrics=metrics or None,
        AlarmActions=i.get("alarmActions"),
        OKActions=i.get("okActions"),
        InsufficientDataActions=i.get("insufficientDataActions"),
        TreatMissingData=i.get("treatMissingData"),
        ActionsEnabled=i.get("actionsEnabled"),
    )
    return name, {"arn": ctx.arn("cloudwatch", f"alarm:{name}"), "name": name}


@creates("aws:cloudwatch/dashboard:Dashboard")
def dashboard(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "cloudwatch", "put_dashboard", DashboardName=i["dashboardName"], DashboardBody=i["dashboardBody"]
    )
    return i["dashboardName"], {
        "dashboardArn": f"arn:aws:cloudwatch::123456789012:dashboard/{i['dashboardName']}"
    }


@creates("aws:sns/topicPolicy:TopicPolicy")
def topic_policy(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "sns", "set_topic_attributes", TopicArn=i["arn"], AttributeName="Policy", AttributeValue=i["policy"]
    )
    return i["arn"], {"owner": "123456789012"}
