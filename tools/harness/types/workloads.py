"""Kubernetes objects of the workloads: what the cluster reports back that consumers read.

The ALB an Ingress of class ``alb`` gets from the AWS Load Balancer Controller: its DNS name, in the
Ingress status (Route 53 aliases point at it). Named like the controller names ALBs.
"""

from __future__ import annotations

from typing import Any


def _ingress(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    if (inputs.get("spec") or {}).get("ingressClassName") != "alb":
        return {}
    meta = inputs.get("metadata") or {}
    prefix = f"k8s-{meta.get('namespace', 'default')}-{meta.get('name', name)}"[:20].rstrip("-")
    hostname = f"{prefix}-{seed[:10]}-{int(seed[:6], 16)}.{region}.elb.amazonaws.com"
    return {"status": {"loadBalancer": {"ingress": [{"hostname": hostname}]}}}


EXTRA_OUTPUTS = {"kubernetes:networking.k8s.io/v1:Ingress": _ingress}
