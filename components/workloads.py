"""The platform's services on Kubernetes: namespaces, secrets, config, services, their routes, the edge.

Driven by the ``workloads`` config section (``WorkloadsArgs``): the namespace, the public domain, the
services list (tier defaults give seed 000/001/004's backend, frontend, model serving and Celery
workers), the namespace quota and container defaults, the edge and the database bootstrap.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .db_bootstrap import MASTER_SECRET, DatabaseBootstrap, host_of
from .db_dump import create_database_dump
from .gateway import PublicGateway
from .k8s_namespace import ContainerDefaults, K8sNamespace
from .k8s_pod import labels
from .k8s_secret_store import ExternalSecretSpec, SecretsManagerStore
from .k8s_service import K8sService, ServiceArgs, ServiceWiring
from .workloads_args import (
    APP_CONFIG_MAP,
    APP_SECRETS,
    READINESS_GATE_LABEL,
    WorkloadsArgs,
)


def connection_templates(
    db_host: str,
    db_port: int,
    databases: Sequence[str],
    app_database: str,
    sslmode: str,
    cache_host: str,
    cache_port: int,
) -> dict[str, str]:
    """external-secrets templates for the connection URLs; the credentials are filled in in-cluster.

    ``{{ .db_password }}`` and friends are Go template references to the fetched values: no secret
    passes through Pulumi here, only endpoints. The Redis token is URL-escaped (it may hold ``#`` or
    ``&``); the database password is alphanumeric by construction.
    """

    def postgres(db: str) -> str:
        return (
            "postgresql://{{ .db_username }}:{{ .db_password }}@"
            + f"{db_host}:{db_port}/{db}?sslmode={sslmode}"
        )

    out = {"database-url": postgres(app_database)}
    for db in databases:
        out[f"database-url-{db.replace('_', '-')}"] = postgres(db)
    out["redis-url"] = "rediss://:{{ .redis_auth_token | urlquery }}@" + f"{cache_host}:{cache_port}/0"
    return out


def _config_hash(data: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


class Workloads(pulumi.ComponentResource):
    """The platform's services on Kubernetes, hardened, autoscaled and isolated.

    Creates, through the cluster's Kubernetes provider: the application namespace and the bootstrap
    namespace, each with its baseline (``K8sNamespace``: PSS restricted, quota, limits, default deny,
    DNS); the database bootstrap (``DatabaseBootstrap``); a namespaced SecretStore and the
    ExternalSecrets the services read (``app-secrets`` with the connection URLs, and each service's
    application secrets from the security side); the ``app-configmap`` (endpoints, bucket names, URLs);
    one ``K8sService`` per configured service (with its HTTPRoutes); and the stack's one Gateway
    (``PublicGateway``: the internet-facing ALB with the WAF ACL, the ACM certificates, the TLS 1.3
    policy, the security headers and the HTTP→HTTPS redirect). IRSA roles (AWS) for the secret readers
    and for services with AWS access.
    """

    namespace: pulumi.Output[str]
    ingress_hosts: list[str]
    load_balancer_name: str
    app_db_credentials_secret_arn: pulumi.Output[str]
    service_role_arns: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        args: WorkloadsArgs,
        *,
        k8s_provider: k8s.Provider,
        oidc_provider_arn: pulumi.Input[str],
        oidc_provider_url: pulumi.Input[str],
        database_subnet_cidrs: pulumi.Input[Sequence[str]],
        db_endpoint: pulumi.Input[str],
        db_master_secret_arn: pulumi.Input[str],
        cache_endpoint: pulumi.Input[str],
        cache_auth_secret_arn: pulumi.Input[str],
        regional_web_acl_arn: pulumi.Input[str],
        load_balancer_name: str,
        load_balancer_cidrs: pulumi.Input[Sequence[str]],
        gateway_class_name: str = "alb",
        certificate_arns: Sequence[pulumi.Input[str]] = (),
        access_logs_bucket: pulumi.Input[str] | None = None,
        db_port: pulumi.Input[int] = 5432,
        cache_port: pulumi.Input[int] = 6379,
        cache_auth_secret_property: str | None = None,
        bucket_names: Mapping[str, pulumi.Input[str]] | None = None,
        bucket_kms_key_arn: pulumi.Input[str] | None = None,
        ecr_repository_urls: Mapping[str, pulumi.Input[str]] | None = None,
        app_secret_arns: Mapping[str, pulumi.Input[str]] | None = None,
        secrets_kms_key_arn: pulumi.Input[str] | None = None,
        decrypt_kms_key_arns: Sequence[pulumi.Input[str]] = (),
        efs_file_system_id: pulumi.Input[str] | None = None,
        efs_access_point_id: pulumi.Input[str] | None = None,
        kubernetes_version: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        # Every Kubernetes object below goes through the cluster's provider (children inherit it).
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(providers={"kubernetes": k8s_provider})
        )
        super().__init__("quantumvest:workloads:Workloads", name, None, opts)
        bucket_names = dict(bucket_names or {})
        ecr_repository_urls = dict(ecr_repository_urls or {})
        app_secret_arns = dict(app_secret_arns or {})
        check_wiring(args, bucket_names, ecr_repository_urls)
        if args.edge.access_logs and access_logs_bucket is None:
            raise ValueError(
                "Workloads wiring: workloads.edge.access_logs is on but no access_logs_bucket was wired in "
                "(the logs bucket, whose policy admits ELB log delivery)"
            )
        on_k8s = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        region = aws.get_region_output(opts=invoke).region
        partition = aws.get_partition_output(opts=invoke).partition
        pss_version = f"v{'.'.join(kubernetes_version.split('.')[:2])}" if kubernetes_version else "latest"
        db_host = pulumi.Output.from_input(db_endpoint).apply(host_of)
        cache_host = pulumi.Output.from_input(cache_endpoint).apply(host_of)
        # Plain (this platform: known before deploy) or an Output (a consumer's StackReference).
        if isinstance(database_subnet_cidrs, list | tuple) and not database_subnet_cidrs:
            raise ValueError(
                "database_subnet_cidrs is empty: the services' egress to Postgres and Redis needs them"
            )
        database_cidrs = pulumi.Output.from_input(database_subnet_cidrs)

        app_ns = K8sNamespace(
            f"{name}-app",
            namespace=args.namespace,
            quota=args.quota,
            container_defaults=args.container_defaults,
            pod_security_version=pss_version,
            # The load balancer controller gates each pod's readiness on its ALB target being healthy,
            # so a rollout never leaves the target group with only new, not-yet-healthy pods.
            extra_labels={READINESS_GATE_LABEL: "enabled"},
            opts=on_k8s,
        )
        bootstrap_namespace = f"{args.namespace}-db-bootstrap"
        bootstrap_ns = K8sNamespace(
            f"{name}-bootstrap",
            namespace=bootstrap_namespace,
            quota=args.database_bootstrap.quota,
            container_defaults=ContainerDefaults(),
            pod_security_version=pss_version,
            opts=on_k8s,
        )
        bootstrap = DatabaseBootstrap(
            f"{name}-db-bootstrap",
            args.database_bootstrap,
            namespace=bootstrap_ns.name,
            namespace_name=bootstrap_namespace,
            db_endpoint=db_endpoint,
            db_port=db_port,
            db_master_secret_arn=db_master_secret_arn,
            database_subnet_cidrs=database_cidrs,
            region=region,
            oidc_provider_arn=oidc_provider_arn,
            oidc_provider_url=oidc_provider_url,
            secrets_kms_key_arn=secrets_kms_key_arn,
            decrypt_kms_key_arns=decrypt_kms_key_arns,
            opts=on_k8s,
        )
        self.app_db_credentials_secret_arn = bootstrap.app_credentials_secret_arn

        store = self._secret_store(
            name,
            args,
            namespace=app_ns.name,
            app_credentials_arn=bootstrap.app_credentials_secret_arn,
            cache_auth_secret_arn=cache_auth_secret_arn,
            cache_auth_secret_property=cache_auth_secret_property,
            app_secret_arns=app_secret_arns,
            db_host=db_host,
            db_port=db_port,
            cache_host=cache_host,
            cache_port=cache_port,
            kms_keys=[k for k in [secrets_kms_key_arn, *decrypt_kms_key_arns] if k is not None],
            region=region,
            oidc=(oidc_provider_arn, oidc_provider_url),
            opts=on_k8s,
        )

        config_data: dict[str, pulumi.Input[str]] = {
            "domain": args.domain,
            "aws-region": region,
            "database-host": db_host,
            "database-port": pulumi.Output.from_input(db_port).apply(str),
            "redis-host": cache_host,
            "redis-port": pulumi.Output.from_input(cache_port).apply(str),
            **{f"bucket-{role}": bucket for role, bucket in sorted(bucket_names.items())},
            **{key: value.replace("{domain}", args.domain) for key, value in args.config_data.items()},
        }
        config_map = k8s.core.v1.ConfigMap(
            f"{name}-config",
            metadata={
                "name": APP_CONFIG_MAP,
                "namespace": app_ns.name,
                "labels": labels(APP_CONFIG_MAP, "config"),
            },
            data=config_data,
            opts=pulumi.ResourceOptions(parent=self),
        )
        config_hash = pulumi.Output.all(config_data).apply(lambda v: _config_hash(v[0]))
        bucket_arns = {
            role: pulumi.Output.concat("arn:", partition, ":s3:::", bucket)
            for role, bucket in bucket_names.items()
        }
        if "backups" in bucket_names:
            create_database_dump(
                f"{name}-db-dump",
                args.database_dump,
                namespace=bootstrap_ns.name,
                namespace_name=bootstrap_namespace,
                databases=args.database_bootstrap.databases,
                master_secret=MASTER_SECRET,
                db_host=db_host,
                db_port=db_port,
                database_subnet_cidrs=database_cidrs,
                bucket_name=bucket_names["backups"],
                bucket_arn=bucket_arns["backups"],
                kms_key_arn=bucket_kms_key_arn,
                oidc_provider_arn=oidc_provider_arn,
                oidc_provider_url=oidc_provider_url,
                sslmode=args.database_bootstrap.sslmode,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[bootstrap]),
            )
        efs_handle = (
            pulumi.Output.concat(efs_file_system_id, "::", efs_access_point_id)
            if efs_file_system_id is not None and efs_access_point_id is not None
            else None
        )
        self.service_role_arns = {}
        edge = PublicGateway(
            f"{name}-edge",
            args.edge,
            namespace=app_ns.name,
            gateway_class_name=gateway_class_name,
            load_balancer_name=load_balancer_name,
            domain=args.domain,
            certificate_arns=list(certificate_arns),
            web_acl_arn=regional_web_acl_arn,
            access_logs_bucket=access_logs_bucket,
            cors_origin=args.cors_origin(),
            opts=pulumi.ResourceOptions(parent=self),
        )
        for svc in args.services:
            wiring = ServiceWiring(
                namespace=app_ns.name,
                namespace_name=args.namespace,
                domain=args.domain,
                image=_image(svc, args.image_tag, ecr_repository_urls),
                config_map_name=APP_CONFIG_MAP,
                app_secrets_name=APP_SECRETS,
                own_secrets_name=f"{svc.name}-secrets" if svc.name in app_secret_arns else None,
                config_hash=config_hash,
                gateway_name=edge.gateway_name,
                load_balancer_cidrs=load_balancer_cidrs,
                monitoring_namespace=args.monitoring_namespace,
                database_cidrs=database_cidrs,
                db_port=db_port,
                cache_port=cache_port,
                callees=[
                    (other.name, other.listen_port)
                    for other in args.services
                    if svc.name in other.allow_from and other.listen_port is not None
                ],
                zone_spread=args.zone_spread,
                oidc_provider_arn=oidc_provider_arn,
                oidc_provider_url=oidc_provider_url,
                bucket_arns={role: bucket_arns[role] for role in svc.aws.buckets},
                bucket_kms_key_arn=bucket_kms_key_arn,
                region=region,
                efs_volume_handle=efs_handle,
            )
            service = K8sService(
                f"{name}-{svc.name}",
                svc,
                wiring,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[store, config_map, edge]),
            )
            if service.role_arn is not None:
                self.service_role_arns[svc.name] = service.role_arn

        self.ingress_hosts = sorted({args.host(r.host) for s in args.services for r in s.ingress})
        self.namespace = app_ns.name
        self.load_balancer_name = edge.load_balancer_name
        self.register_outputs(
            {
                "namespace": self.namespace,
                "ingress_hosts": self.ingress_hosts,
                "load_balancer_name": self.load_balancer_name,
                "app_db_credentials_secret_arn": self.app_db_credentials_secret_arn,
                "service_role_arns": self.service_role_arns,
            }
        )

    def _secret_store(
        self,
        name: str,
        args: WorkloadsArgs,
        *,
        namespace: pulumi.Input[str],
        app_credentials_arn: pulumi.Input[str],
        cache_auth_secret_arn: pulumi.Input[str],
        cache_auth_secret_property: str | None,
        app_secret_arns: Mapping[str, pulumi.Input[str]],
        db_host: pulumi.Input[str],
        db_port: pulumi.Input[int],
        cache_host: pulumi.Input[str],
        cache_port: pulumi.Input[int],
        kms_keys: Sequence[pulumi.Input[str]],
        region: pulumi.Input[str],
        oidc: tuple[pulumi.Input[str], pulumi.Input[str]],
        opts: pulumi.ResourceOptions,
    ) -> SecretsManagerStore:
        """The app namespace's SecretStore and its ExternalSecrets (connection URLs; per-service secrets)."""
        boot = args.database_bootstrap
        templates = pulumi.Output.all(db_host, db_port, cache_host, cache_port).apply(
            lambda v: connection_templates(
                v[0], v[1], boot.databases, boot.app_database, boot.sslmode, v[2], v[3]
            )
        )
        token_ref: dict[str, Any] = {"key": cache_auth_secret_arn}
        if cache_auth_secret_property:
            token_ref["property"] = cache_auth_secret_property
        specs = [
            ExternalSecretSpec(
                target=APP_SECRETS,
                data=[
                    {
                        "secretKey": "db_username",
                        "remoteRef": {"key": app_credentials_arn, "property": "username"},
                    },
                    {
                        "secretKey": "db_password",
                        "remoteRef": {"key": app_credentials_arn, "property": "password"},
                    },
                    {"secretKey": "redis_auth_token", "remoteRef": token_ref},
                ],
                template_data=templates,
            )
        ]
        used = [svc.name for svc in args.services if svc.name in app_secret_arns]
        specs += [
            ExternalSecretSpec(
                target=f"{svc}-secrets", data_from=[{"extract": {"key": app_secret_arns[svc]}}]
            )
            for svc in used
        ]
        return SecretsManagerStore(
            f"{name}-secrets",
            namespace=namespace,
            namespace_name=args.namespace,
            secret_arns=[app_credentials_arn, cache_auth_secret_arn, *(app_secret_arns[s] for s in used)],
            kms_key_arns=kms_keys,
            region=region,
            oidc_provider_arn=oidc[0],
            oidc_provider_url=oidc[1],
            secrets=specs,
            opts=opts,
        )


