"""Database per tier (Aurora PostgreSQL, docs/decisions/database-topology.md). dev: the cheapest that
works (one Serverless v2 instance that pauses when idle, a day of backups, nothing protected); staging:
prod-shaped (a writer and a reader to fail over to) on burstable instances; prod: the schema defaults
(seed 003's db.r6g.xlarge, a reader, 30 days of backups) leading a global database the DR stack joins."""

PROFILES = {
    "dev": {
        "instance_class": "db.serverless",
        # Pauses after 10 idle minutes; resumes in ~15 s on the next connection (AWS docs, auto-pause).
        "serverless_min_acu": 0,
        "serverless_max_acu": 4,
        "seconds_until_auto_pause": 600,
        "backup_retention_days": 1,
        "deletion_protection": False,
        "final_snapshot": False,
        "protect": False,
        "retain_on_delete": False,
        "read_replica_count": 0,
        "log_retention_days": 7,
        "apply_immediately": True,
        # Enhanced Monitoring's agent and Performance Insights keep an idle instance busy; dev does without.
        "performance_insights": False,
        "monitoring_interval_seconds": 0,
    },
    "staging": {
        "instance_class": "db.t4g.medium",
        "backup_retention_days": 7,
        "protect": False,
        "retain_on_delete": False,
        "read_replica_count": 1,
        "log_retention_days": 30,
    },
    # prod's global database follows from its DR pairing (dr.role: primary; config/loader.py derive_dr):
    # the standby stack (prod-dr) runs the prod tier too, and its database joins that global database.
    "prod": {},
}
