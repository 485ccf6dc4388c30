"""`cost`: per-type pricing checked against figures computed by hand from the price table."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.synthetic import GraphBuilder
from tools import cost
from tools.errors import ToolError
from tools.harness import Graph
from tools.pricing import PriceTable, Usage, load_usage

NAT_GB = 100


def _small_stack() -> Graph:
    """NAT, EKS, a spot node group, a Multi-AZ RDS primary with a read replica, Redis with 3 nodes."""
    b = GraphBuilder("prod")
    net = b.component("quantumvest:network:Network", "net")
    b.add(
        "aws:ec2/natGateway:NatGateway",
        "net-nat-0",
        net,
        {"subnetId": "subnet-1", "allocationId": "eipalloc-1"},
    )
    b.add("aws:ec2/subnet:Subnet", "net-private-0", net, {"cidrBlock": "10.0.0.0/19"})
    cluster = b.component("quantumvest:cluster:Cluster", "cluster")
    b.add("aws:eks/cluster:Cluster", "cluster-eks", cluster, {"upgradePolicy": {"supportType": "STANDARD"}})
    b.add(
        "aws:eks/nodeGroup:NodeGroup",
        "cluster-spot",
        cluster,
        {
            "instanceTypes": ["m6i.large"],
            "capacityType": "SPOT",
            "diskSize": 50,
            "scalingConfig": {"desiredSize": 3, "minSize": 1, "maxSize": 6},
        },
    )
    b.add("aws:iam/role:Role", "cluster-node-role", cluster, {"assumeRolePolicy": "{}"})
    db = b.component("quantumvest:database:Database", "database")
    b.add(
        "aws:rds/instance:Instance",
        "database-primary",
        db,
        {
            "engine": "postgres",
            "instanceClass": "db.r6g.large",
            "multiAz": True,
            "allocatedStorage": 100,
            "storageType": "gp3",
        },
        outputs={"identifier": "database-primary-1234567"},
    )
    b.add(
        "aws:rds/instance:Instance",
        "database-replica-0",
        db,
        {"instanceClass": "db.r6g.large", "replicateSourceDb": "database-primary-1234567"},
    )
    cache = b.component("quantumvest:cache:Cache", "cache")
    b.add(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "cache-redis",
        cache,
        {"engine": "redis", "nodeType": "cache.r6g.large", "numCacheClusters": 3},
    )
    return b.graph()


USAGE = Usage(
    source="test", type_defaults={"aws:ec2/natGateway:NatGateway": {"monthly_data_processed_gb": NAT_GB}}
)

# Hand-computed from tools/data/prices-us-east-1.json (730 h/month):
EXPECTED = {
    # 730 x 0.045 + 100 GB x 0.045
    "net-nat-0": 32.85 + 4.50,
    # standard support: 730 x 0.10
    "cluster-eks": 73.00,
    # 3 nodes x 730 h x (0.096 x 0.35) = 73.584; root volumes 3 x 50 GB gp2 x 0.10 = 15.00
    "cluster-spot": 88.58,
    # Multi-AZ: 2 x 730 x 0.225 = 328.50; storage 2 x 100 GB x 0.115 = 23.00
    "database-primary": 351.50,
    # replica, single-AZ: 730 x 0.225 = 164.25; inherits 100 GB gp3 storage: 11.50
    "database-replica-0": 175.75,
    # 3 nodes x 730 x 0.206
    "cache-redis": 451.14,
}


def test_small_stack_matches_hand_computed_figures() -> None:
    report = cost.estimate(_small_stack(), USAGE)
    got = {line.name: line.monthly for line in report.lines}
    assert got == pytest.approx(EXPECTED, abs=0.005)
    assert report.total == pytest.approx(1177.32, abs=0.005)
    assert report.by_component() == pytest.approx(
        {"net": 37.35, "cluster": 161.58, "database": 527.25, "cache": 451.14}, abs=0.005
    )
    assert report.not_priced == []
    assert report.free == 3  # the subnet, the IAM role and the AWS provider


def test_spot_multi_az_and_replica_rules_are_what_move_the_figures() -> None:
    report = {line.name: line for line in cost.estimate(_small_stack(), USAGE).lines}
    spot_item = report["cluster-spot"].items[0]
    assert spot_item.unit_price == pytest.approx(0.096 * 0.35)
    assert spot_item.quantity == 3 * 730
    primary = report["database-primary"].items
    assert [i.quantity for i in primary] == [2 * 730, 200]  # two instances, twice the storage
    replica = report["database-replica-0"].items
    assert [i.quantity for i in replica] == [730, 100]  # one instance, the source's storage


def test_missing_usage_is_listed_not_silently_zero() -> None:
    report = cost.estimate(_small_stack(), Usage(source="empty"))
    nat = next(line for line in report.lines if line.name == "net-nat-0")
    assert nat.monthly == 32.85
    assert nat.missing_usage == ["monthly_data_processed_gb"]
    assert "net-nat-0.monthly_data_processed_gb" in cost.format_report(report)


def test_unknown_and_unpriceable_types_are_listed_with_a_reason() -> None:
    b = GraphBuilder()
    area = b.component("quantumvest:data:Data", "data")
    b.add("aws:sqs/queue:Queue", "data-queue", area, {})
    b.add(
        "aws:rds/instance:Instance", "data-mysql", area, {"engine": "mysql", "instanceClass": "db.r6g.large"}
    )
    b.add("aws:eks/nodeGroup:NodeGroup", "data-gpu", area, {"instanceTypes": ["p5.48xlarge"]})
    b.add("kubernetes:helm.sh/v3:Release", "data-chart", area, {"chart": "some-controller"}, provider=None)
    report = cost.estimate(b.graph(), Usage(source="empty"))
    reasons = {n.name: n.reason for n in report.not_priced}
    assert set(reasons) == {"data-queue", "data-mysql", "data-gpu", "data-chart"}
    assert "no pricing rule" in reasons["data-queue"]
    assert "mysql" in reasons["data-mysql"]
    assert "p5.48xlarge" in reasons["data-gpu"]
    assert report.lines == []


def test_valkey_extended_support_and_other_regions_are_noted() -> None:
    b = GraphBuilder()
    area = b.component("quantumvest:cache:Cache", "cache")
    b.add(
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "cache-valkey",
        area,
        {"engine": "valkey", "nodeType": "cache.r6g.large", "numNodeGroups": 2, "replicasPerNodeGroup": 1},
    )
    b.add(
        "aws:eks/cluster:Cluster",
        "cache-eks",
        area,
        {},
    )
    b.add("aws:ec2/natGateway:NatGateway", "cache-dr-nat", area, {"region": "us-west-2"})
    report = {line.name: line for line in cost.estimate(b.graph(), Usage(source="empty")).lines}
    # 2 shards x 2 nodes x 730 x 0.206 x 0.8
    assert report["cache-valkey"].monthly == pytest.approx(round(4 * 730 * 0.206 * 0.8, 2))
    assert any("EXTENDED" in note for note in report["cache-eks"].notes)
    assert any("us-west-2" in note for note in report["cache-dr-nat"].notes)


def test_kubernetes_volumes_and_load_balancers_are_priced_from_the_objects() -> None:
    b = GraphBuilder()
    work = b.component("quantumvest:workloads:Workloads", "work")
    b.add(
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "work-gp3",
        work,
        {"metadata": {"name": "gp3"}, "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3"}},
        provider=None,
    )
    b.add(
        "kubernetes:apps/v1:StatefulSet",
        "work-timescale",
        work,
        {"spec": {"replicas": 3, "volumeClaimTemplates": [
            {"metadata": {"name": "data"}, "spec": {"storageClassName": "gp3", "resources": {"requests": {"storage": "100Gi"}}}}
        ]}},
        provider=None,
    )  # fmt: skip
    for name in ("work-api", "work-web"):
        b.add(
            "kubernetes:networking.k8s.io/v1:Ingress",
            name,
            work,
            {
                "metadata": {"annotations": {"alb.ingress.kubernetes.io/group.name": "public"}},
                "spec": {"ingressClassName": "alb"},
            },
            provider=None,
        )
    b.add(
        "kubernetes:networking.k8s.io/v1:Ingress",
        "work-internal",
        work,
        {"spec": {"ingressClassName": "in-cluster"}},
        provider=None,
    )
    for name, controller in (
        ("work-alb-class", "gateway.k8s.aws/alb"),
        ("work-mesh-class", "example.com/mesh"),
    ):
        b.add(
            "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
            name,
            work,
            {"metadata": {"name": name.removeprefix("work-")}, "spec": {"controllerName": controller}},
            provider=None,
        )
    for name, class_name in (("work-edge", "alb-class"), ("work-mesh", "mesh-class")):
        b.add(
            "kubernetes:gateway.networking.k8s.io/v1:Gateway",
            name,
            work,
            {"spec": {"gatewayClassName": class_name}},
            provider=None,
        )
    usage = Usage(
        source="test",
        type_defaults={
            "kubernetes:networking.k8s.io/v1:Ingress": {"average_lcus": 2},
            "kubernetes:gateway.networking.k8s.io/v1:Gateway": {"average_lcus": 3},
        },
    )
    report = {line.name: line for line in cost.estimate(b.graph(), usage).lines}
    assert report["work-timescale"].monthly == pytest.approx(3 * 100 * 0.08)  # 3 volumes x 100 GB gp3
    # one ALB for the group: 730 x 0.0225 + 2 LCU x 730 x 0.008, on its first member only
    assert report["work-api"].monthly == pytest.approx(round(730 * 0.0225 + 2 * 730 * 0.008, 2))
    assert report["work-web"].monthly == 0 and "shares the ALB" in report["work-web"].notes[0]
    assert "work-internal" not in report
    # A Gateway of the controller's ALB class is one ALB; an in-cluster gateway costs nothing extra.
    assert report["work-edge"].monthly == pytest.approx(round(730 * 0.0225 + 3 * 730 * 0.008, 2))
    assert "work-mesh" not in report


def test_storage_quantities() -> None:
    assert cost.storage_gb("20Gi") == 20
    assert cost.storage_gb("512Mi") == 0.5
    assert cost.storage_gb("1Ti") == 1024
    with pytest.raises(cost.Unpriceable):
        cost.storage_gb("lots")


def test_usage_file_typos_are_rejected_with_the_key(tmp_path: Path) -> None:
    path = tmp_path / "usage.yml"
    path.write_text(
        "version: 0.1\nresource_type_default_usage:\n  aws:ec2/natGateway:NatGateway:\n    monthly_gb: 5\n"
    )
    with pytest.raises(
        ToolError,
        match=r"natGateway:NatGateway\.monthly_gb: unknown usage key; allowed: monthly_data_processed_gb",
    ):
        cost.estimate(_small_stack(), load_usage(path, "prod"))


def test_usage_file_stack_overrides_win(tmp_path: Path) -> None:
    path = tmp_path / "usage.yml"
    path.write_text(
        "version: 0.1\n"
        "resource_type_default_usage: {'aws:ec2/natGateway:NatGateway': {monthly_data_processed_gb: 10}}\n"
        "resource_usage: {net-nat-0: {monthly_data_processed_gb: 20}}\n"
        "stacks: {prod: {resource_usage: {net-nat-0: {monthly_data_processed_gb: 1000}}}}\n"
    )
    assert load_usage(path, "prod").for_resource("aws:ec2/natGateway:NatGateway", "net-nat-0") == {
        "monthly_data_processed_gb": 1000
    }
    assert load_usage(path, "dev").for_resource("aws:ec2/natGateway:NatGateway", "net-nat-0") == {
        "monthly_data_processed_gb": 20
    }
    assert load_usage(path, "dev").for_resource("aws:ec2/natGateway:NatGateway", "other") == {
        "monthly_data_processed_gb": 10
    }


def test_bad_usage_values_are_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "usage.yml"
    path.write_text("version: 0.1\nresource_usage: {net-nat-0: {monthly_data_processed_gb: lots}}\n")
    with pytest.raises(
        ToolError, match=r"resource_usage\.net-nat-0\.monthly_data_processed_gb = 'lots': must be a number"
    ):
        load_usage(path, "dev")


def test_project_usage_file_and_real_stacks(graph: Graph) -> None:
    """The shipped usage file is valid for every stack; every resource is priced, free or listed."""
    report = cost.estimate(graph, load_usage(None, graph.stack))
    nat_type = "aws:ec2/instance:Instance" if graph.stack == "dev" else "aws:ec2/natGateway:NatGateway"
    nats = [line for line in report.lines if line.type == nat_type]  # dev: a NAT instance (issue 21)
    assert nats and all(not line.missing_usage for line in nats)
    assert all(item.reason for item in report.not_priced)
    custom = sum(1 for r in graph if r.custom)
    assert len(report.lines) + len(report.not_priced) + report.free == custom  # nothing silently dropped
    assert report.total == pytest.approx(sum(line.monthly for line in report.lines), abs=0.01)


def test_prices_come_from_the_dated_project_copy() -> None:
    table = PriceTable()
    assert table.path.parent.name == "data" and table.dated == "2026-08-08"
    assert table.data["_about"]["sources"], "the copied price table keeps its sources"


def test_default_report_is_a_table_of_components_and_verbose_lists_every_resource() -> None:
    report = cost.estimate(_small_stack(), USAGE)
    short = cost.format_report(report).splitlines()
    long = cost.format_report(report, verbose=True).splitlines()
    assert not any("cluster-spot" in line for line in short)  # resources only with --verbose
    assert any(line.split()[:1] == ["cluster"] and line.endswith("$161.58") for line in short)
    assert any("cluster-spot" in line and "$88.58" in line for line in long)
    assert any("730.00 hours" in line or "2,190.00 hours" in line for line in long)
    table = short[short.index(next(line for line in short if "component" in line and "monthly" in line)) :]
    table = table[: table.index("")]
    assert len({len(line.rstrip()) for line in table}) == 1  # the monthly column is right-aligned


def test_a_reason_shared_by_many_resources_is_said_once() -> None:
    b = GraphBuilder()
    area = b.component("quantumvest:data:Data", "data")
    for chart in ("a", "b", "c"):
        b.add("kubernetes:helm.sh/v3:Release", f"data-{chart}", area, {"chart": chart}, provider=None)
    text = cost.format_report(cost.estimate(b.graph(), Usage(source="empty")))
    (line,) = [line for line in text.splitlines() if "Helm chart" in line]
    assert line.strip().startswith("3 x Release:")


def test_infrequent_access_log_groups_ingest_at_half_the_standard_rate() -> None:
    b = GraphBuilder()
    area = b.component("quantumvest:monitoring:Monitoring", "mon")
    b.add("aws:cloudwatch/logGroup:LogGroup", "mon-standard", area, {"retentionInDays": 14})
    b.add(
        "aws:cloudwatch/logGroup:LogGroup",
        "mon-ia",
        area,
        {"retentionInDays": 14, "logGroupClass": "INFREQUENT_ACCESS"},
    )
    usage = Usage(
        source="test", type_defaults={"aws:cloudwatch/logGroup:LogGroup": {"monthly_data_ingested_gb": 10}}
    )
    report = {line.name: line for line in cost.estimate(b.graph(), usage).lines}
    stored = 10 * 14 / 30.4 * 0.03  # storage is billed at the same rate in both classes
    assert report["mon-standard"].monthly == pytest.approx(round(10 * 0.50 + stored, 2))
    assert report["mon-ia"].monthly == pytest.approx(round(10 * 0.25 + stored, 2))
    assert report["mon-ia"].items[0].label == "Ingestion (Infrequent Access class)"


def _aurora_stack(storage_type: str | None = None) -> Graph:
    """An Aurora cluster with a db.r6g.xlarge writer, a reader, and a Serverless v2 instance."""
    b = GraphBuilder("prod")
    area = b.component("quantumvest:data:Database", "database")
    cluster_inputs = {
        "engine": "aurora-postgresql",
        **({"storageType": storage_type} if storage_type else {}),
    }
    cluster = b.add("aws:rds/cluster:Cluster", "database-cluster", area, cluster_inputs)
    for name, instance_class in (
        ("writer", "db.r6g.xlarge"),
        ("reader-0", "db.r6g.xlarge"),
        ("sv2", "db.serverless"),
    ):
        b.add(
            "aws:rds/clusterInstance:ClusterInstance",
            f"database-{name}",
            area,
            {"clusterIdentifier": cluster.id, "instanceClass": instance_class, "engine": "aurora-postgresql"},
        )
    b.add("aws:rds/globalCluster:GlobalCluster", "database-global", area, {"engine": "aurora-postgresql"})
    return b.graph()


def test_aurora_bills_instances_once_storage_by_use_and_io_on_standard() -> None:
    usage = Usage(
        source="test",
        type_defaults={
            "aws:rds/cluster:Cluster": {"storage_gb": 1000, "monthly_io_requests_millions": 800},
            "aws:rds/clusterInstance:ClusterInstance": {"average_acus": 0.5},
        },
    )
    report = {line.name: line.monthly for line in cost.estimate(_aurora_stack(), usage).lines}
    # by hand: 0.519 x 730; 0.5 ACU x 730 x 0.12; 1000 GB x 0.10 + 800 M x 0.20
    assert report == pytest.approx(
        {
            "database-writer": 378.87,
            "database-reader-0": 378.87,
            "database-sv2": 43.80,
            "database-cluster": 260.0,
        },
        abs=0.005,
    )
    optimized = {
        line.name: line.monthly for line in cost.estimate(_aurora_stack("aurora-iopt1"), usage).lines
    }
    # I/O-Optimized: instances x 1.3, storage at 0.225, no I/O charge
    assert optimized["database-writer"] == pytest.approx(0.519 * 1.3 * 730, abs=0.005)
    assert optimized["database-cluster"] == pytest.approx(225.0, abs=0.005)
