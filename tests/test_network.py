"""The Network component alone and in each stack: tiers, NAT strategy, routing, isolation, tags."""

from __future__ import annotations

import pytest

from components.network import Network, NetworkArgs
from tests.conftest import stack_graph
from tools.harness import Graph, run
from tools.harness.invokes import UnknownInvokeError

SUBNET = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE = "aws:ec2/route:Route"
RTA = "aws:ec2/routeTableAssociation:RouteTableAssociation"
EXPECTED_NATS = {"dev": 0, "staging": 1, "prod": 3}  # dev: a NAT instance (issue 21)
INSTANCE = "aws:ec2/instance:Instance"
EXPECTED_AZS = {"dev": 2, "staging": 3, "prod": 3}


@pytest.fixture(scope="module", params=["dev", "staging", "prod"])
def graph(request: pytest.FixtureRequest) -> Graph:
    """Each stack's primary network (prod also has a DR-region network, tested in test_dr_network)."""
    return primary_network(stack_graph(request.param))


@pytest.fixture(scope="module")
def graphs() -> dict[str, Graph]:
    return {stack: primary_network(stack_graph(stack)) for stack in ("dev", "staging", "prod")}


def primary_network(whole: Graph) -> Graph:
    network = whole.named("quantumvest-network")
    keep = [
        r
        for r in whole
        if r.urn == network.urn
        or network.urn in {a.urn for a in whole.ancestors(r)}
        or r.type.startswith("pulumi:providers:")
    ]
    return Graph(
        stack=whole.stack, resources=keep, outputs=whole.outputs, secret_outputs=whole.secret_outputs
    )


def _build(args: NetworkArgs, region: str = "us-east-1") -> Graph:
    return run(lambda: Network("net", args), region=region)


def test_nat_gateways_per_tier(graph: Graph) -> None:
    assert len(graph.of_type(NAT)) == EXPECTED_NATS[graph.stack]


def test_subnets_per_tier_and_az(graph: Graph) -> None:
    azs = EXPECTED_AZS[graph.stack]
    subnets = graph.of_type(SUBNET)
    for tier in ("public", "private", "database"):
        of_tier = [s for s in subnets if s.inputs["tags"]["Tier"] == tier]
        assert len(of_tier) == azs
        assert len({s.inputs["availabilityZone"] for s in of_tier}) == azs  # one per AZ
        assert not any(s.inputs["mapPublicIpOnLaunch"] for s in of_tier)
    assert graph.outputs["availabilityZones"] == [f"us-east-1{c}" for c in "abc"[:azs]]


def _route_table_of(graph: Graph, subnet_urn: str) -> str:
    subnet = graph.by_urn(subnet_urn)
    (assoc,) = [a for a in graph.of_type(RTA) if a.inputs["subnetId"] == subnet.id]
    return assoc.inputs["routeTableId"]


def test_database_tier_has_no_route_to_internet_or_nat(graph: Graph) -> None:
    database = [s for s in graph.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "database"]
    tables = {_route_table_of(graph, s.urn) for s in database}
    routes = [r for r in graph.of_type(ROUTE) if r.inputs["routeTableId"] in tables]
    assert routes == []
    endpoints = [e for e in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs.get("routeTableIds")]
    # Only gateway endpoints (S3, DynamoDB) reach the database tier's route table.
    assert {e.inputs["vpcEndpointType"] for e in endpoints} == {"Gateway"}
    assert all(tables <= set(e.inputs["routeTableIds"]) for e in endpoints)


def test_private_tier_egresses_through_nat_and_public_through_igw(graph: Graph) -> None:
    igw = graph.one("aws:ec2/internetGateway:InternetGateway")
    nat_ids = {n.id for n in graph.of_type(NAT)}
    enis = {i.outputs["primaryNetworkInterfaceId"] for i in graph.of_type(INSTANCE)}
    private = [s for s in graph.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "private"]
    for subnet in private:
        table = _route_table_of(graph, subnet.urn)
        (route,) = [r for r in graph.of_type(ROUTE) if r.inputs["routeTableId"] == table]
        target = route.inputs.get("natGatewayId") or route.inputs.get("networkInterfaceId")
        assert target in (nat_ids | enis) and route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    public_routes = [r for r in graph.of_type(ROUTE) if r.inputs.get("gatewayId")]
    assert [r.inputs["gatewayId"] for r in public_routes] == [igw.id]


