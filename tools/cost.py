"""``python -m tools cost STACK``: a monthly cost estimate per resource and component.

Driven by resource *type*, not by component: whatever component registers a NAT gateway, a node group
or an RDS instance, it is priced the same way from the inputs the engine recorded. Rules:

- monthly = hourly x 730 (the table's ``hours_per_month``); fixed monthly fees as listed;
- usage-based parts (GB processed, stored, ingested) come from the usage file (:mod:`tools.pricing`);
  when a usage figure is missing the line says so instead of counting zero;
- spot capacity is priced at 0.35 x on-demand (the table's planning figure), RDS Multi-AZ at 2x
  instance and 2x storage, each read replica as one more instance with its own storage, ElastiCache per
  node (primary and replicas), EKS control plane at the standard-support rate;
- resources with no charge of their own (subnets, IAM, security groups, Kubernetes objects without
  volumes or load balancers...) are counted as free; anything else is listed as *not priced* with the
  reason, never silently zero.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools import cli
from tools.activation import add_activate, stack_argument
from tools.errors import ToolError
from tools.harness import Graph, Resource
from tools.pricing import PriceTable, Usage, load_usage

#: Spot planning factor (prices file ``_about.notes``: "use 0.35 x on-demand as the planning figure").
SPOT_FACTOR = 0.35
#: ElastiCache for Valkey vs Redis OSS, same node type (prices file ``_about.notes``).
VALKEY_FACTOR = 0.8
#: EKS managed node groups without a launch template: 20 GiB root volume (EKS CreateNodegroup API
#: ``diskSize``), gp2 (the volume type of the launch template EKS generates).
EKS_DEFAULT_DISK_GB = 20
EKS_DEFAULT_VOLUME_TYPE = "gp2"
#: EKS CreateNodegroup: "If you don't specify an instance type, t3.medium is used".
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"
#: RDS ``storage_type`` default when ``iops`` is not set (pulumi_aws.rds.Instance docstring).
RDS_DEFAULT_STORAGE_TYPE = "gp2"


# --------------------------------------------------------------------------- results


@dataclass
class CostItem:
    """One priced quantity: e.g. 1,460 instance-hours at $0.225."""

    label: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def monthly(self) -> float:
        return self.quantity * self.unit_price


@dataclass
class Priced:
    """What a pricer found for one resource."""

    items: list[CostItem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_usage: list[str] = field(default_factory=list)


class Unpriceable(Exception):
    """This resource has a cost the price table cannot express; the message says why."""


@dataclass
class CostLine:
    urn: str
    name: str
    type: str
    component: str
    items: list[CostItem]
    notes: list[str]
    missing_usage: list[str]

    @property
    def monthly(self) -> float:
        return round(sum(item.monthly for item in self.items), 2)


@dataclass
class NotPriced:
    urn: str
    name: str
    type: str
    component: str
    reason: str


@dataclass
class CostReport:
    stack: str
    currency: str
    region: str
    prices_dated: str
    usage_source: str
    lines: list[CostLine]
    not_priced: list[NotPriced]
    free: int

    @property
    def total(self) -> float:
        return round(sum(line.monthly for line in self.lines), 2)

    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.component] += line.monthly
        return {component: round(total, 2) for component, total in sorted(totals.items())}

    def missing_usage(self) -> list[tuple[CostLine, str]]:
        return [(line, key) for line in self.lines for key in line.missing_usage]

    def as_dict(self) -> dict[str, Any]:
        """The cost section of a plan file (rounded to cents, sorted)."""
        return {
            "currency": self.currency,
            "prices_region": self.region,
            "prices_dated": self.prices_dated,
            "usage_file": self.usage_source,
            "monthly_total": self.total,
            "by_component": self.by_component(),
            "resources": {line.urn: line.monthly for line in sorted(self.lines, key=lambda x: x.urn)},
            "missing_usage": sorted(f"{line.name}: {key}" for line, key in self.missing_usage()),
            "not_priced": [
                {"urn": n.urn, "type": n.type, "reason": n.reason}
                for n in sorted(self.not_priced, key=lambda x: x.urn)
            ],
        }


# --------------------------------------------------------------------------- context and registry


@dataclass
class Context:
    """What a pricer may read: the whole graph (to follow references), prices and usage."""

    graph: Graph
    prices: PriceTable
    usage: Usage
    hours: int

    def usage_for(self, resource: Resource) -> dict[str, Any]:
        return self.usage.for_resource(resource.type, resource.name)

    def find(self, type_token: str, value: Any) -> Resource | None:
        """The resource of ``type_token`` that ``value`` (an id, name, ARN or identifier) refers to."""
        if value in (None, ""):
            return None
        for candidate in self.graph.of_type(type_token):
            names = {candidate.id, candidate.urn, candidate.name}
            names.update(
                str(candidate.outputs.get(k))
                for k in ("id", "arn", "name", "identifier", "bucket")
                if candidate.outputs.get(k)
            )
            names.update(
                str(candidate.inputs.get(k)) for k in ("name", "identifier") if candidate.inputs.get(k)
            )
            meta = candidate.inputs.get("metadata")
            if isinstance(meta, dict) and meta.get("name"):
                names.add(str(meta["name"]))
            if value in names:
                return candidate
        return None


Pricer = Callable[[Resource, Context], Priced | None]
PRICERS: dict[str, Pricer] = {}
#: Usage keys each priced type reads from the usage file (anything else there is a typo: rejected).
USAGE_KEYS: dict[str, tuple[str, ...]] = {}


def prices(*type_tokens: str, usage: tuple[str, ...] = ()) -> Callable[[Pricer], Pricer]:
    """Register a pricer for one or more type tokens, with the usage keys it reads."""

    def register(fn: Pricer) -> Pricer:
        for token in type_tokens:
            PRICERS[token] = fn
            USAGE_KEYS[token] = usage
        return fn

    return register


#: Types that cost nothing by themselves (their cost, if any, shows up on another resource).
FREE_TYPES = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/defaultRouteTable:DefaultRouteTable",
    "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/networkAclRule:NetworkAclRule",
    "aws:ec2/networkAclAssociation:NetworkAclAssociation",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "aws:ec2/vpnGateway:VpnGateway",
    "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation",
    "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/keyPair:KeyPair",
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:rds/optionGroup:OptionGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:elasticache/user:User",
    "aws:elasticache/userGroup:UserGroup",
    "aws:elasticache/userGroupAssociation:UserGroupAssociation",
    "aws:kms/alias:Alias",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:kms/grant:Grant",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "aws:wafv2/ipSet:IpSet",
    "aws:wafv2/regexPatternSet:RegexPatternSet",
    "aws:wafv2/ruleGroup:RuleGroup",
    "aws:cloudwatch/logStream:LogStream",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:route53/record:Record",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:efs/mountTarget:MountTarget",
    "aws:efs/accessPoint:AccessPoint",
    "aws:efs/backupPolicy:BackupPolicy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
    "aws:eks/addon:Addon",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:eks/identityProviderConfig:IdentityProviderConfig",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/cachePolicy:CachePolicy",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:backup/plan:Plan",
    "aws:backup/selection:Selection",
    "aws:backup/vaultPolicy:VaultPolicy",
    "aws:ssm/parameter:Parameter",
    "aws:budgets/budget:Budget",
    "aws:guardduty/detectorFeature:DetectorFeature",
    # Issue 16: selections, tag activation and Cost Anomaly Detection carry no charge of their own
    # (AWS Cost Management pricing: anomaly detection is free); a restore test's cost is on its plan.
    "aws:backup/restoreTestingSelection:RestoreTestingSelection",
    "aws:costexplorer/costAllocationTag:CostAllocationTag",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
    "aws:costexplorer/anomalySubscription:AnomalySubscription",
}
#: Whole modules with no charge of their own.
FREE_PREFIXES = (
    "aws:iam/",
    "aws:s3/bucket",  # bucket sub-configurations (policy, versioning, encryption...); Bucket itself is priced
    "pulumi:providers:",
    "random:",
    "tls:",
    "command:",
)


# --------------------------------------------------------------------------- helpers


def _get(value: Any, path: str, default: Any = None) -> Any:
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return default if value is None else value


def _usage(ctx: Context, resource: Resource, key: str, priced: Priced) -> float | None:
    value = ctx.usage_for(resource).get(key)
    if value is None:
        priced.missing_usage.append(key)
        return None
    return float(value)


def _hourly(ctx: Context, label: str, rate: float, count: float = 1) -> CostItem:
    return CostItem(label, count * ctx.hours, "hours", rate)


def _ebs_rate(ctx: Context, volume_type: str) -> float:
    rate = ctx.prices.rate("ebs_gb_month", volume_type)
    if rate is None:
        raise Unpriceable(f"no EBS price for volume type {volume_type!r}")
    return rate


def _ec2_rate(ctx: Context, instance_type: str) -> float:
    rate = ctx.prices.rate("ec2_hourly", instance_type)
    if rate is None:
        raise Unpriceable(f"no EC2 price for instance type {instance_type!r} in the price table")
    return rate


_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)([KMGTPE]i?)?$")
_UNIT_GB = {None: 1e-9, "K": 1e-6, "M": 1e-3, "G": 1, "T": 1e3, "P": 1e6,
            "Ki": 2**10 / 2**30, "Mi": 2**20 / 2**30, "Gi": 1, "Ti": 2**10, "Pi": 2**20}  # fmt: skip


def storage_gb(quantity: Any) -> float:
    """A Kubernetes storage quantity (``20Gi``, ``500M``) in GB-months as EBS bills them (GiB = GB)."""
    match = _QUANTITY.match(str(quantity).strip())
    if not match or match.group(2) not in _UNIT_GB:
        raise Unpriceable(f"cannot read storage quantity {quantity!r}")
    return float(match.group(1)) * _UNIT_GB[match.group(2)]


# --------------------------------------------------------------------------- AWS network


@prices("aws:ec2/natGateway:NatGateway", usage=("monthly_data_processed_gb",))
def _nat(resource: Resource, ctx: Context) -> Priced:
    priced = Priced([_hourly(ctx, "NAT gateway", ctx.prices.per_resource("nat_gateway_hour"))])
    gb = _usage(ctx, resource, "monthly_data_processed_gb", priced)
    if gb is not None:
        priced.items.append(CostItem("Data processed", gb, "GB", ctx.prices.per_resource("nat_gateway_gb")))
    return priced


@prices("aws:ec2/eip:Eip")
def _eip(resource: Resource, ctx: Context) -> Priced:
    return Priced([_hourly(ctx, "Public IPv4 address", ctx.prices.per_resource("eip_public_ipv4_hour"))])


@prices("aws:ec2/vpcEndpoint:VpcEndpoint", usage=("monthly_data_processed_gb",))
def _vpc_endpoint(resource: Resource, ctx: Context) -> Priced | None:
    kind = resource.inputs.get("vpcEndpointType", "Gateway")
    if kind == "Gateway":
        return None  # S3 and DynamoDB gateway endpoints are free
    if kind != "Interface":
        raise Unpriceable(f"{kind} endpoints are not in the price table")
    azs = len(resource.inputs.get("subnetIds") or []) or 1
    rate = ctx.prices.per_resource("vpc_interface_endpoint_hour_per_az")
    priced = Priced([_hourly(ctx, f"Interface endpoint ({azs} AZ)", rate, azs)])
    gb = _usage(ctx, resource, "monthly_data_processed_gb", priced)
    if gb is not None:
        priced.items.append(CostItem("Data processed", gb, "GB", ctx.prices.per_resource("vpc_endpoint_gb")))
    return priced


@prices("aws:ec2/vpnConnection:VpnConnection")
def _vpn(resource: Resource, ctx: Context) -> Priced:
    return Priced(
        [_hourly(ctx, "Site-to-site VPN connection", ctx.prices.per_resource("vpn_connection_hour"))]
    )


@prices("aws:ec2clientvpn/networkAssociation:NetworkAssociation")
def _client_vpn(resource: Resource, ctx: Context) -> Priced:
    rate = ctx.prices.per_resource("client_vpn_endpoint_association_hour")
    return Priced(
        [_hourly(ctx, "Client VPN subnet association", rate)],
        notes=["client connection-hours are priced on the endpoint"],
    )


# Access to the private API (the admin Client VPN, the CodeBuild runner): usage-priced.
FREE_TYPES.update({"aws:ec2clientvpn/authorizationRule:AuthorizationRule", "aws:codebuild/webhook:Webhook"})


@prices("aws:ec2clientvpn/endpoint:Endpoint", usage=("monthly_connection_hours",))
def _client_vpn_connections(resource: Resource, ctx: Context) -> Priced:
    """Client VPN bills each connected client per hour (associations are priced on their own)."""
    priced = Priced()
    hours = _usage(ctx, resource, "monthly_connection_hours", priced)
    if hours is not None:
        rate = ctx.prices.per_resource("client_vpn_connection_hour")
        priced.items.append(CostItem("Client VPN connection-hours", hours, "hours", rate))
    return priced


@prices("aws:codebuild/project:Project", usage=("monthly_build_minutes",))
def _codebuild(resource: Resource, ctx: Context) -> Priced:
    """CodeBuild on-demand bills build-minutes by compute type (the runner's jobs: previews, deploys, drift)."""
    priced = Priced()
    compute = str(_get(resource.inputs, "environment.computeType", ""))
    rate = ctx.prices.rate("codebuild_linux_build_minute", compute)
    if rate is None:
        raise Unpriceable(f"no CodeBuild price for compute type {compute!r}")
    minutes = _usage(ctx, resource, "monthly_build_minutes", priced)
    if minutes is not None:
        priced.items.append(CostItem(f"CodeBuild build-minutes ({compute})", minutes, "minutes", rate))
    return priced


@prices("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", usage=("average_lcus",))
def _load_balancer(resource: Resource, ctx: Context) -> Priced:
    kind = resource.inputs.get("loadBalancerType", "application")
    if kind == "application":
        return _alb(resource, ctx, "Application Load Balancer")
    if kind == "network":
        return Priced(
            [_hourly(ctx, "Network Load Balancer", ctx.prices.per_resource("nlb_hour"))],
            notes=["NLCU charges are not in the price table"],
        )
    raise Unpriceable(f"{kind} load balancers are not in the price table")


def _alb(resource: Resource, ctx: Context, label: str) -> Priced:
    priced = Priced([_hourly(ctx, label, ctx.prices.per_resource("alb_hour"))])
    lcus = _usage(ctx, resource, "average_lcus", priced)
    if lcus is not None:
        priced.items.append(
            _hourly(ctx, f"LCUs (average {lcus:g})", ctx.prices.per_resource("alb_lcu_hour"), lcus)
        )
    return priced


@prices("aws:route53/zone:Zone")
def _zone(resource: Resource, ctx: Context) -> Priced:
    return Priced(
        [CostItem("Hosted zone", 1, "months", ctx.prices.per_resource("route53_zone_month"))],
        notes=["DNS queries are not priced"],
    )


@prices("aws:route53/healthCheck:HealthCheck")
def _health_check(resource: Resource, ctx: Context) -> Priced:
    """A check of an AWS endpoint (the ALB, CloudFront), plus its optional features (DR failover)."""
    features = [
        label
        for label, on in (
            ("HTTPS", str(resource.inputs.get("type", "")).startswith("HTTPS")),
            ("string matching", str(resource.inputs.get("type", "")).endswith("STR_MATCH")),
            ("fast interval", resource.inputs.get("requestInterval") == 10),
            ("latency measurement", bool(resource.inputs.get("measureLatency"))),
        )
        if on
    ]
    items = [
        CostItem(
            "Health check (AWS endpoint)",
            1,
            "months",
            ctx.prices.per_resource("route53_health_check_aws_endpoint_month"),
        )
    ]
    feature_price = ctx.prices.per_resource("route53_health_check_optional_feature_month")
    items += [CostItem(f"Optional feature: {label}", 1, "months", feature_price) for label in features]
    return Priced(items)


@prices("aws:cloudfront/distribution:Distribution", usage=("monthly_data_transfer_out_gb",))
def _cloudfront(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["HTTPS requests are not in the price table"])
    gb = _usage(ctx, resource, "monthly_data_transfer_out_gb", priced)
    if gb is not None:
        rate = ctx.prices.per_resource("cloudfront_gb_out_first_10tb")
        priced.items.append(CostItem("Data transfer out (first 10 TB tier)", gb, "GB", rate))
    return priced


# --------------------------------------------------------------------------- AWS compute


@prices("aws:eks/cluster:Cluster")
def _eks(resource: Resource, ctx: Context) -> Priced:
    rate = ctx.prices.per_resource("eks_cluster_hour_standard")
    priced = Priced([_hourly(ctx, "EKS control plane (standard support)", rate)])
    support = _get(resource.inputs, "upgradePolicy.supportType")
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
    nodes = float(override) if override is not None else float(_get(inputs, "scalingConfig.desiredSize", 1))
    spot = inputs.get("capacityType") == "SPOT"
    rate = _ec2_rate(ctx, instance_type)
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
            f"{nodes:g} nodes from the usage file (scalingConfig.desiredSize is {_get(inputs, 'scalingConfig.desiredSize')})"
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
            _ebs_rate(ctx, volume_type),
        )
    )
    return priced


