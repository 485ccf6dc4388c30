"""Prometheus alert rules of the platform, as the ``spec.groups`` of one PrometheusRule.

``SEED_RULES`` are seed 000's three rules copied exactly (expression, ``for``, labels, annotations).
The other groups add what seeds 000/001/004 ask to be alerted on and the seed does not spell out:
crash-looping pods, nodes not ready, persistent volumes almost full, certificates about to expire,
exporters down. Severity routes the alert: ``critical`` pages (SNS alert topic), ``warning`` emails.

Three upstream kube-prometheus-stack default rules are replaced by ours (``REPLACED_DEFAULT_RULES``)
so that one condition does not raise two differently named alerts.
"""

from __future__ import annotations

from typing import Any

Rule = dict[str, Any]

#: Seed 000, "Alerting Rules": copied exactly. (HighCPUUsage compares a counter with 0.2, so it
#: cannot fire as written; ``NodeCPUUtilisationHigh`` below is the working equivalent.)
SEED_RULES: list[Rule] = [
    {
        "alert": "HighCPUUsage",
        "expr": 'avg(node_cpu_seconds_total{mode="idle"}) by (instance) < 0.2',
        "for": "5m",
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "High CPU usage on {{ $labels.instance }}",
            "description": "CPU usage is above 80% for more than 5 minutes.",
        },
    },
    {
        "alert": "HighMemoryUsage",
        "expr": "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10",
        "for": "5m",
        "labels": {"severity": "warning"},
        "annotations": {
            "summary": "High memory usage on {{ $labels.instance }}",
            "description": "Memory available is less than 10% for more than 5 minutes.",
        },
    },
    {
        "alert": "HighAPIErrorRate",
        "expr": 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) * 100 > 5',
        "for": "5m",
        "labels": {"severity": "critical"},
        "annotations": {
            "summary": "High API error rate",
            "description": "API error rate is above 5% for more than 5 minutes.",
        },
    },
]


def _rule(alert: str, expr: str, for_: str, severity: str, summary: str, description: str) -> Rule:
    return {
        "alert": alert,
        "expr": expr,
        "for": for_,
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


NODE_RULES: list[Rule] = [
    _rule(
        "NodeCPUUtilisationHigh",
        '(1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))) * 100 > 80',
        "5m",
        "warning",
        "High CPU utilisation on {{ $labels.instance }}",
        "CPU utilisation is {{ $value | humanize }}% (above 80%) for more than 5 minutes.",
    ),
    _rule(
        "NodeNotReady",
        'kube_node_status_condition{job="kube-state-metrics", condition="Ready", status="true"} == 0',
        "10m",
        "critical",
        "Node {{ $labels.node }} is not ready",
        "Node {{ $labels.node }} has not been Ready for more than 10 minutes.",
    ),
]

WORKLOAD_RULES: list[Rule] = [
    _rule(
        "PodCrashLooping",
        'max_over_time(kube_pod_container_status_waiting_reason{job="kube-state-metrics", '
        'reason="CrashLoopBackOff"}[5m]) >= 1',
        "15m",
        "warning",
        "Pod {{ $labels.namespace }}/{{ $labels.pod }} is crash looping",
        "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} has been in "
        "CrashLoopBackOff for more than 15 minutes.",
    ),
]

STORAGE_RULES: list[Rule] = [
    _rule(
        "PersistentVolumeAlmostFull",
        'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"}'
        ' * 100 < 15 and kubelet_volume_stats_used_bytes{job="kubelet"} > 0',
        "10m",
        "warning",
        "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is almost full",
        "Only {{ $value | humanize }}% of the volume is free (less than 15%).",
    ),
    _rule(
        "PersistentVolumeFull",
        'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"}'
        ' * 100 < 5 and kubelet_volume_stats_used_bytes{job="kubelet"} > 0',
        "5m",
        "critical",
        "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is full",
        "Only {{ $value | humanize }}% of the volume is free (less than 5%); writes will fail soon.",
    ),
]

CERTIFICATE_RULES: list[Rule] = [
    _rule(
        "CertificateExpiringSoon",
        "(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400 < 21",
        "1h",
        "warning",
        "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 21 days",
        "cert-manager renews 30 days ahead; a certificate this close to expiry is failing to renew.",
    ),
    _rule(
        "CertificateExpiryImminent",
        "(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400 < 7",
        "10m",
        "critical",
        "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than 7 days",
        "Renewal has been failing for weeks; clients will see TLS errors when it expires.",
    ),
    _rule(
        "CertificateNotReady",
        'certmanager_certificate_ready_status{condition="False"} == 1',
        "30m",
        "warning",
        "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready",
        "cert-manager has not been able to issue the certificate for 30 minutes.",
    ),
]

DATA_RULES: list[Rule] = [
    _rule(
        "PostgresDown",
        "pg_up == 0",
        "2m",
        "critical",
        "PostgreSQL is unreachable from the cluster",
        "postgres-exporter cannot connect to {{ $labels.instance }}: the database or the network path is down.",
    ),
    _rule(
        "RedisDown",
        "redis_up == 0",
        "2m",
        "critical",
        "Redis is unreachable from the cluster",
        "redis-exporter cannot connect to {{ $labels.instance }}: the cache or the network path is down.",
    ),
]

#: kube-prometheus-stack default rules that ours replace (``defaultRules.disabled``).
REPLACED_DEFAULT_RULES = ("KubePodCrashLooping", "KubeNodeNotReady", "KubePersistentVolumeFillingUp")


def rule_groups() -> list[dict[str, Any]]:
    """The PrometheusRule ``spec.groups``: the seed's rules first, then ours by area."""
    return [
        {"name": "quantumvest.seed", "rules": SEED_RULES},
        {"name": "quantumvest.nodes", "rules": NODE_RULES},
        {"name": "quantumvest.workloads", "rules": WORKLOAD_RULES},
        {"name": "quantumvest.storage", "rules": STORAGE_RULES},
        {"name": "quantumvest.certificates", "rules": CERTIFICATE_RULES},
        {"name": "quantumvest.data", "rules": DATA_RULES},
    ]
