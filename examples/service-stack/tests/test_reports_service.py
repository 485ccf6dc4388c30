"""The reports stack under Pulumi's mocks, with the platform's StackReference mocked: the outputs a
real platform stack exports (names and shapes from the platform's output contract)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pulumi
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

#: How the engine marks a secret value in resource inputs (pulumi.runtime.rpc).
SECRET_SIGNATURE, SECRET_VALUE_SIGNATURE = (
    "4dabf18193072939515e22adb298388d",
    "1b47061264138c4ac30d75fd1eb44270",
)

PLATFORM_OUTPUTS = {
    "kubeconfig": json.dumps(
        {"apiVersion": "v1", "kind": "Config", "clusters": [], "users": [], "contexts": []}
    ),
    "clusterOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
    "clusterOidcProviderUrl": "oidc.eks.us-east-1.amazonaws.com/id/ABC",
    "databaseSubnetCidrs": ["10.10.192.0/20", "10.10.208.0/20"],
    "publicSubnetCidrs": ["10.10.128.0/19", "10.10.160.0/19"],
    "bucketNames": {"logs": "quantumvest-dev-logs-a6cd831b3a30", "assets": "quantumvest-dev-assets-1"},
    "databaseWriterEndpoint": "platform-db.abc.us-east-1.rds.amazonaws.com",
    "databasePort": 5432,
    "databaseMasterSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1",
    "cachePrimaryEndpoint": "master.platform-cache.abc.use1.cache.amazonaws.com",
    "cachePort": 6379,
    "cacheAuthSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:cache-auth",
    "regionalWebAclArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/platform/1",
    "kmsKeyArns": {
        "data": "arn:aws:kms:us-east-1:123456789012:key/d",
        "logs": "arn:aws:kms:us-east-1:123456789012:key/l",
        "secrets": "arn:aws:kms:us-east-1:123456789012:key/s",
    },
}


class PlatformMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.resources.append(args)
        if args.typ == "pulumi:pulumi:StackReference":
            return args.name, {
                **args.inputs,
                "outputs": PLATFORM_OUTPUTS,
                "secretOutputNames": ["kubeconfig"],
            }
        state = dict(args.inputs)
        state.setdefault("arn", f"arn:aws:mock:::{args.name}")
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs):
        answers = {
            "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com"},
            "aws:index/getRegion:getRegion": {"name": "us-east-1", "region": "us-east-1"},
            "aws:index/getCallerIdentity:getCallerIdentity": {"accountId": "123456789012"},
        }
        if args.token not in answers:
            raise NotImplementedError(f"unexpected invoke {args.token}")
        return answers[args.token]


@pytest.fixture(scope="module")
def registered() -> list[pulumi.runtime.MockResourceArgs]:
    mocks = PlatformMocks()
    pulumi.runtime.set_mocks(mocks, project="quantumvest-team-reports", stack="dev", preview=False)
    from reports_service import deploy

    @pulumi.runtime.test
    def program():
        workloads = deploy("organization/quantumvest-infra/dev", image_tag="v1.4.2", region="us-east-1")
        return workloads.namespace

    program()
    return mocks.resources


def _of(registered, token):
    return [r for r in registered if r.typ == token]


def test_the_cluster_provider_uses_the_platforms_kubeconfig(registered) -> None:
    (provider,) = [r for r in registered if r.typ == "pulumi:providers:kubernetes"]
    # The platform exports the kubeconfig as a secret, and it stays one on its way into the provider.
    wrapped = provider.inputs["kubeconfig"]
    assert wrapped[SECRET_SIGNATURE] == SECRET_VALUE_SIGNATURE
    assert json.loads(wrapped["value"]) == json.loads(PLATFORM_OUTPUTS["kubeconfig"])


def test_the_service_runs_pinned_in_its_own_namespace(registered) -> None:
    deployments = _of(registered, "kubernetes:apps/v1:Deployment")
    (reports,) = [d for d in deployments if d.inputs["metadata"]["name"] == "reports"]
    assert reports.inputs["metadata"]["namespace"] == "team-reports"
    container = reports.inputs["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/quantumvest/reports:v1.4.2"


def test_egress_to_the_database_uses_the_platforms_subnets(registered) -> None:
    policies = _of(registered, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    blocks = [
        peer["ipBlock"]["cidr"]
        for policy in policies
        for rule in policy.inputs["spec"].get("egress", [])
        for peer in rule.get("to", [])
        if "ipBlock" in peer
    ]
    assert set(PLATFORM_OUTPUTS["databaseSubnetCidrs"]) <= set(blocks)


def test_irsa_roles_trust_the_platforms_oidc_provider(registered) -> None:
    roles = _of(registered, "aws:iam/role:Role")
    assert roles
    for role in roles:
        statement = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
        assert statement["Principal"]["Federated"] == PLATFORM_OUTPUTS["clusterOidcProviderArn"]


def test_the_load_balancer_reaches_the_pods_from_the_platforms_public_subnets(registered) -> None:
    routes = _of(registered, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")
    (route,) = [r for r in routes if r.inputs["metadata"]["name"] == "reports"]
    assert route.inputs["spec"]["hostnames"] == ["reports.dev.quantumvest.com"]
    policies = _of(registered, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
    sources = [
        peer["ipBlock"]["cidr"]
        for policy in policies
        for rule in policy.inputs["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if "ipBlock" in peer
    ]
    assert sources == PLATFORM_OUTPUTS["publicSubnetCidrs"]
    (config,) = _of(registered, "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration")
    assert config.inputs["spec"]["loadBalancerName"] == "reports-dev"
