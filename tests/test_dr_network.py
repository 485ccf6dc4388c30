"""The DR region's network: private database subnets there, created through the DR provider (never the
region's default VPC), for the DR stack's database standby."""

from __future__ import annotations

from tests.dr_region import dr_region_graph
from tools.harness import Graph


def test_the_dr_network_is_private_and_built_through_the_dr_provider() -> None:
    prod = dr_region_graph()  # prod with platform.dr_region and no standby (prod's own DR is prod-dr)
    dr_network = prod.one("quantumvest:network:Network", "dr-network")
    (dr_provider,) = [
        p for p in prod.of_type("pulumi:providers:aws") if p.inputs.get("region") == "us-west-2"
    ]
    dr_children = [r for r in prod if r.custom and dr_network.urn in {a.urn for a in prod.ancestors(r)}]
    assert dr_children and all(r.provider == dr_provider.urn for r in dr_children)
    assert not any(
        r.type == "aws:ec2/natGateway:NatGateway" for r in dr_children
    )  # a standby initiates nothing
    group = prod.one("aws:rds/subnetGroup:SubnetGroup", "dr-network")
    assert group.provider == dr_provider.urn
    # prod owns no database there: the standby is the DR stack's (docs/decisions/database-topology.md)
    assert not [r for r in prod.of_type("aws:rds/cluster:Cluster") if r.provider == dr_provider.urn]


def test_stacks_without_a_dr_region_have_no_dr_network(graphs: dict[str, Graph]) -> None:
    for stack in ("dev", "staging", "prod"):
        assert not [r for r in graphs[stack] if r.name.startswith("quantumvest-dr-network")]


def test_every_log_group_in_every_region_is_encrypted_with_a_key_of_its_region(graph: Graph) -> None:
    keys = {k.outputs["arn"]: k for k in graph.of_type("aws:kms/key:Key")}
    for group in graph.of_type("aws:cloudwatch/logGroup:LogGroup"):
        key = keys.get(group.inputs.get("kmsKeyId"))
        assert key is not None, f"{group.name} is not encrypted with one of the platform's keys"
        assert key.provider == group.provider, f"{group.name}: its key is in another region"
