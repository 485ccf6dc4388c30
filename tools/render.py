"""``python -m tools render STACK DIR``: every Kubernetes object of a stack as YAML, in apply order.

Each ``kubernetes:<group>/<version>:<Kind>`` resource of the graph becomes one file,
``NNN-<kind>-<namespace>-<name>.yaml``, numbered in the order ``kubectl apply``/Helm would install them
(namespaces and CRDs first, RBAC and config next, workloads, then ingresses; custom resources last).
Each object is validated against the Kubernetes OpenAPI schema of the cluster's version with
``kubernetes-validate`` in strict mode (unknown fields are errors). Objects of custom resource kinds
have no schema there: those of the CRDs in ``tools.k8s_manifests.crd_schemas`` (the Gateway API's, the
load balancer controller's) are checked against their CRD's schema; the others are written and listed
as not validated. Helm releases are not objects:
they are listed (``helm template`` renders them). Secret values are redacted.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools import cli, stacks
from tools.harness import Graph, Resource, naming
from tools.redact import redact_paths, scrub, secret_values

#: Install order of built-in kinds (Helm's InstallOrder, kinds this platform uses).
APPLY_ORDER = [
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "PriorityClass",
    "IngressClass",
    "Ingress",
    "GatewayClass",
    "LoadBalancerConfiguration",
    "Gateway",
    "TargetGroupConfiguration",
    "HTTPRoute",
    "APIService",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
]
#: Kubernetes provider types that are not single objects.
NOT_OBJECTS = re.compile(r"^kubernetes:(helm\.sh/|yaml|kustomize|.*List$|.*Patch$)")
_TYPE = re.compile(r"^kubernetes:(?P<group>[^/:]+)/(?P<version>[^:]+):(?P<kind>.+)$")


@dataclass
class Manifest:
    resource: Resource
    body: dict[str, Any]
    path: Path | None = None
    validated: str | None = None  # the schema validated against (Kubernetes version or CRD), or None


@dataclass
class Rendered:
    manifests: list[Manifest] = field(default_factory=list)
    unvalidated: list[Manifest] = field(default_factory=list)
    not_objects: list[Resource] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    kubernetes_version: str = ""


def api_version(type_token: str, inputs: dict[str, Any]) -> tuple[str, str] | None:
    """``(apiVersion, kind)`` of a Kubernetes type token (``core/v1`` -> ``v1``)."""
    if inputs.get("apiVersion") and inputs.get("kind"):
        return str(inputs["apiVersion"]), str(inputs["kind"])
    match = _TYPE.match(type_token)
    if not match:
        return None
    group, version = match["group"], match["version"]
    return (version if group == "core" else f"{group}/{version}"), match["kind"]


def _prune(value: Any) -> Any:
    """Drop unknown (``None``) values the engine had not resolved; they are not part of the object."""
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune(v) for v in value if v is not None]
    return value


def manifest(resource: Resource) -> dict[str, Any] | None:
    """The Kubernetes object a resource registers, or None for non-objects (Helm releases, lists)."""
    if not resource.custom or NOT_OBJECTS.match(resource.type):
        return None
    identity = api_version(resource.type, resource.inputs)
    if identity is None:
        return None
    body = _prune(redact_paths(resource.inputs, resource.secret_paths, keep_shape=True))
    body["apiVersion"], body["kind"] = identity
    metadata = dict(body.get("metadata") or {})
    if not metadata.get("name"):
        # pulumi-kubernetes auto-names: logical name plus a random suffix (the same as every offline tool's).
        metadata["name"] = naming.auto_name(resource.type, resource.name)
    body["metadata"] = metadata
    return {
        "apiVersion": body.pop("apiVersion"),
        "kind": body.pop("kind"),
        "metadata": body.pop("metadata"),
        **body,
    }


def _order_key(item: Manifest) -> tuple[int, str, str, str]:
    kind = item.body["kind"]
    rank = APPLY_ORDER.index(kind) if kind in APPLY_ORDER else len(APPLY_ORDER)
    meta = item.body["metadata"]
    return rank, kind, meta.get("namespace", ""), meta["name"]


def cluster_version(graph: Graph) -> str:
    """The EKS cluster's Kubernetes version, if the graph has one (else the newest schema available)."""
    import kubernetes_validate.utils as kv

    versions = [
        str(c.inputs["version"]) for c in graph.of_type("aws:eks/cluster:Cluster") if c.inputs.get("version")
    ]
    latest = kv.latest_version()
    if not versions:
        return latest
    wanted = versions[0]
    supported = [v for v in kv.all_versions() if kv.major_minor(v) == kv.major_minor(wanted)]
    return supported[-1] if supported else latest


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.-]+", "-", text.lower()).strip("-") or "default"


