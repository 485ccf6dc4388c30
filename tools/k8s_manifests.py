"""Kubernetes manifests from a resource graph, and their validation against the Kubernetes schema.

Every ``kubernetes:<group>/<version>:<Kind>`` resource the program registered becomes the manifest the
provider would apply: ``apiVersion``, ``kind``, ``metadata`` and the rest of its inputs (the typed SDK
already sends them in the API's camelCase). ``validate`` checks each against the OpenAPI schema of a
Kubernetes version with ``kubernetes-validate`` in strict mode (unknown fields are errors). Custom
resources have no schema there; they are skipped by name (``SKIPPED_CUSTOM_RESOURCES``), never silently.

Used by the tests and by the offline tools (``render STACK DIR``).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

from tools.harness.graph import Graph, Resource

#: CRDs of controllers whose charts install them, vendored so their objects are validated here.
VENDORED_CRDS = (Path(__file__).parent / "data" / "aws-load-balancer-controller-v3.5.0-gateway-crds.yaml",)

#: Resource types that are Kubernetes resources in Pulumi but not objects the API server stores.
NOT_MANIFESTS_PREFIXES = (
    "kubernetes:helm.sh/",  # a Helm release: the chart's objects live in the release, not the graph
    "kubernetes:yaml",  # ConfigFile / ConfigGroup: their objects are registered as children
    "kubernetes:kustomize",
)

#: Custom resources kubernetes-validate has no schema for, with what serves them.
SKIPPED_CUSTOM_RESOURCES: dict[tuple[str, str], str] = {
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets CRD",
    ("external-secrets.io/v1", "SecretStore"): "external-secrets CRD",
    ("external-secrets.io/v1", "ClusterSecretStore"): "external-secrets CRD",
    ("cert-manager.io/v1", "ClusterIssuer"): "cert-manager CRD",
    ("cert-manager.io/v1", "Issuer"): "cert-manager CRD",
    ("cert-manager.io/v1", "Certificate"): "cert-manager CRD",
    ("monitoring.coreos.com/v1", "PrometheusRule"): "prometheus-operator CRD",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "prometheus-operator CRD",
    ("monitoring.coreos.com/v1", "PodMonitor"): "prometheus-operator CRD",
    ("elbv2.k8s.aws/v1beta1", "TargetGroupBinding"): "AWS Load Balancer Controller CRD",
}

#: Apply order, Helm's install order where it has one: what others refer to comes first.
KIND_ORDER = [
    "Namespace",
    "ResourceQuota",
    "LimitRange",
    "NetworkPolicy",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "SecretStore",
    "ClusterSecretStore",
    "ExternalSecret",
    "Service",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "Ingress",
    "LoadBalancerConfiguration",
    "Gateway",
    "TargetGroupConfiguration",
    "HTTPRoute",
]


@cache
def crd_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) → the served version's OpenAPI schema, from the CRDs the program installs
    (the Gateway API's) and the vendored ones of charts (the AWS Load Balancer Controller's)."""
    # late import: imports pulumi_kubernetes: only when validating
    from components.gateway_crds import standard_install

    documents: list[dict[str, Any]] = list(standard_install())
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for path in VENDORED_CRDS:
        documents += [d for d in yaml.load_all(path.read_text(), Loader=loader) if d]
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for crd in documents:
        if crd.get("kind") != "CustomResourceDefinition":
            continue
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                schema = version["schema"]["openAPIV3Schema"]
                schemas[(f"{group}/{version['name']}", kind)] = _closed(copy.deepcopy(schema))
    return schemas


def _closed(schema: Any) -> Any:
    """Strict like the API server's field validation: objects with listed properties take no others."""
    if isinstance(schema, dict):
        for key in ("properties", "items", "additionalProperties"):
            value = schema.get(key)
            if key == "properties" and isinstance(value, dict):
                for sub in value.values():
                    _closed(sub)
            elif isinstance(value, dict):
                _closed(value)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key) or []:
                _closed(sub)
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
    return schema


