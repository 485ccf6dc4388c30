"""The Monitoring component alone, under each stack's settings with fake wiring: alarms, topics, the
kube-prometheus-stack release, rules, dashboards, log shipping and exporters."""

from __future__ import annotations

import json
from typing import Any

import kubernetes_validate
import promql_parser
import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.irsa import irsa_trust_policy as trust_policy
from components.monitoring import Monitoring, MonitoringArgs, split_output
from components.versions import chart_version
from config import load_stack_file
from tests.helpers import REPO
from tools.harness import Graph, Resource, run

STACKS = ("dev", "staging", "prod")
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
RELEASE = "kubernetes:helm.sh/v3:Release"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"

LOGS_KEY = "arn:aws:kms:us-east-1:123456789012:key/logs-0000"
SECRETS_KEY = "arn:aws:kms:us-east-1:123456789012:key/secrets-0000"
OIDC_URL = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCdEf"
CACHE_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:qv-cache-auth-AbCdEf"
CLUSTER = "quantumvest-cluster-1a2b3c4"

#: Fake wiring per stack, shaped like each tier: (Aurora instances, of which readers, Redis nodes, NATs).
SHAPE = {"dev": (1, 0, 1, 1), "staging": (2, 1, 2, 1), "prod": (3, 2, 3, 3)}
DB_CLUSTER = "quantumvest-database-1a2b3c4d"

GIB = 1024**3
MIB = 1024**2

#: What each tier's alarms must fire at: metric → threshold, written out (not read back from config).
EXPECTED_THRESHOLDS: dict[str, dict[str, float]] = {
    "dev": {
        "CPUUtilization": 90,
        "FreeLocalStorage": 1 * GIB,
        "FreeableMemory": 128 * MIB,
        "DatabaseConnections": 80,
        "AuroraReplicaLagMaximum": 300_000,
        "EngineCPUUtilization": 90,
        "DatabaseMemoryUsagePercentage": 90,
        "Evictions": 1000,
        "ReplicationLag": 60,
        "ErrorPortAllocation": 0,
        "PacketsDropCount": 1000,
        "cluster_failed_node_count": 0,
        "BlockedRequests": 2000,
    },
    "staging": {
        "CPUUtilization": 85,
        "FreeLocalStorage": 2 * GIB,
        "FreeableMemory": 256 * MIB,
        "DatabaseConnections": 200,
        "AuroraReplicaLagMaximum": 60_000,
        "EngineCPUUtilization": 85,
        "DatabaseMemoryUsagePercentage": 85,
        "Evictions": 500,
        "ReplicationLag": 30,
        "ErrorPortAllocation": 0,
        "PacketsDropCount": 500,
        "cluster_failed_node_count": 0,
        "BlockedRequests": 1000,
    },
    "prod": {
        "CPUUtilization": 80,
        "FreeLocalStorage": 8 * GIB,
        "FreeableMemory": 512 * MIB,
        "DatabaseConnections": 400,
        "AuroraReplicaLagMaximum": 30_000,
        "EngineCPUUtilization": 80,
        "DatabaseMemoryUsagePercentage": 80,
        "Evictions": 100,
        "ReplicationLag": 10,
        "ErrorPortAllocation": 0,
        "PacketsDropCount": 100,
        "cluster_failed_node_count": 0,
        "BlockedRequests": 500,
    },
}
EXPECTED_EVALUATION_PERIODS = {"dev": 15, "staging": 10, "prod": 5}
EXPECTED_LOG_RETENTION = {"dev": 14, "staging": 90, "prod": 365}
EXPECTED_PROMETHEUS = {  # retention, volume, replicas
    "dev": ("7d", "20Gi", 1),
    "staging": ("15d", "50Gi", 1),
    "prod": ("30d", "200Gi", 2),
}

#: Seed 000, "Alerting Rules", verbatim.
SEED_000_RULES = {
    # Corrected so that it can fire: the idle fraction is the counter's rate (issue 16).
    "HighCPUUsage": (
        'avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) < 0.2',
        "5m",
        "warning",
    ),
    "HighMemoryUsage": (
        "node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes * 100 < 10",
        "5m",
        "warning",
    ),
    "HighAPIErrorRate": (
        'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) * 100 > 5',
        "5m",
        "critical",
    ),
}

