"""Platform settings per tier: only prod has a disaster-recovery region (seed 003: us-east-1 primary,
us-west-2 for DR); dev and staging are single-region."""

PROFILES = {
    "prod": {"dr_region": "us-west-2"},
}
