"""Grafana dashboards of seed 004 (system overview, application performance, database, business,
security) as dashboard JSON, each shipped in a ConfigMap that Grafana's sidecar loads.

Panels query the Prometheus data source kube-prometheus-stack provisions (uid ``prometheus``).
Application and business panels read the metrics the platform's services are expected to expose:
``http_requests_total`` / ``http_request_duration_seconds`` (status, service labels) as in seed 000's
alert rules, and ``quantumvest_*`` counters for business events; they show "No data" until a service
exports them, which is the prompt to add them.
"""

from __future__ import annotations

import json
from typing import Any

#: The sidecar loads ConfigMaps carrying this label (kube-prometheus-stack's default label and value).
SIDECAR_LABEL = {"grafana_dashboard": "1"}

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"

Panel = dict[str, Any]


def _panel(title: str, exprs: dict[str, str], unit: str = "short", kind: str = "timeseries") -> Panel:
    """A panel with one query per legend entry (``{legend: expr}``); position is set by the dashboard."""
    return {
        "type": kind,
        "title": title,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
        "targets": [
            {"refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend, "datasource": DATASOURCE}
            for i, (legend, expr) in enumerate(exprs.items())
        ],
    }


def _dashboard(uid: str, title: str, description: str, panels: list[Panel]) -> dict[str, Any]:
    """A complete dashboard: panels laid out two per row, a data-source picker, UTC, 30 s refresh."""
    laid_out = [
        {**panel, "id": index + 1, "gridPos": {"h": 8, "w": 12, "x": (index % 2) * 12, "y": (index // 2) * 8}}
        for index, panel in enumerate(panels)
    ]
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["quantumvest"],
        "timezone": "utc",
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {"text": "Prometheus", "value": "prometheus"},
                }
            ]
        },
        "annotations": {"list": []},
        "panels": laid_out,
    }


def system_overview() -> dict[str, Any]:
    return _dashboard(
        "qv-system-overview",
        "System Overview",
        "Nodes and pods: CPU, memory, disk, network, restarts (seeds 000 and 004, system metrics).",
        [
            _panel(
                "Node CPU utilisation",
                {
                    "{{instance}}": f'1 - avg by (instance) (rate(node_cpu_seconds_total{{mode="idle"}}[{RATE}]))'
                },
                "percentunit",
            ),
            _panel(
                "Node memory used",
                {"{{instance}}": "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes"},
                "percentunit",
            ),
            _panel(
                "Node disk used",
                {
                    "{{instance}} {{mountpoint}}": '1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay"}'
                    ' / node_filesystem_size_bytes{fstype!~"tmpfs|overlay"}'
                },
                "percentunit",
            ),
            _panel(
                "Node network traffic",
                {
                    "in {{instance}}": f'sum by (instance) (rate(node_network_receive_bytes_total{{device!~"lo|veth.*|eni.*"}}[{RATE}]))',
                    "out {{instance}}": f'sum by (instance) (rate(node_network_transmit_bytes_total{{device!~"lo|veth.*|eni.*"}}[{RATE}]))',
                },
                "Bps",
            ),
            _panel(
                "Nodes ready",
                {"ready": 'sum(kube_node_status_condition{condition="Ready", status="true"})'},
                kind="stat",
            ),
            _panel(
                "Container restarts (1h) by namespace",
                {
                    "{{namespace}}": "sum by (namespace) (increase(kube_pod_container_status_restarts_total[1h]))"
                },
            ),
            _panel(
                "Pods not running by namespace",
                {
                    "{{namespace}}": 'sum by (namespace) (kube_pod_status_phase{phase=~"Pending|Failed|Unknown"})'
                },
            ),
            _panel(
                "CPU requested vs allocatable",
                {
                    "requested": 'sum(kube_pod_container_resource_requests{resource="cpu"})',
                    "allocatable": 'sum(kube_node_status_allocatable{resource="cpu"})',
                },
            ),
        ],
    )


def application_performance() -> dict[str, Any]:
    return _dashboard(
        "qv-application-performance",
        "Application Performance",
        "Request rate, errors and latency per service (seed 004, application metrics).",
        [
            _panel(
                "Requests per second",
                {"{{service}}": f"sum by (service) (rate(http_requests_total[{RATE}]))"},
                "reqps",
            ),
            _panel(
                "Error rate (5xx)",
                {
                    "{{service}}": f'sum by (service) (rate(http_requests_total{{status=~"5.."}}[{RATE}]))'
                    f" / sum by (service) (rate(http_requests_total[{RATE}]))"
                },
                "percentunit",
            ),
            _panel(
                "Latency p95",
                {
                    "{{service}}": "histogram_quantile(0.95, sum by (le, service) "
                    f"(rate(http_request_duration_seconds_bucket[{RATE}])))"
                },
                "s",
            ),
            _panel(
                "Latency p99",
                {
                    "{{service}}": "histogram_quantile(0.99, sum by (le, service) "
                    f"(rate(http_request_duration_seconds_bucket[{RATE}])))"
                },
                "s",
            ),
            _panel(
                "Requests by status",
                {"{{status}}": f"sum by (status) (rate(http_requests_total[{RATE}]))"},
                "reqps",
            ),
            _panel(
                "Pod CPU by workload",
                {
                    "{{namespace}}/{{pod}}": 'sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container!=""}'
                    f"[{RATE}]))"
                },
            ),
            _panel(
                "Pod memory by workload",
                {
                    "{{namespace}}/{{pod}}": 'sum by (namespace, pod) (container_memory_working_set_bytes{container!=""})'
                },
                "bytes",
            ),
            _panel(
                "Replicas available vs desired",
                {
                    "available {{deployment}}": "sum by (deployment) (kube_deployment_status_replicas_available)",
                    "desired {{deployment}}": "sum by (deployment) (kube_deployment_spec_replicas)",
                },
            ),
        ],
    )


