"""How much and who: a service's HorizontalPodAutoscaler and its NetworkPolicies (who may call it, what
it may reach).

Split from ``k8s_service.py``; the resources are children of the ``K8sService`` passed in ``opts`` (same
logical names as before the split).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pulumi
import pulumi_kubernetes as k8s

from .k8s_pod import selector
from .k8s_service_args import ServiceArgs, ServiceWiring
from .k8s_service_fields import ScalingRule


def autoscaler(
    name: str,
    args: ServiceArgs,
    wiring: ServiceWiring,
    meta_labels: dict[str, str],
    deployment: k8s.apps.v1.Deployment,
    opts: pulumi.ResourceOptions,
) -> None:
    """An autoscaling/v2 HPA on the Deployment: CPU and/or memory targets, the configured behaviour."""
    scaling = args.autoscaling
    assert scaling is not None
    metrics: list[k8s.autoscaling.v2.MetricSpecArgsDict] = [
        {
            "type": "Resource",
            "resource": {"name": resource, "target": {"type": "Utilization", "average_utilization": pct}},
        }
        for resource, pct in (("cpu", scaling.cpu_percent), ("memory", scaling.memory_percent))
        if pct is not None
    ]

    def rule(r: ScalingRule) -> k8s.autoscaling.v2.HPAScalingRulesArgsDict:
        return {
            "stabilization_window_seconds": r.stabilization_seconds,
            "select_policy": "Max",
            "policies": [{"type": "Percent", "value": r.percent, "period_seconds": r.period_seconds}],
        }

    k8s.autoscaling.v2.HorizontalPodAutoscaler(
        f"{name}-hpa",
        metadata={"name": args.name, "namespace": wiring.namespace, "labels": meta_labels},
        spec={
            "scale_target_ref": {
                "api_version": "apps/v1",
                "kind": "Deployment",
                "name": deployment.metadata.name,
            },
            "min_replicas": scaling.min_replicas,
            "max_replicas": scaling.max_replicas,
            "metrics": metrics,
            "behavior": {"scale_up": rule(scaling.scale_up), "scale_down": rule(scaling.scale_down)},
        },
        opts=opts,
    )


def network_policies(
    name: str,
    args: ServiceArgs,
    wiring: ServiceWiring,
    meta_labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> None:
    """Admit exactly who may call this service, and let it reach exactly what it needs."""
    listen = args.listen_port

    def tcp(port: pulumi.Input[int]) -> list[k8s.networking.v1.NetworkPolicyPortArgsDict]:
        return [{"protocol": "TCP", "port": port}]

    ingress_rules: list[k8s.networking.v1.NetworkPolicyIngressRuleArgsDict] = []
    if listen is not None and args.ingress:
        # Target type ip: the ALB connects to the pod from its own nodes' addresses, which lie in the
        # public subnets it is placed in (requests and health checks alike).
        ingress_rules.append({"from_": ip_blocks(wiring.load_balancer_cidrs), "ports": tcp(listen)})
    if listen is not None and args.allow_from:
        ingress_rules.append(
            {
                "from_": [{"pod_selector": {"match_labels": selector(c)}} for c in args.allow_from],
                "ports": tcp(listen),
            }
        )
    if listen is not None and wiring.monitoring_namespace:
        ingress_rules.append(
            {
                "from_": [
                    {
                        "namespace_selector": {
                            "match_labels": {"kubernetes.io/metadata.name": wiring.monitoring_namespace}
                        }
                    }
                ],
                "ports": tcp(listen),
            }
        )
    _network_policy(name, "Ingress", args.name, wiring.namespace, meta_labels, opts, ingress=ingress_rules)

    egress_rules: list[k8s.networking.v1.NetworkPolicyEgressRuleArgsDict] = []
    stores = {"postgres": wiring.db_port, "redis": wiring.cache_port}
    for store in args.data_access:
        egress_rules.append(
            {
                "to": ip_blocks(wiring.database_cidrs),
                "ports": tcp(stores[store]),
            }
        )
    for callee, port in wiring.callees:
        egress_rules.append(
            {"to": [{"pod_selector": {"match_labels": selector(callee)}}], "ports": tcp(port)}
        )
    if args.https_egress:
        egress_rules.append({"to": [{"ip_block": {"cidr": "0.0.0.0/0"}}], "ports": tcp(443)})
    _network_policy(name, "Egress", args.name, wiring.namespace, meta_labels, opts, egress=egress_rules)


def _network_policy(
    name: str,
    direction: Literal["Ingress", "Egress"],
    service: str,
    namespace: pulumi.Input[str],
    labels: dict[str, str],
    opts: pulumi.ResourceOptions,
    *,
    ingress: list[k8s.networking.v1.NetworkPolicyIngressRuleArgsDict] | None = None,
    egress: list[k8s.networking.v1.NetworkPolicyEgressRuleArgsDict] | None = None,
) -> None:
    """One NetworkPolicy allowing ``ingress`` or ``egress`` rules for this service's pods (none if empty)."""
    if not (ingress or egress):
        return
    spec: k8s.networking.v1.NetworkPolicySpecArgsDict = {
        "pod_selector": {"match_labels": selector(service)},
        "policy_types": [direction],
    }
    if ingress:
        spec["ingress"] = ingress
    if egress:
        spec["egress"] = egress
    k8s.networking.v1.NetworkPolicy(
        f"{name}-netpol-{direction.lower()}",
        metadata={"name": f"{service}-{direction.lower()}", "namespace": namespace, "labels": labels},
        spec=spec,
        opts=opts,
    )


def ip_blocks(
    cidrs: pulumi.Input[Sequence[str]],
) -> pulumi.Output[list[k8s.networking.v1.NetworkPolicyPeerArgsDict]]:
    """NetworkPolicy peers for CIDRs known now or only at deploy time (a StackReference output)."""

    def peers(values: Sequence[str]) -> list[k8s.networking.v1.NetworkPolicyPeerArgsDict]:
        return [{"ip_block": {"cidr": c}} for c in values]

    return pulumi.Output.from_input(cidrs).apply(peers)
