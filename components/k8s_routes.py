"""A service's public routes: an HTTPRoute per route on the Gateway's HTTPS listener, and the
TargetGroupConfiguration that makes the ALB send traffic straight to the service's pods.

Field names are the Gateway API's (v1.6.0) and the AWS Load Balancer Controller's
(``apis/gateway/v1/targetgroupconfig_types.go`` at v3.5.0). Target type ``ip``: the ALB's targets are
the pods' VPC addresses (VPC CNI), so no NodePort and no second hop through a node; the health check is
the service's readiness probe, so the ALB and the kubelet agree on when a pod may take traffic.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s

from .gateway import GATEWAY_API, HTTPS_LISTENER, LBC_API, gateway_ref

#: Gateway API path match types for the config's Ingress-style names.
PATH_TYPES = {"Prefix": "PathPrefix", "Exact": "Exact"}


def http_route(
    name: str,
    *,
    object_name: str,
    namespace: pulumi.Input[str],
    gateway: str,
    hostname: str,
    path: str,
    path_type: str,
    service: str,
    port: int,
    meta_labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """One host and path on the Gateway's HTTPS listener, forwarded to ``service:port``."""
    return k8s.apiextensions.CustomResource(
        name,
        api_version=GATEWAY_API,
        kind="HTTPRoute",
        metadata={"name": object_name, "namespace": namespace, "labels": dict(meta_labels)},
        spec={
            "parentRefs": [gateway_ref(gateway, HTTPS_LISTENER)],
            "hostnames": [hostname],
            "rules": [
                {
                    "matches": [{"path": {"type": PATH_TYPES[path_type], "value": path}}],
                    "backendRefs": [{"kind": "Service", "name": service, "port": port}],
                }
            ],
        },
        opts=opts,
    )


def target_group_configuration(
    name: str,
    *,
    namespace: pulumi.Input[str],
    service: str,
    health_check_path: str,
    deregistration_delay_seconds: int,
    stickiness_seconds: int | None,
    meta_labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """The target group of ``service``: pod IPs, health-checked on the readiness path, sticky if asked.

    The health check uses the traffic port (the container port, with ``ip`` targets); a draining pod
    stays registered for ``deregistration_delay_seconds`` (its grace period), not the ALB's 300 s.
    """
    attributes = [
        {"key": "deregistration_delay.timeout_seconds", "value": str(deregistration_delay_seconds)},
        {"key": "load_balancing.algorithm.type", "value": "least_outstanding_requests"},
    ]
    if stickiness_seconds is not None:
        attributes += [
            {"key": "stickiness.enabled", "value": "true"},
            {"key": "stickiness.type", "value": "lb_cookie"},
            {"key": "stickiness.lb_cookie.duration_seconds", "value": str(stickiness_seconds)},
        ]
    return k8s.apiextensions.CustomResource(
        name,
        api_version=LBC_API,
        kind="TargetGroupConfiguration",
        metadata={"name": service, "namespace": namespace, "labels": dict(meta_labels)},
        spec={
            "targetReference": {"kind": "Service", "name": service},
            "defaultConfiguration": {
                "targetType": "ip",
                "protocol": "HTTP",
                "healthCheckConfig": {
                    "healthCheckPath": health_check_path,
                    "healthCheckPort": "traffic-port",
                    "healthCheckProtocol": "HTTP",
                    "healthCheckInterval": 10,
                    "healthCheckTimeout": 5,
                    "healthyThresholdCount": 2,
                    "unhealthyThresholdCount": 3,
                    "matcher": {"httpCode": "200-399"},
                },
                "targetGroupAttributes": attributes,
            },
        },
        opts=opts,
    )
