"""Guardrails across Kubernetes objects: network isolation, disruption budgets, zone spread,
autoscaler targets and RBAC."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy.model import Context, ResourceLike, Tiering
from policy.rules.base import as_list, dig, rule
from policy.rules.k8s_objects import namespace, pod_labels, replicas, selects
from policy.rules.tokens import (
    K8S_CLUSTER_ROLE,
    K8S_HPA,
    K8S_NETWORK_POLICY,
    K8S_PDB,
    K8S_REPLICATED,
    K8S_ROLE,
    K8S_WORKLOADS,
)
from policy.view import StackView

ZONE_KEY = "topology.kubernetes.io/zone"


def _in_namespace(stack: StackView, type_token: str, ns: str) -> list[ResourceLike]:
    return [o for o in stack.of_type(type_token) if namespace(o) == ns]


def _is_default_deny(policy: ResourceLike) -> bool:
    """An empty pod selector with Ingress in policyTypes and no ingress rules: deny all ingress."""
    spec = dig(policy.inputs, "spec", {})
    types = [str(t) for t in as_list(spec.get("policyTypes"))] or ["Ingress"]
    return spec.get("podSelector") in (None, {}) and "Ingress" in types and not as_list(spec.get("ingress"))


@rule(
    "k8s-network-policy",
    "Every namespace with workloads denies ingress by default and every pod is selected by a NetworkPolicy",
    ids=("CKV2_K8S_6",),
    types=K8S_WORKLOADS,
    remediation="Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) per "
    "namespace, and a policy per service allowing only its callers.",
    scope="stack",
)
def k8s_network_policy(r: ResourceLike, ctx: Context) -> Iterator[str]:
    ns = namespace(r)
    policies = _in_namespace(ctx.stack, K8S_NETWORK_POLICY, ns)
    if not any(_is_default_deny(p) for p in policies):
        yield f"namespace {ns} has no default-deny NetworkPolicy"
    labels = pod_labels(r)
    specific = [p for p in policies if not _is_default_deny(p)]
    if not any(selects(dig(p.inputs, "spec.podSelector", {}), labels) for p in specific):
        yield "no NetworkPolicy selects these pods to say who may reach them"


def _scaled_min(ctx: Context, workload: ResourceLike) -> int:
    """The replica floor: an HPA's minReplicas if one targets the workload, else spec.replicas."""
    name = dig(workload.inputs, "metadata.name")
    for hpa in _in_namespace(ctx.stack, K8S_HPA, namespace(workload)):
        target = dig(hpa.inputs, "spec.scaleTargetRef", {})
        if (name and target.get("name") == name) or ctx.stack.refers(hpa, "spec", workload):
            floor = dig(hpa.inputs, "spec.minReplicas", 1)
            return floor if isinstance(floor, int) else 1
    return replicas(workload)


