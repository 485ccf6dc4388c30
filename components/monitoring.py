"""Monitoring and logging: alarms, the alert topics, the dashboard, Prometheus/Grafana/Alertmanager,
alert rules, Grafana dashboards, log shipping and database exporters.

Seeds 000, 001 and 004 list what must be watched and alerted on; the pieces live in small modules
beside this one (``alarms``, ``cloudwatch_dashboard``, ``kube_prometheus``, ``prometheus_rules``,
``dashboards``, ``log_shipping``, ``exporters``). This file holds the settings and wires the pieces.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from . import exporters, kube_prometheus, log_shipping
from .alarms import PERIOD_SECONDS, AlarmSpec, AlarmThresholds, alarm_specs
from .cloudwatch_dashboard import dashboard_body
from .cluster_service_policies import cloudwatch_agent_policy
from .dashboards import DASHBOARDS, SIDECAR_LABEL, dashboard_json
from .irsa import irsa_role
from .monitoring_args import (
    MonitoringArgs,
)
from .prometheus_rules import rule_groups
from .versions import version as pinned_version


def split_output(values: pulumi.Input[Sequence[str]], count: int) -> list[pulumi.Output[str]]:
    """``count`` per-item outputs from an output list whose length the config fixes (e.g. NAT gateway ids).

    Alarms are one resource per item, so the number of items must be known before deploy; the tier's
    settings know it (NAT strategy and AZ count, replica count, cache nodes).
    """
    whole = pulumi.Output.from_input(values)
    return [whole.apply(lambda items, i=i: items[i]) for i in range(count)]


def _slug(text: str) -> str:
    """A short, stable logical-name suffix for a subscription endpoint (order-independent)."""
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def _topic_policy(
    topic_arn: pulumi.Input[str], account_id: pulumi.Input[str], cloudwatch: bool
) -> pulumi.Output[str]:
    """Deny publishing without TLS; let CloudWatch alarms and Cost Anomaly Detection of this account
    publish (alert topic only)."""
    statements: list[dict[str, object]] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["sns:Publish", "sns:Subscribe"],
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    if cloudwatch:
        statements.append(
            {
                "Sid": "CloudWatchAlarmsAndCostAnomaliesPublish",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudwatch.amazonaws.com", "costalerts.amazonaws.com"]},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def _publish_policy(
    topic_arns: list[pulumi.Input[str]], kms_key_arn: pulumi.Input[str]
) -> pulumi.Output[str]:
    """Publish to the two topics, with the data key operations their KMS encryption needs."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "PublishAlerts", "Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arns},
                {
                    "Sid": "EncryptForTopics",
                    "Effect": "Allow",
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": kms_key_arn,
                },
            ],
        }
    )


