"""How Prometheus scrapes one application service: a named ``metrics`` port and a monitor for it.

A service with a Service gets a ``metrics`` port on it and a ServiceMonitor selecting that Service by
its labels; a worker without a Service (Celery) gets a PodMonitor on its pods' ``metrics`` container
port. When the metrics port is not the listen port, a NetworkPolicy admits the monitoring namespace to
it (the service's own policy admits monitoring on the listen port only). The objects carry the
``release`` label kube-prometheus-stack selects by default, though our Prometheus selects every monitor.
"""

from __future__ import annotations

from typing import Annotated

import pulumi
import pulumi_kubernetes as k8s
from pydantic import AfterValidator, Field

from .args import Args
from .k8s_pod import selector

METRICS_PORT_NAME = "metrics"
#: The Service's metrics port when metrics share the listen port: a Service cannot list one port number
#: twice, so the named ``metrics`` port gets its own number and targets the container's ``http`` port.
SHARED_SERVICE_PORT = 9090
MONITORING_API = "monitoring.coreos.com/v1"


def _path(value: str) -> str:
    if not value.startswith("/") or " " in value:
        raise ValueError("an absolute URL path such as '/metrics'")
    return value


class MetricsEndpoint(Args):
    """Where a service exposes Prometheus metrics (``http_requests_total``, ``quantumvest_*``)."""

    port: int | None = Field(
        default=None,
        ge=1024,
        le=65535,
        description="Container port serving metrics; none: the service's listen port. A worker without a "
        "listen port needs one (Celery: prometheus_client on 9808), or it cannot be scraped.",
    )
    path: Annotated[str, AfterValidator(_path)] = Field(default="/metrics", description="The metrics path.")
    interval: str = Field(
        default="30s", pattern=r"^\d+[smh]$", description="Scrape interval (Prometheus duration)."
    )


def metrics_port(endpoint: MetricsEndpoint | None, listen_port: int | None) -> int | None:
    """The container port that serves metrics, or ``None`` when the service exposes none."""
    if endpoint is None:
        return None
    return endpoint.port or listen_port


def container_ports(
    endpoint: MetricsEndpoint | None, listen_port: int | None
) -> list[k8s.core.v1.ContainerPortArgsDict]:
    """The extra container port to declare: a ``metrics`` port when it is not the listen port."""
    port = metrics_port(endpoint, listen_port)
    if port is None or port == listen_port:
        return []
    return [{"name": METRICS_PORT_NAME, "container_port": port, "protocol": "TCP"}]


def service_port(
    endpoint: MetricsEndpoint | None, listen_port: int | None
) -> list[k8s.core.v1.ServicePortArgsDict]:
    """The Service's ``metrics`` port (to the metrics container port, or the ``http`` one)."""
    port = metrics_port(endpoint, listen_port)
    if port is None:
        return []
    if port == listen_port:
        return [
            {"name": METRICS_PORT_NAME, "port": SHARED_SERVICE_PORT, "target_port": "http", "protocol": "TCP"}
        ]
    return [{"name": METRICS_PORT_NAME, "port": port, "target_port": METRICS_PORT_NAME, "protocol": "TCP"}]


def create_monitor(
    name: str,
    *,
    service: str,
    namespace: pulumi.Input[str],
    labels: dict[str, str],
    endpoint: MetricsEndpoint | None,
    listen_port: int | None,
    has_service: bool,
    monitoring_namespace: str | None,
    opts: pulumi.ResourceOptions,
) -> None:
    """The ServiceMonitor (or PodMonitor) scraping ``service``, and the policy admitting the scrape."""
    port = metrics_port(endpoint, listen_port)
    if endpoint is None or port is None:
        return
    scrape = {"path": endpoint.path, "interval": endpoint.interval, "scheme": "http"}
    metadata = {
        "name": service,
        "namespace": namespace,
        "labels": {**labels, "release": "kube-prometheus-stack"},
    }
    if has_service:
        k8s.apiextensions.CustomResource(
            f"{name}-service-monitor",
            api_version=MONITORING_API,
            kind="ServiceMonitor",
            metadata=metadata,
            spec={
                "selector": {"matchLabels": selector(service)},
                "endpoints": [{"port": METRICS_PORT_NAME, **scrape}],
            },
            opts=opts,
        )
    else:
        k8s.apiextensions.CustomResource(
            f"{name}-pod-monitor",
            api_version=MONITORING_API,
            kind="PodMonitor",
            metadata=metadata,
            spec={
                "selector": {"matchLabels": selector(service)},
                "podMetricsEndpoints": [{"port": METRICS_PORT_NAME, **scrape}],
            },
            opts=opts,
        )
    if monitoring_namespace and port != listen_port:
        k8s.networking.v1.NetworkPolicy(
            f"{name}-metrics-policy",
            metadata={"name": f"{service}-metrics", "namespace": namespace, "labels": labels},
            spec={
                "pod_selector": {"match_labels": selector(service)},
                "policy_types": ["Ingress"],
                "ingress": [
                    {
                        "from_": [
                            {
                                "namespace_selector": {
                                    "match_labels": {"kubernetes.io/metadata.name": monitoring_namespace}
                                }
                            }
                        ],
                        "ports": [{"protocol": "TCP", "port": port}],
                    }
                ],
            },
            opts=opts,
        )
