"""The DR region's network: the cross-region database replica lives in private database subnets there,
created through the DR provider, never in the region's default VPC."""

from __future__ import annotations

from tests.dr_region import dr_region_graph
from tools.harness import Graph

INSTANCE = "aws:rds/instance:Instance"


def test_a_dr_replica_sits_in_the_dr_networks_database_subnets() -> None:
    prod = dr_region_graph()  # prod with platform.dr_region and no standby (prod's own DR is prod-dr)
    dr_network = prod.one("quantumvest:network:Network", "dr-network")
    (dr_provider,) = [
        p for p in prod.of_type("pulumi:providers:aws") if p.inputs.get("region") == "us-west-2"
    ]
    dr_children = [r for r in prod if r.custom and dr_network.urn in {a.urn for a in prod.ancestors(r)}]
    assert dr_children and all(r.provider == dr_provider.urn for r in dr_children)
    assert not any(
        r.type == "aws:ec2/natGateway:NatGateway" for r in dr_children
    )  # a replica needs no egress
    replica = prod.one(INSTANCE, "dr-replica")
    group = prod.one("aws:rds/subnetGroup:SubnetGroup", "dr-network")
    assert replica.provider == dr_provider.urn
    assert replica.inputs["dbSubnetGroupName"] == group.outputs["name"]
    (dr_sg,) = [s for s in prod.of_type("aws:ec2/securityGroup:SecurityGroup") if s.name.endswith("-dr-sg")]
    assert replica.inputs["vpcSecurityGroupIds"] == [dr_sg.id]
    assert dr_sg.inputs["vpcId"] == prod.outputs["drVpcId"]


def test_stacks_without_a_dr_region_have_no_dr_network(graphs: dict[str, Graph]) -> None:
    for stack in ("dev", "staging", "prod"):
        assert not [r for r in graphs[stack] if r.name.startswith("quantumvest-dr-network")]


def test_every_log_group_in_every_region_is_encrypted_with_a_key_of_its_region(graph: Graph) -> None:
    keys = {k.outputs["arn"]: k for k in graph.of_type("aws:kms/key:Key")}
    for group in graph.of_type("aws:cloudwatch/logGroup:LogGroup"):
        key = keys.get(group.inputs.get("kmsKeyId"))
        assert key is not None, f"{group.name} is not encrypted with one of the platform's keys"
        assert key.provider == group.provider, f"{group.name}: its key is in another region"
