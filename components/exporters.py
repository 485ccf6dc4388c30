"""Postgres and Redis metrics into Prometheus: the exporters, with credentials from Secrets Manager.

The credentials never pass through Pulumi: external-secrets copies them from Secrets Manager into
Kubernetes Secrets (``ExternalSecret``), through a namespaced ``SecretStore`` whose service account's
IRSA role may read exactly those secrets. The exporters read the Kubernetes Secrets; their
ServiceMonitors let Prometheus scrape them.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .irsa import irsa_role

#: external-secrets serves v1 since 0.16.2 and only v1 since 0.17.
EXTERNAL_SECRETS_API = "external-secrets.io/v1"
CHART_REPO = "https://prometheus-community.github.io/helm-charts"
SECRET_STORE = "aws-secrets-manager"
SECRET_STORE_SERVICE_ACCOUNT = "monitoring-secrets-reader"
POSTGRES_SECRET = "postgres-exporter-dsn"
POSTGRES_SECRET_KEY = "DATA_SOURCE_NAME"
REDIS_SECRET = "redis-exporter-auth"
REDIS_SECRET_KEY = "password"
REFRESH = "1h"  # picks up RDS-managed password rotation within the hour


def secrets_reader_policy(
    secret_arns: list[pulumi.Input[str]], kms_key_arn: pulumi.Input[str] | None
) -> pulumi.Output[str]:
    """Read the given secrets (and decrypt them with their key, through Secrets Manager only)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadExporterCredentials",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": secret_arns,
        }
    ]
    if kms_key_arn is not None:
        statements.append(
            {
                "Sid": "DecryptThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": kms_key_arn,
                "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"}},
            }
        )
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def postgres_dsn_template(
    host: pulumi.Input[str], port: pulumi.Input[int], database: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The exporter's connection string as an external-secrets template (credentials URL-escaped, TLS on)."""
    return pulumi.Output.concat(
        "postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@",
        pulumi.Output.from_input(host).apply(lambda h: h.split(":")[0]),  # an endpoint may carry ":port"
        ":",
        pulumi.Output.from_input(port).apply(str),
        "/",
        database,
        "?sslmode=require",
    )


def _hardened_pod() -> dict[str, Any]:
    return {
        "podSecurityContext": {
            "runAsNonRoot": True,
            "runAsUser": 65534,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "resources": {"requests": {"cpu": "25m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    }


def create_secret_store(
    name: str,
    *,
    namespace: pulumi.Input[str],
    namespace_name: str,
    region: pulumi.Input[str],
    secret_arns: list[pulumi.Input[str]],
    kms_key_arn: pulumi.Input[str] | None,
    oidc_provider_arn: pulumi.Input[str],
    oidc_provider_url: pulumi.Input[str],
    aws_opts: pulumi.ResourceOptions,
    k8s_opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """The IRSA role, its service account and a SecretStore authenticating as it (JWT)."""
    role = irsa_role(
        f"{name}-secrets-reader",
        namespace=namespace_name,
        service_account=SECRET_STORE_SERVICE_ACCOUNT,
        oidc_provider_arn=oidc_provider_arn,
        oidc_provider_url=oidc_provider_url,
        policy_json=secrets_reader_policy(secret_arns, kms_key_arn),
        opts=aws_opts,
    )
    account = k8s.core.v1.ServiceAccount(
        f"{name}-secrets-reader",
        metadata={
            "name": SECRET_STORE_SERVICE_ACCOUNT,
            "namespace": namespace,
            "annotations": {"eks.amazonaws.com/role-arn": role.arn},
        },
        automount_service_account_token=False,
        opts=k8s_opts,
    )
    return k8s.apiextensions.CustomResource(
        f"{name}-secret-store",
        api_version=EXTERNAL_SECRETS_API,
        kind="SecretStore",
        metadata={"name": SECRET_STORE, "namespace": namespace},
        spec={
            "provider": {
                "aws": {
                    "service": "SecretsManager",
                    "region": region,
                    "auth": {"jwt": {"serviceAccountRef": {"name": account.metadata.name}}},
                }
            }
        },
        opts=k8s_opts,
    )


def _external_secret(
    name: str,
    *,
    namespace: pulumi.Input[str],
    target: str,
    template: dict[str, pulumi.Input[str]],
    data: list[dict[str, Any]],
    store: k8s.apiextensions.CustomResource,
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        name,
        api_version=EXTERNAL_SECRETS_API,
        kind="ExternalSecret",
        metadata={"name": target, "namespace": namespace},
        spec={
            "refreshInterval": REFRESH,
            # CustomResource sets its outputs (metadata, spec) at run time; the SDK class declares none.
            "secretStoreRef": {"name": store.metadata["name"], "kind": "SecretStore"},  # pyright: ignore[reportAttributeAccessIssue]
            "target": {
                "name": target,
                "creationPolicy": "Owner",
                "template": {"engineVersion": "v2", "type": "Opaque", "data": template},
            },
            "data": data,
        },
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[store])),
    )


def create_postgres_exporter(
    name: str,
    *,
    namespace: pulumi.Input[str],
    store: k8s.apiextensions.CustomResource,
    secret_arn: pulumi.Input[str],
    host: pulumi.Input[str],
    port: pulumi.Input[int],
    database: pulumi.Input[str],
    chart_version: str,
    depends_on: list[pulumi.Resource],
    k8s_opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    """ExternalSecret building the DSN from the RDS-managed master secret, then the exporter."""
    secret = _external_secret(
        f"{name}-postgres-credentials",
        namespace=namespace,
        target=POSTGRES_SECRET,
        template={POSTGRES_SECRET_KEY: postgres_dsn_template(host, port, database)},
        data=[
            {"secretKey": key, "remoteRef": {"key": secret_arn, "property": key}}
            for key in ("username", "password")
        ],
        store=store,
        opts=k8s_opts,
    )
    values = {
        "config": {"datasourceSecret": {"name": POSTGRES_SECRET, "key": POSTGRES_SECRET_KEY}},
        "serviceMonitor": {"enabled": True, "interval": "30s"},
        **_hardened_pod(),
    }
    return _exporter_release(
        name, "postgres", namespace, chart_version, values, [secret, *depends_on], k8s_opts
    )


def create_redis_exporter(
    name: str,
    *,
    namespace: pulumi.Input[str],
    store: k8s.apiextensions.CustomResource,
    secret_arn: pulumi.Input[str],
    secret_property: str | None,
    host: pulumi.Input[str],
    port: pulumi.Input[int],
    chart_version: str,
    depends_on: list[pulumi.Resource],
    k8s_opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    """ExternalSecret with the Redis AUTH token, then the exporter speaking TLS (``rediss://``)."""
    remote: dict[str, Any] = {"key": secret_arn}
    if secret_property is not None:
        remote["property"] = secret_property
    secret = _external_secret(
        f"{name}-redis-credentials",
        namespace=namespace,
        target=REDIS_SECRET,
        template={REDIS_SECRET_KEY: "{{ .token }}"},
        data=[{"secretKey": "token", "remoteRef": remote}],
        store=store,
        opts=k8s_opts,
    )
    address = pulumi.Output.concat(
        "rediss://", pulumi.Output.from_input(host).apply(lambda h: h.split(":")[0]), ":",
        pulumi.Output.from_input(port).apply(str),
    )  # fmt: skip
    values = {
        "redisAddress": address,
        "auth": {"enabled": True, "secret": {"name": REDIS_SECRET, "key": REDIS_SECRET_KEY}},
        "serviceMonitor": {"enabled": True, "interval": "30s"},
        # The Celery queue's length as redis_key_size{key="celery"} (QueueLengthHigh, seed 004).
        "env": [{"name": "REDIS_EXPORTER_CHECK_SINGLE_KEYS", "value": "db0=celery"}],
        **_hardened_pod(),
    }
    return _exporter_release(name, "redis", namespace, chart_version, values, [secret, *depends_on], k8s_opts)


def _exporter_release(
    name: str,
    engine: str,
    namespace: pulumi.Input[str],
    chart_version: str,
    values: dict[str, Any],
    depends_on: list[pulumi.Resource],
    k8s_opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    """The prometheus-community ``prometheus-<engine>-exporter`` chart, atomic, after its credentials."""
    return k8s.helm.v3.Release(
        f"{name}-{engine}-exporter",
        name=f"{engine}-exporter",
        chart=f"prometheus-{engine}-exporter",
        version=chart_version,
        repository_opts={"repo": CHART_REPO},
        namespace=namespace,
        values=values,
        atomic=True,
        cleanup_on_fail=True,
        opts=pulumi.ResourceOptions.merge(k8s_opts, pulumi.ResourceOptions(depends_on=depends_on)),
    )
