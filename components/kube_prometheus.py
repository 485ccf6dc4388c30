"""kube-prometheus-stack: Prometheus, Alertmanager and Grafana, as Helm values built in Python.

Prometheus keeps ``retention_days`` of metrics on an encrypted gp3 volume of ``storage_gib`` (and
stops at 85% of it, so a full disk never takes Prometheus down). Alertmanager pages critical alerts
through the SNS alert topic and sends warnings to the warnings topic (email), publishing with its
IRSA role; no AWS key is stored anywhere. Grafana reads its admin credentials from a Kubernetes
Secret (``admin.existingSecret``): the password never appears in the Helm values.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import pulumi
from pydantic import AfterValidator, Field

from .args import Args
from .prometheus_rules import REPLACED_DEFAULT_RULES
from .versions import chart_version

#: Names inside the cluster that other components and people rely on.
RELEASE_NAME = "kube-prometheus-stack"
GRAFANA_SERVICE = "grafana"
ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager"
GRAFANA_USER_KEY = "admin-user"
GRAFANA_PASSWORD_KEY = "admin-password"

#: Fraction of the volume Prometheus may fill before it drops the oldest blocks (retentionSize).
RETENTION_SIZE_FRACTION = 0.85

_EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def _exact(version: str) -> str:
    if not _EXACT_VERSION.match(version):
        raise ValueError("pin an exact chart version MAJOR.MINOR.PATCH, e.g. 1.2.3 (no ranges, no 'latest')")
    return version


#: An exact chart version (``MAJOR.MINOR.PATCH``).
ChartVersion = Annotated[str, AfterValidator(_exact)]


class ChartVersions(Args):
    """Pinned Helm chart versions: bump them here (or per stack, dev first), never float."""

    kube_prometheus_stack: ChartVersion = Field(
        default=chart_version("kube-prometheus-stack"),
        description="prometheus-community/kube-prometheus-stack (Prometheus Operator CRDs included).",
    )
    aws_for_fluent_bit: ChartVersion = Field(
        default=chart_version("aws-for-fluent-bit"), description="aws/eks-charts aws-for-fluent-bit."
    )
    postgres_exporter: ChartVersion = Field(
        default=chart_version("prometheus-postgres-exporter"),
        description="prometheus-community/prometheus-postgres-exporter.",
    )
    redis_exporter: ChartVersion = Field(
        default=chart_version("prometheus-redis-exporter"),
        description="prometheus-community/prometheus-redis-exporter.",
    )


class PrometheusSettings(Args):
    """Prometheus and Alertmanager sizing. Defaults are production's: a month of metrics, HA pairs."""

    retention_days: int = Field(
        default=30,
        ge=1,
        le=365,
        description="Days of metrics kept in-cluster; 30 covers month-over-month comparisons. Long-term "
        "history belongs in CloudWatch or a remote store, not on one volume.",
    )
    storage_gib: int = Field(
        default=200,
        ge=10,
        le=16384,
        description="gp3 volume per Prometheus replica; ~200 GiB holds 30 days of a mid-size cluster.",
    )
    replicas: int = Field(
        default=2,
        ge=1,
        le=3,
        description="Prometheus replicas: two scrape the same targets, so one can restart.",
    )
    memory_gib: int = Field(
        default=8,
        ge=1,
        le=256,
        description="Memory request and limit per Prometheus replica (the TSDB head).",
    )
    alertmanager_replicas: int = Field(
        default=3,
        ge=1,
        le=5,
        description="Alertmanager replicas: three form a gossip cluster that tolerates one loss.",
    )


def retention_size(storage_gib: int) -> str:
    """``retentionSize`` for a volume: Prometheus deletes old blocks before the disk fills."""
    return f"{int(storage_gib * RETENTION_SIZE_FRACTION)}GB"