def render(graph: Graph, out_dir: Path | None = None) -> Rendered:
    """Build, order, validate (strict) and optionally write every Kubernetes object of ``graph``."""
    import kubernetes_validate.utils as kv

    # late import: jsonschema and kubernetes-validate, only when rendering (not for every command line)
    from tools.k8s_manifests import crd_errors, crd_schemas

    result = Rendered(kubernetes_version=cluster_version(graph))
    secrets = secret_values(graph)
    for resource in graph:
        if not resource.type.startswith("kubernetes:") or not resource.custom:
            continue
        body = manifest(resource)
        if body is None:
            result.not_objects.append(resource)
            continue
        result.manifests.append(Manifest(resource, scrub(body, secrets)))
    result.manifests.sort(key=_order_key)
    for index, item in enumerate(result.manifests, start=1):
        meta = item.body["metadata"]
        parts = [f"{index:03d}", _slug(item.body["kind"])]
        if meta.get("namespace"):
            parts.append(_slug(meta["namespace"]))
        parts.append(_slug(meta["name"]))
        item.path = Path("-".join(parts) + ".yaml")
        try:
            item.validated = kv.validate(item.body, result.kubernetes_version, strict=True)
        except kv.SchemaNotFoundError:
            schema = crd_schemas().get((item.body["apiVersion"], item.body["kind"]))
            if schema is None:
                result.unvalidated.append(item)
                continue
            # A custom resource of a CRD the program installs or vendors: checked against its schema.
            problems = crd_errors(item.body, schema)
            result.errors.extend(f"{item.path}: {item.body['kind']} {meta['name']}: {p}" for p in problems)
            item.validated = None if problems else f"CRD schema of {item.body['apiVersion']}"
        except kv.ValidationError as err:
            where = "/".join(str(p) for p in err.path) or "(top level)"
            result.errors.append(f"{item.path}: {item.body['kind']} {meta['name']}: {where}: {err.message}")
    if out_dir is not None:
        out_dir.mkdir(parents=True, exist_ok=True)
        for stale in out_dir.glob("[0-9][0-9][0-9]-*.yaml"):
            stale.unlink()
        for item in result.manifests:
            assert item.path is not None
            text = yaml.safe_dump(item.body, sort_keys=False, default_flow_style=False)
            (out_dir / item.path).write_text(f"# {item.resource.urn}\n{text}")
    return result


def format_result(result: Rendered, out_dir: Path) -> str:
    lines = [
        f"{len(result.manifests)} Kubernetes objects written to {out_dir}/ in apply order, "
        f"validated (strict) against Kubernetes {kv_short(result.kubernetes_version)}"
    ]
    for item in result.manifests:
        mark = "ok " if item.validated else "-- "
        lines.append(f"  {mark} {item.path}")
    if result.unvalidated:
        lines.append(
            f"\n  Not validated ({len(result.unvalidated)}): custom resource kinds have no schema in kubernetes-validate"
        )
        lines.extend(f"    {i.path} ({i.body['apiVersion']} {i.body['kind']})" for i in result.unvalidated)
    if result.not_objects:
        lines.append(f"\n  Not rendered ({len(result.not_objects)}): rendered by their tool at deploy time")
        for resource in result.not_objects:
            chart = resource.inputs.get("chart") or ""
            version = resource.inputs.get("version") or ""
            detail = f" chart {chart} {version}".rstrip() if chart else ""
            lines.append(f"    {resource.name} ({resource.type}){detail}")
    return "\n".join(lines)


def kv_short(version: str) -> str:
    return ".".join(version.split(".")[:2])


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands, "render", run, help="Kubernetes objects as YAML files in apply order, schema-validated"
    )
    cli.add_stack(parser)
    parser.add_argument(
        "dir", type=cli.output_dir, metavar="DIR", help="directory to write the YAML files into (created)"
    )


def run(args: argparse.Namespace) -> int:
    result = render(stacks.load(args.stack, label="render"), args.dir)
    print(format_result(result, args.dir))
    for error in result.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if result.errors else 0
