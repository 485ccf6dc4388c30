"""Coverage of what the stack tells people: every metric an alert or a dashboard reads is scraped, and
every alarm, Alertmanager route and security finding reaches a receiver that exists in the tier.

*scrape*: the expressions of each PrometheusRule and of each Grafana dashboard ConfigMap (label
``grafana_dashboard``) are reduced to metric names (:mod:`policy.rules.promql`); each name's producer
comes from :data:`policy.rules.coverage_data.METRIC_PRODUCERS` and must be present: a chart whose own
monitor is on, or — for the application's metrics — a ServiceMonitor selecting a Service that exposes
the named port and selects the pods, or a PodMonitor selecting the pods' named port.

*routing*: a CloudWatch alarm's actions name SNS topics of the stack with a subscription (in prod one of
them a pager); each Alertmanager route of kube-prometheus-stack ends at a receiver that exists and
sends somewhere (only routes that silence named alerts may end at an empty receiver); GuardDuty (and
Security Hub) findings reach a subscribed topic through an EventBridge rule and target in their region,
the topic's policy letting EventBridge publish.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from policy.model import Context, ResourceLike
from policy.rules import tokens as t
from policy.rules.base import as_list, dig, rule
from policy.rules.coverage_data import (
    ANOMALY_SUBSCRIPTION,
    APPLICATION,
    COMPOSITE_ALARM,
    EVENT_RULE,
    EVENT_TARGET,
    FINDING_SOURCES,
    METRIC_ALARM,
    PUBLISHERS,
    SNS_TOPIC,
    Application,
    ChartMonitor,
    producer_of,
)
from policy.rules.coverage_graph import (
    chart_setting,
    helm_values,
    labels_match,
    namespace_selected,
    receiver_problems,
    region_of,
    releases_of,
    topics_named,
)
from policy.rules.promql import metric_names
from policy.view import StackView

PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor"
K8S_SERVICE = "kubernetes:core/v1:Service"
K8S_CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
DASHBOARD_LABEL = "grafana_dashboard"
ALERTMANAGER_CHART = "kube-prometheus-stack"

# --- scrape ---------------------------------------------------------------------------------------


def _panel_exprs(panels: Any) -> Iterator[str]:
    for panel in as_list(panels):
        if not isinstance(panel, Mapping):
            continue
        for target in as_list(panel.get("targets")):
            if isinstance(target, Mapping) and isinstance(target.get("expr"), str):
                yield target["expr"]
        yield from _panel_exprs(panel.get("panels"))  # rows hold panels


def expressions(r: ResourceLike) -> list[tuple[str, str]]:
    """``(where, expr)`` of every PromQL expression a PrometheusRule or dashboard ConfigMap holds."""
    found: list[tuple[str, str]] = []
    if r.type == PROMETHEUS_RULE:
        for group in as_list(dig(r.inputs, "spec.groups")):
            for item in as_list(group.get("rules") if isinstance(group, Mapping) else None):
                if isinstance(item, Mapping) and isinstance(item.get("expr"), str):
                    name = item.get("alert") or item.get("record") or "?"
                    found.append((f"rule {name}", item["expr"]))
        return found
    labels = dig(r.inputs, "metadata.labels") or {}
    if DASHBOARD_LABEL not in labels:
        return found
    for key, text in (r.inputs.get("data") or {}).items():
        try:
            dashboard = json.loads(text)
        except (TypeError, ValueError):
            continue
        title = dashboard.get("title", key) if isinstance(dashboard, Mapping) else key
        for panel_expr in _panel_exprs(dashboard.get("panels") if isinstance(dashboard, Mapping) else None):
            found.append((f"dashboard {title!r}", panel_expr))
    return found


def _pod_template(workload: ResourceLike) -> tuple[dict[str, Any], list[Mapping[str, Any]]]:
    labels = dig(workload.inputs, "spec.template.metadata.labels") or {}
    containers = as_list(dig(workload.inputs, "spec.template.spec.containers"))
    return labels, [c for c in containers if isinstance(c, Mapping)]


def _container_ports(containers: list[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        str(p.get("name")): p.get("containerPort")
        for c in containers
        for p in as_list(c.get("ports"))
        if isinstance(p, Mapping) and p.get("name")
    }


def _namespace(r: ResourceLike) -> str | None:
    return dig(r.inputs, "metadata.namespace")


def _scraped_by_service_monitor(stack: StackView, workload: ResourceLike) -> bool:
    labels, containers = _pod_template(workload)
    ports = _container_ports(containers)
    for service in stack.of_type(K8S_SERVICE):
        if _namespace(service) != _namespace(workload):
            continue
        selector = dig(service.inputs, "spec.selector") or {}
        if not selector or any(labels.get(k) != v for k, v in selector.items()):
            continue
        service_ports = {
            str(p.get("name")): p
            for p in as_list(dig(service.inputs, "spec.ports"))
            if isinstance(p, Mapping)
        }
        for monitor in stack.of_type(SERVICE_MONITOR):
            spec = monitor.inputs.get("spec") or {}
            if not namespace_selected(
                spec.get("namespaceSelector"), _namespace(monitor), _namespace(service)
            ):
                continue
            if not labels_match(spec.get("selector"), dig(service.inputs, "metadata.labels")):
                continue
            for endpoint in as_list(spec.get("endpoints")):
                port = service_ports.get(str(endpoint.get("port")))
                target = port.get("targetPort") if port else None
                if port is not None and (target in ports or target in ports.values() or target is None):
                    return True
    return False


def _scraped_by_pod_monitor(stack: StackView, workload: ResourceLike) -> bool:
    labels, containers = _pod_template(workload)
    ports = _container_ports(containers)
    for monitor in stack.of_type(POD_MONITOR):
        spec = monitor.inputs.get("spec") or {}
        if not namespace_selected(spec.get("namespaceSelector"), _namespace(monitor), _namespace(workload)):
            continue
        if not labels_match(spec.get("selector"), labels):
            continue
        if any(str(e.get("port")) in ports for e in as_list(spec.get("podMetricsEndpoints"))):
            return True
    return False


def unscraped_applications(stack: StackView, producer: Application = APPLICATION) -> list[str]:
    """The platform's Deployments no monitor scrapes (by name)."""
    missing = []
    for workload in stack.of_type(t.K8S_DEPLOYMENT):
        labels, _ = _pod_template(workload)
        if labels.get(producer.part_of_label) != producer.part_of_value:
            continue
        if not (_scraped_by_service_monitor(stack, workload) or _scraped_by_pod_monitor(stack, workload)):
            missing.append(str(dig(workload.inputs, "metadata.name") or workload.name))
    return sorted(missing)


