"""Issue 21 item 1: what dev costs by the cost tool (the real stacks, the project's usage file), with every
component on in every tier, and the dev-only savings staying out of staging and prod."""

from __future__ import annotations

import pytest

from tools import cost
from tools.cost import CostReport
from tools.harness import Graph
from tools.pricing import load_usage

#: The issue's target for dev, every component on.
DEV_TARGET_USD = 200.00
#: What dev measures today (docs/decisions/dev-cost.md): a ratchet, so a change that makes dev dearer
#: has to move this figure on purpose (and say why in the decision note).
DEV_CEILING_USD = 291.50

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
    reason="issue 21 item 1 is open: dev is ~$291 with every component on; the rest needs measured dev "
    "log volumes or a component shared/removed (docs/decisions/dev-cost.md). Remove this marker when "
    "it passes.",
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
