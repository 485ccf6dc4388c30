"""Guardrails for pods, wherever they are templated (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod):
the Pod Security Standards (baseline and restricted), container hardening, resources, probes and images."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from components.secret_keys import REFERENCE_KEY_SUFFIX, SECRET_KEY_PATTERN
from policy.model import Context, ResourceLike, Tiering
from policy.rules.base import as_list, dig, is_false, is_true, rule
from policy.rules.k8s_objects import containers, namespace, pod_spec
from policy.rules.tokens import K8S_LONG_RUNNING, K8S_WORKLOADS

#: CKV_K8S_40: UIDs below this may collide with host users.
MIN_UID = 10000
ALLOWED_SECCOMP = ("RuntimeDefault", "Localhost")


def _effective(pod: dict[str, Any], container: dict[str, Any], key: str) -> Any:
    """A security-context field as it applies to a container: its own, else the pod's."""
    own = dig(container, f"securityContext.{key}")
    return own if own is not None else dig(pod, f"securityContext.{key}")


@rule(
    "k8s-pod-baseline",
    "Pods are not privileged and do not share the host's PID, IPC or network namespaces",
    ids=("PSS baseline", "CKV_K8S_16", "CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19"),
    types=K8S_WORKLOADS,
    remediation="Remove privileged: true and hostPID/hostIPC/hostNetwork from the pod template.",
)
def k8s_pod_baseline(r: ResourceLike, ctx: Context) -> Iterator[str]:
    spec = pod_spec(r)
    for field in ("hostPID", "hostIPC", "hostNetwork"):
        if is_true(spec.get(field)):
            yield f"{field} is true"
    for label, container in containers(spec):
        if is_true(dig(container, "securityContext.privileged")):
            yield f"{label} is privileged"


@rule(
    "k8s-pod-restricted",
    "Containers run as non-root with a high UID, cannot escalate privileges, and use the RuntimeDefault seccomp profile",
    ids=("PSS restricted", "CKV_K8S_20", "CKV_K8S_23", "CKV_K8S_40", "CKV_K8S_31"),
    types=K8S_WORKLOADS,
    remediation=f"Set pod securityContext runAsNonRoot: true, runAsUser >= {MIN_UID}, seccompProfile "
    "{type: RuntimeDefault}; set allowPrivilegeEscalation: false on every container.",
)
def k8s_pod_restricted(r: ResourceLike, ctx: Context) -> Iterator[str]:
    spec = pod_spec(r)
    for label, container in containers(spec):
        if not is_true(_effective(spec, container, "runAsNonRoot")):
            yield f"{label} may run as root (runAsNonRoot is not true)"
        uid = _effective(spec, container, "runAsUser")
        if not isinstance(uid, int):
            yield f"{label} sets no runAsUser; use a UID >= {MIN_UID}"
        elif uid < MIN_UID:
            yield f"{label} runs as UID {uid}; use a UID >= {MIN_UID}"
        if not is_false(dig(container, "securityContext.allowPrivilegeEscalation")):
            yield f"{label} allows privilege escalation (allowPrivilegeEscalation is not false)"
        seccomp = _effective(spec, container, "seccompProfile.type")
        if seccomp not in ALLOWED_SECCOMP:
            yield f"{label} has seccomp profile {seccomp or 'unset (Unconfined)'}; use RuntimeDefault"