def _chart_problem(stack: StackView, producer: ChartMonitor) -> str | None:
    releases = releases_of(stack, producer.chart)
    if not releases:
        return f"no {producer.chart} release in the stack"
    if not any(chart_setting(r, producer.path, producer.default) is True for r in releases):
        return f"{producer.chart}'s {producer.path} is off"
    return None


@rule(
    "scrape-coverage",
    "Every metric a PrometheusRule or a Grafana dashboard reads is produced by a scraped target",
    ids=("—",),
    types=(PROMETHEUS_RULE, K8S_CONFIG_MAP),
    remediation="Scrape the producer: a ServiceMonitor/PodMonitor on the service's named metrics port "
    "(components/k8s_monitors.py), or the chart's own monitor (serviceMonitor.enabled); a metric nobody "
    "produces gets a row in policy/rules/coverage_data.py with its source, or leaves the expression.",
    scope="stack",
)
def scrape_coverage(r: ResourceLike, ctx: Context) -> Iterator[str]:
    stack = ctx.stack
    problems: dict[str, dict[str, list[str]]] = {}  # problem → where → metrics
    unscraped: list[str] | None = None
    for where, expr in expressions(r):
        for metric in sorted(metric_names(expr)):
            producer = producer_of(metric)
            if producer is None:
                problem = "no known producer"
            elif isinstance(producer, ChartMonitor):
                problem = _chart_problem(stack, producer)
                problem = f"{producer.label}: {problem}" if problem else None
            else:
                unscraped = unscraped_applications(stack, producer) if unscraped is None else unscraped
                problem = f"{producer.label}: nothing scrapes {', '.join(unscraped)}" if unscraped else None
            if problem:
                problems.setdefault(problem, {}).setdefault(where, []).append(metric)
    for problem, uses in problems.items():
        listed = "; ".join(f"{where} reads {', '.join(sorted(set(m)))}" for where, m in uses.items())
        yield f"{listed} — {problem}"


# --- routing --------------------------------------------------------------------------------------


def _alarm_problems(stack: StackView, r: ResourceLike, prod: bool) -> Iterator[str]:
    topics, strangers = topics_named(stack, r, "alarmActions")
    if not topics and not strangers and not r.property_dependencies.get("alarmActions"):
        yield "has no alarm action: when it fires, nobody is told"
    for arn in strangers:
        yield f"notifies {arn}, which is no topic of this stack"
    for topic in topics:
        yield from receiver_problems(stack, topic, PUBLISHERS.get(r.type), prod)


