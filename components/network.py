"""The three-tier VPC: public, private (application) and database subnets across N availability zones."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from .args import Args, Cidr, FieldProblem, RetentionDays
from .cidr import TIERS, CidrLayoutError, derive_subnets, first_overlap
from .iam import service_trust_policy
from .nat_instance import nat_instance

InterfaceEndpoint = Literal["ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "ssm"]


class NetworkArgs(Args):
    """Settings of the VPC. Defaults are the production shape: three AZs, a NAT gateway per AZ."""

    cidr: Cidr = Field(
        default=ipaddress.IPv4Network("10.0.0.0/16"),
        description="VPC CIDR block, /16 to /28. Give each stack its own so VPCs can be peered later.",
    )
    az_count: int = Field(
        default=3, ge=2, le=6, description="Availability zones to spread over (EKS and RDS need two or more)."
    )
    nat_strategy: Literal["none", "instance", "single", "one_per_az"] = Field(
        default="one_per_az",
        description="'one_per_az' survives an AZ outage; 'single' saves ~$33/month per AZ; 'instance' is one "
        "NAT instance (components/nat_instance.py, ~$25/month below 'single', with the trade-offs in "
        "docs/decisions/dev-cost.md); 'none' has no egress.",
    )
    nat_instance_type: str = Field(
        default="t4g.small",
        description="Graviton type of the NAT instance (nat_strategy 'instance'; its AMI is AL2023 arm64). "
        "t4g.small: 2 GiB, a ~128 Mbit/s baseline bursting to 5 Gbps; dev runs a t4g.micro "
        "(config/profiles/network.py).",
    )
    public_subnets: list[Cidr] | None = Field(
        default=None, description="Explicit public subnets, one per AZ."
    )
    private_subnets: list[Cidr] | None = Field(
        default=None, description="Explicit private subnets, one per AZ."
    )
    database_subnets: list[Cidr] | None = Field(
        default=None, description="Explicit database subnets, one per AZ."
    )
    flow_log_retention_days: RetentionDays = Field(
        default=365, description="Flow-log retention; a year covers most audit look-backs."
    )
    flow_log_traffic_type: Literal["ALL", "ACCEPT", "REJECT"] = "ALL"
    interface_endpoints: list[InterfaceEndpoint] = Field(
        default_factory=lambda: ["ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "ssm"],
        description="Interface endpoints in the private subnets: keep image pulls and AWS calls off the NAT.",
    )
    enable_vpn_gateway: bool = Field(
        default=False, description="A virtual private gateway for administrative VPN access (seed 000)."
    )
    vpn_amazon_side_asn: int = Field(default=64512, ge=64512, le=65534)
    database_ports: list[int] = Field(
        default_factory=lambda: [5432, 6379],
        description="Ports the database-tier network ACL admits from the private subnets (Postgres, Redis).",
    )

    @field_validator("nat_instance_type")
    @classmethod
    def _check_nat_instance_type(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z]+[0-9]+g[a-z]*\.[a-z0-9]+", value):
            raise ValueError(
                f"{value!r} is not a Graviton instance type; allowed: e.g. 't4g.small', 'c7g.medium' "
                "(the NAT instance boots the AL2023 arm64 AMI)"
            )
        return value

    @model_validator(mode="after")
    def _check_layout(self) -> NetworkArgs:
        if not 16 <= self.cidr.prefixlen <= 28:
            raise _problem("cidr", str(self.cidr), "the VPC prefix must be between /16 and /28 (AWS limits)")
        for port in self.database_ports:
            if not 1 <= port <= 65535:
                raise _problem("database_ports", port, "ports are 1-65535")
        explicit = {tier: getattr(self, f"{tier}_subnets") for tier in TIERS}
        if all(v is None for v in explicit.values()):
            try:
                derive_subnets(self.cidr, self.az_count)
            except CidrLayoutError as err:
                raise _problem("cidr", str(self.cidr), str(err)) from None
            return self
        labelled: list[tuple[str, ipaddress.IPv4Network]] = []
        for tier, subnets in explicit.items():
            key = f"{tier}_subnets"
            if subnets is None:
                raise _problem(key, None, "give all three tiers' subnets explicitly, or none")
            if len(subnets) != self.az_count:
                raise _problem(key, [str(s) for s in subnets], f"exactly one subnet per AZ ({self.az_count})")
            for index, subnet in enumerate(subnets):
                where = f"{key}[{index}]"
                if not subnet.subnet_of(self.cidr):
                    raise _problem(where, str(subnet), f"must lie inside the VPC {self.cidr}")
                if subnet.prefixlen > 28:
                    raise _problem(where, str(subnet), "AWS subnets are /28 or larger")
                labelled.append((where, subnet))
        clash = first_overlap(labelled)
        if clash:
            value = dict(labelled)[clash[1]]
            raise _problem(clash[1], str(value), f"overlaps {clash[0]} ({dict(labelled)[clash[0]]})")
        return self

    def subnet_layout(self) -> dict[str, list[ipaddress.IPv4Network]]:
        """The subnets of each tier, one per AZ: explicit when given, else derived from the VPC CIDR."""
        if self.private_subnets is not None:
            return {tier: list(getattr(self, f"{tier}_subnets")) for tier in TIERS}
        return derive_subnets(self.cidr, self.az_count)


def _problem(subpath: str, value: object, allowed: str) -> FieldProblem:
    return FieldProblem(subpath, value, allowed)


def pick_azs(names: list[str], count: int, region_hint: str = "the region") -> list[str]:
    """The first ``count`` AZ names, or a clear error when the region has fewer."""
    if len(names) < count:
        raise ValueError(
            f"network.az_count is {count} but {region_hint} offers only {len(names)} "
            f"availability zones ({', '.join(names) or 'none'})"
        )
    return sorted(names)[:count]


class Network(pulumi.ComponentResource):
    """VPC with public, private and database subnets over N AZs.

    Creates: the VPC (DNS on), its default security group emptied, an internet gateway, a subnet per
    tier per AZ (tagged for EKS load balancers), NAT gateways by strategy, a route table per tier (the
    database tier routes nowhere outside the VPC), S3/DynamoDB gateway endpoints, optional interface
    endpoints and VPN gateway, a network ACL on the database tier, the RDS and ElastiCache subnet
    groups, and VPC flow logs to an encrypted CloudWatch log group.
    """

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    availability_zones: pulumi.Output[list[str]]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]
    database_subnet_ids: pulumi.Output[list[str]]
    private_route_table_ids: pulumi.Output[list[str]]
    database_route_table_ids: pulumi.Output[list[str]]
    db_subnet_group_name: pulumi.Output[str]
    cache_subnet_group_name: pulumi.Output[str]
    nat_gateway_ids: pulumi.Output[list[str]]
    nat_instance_ids: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        args: NetworkArgs,
        flow_log_kms_key_arn: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:network:Network", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        layout = args.subnet_layout()
        az_count = args.az_count

        zones = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        az_names = zones.names.apply(lambda names: pick_azs(list(names), az_count))

        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=str(args.cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": f"{name}-vpc"},
            opts=child,
        )
        # Take over the default security group and leave it with no rules (FSBP EC2.2).
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg", vpc_id=vpc.id, tags={"Name": f"{name}-default-deny"}, opts=child
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags={"Name": f"{name}-igw"}, opts=child)

        role_tags = {
            "public": {"kubernetes.io/role/elb": "1"},
            "private": {"kubernetes.io/role/internal-elb": "1"},
            "database": {},
        }
        subnets: dict[str, list[aws.ec2.Subnet]] = {tier: [] for tier in TIERS}
        for tier in TIERS:
            for index, cidr in enumerate(layout[tier]):
                subnets[tier].append(
                    aws.ec2.Subnet(
                        f"{name}-{tier}-{index}",
                        vpc_id=vpc.id,
                        cidr_block=str(cidr),
                        availability_zone=az_names.apply(lambda zs, i=index: zs[i]),
                        map_public_ip_on_launch=False,
                        tags={"Name": f"{name}-{tier}-{index}", "Tier": tier, **role_tags[tier]},
                        opts=child,
                    )
                )

        # Public tier: one route table to the internet gateway.
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt", vpc_id=vpc.id, tags={"Name": f"{name}-public"}, opts=child
        )
        aws.ec2.Route(
            f"{name}-public-default",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child,
        )
        for index, subnet in enumerate(subnets["public"]):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{index}", subnet_id=subnet.id, route_table_id=public_rt.id, opts=child
            )

        # NAT gateways in the public subnets, per strategy (or one NAT instance).
        nat_count = {"none": 0, "instance": 0, "single": 1, "one_per_az": az_count}[args.nat_strategy]
        nat_eni: pulumi.Output[str] | None = None
        nat_instances: list[aws.ec2.Instance] = []
        if args.nat_strategy == "instance":
            nat_instances.append(
                nat_instance(
                    name,
                    vpc_id=vpc.id,
                    vpc_cidr=str(args.cidr),
                    subnet_id=subnets["public"][0].id,
                    instance_type=args.nat_instance_type,
                    parent=self,
                    depends_on=[igw],
                )
            )
            nat_eni = nat_instances[0].primary_network_interface_id
        nats: list[aws.ec2.NatGateway] = []
        for index in range(nat_count):
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{index}", domain="vpc", tags={"Name": f"{name}-nat-{index}"}, opts=child
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{index}",
                    allocation_id=eip.id,
                    subnet_id=subnets["public"][index].id,
                    tags={"Name": f"{name}-nat-{index}"},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[igw]),
                )
            )

        # Private tier: a route table per AZ, so each AZ egresses through its own NAT when it has one.
        private_rts: list[aws.ec2.RouteTable] = []
        for index, subnet in enumerate(subnets["private"]):
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{index}",
                vpc_id=vpc.id,
                tags={"Name": f"{name}-private-{index}"},
                opts=child,
            )
            if nats:
                aws.ec2.Route(
                    f"{name}-private-default-{index}",
                    route_table_id=rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nats[index % len(nats)].id,
                    opts=child,
                )
            elif nat_eni is not None:
                aws.ec2.Route(
                    f"{name}-private-default-{index}",
                    route_table_id=rt.id,
                    destination_cidr_block="0.0.0.0/0",
                    network_interface_id=nat_eni,
                    opts=child,
                )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{index}", subnet_id=subnet.id, route_table_id=rt.id, opts=child
            )
            private_rts.append(rt)

        # Database tier: one route table with only the local route (and gateway endpoints below).
        database_rt = aws.ec2.RouteTable(
            f"{name}-database-rt", vpc_id=vpc.id, tags={"Name": f"{name}-database"}, opts=child
        )
        for index, subnet in enumerate(subnets["database"]):
            aws.ec2.RouteTableAssociation(
                f"{name}-database-rta-{index}", subnet_id=subnet.id, route_table_id=database_rt.id, opts=child
            )

        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        internal_rt_ids = [rt.id for rt in private_rts] + [database_rt.id]
        for service in ("s3", "dynamodb"):
            aws.ec2.VpcEndpoint(
                f"{name}-{service}-endpoint",
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                vpc_endpoint_type="Gateway",
                route_table_ids=internal_rt_ids,
                tags={"Name": f"{name}-{service}"},
                opts=child,
            )
        if args.interface_endpoints:
            endpoint_sg = aws.ec2.SecurityGroup(
                f"{name}-endpoints-sg",
                vpc_id=vpc.id,
                description="HTTPS from inside the VPC to the AWS interface endpoints",
                tags={"Name": f"{name}-endpoints"},
                opts=child,
            )
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-endpoints-https",
                security_group_id=endpoint_sg.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4=str(args.cidr),
                description="HTTPS from the VPC",
                opts=child,
            )
            for service in args.interface_endpoints:
                aws.ec2.VpcEndpoint(
                    f"{name}-{service.replace('.', '-')}-endpoint",
                    vpc_id=vpc.id,
                    service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                    vpc_endpoint_type="Interface",
                    private_dns_enabled=True,
                    subnet_ids=[s.id for s in subnets["private"]],
                    security_group_ids=[endpoint_sg.id],
                    tags={"Name": f"{name}-{service}"},
                    opts=child,
                )

        if args.enable_vpn_gateway:
            vgw = aws.ec2.VpnGateway(
                f"{name}-vgw",
                vpc_id=vpc.id,
                amazon_side_asn=str(args.vpn_amazon_side_asn),
                tags={"Name": f"{name}-admin-vpn"},
                opts=child,
            )
            for index, rt in enumerate(private_rts):
                aws.ec2.VpnGatewayRoutePropagation(
                    f"{name}-vgw-propagation-{index}", vpn_gateway_id=vgw.id, route_table_id=rt.id, opts=child
                )

        self._database_nacl(name, args, layout, vpc, subnets["database"])

        db_subnet_group = aws.rds.SubnetGroup(
            f"{name}-db-subnets",
            description=f"{name}: database subnets",
            subnet_ids=[s.id for s in subnets["database"]],
            opts=child,
        )
        cache_subnet_group = aws.elasticache.SubnetGroup(
            f"{name}-cache-subnets",
            description=f"{name}: database subnets",
            subnet_ids=[s.id for s in subnets["database"]],
            opts=child,
        )
        self._flow_logs(name, args, vpc, flow_log_kms_key_arn)

        self.vpc_id = vpc.id
        self.vpc_cidr = vpc.cidr_block
        self.availability_zones = az_names
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in subnets["public"]])
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in subnets["private"]])
        self.database_subnet_ids = pulumi.Output.all(*[s.id for s in subnets["database"]])
        self.private_route_table_ids = pulumi.Output.all(*[rt.id for rt in private_rts])
        self.database_route_table_ids = pulumi.Output.all(database_rt.id)
        self.db_subnet_group_name = db_subnet_group.name
        self.cache_subnet_group_name = cache_subnet_group.name
        self.nat_gateway_ids = pulumi.Output.all(*[n.id for n in nats])
        self.nat_instance_ids = pulumi.Output.all(*[n.id for n in nat_instances])
        #: The subnet CIDRs per tier, known before deployment (the workloads' network policies use them).
        self.subnet_cidrs: dict[str, list[str]] = {t: [str(c) for c in layout[t]] for t in TIERS}
        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "vpc_cidr": self.vpc_cidr,
                "availability_zones": self.availability_zones,
                "public_subnet_ids": self.public_subnet_ids,
                "private_subnet_ids": self.private_subnet_ids,
                "database_subnet_ids": self.database_subnet_ids,
                "private_route_table_ids": self.private_route_table_ids,
                "database_route_table_ids": self.database_route_table_ids,
                "db_subnet_group_name": self.db_subnet_group_name,
                "cache_subnet_group_name": self.cache_subnet_group_name,
                "nat_gateway_ids": self.nat_gateway_ids,
                "nat_instance_ids": self.nat_instance_ids,
            }
        )

    def _database_nacl(
        self,
        name: str,
        args: NetworkArgs,
        layout: dict[str, list[ipaddress.IPv4Network]],
        vpc: aws.ec2.Vpc,
        database_subnets: list[aws.ec2.Subnet],
    ) -> None:
        """A stateless second wall: the database tier talks only to the private tier and itself."""
        ingress: list[aws.ec2.NetworkAclIngressArgsDict] = []
        egress: list[aws.ec2.NetworkAclEgressArgsDict] = []
        rule = 100
        for cidr in layout["private"]:
            for port in args.database_ports:
                ingress.append(_acl(rule, str(cidr), port, port))
                rule += 10
            egress.append(_acl(rule, str(cidr), 1024, 65535))  # replies to the clients' ephemeral ports
            rule += 10
        for cidr in layout["database"]:  # replication between Multi-AZ / cluster members
            ingress.append(_acl(rule, str(cidr), 0, 65535))
            egress.append(_acl(rule, str(cidr), 0, 65535))
            rule += 10
        aws.ec2.NetworkAcl(
            f"{name}-database-nacl",
            vpc_id=vpc.id,
            subnet_ids=[s.id for s in database_subnets],
            ingress=ingress,
            egress=egress,
            tags={"Name": f"{name}-database"},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _flow_logs(
        self, name: str, args: NetworkArgs, vpc: aws.ec2.Vpc, kms_key_arn: pulumi.Input[str] | None
    ) -> None:
        """VPC flow logs to a CloudWatch log group, written by a role limited to that group."""
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            retention_in_days=args.flow_log_retention_days,
            kms_key_id=kms_key_arn,
            opts=child,
        )
        # Confused-deputy guard as the VPC User Guide documents it for flow logs: this account's flow
        # logs only (aws:SourceAccount, aws:SourceArn arn:...:ec2:<region>:<account>:vpc-flow-log/*).
        invoke = pulumi.InvokeOutputOptions(parent=self)
        trust = pulumi.Output.all(
            aws.get_partition_output(opts=invoke).partition,
            aws.get_region_output(opts=invoke).region,
            aws.get_caller_identity_output(opts=invoke).account_id,
        ).apply(
            lambda a: service_trust_policy(
                "vpc-flow-logs.amazonaws.com",
                account=a[2],
                source_arn=f"arn:{a[0]}:ec2:{a[1]}:{a[2]}:vpc-flow-log/*",
            )
        )
        role = aws.iam.Role(f"{name}-flow-logs-role", assume_role_policy=trust, opts=child)
        aws.iam.RolePolicy(
            f"{name}-flow-logs-write",
            role=role.id,
            policy=log_group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": [arn, f"{arn}:*"],
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=vpc.id,
            traffic_type=args.flow_log_traffic_type,
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=child,
        )


def _acl(rule_no: int, cidr: str, from_port: int, to_port: int) -> aws.ec2.NetworkAclIngressArgsDict:
    """An allow rule for TCP ``from_port``-``to_port``; egress rules have the same shape."""
    return {
        "rule_no": rule_no,
        "protocol": "tcp",
        "action": "allow",
        "cidr_block": cidr,
        "from_port": from_port,
        "to_port": to_port,
    }