def alertmanager_config(
    critical_topic_arn: pulumi.Input[str], warning_topic_arn: pulumi.Input[str], region: pulumi.Input[str]
) -> dict[str, Any]:
    """Alertmanager routing: critical → SNS alert topic (pager), warning → SNS warnings topic (email).

    SNS is reached with SigV4 and no keys: the AWS SDK inside Alertmanager picks up the IRSA web
    identity. ``Watchdog`` (the always-firing heartbeat) and ``InfoInhibitor`` go nowhere.
    """

    def sns(topic: pulumi.Input[str]) -> dict[str, Any]:
        return {"topic_arn": topic, "sigv4": {"region": region}, "send_resolved": True}

    return {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": "warnings",
            "group_by": ["alertname", "namespace", "severity"],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "12h",
            "routes": [
                {"receiver": "null", "matchers": ['alertname =~ "Watchdog|InfoInhibitor"']},
                {"receiver": "critical", "matchers": ['severity = "critical"'], "repeat_interval": "1h"},
                {"receiver": "warnings", "matchers": ['severity = "warning"']},
            ],
        },
        "inhibit_rules": [
            {
                "source_matchers": ['severity = "critical"'],
                "target_matchers": ['severity = "warning"'],
                "equal": ["alertname", "namespace"],
            }
        ],
        "receivers": [
            {"name": "null"},
            {"name": "critical", "sns_configs": [sns(critical_topic_arn)]},
            {"name": "warnings", "sns_configs": [sns(warning_topic_arn)]},
        ],
    }


def _hardened(run_as: int) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": run_as,
        "fsGroup": run_as,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def kube_prometheus_values(
    settings: PrometheusSettings,
    *,
    cluster_name: pulumi.Input[str],
    storage_class: pulumi.Input[str],
    alertmanager_role_arn: pulumi.Input[str],
    alertmanager: dict[str, Any],
    grafana_admin_secret: pulumi.Input[str],
) -> dict[str, Any]:
    """The chart's values. Selectors are opened so ServiceMonitors and rules from any release count."""
    volume = {
        "volumeClaimTemplate": {
            "spec": {
                "storageClassName": storage_class,
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{settings.storage_gib}Gi"}},
            }
        }
    }
    memory = f"{settings.memory_gib}Gi"
    return {
        "fullnameOverride": "kps",
        "crds": {"enabled": True},
        "defaultRules": {"create": True, "disabled": dict.fromkeys(REPLACED_DEFAULT_RULES, True)},
        "prometheus": {
            "prometheusSpec": {
                "replicas": settings.replicas,
                "retention": f"{settings.retention_days}d",
                "retentionSize": retention_size(settings.storage_gib),
                "storageSpec": volume,
                "externalLabels": {"cluster": cluster_name},
                "ruleSelectorNilUsesHelmValues": False,
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "probeSelectorNilUsesHelmValues": False,
                "resources": {"requests": {"cpu": "500m", "memory": memory}, "limits": {"memory": memory}},
                "securityContext": _hardened(1000),
                "podAntiAffinity": "hard" if settings.replicas > 1 else "",
            }
        },
        "alertmanager": {
            "serviceAccount": {
                "create": True,
                "name": ALERTMANAGER_SERVICE_ACCOUNT,
                "annotations": {"eks.amazonaws.com/role-arn": alertmanager_role_arn},
            },
            "alertmanagerSpec": {
                "replicas": settings.alertmanager_replicas,
                "storage": {
                    "volumeClaimTemplate": {
                        "spec": {
                            "storageClassName": storage_class,
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "5Gi"}},
                        }
                    }
                },
                "securityContext": _hardened(1000),
                "podAntiAffinity": "hard" if settings.alertmanager_replicas > 1 else "",
            },
            "config": alertmanager,
        },
        "grafana": {
            "fullnameOverride": GRAFANA_SERVICE,
            "admin": {
                "existingSecret": grafana_admin_secret,
                "userKey": GRAFANA_USER_KEY,
                "passwordKey": GRAFANA_PASSWORD_KEY,
            },
            "defaultDashboardsTimezone": "utc",
            "sidecar": {
                "dashboards": {
                    "enabled": True,
                    "label": "grafana_dashboard",
                    "labelValue": "1",
                    "searchNamespace": "ALL",
                    "folderAnnotation": "grafana_folder",
                    "provider": {"foldersFromFilesStructure": True},
                }
            },
            "grafana.ini": {
                "auth.anonymous": {"enabled": False},
                "security": {"cookie_secure": True, "disable_gravatar": True},
                "users": {"allow_sign_up": False},
            },
            "service": {"type": "ClusterIP"},
        },
    }
