"""A service's pod: the container (image, env, probes, resources, hardening), its volumes (scratch
emptyDirs and static EFS claims) and the pod spec around it (zone spread, grace period, security context).

Split from ``k8s_service.py``; the EFS PersistentVolume and claim are children of the ``K8sService``
passed in ``opts`` (same logical names as before the split).
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .k8s_monitors import container_ports
from .k8s_pod import container_security_context, pod_security_context, selector, writable_dirs
from .k8s_service_args import ServiceArgs, ServiceWiring
from .k8s_service_fields import Probe, Volume


def probe_spec(probe: Probe, port: int | None) -> dict[str, Any]:
    """A container probe: exec, TCP connect or HTTP GET (on ``port`` unless the probe names its own)."""
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


def pod_volumes(
    name: str,
    args: ServiceArgs,
    wiring: ServiceWiring,
    meta_labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[list[dict], list[dict]]:
    """The pod's volumes and the container's mounts: writable emptyDirs, scratch and EFS claims."""
    volumes, mounts = writable_dirs(list(args.writable_paths))
    for volume in args.volumes:
        if volume.kind == "empty_dir":
            volumes.append({"name": volume.name, "empty_dir": {"size_limit": volume.size}})
        else:
            claim = efs_claim(name, args, wiring, volume, meta_labels, opts)
            volumes.append(
                {
                    "name": volume.name,
                    "persistent_volume_claim": {"claim_name": claim, "read_only": volume.read_only},
                }
            )
        mounts.append({"name": volume.name, "mount_path": volume.mount_path, "read_only": volume.read_only})
    return volumes, mounts


def efs_claim(
    name: str,
    args: ServiceArgs,
    wiring: ServiceWiring,
    volume: Volume,
    meta_labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> str:
    """A static PersistentVolume on the EFS access point, and the claim bound to it."""
    if wiring.efs_volume_handle is None:
        raise ValueError(
            f"service '{args.name}' mounts EFS volume '{volume.name}' but no EFS file system and access "
            "point were wired in (efs_file_system_id, efs_access_point_id)"
        )
    claim = f"{args.name}-{volume.name}"
    pv = k8s.core.v1.PersistentVolume(
        f"{name}-{volume.name}-pv",
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
        opts=opts,
    )
    k8s.core.v1.PersistentVolumeClaim(
        f"{name}-{volume.name}-pvc",
        metadata={"name": claim, "namespace": wiring.namespace, "labels": meta_labels},
        spec={
            "access_modes": ["ReadWriteMany"],
            "storage_class_name": "",  # static binding: no provisioner, no default class
            "volume_name": pv.metadata.name,
            "resources": {"requests": {"storage": volume.size}},
        },
        opts=opts,
    )
    return claim


def container_env(args: ServiceArgs, wiring: ServiceWiring) -> list[dict[str, Any]]:
    """Plain values, then ConfigMap keys, then app-secrets keys, each sorted by variable name."""
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


def pod_spec(
    args: ServiceArgs, wiring: ServiceWiring, volumes: list[dict], mounts: list[dict]
) -> dict[str, Any]:
    """The restricted pod running the service's one container, spread across zones and nodes."""
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
        "env": container_env(args, wiring),
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
            container[field_name] = probe_spec(probe, listen)
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