def _alertmanager_problems(stack: StackView, r: ResourceLike, prod: bool) -> Iterator[str]:
    config = dig(helm_values(r), "alertmanager.config")
    if not isinstance(config, Mapping):
        return
    receivers = {str(x.get("name")): x for x in as_list(config.get("receivers")) if isinstance(x, Mapping)}
    topic_by_arn = {i: topic for topic in stack.of_type(SNS_TOPIC) for i in StackView.identities(topic)}

    def walk(route: Mapping[str, Any], path: str) -> Iterator[str]:
        name = str(route.get("receiver", ""))
        receiver = receivers.get(name)
        silencing = bool(route.get("matchers")) and all(
            str(m).replace(" ", "").startswith("alertname") for m in as_list(route.get("matchers"))
        )
        if receiver is None:
            yield f"Alertmanager route {path} ends at receiver {name!r}, which is not defined"
        else:
            configs = [v for k, v in receiver.items() if k.endswith("_configs")]
            sns = [
                c for group in configs for c in as_list(group) if isinstance(c, Mapping) and "topic_arn" in c
            ]
            if not configs and not silencing:
                yield f"Alertmanager route {path} ends at receiver {name!r}, which sends nowhere"
            for target in sns:
                topic = topic_by_arn.get(str(target.get("topic_arn")))
                if topic is None:
                    yield f"Alertmanager receiver {name!r} publishes to {target.get('topic_arn')}, no topic of this stack"
                    continue
                pager = prod and "critical" in json.dumps(route.get("matchers", []))
                for problem in receiver_problems(stack, topic, None, pager):
                    yield f"Alertmanager receiver {name!r}: {problem}"
        for index, child in enumerate(as_list(route.get("routes"))):
            if isinstance(child, Mapping):
                yield from walk(child, f"{path}.routes[{index}]")

    route = config.get("route")
    if isinstance(route, Mapping):
        yield from walk(route, "route")


def _finding_problems(stack: StackView, r: ResourceLike) -> Iterator[str]:
    source = FINDING_SOURCES[r.type]
    region = region_of(stack, r)
    rules = []
    for event_rule in stack.of_type(EVENT_RULE):
        pattern = event_rule.inputs.get("eventPattern")
        try:
            parsed = json.loads(pattern) if isinstance(pattern, str) else pattern
        except ValueError:
            continue
        if isinstance(parsed, Mapping) and source in as_list(parsed.get("source")):
            rule_region = region_of(stack, event_rule)
            if region is None or rule_region is None or rule_region == region:
                rules.append(event_rule)
    if not rules:
        yield f"no EventBridge rule in its region matches source {source}: its findings reach nobody"
        return
    reached = False
    for event_rule in rules:
        for target in stack.referrers(event_rule, "rule", EVENT_TARGET):
            topics, _ = topics_named(stack, target, "arn")
            for topic in topics:
                problems = list(receiver_problems(stack, topic, PUBLISHERS[EVENT_TARGET], False))
                yield from (f"findings via {event_rule.name}: {p}" for p in problems)
                reached = reached or not problems
    if not reached:
        yield f"the EventBridge rule for {source} has no SNS target that delivers to a subscriber"


@rule(
    "alert-routing",
    "Every CloudWatch alarm, Alertmanager route and security finding source ends at a subscribed receiver "
    "(in prod, a pager)",
    ids=("—",),
    types=(METRIC_ALARM, COMPOSITE_ALARM, t.K8S_HELM_RELEASE, ANOMALY_SUBSCRIPTION, *FINDING_SOURCES),
    remediation="Give the alarm an action to the stack's alert topic; subscribe the topic (monitoring."
    "alert_emails, and in prod monitoring.pager_endpoint); route GuardDuty findings through EventBridge to "
    "the security topic (components/findings.py), whose policy lets events.amazonaws.com publish.",
    scope="stack",
)
def alert_routing(r: ResourceLike, ctx: Context) -> Iterator[str]:
    stack = ctx.stack
    prod = ctx.environment not in ("dev", "staging")
    if r.type in (METRIC_ALARM, COMPOSITE_ALARM):
        yield from _alarm_problems(stack, r, prod)
    elif r.type == t.K8S_HELM_RELEASE:
        if str(r.inputs.get("chart") or "").endswith(ALERTMANAGER_CHART):
            yield from _alertmanager_problems(stack, r, prod)
    elif r.type == ANOMALY_SUBSCRIPTION:
        for subscriber in as_list(r.inputs.get("subscribers")):
            if isinstance(subscriber, Mapping) and subscriber.get("type") == "SNS":
                topics = [
                    topic
                    for topic in stack.of_type(SNS_TOPIC)
                    if str(subscriber.get("address")) in StackView.identities(topic)
                ]
                if not topics:
                    yield f"sends anomalies to {subscriber.get('address')}, no topic of this stack"
                for topic in topics:
                    yield from receiver_problems(stack, topic, PUBLISHERS[ANOMALY_SUBSCRIPTION], False)
    else:
        yield from _finding_problems(stack, r)
