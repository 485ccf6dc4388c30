"""The reference's public edge through the Gateway API: what the edge rules read (tests/policy_reference.py
registers it). One ALB Gateway of the AWS Load Balancer Controller with a TLS 1.3 HTTPS listener on 443
(from its LoadBalancerConfiguration) and a port-80 listener whose only route redirects to HTTPS."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

GATEWAY_API = "gateway.networking.k8s.io/v1"
TLS13_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def gateway(on_k8s: pulumi.ResourceOptions, certificate_arn: str) -> None:
    meta = {"namespace": "apps"}
    k8s.apiextensions.CustomResource(
        "ref-gateway-class",
        api_version=GATEWAY_API,
        kind="GatewayClass",
        metadata={"name": "alb"},
        spec={"controllerName": "gateway.k8s.aws/alb"},
        opts=on_k8s,
    )
    k8s.apiextensions.CustomResource(
        "ref-lb-configuration",
        api_version="gateway.k8s.aws/v1",
        kind="LoadBalancerConfiguration",
        metadata={**meta, "name": "public"},
        spec={
            "scheme": "internet-facing",
            "listenerConfigurations": [
                {
                    "protocolPort": "HTTPS:443",
                    "defaultCertificate": certificate_arn,
                    "sslPolicy": TLS13_POLICY,
                }
            ],
        },
        opts=on_k8s,
    )
    k8s.apiextensions.CustomResource(
        "ref-gateway",
        api_version=GATEWAY_API,
        kind="Gateway",
        metadata={**meta, "name": "public"},
        spec={
            "gatewayClassName": "alb",
            "infrastructure": {
                "parametersRef": {
                    "group": "gateway.k8s.aws",
                    "kind": "LoadBalancerConfiguration",
                    "name": "public",
                }
            },
            "listeners": [
                {"name": "http", "protocol": "HTTP", "port": 80},
                {"name": "https", "protocol": "HTTPS", "port": 443, "hostname": "api.example.com"},
            ],
        },
        opts=on_k8s,
    )
    k8s.apiextensions.CustomResource(
        "ref-https-redirect",
        api_version=GATEWAY_API,
        kind="HTTPRoute",
        metadata={**meta, "name": "https-redirect"},
        spec={
            "parentRefs": [{"name": "public", "sectionName": "http"}],
            "rules": [
                {
                    "filters": [
                        {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
                    ]
                }
            ],
        },
        opts=on_k8s,
    )
    k8s.apiextensions.CustomResource(
        "ref-backend-route",
        api_version=GATEWAY_API,
        kind="HTTPRoute",
        metadata={**meta, "name": "backend"},
        spec={
            "parentRefs": [{"name": "public", "sectionName": "https"}],
            "hostnames": ["api.example.com"],
            "rules": [{"backendRefs": [{"name": "backend", "port": 5000}]}],
        },
        opts=on_k8s,
    )
