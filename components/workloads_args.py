"""The workloads' settings: the services (from the tier profiles), the domain, the edge, the app config; validated before any resource is registered. Split from ``workloads.py`` (which re-exports every name)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .args import Args, FieldProblem
from .db_bootstrap import DatabaseBootstrapArgs
from .db_dump import DatabaseDumpArgs
from .gateway import EdgeArgs
from .k8s_namespace import RESERVED_NAMESPACES, ContainerDefaults, NamespaceQuota
from .k8s_quantity import format_cpu, format_memory, parse_quantity
from .k8s_service import DnsLabel, ServiceArgs, resolve_host

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

#: ConfigMap keys every namespace's ``app-configmap`` holds (plus ``bucket-<role>`` and ``config_data``).
FIXED_CONFIG_KEYS = ("domain", "aws-region", "database-host", "database-port", "redis-host", "redis-port")

APP_CONFIG_MAP = "app-configmap"
APP_SECRETS = "app-secrets"
#: Namespace label for the AWS Load Balancer Controller's pod readiness gate (target type ip).
READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject"


class WorkloadsArgs(Args):
    """Settings of the platform's services on Kubernetes. No service by default: the platform's four
    (the seeds') are tier defaults in ``config/seed_services.py``, which components do not import."""

    namespace: DnsLabel = Field(
        default="quantumvest",
        description="The application namespace; the bootstrap Job gets '<namespace>-db-bootstrap'.",
    )
    domain: str = Field(
        default="quantumvest.com",
        description="Public domain; route hosts are labels under it (seed 000: api., www.).",
    )
    image_tag: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        description="The release every service runs unless it pins its own tag or digest; the tier profiles "
        "name the current release and the pipeline overrides it. No default: staging and prod must name one.",
    )
    services: list[ServiceArgs] = Field(
        default_factory=list,
        description="The services; none by default (the tier profiles list the seeds' four, seeds 000/001/004).",
    )
    quota: NamespaceQuota = Field(default_factory=NamespaceQuota)
    container_defaults: ContainerDefaults = Field(default_factory=ContainerDefaults)
    zone_spread: Literal["DoNotSchedule", "ScheduleAnyway"] = Field(
        default="DoNotSchedule",
        description="Zone spread is a hard rule in prod; dev may pack pods into one zone.",
    )
    monitoring_namespace: DnsLabel | None = Field(
        default="monitoring",
        description="Prometheus's namespace, admitted to every service port for scraping.",
    )
    config_data: dict[str, str] = Field(
        default_factory=lambda: {"api-url": "https://api.{domain}"},
        description="More non-secret ConfigMap entries; '{domain}' is replaced by the domain.",
    )
    edge: EdgeArgs = Field(default_factory=EdgeArgs)
    database_bootstrap: DatabaseBootstrapArgs = Field(default_factory=DatabaseBootstrapArgs)
    database_dump: DatabaseDumpArgs = Field(
        default_factory=DatabaseDumpArgs,
        description="Nightly pg_dump of every database to the backups bucket (needs a 'backups' bucket).",
    )

    @field_validator("domain")
    @classmethod
    def _check_domain(cls, domain: str) -> str:
        if not _DOMAIN.match(domain):
            raise ValueError("a lower-case DNS name with at least two labels, e.g. 'quantumvest.com'")
        return domain

    @field_validator("namespace")
    @classmethod
    def _check_namespace(cls, namespace: str) -> str:
        if namespace in RESERVED_NAMESPACES or namespace.startswith("kube-"):
            raise ValueError("reserved by Kubernetes; applications get their own namespace (CKV_K8S_21)")
        if len(namespace) > 50:
            raise ValueError("at most 50 characters (the bootstrap namespace appends '-db-bootstrap')")
        return namespace

    def host(self, host: str) -> str:
        """The full name of a route's host (``api`` → ``api.<domain>``)."""
        return resolve_host(host, self.domain)

    def cors_origin(self) -> str | None:
        """The one origin whose pages may call the public services (the listener's CORS header)."""
        origins = sorted({self.host(o) for s in self.services for o in s.cors_allow_origins})
        return origins[0] if origins else None

    def config_keys(self) -> set[str]:
        """ConfigMap keys known without the wiring (``bucket-<role>`` keys are checked at construction)."""
        return {*FIXED_CONFIG_KEYS, *self.config_data}

    @model_validator(mode="after")
    def _check(self) -> WorkloadsArgs:
        names = [s.name for s in self.services]
        for index, name in enumerate(names):
            first = names.index(name)
            if first != index:
                raise FieldProblem(
                    f"services[{index}].name",
                    name,
                    f"services[{first}] already has this name; service names must be unique",
                )
        self._check_hosts()
        self._check_references(set(names))
        self._check_capacity()
        return self

    def _in_domain(self, host: str) -> bool:
        return "." not in host or host == self.domain or host.endswith(f".{self.domain}")

    def _check_hosts(self) -> None:
        routes: dict[tuple[str, str], str] = {}
        for i, svc in enumerate(self.services):
            for j, route in enumerate(svc.ingress):
                where = f"services[{i}].ingress[{j}]"
                if not self._in_domain(route.host):
                    raise FieldProblem(
                        f"{where}.host",
                        route.host,
                        f"outside the configured domain '{self.domain}'; use a label ('api') or a name ending "
                        f"in '.{self.domain}'",
                    )
                key = (self.host(route.host), route.path)
                if key in routes:
                    raise FieldProblem(
                        f"{where}.path", route.path, f"{key[0]}{key[1]} is already routed by {routes[key]}"
                    )
                routes[key] = where
            for j, origin in enumerate(svc.cors_allow_origins):
                if not self._in_domain(origin):
                    raise FieldProblem(
                        f"services[{i}].cors_allow_origins[{j}]",
                        origin,
                        f"outside the configured domain '{self.domain}'",
                    )
                others = {self.host(o) for s in self.services for o in s.cors_allow_origins} - {
                    self.host(origin)
                }
                if others:
                    raise FieldProblem(
                        f"services[{i}].cors_allow_origins[{j}]",
                        origin,
                        f"the load balancer's listener adds one CORS origin for every host, and "
                        f"{', '.join(sorted(others))} is configured too; allow one origin",
                    )

    def _check_references(self, names: set[str]) -> None:
        databases = {d.replace("_", "-") for d in self.database_bootstrap.databases}
        keys = self.config_keys()
        for i, svc in enumerate(self.services):
            for j, caller in enumerate(svc.allow_from):
                if caller not in names or caller == svc.name:
                    raise FieldProblem(
                        f"services[{i}].allow_from[{j}]",
                        caller,
                        f"not another service ({', '.join(sorted(names - {svc.name}))})",
                    )
            for env_name, key in svc.config_env.items():
                if key not in keys and not key.startswith("bucket-"):
                    raise FieldProblem(
                        f"services[{i}].config_env.{env_name}",
                        key,
                        f"no such ConfigMap key; known: {', '.join(sorted(keys))}, bucket-<role>",
                    )
            for env_name, key in svc.secret_env.items():
                if key.startswith("database-url-") and key.removeprefix("database-url-") not in databases:
                    raise FieldProblem(
                        f"services[{i}].secret_env.{env_name}",
                        key,
                        f"no such database; app-secrets has database-url-<db> for {', '.join(sorted(databases))}",
                    )

    def _check_capacity(self) -> None:
        """The quota must hold every service at its autoscaling maximum plus a rollout's surge, and every
        container must fit the LimitRange (else pods are rejected at admission, at the worst moment)."""
        ceiling = self.container_defaults.max
        for i, svc in enumerate(self.services):
            for kind, fmt in (("cpu", format_cpu), ("memory", format_memory)):
                limit = getattr(svc.resources.limits, kind)
                if parse_quantity(limit) > parse_quantity(getattr(ceiling, kind)):
                    raise FieldProblem(
                        f"services[{i}].resources.limits.{kind}",
                        limit,
                        f"above the namespace's largest container ({fmt(parse_quantity(getattr(ceiling, kind)))}, "
                        f"container_defaults.max.{kind})",
                    )
        for scope in ("requests", "limits"):
            for kind, fmt in (("cpu", format_cpu), ("memory", format_memory)):
                need = sum(
                    (
                        s.peak_replicas * parse_quantity(getattr(getattr(s.resources, scope), kind))
                        for s in self.services
                    ),
                    start=parse_quantity("0"),
                )
                key = f"{scope}_{kind}"
                have = getattr(self.quota, key)
                if parse_quantity(have) < need:
                    raise FieldProblem(
                        f"quota.{key}",
                        have,
                        f"the services need {fmt(need)} at their autoscaling maximum plus rollout surge; "
                        "raise the quota or lower max_replicas",
                    )
        pods = sum(s.peak_replicas for s in self.services)
        if self.quota.pods < pods:
            raise FieldProblem("quota.pods", self.quota.pods, f"the services need {pods} pods at their peak")
        gpus = sum(s.peak_replicas * s.resources.gpu for s in self.services)
        if self.quota.gpus < gpus:
            raise FieldProblem("quota.gpus", self.quota.gpus, f"the services need {gpus} GPUs at their peak")
