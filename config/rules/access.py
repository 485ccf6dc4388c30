"""The admin VPN's client range must not overlap the VPC (AWS refuses the endpoint: clients would be
unroutable) nor the DR VPC (the day the two are peered, clients must still reach both)."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def vpn_clients_have_their_own_range(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    if not cfg.admin_vpn.enabled:
        return
    clients = cfg.admin_vpn.client_cidr
    networks = [("network.cidr", cfg.network.cidr)]
    if cfg.platform.dr_region:
        networks.append(("dr_network.cidr", cfg.dr_network.cidr))
    for key, cidr in networks:
        if clients.overlaps(cidr):
            yield FieldProblem(
                "admin_vpn.client_cidr",
                str(clients),
                f"overlaps {key} ({cidr}); VPN clients need a range of their own (e.g. 10.250.0.0/22)",
            )


RULES = [vpn_clients_have_their_own_range]
