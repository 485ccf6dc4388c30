"""Network per tier. dev: cheapest that works (one NAT instance instead of a NAT gateway — $10.42 against
$41.00 a month at the usage file's 100 GB, trade-offs in docs/decisions/dev-cost.md — no interface
endpoints, two AZs, flow logs of rejected traffic only). The NAT instance is a t4g.micro ($6.13/month, 1 GiB): masquerading needs no memory,
and its ~64 Mbit/s baseline (bursting to 5 Gbit/s on network credits) carries dev's 100 GB a month
(an average under 1 Mbit/s); image layers come through the S3 gateway endpoint, not the NAT;
staging: prod-shaped but one NAT; prod: three AZs, a NAT per AZ, a year of flow logs."""

PROFILES = {
    "dev": {
        "az_count": 2,
        "nat_strategy": "instance",
        "nat_instance_type": "t4g.micro",
        "interface_endpoints": [],
        "flow_log_retention_days": 30,
        # REJECT only (issue 21): dev's flow logs answer "what did a security group or NACL drop?" (a
        # missing rule while developing, a scanner at the NAT's address); accepted flows in dev are the
        # team's own traffic, and every accepted flow is a record (the dominant volume). Delivery to the
        # logs bucket (S3 vended-log rates) was the other option: it keeps ALL flows cheaply but moves
        # them out of Logs Insights next to the rest of dev's logs. Staging and prod keep ALL.
        "flow_log_traffic_type": "REJECT",
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
