"""Small resource graphs built by hand, shaped exactly like the harness records them.

The tools are type-driven: they price, time, diff and render resources by type. These builders make
small graphs, with hand-computable answers, with the real type tokens and the camelCase input names the engine records (checked against pulumi_aws 7
and pulumi_kubernetes 4), so the tests pin the behaviour on known figures.
"""

from __future__ import annotations

from typing import Any

from tools.harness import Graph, Resource

PROJECT = "quantumvest-infra"


class GraphBuilder:
    """Adds resources under a Platform component and an AWS provider, like ``__main__.py`` does."""

    def __init__(self, stack: str = "test", region: str = "us-east-1") -> None:
        self.stack = stack
        self.resources: list[Resource] = []
        self.platform = self.component("quantumvest:platform:Platform", "quantumvest", parent=None)
        self.aws = self.add(
            "pulumi:providers:aws",
            "quantumvest-aws",
            parent=self.platform,
            provider=None,
            inputs={"region": region},
        )

    def urn(self, type_token: str, name: str, parent: Resource | None) -> str:
        chain = f"{parent.type}${type_token}" if parent else type_token
        return f"urn:pulumi:{self.stack}::{PROJECT}::{chain}::{name}"

    def component(self, type_token: str, name: str, parent: Resource | str | None = "platform") -> Resource:
        owner = self.platform if parent == "platform" else parent
        assert owner is None or isinstance(owner, Resource)
        resource = Resource(
            urn=self.urn(type_token, name, owner),
            type=type_token,
            name=name,
            custom=False,
            parent=owner.urn if owner else None,
            provider=None,
            dependencies=[],
            property_dependencies={},
            inputs={},
            secret_paths=set(),
            options={},
        )
        self.resources.append(resource)
        return resource

    def add(
        self,
        type_token: str,
        name: str,
        parent: Resource,
        inputs: dict[str, Any] | None = None,
        depends_on: list[Resource] | tuple[Resource, ...] = (),
        provider: Resource | str | None = "aws",
        secret_paths: set[str] | None = None,
        options: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
    ) -> Resource:
        """A custom resource; ``provider="aws"`` uses the platform's AWS provider."""
        chosen = self.aws if provider == "aws" else provider
        assert chosen is None or isinstance(chosen, Resource)
        urn = self.urn(type_token, name, parent)
        resource = Resource(
            urn=urn,
            type=type_token,
            name=name,
            custom=True,
            parent=parent.urn if parent else None,
            provider=chosen.urn if chosen else None,
            dependencies=[d.urn for d in depends_on],
            property_dependencies={},
            inputs=inputs or {},
            secret_paths=secret_paths or set(),
            options={"protect": False, **(options or {})},
            outputs={"id": f"id-{name}", **(outputs or {})},
            id=f"id-{name}",
        )
        self.resources.append(resource)
        return resource

    def graph(self, outputs: dict[str, Any] | None = None, secret_outputs: set[str] | None = None) -> Graph:
        return Graph(
            stack=self.stack,
            resources=list(self.resources),
            outputs=outputs or {},
            secret_outputs=secret_outputs or set(),
        )


# ------------------------------------------------------------------------- a small platform, two versions


