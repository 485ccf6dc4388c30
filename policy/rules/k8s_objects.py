"""Readers for Kubernetes objects as the engine sees them (camelCase API fields): pod specs inside
workloads, their labels, namespaces, containers and label selectors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy.model import ResourceLike
from policy.rules.base import as_list, dig
from policy.rules.tokens import K8S_CRONJOB, K8S_POD

#: The path of the pod spec inside each workload kind.
POD_SPEC_PATH = {K8S_POD: "spec", K8S_CRONJOB: "spec.jobTemplate.spec.template.spec"}
POD_LABELS_PATH = {K8S_POD: "metadata.labels", K8S_CRONJOB: "spec.jobTemplate.spec.template.metadata.labels"}


def pod_spec(r: ResourceLike) -> dict[str, Any]:
    spec = dig(r.inputs, POD_SPEC_PATH.get(r.type, "spec.template.spec"), {})
    return spec if isinstance(spec, dict) else {}


def pod_labels(r: ResourceLike) -> dict[str, str]:
    labels = dig(r.inputs, POD_LABELS_PATH.get(r.type, "spec.template.metadata.labels"), {})
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def namespace(r: ResourceLike) -> str:
    """The object's namespace; an object without one lands in ``default``."""
    return str(dig(r.inputs, "metadata.namespace") or "default")


def containers(spec: dict[str, Any], init: bool = True) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(label, container)`` for every container (and init container) of a pod spec."""
    kinds = ("containers", "initContainers") if init else ("containers",)
    for kind in kinds:
        for container in as_list(spec.get(kind)):
            if isinstance(container, dict):
                prefix = "init container" if kind == "initContainers" else "container"
                yield f"{prefix} {container.get('name', '?')}", container


def replicas(r: ResourceLike) -> int:
    value = dig(r.inputs, "spec.replicas", 1)
    return value if isinstance(value, int) else 1


def selects(selector: Any, labels: dict[str, str]) -> bool:
    """Does a LabelSelector (``matchLabels``/``matchExpressions``) select pods with ``labels``?

    An empty selector selects every pod (NetworkPolicy, PodDisruptionBudget semantics).
    """
    if not isinstance(selector, dict):
        return selector is None or selector == {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(str(key)) != str(value):
            return False
    for expression in as_list(selector.get("matchExpressions")):
        if not isinstance(expression, dict):
            return False
        key, operator = str(expression.get("key")), str(expression.get("operator"))
        values = [str(v) for v in as_list(expression.get("values"))]
        present = key in labels
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and present and labels.get(key) in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True
