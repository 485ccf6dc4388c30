"""One application service on Kubernetes: its objects (``K8sService``), built from its settings
(``ServiceArgs``, ``k8s_service_args.py``) and its wiring (``ServiceWiring``).

The parts live beside it, one concern each: field types and small models (``k8s_service_fields.py``),
settings and wiring (``k8s_service_args.py``), the pod (``k8s_service_pod.py``), identities
(``k8s_service_access.py``), autoscaling and network policies (``k8s_service_traffic.py``). Every name
they define that was importable from this module still is.
"""

from __future__ import annotations

import re

import pulumi
import pulumi_kubernetes as k8s

from .k8s_monitors import create_monitor, service_port
from .k8s_pod import labels, selector
from .k8s_routes import http_route, target_group_configuration
from .k8s_service_access import bucket_access_policy, service_irsa_role, service_rbac
from .k8s_service_args import ServiceArgs, ServiceWiring
from .k8s_service_fields import (
    APP_SECRET_KEYS_HELP,
    DNS_LABEL_HELP,
    AbsolutePath,
    Autoscaling,
    BucketAccess,
    DnsLabel,
    ImageRef,
    IngressRoute,
    IntOrPercent,
    Port,
    Probe,
    Quantity,
    RbacRule,
    ResourceAmounts,
    Resources,
    RollingUpdate,
    ScalingRule,
    Toleration,
    Volume,
    app_secret_key_ok,
)
from .k8s_service_pod import pod_spec, pod_volumes
from .k8s_service_traffic import autoscaler, ip_blocks, network_policies

__all__ = [
    "APP_SECRET_KEYS_HELP",
    "DNS_LABEL_HELP",
    "AbsolutePath",
    "Autoscaling",
    "BucketAccess",
    "DnsLabel",
    "ImageRef",
    "IngressRoute",
    "IntOrPercent",
    "K8sService",
    "Port",
    "Probe",
    "Quantity",
    "RbacRule",
    "ResourceAmounts",
    "Resources",
    "RollingUpdate",
    "ScalingRule",
    "ServiceArgs",
    "ServiceWiring",
    "Toleration",
    "Volume",
    "app_secret_key_ok",
    "bucket_access_policy",
    "ip_blocks",
    "resolve_host",
    "route_object_name",
]


def resolve_host(host: str, domain: str) -> str:
    """``api`` → ``api.<domain>``; a full name is returned as is (config validation keeps it in the domain)."""
    return host if "." in host else f"{host}.{domain}"


def route_object_name(service: str, index: int, route: IngressRoute) -> str:
    """``backend`` for a service's first route, ``backend-api-auth`` for ``api`` ``/auth``, and so on."""
    if index == 0:
        return service
    slug = re.sub(r"[^a-z0-9]+", "-", f"{route.host.split('.')[0]}-{route.path}".lower()).strip("-")
    return f"{service}-{slug}"[:63].rstrip("-")


