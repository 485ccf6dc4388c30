"""Pricing rules: VPC, NAT, endpoints, VPNs, load balancers, Route 53 and CloudFront."""

from __future__ import annotations

from tools.cost.lookup import hourly, usage_value
from tools.cost.model import Context, CostItem, Priced, Unpriceable, prices
from tools.harness import Resource


@prices("aws:ec2/natGateway:NatGateway", usage=("monthly_data_processed_gb",))
def _nat(resource: Resource, ctx: Context) -> Priced:
    priced = Priced([hourly(ctx, "NAT gateway", ctx.prices.per_resource("nat_gateway_hour"))])
    gb = usage_value(ctx, resource, "monthly_data_processed_gb", priced)
    if gb is not None:
        priced.items.append(CostItem("Data processed", gb, "GB", ctx.prices.per_resource("nat_gateway_gb")))
    return priced


@prices("aws:ec2/eip:Eip")
def _eip(resource: Resource, ctx: Context) -> Priced:
    return Priced([hourly(ctx, "Public IPv4 address", ctx.prices.per_resource("eip_public_ipv4_hour"))])


@prices("aws:ec2/vpcEndpoint:VpcEndpoint", usage=("monthly_data_processed_gb",))
def _vpc_endpoint(resource: Resource, ctx: Context) -> Priced | None:
    kind = resource.inputs.get("vpcEndpointType", "Gateway")
    if kind == "Gateway":
        return None  # S3 and DynamoDB gateway endpoints are free
    if kind != "Interface":
        raise Unpriceable(f"{kind} endpoints are not in the price table")
    azs = len(resource.inputs.get("subnetIds") or []) or 1
    rate = ctx.prices.per_resource("vpc_interface_endpoint_hour_per_az")
    priced = Priced([hourly(ctx, f"Interface endpoint ({azs} AZ)", rate, azs)])
    gb = usage_value(ctx, resource, "monthly_data_processed_gb", priced)
    if gb is not None:
        priced.items.append(CostItem("Data processed", gb, "GB", ctx.prices.per_resource("vpc_endpoint_gb")))
    return priced


@prices("aws:ec2/vpnConnection:VpnConnection")
def _vpn(resource: Resource, ctx: Context) -> Priced:
    return Priced(
        [hourly(ctx, "Site-to-site VPN connection", ctx.prices.per_resource("vpn_connection_hour"))]
    )


@prices("aws:ec2clientvpn/networkAssociation:NetworkAssociation")
def _client_vpn(resource: Resource, ctx: Context) -> Priced:
    rate = ctx.prices.per_resource("client_vpn_endpoint_association_hour")
    return Priced(
        [hourly(ctx, "Client VPN subnet association", rate)],
        notes=["client connection-hours are priced on the endpoint"],
    )


@prices("aws:ec2clientvpn/endpoint:Endpoint", usage=("monthly_connection_hours",))
def _client_vpn_connections(resource: Resource, ctx: Context) -> Priced:
    """Client VPN bills each connected client per hour (associations are priced on their own)."""
    priced = Priced()
    hours = usage_value(ctx, resource, "monthly_connection_hours", priced)
    if hours is not None:
        rate = ctx.prices.per_resource("client_vpn_connection_hour")
        priced.items.append(CostItem("Client VPN connection-hours", hours, "hours", rate))
    return priced


@prices("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", usage=("average_lcus",))
def _load_balancer(resource: Resource, ctx: Context) -> Priced:
    kind = resource.inputs.get("loadBalancerType", "application")
    if kind == "application":
        return alb(resource, ctx, "Application Load Balancer")
    if kind == "network":
        return Priced(
            [hourly(ctx, "Network Load Balancer", ctx.prices.per_resource("nlb_hour"))],
            notes=["NLCU charges are not in the price table"],
        )
    raise Unpriceable(f"{kind} load balancers are not in the price table")


def alb(resource: Resource, ctx: Context, label: str) -> Priced:
    priced = Priced([hourly(ctx, label, ctx.prices.per_resource("alb_hour"))])
    lcus = usage_value(ctx, resource, "average_lcus", priced)
    if lcus is not None:
        priced.items.append(
            hourly(ctx, f"LCUs (average {lcus:g})", ctx.prices.per_resource("alb_lcu_hour"), lcus)
        )
    return priced


@prices("aws:route53/zone:Zone")
def _zone(resource: Resource, ctx: Context) -> Priced:
    return Priced(
        [CostItem("Hosted zone", 1, "months", ctx.prices.per_resource("route53_zone_month"))],
        notes=["DNS queries are not priced"],
    )


@prices("aws:cloudfront/distribution:Distribution", usage=("monthly_data_transfer_out_gb",))
def _cloudfront(resource: Resource, ctx: Context) -> Priced:
    priced = Priced(notes=["HTTPS requests are not in the price table"])
    gb = usage_value(ctx, resource, "monthly_data_transfer_out_gb", priced)
    if gb is not None:
        rate = ctx.prices.per_resource("cloudfront_gb_out_first_10tb")
        priced.items.append(CostItem("Data transfer out (first 10 TB tier)", gb, "GB", rate))
    return priced


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