def platform(
    *,
    node_count: int = 2,
    db_encrypted: bool = False,
    logs_bucket: bool = True,
    ledger_service: bool = False,
) -> Graph:
    """A small stack with every area: the knobs are the changes the diff golden tests make."""
    b = GraphBuilder("prod")
    net = b.component("quantumvest:network:Network", "quantumvest-network")
    vpc = b.add("aws:ec2/vpc:Vpc", "quantumvest-network-vpc", net, {"cidrBlock": "10.30.0.0/16"})
    subnet = b.add(
        "aws:ec2/subnet:Subnet",
        "quantumvest-network-private-0",
        net,
        {"vpcId": vpc.id, "cidrBlock": "10.30.0.0/19", "availabilityZone": "us-east-1a"},
        depends_on=[vpc],
    )
    cluster_c = b.component("quantumvest:cluster:Cluster", "quantumvest-cluster")
    cluster = b.add(
        "aws:eks/cluster:Cluster",
        "quantumvest-cluster-eks",
        cluster_c,
        {"version": "1.31", "roleArn": "arn:aws:iam::123456789012:role/eks", "vpcConfig": {"subnetIds": [subnet.id]},
         "upgradePolicy": {"supportType": "STANDARD"}},
        depends_on=[subnet],
    )  # fmt: skip
    b.add(
        "aws:eks/nodeGroup:NodeGroup",
        "quantumvest-cluster-general",
        cluster_c,
        {"clusterName": "quantumvest-cluster-eks", "instanceTypes": ["m6i.large"], "capacityType": "ON_DEMAND",
         "scalingConfig": {"desiredSize": node_count, "minSize": 2, "maxSize": 6}, "subnetIds": [subnet.id]},
        depends_on=[cluster, subnet],
    )  # fmt: skip
    k8s = b.add(
        "pulumi:providers:kubernetes",
        "quantumvest-cluster-k8s",
        cluster_c,
        {"kubeconfig": "[secret]"},
        depends_on=[cluster],
        provider=None,
        secret_paths={"kubeconfig"},
    )
    db_c = b.component("quantumvest:database:Database", "quantumvest-database")
    b.add(
        "aws:rds/instance:Instance",
        "quantumvest-database-primary",
        db_c,
        {"engine": "postgres", "instanceClass": "db.r6g.large", "multiAz": True, "allocatedStorage": 100,
         "storageType": "gp3", "storageEncrypted": db_encrypted, "username": "quantumvest",
         "password": "hunter2-secret-value"},
        depends_on=[subnet],
        secret_paths={"password"},
        options={"protect": True},
    )  # fmt: skip
    storage_c = b.component("quantumvest:storage:Storage", "quantumvest-storage")
    b.add("aws:s3/bucketV2:BucketV2", "quantumvest-storage-assets", storage_c, {"bucketPrefix": "assets-"})
    if logs_bucket:
        b.add("aws:s3/bucketV2:BucketV2", "quantumvest-storage-logs", storage_c, {"bucketPrefix": "logs-"})
    work = b.component("quantumvest:workloads:Workloads", "quantumvest-workloads")
    ns = b.add(
        "kubernetes:core/v1:Namespace", "quantumvest-workloads-ns", work,
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "quantumvest"}}, provider=k8s,
    )  # fmt: skip
    services = ["api", "ledger"] if ledger_service else ["api"]
    for service in services:
        b.add(
            "kubernetes:apps/v1:Deployment",
            f"quantumvest-workloads-{service}",
            work,
            deployment(service),
            depends_on=[ns],
            provider=k8s,
        )
        b.add(
            "kubernetes:core/v1:Service",
            f"quantumvest-workloads-{service}-svc",
            work,
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": service, "namespace": "quantumvest"},
             "spec": {"selector": {"app": service}, "ports": [{"port": 80, "targetPort": 8080}]}},
            depends_on=[ns],
            provider=k8s,
        )  # fmt: skip
    return b.graph(
        outputs={"vpcId": vpc.id, "dbPassword": "hunter2-secret-value"}, secret_outputs={"dbPassword"}
    )


def deployment(service: str, replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service, "namespace": "quantumvest", "labels": {"app": service}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": service}},
            "template": {
                "metadata": {"labels": {"app": service}},
                "spec": {
                    "containers": [
                        {
                            "name": service,
                            "image": f"123456789012.dkr.ecr.us-east-1.amazonaws.com/{service}:1.0.0",
                            "ports": [{"containerPort": 8080}],
                            "resources": {"requests": {"cpu": "250m", "memory": "256Mi"}},
                        }
                    ]
                },
            },
        },
    }
