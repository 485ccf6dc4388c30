"""Network per tier. dev: cheapest that works (one NAT, no interface endpoints, two AZs);
staging: prod-shaped but one NAT; prod: three AZs, a NAT per AZ, a year of flow logs."""

PROFILES = {
    "dev": {
        "az_count": 2,
        "nat_strategy": "single",
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
