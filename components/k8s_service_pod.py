"""A service's pod: the container (image, env, probes, resources, hardening), its volumes (scratch
emptyDirs and static EFS claims) and the pod spec around it (zone spread, grace period, security context).

Split from ``k8s_service.py``; the EFS PersistentVolume and claim are children of the ``K8sService``
passed in ``opts`` (same logical names as before the split).
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from .k8s_monitors import container_ports
from .k8s_pod import container_security_context, pod_security_context, selector, writable_dirs
from .k8s_service_args import ServiceArgs, ServiceWiring
from .k8s_service_fields import Probe, Toleration, Volume


def probe_spec(probe: Probe, port: int | None) -> k8s.core.v1.ProbeArgsDict:
    """A container probe: exec, TCP connect or HTTP GET (on ``port`` unless the probe names its own)."""
    spec: k8s.core.v1.ProbeArgsDict = {
        "initial_delay_seconds": probe.initial_delay_seconds,
        "period_seconds": probe.period_seconds,
        "timeout_seconds": probe.timeout_seconds,
        "failure_threshold": probe.failure_threshold,
    }
    if probe.kind == "exec":
        spec["exec_"] = {"command": list(probe.command)}
        return spec
    target = probe.port or port
    assert target is not None  # ServiceArgs refuses an http or tcp probe on a service without a port
    if probe.kind == "tcp":
        spec["tcp_socket"] = {"port": target}
    else:
        spec["http_get"] = {"path": probe.path, "port": target, "scheme": "HTTP"}
    return spec


def pod_volumes(
    name: str,
    args: ServiceArgs,
    wiring: ServiceWiring,
    meta_labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> tuple[list[k8s.core.v1.VolumeArgsDict], list[k8s.core.v1.VolumeMountArgsDict]]:
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


def container_env(args: ServiceArgs, wiring: ServiceWiring) -> list[k8s.core.v1.EnvVarArgsDict]:
    """Plain values, then ConfigMap keys, then app-secrets keys, each sorted by variable name."""
    env: list[k8s.core.v1.EnvVarArgsDict] = [{"name": k, "value": v} for k, v in sorted(args.env.items())]
    from_config: list[k8s.core.v1.EnvVarArgsDict] = [
        {"name": k, "value_from": {"config_map_key_ref": {"name": wiring.config_map_name, "key": key}}}
        for k, key in sorted(args.config_env.items())
    ]
    from_secret: list[k8s.core.v1.EnvVarArgsDict] = [
        {"name": k, "value_from": {"secret_key_ref": {"name": wiring.app_secrets_name, "key": key}}}
        for k, key in sorted(args.secret_env.items())
    ]
    return [*env, *from_config, *from_secret]


def pod_spec(
    args: ServiceArgs,
    wiring: ServiceWiring,
    volumes: list[k8s.core.v1.VolumeArgsDict],
    mounts: list[k8s.core.v1.VolumeMountArgsDict],
) -> k8s.core.v1.PodSpecArgsDict:
    """The restricted pod running the service's one container, spread across zones and nodes."""
    listen = args.listen_port
    requests = {"cpu": args.resources.requests.cpu, "memory": args.resources.requests.memory}
    limits = {"cpu": args.resources.limits.cpu, "memory": args.resources.limits.memory}
    if args.resources.gpu:
        requests["nvidia.com/gpu"] = str(args.resources.gpu)
        limits["nvidia.com/gpu"] = str(args.resources.gpu)
    container: k8s.core.v1.ContainerArgsDict = {
        "name": args.name,
        "image": wiring.image,
        "image_pull_policy": "IfNotPresent",
        "env": container_env(args, wiring),
        "resources": {"requests": requests, "limits": limits},
        "security_context": container_security_context(args.run_as_user),
        "volume_mounts": mounts,
        "termination_message_policy": "FallbackToLogsOnError",
    }
    if args.command:
        container["command"] = list(args.command)
    if args.args:
        container["args"] = list(args.args)
    ports: list[k8s.core.v1.ContainerPortArgsDict] = []
    if listen is not None:
        ports.append({"name": "http", "container_port": listen, "protocol": "TCP"})
    ports += container_ports(args.metrics, listen)
    if ports:
        container["ports"] = ports
    if wiring.own_secrets_name:
        container["env_from"] = [{"secret_ref": {"name": wiring.own_secrets_name}}]
    if args.liveness is not None:
        container["liveness_probe"] = probe_spec(args.liveness, listen)
    if args.readiness is not None:
        container["readiness_probe"] = probe_spec(args.readiness, listen)
    if args.startup is not None:
        container["startup_probe"] = probe_spec(args.startup, listen)
    if args.pre_stop_sleep_seconds:
        container["lifecycle"] = {"pre_stop": {"sleep": {"seconds": args.pre_stop_sleep_seconds}}}
    spread: list[k8s.core.v1.TopologySpreadConstraintArgsDict] = [
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
    spec: k8s.core.v1.PodSpecArgsDict = {
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
        spec["tolerations"] = [_toleration(t) for t in args.tolerations]
    return spec


def _toleration(toleration: Toleration) -> k8s.core.v1.TolerationArgsDict:
    out: k8s.core.v1.TolerationArgsDict = {"key": toleration.key, "operator": toleration.operator}
    if toleration.value is not None:
        out["value"] = toleration.value
    if toleration.effect is not None:
        out["effect"] = toleration.effect
    return out
