"""One application service's settings (``ServiceArgs``) and what it is wired to (``ServiceWiring``).

One entry of ``workloads.services``. Everything a reviewer asks about a Deployment is here, validated
before anything is deployed: a request above its limit, an autoscaler whose minimum exceeds its maximum,
a port outside 1-65535, a probe on a port the container does not listen on, a name Kubernetes would
reject. Checks that need the other services or the tier live in ``WorkloadsArgs`` and
``config/rules/workloads.py``. The objects built from them: ``k8s_service.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pydantic import Field, model_validator

from .args import Args, FieldProblem
from .k8s_monitors import MetricsEndpoint
from .k8s_pod import DEFAULT_RUN_AS_USER
from .k8s_service_fields import (
    APP_SECRET_KEYS_HELP,
    AbsolutePath,
    Autoscaling,
    BucketAccess,
    DnsLabel,
    ImageRef,
    IngressRoute,
    IntOrPercent,
    Port,
    Probe,
    RbacRule,
    Resources,
    RollingUpdate,
    Toleration,
    Volume,
    app_secret_key_ok,
)

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


class ServiceArgs(Args):
    """One application service: a Deployment and everything around it. Defaults are hardened."""

    name: DnsLabel = Field(
        description="Names the Deployment, Service, ServiceAccount, HPA, PDB and public routes."
    )
    image: ImageRef = Field(default_factory=ImageRef)
    command: list[str] | None = Field(default=None, description="Overrides the image's entrypoint.")
    args: list[str] | None = Field(default=None, description="Overrides the image's arguments.")
    port: Port | None = Field(default=None, description="The Service port clients use; none for workers.")
    container_port: Port | None = Field(
        default=None,
        description="The port the container listens on; default ``port``. Must be ≥ 1024: pods run as a "
        "non-root user with every capability dropped, so they cannot bind lower ports.",
    )
    replicas: int = Field(
        default=3, ge=1, le=1000, description="Initial replicas (the autoscaler then owns them)."
    )
    resources: Resources = Field(default_factory=Resources)
    liveness: Probe | None = Field(default=None, description="Restarts a hung container (CKV_K8S_8).")
    readiness: Probe | None = Field(
        default=None, description="Keeps traffic off a pod until it is ready (CKV_K8S_9)."
    )
    startup: Probe | None = Field(default=None, description="Holds the other probes while a slow app starts.")
    env: dict[str, str] = Field(default_factory=dict, description="Plain, non-secret environment values.")
    config_env: dict[str, str] = Field(
        default_factory=dict,
        description="Environment variable → key of the ConfigMap (endpoints, buckets, URLs).",
    )
    secret_env: dict[str, str] = Field(
        default_factory=dict,
        description=f"Environment variable → key of the app-secrets Secret ({APP_SECRET_KEYS_HELP}).",
    )
    ingress: list[IngressRoute] = Field(
        default_factory=list,
        description="Public routes: HTTPRoutes on the stack's Gateway, the ALB sending traffic to the pods.",
    )
    cors_allow_origins: list[str] = Field(
        default_factory=list,
        description="Hosts (labels under the domain) whose pages may call this service; the ALB's HTTPS "
        "listener adds the CORS headers, so every public service shares one allowed origin.",
    )
    session_affinity_seconds: int | None = Field(
        default=None,
        ge=1,
        le=604_800,
        description="Sticky sessions (seed 004): the ALB pins a client to one pod with a cookie for this "
        "long. None: every request goes to the least busy pod.",
    )
    metrics: MetricsEndpoint | None = Field(
        default_factory=MetricsEndpoint,
        description="Prometheus metrics endpoint (a named metrics port and a ServiceMonitor/PodMonitor); "
        "none: not scraped.",
    )
    autoscaling: Autoscaling | None = Field(default_factory=Autoscaling)
    rolling_update: RollingUpdate = Field(default_factory=RollingUpdate)
    disruption_max_unavailable: IntOrPercent = Field(
        default=1, description="PodDisruptionBudget maxUnavailable (created when replicas ≥ 2)."
    )
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    volumes: list[Volume] = Field(default_factory=list)
    writable_paths: list[AbsolutePath] = Field(
        default_factory=lambda: ["/tmp"],
        description="emptyDir mounts; the root filesystem is read-only (CKV_K8S_22).",
    )
    aws: BucketAccess = Field(default_factory=BucketAccess, description="AWS access through an IRSA role.")
    data_access: list[Literal["postgres", "redis"]] = Field(
        default_factory=list, description="Egress to the database subnets on the Postgres and/or Redis port."
    )
    allow_from: list[DnsLabel] = Field(
        default_factory=list, description="Services allowed to call this one on its port (east-west)."
    )
    https_egress: bool = Field(
        default=False, description="Egress on 443 anywhere (AWS APIs, STS for IRSA, market-data feeds)."
    )
    kubernetes_api: list[RbacRule] = Field(
        default_factory=list,
        description="Rules of a Role for calling the Kubernetes API; empty means no API token is mounted.",
    )
    termination_grace_seconds: int = Field(
        default=30, ge=1, le=3600, description="Time between SIGTERM and SIGKILL; Celery workers need longer."
    )
    pre_stop_sleep_seconds: int = Field(
        default=5,
        ge=0,
        le=600,
        description="preStop sleep so endpoints drop the pod before it stops serving (0: none).",
    )
    run_as_user: int = Field(default=DEFAULT_RUN_AS_USER, ge=10000, le=2_147_483_647)

    @property
    def listen_port(self) -> int | None:
        """The container port, if the service has one."""
        return self.container_port or self.port

    @property
    def baseline_replicas(self) -> int:
        """Replicas the service never goes below: the autoscaler's minimum, else the fixed count."""
        return self.autoscaling.min_replicas if self.autoscaling else self.replicas

    @property
    def peak_replicas(self) -> int:
        """Replicas at the autoscaler's maximum plus a rollout's surge."""
        top = self.autoscaling.max_replicas if self.autoscaling else self.replicas
        return top + self.rolling_update.surge_pods(top)

    @model_validator(mode="after")
    def _check(self) -> ServiceArgs:
        if self.container_port is not None and self.port is None:
            raise FieldProblem("container_port", self.container_port, "set 'port' (the Service port) as well")
        listen = self.listen_port
        if listen is not None and listen < 1024:
            key = "container_port" if self.container_port is not None else "port"
            raise FieldProblem(
                key,
                listen,
                "pods run as non-root with all capabilities dropped and cannot bind ports below 1024; "
                "listen on 1024 or above and keep the Service port with 'port' + 'container_port'",
            )
        for key in ("liveness", "readiness", "startup"):
            probe: Probe | None = getattr(self, key)
            if probe is None or probe.kind == "exec":
                continue
            if listen is None:
                raise FieldProblem(
                    f"{key}.kind", probe.kind, f"service '{self.name}' exposes no port; use an exec probe"
                )
            if probe.port is not None and probe.port != listen:
                raise FieldProblem(
                    f"{key}.port",
                    probe.port,
                    f"service '{self.name}' does not expose this port; it listens on container port {listen} only",
                )
        if self.autoscaling and not (
            self.autoscaling.min_replicas <= self.replicas <= self.autoscaling.max_replicas
        ):
            raise FieldProblem(
                "replicas",
                self.replicas,
                f"outside the autoscaler's range {self.autoscaling.min_replicas}-{self.autoscaling.max_replicas}",
            )
        if self.pre_stop_sleep_seconds >= self.termination_grace_seconds:
            raise FieldProblem(
                "pre_stop_sleep_seconds",
                self.pre_stop_sleep_seconds,
                f"must be shorter than termination_grace_seconds ({self.termination_grace_seconds})",
            )
        if listen is None:
            for key in ("ingress", "allow_from"):
                if getattr(self, key):
                    raise FieldProblem(key, getattr(self, key), f"service '{self.name}' exposes no port")
        if self.ingress and (self.readiness is None or self.readiness.kind != "http"):
            raise FieldProblem(
                "readiness",
                self.readiness.kind if self.readiness else None,
                f"service '{self.name}' has public routes: it needs an http readiness probe, which the load "
                "balancer's health check follows",
            )
        if self.session_affinity_seconds is not None and not self.ingress:
            raise FieldProblem(
                "session_affinity_seconds",
                self.session_affinity_seconds,
                f"service '{self.name}' has no public routes; stickiness is the load balancer's",
            )
        self._check_env()
        if self.aws.buckets and not self.https_egress:
            raise FieldProblem(
                "https_egress", False, "a service with AWS access needs HTTPS egress (STS for IRSA, then S3)"
            )
        volume_names = [v.name for v in self.volumes]
        for index, volume_name in enumerate(volume_names):
            if (
                volume_names.index(volume_name) != index
                or volume_name == "tmp"
                or volume_name.startswith("writable-")
            ):
                raise FieldProblem(
                    f"volumes[{index}].name",
                    volume_name,
                    "unique, and not 'tmp' or 'writable-*' (the emptyDirs' names)",
                )
        paths = [*self.writable_paths, *(v.mount_path for v in self.volumes)]
        for path in paths:
            if paths.count(path) > 1:
                raise FieldProblem("writable_paths", path, "mounted twice; each path once")
        for index, rule in enumerate(self.ingress):
            same = [i for i, r in enumerate(self.ingress) if (r.host, r.path) == (rule.host, rule.path)]
            if same[0] != index:
                raise FieldProblem(f"ingress[{index}].path", rule.path, f"duplicates ingress[{same[0]}]")
        return self

    def _check_env(self) -> None:
        seen: dict[str, str] = {}
        for source in ("env", "config_env", "secret_env"):
            for env_name in getattr(self, source):
                if not _ENV_NAME.match(env_name):
                    raise FieldProblem(
                        f"{source}.{env_name}", env_name, "an environment variable name: letters, digits, '_'"
                    )
                if env_name in seen:
                    raise FieldProblem(f"{source}.{env_name}", env_name, f"already set in {seen[env_name]}")
                seen[env_name] = source
        for env_name, key in self.config_env.items():
            if not _CONFIG_KEY.match(key):
                raise FieldProblem(
                    f"config_env.{env_name}", key, "a ConfigMap key: letters, digits, '-', '_', '.'"
                )
        for env_name, key in self.secret_env.items():
            if not app_secret_key_ok(key):
                raise FieldProblem(f"secret_env.{env_name}", key, f"app-secrets holds {APP_SECRET_KEYS_HELP}")
            needs = "postgres" if key.startswith("database-url") else "redis"
            if needs not in self.data_access:
                raise FieldProblem(
                    f"secret_env.{env_name}",
                    key,
                    f"service '{self.name}' has no network access to {needs}; add '{needs}' to data_access",
                )


@dataclass(frozen=True)
class ServiceWiring:
    """What one service gets from around it (built by ``Workloads``): names, endpoints, identities."""

    namespace: pulumi.Input[str]
    namespace_name: str
    domain: str
    image: pulumi.Input[str]
    config_map_name: str
    app_secrets_name: str
    own_secrets_name: str | None
    config_hash: pulumi.Input[str]
    gateway_name: str
    load_balancer_cidrs: pulumi.Input[Sequence[str]]
    monitoring_namespace: str | None
    database_cidrs: pulumi.Input[Sequence[str]]
    db_port: pulumi.Input[int]
    cache_port: pulumi.Input[int]
    callees: Sequence[tuple[str, int]]
    zone_spread: str
    oidc_provider_arn: pulumi.Input[str]
    oidc_provider_url: pulumi.Input[str]
    region: pulumi.Input[str]
    bucket_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    bucket_kms_key_arn: pulumi.Input[str] | None = None
    efs_volume_handle: pulumi.Input[str] | None = None
