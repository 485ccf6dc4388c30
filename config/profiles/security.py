"""Security per tier. dev: cheapest that works and easy to tear down (no `protect`, shortest KMS and
secret deletion windows, a month of logs, a week of backups); staging: prod-shaped with shorter
retention; prod: the schema defaults — protected, a year of WAF and trail logs in CloudWatch, seven
years of trail files, 30-day backups (seed 004) copied to the DR region."""

PROFILES = {
    "dev": {
        "protect": False,
        "keys": {"deletion_window_days": 7},
        "waf": {"log_retention_days": 30},
        "cloudtrail": {"log_retention_days": 30, "archive_retention_days": 90, "glacier_after_days": 30},
        "ecr": {"keep_images": 10},
        "app_secrets": {"recovery_window_days": 7},
        "backup": {"retention_days": 7},
        "budget": {"monthly_limit_usd": 500},
    },
    "staging": {
        "protect": False,
        "keys": {"deletion_window_days": 14},
        "waf": {"log_retention_days": 90},
        "cloudtrail": {"log_retention_days": 90, "archive_retention_days": 365},
        "ecr": {"keep_images": 20},
        "app_secrets": {"recovery_window_days": 7},
        "backup": {"retention_days": 30},
        "budget": {"monthly_limit_usd": 2500},
    },
    "prod": {
        "protect": True,
        "keys": {"deletion_window_days": 30},
        "waf": {"log_retention_days": 365},
        "cloudtrail": {"log_retention_days": 365, "archive_retention_days": 2557},
        "ecr": {"keep_images": 50},
        "app_secrets": {"recovery_window_days": 30},
        "backup": {"retention_days": 30},
        "budget": {"monthly_limit_usd": 12000},
    },
}
