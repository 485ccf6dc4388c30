"""The stack's CloudWatch dashboard: the alarmed metrics, grouped by service, with the alarm lines drawn.

Built from the same :class:`~components.alarms.AlarmSpec` list as the alarms, so a metric that is
alarmed is always on the dashboard and vice versa. Dimension values may be Pulumi outputs; the body
is rendered with ``pulumi.Output.json_dumps``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from .alarms import PERIOD_SECONDS, AlarmSpec

WIDGET_WIDTH = 12  # two widgets per row on the 24-column grid
WIDGET_HEIGHT = 6


def _metric_widgets(specs: Sequence[AlarmSpec], region: pulumi.Input[str]) -> list[dict[str, Any]]:
    """One time-series widget per (service, metric), a line per resource, the threshold as annotation."""
    by_metric: dict[tuple[str, str, str], list[AlarmSpec]] = {}
    for spec in specs:
        by_metric.setdefault((spec.group, spec.namespace, spec.metric_name), []).append(spec)
    widgets: list[dict[str, Any]] = []
    for index, ((group, namespace, metric), members) in enumerate(by_metric.items()):
        first = members[0]
        lines = []
        for spec in members:
            line: list[Any] = [namespace, metric]
            for dim_name, dim_value in spec.dimensions.items():
                line.extend([dim_name, dim_value])
            lines.append([*line, {"stat": spec.statistic, "label": spec.key}])
        widgets.append(
            {
                "type": "metric",
                "x": (index % 2) * WIDGET_WIDTH,
                "y": (index // 2) * WIDGET_HEIGHT,
                "width": WIDGET_WIDTH,
                "height": WIDGET_HEIGHT,
                "properties": {
                    "title": f"{group}: {first.title}",
                    "view": "timeSeries",
                    "region": region,
                    "period": PERIOD_SECONDS,
                    "stat": first.statistic,
                    "metrics": lines,
                    "annotations": {"horizontal": [{"label": "alarm threshold", "value": first.threshold}]},
                },
            }
        )
    return widgets


def dashboard_body(
    specs: Sequence[AlarmSpec], alarm_arns: Sequence[pulumi.Input[str]], region: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The dashboard JSON: an alarm-status strip on top, then the metric widgets."""
    metric_widgets = _metric_widgets(specs, region)
    for widget in metric_widgets:
        widget["y"] += WIDGET_HEIGHT  # below the alarm strip
    status = {
        "type": "alarm",
        "x": 0,
        "y": 0,
        "width": 2 * WIDGET_WIDTH,
        "height": WIDGET_HEIGHT,
        "properties": {
            "title": "Alarm status",
            "alarms": list(alarm_arns),
            "sortBy": "stateUpdatedTimestamp",
        },
    }
    return pulumi.Output.json_dumps({"start": "-PT6H", "widgets": [status, *metric_widgets]})
