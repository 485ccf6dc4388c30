"""Ingress permissions read the same way from the three places a program can declare them.

A security group's ingress may be inline (``SecurityGroup.ingress``), a legacy
``SecurityGroupRule`` (``type: ingress``), or a ``vpc.SecurityGroupIngressRule``; rules about
ingress read :class:`Permission` objects and never care which form was used.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from policy.model import ResourceLike
from policy.rules.base import as_int, as_list
from policy.rules.tokens import (
    CACHE_REPLICATION_GROUP,
    EKS_CLUSTER,
    LAUNCH_TEMPLATE,
    LOAD_BALANCERS,
    RDS_CLUSTER,
    RDS_INSTANCE,
    SECURITY_GROUP,
    SECURITY_GROUP_RULE,
    SG_INGRESS_RULE,
    VPC_ENDPOINT,
)
from policy.view import StackView

WORLD = ("0.0.0.0/0", "::/0")

#: Ports of the data stores a platform like this runs: Postgres, MySQL, Redis/Valkey, Memcached,
#: MongoDB, MSSQL, Oracle, Elasticsearch/OpenSearch, Cassandra, Kafka.
DATABASE_PORTS = {
    5432: "PostgreSQL",
    3306: "MySQL",
    6379: "Redis",
    11211: "Memcached",
    27017: "MongoDB",
    1433: "SQL Server",
    1521: "Oracle",
    9200: "OpenSearch",
    9042: "Cassandra",
    9092: "Kafka",
}

#: Resources that attach security groups, and the input naming them: used to tell a load balancer's
#: group (which may face the internet) from everything else's.
ATTACHMENTS: dict[str, str] = {
    RDS_INSTANCE: "vpcSecurityGroupIds",
    RDS_CLUSTER: "vpcSecurityGroupIds",
    CACHE_REPLICATION_GROUP: "securityGroupIds",
    EKS_CLUSTER: "vpcConfig",
    LAUNCH_TEMPLATE: "vpcSecurityGroupIds",
    VPC_ENDPOINT: "securityGroupIds",
    **{lb: "securityGroups" for lb in LOAD_BALANCERS},
}
DATABASE_ATTACHMENTS = {RDS_INSTANCE, RDS_CLUSTER, CACHE_REPLICATION_GROUP}


@dataclass(frozen=True)
class Permission:
    """One ingress permission: from which CIDRs, on which ports (``None`` = all ports)."""

    cidrs: tuple[str, ...]
    from_port: int | None
    to_port: int | None
    source: ResourceLike
    label: str

    def covers(self, port: int) -> bool:
        if self.from_port is None or self.to_port is None:
            return True
        low, high = sorted((self.from_port, self.to_port))
        return low <= port <= high

    @property
    def world(self) -> tuple[str, ...]:
        return tuple(c for c in self.cidrs if c in WORLD)

    @property
    def ports(self) -> str:
        if self.from_port is None or self.to_port is None:
            return "all ports"
        return str(self.from_port) if self.from_port == self.to_port else f"{self.from_port}-{self.to_port}"


def _port_range(protocol: object, from_port: object, to_port: object) -> tuple[int | None, int | None]:
    if str(protocol).lower() in ("-1", "all"):
        return None, None
    low, high = as_int(from_port), as_int(to_port)
    if low is None or high is None or (low in (0, -1) and high in (0, -1, 65535)):
        return None, None
    return low, high


def ingress_permissions(resource: ResourceLike) -> list[Permission]:
    """The ingress permissions ``resource`` declares (empty for anything else)."""
    inputs = resource.inputs
    found: list[Permission] = []
    if resource.type == SECURITY_GROUP:
        for index, entry in enumerate(as_list(inputs.get("ingress"))):
            if not isinstance(entry, dict):
                continue
            low, high = _port_range(entry.get("protocol"), entry.get("fromPort"), entry.get("toPort"))
            cidrs = tuple(
                str(c) for c in as_list(entry.get("cidrBlocks")) + as_list(entry.get("ipv6CidrBlocks"))
            )
            found.append(Permission(cidrs, low, high, resource, f"ingress[{index}]"))
    elif resource.type == SECURITY_GROUP_RULE:
        if str(inputs.get("type")) == "ingress":
            low, high = _port_range(inputs.get("protocol"), inputs.get("fromPort"), inputs.get("toPort"))
            cidrs = tuple(
                str(c) for c in as_list(inputs.get("cidrBlocks")) + as_list(inputs.get("ipv6CidrBlocks"))
            )
            found.append(Permission(cidrs, low, high, resource, "rule"))
    elif resource.type == SG_INGRESS_RULE:
        low, high = _port_range(inputs.get("ipProtocol"), inputs.get("fromPort"), inputs.get("toPort"))
        cidrs = tuple(str(c) for c in (inputs.get("cidrIpv4"), inputs.get("cidrIpv6")) if c)
        found.append(Permission(cidrs, low, high, resource, "rule"))
    return found


def target_groups(stack: StackView, resource: ResourceLike) -> list[ResourceLike]:
    """The security group(s) a permission-bearing resource adds ingress to (itself, for inline rules)."""
    if resource.type == SECURITY_GROUP:
        return [resource]
    return stack.referenced(resource, "securityGroupId", SECURITY_GROUP)


def attached_to(stack: StackView, group: ResourceLike) -> list[ResourceLike]:
    """The resources that attach ``group`` (by dependency or by id)."""
    found = []
    for type_token, prop in ATTACHMENTS.items():
        found.extend(stack.referrers(group, prop, type_token))
    return found


def within(cidr: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    """Is ``cidr`` inside one of ``networks``? (Unparseable CIDRs are not.)"""
    try:
        block = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return any(block.version == n.version and block.subnet_of(n) for n in networks)  # type: ignore[arg-type]


def database_ports(permission: Permission) -> Iterator[tuple[int, str]]:
    """The well-known database ports a permission opens."""
    for port, engine in DATABASE_PORTS.items():
        if permission.covers(port):
            yield port, engine