def crd_errors(manifest: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Schema errors of a custom resource (``path: message``); empty when it validates."""
    body = {k: v for k, v in manifest.items() if k != "metadata"}
    body["metadata"] = {}  # ObjectMeta is the API server's, validated by the built-in kinds
    validator = jsonschema.Draft4Validator(schema)
    return [
        f"{'.'.join(str(p) for p in err.absolute_path) or '(root)'}: {err.message}"
        for err in validator.iter_errors(body)
    ]


def is_manifest(resource: Resource) -> bool:
    """Whether a graph resource is a Kubernetes object (not a provider, a Helm release or a component)."""
    return (
        resource.custom
        and resource.type.startswith("kubernetes:")
        and not resource.type.startswith(NOT_MANIFESTS_PREFIXES)
    )


def api_version_and_kind(type_token: str) -> tuple[str, str]:
    """``kubernetes:apps/v1:Deployment`` → (``apps/v1``, ``Deployment``); ``core/v1`` → ``v1``."""
    _, group_version, kind = type_token.split(":", 2)
    if group_version.startswith("core/"):
        group_version = group_version.removeprefix("core/")
    return group_version, kind


def _prune(value: Any) -> Any:
    """Drop values the engine did not know (``None``) so the manifest reads as the API would store it."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value if v is not None]
    return value


def manifest_of(resource: Resource) -> dict[str, Any]:
    """The manifest the Kubernetes provider would apply for one graph resource."""
    api_version, kind = api_version_and_kind(resource.type)
    body = _prune(dict(resource.inputs))
    metadata = dict(body.pop("metadata", {}) or {})
    if not metadata.get("name"):
        # The provider auto-names like this (logical name + random suffix); a stable suffix here.
        metadata["name"] = f"{resource.name}-{hashlib.sha256(resource.urn.encode()).hexdigest()[:8]}"
    api_version = body.pop("apiVersion", None) or api_version
    kind = body.pop("kind", None) or kind
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}


def _order(manifest: dict[str, Any]) -> tuple[int, str, str]:
    kind = manifest["kind"]
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    meta = manifest["metadata"]
    return rank, meta.get("namespace", ""), meta["name"]


def render(graph: Graph | Iterable[Resource]) -> list[dict[str, Any]]:
    """Every Kubernetes object of the graph as a manifest, in apply order."""
    resources = graph.resources if isinstance(graph, Graph) else list(graph)
    return sorted((manifest_of(r) for r in resources if is_manifest(r)), key=_order)


def to_yaml(manifests: Iterable[dict[str, Any]]) -> str:
    """A multi-document YAML stream (``kubectl apply -f`` reads it)."""
    return yaml.safe_dump_all(list(manifests), sort_keys=False, default_flow_style=False)


def manifest_id(manifest: dict[str, Any]) -> str:
    """``Deployment quantumvest/backend``."""
    meta = manifest["metadata"]
    where = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{manifest['kind']} {where}{meta['name']}"


@dataclass
class ValidationReport:
    """What was validated against the schema, what was skipped (and why), and every error."""

    kubernetes_version: str
    validated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def validate(
    manifests: Iterable[dict[str, Any]], kubernetes_version: str, strict: bool = True
) -> ValidationReport:
    """Validate manifests against the schema of ``kubernetes_version`` (e.g. ``1.33``).

    Custom resources of the CRDs in ``crd_schemas`` are validated against their schemas (strictly:
    unknown fields are errors). Other known custom resources are skipped and listed; an unknown kind with no schema is an error, so a new
    CRD never slips through unvalidated without someone adding it to ``SKIPPED_CUSTOM_RESOURCES``.
    """
    report = ValidationReport(kubernetes_version)
    for manifest in manifests:
        ident = manifest_id(manifest)
        schema = crd_schemas().get((manifest["apiVersion"], manifest["kind"]))
        if schema is not None:
            errors = crd_errors(manifest, schema)
            report.errors.extend(f"{ident}: {e}" for e in errors)
            if not errors:
                report.validated.append(ident)
            continue
        reason = SKIPPED_CUSTOM_RESOURCES.get((manifest["apiVersion"], manifest["kind"]))
        if reason:
            report.skipped.append((ident, reason))
            continue
        try:
            kubernetes_validate.validate(manifest, kubernetes_version, strict=strict)
        except kubernetes_validate.ValidationError as err:
            path = ".".join(str(p) for p in err.absolute_path) or "(root)"
            report.errors.append(f"{ident}: {path}: {err.message}")
            continue
        except kubernetes_validate.SchemaNotFoundError as err:
            report.errors.append(f"{ident}: {err.message}; add it to SKIPPED_CUSTOM_RESOURCES if it is a CRD")
            continue
        report.validated.append(ident)
    return report