class Monitoring(pulumi.ComponentResource):
    """Alarms, alert routing, dashboards, metrics, logs.

    Creates, on AWS: the alert topic and the warnings topic (KMS-encrypted, TLS-only) with their
    email/HTTPS subscriptions; a CloudWatch alarm per watched metric and resource (RDS, ElastiCache,
    NAT, EKS, WAF), each with alarm and OK actions to the alert topic; one CloudWatch dashboard; a
    log group per namespace; IRSA roles for Alertmanager, Fluent Bit, the secrets reader and the
    CloudWatch agent; the amazon-cloudwatch-observability add-on (optional).

    In the cluster, through ``k8s_provider``: the monitoring and logging namespaces, an encrypted gp3
    StorageClass, Grafana's admin Secret (generated password), kube-prometheus-stack, the
    PrometheusRule, five dashboard ConfigMaps, aws-for-fluent-bit, and — when the database and cache
    are wired — a SecretStore, ExternalSecrets and the postgres/redis exporters.
    """

    alert_topic_arn: pulumi.Output[str]
    warning_topic_arn: pulumi.Output[str]
    dashboard_name: pulumi.Output[str]
    grafana_service_name: pulumi.Output[str]
    log_group_names: dict[str, pulumi.Output[str]]
    namespace: str  #: where Grafana, Prometheus and Alertmanager run (the Grafana service's namespace)

    def __init__(
        self,
        name: str,
        args: MonitoringArgs,
        *,
        k8s_provider: pulumi.ProviderResource,
        cluster_name: pulumi.Input[str],
        oidc_provider_arn: pulumi.Input[str],
        oidc_provider_url: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str],
        db_instance_identifiers: Sequence[pulumi.Input[str]] = (),
        db_cluster_identifier: pulumi.Input[str] | None = None,
        cache_member_cluster_ids: Sequence[pulumi.Input[str]] = (),
        nat_gateway_ids: Sequence[pulumi.Input[str]] = (),
        nat_instance_ids: Sequence[pulumi.Input[str]] = (),
        web_acl_name: pulumi.Input[str] | None = None,
        db_endpoint: pulumi.Input[str] | None = None,
        db_port: pulumi.Input[int] = 5432,
        db_name: pulumi.Input[str] = "postgres",
        db_master_secret_arn: pulumi.Input[str] | None = None,
        cache_endpoint: pulumi.Input[str] | None = None,
        cache_port: pulumi.Input[int] = 6379,
        cache_auth_secret_arn: pulumi.Input[str] | None = None,
        cache_auth_secret_property: str | None = None,
        secrets_kms_key_arn: pulumi.Input[str] | None = None,
        namespaces: Sequence[str] = (),
        k8s_depends_on: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Wire monitoring to the rest of the platform.

        ``kms_key_arn`` is the logs key (topics, log groups); its key policy must let
        ``cloudwatch.amazonaws.com`` and ``logs.<region>.amazonaws.com`` use it.
        ``db_instance_identifiers`` are the Aurora instance *identifiers* (writer and readers);
        ``db_cluster_identifier`` the cluster's (its reader-lag alarm, when it has readers).
        ``namespaces`` get a log group each, in addition to kube-system, monitoring and logging.
        ``cache_auth_secret_property`` is the JSON key of the AUTH token in its secret (None: the
        secret string is the token). ``k8s_depends_on`` holds what every in-cluster object waits for:
        the cluster add-ons providing the EBS CSI driver and the external-secrets CRDs.
        """
        super().__init__("quantumvest:monitoring:Monitoring", name, None, opts)
        on_aws = pulumi.ResourceOptions(parent=self)
        on_k8s = pulumi.ResourceOptions(parent=self, provider=k8s_provider, depends_on=list(k8s_depends_on))
        invoke = pulumi.InvokeOutputOptions(parent=self)
        region = aws.get_region_output(opts=invoke).region
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition

        # --- Alert topics and subscriptions -----------------------------------------------------
        alert_topic = aws.sns.Topic(
            f"{name}-alerts",
            display_name="QuantumVest alerts",
            kms_master_key_id=kms_key_arn,
            tags={"Purpose": "alerts"},
            opts=on_aws,
        )
        warning_topic = aws.sns.Topic(
            f"{name}-warnings",
            display_name="QuantumVest warnings",
            kms_master_key_id=kms_key_arn,
            tags={"Purpose": "warnings"},
            opts=on_aws,
        )
        aws.sns.TopicPolicy(
            f"{name}-alerts-policy",
            arn=alert_topic.arn,
            policy=_topic_policy(alert_topic.arn, account_id, cloudwatch=True),
            opts=on_aws,
        )
        aws.sns.TopicPolicy(
            f"{name}-warnings-policy",
            arn=warning_topic.arn,
            policy=_topic_policy(warning_topic.arn, account_id, cloudwatch=False),
            opts=on_aws,
        )
        for address in args.alert_emails:
            aws.sns.TopicSubscription(
                f"{name}-alert-email-{_slug(address)}",
                topic=alert_topic.arn,
                protocol="email",
                endpoint=address,
                opts=on_aws,
            )
        for url in args.alert_https_endpoints:
            aws.sns.TopicSubscription(
                f"{name}-alert-https-{_slug(url)}",
                topic=alert_topic.arn,
                protocol="https",
                endpoint=url,
                endpoint_auto_confirms=True,
                opts=on_aws,
            )
        if args.pager_endpoint is not None:
            aws.sns.TopicSubscription(
                f"{name}-alert-pager",
                topic=alert_topic.arn,
                protocol="https",
                endpoint=args.pager_endpoint,
                endpoint_auto_confirms=True,
                opts=on_aws,
            )
        for address in args.warning_recipients():
            aws.sns.TopicSubscription(
                f"{name}-warning-email-{_slug(address)}",
                topic=warning_topic.arn,
                protocol="email",
                endpoint=address,
                opts=on_aws,
            )

        # --- CloudWatch alarms and dashboard ----------------------------------------------------
        specs = alarm_specs(
            args.thresholds,
            cluster_name=cluster_name,
            region=region,
            db_instance_identifiers=db_instance_identifiers,
            db_cluster_identifier=db_cluster_identifier,
            cache_member_cluster_ids=cache_member_cluster_ids,
            nat_gateway_ids=nat_gateway_ids,
            nat_instance_ids=nat_instance_ids,
            web_acl_name=web_acl_name,
        )
        alarms = [self._alarm(name, spec, args.thresholds, alert_topic.arn, on_aws) for spec in specs]
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=pulumi.Output.concat(cluster_name, "-monitoring"),
            dashboard_body=dashboard_body(specs, [a.arn for a in alarms], region),
            opts=on_aws,
        )

        if args.container_insights:
            agent_role = irsa_role(
                f"{name}-cloudwatch-agent",
                namespace="amazon-cloudwatch",
                service_account="cloudwatch-agent",
                oidc_provider_arn=oidc_provider_arn,
                oidc_provider_url=oidc_provider_url,
                # IAM: scoped to this cluster's log groups and the agent's namespaces, not the managed
                # CloudWatchAgentServerPolicy (log and metric writes on '*').
                policy_json=pulumi.Output.all(partition, region, account_id, cluster_name).apply(
                    lambda a: cloudwatch_agent_policy(*a)
                ),
                opts=on_aws,
            )
            aws.eks.Addon(
                f"{name}-container-insights",
                cluster_name=cluster_name,
                addon_name="amazon-cloudwatch-observability",
                addon_version=pinned_version("amazon-cloudwatch-observability"),
                service_account_role_arn=agent_role.arn,
                configuration_values='{"containerLogs":{"enabled":false}}',
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="PRESERVE",
                opts=on_aws,
            )

        # --- Namespaces and storage ---------------------------------------------------------------
        monitoring_ns = self._namespace(name, "monitoring-ns", args.namespace, on_k8s)
        logging_ns = self._namespace(name, "logging-ns", args.logging_namespace, on_k8s)
        ns_name = monitoring_ns.metadata.name
        storage_class = k8s.storage.v1.StorageClass(
            f"{name}-gp3",
            metadata={
                "name": "monitoring-gp3-encrypted",
                "labels": {"app.kubernetes.io/part-of": "monitoring"},
            },
            provisioner="ebs.csi.aws.com",
            parameters={"type": "gp3", "encrypted": "true", "csi.storage.k8s.io/fstype": "ext4"},
            reclaim_policy="Delete",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=on_k8s,
        )

        # --- Grafana admin credentials (generated, secret, never in Helm values) -----------------
        # Its own provider: stacks disable default providers, and nothing else here needs one.
        random_provider = random.Provider(f"{name}-random", opts=pulumi.ResourceOptions(parent=self))
        password = random.RandomPassword(
            f"{name}-grafana-admin",
            length=32,
            special=False,
            opts=pulumi.ResourceOptions(parent=self, provider=random_provider),
        )
        grafana_secret = k8s.core.v1.Secret(
            f"{name}-grafana-admin",
            metadata={"name": "grafana-admin", "namespace": ns_name},
            type="Opaque",
            string_data={
                kube_prometheus.GRAFANA_USER_KEY: args.grafana_admin_user,
                kube_prometheus.GRAFANA_PASSWORD_KEY: password.result,
            },
            opts=on_k8s,
        )

        # --- kube-prometheus-stack ------------------------------------------------------------------
        alertmanager_role = irsa_role(
            f"{name}-alertmanager",
            namespace=args.namespace,
            service_account=kube_prometheus.ALERTMANAGER_SERVICE_ACCOUNT,
            oidc_provider_arn=oidc_provider_arn,
            oidc_provider_url=oidc_provider_url,
            policy_json=_publish_policy([alert_topic.arn, warning_topic.arn], kms_key_arn),
            opts=on_aws,
        )
        stack = k8s.helm.v3.Release(
            f"{name}-kube-prometheus-stack",
            name=kube_prometheus.RELEASE_NAME,
            chart="kube-prometheus-stack",
            version=args.charts.kube_prometheus_stack,
            repository_opts={"repo": exporters.CHART_REPO},
            namespace=ns_name,
            values=kube_prometheus.kube_prometheus_values(
                args.prometheus,
                cluster_name=cluster_name,
                storage_class=storage_class.metadata.name,
                alertmanager_role_arn=alertmanager_role.arn,
                alertmanager=kube_prometheus.alertmanager_config(alert_topic.arn, warning_topic.arn, region),
                grafana_admin_secret=grafana_secret.metadata.name,
            ),
            atomic=True,
            cleanup_on_fail=True,
            timeout=900,
            opts=pulumi.ResourceOptions.merge(on_k8s, pulumi.ResourceOptions(depends_on=[grafana_secret])),
        )
        k8s.apiextensions.CustomResource(
            f"{name}-rules",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata={
                "name": "quantumvest-alerts",
                "namespace": ns_name,
                "labels": {
                    "release": kube_prometheus.RELEASE_NAME,
                    "app.kubernetes.io/part-of": "quantumvest",
                },
            },
            spec={"groups": rule_groups()},
            opts=pulumi.ResourceOptions.merge(on_k8s, pulumi.ResourceOptions(depends_on=[stack])),  # the CRD
        )
        for key in DASHBOARDS:
            k8s.core.v1.ConfigMap(
                f"{name}-dashboard-{key}",
                metadata={
                    "name": f"grafana-dashboard-{key}",
                    "namespace": ns_name,
                    "labels": dict(SIDECAR_LABEL),
                    "annotations": {"grafana_folder": "QuantumVest"},
                },
                data={f"{key}.json": dashboard_json(key)},
                opts=on_k8s,
            )

        # --- Logs ------------------------------------------------------------------------------------
        shipped = sorted({"kube-system", args.namespace, args.logging_namespace, *namespaces})
        groups = log_shipping.create_log_groups(
            name,
            namespaces=shipped,
            cluster_name=cluster_name,
            retention_days=args.log_retention_days,
            log_group_class=args.log_group_class,
            kms_key_arn=kms_key_arn,
            opts=on_aws,
        )
        log_shipping.create_fluent_bit(
            name,
            groups=groups,
            namespace=logging_ns.metadata.name,
            namespace_name=args.logging_namespace,
            region=region,
            chart_version=args.charts.aws_for_fluent_bit,
            oidc_provider_arn=oidc_provider_arn,
            oidc_provider_url=oidc_provider_url,
            aws_opts=on_aws,
            k8s_opts=on_k8s,
        )

        # --- Exporters -------------------------------------------------------------------------------
        postgres = db_master_secret_arn is not None and db_endpoint is not None
        redis = cache_auth_secret_arn is not None and cache_endpoint is not None
        if postgres or redis:
            store = exporters.create_secret_store(
                name,
                namespace=ns_name,
                namespace_name=args.namespace,
                region=region,
                secret_arns=[
                    *([db_master_secret_arn] if db_master_secret_arn is not None and postgres else []),
                    *([cache_auth_secret_arn] if cache_auth_secret_arn is not None and redis else []),
                ],
                kms_key_arn=secrets_kms_key_arn,
                oidc_provider_arn=oidc_provider_arn,
                oidc_provider_url=oidc_provider_url,
                aws_opts=on_aws,
                k8s_opts=on_k8s,
            )
            if db_master_secret_arn is not None and db_endpoint is not None:  # postgres
                exporters.create_postgres_exporter(
                    name,
                    namespace=ns_name,
                    store=store,
                    secret_arn=db_master_secret_arn,
                    host=db_endpoint,
                    port=db_port,
                    database=db_name,
                    chart_version=args.charts.postgres_exporter,
                    depends_on=[stack],  # ServiceMonitor CRD
                    k8s_opts=on_k8s,
                )
            if cache_auth_secret_arn is not None and cache_endpoint is not None:  # redis
                exporters.create_redis_exporter(
                    name,
                    namespace=ns_name,
                    store=store,
                    secret_arn=cache_auth_secret_arn,
                    secret_property=cache_auth_secret_property,
                    host=cache_endpoint,
                    port=cache_port,
                    chart_version=args.charts.redis_exporter,
                    depends_on=[stack],
                    k8s_opts=on_k8s,
                )

        self.namespace = args.namespace
        self.alert_topic_arn = alert_topic.arn
        self.warning_topic_arn = warning_topic.arn
        self.dashboard_name = dashboard.dashboard_name
        self.grafana_service_name = stack.name.apply(lambda _: kube_prometheus.GRAFANA_SERVICE)
        self.log_group_names = {ns: group.name for ns, group in groups.items()}
        self.register_outputs(
            {
                "alert_topic_arn": self.alert_topic_arn,
                "warning_topic_arn": self.warning_topic_arn,
                "dashboard_name": self.dashboard_name,
                "grafana_service_name": self.grafana_service_name,
                "log_group_names": self.log_group_names,
            }
        )

    @staticmethod
    def _alarm(
        name: str,
        spec: AlarmSpec,
        thresholds: AlarmThresholds,
        topic_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions,
    ) -> aws.cloudwatch.MetricAlarm:
        """One alarm; it notifies the alert topic when it fires and when it recovers."""
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{spec.key}",
            alarm_description=spec.description,
            namespace=spec.namespace,
            metric_name=spec.metric_name,
            dimensions=spec.dimensions,
            statistic=spec.statistic,
            period=PERIOD_SECONDS,
            evaluation_periods=thresholds.evaluation_periods,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[topic_arn],
            ok_actions=[topic_arn],
            tags={"AlarmGroup": spec.group},
            opts=opts,
        )

    @staticmethod
    def _namespace(
        name: str, role: str, namespace: str, opts: pulumi.ResourceOptions
    ) -> k8s.core.v1.Namespace:
        """A namespace for node-level agents (node-exporter, Fluent Bit): privileged Pod Security level."""
        return k8s.core.v1.Namespace(
            f"{name}-{role}",
            metadata={
                "name": namespace,
                "labels": {
                    "pod-security.kubernetes.io/enforce": "privileged",
                    "app.kubernetes.io/part-of": "monitoring",
                },
            },
            opts=opts,
        )
