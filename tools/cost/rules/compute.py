"""Pricing rules: EKS control plane and node groups, EC2 instances and volumes, Fargate, CodeBuild."""

from __future__ import annotations

from tools.cost.lookup import ebs_rate, ec2_rate, get_path, hourly, usage_value
from tools.cost.model import Context, CostItem, Priced, Unpriceable, prices
from tools.harness import Resource

#: Spot planning factor (prices file ``_about.notes``: "use 0.35 x on-demand as the planning figure").
SPOT_FACTOR = 0.35


#: EKS managed node groups without a launch template: 20 GiB root volume (EKS CreateNodegroup API
#: ``diskSize``), gp2 (the volume type of the launch template EKS generates).
EKS_DEFAULT_DISK_GB = 20


EKS_DEFAULT_VOLUME_TYPE = "gp2"


#: EKS CreateNodegroup: "If you don't specify an instance type, t3.medium is used".
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"


@prices("aws:eks/cluster:Cluster")
def _eks(resource: Resource, ctx: Context) -> Priced:
    rate = ctx.prices.per_resource("eks_cluster_hour_standard")
    priced = Priced([hourly(ctx, "EKS control plane (standard support)", rate)])
    support = get_path(resource.inputs, "upgradePolicy.supportType")
    if support != "STANDARD":
        extended = ctx.prices.per_resource("eks_cluster_hour_extended")
        priced.notes.append(
            f"upgradePolicy.supportType is {support or 'unset (AWS default: EXTENDED)'}: "
            f"${extended}/h instead of ${rate}/h once the Kubernetes version leaves standard support"
        )
    return priced


def _launch_template(resource: Resource, ctx: Context) -> Resource | None:
    spec = resource.inputs.get("launchTemplate") or {}
    return ctx.find("aws:ec2/launchTemplate:LaunchTemplate", spec.get("id") or spec.get("name"))


def _root_volume(template: Resource | None) -> tuple[float | None, str | None]:
    if template is None:
        return None, None
    for mapping in template.inputs.get("blockDeviceMappings") or []:
        ebs = mapping.get("ebs") or {}
        if ebs.get("volumeSize"):
            return float(ebs["volumeSize"]), ebs.get("volumeType", "gp2")
    return None, None


@prices("aws:eks/nodeGroup:NodeGroup", usage=("nodes",))
def _node_group(resource: Resource, ctx: Context) -> Priced:
    inputs = resource.inputs
    template = _launch_template(resource, ctx)
    types = inputs.get("instanceTypes") or []
    if not types and template is not None and template.inputs.get("instanceType"):
        types = [template.inputs["instanceType"]]
    instance_type = types[0] if types else EKS_DEFAULT_INSTANCE_TYPE
    override = ctx.usage_for(resource).get("nodes")
    nodes = (
        float(override) if override is not None else float(get_path(inputs, "scalingConfig.desiredSize", 1))
    )
    spot = inputs.get("capacityType") == "SPOT"
    rate = ec2_rate(ctx, instance_type)
    notes: list[str] = []
    if spot:
        rate *= SPOT_FACTOR
        label = f"Instances ({instance_type}, spot at {SPOT_FACTOR} x on-demand)"
    else:
        label = f"Instances ({instance_type}, on-demand)"
    if len(types) > 1:
        notes.append(f"priced as {instance_type}, the first of {len(types)} instance types")
    if override is not None:
        notes.append(
            f"{nodes:g} nodes from the usage file (scalingConfig.desiredSize is {get_path(inputs, 'scalingConfig.desiredSize')})"
        )
    priced = Priced([CostItem(label, nodes * ctx.hours, "hours", rate)], notes=notes)
    size, volume_type = _root_volume(template)
    if size is None:
        if template is not None:
            priced.notes.append(
                "root volume: the AMI's default size (not in the launch template), not priced"
            )
            return priced
        size, volume_type = float(inputs.get("diskSize") or EKS_DEFAULT_DISK_GB), EKS_DEFAULT_VOLUME_TYPE
    volume_type = volume_type or EKS_DEFAULT_VOLUME_TYPE
    priced.items.append(
        CostItem(
            f"Root volumes ({volume_type}, {size:g} GB each)",
            nodes * size,
            "GB-months",
            ebs_rate(ctx, volume_type),
        )
    )
    return priced


@prices("aws:ec2/instance:Instance")
def _instance(resource: Resource, ctx: Context) -> Priced:
    instance_type = resource.inputs.get("instanceType")
    if not instance_type:
        raise Unpriceable("no instanceType (launch template instances are not priced)")
    rate = ec2_rate(ctx, instance_type)
    label = f"Instance ({instance_type}, on-demand)"
    if get_path(resource.inputs, "instanceMarketOptions.marketType") == "spot":
        rate *= SPOT_FACTOR
        label = f"Instance ({instance_type}, spot at {SPOT_FACTOR} x on-demand)"
    priced = Priced([hourly(ctx, label, rate)])
    root = resource.inputs.get("rootBlockDevice") or {}
    if root.get("volumeSize"):
        volume_type = root.get("volumeType", "gp3")
        priced.items.append(
            CostItem(
                f"Root volume ({volume_type})",
                float(root["volumeSize"]),
                "GB-months",
                ebs_rate(ctx, volume_type),
            )
        )
    else:
        priced.notes.append("root volume: the AMI's default size, not priced")
    return priced


@prices("aws:ec2/volume:Volume")
def _volume(resource: Resource, ctx: Context) -> Priced:
    volume_type = resource.inputs.get("type", "gp3")
    size = float(resource.inputs.get("size") or 0)
    if not size:
        raise Unpriceable("no size (created from a snapshot?)")
    return Priced([CostItem(f"EBS volume ({volume_type})", size, "GB-months", ebs_rate(ctx, volume_type))])


@prices("aws:eks/fargateProfile:FargateProfile")
def _fargate(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("Fargate bills per pod vCPU and GB-hour, which the price table does not have")


@prices("aws:codebuild/project:Project", usage=("monthly_build_minutes",))
def _codebuild(resource: Resource, ctx: Context) -> Priced:
    """CodeBuild on-demand bills build-minutes by compute type (the runner's jobs: previews, deploys, drift)."""
    priced = Priced()
    compute = str(get_path(resource.inputs, "environment.computeType", ""))
    rate = ctx.prices.rate("codebuild_linux_build_minute", compute)
    if rate is None:
        raise Unpriceable(f"no CodeBuild price for compute type {compute!r}")
    minutes = usage_value(ctx, resource, "monthly_build_minutes", priced)
    if minutes is not None:
        priced.items.append(CostItem(f"CodeBuild build-minutes ({compute})", minutes, "minutes", rate))
    return priced