@prices("aws:ec2/instance:Instance")
def _instance(resource: Resource, ctx: Context) -> Priced:
    instance_type = resource.inputs.get("instanceType")
    if not instance_type:
        raise Unpriceable("no instanceType (launch template instances are not priced)")
    rate = _ec2_rate(ctx, instance_type)
    label = f"Instance ({instance_type}, on-demand)"
    if _get(resource.inputs, "instanceMarketOptions.marketType") == "spot":
        rate *= SPOT_FACTOR
        label = f"Instance ({instance_type}, spot at {SPOT_FACTOR} x on-demand)"
    priced = Priced([_hourly(ctx, label, rate)])
    root = resource.inputs.get("rootBlockDevice") or {}
    if root.get("volumeSize"):
        volume_type = root.get("volumeType", "gp3")
        priced.items.append(
            CostItem(
                f"Root volume ({volume_type})",
                float(root["volumeSize"]),
                "GB-months",
                _ebs_rate(ctx, volume_type),
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
    return Priced([CostItem(f"EBS volume ({volume_type})", size, "GB-months", _ebs_rate(ctx, volume_type))])


@prices("aws:eks/fargateProfile:FargateProfile")
def _fargate(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("Fargate bills per pod vCPU and GB-hour, which the price table does not have")


# --------------------------------------------------------------------------- AWS data


@prices("aws:rds/instance:Instance", usage=("backup_storage_gb_beyond_free",))
def _rds(resource: Resource, ctx: Context) -> Priced:
    inputs = resource.inputs
    source = (
        ctx.find("aws:rds/instance:Instance", inputs.get("replicateSourceDb"))
        if inputs.get("replicateSourceDb")
        else None
    )
    replica = bool(inputs.get("replicateSourceDb"))
    engine = inputs.get("engine") or (source.inputs.get("engine") if source else None)
    if engine is None and replica:
        raise Unpriceable("read replica whose source is not in this stack: engine unknown")
    if engine not in ("postgres", None):
        raise Unpriceable(f"the price table has RDS prices for PostgreSQL only, not {engine!r}")
    instance_class = inputs.get("instanceClass")
    rate = ctx.prices.rate("rds_postgres_hourly_single_az", instance_class or "")
    if rate is None:
        raise Unpriceable(f"no RDS PostgreSQL price for instance class {instance_class!r}")
    multi_az = bool(inputs.get("multiAz"))
    copies = 2 if multi_az else 1
    role = "read replica" if replica else "primary"
    layout = "Multi-AZ: 2 x instance" if multi_az else "single-AZ"
    priced = Priced([_hourly(ctx, f"Instance ({instance_class}, {role}, {layout})", rate, copies)])
    storage = inputs.get("allocatedStorage") or (source.inputs.get("allocatedStorage") if source else None)
    storage_type = inputs.get("storageType") or (source.inputs.get("storageType") if source else None)
    storage_type = storage_type or ("io1" if inputs.get("iops") else RDS_DEFAULT_STORAGE_TYPE)
    if storage:
        storage_rate = ctx.prices.rate("rds_storage_gb_month", storage_type)
        if storage_rate is None:
            priced.notes.append(
                f"storage type {storage_type!r} is not in the price table: storage not priced"
            )
        else:
            suffix = ", Multi-AZ: 2 x storage" if multi_az else ""
            priced.items.append(
                CostItem(
                    f"Storage ({storage_type}{suffix})", float(storage) * copies, "GB-months", storage_rate
                )
            )
    else:
        priced.notes.append(
            "allocatedStorage unknown (replica of a source outside this stack): storage not priced"
        )
    if inputs.get("iops"):
        priced.notes.append("provisioned IOPS are not in the price table")
    if (inputs.get("performanceInsightsRetentionPeriod") or 7) > 7:
        priced.notes.append("Performance Insights retention beyond 7 days is not priced")
    if not replica:
        beyond = _usage(ctx, resource, "backup_storage_gb_beyond_free", priced)
        if beyond:
            priced.items.append(
                CostItem(
                    "Backup storage beyond the free allowance",
                    beyond,
                    "GB-months",
                    ctx.prices.data["rds_backup_gb_month_beyond_free"],
                )
            )
    return priced


@prices("aws:rds/cluster:Cluster", "aws:rds/clusterInstance:ClusterInstance")
def _aurora(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("Aurora is not in the price table")


def _cache_rate(ctx: Context, node_type: str | None, engine: str | None, priced: Priced) -> float:
    if engine == "memcached":
        raise Unpriceable("the price table has ElastiCache prices for Redis OSS and Valkey only")
    rate = ctx.prices.rate("elasticache_redis_node_hourly", node_type or "")
    if rate is None:
        raise Unpriceable(f"no ElastiCache price for node type {node_type!r}")
    if engine == "valkey":
        priced.notes.append(f"Valkey priced at {VALKEY_FACTOR} x the Redis OSS node rate")
        rate *= VALKEY_FACTOR
    return rate


@prices("aws:elasticache/replicationGroup:ReplicationGroup")
def _replication_group(resource: Resource, ctx: Context) -> Priced:
    inputs = resource.inputs
    if inputs.get("numNodeGroups") is not None:
        shards = int(inputs["numNodeGroups"])
        replicas = int(inputs.get("replicasPerNodeGroup") or 0)
        nodes, shape = shards * (replicas + 1), f"{shards} shards x {replicas + 1} nodes"
    else:
        nodes = int(inputs.get("numCacheClusters") or 1)
        shape = f"{nodes} nodes: primary + {nodes - 1} replicas"
    priced = Priced()
    rate = _cache_rate(ctx, inputs.get("nodeType"), inputs.get("engine"), priced)
    priced.items.append(_hourly(ctx, f"Cache nodes ({inputs.get('nodeType')}, {shape})", rate, nodes))
    return priced


@prices("aws:elasticache/cluster:Cluster")
def _cache_cluster(resource: Resource, ctx: Context) -> Priced | None:
    if resource.inputs.get("replicationGroupId"):
        return None  # a member of a replication group, priced there
    nodes = int(resource.inputs.get("numCacheNodes") or 1)
    priced = Priced()
    rate = _cache_rate(ctx, resource.inputs.get("nodeType"), resource.inputs.get("engine"), priced)
    priced.items.append(_hourly(ctx, f"Cache nodes ({resource.inputs.get('nodeType')})", rate, nodes))
    return priced


@prices("aws:elasticache/serverlessCache:ServerlessCache")
def _serverless_cache(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(
        "ElastiCache Serverless bills per ECPU and GB-hour, which the price table does not have"
    )


@prices("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", usage=("storage_gb",))
def _bucket(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["requests and data transfer are not priced"])
    gb = _usage(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Storage (S3 Standard)", gb, "GB-months", ctx.prices.data["s3_gb_month"]["standard"])
        )
    return priced


@prices("aws:efs/fileSystem:FileSystem", usage=("storage_gb", "infrequent_access_storage_gb"))
def _efs(resource: Resource, ctx: Context) -> Priced:
    priced = Priced()
    if resource.inputs.get("throughputMode") == "provisioned":
        priced.notes.append("provisioned throughput is not in the price table")
    gb = _usage(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Storage (Standard)", gb, "GB-months", ctx.prices.data["efs_gb_month"]["standard"])
        )
    ia = ctx.usage_for(resource).get("infrequent_access_storage_gb")
    if ia:
        rate = ctx.prices.data["efs_gb_month"]["infrequent_access"]
        priced.items.append(CostItem("Storage (Infrequent Access)", float(ia), "GB-months", rate))
    return priced


@prices("aws:efs/replicationConfiguration:ReplicationConfiguration")
def _efs_replication(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("the replica file system AWS creates in the destination region is not in the graph")


@prices("aws:ecr/repository:Repository", usage=("storage_gb",))
def _ecr(resource: Resource, ctx: Context) -> Priced:
    priced = Priced()
    gb = _usage(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Image storage", gb, "GB-months", ctx.prices.per_resource("ecr_gb_month"))
        )
    return priced


@prices("aws:backup/vault:Vault", usage=("storage_gb",))
def _backup_vault(resource: Resource, ctx: Context) -> Priced:
    priced = Priced()
    gb = _usage(ctx, resource, "storage_gb", priced)
    if gb is not None:
        priced.items.append(
            CostItem("Warm backup storage", gb, "GB-months", ctx.prices.per_resource("backup_warm_gb_month"))
        )
    return priced


# --------------------------------------------------------------------------- AWS security and monitoring


@prices("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", usage=("monthly_requests_10k",))
def _kms(resource: Resource, ctx: Context) -> Priced:
    priced = Priced([CostItem("Customer managed key", 1, "months", ctx.prices.per_resource("kms_key_month"))])
    requests = _usage(ctx, resource, "monthly_requests_10k", priced)
    if requests is not None:
        priced.items.append(
            CostItem("Requests", requests, "x 10k", ctx.prices.per_resource("kms_10k_requests"))
        )
    return priced


@prices("aws:secretsmanager/secret:Secret")
def _secret(resource: Resource, ctx: Context) -> Priced:
    copies = 1 + len(resource.inputs.get("replicas") or [])
    rate = ctx.prices.per_resource("secretsmanager_secret_month")
    label = "Secret" if copies == 1 else f"Secret and {copies - 1} replica(s)"
    return Priced([CostItem(label, copies, "months", rate)], notes=["API calls are not priced"])


def _waf_rules(resource: Resource) -> list[dict[str, Any]]:
    rules = resource.inputs.get("rules")
    if rules is None and isinstance(resource.inputs.get("ruleJson"), str):
        try:
            rules = json.loads(resource.inputs["ruleJson"])
        except ValueError:
            rules = None
    return [r for r in rules or [] if isinstance(r, dict)]


_PAID_MANAGED_GROUPS = (
    "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet",
    "AWSManagedRulesACFPRuleSet",
)


@prices("aws:wafv2/webAcl:WebAcl", usage=("monthly_requests_million",))
def _web_acl(resource: Resource, ctx: Context) -> Priced:
    rules = _waf_rules(resource)
    priced = Priced(
        [
            CostItem("Web ACL", 1, "months", ctx.prices.per_resource("waf_web_acl_month")),
            CostItem(
                f"Rules and rule groups ({len(rules)})",
                len(rules),
                "months",
                ctx.prices.per_resource("waf_rule_month"),
            ),
        ]
    )
    paid = sorted({g for g in _PAID_MANAGED_GROUPS if g in json.dumps(rules)})
    if paid:
        priced.notes.append(f"subscription and request fees of {', '.join(paid)} are not in the price table")
    requests = _usage(ctx, resource, "monthly_requests_million", priced)
    if requests is not None:
        priced.items.append(
            CostItem("Requests", requests, "millions", ctx.prices.per_resource("waf_million_requests"))
        )
    return priced


@prices("aws:cloudwatch/logGroup:LogGroup", usage=("monthly_data_ingested_gb", "storage_gb"))
def _log_group(resource: Resource, ctx: Context) -> Priced:
    priced = Priced()
    if resource.inputs.get("logGroupClass") == "INFREQUENT_ACCESS":
        priced.notes.append(
            "Infrequent Access class priced at the Standard rate (its rate is not in the table)"
        )
    ingested = _usage(ctx, resource, "monthly_data_ingested_gb", priced)
    if ingested is None:
        return priced
    priced.items.append(
        CostItem("Ingestion", ingested, "GB", ctx.prices.per_resource("cloudwatch_logs_ingest_gb"))
    )
    stored = ctx.usage_for(resource).get("storage_gb")
    retention = resource.inputs.get("retentionInDays")
    if stored is None:
        months = min(retention, 365) / 30.4 if retention else 12.0
        stored = ingested * months
        basis = f"{ingested:g} GB/month x {months:.1f} months retained" + (
            "" if retention else " (never expires: a year assumed)"
        )
    else:
        basis = "from the usage file"
    priced.items.append(
        CostItem(
            f"Storage ({basis})",
            float(stored),
            "GB-months",
            ctx.prices.per_resource("cloudwatch_logs_store_gb_month"),
        )
    )
    return priced


@prices("aws:cloudwatch/metricAlarm:MetricAlarm")
def _alarm(resource: Resource, ctx: Context) -> Priced:
    queries = resource.inputs.get("metricQueries") or []
    metrics = sum(1 for q in queries if isinstance(q, dict) and q.get("metric")) or 1
    priced = Priced(
        [
            CostItem(
                f"Alarm ({metrics} metric{'s' if metrics > 1 else ''})",
                metrics,
                "months",
                ctx.prices.per_resource("cloudwatch_alarm_month"),
            )
        ]
    )
    period = resource.inputs.get("period")
    if isinstance(period, int) and period < 60:
        priced.notes.append(
            "high-resolution alarm: priced at the standard-resolution rate (its rate is not in the table)"
        )
    return priced


@prices("aws:backup/restoreTestingPlan:RestoreTestingPlan")
def _restore_testing(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(
        "each test is a restore job (billed per GB restored) plus the restored RDS instance and EFS file "
        "system while they are validated; both scale with the data and are not in the price table"
    )


@prices("aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _composite_alarm(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable("composite alarms are not in the price table")


@prices("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(resource: Resource, ctx: Context) -> Priced:
    return Priced(
        [CostItem("Dashboard", 1, "months", ctx.prices.per_resource("cloudwatch_dashboard_month"))],
        notes=["the first 3 dashboards of an account are free"],
    )


@prices("aws:sns/topic:Topic", usage=("monthly_publishes_million",))
def _topic(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["deliveries (email, SMS, HTTP) are not priced"])
    publishes = _usage(ctx, resource, "monthly_publishes_million", priced)
    if publishes:
        priced.items.append(
            CostItem("Publishes", publishes, "millions", ctx.prices.per_resource("sns_million_publishes"))
        )
    return priced


@prices("aws:cloudtrail/trail:Trail", usage=("monthly_data_events_100k",))
def _trail(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["the first copy of management events is free"])
    if resource.inputs.get("eventSelectors") or resource.inputs.get("advancedEventSelectors"):
        events = _usage(ctx, resource, "monthly_data_events_100k", priced)
        if events:
            priced.items.append(
                CostItem(
                    "Data events", events, "x 100k", ctx.prices.per_resource("cloudtrail_data_events_100k")
                )
            )
    return priced


@prices("aws:guardduty/detector:Detector")
def _guardduty(resource: Resource, ctx: Context) -> Priced:
    raise Unpriceable(f"usage-based ({ctx.prices.data['per_resource']['guardduty_note']})")


# --------------------------------------------------------------------------- Kubernetes


def _annotations(resource: Resource) -> dict[str, str]:
    return _get(resource.inputs, "metadata.annotations", {}) or {}


@prices("kubernetes:core/v1:Service")
def _k8s_service(resource: Resource, ctx: Context) -> Priced | None:
    spec = resource.inputs.get("spec") or {}
    if spec.get("type") != "LoadBalancer":
        return None
    lb_type = _annotations(resource).get("service.beta.kubernetes.io/aws-load-balancer-type", "")
    if lb_type in ("external", "nlb", "nlb-ip") or spec.get("loadBalancerClass") == "service.k8s.aws/nlb":
        return Priced(
            [_hourly(ctx, "Network Load Balancer (from the Service)", ctx.prices.per_resource("nlb_hour"))],
            notes=["NLCU charges are not in the price table"],
        )
    raise Unpriceable(
        "a Service of type LoadBalancer without the NLB annotations gets a Classic Load Balancer, not in the price table"
    )


def _ingress_class(resource: Resource) -> str | None:
    return _get(resource.inputs, "spec.ingressClassName") or _annotations(resource).get(
        "kubernetes.io/ingress.class"
    )


@prices("kubernetes:networking.k8s.io/v1:Ingress", usage=("average_lcus",))
def _k8s_ingress(resource: Resource, ctx: Context) -> Priced | None:
    if _ingress_class(resource) != "alb":
        return None  # served by an in-cluster controller: no load balancer of its own
    group = _annotations(resource).get("alb.ingress.kubernetes.io/group.name")
    if group:
        members = [
            r
            for r in ctx.graph.of_type(resource.type)
            if _ingress_class(r) == "alb"
            and _annotations(r).get("alb.ingress.kubernetes.io/group.name") == group
        ]
        if min(m.urn for m in members) != resource.urn:
            return Priced(notes=[f"shares the ALB of Ingress group {group!r} (priced on its first member)"])
    return _alb(resource, ctx, "Application Load Balancer (from the Ingress)")


#: The AWS Load Balancer Controller's Gateway API controllers (GatewayClass ``spec.controllerName``).
ALB_GATEWAY_CONTROLLER = "gateway.k8s.aws/alb"
NLB_GATEWAY_CONTROLLER = "gateway.k8s.aws/nlb"


@prices("kubernetes:gateway.networking.k8s.io/v1:Gateway", usage=("average_lcus",))
def _k8s_gateway(resource: Resource, ctx: Context) -> Priced | None:
    """A Gateway of an AWS Load Balancer Controller class is one load balancer the controller creates."""
    class_name = _get(resource.inputs, "spec.gatewayClassName")
    controllers = {
        _get(c.inputs, "metadata.name"): _get(c.inputs, "spec.controllerName")
        for c in ctx.graph.of_type("kubernetes:gateway.networking.k8s.io/v1:GatewayClass")
    }
    controller = controllers.get(class_name)
    if controller == ALB_GATEWAY_CONTROLLER:
        return _alb(resource, ctx, "Application Load Balancer (from the Gateway)")
    if controller == NLB_GATEWAY_CONTROLLER:
        return Priced(
            [_hourly(ctx, "Network Load Balancer (from the Gateway)", ctx.prices.per_resource("nlb_hour"))],
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
        c for c in classes if _annotations(c).get("storageclass.kubernetes.io/is-default-class") == "true"
    ]
    return defaults[0] if defaults else None


def _claim_items(ctx: Context, spec: dict[str, Any], copies: int, label: str) -> Priced:
    request = _get(spec, "resources.requests.storage")
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
        volume_type = _get(
            storage_class.inputs, "parameters.type", "gp3" if "ebs.csi" in provisioner else "gp2"
        )
    gb = storage_gb(request)
    return Priced(
        [
            CostItem(
                f"{label} ({volume_type}, {request} each)",
                gb * copies,
                "GB-months",
                _ebs_rate(ctx, volume_type),
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
        name = _get(template, "metadata.name", "data")
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


def _is_free(resource: Resource) -> bool:
    if not resource.custom or resource.type in FREE_TYPES or resource.type.startswith(FREE_PREFIXES):
        return True
    # Kubernetes objects run on the priced nodes; those that create AWS resources have pricers above.
    return resource.type.startswith("kubernetes:")


# --------------------------------------------------------------------------- the estimate


def _region_of(graph: Graph, resource: Resource) -> str | None:
    region = resource.inputs.get("region")
    if isinstance(region, str) and region:
        return region
    provider = graph.provider_of(resource)
    if provider is not None and isinstance(provider.inputs.get("region"), str):
        return provider.inputs["region"]
    return None


def check_usage_keys(usage: Usage, graph: Graph) -> None:
    """Reject usage keys the pricer of that type does not read (a typo would silently count zero)."""
    for type_token, values in usage.type_defaults.items():
        allowed = USAGE_KEYS.get(type_token)
        if allowed is None:
            continue
        for key in values:
            if key not in allowed:
                raise ToolError(
                    f"{usage.source}: resource_type_default_usage.{type_token}.{key}: unknown usage key; "
                    f"allowed: {', '.join(allowed) or '(none: this type is not usage-based)'}"
                )
    by_name = {r.name: r for r in graph if r.custom}
    for name, values in usage.by_name.items():
        resource = by_name.get(name)
        if resource is None:
            continue  # usage for a resource another stack has
        allowed = USAGE_KEYS.get(resource.type, ())
        for key in values:
            if key not in allowed:
                raise ToolError(
                    f"{usage.source}: resource_usage.{name}.{key}: unknown usage key for {resource.type}; "
                    f"allowed: {', '.join(allowed) or '(none: this type is not usage-based)'}"
                )


def estimate(graph: Graph, usage: Usage | None = None, prices_table: PriceTable | None = None) -> CostReport:
    """Price every resource of ``graph``; unpriceable ones are listed with the reason."""
    table = prices_table or PriceTable()
    usage = usage if usage is not None else Usage(source="(no usage file)")
    check_usage_keys(usage, graph)
    ctx = Context(graph=graph, prices=table, usage=usage, hours=table.hours)
    lines: list[CostLine] = []
    not_priced: list[NotPriced] = []
    free = 0
    for resource in sorted(graph, key=lambda r: r.urn):
        component = graph.component_of(resource)
        pricer = PRICERS.get(resource.type)
        if pricer is None:
            if _is_free(resource):
                free += resource.custom
            else:
                not_priced.append(
                    NotPriced(
                        resource.urn, resource.name, resource.type, component, "no pricing rule for this type"
                    )
                )
            continue
        try:
            priced = pricer(resource, ctx)
        except Unpriceable as why:
            not_priced.append(NotPriced(resource.urn, resource.name, resource.type, component, str(why)))
            continue
        if priced is None:
            free += 1
            continue
        region = _region_of(graph, resource)
        if region and region != table.region:
            priced.notes.append(f"in {region}: priced at {table.region} rates")
        lines.append(
            CostLine(
                resource.urn,
                resource.name,
                resource.type,
                component,
                priced.items,
                priced.notes,
                priced.missing_usage,
            )
        )
    return CostReport(
        stack=graph.stack,
        currency=table.currency,
        region=table.region,
        prices_dated=table.dated,
        usage_source=usage.source,
        lines=lines,
        not_priced=not_priced,
        free=free,
    )


# --------------------------------------------------------------------------- output


def money(value: float) -> str:
    return f"${value:,.2f}"


def format_report(report: CostReport, verbose: bool = False) -> str:
    """The estimate: a table of components (default), or every resource with its price breakdown
    (``verbose``); then what could not be priced, each reason said once."""
    out = [
        f"Monthly cost estimate for stack {report.stack}: {money(report.total)} {report.currency}",
        f"  prices: {report.region}, on-demand, dated {report.prices_dated} (tools/data/prices-us-east-1.json); "
        f"usage: {report.usage_source}",
        "",
    ]
    by_component: dict[str, list[CostLine]] = defaultdict(list)
    for line in report.lines:
        by_component[line.component].append(line)
    rows: list[list[str]] = [["component", "resources", "monthly", ""]]
    for component, lines in sorted(by_component.items()):
        rows.append([component, str(len(lines)), money(round(sum(line.monthly for line in lines), 2)), ""])
        if not verbose:
            continue
        for line in sorted(lines, key=lambda x: (-x.monthly, x.name)):
            rows.append([f"  {line.name}", "", money(line.monthly), line.type])
            rows.extend(
                [
                    f"      {item.label}",
                    "",
                    money(item.monthly),
                    f"{item.quantity:,.2f} {item.unit} x ${item.unit_price:g}",
                ]
                for item in line.items
            )
            rows.extend(
                [f"      usage not set: {key} (counted as 0)", "", "", ""] for key in line.missing_usage
            )
            rows.extend([f"      note: {note}", "", "", ""] for note in line.notes)
    rows.append(["total", str(len(report.lines)), money(report.total), ""])
    out.extend(cli.table(rows, right=(1, 2)))
    if report.not_priced:
        out.append(f"\n  Not priced ({len(report.not_priced)}): cost not included above")
        by_reason: dict[str, list[NotPriced]] = defaultdict(list)
        for item in report.not_priced:
            by_reason[item.reason].append(item)
        for reason, items in by_reason.items():
            types = sorted({item.type.rsplit(":", 1)[-1] for item in items})
            out.append(f"    {len(items)} x {', '.join(types)}: {reason}")
            if verbose:
                out.extend(f"      {item.name}" for item in items)
    missing = report.missing_usage()
    if missing and not verbose:  # verbose marks each line instead
        out.append(
            f"\n  Usage not set ({len(missing)}, counted as 0; edit {report.usage_source}): "
            + ", ".join(sorted(f"{line.name}.{key}" for line, key in missing))
        )
    out.append(
        f"\n  {report.free} resources have no charge of their own (subnets, IAM, security groups, Kubernetes objects...)"
    )
    if not verbose:
        out.append("  --verbose: every resource with its price breakdown")
    return "\n".join(out)


def check_usage(args: argparse.Namespace) -> None:
    """Read the usage file before the stack is evaluated (a typo in it fails in a second, not after 20)."""
    load_usage(args.usage, cli.stack_name(args.stack))


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(commands, "cost", run, help="monthly cost estimate per component (and resource)")
    cli.add_stack(parser)
    parser.add_argument(
        "--usage", type=cli.existing_file, help="usage file (default: cost-usage.yml in the repository root)"
    )
    parser.add_argument("--verbose", action="store_true", help="every resource with its price breakdown")
    add_activate(parser)
    cli.add_check(parser, check_usage)


def run(args: argparse.Namespace) -> int:
    from tools import stacks

    graph = stacks.load(stack_argument(args), label="cost")
    report = estimate(graph, load_usage(args.usage, graph.stack))
    print(format_report(report, verbose=args.verbose))
    return 0
