"""The public edge in Kubernetes terms: one Gateway per stack, which the AWS Load Balancer Controller turns
into the internet-facing ALB, and the controller's LoadBalancerConfiguration for what the Gateway API
cannot say.

The Gateway (class ``alb``, controller ``gateway.k8s.aws/alb``) has two listeners: ``https`` on 443,
where the services' HTTPRoutes attach (``components/k8s_routes.py``), and ``http`` on 80, where only the
redirect route attaches, so port 80 answers every request with a 301 to HTTPS. The
LoadBalancerConfiguration (``gateway.k8s.aws/v1``, field names from the controller's
``apis/gateway/v1/loadbalancerconfig_types.go`` at v3.5.0) carries the scheme, a deterministic name, the
TLS 1.3 policy and the ACM certificates of the 443 listener, the security response headers (ALB
listener attributes ``routing.http.response.*``), the regional WAFv2 web ACL, access logs and the
load balancer's attributes. Certificates cannot come from the Gateway's ``certificateRefs`` (the
controller reads ACM ARNs from the LoadBalancerConfiguration only).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field

from .args import Args
from .k8s_pod import labels

GATEWAY_API = "gateway.networking.k8s.io/v1"
LBC_API = "gateway.k8s.aws/v1"
#: The Gateway's listeners (section names routes attach to).
HTTPS_LISTENER = "https"
HTTP_LISTENER = "http"


class ResponseHeaders(Args):
    """Security headers the ALB's HTTPS listener adds to every response (ALB listener attributes).

    The ALB can add exactly these (and CORS headers); Referrer-Policy and Permissions-Policy are not
    among them, so the applications set those themselves.
    """

    strict_transport_security: str = Field(
        default="max-age=31536000; includeSubDomains",
        pattern=r"^max-age=\d+(; ?includeSubDomains)?(; ?preload)?$",
        description="HSTS: browsers use HTTPS only for a year, subdomains included.",
    )
    content_security_policy: str = Field(
        default="default-src 'self'; connect-src 'self' https://api.{domain}; img-src 'self' data: "
        "https://assets.{domain}; script-src 'self' https://assets.{domain}; style-src 'self' "
        "https://assets.{domain}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        min_length=1,
        max_length=1024,
        description="CSP; '{domain}' is replaced by the domain. The default lets the pages call the API and "
        "load static assets from the CDN, nothing else, and never be framed.",
    )
    x_content_type_options: bool = Field(default=True, description="X-Content-Type-Options: nosniff.")
    x_frame_options: str = Field(default="DENY", pattern=r"^(DENY|SAMEORIGIN)$")
    hide_server: bool = Field(default=True, description="Drop the ALB's 'Server' response header.")


class EdgeArgs(Args):
    """The public entry: one Gateway → one internet-facing ALB (AWS Load Balancer Controller)."""

    ssl_policy: str = Field(
        default="ELBSecurityPolicy-TLS13-1-2-2021-06",
        pattern=r"^ELBSecurityPolicy-TLS13-1-[23]-[A-Za-z0-9-]+$",
        description="TLS 1.3 (and 1.2) only, AWS's recommended policy; only TLS13 policies are accepted.",
    )
    idle_timeout_seconds: int = Field(default=60, ge=1, le=4000)
    deletion_protection: bool = Field(default=True, description="ALB deletion protection (off in dev).")
    access_logs: bool = Field(
        default=True, description="ALB access logs to the logs bucket (wired in as access_logs_bucket)."
    )
    access_logs_prefix: str = Field(
        default="alb", pattern=r"^[a-z0-9][a-z0-9/-]{0,62}[a-z0-9]$", description="Key prefix of the logs."
    )
    response_headers: ResponseHeaders = Field(default_factory=ResponseHeaders)


def listener_attributes(edge: EdgeArgs, domain: str, cors_origin: str | None) -> list[dict[str, str]]:
    """The 443 listener's response-header attributes (ALB ``routing.http.response.*``)."""
    headers = edge.response_headers
    prefix = "routing.http.response."
    found = {
        "strict_transport_security.header_value": headers.strict_transport_security,
        "content_security_policy.header_value": headers.content_security_policy.replace("{domain}", domain),
        "x_frame_options.header_value": headers.x_frame_options,
        "server.enabled": str(not headers.hide_server).lower(),
    }
    if headers.x_content_type_options:
        found["x_content_type_options.header_value"] = "nosniff"
    if cors_origin is not None:
        found.update(
            {
                "access_control_allow_origin.header_value": f"https://{cors_origin}",
                "access_control_allow_credentials.header_value": "true",
                "access_control_allow_methods.header_value": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
                "access_control_allow_headers.header_value": "Authorization,Content-Type",
                "access_control_max_age.header_value": "600",
            }
        )
    return [{"key": f"{prefix}{key}", "value": value} for key, value in found.items()]


