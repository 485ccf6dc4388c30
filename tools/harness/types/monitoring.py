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


EXTRA_OUTPUTS = {
    "aws:sns/topic:Topic": _topic,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
}
