"""The hardened pod every workload here runs as: the Pod Security Standards ``restricted`` profile and more.

Shared by the services' Deployments and the database bootstrap Job, so both pass the same checks
(PSS restricted; Checkov CKV_K8S_20/22/23/28/31/37/38/40; ../shared/data/security-rules.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pulumi_kubernetes.core.v1 import (
        PodSecurityContextArgsDict,
        SecurityContextArgsDict,
        VolumeArgsDict,
        VolumeMountArgsDict,
    )

#: Labels every object carries (the recommended ``app.kubernetes.io`` set).
PART_OF = "quantumvest"
MANAGED_BY = "pulumi"

#: A UID and GID far above any a base image defines (CKV_K8S_40 asks for > 10000), so a container
#: escaping its namespace maps to no real user on the node.
DEFAULT_RUN_AS_USER = 10001


def labels(app: str, component: str | None = None) -> dict[str, str]:
    """The recommended labels for an object belonging to ``app``."""
    out = {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }
    if component:
        out["app.kubernetes.io/component"] = component
    return out


def selector(app: str) -> dict[str, str]:
    """The label selector of ``app``'s pods: the one label that never changes between releases."""
    return {"app.kubernetes.io/name": app}


def pod_security_context(run_as_user: int = DEFAULT_RUN_AS_USER) -> PodSecurityContextArgsDict:
    """Pod-level: non-root with a high UID/GID, files group-owned by it, the runtime's seccomp profile."""
    return {
        "run_as_non_root": True,
        "run_as_user": run_as_user,
        "run_as_group": run_as_user,
        "fs_group": run_as_user,
        "fs_group_change_policy": "OnRootMismatch",
        "seccomp_profile": {"type": "RuntimeDefault"},
    }


def container_security_context(run_as_user: int = DEFAULT_RUN_AS_USER) -> SecurityContextArgsDict:
    """Container-level: read-only root, no privilege escalation, every capability dropped."""
    return {
        "run_as_non_root": True,
        "run_as_user": run_as_user,
        "run_as_group": run_as_user,
        "allow_privilege_escalation": False,
        "privileged": False,
        "read_only_root_filesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccomp_profile": {"type": "RuntimeDefault"},
    }


def writable_dirs(
    paths: list[str], size_limit: str = "256Mi"
) -> tuple[list[VolumeArgsDict], list[VolumeMountArgsDict]]:
    """An emptyDir per writable path (``/tmp`` at least), since the root filesystem is read-only.

    Returns (volumes, volume mounts). Each is memory-backed only if the caller says so elsewhere; a
    size limit keeps a runaway temp file from filling the node's disk.
    """
    volumes: list[VolumeArgsDict] = []
    mounts: list[VolumeMountArgsDict] = []
    for index, path in enumerate(paths):
        volume = "tmp" if path == "/tmp" else f"writable-{index}"
        volumes.append({"name": volume, "empty_dir": {"size_limit": size_limit}})
        mounts.append({"name": volume, "mount_path": path})
    return volumes, mounts