def check_wiring(
    args: WorkloadsArgs, bucket_names: Mapping[str, Any], ecr_repository_urls: Mapping[str, Any]
) -> None:
    """Plain checks of what config asks for against what the other components provide."""
    problems: list[str] = []
    for svc in args.services:
        wanted = [
            *svc.aws.buckets,
            *(k.removeprefix("bucket-") for k in svc.config_env.values() if k.startswith("bucket-")),
        ]
        for role in dict.fromkeys(wanted):
            if role not in bucket_names:
                problems.append(
                    f"service '{svc.name}' uses bucket '{role}', which the storage side does not provide"
                )
        if svc.image.repository is None:
            repo = svc.image.ecr_repository or svc.name
            if repo not in ecr_repository_urls:
                problems.append(
                    f"service '{svc.name}' runs ECR repository '{repo}', which the security side does not provide "
                    "(set image.repository or image.ecr_repository)"
                )
    if problems:
        known = f" (buckets: {', '.join(sorted(bucket_names)) or 'none'}; ECR: {', '.join(sorted(ecr_repository_urls)) or 'none'})"
        raise ValueError("Workloads wiring: " + "; ".join(problems) + known)


def _image(
    svc: ServiceArgs, default_tag: str | None, ecr_repository_urls: Mapping[str, pulumi.Input[str]]
) -> pulumi.Input[str]:
    """``<repository>[:<tag>][@<digest>]``: the service's pinned image, from ECR unless configured otherwise."""
    repository = svc.image.repository or ecr_repository_urls[svc.image.ecr_repository or svc.name]
    tag = svc.image.tag or default_tag
    suffix = (f":{tag}" if tag else "") + (f"@{svc.image.digest}" if svc.image.digest else "")
    return pulumi.Output.concat(repository, suffix)