APP_NAMESPACES = ("quantumvest", "cert-manager")


def _build(stack: str, args: MonitoringArgs | None = None, **overrides: Any) -> Graph:
    settings = args or load_stack_file(REPO / f"Pulumi.{stack}.yaml").monitoring
    databases, _readers, cache_nodes, nats = SHAPE[stack]

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        db_ids = pulumi.Output.from_input([f"qv-db-{i}" for i in range(databases)])
        wiring: dict[str, Any] = {
            "k8s_provider": provider,
            "cluster_name": CLUSTER,
            "oidc_provider_arn": OIDC_ARN,
            "oidc_provider_url": OIDC_URL,
            "kms_key_arn": LOGS_KEY,
            "db_instance_identifiers": split_output(db_ids, databases),
            "db_cluster_identifier": DB_CLUSTER,
            "cache_member_cluster_ids": [f"qv-cache-00{i + 1}" for i in range(cache_nodes)],
            "nat_gateway_ids": [f"nat-0{i}abc" for i in range(nats)],
            "web_acl_name": "quantumvest-regional-acl",
            "db_endpoint": "qv-db-0.abc.us-east-1.rds.amazonaws.com:5432",
            "db_name": "quantumvest",
            "db_master_secret_arn": DB_SECRET,
            "cache_endpoint": "master.qv-cache.abc.use1.cache.amazonaws.com",
            "cache_auth_secret_arn": CACHE_SECRET,
            "secrets_kms_key_arn": SECRETS_KEY,
            "namespaces": APP_NAMESPACES,
            **overrides,
        }
        monitoring = Monitoring("mon", settings, **wiring)
        pulumi.export("alertTopicArn", monitoring.alert_topic_arn)
        pulumi.export("warningTopicArn", monitoring.warning_topic_arn)
        pulumi.export("dashboardName", monitoring.dashboard_name)
        pulumi.export("grafanaServiceName", monitoring.grafana_service_name)

    return run(program, stack=stack)


_GRAPHS: dict[str, Graph] = {}


@pytest.fixture(scope="module", params=STACKS)
def mon(request: pytest.FixtureRequest) -> Graph:
    """The component built once per stack for this module."""
    if request.param not in _GRAPHS:
        _GRAPHS[request.param] = _build(request.param)
    return _GRAPHS[request.param]


def _policy(resource: Resource, key: str = "policy") -> dict[str, Any]:
    return json.loads(resource.inputs[key])


def _release(graph: Graph, chart: str) -> Resource:
    (found,) = [r for r in graph.of_type(RELEASE) if r.inputs["chart"] == chart]
    return found


# --- CloudWatch alarms --------------------------------------------------------------------------


def test_every_alarm_notifies_the_alert_topic_on_alarm_and_ok(mon: Graph) -> None:
    topic_arn = mon.outputs["alertTopicArn"]
    alarms = mon.of_type(ALARM)
    assert alarms
    for alarm in alarms:
        assert alarm.inputs["alarmActions"] == [topic_arn], alarm.name
        assert alarm.inputs["okActions"] == [topic_arn], alarm.name


def test_every_alarm_has_its_tiers_threshold_and_evaluation(mon: Graph) -> None:
    expected = EXPECTED_THRESHOLDS[mon.stack]
    seen = set()
    for alarm in mon.of_type(ALARM):
        metric = alarm.inputs["metricName"]
        assert alarm.inputs["threshold"] == expected[metric], (alarm.name, metric)
        assert alarm.inputs["evaluationPeriods"] == EXPECTED_EVALUATION_PERIODS[mon.stack]
        assert alarm.inputs["period"] == 60
        seen.add(metric)
    # Every watched metric is alarmed (dev has no reader, so no reader lag there).
    assert seen == set(expected) - ({"AuroraReplicaLagMaximum"} if mon.stack == "dev" else set())