@rule(
    "k8s-container-hardening",
    "Containers drop ALL capabilities and have a read-only root filesystem",
    ids=("PSS restricted", "CKV_K8S_37", "CKV_K8S_28", "CKV_K8S_22"),
    types=K8S_WORKLOADS,
    remediation="Set securityContext capabilities {drop: [ALL]} and readOnlyRootFilesystem: true; mount an "
    "emptyDir for any path the process writes.",
)
def k8s_container_hardening(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for label, container in containers(pod_spec(r)):
        dropped = [str(c) for c in as_list(dig(container, "securityContext.capabilities.drop"))]
        if "ALL" not in dropped:
            yield f"{label} does not drop ALL capabilities"
        if not is_true(dig(container, "securityContext.readOnlyRootFilesystem")):
            yield f"{label} has a writable root filesystem"


@rule(
    "k8s-container-resources",
    "Containers set CPU and memory requests and limits; long-running ones have liveness and readiness probes",
    ids=("CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13", "CKV_K8S_8", "CKV_K8S_9"),
    types=K8S_WORKLOADS,
    remediation="Set resources.requests and resources.limits (cpu, memory) on every container, and "
    "livenessProbe/readinessProbe on the containers of Deployments, StatefulSets and DaemonSets.",
)
def k8s_container_resources(r: ResourceLike, ctx: Context) -> Iterator[str]:
    spec = pod_spec(r)
    for label, container in containers(spec):
        missing = [
            f"{kind}.{resource}"
            for kind in ("requests", "limits")
            for resource in ("cpu", "memory")
            if not dig(container, f"resources.{kind}.{resource}")
        ]
        if missing:
            yield f"{label} sets no {', '.join(missing)}"
    if r.type in K8S_LONG_RUNNING:
        for label, container in containers(spec, init=False):
            for probe in ("livenessProbe", "readinessProbe"):
                if not container.get(probe):
                    yield f"{label} has no {probe}"


def _image_parts(image: str) -> tuple[str | None, str | None]:
    """``(tag, digest)`` of an image reference (a registry port is not a tag)."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else None
    return tag, digest or None


@rule(
    "k8s-image-pinned",
    "Images are pinned to a version (no ':latest', no missing tag)",
    ids=("CKV_K8S_14",),
    types=K8S_WORKLOADS,
    remediation="Reference images by an immutable version tag (ECR tag immutability on) or by digest.",
)
def k8s_image_pinned(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for label, container in containers(pod_spec(r)):
        image = str(container.get("image") or "")
        tag, digest = _image_parts(image)
        if not image:
            yield f"{label} has no image"
        elif not digest and tag in (None, "latest"):
            yield f"{label} image {image} floats ({'latest' if tag else 'no tag'})"


@rule(
    "k8s-image-digest",
    "Images are referenced by digest",
    ids=("CKV_K8S_43",),
    types=K8S_WORKLOADS,
    remediation="Append @sha256:<digest> to the image (the CI pipeline knows it at push time).",
    tiering=Tiering.ADVISORY,
)
def k8s_image_digest(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for label, container in containers(pod_spec(r)):
        image = str(container.get("image") or "")
        if image and not _image_parts(image)[1]:
            yield f"{label} image {image} is not pinned by digest"


@rule(
    "k8s-pod-token-namespace",
    "Pods do not automount a service-account token unless they use one, and do not run in 'default'",
    ids=("CKV_K8S_38", "CKV_K8S_21"),
    types=K8S_WORKLOADS,
    remediation="Set automountServiceAccountToken: false (true only with a dedicated serviceAccountName) "
    "and metadata.namespace to the service's namespace.",
)
def k8s_pod_token_namespace(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if namespace(r) == "default":
        yield "runs in the 'default' namespace"
    spec = pod_spec(r)
    automount = spec.get("automountServiceAccountToken")
    account = str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default")
    if automount is None:
        yield "automountServiceAccountToken is not set, so the token is mounted"
    elif is_true(automount) and account == "default":
        yield "mounts the token of the namespace's 'default' service account"


def _secret_like(name: str) -> bool:
    return bool(SECRET_KEY_PATTERN.search(name)) and not REFERENCE_KEY_SUFFIX.search(name)


@rule(
    "k8s-no-plaintext-secret-env",
    "No secret-looking environment variable holds a literal value",
    ids=("—",),
    types=K8S_WORKLOADS,
    remediation="Take the value from a Secret (valueFrom.secretKeyRef, synced by External Secrets from "
    "Secrets Manager), never from the program.",
)
def k8s_no_plaintext_secret_env(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for label, container in containers(pod_spec(r)):
        for variable in as_list(container.get("env")):
            if not isinstance(variable, dict):
                continue
            name = str(variable.get("name") or "")
            if _secret_like(name) and variable.get("value") not in (None, ""):
                yield f"{label} sets {name} to a literal value"
