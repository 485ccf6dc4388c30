"""Provider limits in the offline run: the names and values the providers would refuse, refused here.

The rules are data (``tools/data/provider-limits.json``, ``tools/data/replacements.json``, each entry
citing its provider source); these tests make sure every type the stacks register has both, that every
physical name the stacks propose fits, and that one that does not fails the run with one line.
"""

from __future__ import annotations

import pytest

from components.cache import Cache, CacheArgs
from components.irsa import AUTONAME_SUFFIX, ROLE_NAME_MAX, ROLE_NAME_PREFIX_MAX, role_name_prefix
from tests.conftest import STACKS, stack_graph
from tests.data_graphs import CACHE_SUBNET_GROUP, NODE_SG, VPC_ID, key_arn
from tools.harness import naming, run
from tools.harness.naming import ProviderLimitError
from tools.rehearse.context import Ctx
from tools.replacements import facts

#: Types beyond what the three stacks register today (the bootstrap program's, settings every stack file
#: leaves off, the ones the platform's components name in their docs): their facts must exist too.
EXPECTED_TYPES = (
    "aws:route53/zone:Zone",
    "aws:route53/record:Record",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:codebuild/project:Project",
    "aws:codebuild/webhook:Webhook",
    "aws:codebuild/sourceCredential:SourceCredential",
    "aws:codeconnections/connection:Connection",
    "aws:ec2clientvpn/endpoint:Endpoint",
    "aws:ec2clientvpn/networkAssociation:NetworkAssociation",
    "aws:ec2clientvpn/authorizationRule:AuthorizationRule",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
    "aws:costexplorer/anomalySubscription:AnomalySubscription",
    "aws:costexplorer/costAllocationTag:CostAllocationTag",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:s3/bucketV2:BucketV2",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:securityhub/account:Account",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
    "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration",
    "kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration",
    "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
)


def _stack_types() -> set[str]:
    return {r.type for stack in STACKS for r in stack_graph(stack) if r.custom}


def test_every_registered_type_has_limits_and_replacement_data() -> None:
    types = _stack_types() | set(EXPECTED_TYPES)
    limits = naming.limits()["types"]
    assert sorted(types - set(limits)) == [], "types without provider-limits data"
    assert sorted(types - set(facts())) == [], "types without replacement data"
    for type_token in types:
        assert limits[type_token]["source"] and facts()[type_token]["source"], type_token


def test_unknown_replacement_data_says_so() -> None:
    """Entries whose replacement rules the data cannot state are marked, never an empty list."""
    unknown = {t for t, e in facts().items() if e["force_new"] is None}
    assert unknown == {"pulumi:providers:kubernetes"}
    assert all(e.get("complete") is False for t, e in facts().items() if t in unknown)


@pytest.mark.parametrize("stack", STACKS)
def test_every_physical_name_fits_its_provider_limit(stack: str) -> None:
    problems = [p for r in stack_graph(stack) if r.custom for p in naming.check(r.type, r.name, r.inputs)]
    assert problems == []


def test_an_over_long_component_name_fails_the_run_with_one_line() -> None:
    name = "quantumvest-cache-for-the-trading-ledger-replay"
    with pytest.raises(ProviderLimitError) as caught:
        run(
            lambda: Cache(
                name,
                CacheArgs(),
                subnet_group_name=CACHE_SUBNET_GROUP,
                vpc_id=VPC_ID,
                client_security_group_id=NODE_SG,
                kms_key_arn=key_arn("us-east-1", "data"),
            )
        )
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("provider limit: aws:elasticache/replicationGroup:ReplicationGroup")
    assert name in message and "allows 40 for replicationGroupId" in message


def test_a_value_outside_an_enumeration_is_refused() -> None:
    import pulumi_aws as aws

    with pytest.raises(ProviderLimitError, match=r"retentionInDays 42 is not allowed"):
        run(lambda: aws.cloudwatch.LogGroup("logs", retention_in_days=42))


def test_the_iam_role_limits_in_the_component_match_the_provider_data() -> None:
    role = naming.rule("aws:iam/role:Role")
    assert role is not None
    assert (role["autoname"]["max_length"], role["prefix"]["max_length"]) == (
        ROLE_NAME_MAX,
        ROLE_NAME_PREFIX_MAX,
    )
    assert 1 + role["autoname"]["random_length"] == AUTONAME_SUFFIX


def test_only_roles_that_could_not_be_created_get_a_name_prefix() -> None:
    roles = stack_graph("staging").of_type("aws:iam/role:Role")
    prefixed = {r.name: r.inputs["namePrefix"] for r in roles if "namePrefix" in r.inputs}
    assert prefixed == {
        "quantumvest-cluster-services-aws-load-balancer-controller-role": "quantumvest-cluster-services-aws-load-"
    }
    assert all(len(r.name) + AUTONAME_SUFFIX <= ROLE_NAME_MAX for r in roles if r.name not in prefixed)
    assert role_name_prefix("x" * 56) is None and role_name_prefix("x" * 57) == "x" * 37 + "-"


def test_the_rehearsal_and_the_mock_engine_give_the_same_physical_names() -> None:
    graph = stack_graph("dev")
    for resource in graph.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        ctx = Ctx(region="us-east-1", name=resource.name, seed="", type=resource.type)
        assert ctx.auto_name(40, lower=True) == resource.outputs["replicationGroupId"]
    sg = graph.of_type("aws:ec2/securityGroup:SecurityGroup")[0]
    assert Ctx(region="us-east-1", name=sg.name, seed="", type=sg.type).auto_name() == sg.outputs["name"]