def database() -> dict[str, Any]:
    return _dashboard(
        "qv-database",
        "Database",
        "PostgreSQL and Redis through their exporters (seed 000, database metrics).",
        [
            _panel("PostgreSQL up", {"up": "min(pg_up)"}, kind="stat"),
            _panel(
                "PostgreSQL connections", {"{{datname}}": "sum by (datname) (pg_stat_database_numbackends)"}
            ),
            _panel(
                "PostgreSQL transactions per second",
                {
                    "commit": f"sum(rate(pg_stat_database_xact_commit[{RATE}]))",
                    "rollback": f"sum(rate(pg_stat_database_xact_rollback[{RATE}]))",
                },
                "ops",
            ),
            _panel(
                "PostgreSQL cache hit ratio",
                {
                    "{{datname}}": f"sum by (datname) (rate(pg_stat_database_blks_hit[{RATE}])) / (sum by (datname) "
                    f"(rate(pg_stat_database_blks_hit[{RATE}])) + sum by (datname) (rate(pg_stat_database_blks_read[{RATE}])))"
                },
                "percentunit",
            ),
            _panel(
                "PostgreSQL deadlocks",
                {"{{datname}}": f"sum by (datname) (increase(pg_stat_database_deadlocks[{RATE}]))"},
            ),
            _panel("Redis up", {"up": "min(redis_up)"}, kind="stat"),
            _panel(
                "Redis memory used / max",
                {"{{instance}}": "redis_memory_used_bytes / redis_memory_max_bytes"},
                "percentunit",
            ),
            _panel(
                "Redis hit ratio",
                {
                    "hit ratio": f"sum(rate(redis_keyspace_hits_total[{RATE}])) / (sum(rate(redis_keyspace_hits_total[{RATE}]))"
                    f" + sum(rate(redis_keyspace_misses_total[{RATE}])))"
                },
                "percentunit",
            ),
            _panel(
                "Redis evictions and clients",
                {
                    "evicted keys/s": f"sum(rate(redis_evicted_keys_total[{RATE}]))",
                    "connected clients": "sum(redis_connected_clients)",
                },
            ),
        ],
    )


def business() -> dict[str, Any]:
    return _dashboard(
        "qv-business",
        "Business Metrics",
        "Registrations, activity, trading and model serving (seed 004, business metrics).",
        [
            _panel(
                "New registrations (24h)",
                {"registrations": "sum(increase(quantumvest_user_registrations_total[24h]))"},
                kind="stat",
            ),
            _panel("Active sessions", {"sessions": "sum(quantumvest_active_sessions)"}),
            _panel(
                "Orders per minute by status",
                {"{{status}}": f"sum by (status) (rate(quantumvest_orders_total[{RATE}])) * 60"},
            ),
            _panel(
                "Portfolio valuations per minute",
                {"valuations": f"sum(rate(quantumvest_portfolio_valuations_total[{RATE}])) * 60"},
            ),
            _panel(
                "Model predictions per second by model",
                {"{{model}}": f"sum by (model) (rate(quantumvest_model_predictions_total[{RATE}]))"},
                "ops",
            ),
            _panel(
                "Market data fetch latency p95 by provider",
                {
                    "{{provider}}": "histogram_quantile(0.95, sum by (le, provider) "
                    f"(rate(quantumvest_market_data_fetch_duration_seconds_bucket[{RATE}])))"
                },
                "s",
            ),
        ],
    )


def security() -> dict[str, Any]:
    return _dashboard(
        "qv-security",
        "Security",
        "Denied requests, failed logins, certificates (seed 004, security monitoring); the WAF's blocked and "
        "rate-limited requests are on the CloudWatch dashboard (AWS/WAFV2 BlockedRequests).",
        [
            _panel(
                "Denied (401/403) per second by service",
                {"{{service}}": f'sum by (service) (rate(http_requests_total{{status=~"401|403"}}[{RATE}]))'},
                "reqps",
            ),
            _panel(
                "Rate-limited (429) per second by service",
                {"{{service}}": f'sum by (service) (rate(http_requests_total{{status="429"}}[{RATE}]))'},
                "reqps",
            ),
            _panel(
                "Failed logins per minute",
                {"{{reason}}": f"sum by (reason) (rate(quantumvest_auth_login_failures_total[{RATE}])) * 60"},
            ),
            _panel(
                "Kubernetes API denied requests",
                {"{{resource}}": f'sum by (resource) (rate(apiserver_request_total{{code="403"}}[{RATE}]))'},
                "reqps",
            ),
            _panel(
                "Days to certificate expiry",
                {
                    "{{namespace}}/{{name}}": "(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400"
                },
                "d",
            ),
            _panel(
                "Secrets synced from Secrets Manager (not ready)",
                {
                    "{{namespace}}/{{name}}": 'externalsecret_status_condition{condition="Ready", status="False"}'
                },
            ),
        ],
    )


#: ConfigMap key suffix → dashboard builder, in seed 004's order.
DASHBOARDS = {
    "system-overview": system_overview,
    "application-performance": application_performance,
    "database": database,
    "business": business,
    "security": security,
}


def dashboard_json(key: str) -> str:
    """The dashboard as the JSON text Grafana imports (stable key order, so diffs stay small)."""
    return json.dumps(DASHBOARDS[key](), indent=2, sort_keys=True)
