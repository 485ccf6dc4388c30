"""What the coverage rules know about the world, in one place: who produces each metric, which
resources cost money, which are stateful, and how a controller's settings reach what it creates.

Every metric an alert rule or a dashboard reads must come from a target Prometheus scrapes. The table
:data:`METRIC_PRODUCERS` maps a metric name (exactly, or by prefix) to the producer that exposes it;
``scrape-coverage`` then looks for that producer in the graph. Add a row when a dashboard or rule
starts reading a new family of metrics, with the source that says who exposes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from policy.rules import tokens as t


@dataclass(frozen=True)
class ChartMonitor:
    """A Helm chart whose own ServiceMonitor (or scrape job) exposes the metric when ``path`` is true.

    ``default`` is the chart's default for ``path`` (the value holds when the release does not set it).
    """

    label: str
    chart: str
    path: str
    default: bool
    source: str


@dataclass(frozen=True)
class Application:
    """The platform's own services: each application Deployment must be scraped by a ServiceMonitor
    (through a Service exposing the named port) or a PodMonitor (a named container port)."""

    label: str = "the application services (a named metrics port scraped by a ServiceMonitor/PodMonitor)"
    #: Pod label marking the platform's own workloads (set by components/k8s_service.py).
    part_of_label: str = "app.kubernetes.io/part-of"
    part_of_value: str = "quantumvest"


Producer = ChartMonitor | Application

_KPS = "kube-prometheus-stack"
NODE_EXPORTER = ChartMonitor(
    "node-exporter (kube-prometheus-stack)",
    _KPS,
    "nodeExporter.enabled",
    True,
    "prometheus-community/helm-charts kube-prometheus-stack values.yaml: nodeExporter.enabled",
)
KUBE_STATE_METRICS = ChartMonitor(
    "kube-state-metrics (kube-prometheus-stack)",
    _KPS,
    "kubeStateMetrics.enabled",
    True,
    "kube-prometheus-stack values.yaml: kubeStateMetrics.enabled",
)
KUBELET = ChartMonitor(
    "the kubelet and cAdvisor (kube-prometheus-stack)",
    _KPS,
    "kubelet.enabled",
    True,
    "kube-prometheus-stack values.yaml: kubelet.enabled (kubelet, cAdvisor and probes endpoints)",
)
API_SERVER = ChartMonitor(
    "the Kubernetes API server (kube-prometheus-stack)",
    _KPS,
    "kubeApiServer.enabled",
    True,
    "kube-prometheus-stack values.yaml: kubeApiServer.enabled",
)
CERT_MANAGER = ChartMonitor(
    "cert-manager's ServiceMonitor",
    "cert-manager",
    "prometheus.servicemonitor.enabled",
    False,
    "cert-manager chart values.yaml: prometheus.servicemonitor.enabled (default false)",
)
EXTERNAL_SECRETS = ChartMonitor(
    "external-secrets' ServiceMonitor",
    "external-secrets",
    "serviceMonitor.enabled",
    False,
    "external-secrets chart values.yaml: serviceMonitor.enabled (default false)",
)
EDGE_CONTROLLER = ChartMonitor(
    "the AWS Load Balancer Controller's ServiceMonitor",
    "aws-load-balancer-controller",
    "serviceMonitor.enabled",
    False,
    "aws/eks-charts aws-load-balancer-controller values.yaml: serviceMonitor.enabled (default false)",
)
POSTGRES_EXPORTER = ChartMonitor(
    "postgres-exporter's ServiceMonitor",
    "prometheus-postgres-exporter",
    "serviceMonitor.enabled",
    False,
    "prometheus-community prometheus-postgres-exporter values.yaml: serviceMonitor.enabled",
)
REDIS_EXPORTER = ChartMonitor(
    "redis-exporter's ServiceMonitor",
    "prometheus-redis-exporter",
    "serviceMonitor.enabled",
    False,
    "prometheus-community prometheus-redis-exporter values.yaml: serviceMonitor.enabled",
)
APPLICATION = Application()

#: Metric name → producer. Keys ending in ``_`` are prefixes; others match exactly. Longest match wins.
METRIC_PRODUCERS: dict[str, Producer] = {
    "node_": NODE_EXPORTER,
    "kube_": KUBE_STATE_METRICS,
    "container_": KUBELET,
    "kubelet_": KUBELET,
    "apiserver_": API_SERVER,
    "certmanager_": CERT_MANAGER,
    "externalsecret_": EXTERNAL_SECRETS,
    # The LB controller's own metrics (kubernetes-sigs.github.io/aws-load-balancer-controller, v2.13+
    # guide/metrics/prometheus): reconcile errors per controller, AWS API errors by kind.
    "awslbc_": EDGE_CONTROLLER,
    "api_call_": EDGE_CONTROLLER,
    "pg_": POSTGRES_EXPORTER,
    "redis_": REDIS_EXPORTER,
    # The services' HTTP instrumentation (prometheus_client / OpenTelemetry semantic names) and their
    # business counters: the metric contract of a QuantumVest service (README, "Metrics").
    "http_requests_total": APPLICATION,
    "http_request_duration_seconds_": APPLICATION,
    "quantumvest_": APPLICATION,
}


def producer_of(metric: str) -> Producer | None:
    """The producer of ``metric`` (longest matching key), or ``None`` if nobody is known to expose it."""
    best: tuple[int, Producer] | None = None
    for key, producer in METRIC_PRODUCERS.items():
        matches = metric.startswith(key) if key.endswith("_") else metric == key
        if matches and (best is None or len(key) > best[0]):
            best = (len(key), producer)
    return best[1] if best else None


# --- stateful resources and backups -------------------------------------------------------------

BACKUP_SELECTION = "aws:backup/selection:Selection"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_VAULT = "aws:backup/vault:Vault"
K8S_STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
EKS_ADDON = "aws:eks/addon:Addon"
EBS_CSI = "ebs.csi.aws.com"
EBS_CSI_ADDON = "aws-ebs-csi-driver"
#: A representative ARN of a volume the EBS CSI driver creates (its id is only known at run time).
VOLUME_ARN = "arn:{partition}:ec2:{region}:{account}:volume/vol-0123456789abcdef0"

#: Types AWS Backup must protect (buckets are filtered further: log sinks and replicas are copies).
BACKED_UP_TYPES = (t.RDS_INSTANCE, t.RDS_CLUSTER, t.EFS_FILE_SYSTEM, *t.BUCKETS, K8S_STORAGE_CLASS)

# --- alert routing --------------------------------------------------------------------------------

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
GUARDDUTY_DETECTOR = "aws:guardduty/detector:Detector"
SECURITYHUB_ACCOUNT = "aws:securityhub/account:Account"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ANOMALY_SUBSCRIPTION = "aws:costexplorer/anomalySubscription:AnomalySubscription"
#: The EventBridge source of each finding service's events.
FINDING_SOURCES = {GUARDDUTY_DETECTOR: "aws.guardduty", SECURITYHUB_ACCOUNT: "aws.securityhub"}
#: Senders that need the topic's policy to allow their service principal ``sns:Publish`` (EventBridge
#: and Cost Anomaly Detection docs; CloudWatch alarms of the owning account publish without one).
PUBLISHERS = {
    EVENT_TARGET: "events.amazonaws.com",
    ANOMALY_SUBSCRIPTION: "costalerts.amazonaws.com",
}
#: Subscription protocols that reach a person (a pager is an HTTPS integration endpoint).
PAGER_PROTOCOLS = ("https",)

# --- cost attribution ----------------------------------------------------------------------------

BUDGET = "aws:budgets/budget:Budget"
COST_ALLOCATION_TAG = "aws:costexplorer/costAllocationTag:CostAllocationTag"
LB_CONTROLLER_CHART = "aws-load-balancer-controller"

#: AWS resources billed on their own (hourly, per GB or per request) and taggable, so the budget's
#: tag filter must see them. Sources: the AWS price list per service (tools/data/prices-*.json).
COST_BEARING_TYPES = (
    t.RDS_INSTANCE,
    t.RDS_CLUSTER,
    t.RDS_CLUSTER_INSTANCE,
    t.CACHE_REPLICATION_GROUP,
    t.NAT_GATEWAY,
    "aws:ec2/eip:Eip",
    t.EKS_CLUSTER,
    t.EFS_FILE_SYSTEM,
    *t.BUCKETS,
    t.KMS_KEY,
    t.KMS_REPLICA_KEY,
    *t.LOAD_BALANCERS,
    t.CLOUDFRONT_DISTRIBUTION,
    t.WEB_ACL,
    t.VPC_ENDPOINT,
    t.SECRET,
    "aws:cloudwatch/logGroup:LogGroup",
    BACKUP_VAULT,
    "aws:ecr/repository:Repository",
)
