"""Guardrails for the VPC: flow logs, the default security group, what the internet may reach, NAT per AZ."""

from __future__ import annotations

from collections.abc import Iterator

from policy.model import Context, ResourceLike, Tiering
from policy.rules.base import as_list, rule
from policy.rules.security_groups import (
    attached_to,
    database_ports,
    ingress_permissions,
    target_groups,
)
from policy.rules.tokens import (
    DEFAULT_SECURITY_GROUP,
    EC2_INSTANCE,
    FLOW_LOG,
    INGRESS_SOURCES,
    LOAD_BALANCERS,
    NAT_GATEWAY,
    SECURITY_GROUP,
    SUBNET,
    VPC,
)

#: The only ports the internet may reach, and only on a load balancer's security group.
PUBLIC_PORTS = (80, 443)


@rule(
    "vpc-flow-logs",
    "Every VPC has flow logs that record rejected traffic",
    ids=("FSBP EC2.6", "CKV2_AWS_11"),
    types=VPC,
    remediation="Add an aws.ec2.FlowLog for the VPC with traffic_type 'ALL' (or 'REJECT').",
    scope="stack",
)
def vpc_flow_logs(vpc: ResourceLike, ctx: Context) -> Iterator[str]:
    logs = ctx.stack.referrers(vpc, "vpcId", FLOW_LOG)
    if not logs:
        yield "the VPC has no flow log"
    elif not any(str(log.inputs.get("trafficType", "ALL")) in ("ALL", "REJECT") for log in logs):
        yield "the VPC's flow logs record accepted traffic only; rejected traffic is what an audit needs"


@rule(
    "vpc-default-sg-closed",
    "Each VPC's default security group allows no traffic",
    ids=("FSBP EC2.2", "CKV2_AWS_12"),
    types=(VPC, DEFAULT_SECURITY_GROUP),
    remediation="Adopt the default group with aws.ec2.DefaultSecurityGroup(vpc_id=...) and no ingress/egress.",
    scope="stack",
)
def vpc_default_sg_closed(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if r.type == VPC:
        if not ctx.stack.referrers(r, "vpcId", DEFAULT_SECURITY_GROUP):
            yield "the default security group is not managed, so it keeps AWS's allow-all rules"
        return
    for direction in ("ingress", "egress"):
        if as_list(r.inputs.get(direction)):
            yield f"the default security group has {direction} rules; it must allow nothing"


@rule(
    "sg-world-ingress-lb-only",
    "Only load balancers accept traffic from the internet, and only on ports 80 and 443",
    ids=("FSBP EC2.18", "FSBP EC2.19", "CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"),
    types=INGRESS_SOURCES,
    remediation="Limit 0.0.0.0/0 and ::/0 to ports 80/443 on the load balancer's group; reach anything "
    "else through the load balancer, SSM Session Manager or the VPN.",
    scope="stack",
)
def sg_world_ingress_lb_only(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for permission in ingress_permissions(r):
        if not permission.world:
            continue
        where = f"{permission.label} admits {', '.join(permission.world)} on {permission.ports}"
        if permission.from_port is None or not (
            permission.from_port == permission.to_port and permission.from_port in PUBLIC_PORTS
        ):
            yield f"{where}; the internet may reach only 80 and 443"
            continue
        groups = target_groups(ctx.stack, r)
        if not groups and r.type != SECURITY_GROUP:
            # A group this program does not create (EKS's cluster security group, in front of the API
            # endpoint): nothing shows it belongs to a load balancer only.
            yield f"{where} on a security group this program does not create (not a load balancer's)"
            continue
        for group in groups:
            others = [a for a in attached_to(ctx.stack, group) if a.type not in LOAD_BALANCERS]
            if others:
                names = ", ".join(sorted({f"{a.name} ({a.type.rsplit(':', 1)[-1]})" for a in others}))
                yield f"{where} on a group attached to {names}, not only to a load balancer"


@rule(
    "db-port-not-public",
    "No database port is open to 0.0.0.0/0 or ::/0",
    ids=("—",),
    types=INGRESS_SOURCES,
    remediation="Admit database ports only from the application's security group (referenced_security_group_id) "
    "or the private subnets' CIDRs.",
)
def db_port_not_public(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for permission in ingress_permissions(r):
        if not permission.world:
            continue
        opened = [f"{port} ({engine})" for port, engine in database_ports(permission)]
        if opened:
            yield f"{permission.label} opens {', '.join(opened)} to {', '.join(permission.world)}"


@rule(
    "nat-gateway-per-az",
    "Private subnets egress through a NAT gateway in their own AZ",
    ids=("—",),
    types=VPC,
    remediation="Set network.nat_strategy to 'one_per_az' (the prod profile does).",
    scope="stack",
    tiering=Tiering.HIGH_AVAILABILITY,
)
def nat_gateway_per_az(vpc: ResourceLike, ctx: Context) -> Iterator[str]:
    subnets = ctx.stack.referrers(vpc, "vpcId", SUBNET)
    zones = {str(s.inputs.get("availabilityZone")) for s in subnets if s.inputs.get("availabilityZone")}
    nats = [
        n
        for n in ctx.stack.of_type(NAT_GATEWAY)
        if str(n.inputs.get("connectivityType") or "public") == "public"
        and (ctx.stack.refers(n, "vpcId", vpc) or any(ctx.stack.refers(n, "subnetId", s) for s in subnets))
    ]
    # A NAT instance (an EC2 instance with source/destination check off in the VPC) is one machine:
    # the whole VPC loses egress with it, whatever the AZ count.
    nat_instances = [
        i
        for i in ctx.stack.of_type(EC2_INSTANCE)
        if i.inputs.get("sourceDestCheck") is False
        and any(ctx.stack.refers(i, "subnetId", s) for s in subnets)
    ]
    if nat_instances:
        yield (
            f"egress through {len(nat_instances)} NAT instance(s) for {len(zones)} AZs: every private subnet "
            "loses egress while the instance is replaced, recovered or its AZ fails"
        )
        return
    if not nats or any(str(n.inputs.get("availabilityMode")) == "regional" for n in nats):
        return  # no egress by design, or a regional NAT gateway that spans every AZ
    covered = {
        str(s.inputs.get("availabilityZone"))
        for n in nats
        for s in subnets
        if ctx.stack.refers(n, "subnetId", s)
    }
    missing = sorted(zones - covered)
    if missing:
        yield (
            f"{len(nats)} NAT gateway(s) for {len(zones)} AZs: private subnets in {', '.join(missing)} lose "
            "egress when the NAT gateway's AZ fails"
        )
