"""Every version the platform pins, in one table: what, which version, where it was checked, and when.

The components take their defaults from here (``chart_version("cert-manager")``), so an upgrade is a
one-line change in this file, proposed by Renovate (``renovate.json``: one custom regex manager per
``kind`` reads the rows below, so keep each row's first four lines in this exact shape:
name, ``kind=``, ``version=``, ``lookup=``). ``lookup`` names the package the way Renovate's datasource
for the kind does:

============  ====================  ===========================================================
kind          Renovate datasource   ``lookup``
============  ====================  ===========================================================
helm-chart    helm                  the chart repository URL (the chart is ``name`` in it)
image         docker                the image repository (the version is its tag)
eks-addon     aws-eks-addon         the add-on's upstream project (the bot asks EKS itself)
kubernetes    endoflife-date        the endoflife.date product (``amazon-eks``)
engine        endoflife-date        the endoflife.date product
crd-bundle    github-releases       the GitHub repository publishing the CRDs
github-action github-tags           the action's GitHub repository (workflows use the major tag)
============  ====================  ===========================================================

``checked`` dates the state of the source the version was compared with (``source``: a release tag,
a registry index, the vendor's compatibility page): the repositories read were snapshots of that day. Chart rows also have their values facts in
``tools/data/charts/<name>-<version>.json`` (``tools/refresh_chart_facts.py``); a test fails when a
chart pin has none. EKS add-on versions carry an EKS build suffix that only AWS publishes: confirm a
new one with ``aws eks describe-addon-versions --kubernetes-version <k8s> --addon-name <name>``
before merging (Renovate's aws-eks-addon datasource does exactly that when it has credentials).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["helm-chart", "image", "eks-addon", "kubernetes", "engine", "crd-bundle", "github-action"]


@dataclass(frozen=True)
class Pin:
    """One pinned version and its provenance."""

    name: str
    kind: Kind
    version: str
    lookup: str
    checked: str
    source: str
    note: str = ""


# fmt: off
PINS: tuple[Pin, ...] = (
    # --- Kubernetes and its EKS add-ons -------------------------------------------------------------
    Pin(
        "kubernetes",
        kind="kubernetes",
        version="1.35",
        lookup="amazon-eks",
        checked="2026-08-22",
        source="https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
        note="Newest EKS version in standard support on the reference date (components/cluster.py "
        "EKS_STANDARD_SUPPORT_ENDS); upstream 1.36 exists (kubernetes/autoscaler tags "
        "cluster-autoscaler-1.36.x) but is not in the EKS calendar the project checked.",
    ),
    Pin(
        "vpc-cni",
        kind="eks-addon",
        version="v1.22.4-eksbuild.3",
        lookup="aws/amazon-vpc-cni-k8s",
        checked="2026-08-22",
        source="https://github.com/aws/amazon-vpc-cni-k8s/releases/tag/v1.22.4",
        note="Upstream v1.23.0 (2026-07-31) is newer; adopt it when describe-addon-versions lists an EKS build.",
    ),
    Pin(
        "kube-proxy",
        kind="eks-addon",
        version="v1.35.3-eksbuild.18",
        lookup="kubernetes/kubernetes",
        checked="2026-08-22",
        source="https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html",
        note="Follows the cluster's minor version (ClusterArgs checks it).",
    ),
    Pin(
        "coredns",
        kind="eks-addon",
        version="v1.13.2-eksbuild.11",
        lookup="coredns/coredns",
        checked="2026-08-22",
        source="https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html",
        note="EKS ships one CoreDNS line per Kubernetes version (v1.13 for 1.35); upstream v1.14.7 "
        "(2026-08-18) is not that line.",
    ),
    Pin(
        "eks-pod-identity-agent",
        kind="eks-addon",
        version="v1.3.10-eksbuild.3",
        lookup="aws/eks-pod-identity-agent",
        checked="2026-08-22",
        source="https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html",
        note="The add-on's numbering (v1.3.x) is EKS's own; the GitHub project tags v0.1.x.",
    ),
    Pin(
        "aws-ebs-csi-driver",
        kind="eks-addon",
        version="v1.63.0-eksbuild.1",
        lookup="kubernetes-sigs/aws-ebs-csi-driver",
        checked="2026-08-22",
        source="https://github.com/kubernetes-sigs/aws-ebs-csi-driver/releases/tag/v1.63.0",
        note="Upstream v1.64.0 (2026-08-17) is newer; adopt it when describe-addon-versions lists an EKS build.",
    ),
    Pin(
        "aws-efs-csi-driver",
        kind="eks-addon",
        version="v3.4.0-eksbuild.1",
        lookup="kubernetes-sigs/aws-efs-csi-driver",
        checked="2026-08-22",
        source="https://github.com/kubernetes-sigs/aws-efs-csi-driver/releases/tag/v3.4.0",
        note="Upstream v3.4.1 (2026-07-23) is a patch; adopt it when describe-addon-versions lists an EKS build.",
    ),
    Pin(
        "amazon-cloudwatch-observability",
        kind="eks-addon",
        version="v6.4.0-eksbuild.1",
        lookup="aws-observability/helm-charts",
        checked="2026-08-22",
        source="https://github.com/aws-observability/helm-charts/commit/93a934e",
        note="Container Insights (monitoring.container_insights). The add-on tracks this chart "
        "(6.4.0, 2026-08-06); the eksbuild suffix is unconfirmed: check describe-addon-versions.",
    ),
    # --- Helm charts -----------------------------------------------------------------------------------
    Pin(
        "metrics-server",
        kind="helm-chart",
        version="3.13.1",
        lookup="https://kubernetes-sigs.github.io/metrics-server/",
        checked="2026-08-22",
        source="https://github.com/kubernetes-sigs/metrics-server/releases/tag/metrics-server-helm-chart-3.13.1",
    ),
    Pin(
        "cluster-autoscaler",
        kind="helm-chart",
        version="9.59.0",
        lookup="https://kubernetes.github.io/autoscaler",
        checked="2026-08-22",
        source="https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-chart-9.59.0",
    ),
    Pin(
        "aws-load-balancer-controller",
        kind="helm-chart",
        version="3.5.0",
        lookup="https://aws.github.io/eks-charts",
        checked="2026-12-07",
        source="https://github.com/aws/eks-charts/tree/v0.0.242/stable/aws-load-balancer-controller",
        note="Controller v3.5.0 (2026-08-03): Gateway API GA since v3.0.0, built for Gateway API v1.6.0; "
        "also published as eks-charts v0.0.242.",
    ),
    Pin(
        "cert-manager",
        kind="helm-chart",
        version="v1.21.1",
        lookup="https://charts.jetstack.io",
        checked="2026-08-22",
        source="https://github.com/cert-manager/cert-manager/releases/tag/v1.21.1",
    ),
    Pin(
        "external-secrets",
        kind="helm-chart",
        version="2.8.0",
        lookup="https://charts.external-secrets.io",
        checked="2026-08-22",
        source="https://github.com/external-secrets/external-secrets/releases/tag/helm-chart-2.8.0",
        note="2.9.0 (2026-08-07) is newer but ESO tests it on Kubernetes 1.36 only; 2.8 covers 1.35-1.36 "
        "(docs/introduction/stability-support.md at the tag).",
    ),
    Pin(
        "external-dns",
        kind="helm-chart",
        version="1.21.1",
        lookup="https://kubernetes-sigs.github.io/external-dns/",
        checked="2026-08-22",
        source="https://github.com/kubernetes-sigs/external-dns/releases/tag/external-dns-helm-chart-1.21.1",
    ),
    Pin(
        "nvidia-device-plugin",
        kind="helm-chart",
        version="0.20.0",
        lookup="https://nvidia.github.io/k8s-device-plugin",
        checked="2026-08-22",
        source="https://github.com/NVIDIA/k8s-device-plugin/releases/tag/v0.20.0",
    ),
    Pin(
        "prometheus-operator-crds",
        kind="helm-chart",
        version="31.0.1",
        lookup="https://prometheus-community.github.io/helm-charts",
        checked="2026-12-07",
        source="https://github.com/prometheus-community/helm-charts/tree/prometheus-operator-crds-31.0.1/charts/prometheus-operator-crds",
        note="The operator's CRDs (appVersion v0.93.1, the operator kube-prometheus-stack 88.5.3 runs), "
        "installed before any chart renders a ServiceMonitor; move it with kube-prometheus-stack.",
    ),
    Pin(
        "kube-prometheus-stack",
        kind="helm-chart",
        version="88.5.3",
        lookup="https://prometheus-community.github.io/helm-charts",
        checked="2026-08-22",
        source="https://github.com/prometheus-community/helm-charts/releases/tag/kube-prometheus-stack-88.5.3",
        note="Bundles grafana 12.11.1 (grafana-community/helm-charts), facts kept alongside.",
    ),
    Pin(
        "aws-for-fluent-bit",
        kind="helm-chart",
        version="0.2.0",
        lookup="https://aws.github.io/eks-charts",
        checked="2026-08-22",
        source="https://github.com/aws/eks-charts/tree/v0.0.242/stable/aws-for-fluent-bit",
    ),
    Pin(
        "prometheus-postgres-exporter",
        kind="helm-chart",
        version="8.2.0",
        lookup="https://prometheus-community.github.io/helm-charts",
        checked="2026-08-22",
        source="https://github.com/prometheus-community/helm-charts/releases/tag/prometheus-postgres-exporter-8.2.0",
    ),
    Pin(
        "prometheus-redis-exporter",
        kind="helm-chart",
        version="6.29.0",
        lookup="https://prometheus-community.github.io/helm-charts",
        checked="2026-08-22",
        source="https://github.com/prometheus-community/helm-charts/releases/tag/prometheus-redis-exporter-6.29.0",
    ),
    # --- CRDs installed outside a chart ------------------------------------------------------------------
    Pin(
        "gateway-api",
        kind="crd-bundle",
        version="v1.6.0",
        lookup="kubernetes-sigs/gateway-api",
        checked="2026-12-07",
        source="https://github.com/kubernetes-sigs/gateway-api/releases/tag/v1.6.0",
        note="The version the load balancer controller v3.5.0 is built for (its docs/guide/gateway/"
        "gateway.md), not the newest v1.6.1; vendored in components/data/gateway-api/.",
    ),
    # --- Container images the platform itself runs ------------------------------------------------------
    Pin(
        "cluster-autoscaler-image",
        kind="image",
        version="v1.35.2",
        lookup="registry.k8s.io/autoscaling/cluster-autoscaler",
        checked="2026-08-22",
        source="https://github.com/kubernetes/autoscaler/releases/tag/cluster-autoscaler-1.35.2",
        note="Its minor version must equal the cluster's (config/rules/cluster.py checks it).",
    ),
    Pin(
        "postgres-client-image",
        kind="image",
        version="17.11-alpine",
        lookup="public.ecr.aws/docker/library/postgres",
        checked="2026-08-22",
        source="https://github.com/docker-library/official-images/blob/master/library/postgres",
        note="psql for the database bootstrap Job; ECR Public mirrors the Docker official image.",
    ),
    Pin(
        "aws-cli-image",
        kind="image",
        version="2.31.13",
        lookup="public.ecr.aws/aws-cli/aws-cli",
        checked="2026-12-07",
        source="https://github.com/aws/aws-cli/blob/v2/CHANGELOG.rst",
        note="Uploads the nightly pg_dump to the backups bucket (components/db_dump.py).",
    ),
    Pin(
        "codebuild-runner-image",
        kind="image",
        version="5.0",
        lookup="aws/codebuild/amazonlinux-x86_64-standard",
        checked="2026-12-07",
        source="https://docs.aws.amazon.com/codebuild/latest/userguide/ec2-compute-images.html",
        note="A CodeBuild-managed image (not in a public registry): Renovate cannot look it up; review it "
        "against the CodeBuild image list when the runner changes (components/ci_runner.py).",
    ),
    # --- Engines (managed by AWS; the major/minor is ours) -------------------------------------------
    Pin(
        "postgresql",
        kind="engine",
        version="17",
        lookup="amazon-rds-postgresql",
        checked="2026-12-07",
        source="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html",
        note="An Aurora PostgreSQL major: Aurora applies its minors (17.4+ scales Serverless v2 to 0 ACU). "
        "18 exists but 17 has a year of minors behind it (components/database.py).",
    ),
    Pin(
        "redis",
        kind="engine",
        version="7.1",
        lookup="redis",
        checked="2026-08-22",
        source="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html",
        note="The last Redis OSS version ElastiCache offers; newer engines there are Valkey.",
    ),
    Pin(
        "valkey",
        kind="engine",
        version="8.2",
        lookup="valkey",
        checked="2026-08-22",
        source="https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html",
    ),
    # --- GitHub Actions (workflows use the major tag; the table records it) ------------------------------
    Pin(
        "actions/checkout",
        kind="github-action",
        version="v7",
        lookup="actions/checkout",
        checked="2026-08-22",
        source="https://github.com/actions/checkout/releases/tag/v7.0.1",
    ),
    Pin(
        "actions/upload-artifact",
        kind="github-action",
        version="v7",
        lookup="actions/upload-artifact",
        checked="2026-08-22",
        source="https://github.com/actions/upload-artifact/releases/tag/v7.0.0",
    ),
    Pin(
        "actions/download-artifact",
        kind="github-action",
        version="v8",
        lookup="actions/download-artifact",
        checked="2026-08-22",
        source="https://github.com/actions/download-artifact/releases/tag/v8.0.1",
    ),
    Pin(
        "pulumi/actions",
        kind="github-action",
        version="v7",
        lookup="pulumi/actions",
        checked="2026-08-22",
        source="https://github.com/pulumi/actions/releases/tag/v7.0.0",
    ),
    Pin(
        "marocchino/sticky-pull-request-comment",
        kind="github-action",
        version="v3",
        lookup="marocchino/sticky-pull-request-comment",
        checked="2026-08-22",
        source="https://github.com/marocchino/sticky-pull-request-comment/releases/tag/v3.0.5",
    ),
    Pin(
        "astral-sh/setup-uv",
        kind="github-action",
        version="v10.0.1",
        lookup="astral-sh/setup-uv",
        checked="2026-08-22",
        source="https://github.com/astral-sh/setup-uv/releases/tag/v10.0.1",
        note="setup-uv publishes no moving major tag after v7: pinned to the release.",
    ),
    Pin(
        "aws-actions/configure-aws-credentials",
        kind="github-action",
        version="v6",
        lookup="aws-actions/configure-aws-credentials",
        checked="2026-08-22",
        source="https://github.com/aws-actions/configure-aws-credentials/releases/tag/v6.2.3",
    ),
)
# fmt: on

PINS_BY_NAME: dict[str, Pin] = {pin.name: pin for pin in PINS}


def pin(name: str) -> Pin:
    """The row called ``name`` (a KeyError names a pin missing from the table)."""
    return PINS_BY_NAME[name]


def version(name: str) -> str:
    """The pinned version of ``name``."""
    return PINS_BY_NAME[name].version


def chart_version(chart: str) -> str:
    """The pinned version of a Helm chart."""
    row = PINS_BY_NAME[chart]
    if row.kind != "helm-chart":
        raise KeyError(f"{chart} is a {row.kind}, not a helm-chart")
    return row.version


def chart_repository(chart: str) -> str:
    """The HTTPS repository a Helm chart is installed from."""
    return PINS_BY_NAME[chart].lookup


def of_kind(kind: Kind) -> tuple[Pin, ...]:
    """The rows of one kind, in table order."""
    return tuple(p for p in PINS if p.kind == kind)


KUBERNETES_VERSION = version("kubernetes")
#: The cluster's own managed add-ons (components/cluster.py); Container Insights belongs to Monitoring.
EKS_ADDON_VERSIONS: dict[str, str] = {
    p.name: p.version for p in of_kind("eks-addon") if p.name != "amazon-cloudwatch-observability"
}
