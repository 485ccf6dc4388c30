"""The monitoring settings: alert and warning recipients, the pager endpoint, thresholds, retention; validated before any resource is registered. Split from ``monitoring.py`` (which re-exports every name)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from .alarms import AlarmThresholds
from .args import Args, FieldProblem, LogGroupClass, RetentionDays
from .edge_alarms import EdgeAlarmThresholds
from .kube_prometheus import ChartVersions, PrometheusSettings

# An address as mail systems accept it in practice: one @, a dotted domain, no spaces.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_HTTPS = re.compile(r"^https://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s]*)?$")
_K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def _check_email(value: str) -> str:
    if not _EMAIL.fullmatch(value) or len(value) > 254:
        raise ValueError("not an email address; allowed: name@domain.tld (at most 254 characters)")
    return value


def _check_https(value: str) -> str:
    if not _HTTPS.fullmatch(value):
        raise ValueError("not an HTTPS URL; allowed: https://host[:port]/path (SNS delivers over TLS only)")
    return value


def _check_k8s_name(value: str) -> str:
    if not _K8S_NAME.fullmatch(value):
        raise ValueError(
            "not a Kubernetes namespace name; allowed: lower-case DNS label, at most 63 characters"
        )
    return value


#: An email address SNS can subscribe.
Email = Annotated[str, AfterValidator(_check_email)]
#: An HTTPS endpoint SNS can subscribe (a paging service's SNS integration URL).
HttpsUrl = Annotated[str, AfterValidator(_check_https)]
#: A Kubernetes namespace name.
NamespaceName = Annotated[str, AfterValidator(_check_k8s_name)]


class MonitoringArgs(Args):
    """Settings of monitoring and logging. Defaults are production's; tiers relax sizes and thresholds."""

    alert_emails: list[Email] = Field(
        default_factory=list,
        description="Subscribed to the alert topic: every CloudWatch alarm and critical Prometheus alert. "
        "Empty by default because addresses belong to a stack; prod must name someone.",
    )
    alert_https_endpoints: list[HttpsUrl] = Field(
        default_factory=list,
        description="HTTPS subscriptions of the alert topic, e.g. a PagerDuty/Opsgenie SNS integration URL "
        "(these confirm the subscription themselves).",
    )
    pager_endpoint: HttpsUrl | None = Field(
        default=None,
        description="The on-call pager's SNS integration URL (PagerDuty, Opsgenie), subscribed to the alert "
        "topic and the security findings topic. Prod must set one (policy rule alert-routing): critical "
        "alerts page a person, not an inbox.",
    )
    warning_emails: list[Email] | None = Field(
        default=None,
        description="Subscribed to the warnings topic (Prometheus warnings). None: the alert_emails.",
    )
    thresholds: AlarmThresholds = Field(default_factory=AlarmThresholds)
    edge_thresholds: EdgeAlarmThresholds = Field(
        default_factory=EdgeAlarmThresholds,
        description="The public ALB's 5xx-rate and p99-latency alarms (components/edge_alarms.py).",
    )
    log_retention_days: RetentionDays = Field(
        default=365,
        description="Retention of the per-namespace container log groups: a year, as PCI DSS 10.5.1 asks "
        "of audit trails.",
    )
    log_group_class: LogGroupClass = Field(
        default="STANDARD",
        description="Class of the per-namespace container log groups. INFREQUENT_ACCESS halves ingestion "
        "and keeps Logs Insights queries, but has no metric filters, subscriptions or Live Tail.",
    )
    prometheus: PrometheusSettings = Field(default_factory=PrometheusSettings)
    charts: ChartVersions = Field(default_factory=ChartVersions)
    namespace: NamespaceName = Field(
        default="monitoring", description="Namespace of Prometheus, Alertmanager, Grafana and the exporters."
    )
    logging_namespace: NamespaceName = Field(
        default="logging",
        description="Namespace of the Fluent Bit DaemonSet (privileged: it reads host paths).",
    )
    grafana_admin_user: str = Field(
        default="admin", min_length=1, max_length=64, description="Grafana's break-glass admin login name."
    )
    container_insights: bool = Field(
        default=True,
        description="Install the amazon-cloudwatch-observability add-on (container logs off: Fluent Bit ships "
        "them). It publishes cluster_failed_node_count, which the EKS alarm reads.",
    )

    @model_validator(mode="after")
    def _distinct_namespaces(self) -> MonitoringArgs:
        if self.namespace == self.logging_namespace:
            raise FieldProblem(
                "logging_namespace",
                self.logging_namespace,
                "must differ from namespace: Fluent Bit needs a privileged namespace of its own",
            )
        return self

    def warning_recipients(self) -> list[str]:
        """Who receives Prometheus warnings."""
        return list(self.alert_emails if self.warning_emails is None else self.warning_emails)
