"""One application service on Kubernetes: its settings (``ServiceArgs``) and its objects (``K8sService``).

One entry of ``workloads.services``. Everything a reviewer asks about a Deployment is here, validated
before anything is deployed: a request above its limit, an autoscaler whose minimum exceeds its maximum,
a port outside 1-65535, a probe on a port the container does not listen on, a name Kubernetes would
reject. Checks that need the other services or the tier live in ``WorkloadsArgs`` and
``config/rules/workloads.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import pulumi
import pulumi_kubernetes as k8s
from pydantic import AfterValidator, Field, model_validator

from .args import Args, FieldProblem
from .iam import policy_document
from .irsa import irsa_role
from .k8s_monitors import MetricsEndpoint, container_ports, create_monitor, service_port
from .k8s_pod import (
    DEFAULT_RUN_AS_USER,
    container_security_context,
    labels,
    pod_security_context,
    selector,
    writable_dirs,
)
from .k8s_quantity import QuantityError, format_cpu, format_memory, parse_quantity
from .k8s_routes import http_route, target_group_configuration

_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

DNS_LABEL_HELP = (
    "not a valid DNS-1123 label: 1-63 characters, lower-case letters, digits and '-', starting with a "
    "letter (Service names follow RFC 1035) and ending with a letter or digit"
)


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(DNS_LABEL_HELP)
    return value


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise ValueError("not a TCP port; allowed: 1-65535")
    return value


def _quantity(value: str) -> str:
    try:
        parse_quantity(value)
    except QuantityError as err:
        raise ValueError(str(err)) from None
    return value


def _absolute_path(value: str) -> str:
    if not value.startswith("/") or "//" in value or value != value.strip():
        raise ValueError("must be an absolute path such as '/tmp'")
    return value


#: A DNS-1123 label that is also a valid Service name (starts with a letter).
DnsLabel = Annotated[str, AfterValidator(_dns_label)]
#: A TCP port, 1-65535.
Port = Annotated[int, AfterValidator(_port)]
#: A Kubernetes quantity (``250m``, ``512Mi``).
Quantity = Annotated[str, AfterValidator(_quantity)]
#: An absolute path in a container.
AbsolutePath = Annotated[str, AfterValidator(_absolute_path)]
#: ``25%`` or a count.
IntOrPercent = Annotated[int | str, Field(union_mode="left_to_right")]

#: Keys of the ``app-secrets`` Secret (built by external-secrets from Secrets Manager) a service may use.
APP_SECRET_KEYS_HELP = "'database-url', 'database-url-<database>' or 'redis-url'"


def app_secret_key_ok(key: str) -> bool:
    """Whether ``key`` is one the ``app-secrets`` Secret holds."""
    return key in ("database-url", "redis-url") or bool(re.fullmatch(r"database-url-[a-z0-9-]+", key))


class ImageRef(Args):
    """Where a service's image comes from, pinned by tag or (better) digest."""

    repository: str | None = Field(
        default=None,
        description="A full repository (no tag), e.g. 'public.ecr.aws/docker/library/httpd'. Default: the "
        "service's ECR repository from the security side, so images stay in the account and are scanned.",
    )
    ecr_repository: DnsLabel | None = Field(
        default=None,
        description="Which ECR repository (a key of the security side's repositories) when several services "
        "share an image, e.g. Celery workers running the backend's. Default: the service's own name.",
    )
    tag: str | None = Field(
        default=None,
        description="Image tag. Default: workloads.image_tag, the release the pipeline sets. ECR tags are "
        "immutable, so a tag names one build.",
    )
    digest: str | None = Field(
        default=None,
        description="'sha256:<64 hex>': pins the exact bytes; preferred over a tag (CKV_K8S_43).",
    )

    @model_validator(mode="after")
    def _check(self) -> ImageRef:
        if self.repository is not None and not _REPOSITORY.match(self.repository):
            raise FieldProblem(
                "repository",
                self.repository,
                "a repository name without tag or digest, lower-case, e.g. 'public.ecr.aws/docker/library/httpd'",
            )
        if self.tag is not None and not _TAG.match(self.tag):
            raise FieldProblem(
                "tag", self.tag, "a Docker tag: letters, digits, '_', '.', '-', at most 128 characters"
            )
        if self.digest is not None and not _DIGEST.match(self.digest):
            raise FieldProblem(
                "digest", self.digest, "a digest 'sha256:' followed by 64 lower-case hex digits"
            )
        return self


