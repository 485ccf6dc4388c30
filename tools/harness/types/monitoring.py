"""Monitoring: SNS topics and CloudWatch alarms get ARNs shaped as AWS shapes them (the name after a colon)."""

from __future__ import annotations

from typing import Any

from tools.harness.invokes import ACCOUNT_ID
from tools.harness.outputs import auto_name


def _topic(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    topic = inputs.get("name") or auto_name(name, seed)
    return {"name": topic, "arn": f"arn:aws:sns:{region}:{ACCOUNT_ID}:{topic}"}


def _alarm(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    alarm = inputs.get("name") or auto_name(name, seed)
    return {"name": alarm, "arn": f"arn:aws:cloudwatch:{region}:{ACCOUNT_ID}:alarm:{alarm}"}


def _dashboard(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    return {"dashboardArn": f"arn:aws:cloudwatch::{ACCOUNT_ID}:dashboard/{inputs.get('dashboardName')}"}


def _event_rule(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    rule = inputs.get("name") or auto_name(name, seed)
    return {"name": rule, "arn": f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule}"}


#: An EventBridge rule's id is its name (on the default event bus).
NAME_IS_ID = {"aws:cloudwatch/eventRule:EventRule"}

EXTRA_OUTPUTS = {
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:sns/topic:Topic": _topic,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
}
