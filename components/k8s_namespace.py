"""A namespace's baseline: Pod Security Standards, quota, container defaults and default-deny networking.

Every namespace this program creates for applications gets the same walls before anything runs in it,
so a pod that forgets its own hardening is rejected at admission and a pod that forgets its network
policy can talk to nothing but DNS.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field, model_validator

from .args import Args, FieldProblem
from .k8s_pod import labels
from .k8s_quantity import format_cpu, format_memory, parse_quantity
from .k8s_service import Quantity, ResourceAmounts

#: Namespaces that must never hold application pods (CKV_K8S_21 and the cluster's own).
RESERVED_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


class NamespaceQuota(Args):
    """A ResourceQuota: the most the namespace may reserve and use. Defaults are prod-sized (seed 004's
    3-10 replicas of each service at full scale, plus a rollout's surge)."""

    requests_cpu: Quantity = Field(default="16", description="Sum of CPU requests.")
    requests_memory: Quantity = Field(default="32Gi", description="Sum of memory requests.")
    limits_cpu: Quantity = Field(default="40", description="Sum of CPU limits.")
    limits_memory: Quantity = Field(default="64Gi", description="Sum of memory limits.")
    pods: int = Field(default=80, ge=1, le=10_000)
    persistent_volume_claims: int = Field(default=10, ge=0, le=1000)
    requests_storage: Quantity = Field(default="200Gi", description="Sum of claimed storage.")
    gpus: int = Field(default=0, ge=0, le=64, description="NVIDIA GPUs requested in total.")

    def hard(self) -> dict[str, str]:
        """The quota's ``spec.hard``. LoadBalancer and NodePort Services are forbidden: traffic enters
        through the one ALB (the Gateway), which reaches pods directly."""
        return {
            "requests.cpu": self.requests_cpu,
            "requests.memory": self.requests_memory,
            "limits.cpu": self.limits_cpu,
            "limits.memory": self.limits_memory,
            "pods": str(self.pods),
            "persistentvolumeclaims": str(self.persistent_volume_claims),
            "requests.storage": self.requests_storage,
            "requests.nvidia.com/gpu": str(self.gpus),
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        }


class ContainerDefaults(Args):
    """A LimitRange: what a container gets when it states nothing, and the most any container may have."""

    default_request: ResourceAmounts = Field(
        default_factory=lambda: ResourceAmounts(cpu="100m", memory="128Mi"),
        description="Requests given to a container that states none.",
    )
    default_limit: ResourceAmounts = Field(
        default_factory=lambda: ResourceAmounts(cpu="500m", memory="512Mi"),
        description="Limits given to a container that states none.",
    )
    max: ResourceAmounts = Field(
        default_factory=lambda: ResourceAmounts(cpu="4", memory="8Gi"),
        description="Largest limits one container may have (model serving is the largest).",
    )

    @model_validator(mode="after")
    def _check(self) -> ContainerDefaults:
        for kind, fmt in (("cpu", format_cpu), ("memory", format_memory)):
            request = parse_quantity(getattr(self.default_request, kind))
            limit = parse_quantity(getattr(self.default_limit, kind))
            ceiling = parse_quantity(getattr(self.max, kind))
            if request > limit:
                raise FieldProblem(
                    f"default_request.{kind}",
                    getattr(self.default_request, kind),
                    f"above default_limit ({fmt(limit)})",
                )
            if limit > ceiling:
                raise FieldProblem(
                    f"default_limit.{kind}", getattr(self.default_limit, kind), f"above max ({fmt(ceiling)})"
                )
        return self


def pod_security_labels(version: str) -> dict[str, str]:
    """Pod Security admission: enforce, audit and warn at ``restricted``, pinned to ``version``."""
    out: dict[str, str] = {}
    for mode in ("enforce", "audit", "warn"):
        out[f"pod-security.kubernetes.io/{mode}"] = "restricted"
        out[f"pod-security.kubernetes.io/{mode}-version"] = version
    return out


class K8sNamespace(pulumi.ComponentResource):
    """One namespace and its baseline.

    Creates: the Namespace, labelled for Pod Security Standards ``restricted`` (enforce, audit, warn;
    pinned to the cluster's version so an upgrade does not silently change the rules); a ResourceQuota;
    a LimitRange; a default-deny NetworkPolicy for ingress and egress over every pod; and the one rule
    every pod needs, DNS to the cluster's resolver in ``kube-system``.
    """

    name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        *,
        namespace: str,
        quota: NamespaceQuota,
        container_defaults: ContainerDefaults,
        pod_security_version: str = "latest",
        dns_namespace: str = "kube-system",
        dns_pod_labels: Mapping[str, str] | None = None,
        extra_labels: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:workloads:Namespace", name, None, opts)
        if namespace in RESERVED_NAMESPACES or namespace.startswith("kube-"):
            raise ValueError(f"namespace {namespace!r} is reserved; applications get their own")
        child = pulumi.ResourceOptions(parent=self)
        ns_labels = {
            **(extra_labels or {}),
            **labels(namespace, "namespace"),
            **pod_security_labels(pod_security_version),
        }
        ns = k8s.core.v1.Namespace(
            f"{name}-namespace", metadata={"name": namespace, "labels": ns_labels}, opts=child
        )
        self.name = ns.metadata.name

        def meta(object_name: str) -> k8s.meta.v1.ObjectMetaArgsDict:
            return {"name": object_name, "namespace": self.name, "labels": labels(namespace, "namespace")}

        k8s.core.v1.ResourceQuota(
            f"{name}-quota", metadata=meta("quota"), spec={"hard": quota.hard()}, opts=child
        )
        k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=meta("container-defaults"),
            spec={
                "limits": [
                    {
                        "type": "Container",
                        "default_request": container_defaults.default_request.model_dump(),
                        "default": container_defaults.default_limit.model_dump(),
                        "max": container_defaults.max.model_dump(),
                    }
                ]
            },
            opts=child,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-default-deny",
            metadata=meta("default-deny"),
            spec={"pod_selector": {}, "policy_types": ["Ingress", "Egress"]},
            opts=child,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-allow-dns",
            metadata=meta("allow-dns"),
            spec={
                "pod_selector": {},
                "policy_types": ["Egress"],
                "egress": [
                    {
                        "to": [
                            {
                                "namespace_selector": {
                                    "match_labels": {"kubernetes.io/metadata.name": dns_namespace}
                                },
                                "pod_selector": {
                                    "match_labels": dict(dns_pod_labels or {"k8s-app": "kube-dns"})
                                },
                            }
                        ],
                        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                    }
                ],
            },
            opts=child,
        )
        self.register_outputs({"name": self.name})