def test_nat_instance_is_hardened_and_admits_only_the_vpc() -> None:
    graph = _build(NetworkArgs(az_count=2, nat_strategy="instance", cidr="10.20.0.0/16"))
    assert graph.of_type(NAT) == []
    nat = graph.one(INSTANCE)
    inputs = nat.inputs
    public = {s.id for s in graph.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "public"}
    assert inputs["subnetId"] in public and inputs["sourceDestCheck"] is False
    assert inputs["instanceType"] == "t4g.small" and inputs["ami"].startswith("ami-")
    assert inputs["metadataOptions"]["httpTokens"] == "required"
    assert inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert inputs["rootBlockDevice"]["encrypted"] is True
    assert "keyName" not in inputs and "iamInstanceProfile" not in inputs  # no SSH, no SSM role
    assert "-s 10.20.0.0/16 -j MASQUERADE" in inputs["userData"]
    (group_id,) = inputs["vpcSecurityGroupIds"]
    ingress = graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert [r.inputs["cidrIpv4"] for r in ingress if r.inputs["securityGroupId"] == group_id] == [
        "10.20.0.0/16"
    ]
    assert graph.one("aws:ec2/eip:Eip").inputs["instance"] == nat.id
    routes = [r for r in graph.of_type(ROUTE) if r.inputs.get("networkInterfaceId")]
    assert len(routes) == 2
    assert {r.inputs["networkInterfaceId"] for r in routes} == {nat.outputs["primaryNetworkInterfaceId"]}


def test_nat_instance_type_must_be_graviton() -> None:
    with pytest.raises(Exception, match=r"'t3\.small' is not a Graviton instance type"):
        NetworkArgs(nat_strategy="instance", nat_instance_type="t3.small")


def test_prod_spreads_nat_one_per_az(graphs: dict[str, Graph]) -> None:
    prod = graphs["prod"]
    nat_subnets = {n.inputs["subnetId"] for n in prod.of_type(NAT)}
    public = {s.id for s in prod.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "public"}
    assert nat_subnets == public


def test_load_balancer_subnet_tags(graph: Graph) -> None:
    for subnet in graph.of_type(SUBNET):
        tier = subnet.inputs["tags"]["Tier"]
        tags = subnet.inputs["tags"]
        assert ("kubernetes.io/role/elb" in tags) == (tier == "public")
        assert ("kubernetes.io/role/internal-elb" in tags) == (tier == "private")


def test_default_security_group_is_taken_over_with_no_rules(graph: Graph) -> None:
    default_sg = graph.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default_sg.inputs.get("ingress", []) == []
    assert default_sg.inputs.get("egress", []) == []


def test_database_nacl_admits_only_private_subnets_on_database_ports(graph: Graph) -> None:
    nacl = graph.one("aws:ec2/networkAcl:NetworkAcl")
    private_cidrs = {
        s.inputs["cidrBlock"] for s in graph.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "private"
    }
    database_cidrs = {
        s.inputs["cidrBlock"] for s in graph.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "database"
    }
    for rule in nacl.inputs["ingress"]:
        assert rule["action"] == "allow"
        if rule["cidrBlock"] in private_cidrs:
            assert rule["fromPort"] == rule["toPort"] and rule["fromPort"] in (5432, 6379)
        else:
            assert rule["cidrBlock"] in database_cidrs
    assert {r["cidrBlock"] for r in nacl.inputs["ingress"]} == private_cidrs | database_cidrs
    database_ids = {s.id for s in graph.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "database"}
    assert set(nacl.inputs["subnetIds"]) == database_ids


