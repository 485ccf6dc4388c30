"""Monitoring per tier. dev: a week of metrics on a small volume, single replicas, looser thresholds and
slower alarms (nobody is paged for dev); staging: prod-shaped, smaller; prod: the schema defaults
(a month of metrics, HA Prometheus and Alertmanager, a year of logs), spelled out here for review.

dev's container log groups are Infrequent Access (issue 21): half the ingestion price ($0.25 against
$0.50 a GB), still encrypted, retained and searchable with Logs Insights; what they lose (metric filters,
subscription filters, Live Tail) nothing in the platform uses on them — alerts come from Prometheus and
CloudWatch metrics, not from log patterns. Staging and prod keep Standard (Live Tail while on call)."""

PROFILES = {
    "dev": {
        "log_retention_days": 14,
        "log_group_class": "INFREQUENT_ACCESS",
        "prometheus": {
            "retention_days": 7,
            "storage_gib": 20,
            "replicas": 1,
            "memory_gib": 2,
            "alertmanager_replicas": 1,
        },
        "thresholds": {
            "evaluation_periods": 15,
            "rds_cpu_percent": 90,
            "rds_free_local_storage_gib": 1,
            "rds_free_memory_mib": 128,
            "rds_connections": 80,
            "rds_replica_lag_seconds": 300,
            "cache_engine_cpu_percent": 90,
            "cache_memory_percent": 90,
            "cache_evictions_per_minute": 1000,
            "cache_replication_lag_seconds": 60,
            "nat_dropped_packets_per_minute": 1000,
            "waf_blocked_requests_per_minute": 2000,
        },
    },
    "staging": {
        "log_retention_days": 90,
        "prometheus": {
            "retention_days": 15,
            "storage_gib": 50,
            "replicas": 1,
            "memory_gib": 4,
            "alertmanager_replicas": 2,
        },
        "thresholds": {
            "evaluation_periods": 10,
            "rds_cpu_percent": 85,
            "rds_free_local_storage_gib": 2,
            "rds_free_memory_mib": 256,
            "rds_connections": 200,
            "rds_replica_lag_seconds": 60,
            "cache_engine_cpu_percent": 85,
            "cache_memory_percent": 85,
            "cache_evictions_per_minute": 500,
            "cache_replication_lag_seconds": 30,
            "nat_dropped_packets_per_minute": 500,
            "waf_blocked_requests_per_minute": 1000,
        },
    },
    "prod": {
        "log_retention_days": 365,
        "prometheus": {
            "retention_days": 30,
            "storage_gib": 200,
            "replicas": 2,
            "memory_gib": 8,
            "alertmanager_replicas": 3,
        },
        "thresholds": {
            "evaluation_periods": 5,
            "rds_cpu_percent": 80,
            "rds_free_local_storage_gib": 8,
            "rds_free_memory_mib": 512,
            "rds_connections": 400,
            "rds_replica_lag_seconds": 30,
            "cache_engine_cpu_percent": 80,
            "cache_memory_percent": 80,
            "cache_evictions_per_minute": 100,
            "cache_replication_lag_seconds": 10,
            "nat_dropped_packets_per_minute": 100,
            "waf_blocked_requests_per_minute": 500,
        },
    },
}
