"""Admin VPN per tier: on in staging and prod, where administrators need kubectl behind MFA; off in dev
(reached through the runner; a VPN there costs more than the rest of dev's access path). Prod associates
two subnets so an AZ outage does not lock administrators out."""

PROFILES = {
    "staging": {"enabled": True, "associated_subnets": 1},
    "prod": {"enabled": True, "associated_subnets": 2},
}
