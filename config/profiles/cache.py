"""Cache per tier. dev: one small node, no failover, nothing protected; staging: a primary and a
replica across two AZs; prod: the schema defaults (seed 003's cache.r6g.large x 3, Multi-AZ, protected)."""

PROFILES = {
    "dev": {
        "node_type": "cache.t4g.micro",
        "num_cache_nodes": 1,
        "automatic_failover": False,
        "multi_az": False,
        "snapshot_retention_days": 1,
        "final_snapshot": False,
        "protect": False,
        "secret_recovery_window_days": 7,
        "log_retention_days": 7,
        "apply_immediately": True,
    },
    "staging": {
        "node_type": "cache.t4g.medium",
        "num_cache_nodes": 2,
        "snapshot_retention_days": 3,
        "protect": False,
        "log_retention_days": 30,
    },
    "prod": {},
}
