"""What the cluster services contribute to monitoring and cost attribution, as values merged into their
charts: each controller's own ServiceMonitor, the Prometheus Operator CRDs those need first, and the
tags the load balancer controller puts on what it creates.

The charts' ServiceMonitors are custom resources of the Prometheus Operator; its CRDs must exist before
a chart that renders one is installed. kube-prometheus-stack (Monitoring) installs them too, but after
the cluster services, so the CRDs come first here from the operator's own CRD chart (Helm skips CRDs
that already exist when kube-prometheus-stack installs its copy).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .versions import chart_repository, chart_version

#: prometheus-community/prometheus-operator-crds: the CRDs of the operator kube-prometheus-stack runs
#: (both pinned in components/versions.py; 31.0.1 ↔ operator v0.93.1 ↔ kube-prometheus-stack 88.5.3).
OPERATOR_CRDS_CHART = "prometheus-operator-crds"
OPERATOR_CRDS_VERSION = chart_version(OPERATOR_CRDS_CHART)
OPERATOR_CRDS_REPOSITORY = chart_repository(OPERATOR_CRDS_CHART)
#: The label kube-prometheus-stack's Prometheus selects monitors by (ours selects all; others may not).
RELEASE_LABEL = {"release": "kube-prometheus-stack"}


def operator_crds(name: str, opts: pulumi.ResourceOptions) -> k8s.helm.v3.Release:
    """The Prometheus Operator CRDs (ServiceMonitor, PodMonitor, PrometheusRule…), installed first."""
    return k8s.helm.v3.Release(
        f"{name}-{OPERATOR_CRDS_CHART}",
        name=OPERATOR_CRDS_CHART,
        chart=OPERATOR_CRDS_CHART,
        version=OPERATOR_CRDS_VERSION,
        repository_opts={"repo": OPERATOR_CRDS_REPOSITORY},
        namespace="kube-system",
        atomic=True,
        cleanup_on_fail=True,
        max_history=10,
        timeout=600,
        opts=opts,
    )


def monitor_values(chart: str) -> dict[str, Any]:
    """Values turning on ``chart``'s own ServiceMonitor (aws-load-balancer-controller, cert-manager,
    external-secrets); each chart names the setting differently (their values.yaml)."""
    if chart == "cert-manager":
        return {"prometheus": {"enabled": True, "servicemonitor": {"enabled": True, "labels": RELEASE_LABEL}}}
    if chart == "aws-load-balancer-controller":
        return {"serviceMonitor": {"enabled": True, "additionalLabels": RELEASE_LABEL}}
    if chart == "external-secrets":
        return {"serviceMonitor": {"enabled": True, "additionalLabels": RELEASE_LABEL}}
    raise ValueError(f"no ServiceMonitor setting known for chart {chart!r}")


def controller_tag_values(tags: Mapping[str, str] | None) -> dict[str, Any]:
    """The LB controller's ``defaultTags``: every ALB, target group and security group it creates carries
    them (the provider's default tags never reach what a controller creates)."""
    return {"defaultTags": dict(tags)} if tags else {}