def test_alarms_cover_every_resource_it_watches(mon: Graph) -> None:
    databases, replicas, cache_nodes, nats = SHAPE[mon.stack]

    def dims(metric: str) -> list[dict[str, Any]]:
        return [a.inputs["dimensions"] for a in mon.of_type(ALARM) if a.inputs["metricName"] == metric]

    instances = [f"qv-db-{i}" for i in range(databases)]
    for metric in ("CPUUtilization", "FreeLocalStorage", "FreeableMemory", "DatabaseConnections"):
        assert sorted(d["DBInstanceIdentifier"] for d in dims(metric)) == instances, metric
    # One reader-lag alarm on the cluster (it follows failovers), only where there are readers.
    assert dims("AuroraReplicaLagMaximum") == ([{"DBClusterIdentifier": DB_CLUSTER}] if replicas else [])
    assert len(dims("EngineCPUUtilization")) == cache_nodes
    assert len(dims("ErrorPortAllocation")) == len(dims("PacketsDropCount")) == nats
    assert dims("cluster_failed_node_count") == [{"ClusterName": CLUSTER}]
    assert dims("BlockedRequests") == [
        {"WebACL": "quantumvest-regional-acl", "Region": "us-east-1", "Rule": "ALL"}
    ]


def test_low_is_bad_for_free_storage_and_memory(mon: Graph) -> None:
    for alarm in mon.of_type(ALARM):
        low_is_bad = alarm.inputs["metricName"] in ("FreeLocalStorage", "FreeableMemory")
        expected = "LessThanThreshold" if low_is_bad else "GreaterThanThreshold"
        assert alarm.inputs["comparisonOperator"] == expected


def test_no_waf_alarm_without_a_web_acl() -> None:
    graph = _build("dev", web_acl_name=None)
    assert not [a for a in graph.of_type(ALARM) if a.inputs["metricName"] == "BlockedRequests"]


def test_dashboard_shows_every_alarm_and_metric(mon: Graph) -> None:
    dashboard = mon.one("aws:cloudwatch/dashboard:Dashboard")
    assert dashboard.inputs["dashboardName"] == f"{CLUSTER}-monitoring" == mon.outputs["dashboardName"]
    body = json.loads(dashboard.inputs["dashboardBody"])
    status, *metric_widgets = body["widgets"]
    alarm_arns = sorted(a.outputs["arn"] for a in mon.of_type(ALARM))
    assert status["type"] == "alarm" and sorted(status["properties"]["alarms"]) == alarm_arns
    plotted = {line[1] for w in metric_widgets for line in w["properties"]["metrics"]}
    assert plotted == {a.inputs["metricName"] for a in mon.of_type(ALARM)}
    for widget in metric_widgets:
        (annotation,) = widget["properties"]["annotations"]["horizontal"]
        metric = widget["properties"]["metrics"][0][1]
        assert annotation["value"] == EXPECTED_THRESHOLDS[mon.stack][metric]


# --- SNS ----------------------------------------------------------------------------------------


