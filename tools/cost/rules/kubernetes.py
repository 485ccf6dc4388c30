"""Pricing rules: Kubernetes objects that make AWS resources (load balancers, EBS volumes)."""

from __future__ import annotations

from typing import Any

from tools.cost.lookup import ebs_rate, get_path, hourly, storage_gb
from tools.cost.model import Context, CostItem, Priced, Unpriceable, prices
from tools.cost.rules.network import alb
from tools.harness import Resource


def object_annotations(resource: Resource) -> dict[str, str]:
    return get_path(resource.inputs, "metadata.annotations", {}) or {}


@prices("kubernetes:core/v1:Service")
def _k8s_service(resource: Resource, ctx: Context) -> Priced | None:
    spec = resource.inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return None
    lb_type = object_annotations(resource).get("service.beta.kubernetes.io/aws-load-balancer-type", "")
    if lb_type in ("external", "nlb", "nlb-ip") or spec.get("loadBalancerClass") == "service.k8s.aws/nlb":
        return Priced(
            [hourly(ctx, "Network Load Balancer (from the Service)", ctx.prices.per_resource("nlb_hour"))],
            notes=["NLCU charges are not in the price table"],
        )
    raise Unpriceable(
        "a Service of type LoadBalancer without the NLB annotations gets a Classic Load Balancer, not in the price table"
    )


def _ingress_class(resource: Resource) -> str | None:
    return get_path(resource.inputs, "spec.ingressClassName") or object_annotations(resource).get(
        "kubernetes.io/ingress.class"
    )


@prices("kubernetes:networking.k8s.io/v1:Ingress", usage=("average_lcus",))
def _k8s_ingress(resource: Resource, ctx: Context) -> Priced | None:
    if _ingress_class(resource) != "alb":
        return None  # served by an in-cluster controller: no load balancer of its own
    group = object_annotations(resource).get("alb.ingress.kubernetes.io/group.name")
    if group:
        members = [
            r
            for r in ctx.graph.of_type(resource.type)
            if _ingress_class(r) == "alb"
            and object_annotations(r).get("alb.ingress.kubernetes.io/group.name") == group
        ]
        if min(m.urn for m in members) != resource.urn:
            return Priced(notes=[f"shares the ALB of Ingress group {group!r} (priced on its first member)"])
    return alb(resource, ctx, "Application Load Balancer (from the Ingress)")


#: The AWS Load Balancer Controller's Gateway API controllers (GatewayClass ``spec.controllerName``).
ALB_GATEWAY_CONTROLLER = "gateway.k8s.aws/alb"


NLB_GATEWAY_CONTROLLER = "gateway.k8s.aws/nlb"


@prices("kubernetes:gateway.networking.k8s.io/v1:Gateway", usage=("average_lcus",))
def _k8s_gateway(resource: Resource, ctx: Context) -> Priced | None:
    """A Gateway of an AWS Load Balancer Controller class is one load balancer the controller creates."""
    class_name = get_path(resource.inputs, "spec.gatewayClassName")
    controllers = {
        get_path(c.inputs, "metadata.name"): get_path(c.inputs, "spec.controllerName")
        for c in ctx.graph.of_type("kubernetes:gateway.networking.k8s.io/v1:GatewayClass")
    }
    controller = controllers.get(class_name)
    if controller == ALB_GATEWAY_CONTROLLER:
        return alb(resource, ctx, "Application Load Balancer (from the Gateway)")
    if controller == NLB_GATEWAY_CONTROLLER:
        return Priced(
            [hourly(ctx, "Network Load Balancer (from the Gateway)", ctx.prices.per_resource("nlb_hour"))],
            notes=["NLCU charges are not in the price table"],
        )
    if controller is None:
        raise Unpriceable(
            f"GatewayClass {class_name!r} is not in the graph: which controller serves it is unknown"
        )
    return None  # an in-cluster gateway: no load balancer of its own


def _storage_class(ctx: Context, name: str | None) -> Resource | None:
    classes = ctx.graph.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
    if name:
        return ctx.find("kubernetes:storage.k8s.io/v1:StorageClass", name)
    defaults = [
        c
        for c in classes
        if object_annotations(c).get("storageclass.kubernetes.io/is-default-class") == "true"
    ]
    return defaults[0] if defaults else None


def _claim_items(ctx: Context, spec: dict[str, Any], copies: int, label: str) -> Priced:
    request = get_path(spec, "resources.requests.storage")
    if request is None:
        raise Unpriceable("volume claim without a storage request")
    class_name = spec.get("storageClassName")
    storage_class = _storage_class(ctx, class_name)
    if storage_class is None:
        if class_name in ("gp2", "gp3"):  # EKS ships a gp2 class; gp3 is the usual name for the EBS CSI class
            volume_type = class_name
        else:
            raise Unpriceable(f"storage class {class_name or '(cluster default)'!r} is not in the graph")
    else:
        provisioner = storage_class.inputs.get("provisioner", "")
        if "efs" in provisioner:
            return Priced(notes=["EFS-backed volume: billed through the file system's usage"])
        volume_type = get_path(
            storage_class.inputs, "parameters.type", "gp3" if "ebs.csi" in provisioner else "gp2"
        )
    gb = storage_gb(request)
    return Priced(
        [
            CostItem(
                f"{label} ({volume_type}, {request} each)",
                gb * copies,
                "GB-months",
                ebs_rate(ctx, volume_type),
            )
        ]
    )


@prices("kubernetes:core/v1:PersistentVolumeClaim")
def _k8s_pvc(resource: Resource, ctx: Context) -> Priced:
    return _claim_items(ctx, resource.inputs.get("spec") or {}, 1, "EBS volume")


@prices("kubernetes:apps/v1:StatefulSet")
def _k8s_statefulset(resource: Resource, ctx: Context) -> Priced | None:
    spec = resource.inputs.get("spec") or {}
    templates = spec.get("volumeClaimTemplates") or []
    if not templates:
        return None
    replicas = int(spec.get("replicas", 1))
    priced = Priced()
    for template in templates:
        name = get_path(template, "metadata.name", "data")
        part = _claim_items(
            ctx, template.get("spec") or {}, replicas, f"EBS volumes '{name}' x {replicas} replicas"
        )
        priced.items.extend(part.items)
        priced.notes.extend(part.notes)
    return priced


@prices("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart")
def _helm(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(
        "Helm chart: its pods run on the priced node groups, but load balancers or volumes its templates "
        "create are not in the graph"
    )
