"""The CodeBuild runner per tier: on everywhere (the schema default); dev keeps its logs a month,
staging three months, prod a year (deploy records).

dev's log group is Infrequent Access (half the ingestion price, issue 21): a job's output is read in the
GitHub Actions run, the group is the after-the-fact record, searched with Logs Insights if ever; nothing
filters or subscribes to it. Staging and prod keep Standard. Compute stays BUILD_GENERAL1_MEDIUM in
every tier: a whole stack's preview with the Kubernetes provider needs more than SMALL's 3 GB."""

PROFILES = {
    "dev": {"log_retention_days": 30, "log_group_class": "INFREQUENT_ACCESS"},
    "staging": {"log_retention_days": 90},
}
