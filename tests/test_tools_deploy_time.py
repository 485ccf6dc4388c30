"""`deploy-time`: the critical path of a from-scratch `pulumi up`, on a graph whose answer is known."""

from __future__ import annotations

import pytest

from tests.synthetic import GraphBuilder
from tools import deploy_time
from tools.harness import Graph


def _known_graph() -> Graph:
    """vpc 0.1 -> subnet 0.1 -> {RDS Multi-AZ 17, EKS 9.5 -> node group 2.5}; a Deployment via the k8s provider.

    Slowest chain: vpc -> subnet -> rds = 17.2 min. Sum of all work: 0.1+0.1+17+9.5+2.5+1.0 = 30.2 min.
    """
    b = GraphBuilder()
    area = b.component("quantumvest:platform-part:Part", "part")
    vpc = b.add("aws:ec2/vpc:Vpc", "vpc", area)
    subnet = b.add("aws:ec2/subnet:Subnet", "subnet", area, depends_on=[vpc])
    b.add("aws:rds/instance:Instance", "rds", area, {"multiAz": True}, depends_on=[subnet])
    eks = b.add("aws:eks/cluster:Cluster", "eks", area, depends_on=[subnet])
    b.add("aws:eks/nodeGroup:NodeGroup", "nodes", area, depends_on=[eks])
    k8s = b.add("pulumi:providers:kubernetes", "k8s", area, depends_on=[eks], provider=None)
    b.add("kubernetes:apps/v1:Deployment", "api", area, {"spec": {}}, provider=k8s)
    return b.graph()


def test_known_critical_path_and_lower_bound() -> None:
    result = deploy_time.schedule(_known_graph(), parallelism=64)
    assert result.lower_bound == pytest.approx(17.2)
    assert result.finish == pytest.approx(17.2)  # enough slots: nothing waits, the estimate is the bound
    assert [s.resource.name for s in result.chain] == ["vpc", "subnet", "rds"]
    steps = {urn.rsplit("::", 1)[-1]: s for urn, s in result.steps.items()}
    assert steps["nodes"].start == pytest.approx(9.7)  # waits for the cluster
    assert steps["api"].start == pytest.approx(9.7)  # waits for the cluster through its provider


def test_one_operation_at_a_time_is_the_sum_of_all_work() -> None:
    result = deploy_time.schedule(_known_graph(), parallelism=1)
    assert result.finish == pytest.approx(30.2)
    assert result.finish >= result.lower_bound


def test_parallelism_limit_delays_the_chain() -> None:
    """Two slots: rds and eks start together at 0.2; then the node group and the Deployment share one slot."""
    result = deploy_time.schedule(_known_graph(), parallelism=2)
    assert result.finish == pytest.approx(17.2)
    steps = {s.resource.name: s for s in result.steps.values()}
    assert steps["api"].waited_for_slot == pytest.approx(
        2.5
    )  # behind the node group, rds holds the other slot
    assert deploy_time.schedule(_known_graph(), parallelism=1).finish > result.finish


def test_custom_parent_and_component_dependencies_are_waits() -> None:
    b = GraphBuilder()
    area = b.component("quantumvest:a:A", "a")
    other = b.component("quantumvest:b:B", "b")
    eks = b.add("aws:eks/cluster:Cluster", "eks", area)
    child = b.add("aws:eks/addon:Addon", "addon", eks)  # parent is a custom resource
    b.add("aws:ec2/natGateway:NatGateway", "nat", other)
    late = b.add("aws:iam/role:Role", "role", area, depends_on=[other])  # depends on a component
    steps = {s.resource.name: s for s in deploy_time.schedule(b.graph(), parallelism=8).steps.values()}
    assert steps[child.name].start == pytest.approx(9.5)
    assert steps[late.name].start == pytest.approx(1.75)  # waits for everything inside component b


def test_rds_variants_use_their_own_times() -> None:
    table = deploy_time.Durations()
    b = GraphBuilder()
    area = b.component("quantumvest:a:A", "a")
    single = b.add("aws:rds/instance:Instance", "single", area, {})
    multi = b.add("aws:rds/instance:Instance", "multi", area, {"multiAz": True})
    replica = b.add("aws:rds/instance:Instance", "replica", area, {"replicateSourceDb": "x"})
    assert [table.of(r).median for r in (single, multi, replica)] == [6.0, 17.0, 14.0]


def test_default_parallelism_follows_pulumi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PULUMI_PARALLEL", "3")
    assert deploy_time.default_parallelism() == 3
    monkeypatch.delenv("PULUMI_PARALLEL")
    monkeypatch.setattr(deploy_time.os, "cpu_count", lambda: 4)
    assert deploy_time.default_parallelism() == 16


def test_real_stacks_estimate_is_at_least_the_lower_bound(graph: Graph) -> None:
    result = deploy_time.estimate(graph)
    assert result.lower_bound > 0
    assert result.minutes >= result.lower_bound - 1e-9
    assert result.low <= result.minutes <= result.high
    nat = 1.75
    assert result.lower_bound >= nat  # a NAT gateway lies on the path to the private default routes
    assert result.chain[-1].finish == pytest.approx(result.minutes)


def test_aurora_instances_are_created_in_parallel_after_the_cluster() -> None:
    """Aurora's chain is cluster -> instances side by side, not primary -> replica (17 + 14 min)."""
    b = GraphBuilder()
    area = b.component("quantumvest:data:Database", "db")
    cluster = b.add("aws:rds/cluster:Cluster", "db-cluster", area, {})
    for name in ("writer", "reader-0", "reader-1"):
        b.add("aws:rds/clusterInstance:ClusterInstance", f"db-{name}", area, {}, depends_on=[cluster])
    result = deploy_time.estimate(b.graph(), parallelism=8)
    table = deploy_time.Durations()
    cluster_minutes = table.of(cluster).median
    instance_minutes = table.of(b.graph().one("aws:rds/clusterInstance:ClusterInstance", "writer")).median
    assert result.lower_bound == pytest.approx(cluster_minutes + instance_minutes)
    assert [s.resource.type.rsplit(":", 1)[1] for s in result.chain] == ["Cluster", "ClusterInstance"]