class K8sService(pulumi.ComponentResource):
    """One application service, hardened, autoscaled and isolated.

    Creates: a ServiceAccount (token not mounted unless the service calls the API; IRSA annotation when
    it has AWS access, with the role and its least-privilege policy); a Deployment (rolling update,
    probes, requests and limits, the restricted pod, zone spread, preStop and grace period); a Service;
    an HPA (autoscaling/v2) with the configured behaviour; a PodDisruptionBudget when it runs ≥ 2
    replicas; with public routes, an HTTPRoute per route on the stack's Gateway and a
    TargetGroupConfiguration (pod IPs as targets, health check on the readiness path, stickiness if
    asked; ``components/k8s_routes.py``); NetworkPolicies admitting the load balancer (the public
    subnets' addresses), monitoring and the listed callers on its port and letting it reach exactly its data stores, callees and (if allowed) HTTPS; a Role
    when it calls the Kubernetes API; a static EFS PersistentVolume and claim per EFS volume.
    """

    deployment_name: str
    role_arn: pulumi.Output[str] | None

    def __init__(
        self,
        name: str,
        args: ServiceArgs,
        wiring: ServiceWiring,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:workloads:Service", name, None, opts)
        self._child = pulumi.ResourceOptions(parent=self)
        svc = args.name
        meta_labels = labels(svc, "app")

        self.role_arn = service_irsa_role(name, args, wiring, self._child) if args.aws.buckets else None
        sa_annotations = {"eks.amazonaws.com/role-arn": self.role_arn} if self.role_arn is not None else {}
        k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata={
                "name": svc,
                "namespace": wiring.namespace,
                "labels": meta_labels,
                "annotations": sa_annotations,
            },
            automount_service_account_token=bool(args.kubernetes_api),
            opts=self._child,
        )
        if args.kubernetes_api:
            service_rbac(name, args, wiring, meta_labels, self._child)

        volumes, mounts = pod_volumes(name, args, wiring, meta_labels, self._child)
        deployment = k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={"name": svc, "namespace": wiring.namespace, "labels": meta_labels},
            spec={
                "replicas": args.replicas,
                "revision_history_limit": 5,
                "min_ready_seconds": 5,
                "progress_deadline_seconds": 600,
                "selector": {"match_labels": selector(svc)},
                "strategy": {
                    "type": "RollingUpdate",
                    "rolling_update": {
                        "max_surge": args.rolling_update.max_surge,
                        "max_unavailable": args.rolling_update.max_unavailable,
                    },
                },
                "template": {
                    "metadata": {
                        "labels": meta_labels,
                        "annotations": {"quantumvest.io/config-hash": wiring.config_hash},
                    },
                    "spec": pod_spec(args, wiring, volumes, mounts),
                },
            },
            opts=pulumi.ResourceOptions(
                parent=self,
                # The autoscaler owns the replica count once the Deployment exists.
                ignore_changes=["spec.replicas"] if args.autoscaling else None,
            ),
        )
        self.deployment_name = svc

        if args.port is not None:
            k8s.core.v1.Service(
                f"{name}-service",
                metadata={"name": svc, "namespace": wiring.namespace, "labels": meta_labels},
                spec={
                    "type": "ClusterIP",
                    "selector": selector(svc),
                    "ports": [
                        {"name": "http", "port": args.port, "target_port": "http", "protocol": "TCP"},
                        *service_port(args.metrics, args.listen_port),
                    ],
                },
                opts=self._child,
            )
        if args.autoscaling:
            autoscaler(name, args, wiring, meta_labels, deployment, self._child)
        if args.baseline_replicas >= 2:
            k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb",
                metadata={"name": svc, "namespace": wiring.namespace, "labels": meta_labels},
                spec={
                    "max_unavailable": args.disruption_max_unavailable,
                    "selector": {"match_labels": selector(svc)},
                    "unhealthy_pod_eviction_policy": "AlwaysAllow",
                },
                opts=self._child,
            )
        taken: set[str] = set()
        for index, route in enumerate(args.ingress):
            object_name = route_object_name(svc, index, route)
            if object_name in taken:  # two hosts sharing a first label and a path
                object_name = f"{object_name[:58]}-{index}"
            taken.add(object_name)
            assert args.port is not None  # validated: a service with routes exposes a port
            http_route(
                f"{name}-route-{index}",
                object_name=object_name,
                namespace=wiring.namespace,
                gateway=wiring.gateway_name,
                hostname=resolve_host(route.host, wiring.domain),
                path=route.path,
                path_type=route.path_type,
                service=svc,
                port=args.port,
                meta_labels=meta_labels,
                opts=self._child,
            )
        if args.ingress and args.readiness is not None:
            target_group_configuration(
                f"{name}-target-group",
                namespace=wiring.namespace,
                service=svc,
                health_check_path=args.readiness.path,
                deregistration_delay_seconds=args.termination_grace_seconds,
                stickiness_seconds=args.session_affinity_seconds,
                meta_labels=meta_labels,
                opts=self._child,
            )
        network_policies(name, args, wiring, meta_labels, self._child)
        create_monitor(
            name,
            service=svc,
            namespace=wiring.namespace,
            labels=meta_labels,
            endpoint=args.metrics,
            listen_port=args.listen_port,
            has_service=args.port is not None,
            monitoring_namespace=wiring.monitoring_namespace,
            opts=self._child,
        )
        self.register_outputs({"deployment_name": self.deployment_name, "role_arn": self.role_arn})

    # -- identity ------------------------------------------------------------------------------------