class PublicGateway(pulumi.ComponentResource):
    """The stack's one Gateway and its LoadBalancerConfiguration; the ALB the controller makes of them.

    Creates, in the application namespace: the LoadBalancerConfiguration ``edge`` (internet-facing,
    ``load_balancer_name``, HTTPS:443 with ``ssl_policy``, the certificates and the response headers,
    the WAF web ACL, access logs, deletion protection, invalid-header dropping, idle timeout); the
    Gateway ``edge`` (class ``alb``, listeners ``https`` 443 and ``http`` 80, routes from its own
    namespace only) pointing at it; and the HTTPRoute ``edge-https-redirect``, the only route on port
    80, answering 301 to HTTPS.
    """

    gateway_name: str
    load_balancer_name: str

    def __init__(
        self,
        name: str,
        args: EdgeArgs,
        *,
        namespace: pulumi.Input[str],
        gateway_class_name: str,
        load_balancer_name: str,
        domain: str,
        certificate_arns: Sequence[pulumi.Input[str]],
        web_acl_arn: pulumi.Input[str],
        access_logs_bucket: pulumi.Input[str] | None,
        cors_origin: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:workloads:PublicGateway", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.gateway_name = "edge"
        self.load_balancer_name = load_balancer_name
        meta_labels = labels(self.gateway_name, "edge")

        attributes: list[dict[str, pulumi.Input[str]]] = [
            {"key": "deletion_protection.enabled", "value": str(args.deletion_protection).lower()},
            {"key": "routing.http.drop_invalid_header_fields.enabled", "value": "true"},
            {"key": "idle_timeout.timeout_seconds", "value": str(args.idle_timeout_seconds)},
        ]
        if args.access_logs and access_logs_bucket is not None:
            attributes += [
                {"key": "access_logs.s3.enabled", "value": "true"},
                {"key": "access_logs.s3.bucket", "value": access_logs_bucket},
                {"key": "access_logs.s3.prefix", "value": args.access_logs_prefix},
            ]
        https: dict[str, object] = {
            "protocolPort": "HTTPS:443",
            "sslPolicy": args.ssl_policy,
            "listenerAttributes": listener_attributes(args, domain, cors_origin),
        }
        # Without certificates the controller discovers ACM certificates by the routes' hostnames.
        if certificate_arns:
            https["defaultCertificate"] = certificate_arns[0]
            if len(certificate_arns) > 1:
                https["certificates"] = list(certificate_arns[1:])
        config = k8s.apiextensions.CustomResource(
            f"{name}-lb-config",
            api_version=LBC_API,
            kind="LoadBalancerConfiguration",
            metadata={"name": self.gateway_name, "namespace": namespace, "labels": meta_labels},
            spec={
                "loadBalancerName": load_balancer_name,
                "scheme": "internet-facing",
                "ipAddressType": "ipv4",
                "listenerConfigurations": [https, {"protocolPort": "HTTP:80"}],
                "loadBalancerAttributes": attributes,
                "wafV2": {"webACL": web_acl_arn},
            },
            opts=child,
        )
        same_namespace = {"namespaces": {"from": "Same"}}
        k8s.apiextensions.CustomResource(
            f"{name}-gateway",
            api_version=GATEWAY_API,
            kind="Gateway",
            metadata={
                "name": self.gateway_name,
                "namespace": namespace,
                "labels": meta_labels,
                # `pulumi up` waits until the controller has provisioned the ALB (Gateway API status
                # condition Programmed), so what looks the ALB up by name (the edge alarms) finds it.
                "annotations": {"pulumi.com/waitFor": "condition=Programmed"},
            },
            spec={
                "gatewayClassName": gateway_class_name,
                "infrastructure": {
                    "parametersRef": {
                        "group": "gateway.k8s.aws",
                        "kind": "LoadBalancerConfiguration",
                        "name": self.gateway_name,
                    }
                },
                "listeners": [
                    {
                        "name": HTTPS_LISTENER,
                        "protocol": "HTTPS",
                        "port": 443,
                        "allowedRoutes": same_namespace,
                    },
                    {"name": HTTP_LISTENER, "protocol": "HTTP", "port": 80, "allowedRoutes": same_namespace},
                ],
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[config]),
        )
        k8s.apiextensions.CustomResource(
            f"{name}-https-redirect",
            api_version=GATEWAY_API,
            kind="HTTPRoute",
            metadata={
                "name": f"{self.gateway_name}-https-redirect",
                "namespace": namespace,
                "labels": meta_labels,
            },
            spec={
                "parentRefs": [gateway_ref(self.gateway_name, HTTP_LISTENER)],
                "rules": [
                    {
                        "filters": [
                            {
                                "type": "RequestRedirect",
                                "requestRedirect": {"scheme": "https", "port": 443, "statusCode": 301},
                            }
                        ]
                    }
                ],
            },
            opts=child,
        )
        self.register_outputs(
            {"gateway_name": self.gateway_name, "load_balancer_name": self.load_balancer_name}
        )


def gateway_ref(gateway: str, section: str) -> dict[str, str]:
    """A route's parentRef to one listener of the Gateway in the route's namespace."""
    return {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway, "sectionName": section}
