"""Who can reach the EKS API endpoint, read from the plan: ``python -m tools trace STACK --api``.

The endpoint is private; its network interfaces carry the cluster security group EKS creates, which
admits its own members (the control plane and the nodes) and, beyond that, exactly what the plan's
ingress rules on it admit. :func:`api_hops` lists every such source with the rules that admit it:

- ``endpoint``: private access on; public access off (or, failing, open to the CIDRs it lists);
- ``nodes``: the node groups' launch templates put the nodes in the cluster security group;
- ``runner``: the CodeBuild runner's security group is admitted on 443, the runner runs in the
  cluster's VPC, and its deploy role has a cluster-admin access entry (else the deploy cannot work);
- ``vpn``: each Client VPN endpoint's security group is admitted on 443 (the clients' addresses and
  the subnets its authorization rules open are reported);
- ``source``: any other rule on the cluster security group: ok inside the VPC's CIDR, failing for
  anything outside it (an internet CIDR, a prefix list).

The check fails when the deploy runner cannot reach the API, when a Client VPN endpoint's clients
cannot, or when anything outside the VPC can.
"""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any

from tools import stacks
from tools.harness import Graph, Resource
from tools.trace_model import Hop

CLUSTER = "aws:eks/cluster:Cluster"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
PROJECT = "aws:codebuild/project:Project"
CLIENT_VPN = "aws:ec2clientvpn/endpoint:Endpoint"
VPN_AUTHORIZATION = "aws:ec2clientvpn/authorizationRule:AuthorizationRule"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"
ACCESS_POLICY = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
SUBNET = "aws:ec2/subnet:Subnet"
VPC = "aws:ec2/vpc:Vpc"
RUNNER_COMPONENT = "quantumvest:ci:CiRunner"
API_PORT = 443


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _admits_https(rule: dict[str, Any]) -> bool:
    """Whether an ingress rule's protocol and ports include TCP 443."""
    protocol = str(rule.get("ipProtocol") or rule.get("protocol") or "")
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
    low, high = rule.get("fromPort"), rule.get("toPort")
    return low is not None and high is not None and int(low) <= API_PORT <= int(high)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _within(inner: Network, outer: Network) -> bool:
    """``inner`` lies in ``outer``; never across address families (``subnet_of`` would raise)."""
    if isinstance(inner, ipaddress.IPv4Network) and isinstance(outer, ipaddress.IPv4Network):
        return inner.subnet_of(outer)
    if isinstance(inner, ipaddress.IPv6Network) and isinstance(outer, ipaddress.IPv6Network):
        return inner.subnet_of(outer)
    return False


class _ApiView:
    """The facts of one graph the hops are made of, looked up once."""

    def __init__(self, graph: Graph, cluster: Resource) -> None:
        self.graph = graph
        self.cluster = cluster
        config_in = cluster.inputs.get("vpcConfig") or {}
        config_out = cluster.outputs.get("vpcConfig") or {}
        self.config = config_in
        self.api_groups = {str(g) for g in [config_out.get("clusterSecurityGroupId")] if g} | {
            str(g) for g in config_in.get("securityGroupIds") or []
        }
        self.groups = {r.id: r for r in graph.of_type(SECURITY_GROUP) if r.id}
        subnets = {r.id: r for r in graph.of_type(SUBNET) if r.id}
        self.vpc_ids = {
            str(subnets[s].inputs.get("vpcId")) for s in config_in.get("subnetIds") or [] if s in subnets
        }
        self.api_subnet_cidrs = [
            str(subnets[s].inputs.get("cidrBlock")) for s in config_in.get("subnetIds") or [] if s in subnets
        ]
        self.vpc_cidrs = [
            ipaddress.ip_network(str(v.inputs["cidrBlock"]))
            for v in graph.of_type(VPC)
            if v.id in self.vpc_ids and v.inputs.get("cidrBlock")
        ]
        self.rules = [
            r
            for r in graph.resources
            if (r.type == INGRESS_RULE or (r.type == LEGACY_RULE and r.inputs.get("type") == "ingress"))
            and str(r.inputs.get("securityGroupId")) in self.api_groups
        ]

    def group_name(self, group_id: str) -> str:
        group = self.groups.get(group_id)
        return f"{group_id} ({group.name})" if group else group_id

    def rules_from_group(self, group_id: str) -> list[Resource]:
        return [
            r
            for r in self.rules
            if str(r.inputs.get("referencedSecurityGroupId") or r.inputs.get("sourceSecurityGroupId"))
            == group_id
            and _admits_https(r.inputs)
        ]

    @staticmethod
    def authorized(subnet: str, opened: list[str]) -> bool:
        """Whether a subnet lies within one of the CIDRs a VPN authorization rule opens."""
        net = ipaddress.ip_network(subnet, strict=False)
        return any(_within(net, ipaddress.ip_network(o, strict=False)) for o in opened if o != "None")

    def inside_vpc(self, cidr: str) -> bool:
        network = ipaddress.ip_network(cidr, strict=False)
        return any(_within(network, v) for v in self.vpc_cidrs)


