"""Disaster-recovery settings per tier, and the pilot light a standby runs while idle.

No tier has a standby by default (``dr.role: none``): pairing is per stack (Pulumi.prod.yaml names its
standby, Pulumi.prod-dr.yaml its primary).

``STANDBY_IDLE`` is layered over the tier profile (and under the stack file) for a standby that is not
active (config/loader.py): the smallest platform that still passes the primary's DNS checks if it must
answer — two replicas of each service behind the load balancer and one of the others (the autoscalers
may grow them), the system group at its two
nodes (the add-ons: CoreDNS, the load balancer controller, external-secrets, Prometheus), one node
where the applications schedule, nothing in the batch, spot and GPU groups. ``dr.active: true`` drops
the layer, so the standby gets exactly the primary's tier sizes (seed 003's 3-20 trading, 2-10
analytics, 3-replica services) from the same profile: one source for both.
"""

from __future__ import annotations

from typing import Any

from config.seed_services import PROD_SIZES, seed_services

PROFILES: dict[str, dict[str, Any]] = {}

#: The database setting an active standby sets (config/loader.py ``derive_dr``): ``DatabaseArgs.detached``
#: removes the secondary cluster from the global cluster, which promotes it (components/database.py).
#: Here, in an SDK-free module, so the activation tool (imported by every command line) shares it.
DATABASE_PROMOTION_KEY = "detached"

#: (replicas, autoscaler minimum, autoscaler maximum): two of each service behind the load balancer (the
#: prod tier's floor for an ingress service: one pod per AZ-failure, and what answers the health check
#: the moment DNS fails over), one of the others; the primary's ceilings kept.
_SERVING = ("backend", "frontend")
STANDBY_SIZES = {
    service: (2, 2, high) if service in _SERVING else (1, 1, high)
    for service, (_, _, high) in PROD_SIZES.items()
}

STANDBY_IDLE: dict[str, Any] = {
    "cluster": {
        "node_groups": {
            "trading": {"min_size": 1, "desired_size": 1},
            "analytics": {"min_size": 0, "desired_size": 0},
            "spot": {"min_size": 0, "desired_size": 0},
            "gpu": {"min_size": 0, "desired_size": 0},
        },
    },
    "workloads": {"services": seed_services(STANDBY_SIZES)},
}