@rule(
    "k8s-pdb",
    "Replicated workloads have a PodDisruptionBudget",
    ids=("KS pod-disruption-budget",),
    types=K8S_REPLICATED,
    remediation="Add a PodDisruptionBudget selecting the pods with maxUnavailable: 1 (or minAvailable).",
    scope="stack",
    tiering=Tiering.HIGH_AVAILABILITY,
)
def k8s_pdb(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if _scaled_min(ctx, r) < 2:
        return
    labels = pod_labels(r)
    budgets = _in_namespace(ctx.stack, K8S_PDB, namespace(r))
    if not any(selects(dig(b.inputs, "spec.selector", {}), labels) for b in budgets):
        yield "replicated, but no PodDisruptionBudget selects its pods: a node drain may take them all"


@rule(
    "k8s-zone-spread",
    "Replicated workloads spread their pods across availability zones",
    ids=("KS pod-topology-spread-constraints",),
    types=K8S_REPLICATED,
    remediation=f"Add topologySpreadConstraints with topologyKey {ZONE_KEY} (maxSkew 1).",
    scope="stack",
    tiering=Tiering.HIGH_AVAILABILITY,
)
def k8s_zone_spread(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if _scaled_min(ctx, r) < 2:
        return
    spec = dig(r.inputs, "spec.template.spec", {})
    keys = [
        dig(c, "topologyKey") for c in as_list(spec.get("topologySpreadConstraints")) if isinstance(c, dict)
    ]
    for term in as_list(dig(spec, "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution")):
        keys.append(dig(term, "topologyKey"))
    for term in as_list(
        dig(spec, "affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution")
    ):
        keys.append(dig(term, "podAffinityTerm.topologyKey"))
    if ZONE_KEY not in keys:
        yield f"replicated, but its pods are not spread across zones ({ZONE_KEY})"


@rule(
    "k8s-hpa-target",
    "Every HorizontalPodAutoscaler targets a workload that exists and scales on a metric",
    ids=("KS horizontalpodautoscaler-has-target",),
    types=K8S_HPA,
    remediation="Point spec.scaleTargetRef at the Deployment (same namespace, kind and name) and list spec.metrics.",
    scope="stack",
)
def k8s_hpa_target(hpa: ResourceLike, ctx: Context) -> Iterator[str]:
    target = dig(hpa.inputs, "spec.scaleTargetRef", {})
    kind, name = target.get("kind"), target.get("name")
    candidates = [
        w
        for w in _in_namespace(ctx.stack, _token_for_kind(str(kind)), namespace(hpa))
        if dig(w.inputs, "metadata.name") == name
    ]
    # A known name must match a workload; only an unknown one (preview) falls back to the dependency.
    if not candidates and (isinstance(name, str) or not ctx.stack.referenced(hpa, "spec", *K8S_REPLICATED)):
        yield f"scaleTargetRef {kind}/{name} names no workload in namespace {namespace(hpa)}"
    if not as_list(dig(hpa.inputs, "spec.metrics")):
        yield "no metrics: the autoscaler falls back to 80% CPU silently"


def _token_for_kind(kind: str) -> str:
    return {"Deployment": K8S_REPLICATED[0], "StatefulSet": K8S_REPLICATED[1]}.get(
        kind, f"kubernetes:apps/v1:{kind}"
    )


#: Verbs that let a subject grant itself more (CKV_K8S_157/158) or act as someone else.
ESCALATING_VERBS = ("bind", "escalate", "impersonate")
READ_VERBS = ("get", "list", "watch", "*")


def _rbac_problems(rules: Any, cluster_wide: bool) -> Iterator[str]:
    for index, entry in enumerate(as_list(rules)):
        if not isinstance(entry, dict):
            continue
        verbs = [str(v) for v in as_list(entry.get("verbs"))]
        resources = [str(v) for v in as_list(entry.get("resources"))]
        groups = [str(v) for v in as_list(entry.get("apiGroups"))]
        where = f"rules[{index}]"
        wildcards = [
            name
            for name, values in (("verbs", verbs), ("resources", resources), ("apiGroups", groups))
            if "*" in values
        ]
        if wildcards:
            yield f"{where} uses '*' in {', '.join(wildcards)}"
        escalating = [v for v in verbs if v in ESCALATING_VERBS]
        if escalating:
            yield f"{where} grants {', '.join(escalating)}"
        if (
            cluster_wide
            and any(r in ("secrets", "*") for r in resources)
            and any(v in READ_VERBS for v in verbs)
            and not as_list(entry.get("resourceNames"))
        ):
            yield f"{where} reads every secret in the cluster"


@rule(
    "k8s-rbac-least-privilege",
    "Roles use no wildcards, grant no bind/escalate/impersonate, and ClusterRoles do not read all secrets",
    ids=("CKV_K8S_49", "CKV_K8S_157", "CKV_K8S_158"),
    types=(K8S_ROLE, K8S_CLUSTER_ROLE),
    remediation="List the apiGroups, resources and verbs the subject uses; read secrets through a namespaced "
    "Role with resourceNames.",
)
def k8s_rbac_least_privilege(r: ResourceLike, ctx: Context) -> Iterator[str]:
    yield from _rbac_problems(r.inputs.get("rules"), cluster_wide=r.type == K8S_CLUSTER_ROLE)