def test_topics_are_encrypted_with_the_logs_key_and_refuse_plain_http(mon: Graph) -> None:
    topics = mon.of_type(TOPIC)
    assert len(topics) == 2
    assert all(t.inputs["kmsMasterKeyId"] == LOGS_KEY for t in topics)
    for policy in mon.of_type("aws:sns/topicPolicy:TopicPolicy"):
        statements = _policy(policy)["Statement"]
        deny = [s for s in statements if s["Effect"] == "Deny"]
        assert deny and deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    alert_policy = mon.one("aws:sns/topicPolicy:TopicPolicy", "alerts")
    (cloudwatch,) = [s for s in _policy(alert_policy)["Statement"] if s["Effect"] == "Allow"]
    # Cost Anomaly Detection publishes anomalies to the alert topic too (components/cost_controls.py).
    assert cloudwatch["Principal"] == {"Service": ["cloudwatch.amazonaws.com", "costalerts.amazonaws.com"]}
    assert cloudwatch["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}


def test_subscriptions_come_from_config() -> None:
    args = MonitoringArgs(
        alert_emails=["oncall@quantumvest.com"],
        alert_https_endpoints=["https://events.pagerduty.com/integration/abc123/enqueue"],
        warning_emails=["team@quantumvest.com", "lead@quantumvest.com"],
    )
    graph = _build("dev", args)
    alert_arn, warning_arn = graph.outputs["alertTopicArn"], graph.outputs["warningTopicArn"]
    subs = {(s.inputs["topic"], s.inputs["protocol"], s.inputs["endpoint"]) for s in graph.of_type(
        "aws:sns/topicSubscription:TopicSubscription"
    )}  # fmt: skip
    assert subs == {
        (alert_arn, "email", "oncall@quantumvest.com"),
        (alert_arn, "https", "https://events.pagerduty.com/integration/abc123/enqueue"),
        (warning_arn, "email", "team@quantumvest.com"),
        (warning_arn, "email", "lead@quantumvest.com"),
    }


def test_warnings_go_to_the_alert_emails_when_none_are_given() -> None:
    graph = _build("staging")  # staging sets alert_emails only
    warning_arn = graph.outputs["warningTopicArn"]
    warning_subs = [
        s.inputs["endpoint"]
        for s in graph.of_type("aws:sns/topicSubscription:TopicSubscription")
        if s.inputs["topic"] == warning_arn
    ]
    assert warning_subs == ["platform-team@quantumvest.com"]


# --- kube-prometheus-stack -------------------------------------------------------------------------


def test_kube_prometheus_stack_is_pinned_and_sized_by_tier(mon: Graph) -> None:
    release = _release(mon, "kube-prometheus-stack")
    assert release.inputs["version"] == chart_version("kube-prometheus-stack")
    assert release.inputs["repositoryOpts"]["repo"] == "https://prometheus-community.github.io/helm-charts"
    spec = release.inputs["values"]["prometheus"]["prometheusSpec"]
    retention, volume, replicas = EXPECTED_PROMETHEUS[mon.stack]
    assert (spec["retention"], spec["replicas"]) == (retention, replicas)
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == volume
    storage_class = mon.one("kubernetes:storage.k8s.io/v1:StorageClass")
    assert claim["storageClassName"] == storage_class.inputs["metadata"]["name"]
    assert storage_class.inputs["parameters"]["type"] == "gp3"
    assert storage_class.inputs["parameters"]["encrypted"] == "true"
    # Prometheus drops old blocks before the volume fills.
    assert int(spec["retentionSize"].removesuffix("GB")) < int(volume.removesuffix("Gi"))


def test_alertmanager_pages_critical_via_sns_and_emails_warnings(mon: Graph) -> None:
    values = _release(mon, "kube-prometheus-stack").inputs["values"]["alertmanager"]
    config = values["config"]
    receivers = {r["name"]: r for r in config["receivers"]}
    routes = {tuple(r["matchers"]): r["receiver"] for r in config["route"]["routes"]}
    assert routes[('severity = "critical"',)] == "critical"
    assert routes[('severity = "warning"',)] == "warnings"
    (critical,) = receivers["critical"]["sns_configs"]
    (warning,) = receivers["warnings"]["sns_configs"]
    assert critical["topic_arn"] == mon.outputs["alertTopicArn"]
    assert warning["topic_arn"] == mon.outputs["warningTopicArn"]
    # No keys: SigV4 through the IRSA role annotated on Alertmanager's service account.
    assert critical["sigv4"] == {"region": "us-east-1"}
    role_arn = values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
    role = next(r for r in mon.of_type("aws:iam/role:Role") if r.outputs["arn"] == role_arn)
    condition = _policy(role, "assumeRolePolicy")["Statement"][0]["Condition"]["StringEquals"]
    issuer = OIDC_URL.removeprefix("https://")
    assert condition == {
        f"{issuer}:sub": "system:serviceaccount:monitoring:alertmanager",
        f"{issuer}:aud": "sts.amazonaws.com",
    }
    publish = next(p for p in mon.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id)
    statements = {s["Sid"]: s for s in _policy(publish)["Statement"]}
    assert sorted(statements["PublishAlerts"]["Resource"]) == sorted(
        [mon.outputs["alertTopicArn"], mon.outputs["warningTopicArn"]]
    )
    assert statements["EncryptForTopics"]["Resource"] == LOGS_KEY


def test_grafana_admin_password_is_a_secret_never_in_helm_values(mon: Graph) -> None:
    password = mon.one("random:index/randomPassword:RandomPassword")
    value = password.outputs["result"]
    assert len(value) == 32
    secret = mon.one("kubernetes:core/v1:Secret", "grafana-admin")
    assert secret.inputs["stringData"]["admin-password"] == value
    assert "stringData" in secret.secret_paths  # the engine stores it encrypted
    grafana = _release(mon, "kube-prometheus-stack").inputs["values"]["grafana"]
    assert grafana["admin"] == {
        "existingSecret": secret.inputs["metadata"]["name"],
        "userKey": "admin-user",
        "passwordKey": "admin-password",
    }
    assert "adminPassword" not in grafana
    for resource in mon:
        if resource is not secret:
            assert value not in json.dumps(resource.inputs), resource.name
    assert mon.outputs["grafanaServiceName"] == grafana["fullnameOverride"] == "grafana"


def test_prometheus_rule_holds_seed_000_rules_exactly(mon: Graph) -> None:
    rule = mon.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert rule.inputs["apiVersion"] == "monitoring.coreos.com/v1"
    rules = {r["alert"]: r for group in rule.inputs["spec"]["groups"] for r in group["rules"]}
    for alert, (expr, for_, severity) in SEED_000_RULES.items():
        assert rules[alert]["expr"] == expr
        assert rules[alert]["for"] == for_
        assert rules[alert]["labels"]["severity"] == severity
    release = _release(mon, "kube-prometheus-stack")
    assert release.urn in rule.dependencies  # the CRD comes with the chart


def test_prometheus_rule_covers_crash_loops_nodes_volumes_and_certificates(mon: Graph) -> None:
    rule = mon.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    rules = {r["alert"]: r for group in rule.inputs["spec"]["groups"] for r in group["rules"]}
    assert "CrashLoopBackOff" in rules["PodCrashLooping"]["expr"]
    assert 'condition="Ready"' in rules["NodeNotReady"]["expr"]
    assert rules["NodeNotReady"]["labels"]["severity"] == "critical"
    assert "kubelet_volume_stats_available_bytes" in rules["PersistentVolumeAlmostFull"]["expr"]
    assert "certmanager_certificate_expiration_timestamp_seconds" in rules["CertificateExpiringSoon"]["expr"]


def test_every_rule_expression_parses_as_promql(mon: Graph) -> None:
    rule = mon.one("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    exprs = [r["expr"] for group in rule.inputs["spec"]["groups"] for r in group["rules"]]
    assert len(exprs) >= 10
    for expr in exprs:
        promql_parser.parse(expr)  # raises ValueError on invalid PromQL
    for r in (r for group in rule.inputs["spec"]["groups"] for r in group["rules"]):
        assert r["labels"]["severity"] in ("critical", "warning")
        promql_parser.parse_duration(r["for"])


def test_promql_check_would_catch_a_broken_expression() -> None:
    with pytest.raises(ValueError):
        promql_parser.parse('sum(rate(http_requests_total{status=~"5.."}[5m])')


def test_dashboards_are_valid_json_configmaps_labelled_for_the_sidecar(mon: Graph) -> None:
    maps = [m for m in mon.of_type(CONFIG_MAP) if m.name.startswith("mon-dashboard-")]
    titles = set()
    uids = set()
    for config_map in maps:
        assert config_map.inputs["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert config_map.inputs["metadata"]["namespace"] == "monitoring"
        ((key, text),) = config_map.inputs["data"].items()
        assert key.endswith(".json")
        dashboard = json.loads(text)
        titles.add(dashboard["title"])
        uids.add(dashboard["uid"])
        assert dashboard["panels"]
        for panel in dashboard["panels"]:
            for target in panel["targets"]:
                promql_parser.parse(target["expr"].replace("$__rate_interval", "5m"))
    assert titles == {
        "System Overview",
        "Application Performance",
        "Database",
        "Business Metrics",
        "Security",
    }
    assert len(uids) == 5
    sidecar = _release(mon, "kube-prometheus-stack").inputs["values"]["grafana"]["sidecar"]["dashboards"]
    assert (sidecar["label"], sidecar["labelValue"], sidecar["enabled"]) == ("grafana_dashboard", "1", True)


# --- Logs ---------------------------------------------------------------------------------------------


def test_a_log_group_per_namespace_with_tier_retention_and_the_logs_key(mon: Graph) -> None:
    groups = mon.of_type(LOG_GROUP)
    expected = sorted({"kube-system", "monitoring", "logging", *APP_NAMESPACES})
    assert sorted(g.inputs["name"] for g in groups) == [
        f"/aws/eks/{CLUSTER}/containers/{ns}" for ns in expected
    ]
    for group in groups:
        assert group.inputs["retentionInDays"] == EXPECTED_LOG_RETENTION[mon.stack]
        assert group.inputs["kmsKeyId"] == LOGS_KEY


def test_fluent_bit_writes_each_namespace_to_its_group_and_nowhere_else(mon: Graph) -> None:
    release = _release(mon, "aws-for-fluent-bit")
    values = release.inputs["values"]
    assert release.inputs["namespace"] == "logging"
    assert not values["cloudWatchLogs"]["enabled"] and not values["cloudWatch"]["enabled"]
    outputs = values["additionalOutputs"]
    groups = mon.of_type(LOG_GROUP)
    for group in groups:
        namespace = group.inputs["name"].rsplit("/", 1)[1]
        assert f"Match               kube.var.log.containers.*_{namespace}_*" in outputs
        assert f"log_group_name      {group.inputs['name']}" in outputs
    assert outputs.count("[OUTPUT]") == len(groups)
    assert "auto_create_group   false" in outputs
    role_arn = values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
    role = next(r for r in mon.of_type("aws:iam/role:Role") if r.outputs["arn"] == role_arn)
    policy = next(p for p in mon.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id)
    (statement,) = _policy(policy)["Statement"]
    arns = {g.outputs["arn"] for g in groups}
    assert set(statement["Resource"]) == arns | {f"{a}:*" for a in arns}
    assert "logs:CreateLogGroup" not in statement["Action"]


# --- Exporters ----------------------------------------------------------------------------------------


def test_exporters_get_credentials_from_secrets_manager_through_external_secrets(mon: Graph) -> None:
    store = mon.one("kubernetes:external-secrets.io/v1:SecretStore")
    account = store.inputs["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"]["name"]
    postgres, redis = (mon.one(EXTERNAL_SECRET, kind) for kind in ("postgres", "redis"))
    assert {d["remoteRef"]["key"] for d in postgres.inputs["spec"]["data"]} == {DB_SECRET}
    assert {d["remoteRef"]["key"] for d in redis.inputs["spec"]["data"]} == {CACHE_SECRET}
    dsn = postgres.inputs["spec"]["target"]["template"]["data"]["DATA_SOURCE_NAME"]
    assert dsn.endswith("@qv-db-0.abc.us-east-1.rds.amazonaws.com:5432/quantumvest?sslmode=require")
    pg_values = _release(mon, "prometheus-postgres-exporter").inputs["values"]
    assert pg_values["config"]["datasourceSecret"]["name"] == postgres.inputs["spec"]["target"]["name"]
    redis_values = _release(mon, "prometheus-redis-exporter").inputs["values"]
    assert redis_values["auth"]["secret"]["name"] == redis.inputs["spec"]["target"]["name"]
    assert redis_values["redisAddress"] == "rediss://master.qv-cache.abc.use1.cache.amazonaws.com:6379"
    assert pg_values["serviceMonitor"]["enabled"] and redis_values["serviceMonitor"]["enabled"]
    # The reader role may read exactly those two secrets, decrypting only through Secrets Manager.
    reader = next(
        r for r in mon.of_type("aws:iam/role:Role") if f":{account}" in r.inputs["assumeRolePolicy"]
    )
    policy = next(p for p in mon.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == reader.id)
    statements = {s["Sid"]: s for s in _policy(policy)["Statement"]}
    assert sorted(statements["ReadExporterCredentials"]["Resource"]) == sorted([DB_SECRET, CACHE_SECRET])
    assert statements["DecryptThroughSecretsManager"]["Resource"] == SECRETS_KEY


def test_no_exporters_without_database_wiring() -> None:
    graph = _build("dev", db_master_secret_arn=None, cache_auth_secret_arn=None)
    charts = {r.inputs["chart"] for r in graph.of_type(RELEASE)}
    assert charts == {"kube-prometheus-stack", "aws-for-fluent-bit"}
    assert not graph.of_type(EXTERNAL_SECRET)


# --- Structure ----------------------------------------------------------------------------------------


def test_children_are_parented_named_and_kubernetes_goes_through_the_given_provider(mon: Graph) -> None:
    component = mon.one("quantumvest:monitoring:Monitoring")
    provider = mon.one("pulumi:providers:kubernetes")
    children = [r for r in mon if r.type not in ("pulumi:providers:kubernetes",) and r is not component]
    for child in children:
        assert child.parent == component.urn, child.name
        assert child.name.startswith("mon-"), child.name
        if child.type.startswith("kubernetes:"):
            assert child.provider == provider.urn, child.name
    assert mon.component_outputs[component.urn]["alert_topic_arn"] == mon.outputs["alertTopicArn"]


def test_container_insights_add_on_publishes_the_failed_node_metric(mon: Graph) -> None:
    addon = mon.one("aws:eks/addon:Addon")
    assert addon.inputs["addonName"] == "amazon-cloudwatch-observability"
    assert json.loads(addon.inputs["configurationValues"]) == {"containerLogs": {"enabled": False}}
    role = next(
        r
        for r in mon.of_type("aws:iam/role:Role")
        if r.outputs["arn"] == addon.inputs["serviceAccountRoleArn"]
    )
    assert "system:serviceaccount:amazon-cloudwatch:cloudwatch-agent" in role.inputs["assumeRolePolicy"]


def test_trust_policy_pins_one_service_account() -> None:
    policy = json.loads(trust_policy(OIDC_ARN, OIDC_URL + "/", "logging", "aws-for-fluent-bit"))
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Federated": OIDC_ARN}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    issuer = OIDC_URL.removeprefix("https://")
    assert (
        statement["Condition"]["StringEquals"][f"{issuer}:sub"]
        == "system:serviceaccount:logging:aws-for-fluent-bit"
    )


def test_core_kubernetes_objects_are_schema_valid(mon: Graph) -> None:
    version = kubernetes_validate.latest_version()
    core = [r for r in mon if r.type.split(":")[1] in ("core/v1", "storage.k8s.io/v1")]
    assert {r.inputs["kind"] for r in core} == {
        "Namespace",
        "Secret",
        "ConfigMap",
        "StorageClass",
        "ServiceAccount",
    }
    for resource in core:
        kubernetes_validate.validate(resource.inputs, version, strict=True)


def test_every_kubernetes_object_waits_for_the_cluster_add_ons() -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        add_ons = k8s.core.v1.Namespace(
            "add-ons", metadata={"name": "external-secrets"}, opts=pulumi.ResourceOptions(provider=provider)
        )
        Monitoring(
            "mon",
            MonitoringArgs(),
            k8s_provider=provider,
            cluster_name=CLUSTER,
            oidc_provider_arn=OIDC_ARN,
            oidc_provider_url=OIDC_URL,
            kms_key_arn=LOGS_KEY,
            db_endpoint="db:5432",
            db_master_secret_arn=DB_SECRET,
            k8s_depends_on=[add_ons],
        )

    graph = run(program)
    add_ons = graph.named("add-ons")
    in_cluster = [r for r in graph if r.type.startswith("kubernetes:") and r.name.startswith("mon-")]
    assert len(in_cluster) > 10
    for resource in in_cluster:
        assert add_ons.urn in resource.dependencies, resource.name
    release = _release(graph, "kube-prometheus-stack")
    assert graph.one("kubernetes:core/v1:Secret", "grafana-admin").urn in release.dependencies