class Probe(Args):
    """A liveness, readiness or startup probe. HTTP and TCP probes target the container's port."""

    kind: Literal["http", "tcp", "exec"] = Field(
        default="http",
        description="HTTP GET on ``path``, a TCP connect, or a command (workers with no port).",
    )
    path: str = Field(default="/", description="HTTP path (http probes).")
    port: Port | None = Field(
        default=None,
        description="Container port probed; default the service's container port. Must be one it exposes.",
    )
    command: list[str] = Field(default_factory=list, description="Command (exec probes).")
    initial_delay_seconds: int = Field(default=0, ge=0, le=3600)
    period_seconds: int = Field(default=10, ge=1, le=3600)
    timeout_seconds: int = Field(
        default=3,
        ge=1,
        le=120,
        description="3 s, not Kubernetes' 1 s: a GC pause should not restart a healthy pod.",
    )
    failure_threshold: int = Field(default=3, ge=1, le=100)

    @model_validator(mode="after")
    def _check(self) -> Probe:
        if self.kind == "exec" and not self.command:
            raise FieldProblem("command", self.command, "an exec probe needs a command")
        if self.kind == "http" and not self.path.startswith("/"):
            raise FieldProblem("path", self.path, "an HTTP path starting with '/'")
        return self


class ResourceAmounts(Args):
    """CPU and memory, as Kubernetes quantities."""

    cpu: Quantity = Field(description="CPU, e.g. '100m' (a tenth of a core) or '2'.")
    memory: Quantity = Field(description="Memory, e.g. '256Mi' or '2Gi'.")


class Resources(Args):
    """Requests (what the scheduler reserves) and limits (the ceiling). Both required (CKV_K8S_10..13)."""

    requests: ResourceAmounts = Field(default_factory=lambda: ResourceAmounts(cpu="100m", memory="128Mi"))
    limits: ResourceAmounts = Field(default_factory=lambda: ResourceAmounts(cpu="500m", memory="512Mi"))
    gpu: int = Field(
        default=0, ge=0, le=8, description="NVIDIA GPUs (nvidia.com/gpu); model serving may use one."
    )

    @model_validator(mode="after")
    def _check(self) -> Resources:
        for kind, fmt in (("cpu", format_cpu), ("memory", format_memory)):
            request = parse_quantity(getattr(self.requests, kind))
            limit = parse_quantity(getattr(self.limits, kind))
            if request > limit:
                raise FieldProblem(
                    f"requests.{kind}",
                    getattr(self.requests, kind),
                    f"above its limit ({fmt(limit)}); a request must not exceed the limit "
                    f"(limits.{kind} = {getattr(self.limits, kind)!r})",
                )
        return self


class ScalingRule(Args):
    """One direction of the autoscaler's behaviour: at most ``percent`` change per ``period_seconds``."""

    percent: int = Field(
        default=100,
        ge=1,
        le=1000,
        description="Largest change per period, in percent of the current replicas.",
    )
    period_seconds: int = Field(default=60, ge=1, le=1800)
    stabilization_seconds: int = Field(
        default=0,
        ge=0,
        le=3600,
        description="Look-back window before acting (scale-down default 300 s: no flapping).",
    )


class Autoscaling(Args):
    """A HorizontalPodAutoscaler (autoscaling/v2). Defaults are seed 004's: 3-10 pods, 70% CPU, 80% memory,
    up by 100% and down by 50% per 60 s."""

    min_replicas: int = Field(default=3, ge=1, le=1000)
    max_replicas: int = Field(default=10, ge=1, le=1000)
    cpu_percent: int | None = Field(
        default=70, ge=1, le=100, description="Target CPU utilisation of requests."
    )
    memory_percent: int | None = Field(
        default=80, ge=1, le=100, description="Target memory utilisation of requests."
    )
    scale_up: ScalingRule = Field(default_factory=lambda: ScalingRule(percent=100, period_seconds=60))
    scale_down: ScalingRule = Field(
        default_factory=lambda: ScalingRule(percent=50, period_seconds=60, stabilization_seconds=300)
    )

    @model_validator(mode="after")
    def _check(self) -> Autoscaling:
        if self.min_replicas > self.max_replicas:
            raise FieldProblem(
                "min_replicas",
                self.min_replicas,
                f"above max_replicas ({self.max_replicas}); the autoscaler needs min_replicas <= max_replicas",
            )
        if self.cpu_percent is None and self.memory_percent is None:
            raise FieldProblem("cpu_percent", None, "an autoscaler needs a CPU or a memory target")
        return self


