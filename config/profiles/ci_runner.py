"""The CodeBuild runner per tier: on everywhere (the schema default); dev keeps its logs a month,
staging three months, prod a year (deploy records)."""

PROFILES = {
    "dev": {"log_retention_days": 30},
    "staging": {"log_retention_days": 90},
}