def _names(rules: list[Resource]) -> str:
    return ", ".join(r.name for r in rules)


def _endpoint_hop(view: _ApiView) -> Hop:
    config = view.config
    if not config.get("endpointPrivateAccess"):
        return Hop("endpoint", False, "private endpoint access is off: nothing in the VPC reaches the API")
    if config.get("endpointPublicAccess"):
        cidrs = config.get("publicAccessCidrs") or ["0.0.0.0/0"]
        return Hop(
            "endpoint",
            False,
            f"public endpoint open to {', '.join(cidrs)}: reachable from outside the VPC "
            "(only the bootstrap may turn it on, for one CIDR, and never from a stack file)",
        )
    return Hop("endpoint", True, f"private only; security groups {', '.join(sorted(view.api_groups))}")


def _node_hop(view: _ApiView) -> Hop:
    templates = view.graph.of_type(LAUNCH_TEMPLATE)
    members = [
        t for t in templates if view.api_groups & {str(g) for g in t.inputs.get("vpcSecurityGroupIds") or []}
    ]
    if not templates:
        return Hop("nodes", False, "no node launch template: no node can join the cluster")
    if len(members) != len(templates):
        outside = ", ".join(t.name for t in templates if t not in members)
        return Hop("nodes", False, f"launch templates without the cluster security group: {outside}")
    return Hop(
        "nodes",
        True,
        f"{len(members)} node launch templates put their nodes in the cluster security group "
        "(EKS's own rule admits the group to itself)",
    )


def _runner_hops(view: _ApiView) -> list[Hop]:
    graph = view.graph
    projects = [p for p in graph.of_type(PROJECT) if _get(p.inputs.get("vpcConfig"), "securityGroupIds")]
    if not projects:
        return [
            Hop("runner", False, "no CodeBuild runner in the VPC: the deploy workflow cannot reach the API")
        ]
    hops: list[Hop] = []
    for project in projects:
        config = project.inputs["vpcConfig"]
        label = f"runner {project.inputs.get('name', project.name)}"
        if str(config.get("vpcId")) not in view.vpc_ids:
            hops.append(Hop("runner", False, f"{label} runs in {config.get('vpcId')}, not the cluster's VPC"))
            continue
        admitted = {g: view.rules_from_group(str(g)) for g in config["securityGroupIds"]}
        rules = [r for found in admitted.values() for r in found]
        if not rules:
            groups = ", ".join(view.group_name(str(g)) for g in admitted)
            hops.append(
                Hop("runner", False, f"{label}: no rule admits its security group {groups} to the API on 443")
            )
        else:
            hops.append(
                Hop(
                    "runner",
                    True,
                    f"{label} from {view.group_name(str(next(iter(admitted))))} <- {_names(rules)}",
                )
            )
    hops.append(_runner_access_hop(graph))
    return hops


def _runner_access_hop(graph: Graph) -> Hop:
    """The runner's deploy role (from the runner component's outputs) has a cluster-admin access entry."""
    deploy_roles = [
        str(outputs["deploy_role_arn"])
        for urn, outputs in graph.component_outputs.items()
        if RUNNER_COMPONENT in urn and outputs.get("deploy_role_arn")
    ]
    if not deploy_roles:
        return Hop("runner-access", False, "the runner component names no deploy role")
    admin = {
        str(a.inputs.get("principalArn"))
        for a in graph.of_type(ACCESS_POLICY)
        if str(a.inputs.get("policyArn", "")).endswith("/AmazonEKSClusterAdminPolicy")
    }
    entries = {str(e.inputs.get("principalArn")): e.name for e in graph.of_type(ACCESS_ENTRY)}
    missing = [role for role in deploy_roles if role not in admin or role not in entries]
    if missing:
        return Hop(
            "runner-access", False, f"deploy role {', '.join(missing)} has no cluster-admin access entry"
        )
    return Hop(
        "runner-access",
        True,
        ", ".join(f"deploy role {r} <- {entries[r]} (cluster-admin)" for r in deploy_roles),
    )


