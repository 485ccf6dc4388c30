"""Network per tier. dev: cheapest that works (one NAT instance instead of a NAT gateway — $16.55 against
$41.00 a month at the usage file's 100 GB, trade-offs in docs/decisions/dev-cost.md — no interface
endpoints, two AZs);
staging: prod-shaped but one NAT; prod: three AZs, a NAT per AZ, a year of flow logs."""

PROFILES = {
    "dev": {
        "az_count": 2,
        "nat_strategy": "instance",
        "interface_endpoints": [],
        "flow_log_retention_days": 30,
    },
    "staging": {
        "az_count": 3,
        "nat_strategy": "single",
        "flow_log_retention_days": 90,
    },
    "prod": {
        "az_count": 3,
        "nat_strategy": "one_per_az",
        "flow_log_retention_days": 365,
    },
}