class RollingUpdate(Args):
    """How a Deployment replaces pods. Default: surge 25%, never fewer ready pods than desired."""

    max_surge: IntOrPercent = Field(
        default="25%", description="Extra pods during a rollout (count or percent)."
    )
    max_unavailable: IntOrPercent = Field(
        default=0,
        description="Pods that may be down during a rollout; 0 keeps full capacity (zero-downtime).",
    )

    @model_validator(mode="after")
    def _check(self) -> RollingUpdate:
        for key in ("max_surge", "max_unavailable"):
            value = getattr(self, key)
            if isinstance(value, str) and not re.fullmatch(r"(100|[1-9]?[0-9])%", value):
                raise FieldProblem(key, value, "a count (0 or more) or a percentage such as '25%'")
            if isinstance(value, int) and value < 0:
                raise FieldProblem(key, value, "a count (0 or more) or a percentage such as '25%'")
        if self.max_surge in (0, "0%") and self.max_unavailable in (0, "0%"):
            raise FieldProblem("max_surge", self.max_surge, "max_surge and max_unavailable cannot both be 0")
        return self

    def surge_pods(self, replicas: int) -> int:
        """Extra pods a rollout of ``replicas`` may add (percentages round up, as Kubernetes does)."""
        if isinstance(self.max_surge, int):
            return self.max_surge
        percent = int(self.max_surge.rstrip("%"))
        return -(-replicas * percent // 100)


class IngressRoute(Args):
    """A public host and path routed to the service: an HTTPRoute on the stack's Gateway (the ALB), with its
    own per-client rate limit (seed 004), enforced by the regional WAF's rate-based rules."""

    host: str = Field(
        description="A label under workloads.domain ('api' → api.<domain>) or a full name ending in the domain."
    )
    path: str = Field(default="/", description="Path prefix.")
    path_type: Literal["Prefix", "Exact"] = Field(
        default="Prefix", description="'Prefix' (HTTPRoute PathPrefix) or 'Exact'."
    )
    rate_limit_rps: int | None = Field(
        default=100,
        ge=1,
        le=100_000,
        description="Requests per second per client IP (seed 004: API 100, authentication 5, general 10).",
    )
    burst_multiplier: int = Field(
        default=5, ge=1, le=100, description="Burst allowed above the rate, as a multiple."
    )

    @model_validator(mode="after")
    def _check(self) -> IngressRoute:
        if not self.path.startswith("/") or " " in self.path:
            raise FieldProblem("path", self.path, "a URL path starting with '/'")
        return self


class Toleration(Args):
    """A taint the pods tolerate (e.g. the GPU group's ``nvidia.com/gpu``)."""

    key: str = Field(min_length=1, max_length=316)
    operator: Literal["Equal", "Exists"] = "Exists"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None


class Volume(Args):
    """A volume mounted into the container: the shared EFS file system (model artifacts) or scratch space."""

    name: DnsLabel
    kind: Literal["efs", "empty_dir"] = Field(
        description="'efs': the EFS access point through a static PersistentVolume; 'empty_dir': pod scratch."
    )
    mount_path: AbsolutePath
    read_only: bool = Field(
        default=True, description="Model artifacts are read, never written, by serving pods."
    )
    size: Quantity = Field(
        default="10Gi", description="Claimed size (EFS is elastic; Kubernetes requires a figure)."
    )


class BucketAccess(Args):
    """AWS access a service's IRSA role grants: S3 buckets by role, read or read-write, nothing else."""

    buckets: dict[str, Literal["read", "read-write"]] = Field(
        default_factory=dict,
        description="Bucket role (a key of the storage side's buckets, e.g. 'model-artifacts') → access.",
    )


class RbacRule(Args):
    """One rule of the Role a service gets when it must call the Kubernetes API. No wildcards (CKV_K8S_49)."""

    api_groups: list[str] = Field(description="API groups; '' is the core group.")
    resources: list[str] = Field(min_length=1)
    verbs: list[Literal["get", "list", "watch", "create", "update", "patch", "delete"]] = Field(
        min_length=1, description="No 'escalate', 'bind', 'impersonate' or '*' (CKV_K8S_157/158)."
    )
    resource_names: list[str] = Field(default_factory=list, description="Limit to these objects.")

    @model_validator(mode="after")
    def _check(self) -> RbacRule:
        for key in ("api_groups", "resources"):
            if "*" in getattr(self, key):
                raise FieldProblem(key, getattr(self, key), "no wildcards; name the groups and resources")
        if "secrets" in self.resources and not self.resource_names:
            raise FieldProblem(
                "resource_names", [], "reading Secrets needs resource_names (no read-all-secrets, CKV_K8S_49)"
            )
        return self


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


# --------------------------------------------------------------------------------------------------
# The component: one service's Kubernetes objects (and its IRSA role).
# --------------------------------------------------------------------------------------------------


def resolve_host(host: str, domain: str) -> str:
    """``api`` → ``api.<domain>``; a full name is returned as is (config validation keeps it in the domain)."""
    return host if "." in host else f"{host}.{domain}"


def route_object_name(service: str, index: int, route: IngressRoute) -> str:
    """``backend`` for a service's first route, ``backend-api-auth`` for ``api`` ``/auth``, and so on."""
    if index == 0:
        return service
    slug = re.sub(r"[^a-z0-9]+", "-", f"{route.host.split('.')[0]}-{route.path}".lower()).strip("-")
    return f"{service}-{slug}"[:63].rstrip("-")


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


def bucket_access_policy(
    access: Mapping[str, str], bucket_arns: Mapping[str, str], kms_key_arn: str | None, region: str
) -> str:
    """Least-privilege S3 access: objects and listing of the named buckets, KMS only via S3 in the region."""
    read_objects = ["s3:GetObject", "s3:GetObjectVersion"]
    write_objects = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    statements: list[dict[str, Any]] = []
    for role in sorted(access):
        arn = bucket_arns[role]
        sid = re.sub(r"[^A-Za-z0-9]", "", role.title())
        statements.append(
            {
                "Sid": f"List{sid}",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": arn,
            }
        )
        actions = read_objects + (write_objects if access[role] == "read-write" else [])
        statements.append(
            {"Sid": f"Objects{sid}", "Effect": "Allow", "Action": actions, "Resource": f"{arn}/*"}
        )
    if kms_key_arn:
        writes = any(mode == "read-write" for mode in access.values())
        statements.append(
            {
                "Sid": "BucketKeyViaS3",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", *(["kms:GenerateDataKey"] if writes else [])],
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            }
        )
    return policy_document(*statements)


def _probe(probe: Probe, port: int | None) -> dict[str, Any]:
    timing = {
        "initial_delay_seconds": probe.initial_delay_seconds,
        "period_seconds": probe.period_seconds,
        "timeout_seconds": probe.timeout_seconds,
        "failure_threshold": probe.failure_threshold,
    }
    if probe.kind == "exec":
        return {"exec_": {"command": list(probe.command)}, **timing}
    target = probe.port or port
    if probe.kind == "tcp":
        return {"tcp_socket": {"port": target}, **timing}
    return {"http_get": {"path": probe.path, "port": target, "scheme": "HTTP"}, **timing}


class K8sService(pulumi.ComponentResource):
    """One application service, hardened, autoscaled and isolated.

    Creates: a ServiceAccount (token not mounted unless the service calls the API; IRSA annotation when
    it has AWS access, with the role and its least-privilege policy); a Deployment (rolling update,
    probes, requests and limits, the restricted pod, zone spread, preStop and grace period); a Service;
    an HPA (autoscaling/v2) with the configured behaviour; a PodDisruptionBudget when it runs ≥ 2
    replicas; with public routes, an HTTPRoute per route on the stack's Gateway and a
    TargetGroupConfiguration (pod IPs as targets, health check on the readiness path, stickiness if
    asked; ``components/k8s_routes.py``); NetworkPolicies admitting the load balancer (the public
    subnets' addresses), monitoring and the listed callers on its port and letting it reach exactly its data stores, callees and (if allowed) HTTPS; a Role
    when it calls the Kubernetes API; a static EFS PersistentVolume and claim per EFS volume.
    """

    deployment_name: str
    role_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: ServiceArgs,
        wiring: ServiceWiring,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:workloads:Service", name, None, opts)
        self._name = name
        self._args = args
        self._wiring = wiring
        self._child = pulumi.ResourceOptions(parent=self)
        svc = args.name
        meta_labels = labels(svc, "app")

        self.role_arn = self._irsa_role() if args.aws.buckets else None
        sa_annotations = {"eks.amazonaws.com/role-arn": self.role_arn} if self.role_arn is not None else {}
        k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata={
                "name": svc,
                "namespace": wiring.namespace,
                "labels": meta_labels,
                "annotations": sa_annotations,
            },
            automount_service_account_token=bool(args.kubernetes_api),
            opts=self._child,
        )
        if args.kubernetes_api:
            self._rbac(meta_labels)

        volumes, mounts = self._volumes(meta_labels)
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={"name": svc, "namespace": wiring.namespace, "labels": meta_labels},
            spec={
                "replicas": args.replicas,
                "revision_history_limit": 5,
                "min_ready_seconds": 5,
                "progress_deadline_seconds": 600,
                "selector": {"match_labels": selector(svc)},
                "strategy": {
                    "type": "RollingUpdate",
                    "rolling_update": {
                        "max_surge": args.rolling_update.max_surge,
                        "max_unavailable": args.rolling_update.max_unavailable,
                    },
                },
                "template": {
                    "metadata": {
                        "labels": meta_labels,
                        "annotations": {"quantumvest.io/config-hash": wiring.config_hash},
                    },
                    "spec": self._pod_spec(volumes, mounts),
                },
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                # The autoscaler owns the replica count once the Deployment exists.
                ignore_changes=["spec.replicas"] if args.autoscaling else None,
            ),
        )
        self.deployment_name = svc

        if args.port is not None:
            k8s.core.v1.Service(
                f"{name}-service",
                metadata={"name": svc, "namespace": wiring.namespace, "labels": meta_labels},
                spec={
                    "type": "ClusterIP",
                    "selector": selector(svc),
                    "ports": [
                        {"name": "http", "port": args.port, "target_port": "http", "protocol": "TCP"},
                        *service_port(args.metrics, args.listen_port),
                    ],
                },
                opts=self._child,
            )
        if args.autoscaling:
            self._autoscaler(meta_labels, deployment)
        if args.baseline_replicas >= 2:
            k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb",
                metadata={"name": svc, "namespace": wiring.namespace, "labels": meta_labels},
                spec={
                    "max_unavailable": args.disruption_max_unavailable,
                    "selector": {"match_labels": selector(svc)},
                    "unhealthy_pod_eviction_policy": "AlwaysAllow",
                },
                opts=self._child,
            )
        taken: set[str] = set()
        for index, route in enumerate(args.ingress):
            object_name = route_object_name(svc, index, route)
            if object_name in taken:  # two hosts sharing a first label and a path
                object_name = f"{object_name[:58]}-{index}"
            taken.add(object_name)
            assert args.port is not None  # validated: a service with routes exposes a port
            http_route(
                f"{name}-route-{index}",
                object_name=object_name,
                namespace=wiring.namespace,
                gateway=wiring.gateway_name,
                hostname=resolve_host(route.host, wiring.domain),
                path=route.path,
                path_type=route.path_type,
                service=svc,
                port=args.port,
                meta_labels=meta_labels,
                opts=self._child,
            )
        if args.ingress and args.readiness is not None:
            target_group_configuration(
                f"{name}-target-group",
                namespace=wiring.namespace,
                service=svc,
                health_check_path=args.readiness.path,
                deregistration_delay_seconds=args.termination_grace_seconds,
                stickiness_seconds=args.session_affinity_seconds,
                meta_labels=meta_labels,
                opts=self._child,
            )
        self._network_policies(meta_labels)
        create_monitor(
            name,
            service=svc,
            namespace=wiring.namespace,
            labels=meta_labels,
            endpoint=args.metrics,
            listen_port=args.listen_port,
            has_service=args.port is not None,
            monitoring_namespace=wiring.monitoring_namespace,
            opts=self._child,
        )
        self.register_outputs({"deployment_name": self.deployment_name, "role_arn": self.role_arn})

    # -- identity ------------------------------------------------------------------------------------

    def _irsa_role(self) -> pulumi.Output[str]:
        args, wiring = self._args, self._wiring
        missing = sorted(set(args.aws.buckets) - set(wiring.bucket_arns))
        if missing:
            raise ValueError(
                f"service '{args.name}': no bucket with role {', '.join(missing)} among the storage side's "
                f"buckets ({', '.join(sorted(wiring.bucket_arns)) or 'none'})"
            )
        roles = sorted(args.aws.buckets)
        policy = pulumi.Output.all(
            [wiring.bucket_arns[r] for r in roles], wiring.bucket_kms_key_arn, wiring.region
        ).apply(
            lambda v: bucket_access_policy(
                dict(args.aws.buckets), dict(zip(roles, v[0], strict=True)), v[1], v[2]
            )
        )
        role = irsa_role(
            f"{self._name}-irsa",
            namespace=wiring.namespace_name,
            service_account=args.name,
            oidc_provider_arn=wiring.oidc_provider_arn,
            oidc_provider_url=wiring.oidc_provider_url,
            policy_json=policy,
            opts=self._child,
        )
        return role.arn

    def _rbac(self, meta_labels: dict[str, str]) -> None:
        svc, ns = self._args.name, self._wiring.namespace
        rules = [
            {
                "api_groups": list(r.api_groups),
                "resources": list(r.resources),
                "verbs": list(r.verbs),
                **({"resource_names": list(r.resource_names)} if r.resource_names else {}),
            }
            for r in self._args.kubernetes_api
        ]
        k8s.rbac.v1.Role(
            f"{self._name}-role",
            metadata={"name": svc, "namespace": ns, "labels": meta_labels},
            rules=rules,
            opts=self._child,
        )
        k8s.rbac.v1.RoleBinding(
            f"{self._name}-rolebinding",
            metadata={"name": svc, "namespace": ns, "labels": meta_labels},
            role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": svc},
            subjects=[{"kind": "ServiceAccount", "name": svc, "namespace": self._wiring.namespace_name}],
            opts=self._child,
        )

    # -- the pod -------------------------------------------------------------------------------------

    def _volumes(self, meta_labels: dict[str, str]) -> tuple[list[dict], list[dict]]:
        args = self._args
        volumes, mounts = writable_dirs(list(args.writable_paths))
        for volume in args.volumes:
            if volume.kind == "empty_dir":
                volumes.append({"name": volume.name, "empty_dir": {"size_limit": volume.size}})
            else:
                claim = self._efs_claim(volume, meta_labels)
                volumes.append(
                    {
                        "name": volume.name,
                        "persistent_volume_claim": {"claim_name": claim, "read_only": volume.read_only},
                    }
                )
            mounts.append(
                {"name": volume.name, "mount_path": volume.mount_path, "read_only": volume.read_only}
            )
        return volumes, mounts

    def _efs_claim(self, volume: Volume, meta_labels: dict[str, str]) -> str:
        """A static PersistentVolume on the EFS access point, and the claim bound to it."""
        args, wiring = self._args, self._wiring
        if wiring.efs_volume_handle is None:
            raise ValueError(
                f"service '{args.name}' mounts EFS volume '{volume.name}' but no EFS file system and access "
                "point were wired in (efs_file_system_id, efs_access_point_id)"
            )
        claim = f"{args.name}-{volume.name}"
        pv = k8s.core.v1.PersistentVolume(
            f"{self._name}-{volume.name}-pv",
            metadata={"name": f"{wiring.namespace_name}-{claim}", "labels": meta_labels},
            spec={
                "capacity": {"storage": volume.size},
                "access_modes": ["ReadWriteMany"],
                "persistent_volume_reclaim_policy": "Retain",
                "storage_class_name": "",  # static binding: no provisioner, no default class
                "csi": {
                    "driver": "efs.csi.aws.com",
                    "volume_handle": wiring.efs_volume_handle,
                    "volume_attributes": {"encryptInTransit": "true"},
                },
            },
            opts=self._child,
        )
        k8s.core.v1.PersistentVolumeClaim(
            f"{self._name}-{volume.name}-pvc",
            metadata={"name": claim, "namespace": wiring.namespace, "labels": meta_labels},
            spec={
                "access_modes": ["ReadWriteMany"],
                "storage_class_name": "",  # static binding: no provisioner, no default class
                "volume_name": pv.metadata.name,
                "resources": {"requests": {"storage": volume.size}},
            },
            opts=self._child,
        )
        return claim

    def _env(self) -> list[dict[str, Any]]:
        args, wiring = self._args, self._wiring
        env: list[dict[str, Any]] = [{"name": k, "value": v} for k, v in sorted(args.env.items())]
        env += [
            {"name": k, "value_from": {"config_map_key_ref": {"name": wiring.config_map_name, "key": key}}}
            for k, key in sorted(args.config_env.items())
        ]
        env += [
            {"name": k, "value_from": {"secret_key_ref": {"name": wiring.app_secrets_name, "key": key}}}
            for k, key in sorted(args.secret_env.items())
        ]
        return env

    def _pod_spec(self, volumes: list[dict], mounts: list[dict]) -> dict[str, Any]:
        args, wiring = self._args, self._wiring
        listen = args.listen_port
        resources: dict[str, dict[str, str]] = {
            "requests": {"cpu": args.resources.requests.cpu, "memory": args.resources.requests.memory},
            "limits": {"cpu": args.resources.limits.cpu, "memory": args.resources.limits.memory},
        }
        if args.resources.gpu:
            resources["requests"]["nvidia.com/gpu"] = str(args.resources.gpu)
            resources["limits"]["nvidia.com/gpu"] = str(args.resources.gpu)
        container: dict[str, Any] = {
            "name": args.name,
            "image": wiring.image,
            "image_pull_policy": "IfNotPresent",
            "env": self._env(),
            "resources": resources,
            "security_context": container_security_context(args.run_as_user),
            "volume_mounts": mounts,
            "termination_message_policy": "FallbackToLogsOnError",
        }
        if args.command:
            container["command"] = list(args.command)
        if args.args:
            container["args"] = list(args.args)
        if listen is not None:
            container["ports"] = [{"name": "http", "container_port": listen, "protocol": "TCP"}]
        if metrics_ports := container_ports(args.metrics, listen):
            container["ports"] = [*container.get("ports", []), *metrics_ports]
        if wiring.own_secrets_name:
            container["env_from"] = [{"secret_ref": {"name": wiring.own_secrets_name}}]
        for key, field_name in (
            ("liveness", "liveness_probe"),
            ("readiness", "readiness_probe"),
            ("startup", "startup_probe"),
        ):
            probe = getattr(args, key)
            if probe is not None:
                container[field_name] = _probe(probe, listen)
        if args.pre_stop_sleep_seconds:
            container["lifecycle"] = {"pre_stop": {"sleep": {"seconds": args.pre_stop_sleep_seconds}}}
        spread = [
            {
                "max_skew": 1,
                "topology_key": "topology.kubernetes.io/zone",
                "when_unsatisfiable": wiring.zone_spread,
                "label_selector": {"match_labels": selector(args.name)},
                "match_label_keys": ["pod-template-hash"],
            },
            {
                "max_skew": 1,
                "topology_key": "kubernetes.io/hostname",
                "when_unsatisfiable": "ScheduleAnyway",
                "label_selector": {"match_labels": selector(args.name)},
                "match_label_keys": ["pod-template-hash"],
            },
        ]
        spec: dict[str, Any] = {
            "service_account_name": args.name,
            "automount_service_account_token": bool(args.kubernetes_api),
            "enable_service_links": False,
            "security_context": pod_security_context(args.run_as_user),
            "termination_grace_period_seconds": args.termination_grace_seconds,
            "topology_spread_constraints": spread,
            "containers": [container],
            "volumes": volumes,
        }
        if args.node_selector:
            spec["node_selector"] = dict(args.node_selector)
        if args.tolerations:
            spec["tolerations"] = [t.model_dump(exclude_none=True) for t in args.tolerations]
        return spec

    # -- scaling -------------------------------------------------------------------------------------

    def _autoscaler(self, meta_labels: dict[str, str], deployment: k8s.apps.v1.Deployment) -> None:
        scaling = self._args.autoscaling
        assert scaling is not None
        metrics = [
            {
                "type": "Resource",
                "resource": {"name": name, "target": {"type": "Utilization", "average_utilization": pct}},
            }
            for name, pct in (("cpu", scaling.cpu_percent), ("memory", scaling.memory_percent))
            if pct is not None
        ]

        def rule(r: ScalingRule) -> dict[str, Any]:
            return {
                "stabilization_window_seconds": r.stabilization_seconds,
                "select_policy": "Max",
                "policies": [{"type": "Percent", "value": r.percent, "period_seconds": r.period_seconds}],
            }

        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{self._name}-hpa",
            metadata={"name": self._args.name, "namespace": self._wiring.namespace, "labels": meta_labels},
            spec={
                "scale_target_ref": {
                    "api_version": "apps/v1",
                    "kind": "Deployment",
                    "name": deployment.metadata.name,
                },
                "min_replicas": scaling.min_replicas,
                "max_replicas": scaling.max_replicas,
                "metrics": metrics,
                "behavior": {"scale_up": rule(scaling.scale_up), "scale_down": rule(scaling.scale_down)},
            },
            opts=self._child,
        )

    # -- traffic -------------------------------------------------------------------------------------

    def _network_policies(self, meta_labels: dict[str, str]) -> None:
        """Admit exactly who may call this service, and let it reach exactly what it needs."""
        args, wiring = self._args, self._wiring
        listen = args.listen_port
        tcp = lambda port: [{"protocol": "TCP", "port": port}]  # noqa: E731
        ingress_rules: list[dict[str, Any]] = []
        if listen is not None and args.ingress:
            # Target type ip: the ALB connects to the pod from its own nodes' addresses, which lie in the
            # public subnets it is placed in (requests and health checks alike).
            ingress_rules.append({"from_": ip_blocks(wiring.load_balancer_cidrs), "ports": tcp(listen)})
        if listen is not None and args.allow_from:
            ingress_rules.append(
                {
                    "from_": [{"pod_selector": {"match_labels": selector(c)}} for c in args.allow_from],
                    "ports": tcp(listen),
                }
            )
        if listen is not None and wiring.monitoring_namespace:
            ingress_rules.append(
                {
                    "from_": [
                        {
                            "namespace_selector": {
                                "match_labels": {"kubernetes.io/metadata.name": wiring.monitoring_namespace}
                            }
                        }
                    ],
                    "ports": tcp(listen),
                }
            )
        self._network_policy("ingress", ingress_rules, args.name, wiring.namespace, meta_labels)

        egress_rules: list[dict[str, Any]] = []
        stores = {"postgres": wiring.db_port, "redis": wiring.cache_port}
        for store in args.data_access:
            egress_rules.append(
                {
                    "to": ip_blocks(wiring.database_cidrs),
                    "ports": tcp(stores[store]),
                }
            )
        for callee, port in wiring.callees:
            egress_rules.append(
                {"to": [{"pod_selector": {"match_labels": selector(callee)}}], "ports": tcp(port)}
            )
        if args.https_egress:
            egress_rules.append({"to": [{"ip_block": {"cidr": "0.0.0.0/0"}}], "ports": tcp(443)})
        self._network_policy("egress", egress_rules, args.name, wiring.namespace, meta_labels)

    def _network_policy(
        self,
        direction: str,
        rules: list[dict[str, Any]],
        service: str,
        namespace: pulumi.Input[str],
        labels: dict[str, str],
    ) -> None:
        """One NetworkPolicy allowing ``rules`` in one direction for this service's pods (none if empty)."""
        if not rules:
            return
        k8s.networking.v1.NetworkPolicy(
            f"{self._name}-netpol-{direction}",
            metadata={"name": f"{service}-{direction}", "namespace": namespace, "labels": labels},
            spec={
                "pod_selector": {"match_labels": selector(service)},
                "policy_types": [direction.capitalize()],
                direction: rules,
            },
            opts=self._child,
        )


def ip_blocks(cidrs: pulumi.Input[Sequence[str]]) -> pulumi.Output[list[dict[str, dict[str, str]]]]:
    """NetworkPolicy peers for CIDRs known now or only at deploy time (a StackReference output)."""
    return pulumi.Output.from_input(cidrs).apply(lambda values: [{"ip_block": {"cidr": c}} for c in values])
