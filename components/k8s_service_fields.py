"""The building blocks of a service's settings: field types (DNS labels, ports, quantities) and the small
models ``ServiceArgs`` is made of (image, probes, resources, autoscaling, rollout, routes, volumes, RBAC).

Split from ``k8s_service.py``; every name stays importable from there.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from .args import Args, FieldProblem
from .k8s_quantity import QuantityError, format_cpu, format_memory, parse_quantity

_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
_REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)*$")

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