def _vpn_hops(view: _ApiView) -> list[Hop]:
    endpoints = view.graph.of_type(CLIENT_VPN)
    if not endpoints:
        return [
            Hop("vpn", True, "no Client VPN endpoint in this stack (admins reach it only through the runner)")
        ]
    hops = []
    for endpoint in endpoints:
        groups = [str(g) for g in endpoint.inputs.get("securityGroupIds") or []]
        rules = [r for g in groups for r in view.rules_from_group(g)]
        clients = endpoint.inputs.get("clientCidrBlock")
        label = f"VPN clients {clients} via {endpoint.name}"
        if not rules:
            names = ", ".join(view.group_name(g) for g in groups) or "no security group"
            hops.append(
                Hop("vpn", False, f"{label}: no rule admits its security group {names} to the API on 443")
            )
            continue
        opened = sorted(
            str(a.inputs.get("targetNetworkCidr"))
            for a in view.graph.of_type(VPN_AUTHORIZATION)
            if a.inputs.get("clientVpnEndpointId") == endpoint.id
        )
        if not any(view.authorized(cidr, opened) for cidr in view.api_subnet_cidrs):
            hops.append(
                Hop(
                    "vpn",
                    False,
                    f"{label}: no authorization rule opens the API endpoint's subnets "
                    f"({', '.join(view.api_subnet_cidrs)}); opened: {', '.join(opened) or 'nothing'}",
                )
            )
            continue
        hops.append(
            Hop(
                "vpn",
                True,
                f"{label} from {view.group_name(groups[0])} <- {_names(rules)}; authorized: {', '.join(opened)}",
            )
        )
    return hops


def _other_sources(view: _ApiView) -> list[Hop]:
    """Rules on the API's security groups that are not the runner's or the VPN's: CIDRs and other groups."""
    known = {
        str(g)
        for p in view.graph.of_type(PROJECT)
        for g in _get(p.inputs.get("vpcConfig"), "securityGroupIds") or []
    } | {str(g) for e in view.graph.of_type(CLIENT_VPN) for g in e.inputs.get("securityGroupIds") or []}
    hops = []
    for rule in view.rules:
        inputs = rule.inputs
        group = inputs.get("referencedSecurityGroupId") or inputs.get("sourceSecurityGroupId")
        if group is not None and str(group) in known:
            continue
        ports = "all ports" if not _admits_https(inputs) else "443"
        cidrs = [c for c in [inputs.get("cidrIpv4"), inputs.get("cidrIpv6")] if c] + list(
            inputs.get("cidrBlocks") or []
        )
        if group is not None:
            hops.append(Hop("source", True, f"security group {view.group_name(str(group))} <- {rule.name}"))
        elif inputs.get("prefixListId") or inputs.get("prefixListIds"):
            hops.append(
                Hop(
                    "source",
                    False,
                    f"prefix list {inputs.get('prefixListId')} <- {rule.name}: outside the VPC",
                )
            )
        for cidr in cidrs:
            if view.inside_vpc(str(cidr)):
                hops.append(Hop("source", True, f"{cidr} (inside the VPC) <- {rule.name}"))
            else:
                hops.append(
                    Hop(
                        "source",
                        False,
                        f"{cidr} is outside the VPC and reaches the API ({ports}) <- {rule.name}",
                    )
                )
    return hops


def api_hops(graph: Graph) -> list[Hop]:
    """Every source that can reach the EKS API endpoint, one hop each, with the rules that admit it."""
    clusters = graph.of_type(CLUSTER)
    if len(clusters) != 1:
        return [Hop("endpoint", False, f"{len(clusters)} EKS clusters in the plan; expected one")]
    view = _ApiView(graph, clusters[0])
    return [
        _endpoint_hop(view),
        _node_hop(view),
        *_runner_hops(view),
        *_vpn_hops(view),
        *_other_sources(view),
    ]


def report(graph: Graph) -> tuple[bool, list[str]]:
    """The check: (ok, one line per hop). Not ok when any hop is broken."""
    hops = api_hops(graph)
    return all(h.ok for h in hops), [h.line() for h in hops]


# --------------------------------------------------------------------------- command line


def run(args: argparse.Namespace) -> int:
    """``python -m tools trace STACK --api``: exit 0 when the check passes, 1 when it fails."""
    graph = stacks.load(args.stack, label="trace --api", quiet=True)
    ok, lines = report(graph)
    print(f"EKS API endpoint of stack {args.stack}: who can reach it")
    for line in lines:
        print(f"  {line}")
    print("ok: only the runner, the VPN clients and the nodes reach the API" if ok else "FAILED")
    return 0 if ok else 1