def test_subnet_groups_span_the_database_subnets(graph: Graph) -> None:
    database = sorted(
        (s for s in graph.of_type(SUBNET) if s.inputs["tags"]["Tier"] == "database"), key=lambda s: s.name
    )
    database_ids = [s.id for s in database]
    for token in ("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup"):
        assert graph.one(token).inputs["subnetIds"] == database_ids


def test_flow_logs_to_a_log_group_with_tier_retention(graph: Graph) -> None:
    flow = graph.one("aws:ec2/flowLog:FlowLog")
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", "flow-logs")
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    assert flow.inputs["trafficType"] == ("REJECT" if graph.stack == "dev" else "ALL")  # issue 21
    assert group.inputs["retentionInDays"] == {"dev": 30, "staging": 90, "prod": 365}[graph.stack]
    policy = graph.one("aws:iam/rolePolicy:RolePolicy", "flow-logs")
    assert (
        group.outputs["arn"] in policy.inputs["policy"] and '"Resource": "*"' not in policy.inputs["policy"]
    )


def test_interface_endpoints_by_tier(graphs: dict[str, Graph]) -> None:
    def interface(g: Graph) -> list[str]:
        return sorted(
            e.inputs["serviceName"]
            for e in g.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
            if e.inputs["vpcEndpointType"] == "Interface"
        )

    assert interface(graphs["dev"]) == []
    assert len(interface(graphs["prod"])) == 6
    assert "com.amazonaws.us-east-1.ecr.dkr" in interface(graphs["prod"])


def test_every_aws_resource_gets_default_tags_through_the_provider(graph: Graph) -> None:
    providers = graph.of_type("pulumi:providers:aws")
    (primary,) = [p for p in providers if p.name.endswith("-aws")]
    tags = primary.inputs["defaultTags"]["tags"]
    assert {"Project", "Environment", "ManagedBy", "CostCenter", "Owner"} <= set(tags)
    assert tags["Environment"] == graph.stack and tags["ManagedBy"] == "pulumi"
    aws_resources = [r for r in graph if r.custom and r.type.startswith("aws:")]
    assert aws_resources
    provider_urns = {p.urn for p in providers}
    assert all(r.provider in provider_urns for r in aws_resources)


def test_logical_names_derive_from_the_component_and_no_fixed_physical_names(graph: Graph) -> None:
    network = graph.one("quantumvest:network:Network")
    for child in graph.children(network.urn):
        assert child.name.startswith(network.name + "-")
        assert "name" not in child.inputs or child.inputs["name"] == child.outputs.get("name")


def test_vpn_gateway_is_optional() -> None:
    graph = _build(NetworkArgs(enable_vpn_gateway=True, az_count=2, nat_strategy="none"))
    vgw = graph.one("aws:ec2/vpnGateway:VpnGateway")
    propagations = graph.of_type("aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation")
    assert len(propagations) == 2 and all(p.inputs["vpnGatewayId"] == vgw.id for p in propagations)
    assert graph.of_type(NAT) == []


def test_region_with_too_few_azs_fails_clearly() -> None:
    with pytest.raises(Exception, match="offers only 2 availability zones"):
        _build(NetworkArgs(az_count=3), region="us-west-1")


def test_unknown_invoke_raises() -> None:
    with pytest.raises(UnknownInvokeError):
        _build(NetworkArgs(), region="mars-north-1")


def test_dev_nat_instance_is_alarmed_on_its_status_checks() -> None:
    """The path from the NAT instance to the alarm that says the VPC lost its way out."""
    dev = stack_graph("dev")
    (nat,) = dev.of_type(INSTANCE)
    alarms = [
        a
        for a in dev.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs.get("namespace") == "AWS/EC2"
    ]
    assert [(a.inputs["metricName"], a.inputs["dimensions"]) for a in alarms] == [
        ("StatusCheckFailed", {"InstanceId": nat.id})
    ]
    assert alarms[0].inputs["alarmActions"]  # someone hears about it
