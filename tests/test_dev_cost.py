"""Issue 21 item 1: what dev costs by the cost tool (the real stacks, the project's usage file), with every
component on in every tier, and the dev-only savings staying out of staging and prod."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.cluster_iam import PREFIX_DELEGATION_ENV
from tools import cost
from tools.cost import CostReport
from tools.harness import Graph
from tools.pricing import load_usage

#: The issue's target for dev, every component on.
DEV_TARGET_USD = 200.00
#: What dev measures today (docs/decisions/dev-cost.md): a ratchet, so a change that makes dev dearer
#: has to move this figure on purpose (and say why in the decision note).
DEV_CEILING_USD = 236.10

#: Priced types that must appear in every stack: (component, type, how many at least).
EVERY_TIER = (
    ("quantumvest-cluster", "aws:eks/cluster:Cluster", 1),
    ("quantumvest-cluster", "aws:eks/nodeGroup:NodeGroup", 1),
    ("quantumvest-cache", "aws:elasticache/replicationGroup:ReplicationGroup", 1),
    ("quantumvest-storage", "aws:s3/bucket:Bucket", 1),
    ("quantumvest-storage", "aws:efs/fileSystem:FileSystem", 1),
    ("quantumvest-storage", "aws:cloudfront/distribution:Distribution", 1),
    ("quantumvest-security", "aws:wafv2/webAcl:WebAcl", 2),  # the ALB's and CloudFront's
    ("quantumvest-security", "aws:kms/key:Key", 1),
    ("quantumvest-workloads", "kubernetes:gateway.networking.k8s.io/v1:Gateway", 1),  # the edge ALB
    ("quantumvest-monitoring", "aws:cloudwatch/dashboard:Dashboard", 1),
    ("quantumvest-monitoring", "aws:cloudwatch/metricAlarm:MetricAlarm", 1),
    ("quantumvest-monitoring", "aws:cloudwatch/logGroup:LogGroup", 1),
    ("quantumvest-ci-runner", "aws:codebuild/project:Project", 1),
)

_REPORTS: dict[str, CostReport] = {}


def _report(graph: Graph) -> CostReport:
    if graph.stack not in _REPORTS:
        _REPORTS[graph.stack] = cost.estimate(graph, load_usage(None, graph.stack))
    return _REPORTS[graph.stack]


def test_dev_stays_at_or_below_its_measured_cost(graphs: dict[str, Graph]) -> None:
    total = _report(graphs["dev"]).total
    assert total <= DEV_CEILING_USD, f"dev costs ${total:,.2f}; the recorded figure is ${DEV_CEILING_USD}"


@pytest.mark.xfail(
    strict=True,
    reason="issue 21 item 1 is open: dev is ~$235 with every component on and a derived dev usage model; "
    "what is left is mostly fixed (EKS control plane, WAF, ALB; docs/decisions/dev-cost.md). Remove this "
    "marker when it passes.",
)
def test_dev_meets_the_issue_target(graphs: dict[str, Graph]) -> None:
    assert _report(graphs["dev"]).total <= DEV_TARGET_USD


def test_every_tier_keeps_every_component(graph: Graph) -> None:
    """The cheaper dev and the unchanged staging/prod all keep cluster, database, cache, storage, CDN,
    WAF, edge, monitoring, CI runner and network egress."""
    report = _report(graph)
    for component, type_token, at_least in EVERY_TIER:
        found = [x for x in report.lines if x.component == component and x.type == type_token]
        assert len(found) >= at_least, f"{graph.stack}: {component} has {len(found)} {type_token}"
    database = [x for x in [*report.lines, *report.not_priced] if x.component == "quantumvest-database"]
    assert database, f"{graph.stack}: no database resource with a cost"
    egress = {x.type for x in report.lines if x.component == "quantumvest-network"}
    assert egress & {"aws:ec2/natGateway:NatGateway", "aws:ec2/instance:Instance"}


def test_dev_savings_stay_in_dev(graphs: dict[str, Graph]) -> None:
    """Infrequent Access log groups and the NAT instance are dev's; staging and prod keep Standard log
    groups (Live Tail, filters) and managed NAT gateways."""
    dev = graphs["dev"]
    ia = [g.name for g in dev.of_type("aws:cloudwatch/logGroup:LogGroup") if _ia(g.inputs)]
    assert any(name.startswith("quantumvest-monitoring-logs-") for name in ia)
    assert "quantumvest-ci-runner-logs" in ia
    (nat,) = dev.of_type("aws:ec2/instance:Instance")
    assert nat.inputs["instanceType"] == "t4g.micro"
    for stack in ("staging", "prod"):
        graph = graphs[stack]
        assert not [g.name for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup") if _ia(g.inputs)]
        assert graph.of_type("aws:ec2/natGateway:NatGateway") and not graph.of_type(
            "aws:ec2/instance:Instance"
        )


def _ia(inputs: dict[str, object]) -> bool:
    return inputs.get("logGroupClass") == "INFREQUENT_ACCESS"


def test_dev_uses_prefix_delegation_and_lets_eks_compute_max_pods(graphs: dict[str, Graph]) -> None:
    """Dev's 4 GiB nodes are workable only with VPC CNI prefix delegation (17 pods a t4g.medium without
    it). The kubelet's maxPods must then come from the managed node group, which accounts for prefix
    delegation (110 below 30 vCPUs): a launch template naming an AMI or carrying user data would
    bypass that and leave the ENI-based 17. Staging and prod keep one IP per ENI slot."""
    for stack, graph in graphs.items():
        config = json.loads(graph.one("aws:eks/addon:Addon", "vpc-cni").inputs["configurationValues"])
        env = config.get("env", {})
        if stack != "dev":
            assert "ENABLE_PREFIX_DELEGATION" not in env, stack
            continue
        assert {k: env.get(k) for k in PREFIX_DELEGATION_ENV} == PREFIX_DELEGATION_ENV
        templates = graph.of_type("aws:ec2/launchTemplate:LaunchTemplate")
        assert templates
        for template in templates:
            assert not template.inputs.get("imageId") and not template.inputs.get("userData"), template.name
        (group,) = graph.of_type("aws:eks/nodeGroup:NodeGroup")
        assert group.inputs["amiType"].startswith("AL2023_")  # nodeadm (AL2023) reads EKS's maxPods


def test_flow_logs_record_rejected_traffic_only_in_dev(graphs: dict[str, Graph]) -> None:
    for stack, graph in graphs.items():
        flow_logs = graph.of_type("aws:ec2/flowLog:FlowLog")
        assert flow_logs, stack
        for flow_log in flow_logs:
            assert flow_log.inputs["trafficType"] == ("REJECT" if stack == "dev" else "ALL"), flow_log.name


def test_every_dev_log_group_has_a_derived_figure(graphs: dict[str, Graph]) -> None:
    """Dev's usage model gives each log group its own figure (their volumes differ by orders of
    magnitude); a new or renamed group would silently fall back to the blanket default."""
    document = yaml.safe_load((Path(__file__).parents[1] / "cost-usage.yml").read_text())
    named = document["stacks"]["dev"]["resource_usage"]
    groups = [g.name for g in graphs["dev"].of_type("aws:cloudwatch/logGroup:LogGroup")]
    assert groups
    missing = [name for name in groups if "monthly_data_ingested_gb" not in named.get(name, {})]
    assert not missing, f"dev log groups without a figure in cost-usage.yml stacks.dev: {missing}"
