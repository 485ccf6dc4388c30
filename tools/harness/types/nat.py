"""EC2 instance outputs the network reads: the NAT instance's primary network interface (the private
route tables' target) and its private IP, shaped like RunInstances answers them."""

from __future__ import annotations

from typing import Any

Outputs = dict[str, Any]


def _instance(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    return {
        "primaryNetworkInterfaceId": f"eni-{seed[:17]}",
        "privateIp": f"10.0.0.{int(seed[:2], 16) % 250 + 4}",
        "instanceState": "running",
    }


EXTRA_OUTPUTS = {"aws:ec2/instance:Instance": _instance}
ID_PREFIX = {"aws:ec2/instance:Instance": "i-"}
