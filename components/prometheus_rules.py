"""Prometheus alert rules of the platform, as the ``spec.groups`` of one PrometheusRule.

``SEED_RULES`` are seed 000's three rules with their names, ``for``, labels and annotations; one
expression is corrected so that it can fire (see :data:`SEED_RULES`).
The other groups add what seeds 000/001/004 ask to be alerted on and the seed does not spell out:
crash-looping pods, nodes not ready, persistent volumes almost full, certificates about to expire,
exporters down. Severity routes the alert: ``critical`` pages (SNS alert topic), ``warning`` emails.

Three upstream kube-prometheus-stack default rules are replaced by ours (``REPLACED_DEFAULT_RULES``)
so that one condition does not raise two differently named alerts.
"""

from __future__ import annotations

from typing import Any

Rule = dict[str, Any]

#: Seed 000, "Alerting Rules". HighCPUUsage as the seed writes it, ``avg(node_cpu_seconds_total{mode=
#: "idle"}) by (instance) < 0.2``, averages a *counter* (idle seconds since boot, growing for ever):
#: after a few seconds of uptime it is far above 0.2, so the alert can never fire. The idle *fraction*
#: is the counter's rate; below 0.2 means CPU above 80%, what the seed's description says.
SEED_RULES: list[Rule] = [
    {
        "alert": "HighCPUUsage",
        "expr": 'avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) < 0.2',
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

#: Seed 004, "Alert Management": queue length (warning) and failed logins (security alerts).
APPLICATION_RULES: list[Rule] = [
    _rule(
        "QueueLengthHigh",
        'max(redis_key_size{key="celery"}) > 1000',
        "10m",
        "warning",
        "Celery queue holds {{ $value }} tasks",
        "More than 1000 tasks have waited in the 'celery' queue for 10 minutes: workers are not keeping up "
        "(redis-exporter measures the list with REDIS_EXPORTER_CHECK_SINGLE_KEYS).",
    ),
    _rule(
        "FailedLoginsHigh",
        "sum(rate(quantumvest_auth_login_failures_total[5m])) * 60 > 20",
        "5m",
        "warning",
        "{{ $value | humanize }} failed logins a minute",
        "More than 20 failed logins a minute for 5 minutes: credential stuffing or a broken login flow.",
    ),
]

#: The edge controller (seed: "service downtime" of the public path): it stops reconciling the ALB.
EDGE_RULES: list[Rule] = [
    _rule(
        "EdgeControllerReconcileErrors",
        "sum by (controller) (rate(awslbc_reconcile_errors_total[10m])) > 0",
        "15m",
        "warning",
        "The AWS Load Balancer Controller fails to reconcile {{ $labels.controller }}",
        "Changes to the Gateway, routes or target groups are not reaching the ALB.",
    ),
    _rule(
        "EdgeControllerAwsPermissionErrors",
        "sum(rate(api_call_permission_errors_total[5m])) > 0",
        "10m",
        "critical",
        "The AWS Load Balancer Controller is denied AWS API calls",
        "Its IRSA role lacks a permission: targets are not registered and the ALB is not updated.",
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
        {"name": "quantumvest.application", "rules": APPLICATION_RULES},
        {"name": "quantumvest.edge", "rules": EDGE_RULES},
    ]
