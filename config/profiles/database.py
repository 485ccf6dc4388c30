"""Database per tier. dev: the cheapest that works (one burstable instance, a day of backups, nothing
protected); staging: prod-shaped (Multi-AZ, a replica, deletion protection) on smaller instances;
prod: the schema defaults (seed 003's db.r6g.xlarge, 30 days of backups) plus a DR replica in us-west-2."""

PROFILES = {
    "dev": {
        "instance_class": "db.t4g.micro",
        "allocated_storage_gb": 20,
        "max_allocated_storage_gb": 100,
        "multi_az": False,
        "backup_retention_days": 1,
        "deletion_protection": False,
        "final_snapshot": False,
        "protect": False,
        "retain_on_delete": False,
        "read_replica_count": 0,
        "log_retention_days": 7,
        "apply_immediately": True,
    },
    "staging": {
        "instance_class": "db.t4g.medium",
        "allocated_storage_gb": 100,
        "max_allocated_storage_gb": 500,
        "backup_retention_days": 7,
        "protect": False,
        "retain_on_delete": False,
        "read_replica_count": 1,
        "log_retention_days": 30,
    },
    # prod's cross-region replica follows platform.dr_region (config/loader.py derives it).
    "prod": {},
}
