"""DNS: what Route 53 reports for a created public hosted zone (its id and the four name servers)."""

from __future__ import annotations

from typing import Any


def _zone(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    zone_id = f"Z{seed.upper()[:20]}"
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "nameServers": [
            f"ns-{int(seed[i * 2 : i * 2 + 2], 16) + i * 512}.awsdns-{i:02d}.{tld}"
            for i, tld in enumerate(("com", "net", "org", "co.uk"))
        ],
        "primaryNameServer": f"ns-{int(seed[:2], 16)}.awsdns-00.com",
    }


EXTRA_OUTPUTS = {"aws:route53/zone:Zone": _zone}
