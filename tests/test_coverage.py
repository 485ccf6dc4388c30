"""Issue 16: the four coverage rules (backup, scrape, alert routing, cost attribution).

Each rule fails on the graph of the old wiring (prod as it was before the fixes, kept in
tests/data/old_wiring_prod.json.gz), holds on every stack now, and fails again when one covering piece
is removed from prod: a selection, a copy action, a selection tag, a ServiceMonitor, a chart's own
monitor, a subscription, a tag specification, the controller's tags, a cost-allocation tag.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import promql_parser
import pytest

from policy import evaluate
from policy.model import Subject
from policy.pack import PackContext, policies
from policy.rules import RULES_BY_ID
from policy.rules import tokens as t
from policy.rules.coverage_data import METRIC_PRODUCERS, producer_of
from policy.rules.coverage_graph import effective_tags
from policy.rules.coverage_signals import expressions
from policy.rules.coverage_state import selects
from policy.rules.promql import metric_names
from policy.view import StackView
from tests.dr_region import dr_region_graph
from tests.policy_helpers import REMOVE, TODAY, weaken
from tests.test_policy_pack import Reports, stack_args
from tools.harness import Graph, Resource

COVERAGE = ("backup-coverage", "scrape-coverage", "alert-routing", "cost-attribution")
RULES = [RULES_BY_ID[r] for r in COVERAGE]
OLD_WIRING = Path(__file__).parent / "data" / "old_wiring_prod.json.gz"


def coverage(graph: Any, environment: str = "prod") -> dict[str, list[tuple[str, str]]]:
    """Findings of the four rules: rule id → [(resource, message)]."""
    found: dict[str, list[tuple[str, str]]] = {r: [] for r in COVERAGE}
    for finding in evaluate(graph, environment, today=TODAY, rules=RULES):
        found[finding.rule_id].append((finding.resource_name or "", finding.message))
    return found


def messages(found: dict[str, list[tuple[str, str]]], rule: str) -> str:
    return "\n".join(f"{name}: {message}" for name, message in found[rule])


def _old_wiring() -> list[Resource]:
    data = json.loads(gzip.decompress(OLD_WIRING.read_bytes()))
    return [Resource(**{**r, "secret_paths": set(r["secret_paths"])}) for r in data["resources"]]


def _remove(graph: Graph, type_token: str, name_contains: str) -> Graph:
    (resource,) = [r for r in graph.of_type(type_token) if name_contains in r.name]
    return weaken(graph, resource.name, None)


# --- the old wiring ---------------------------------------------------------------------------------


def test_every_rule_fails_on_the_old_wiring() -> None:
    found = coverage(_old_wiring())
    backup = messages(found, "backup-coverage")
    assert "quantumvest-database-primary is selected by no backup plan" in backup
    assert "quantumvest-storage-efs is selected by no backup plan" in backup
    assert "the EBS volumes StorageClass gp3 creates is selected by no backup plan (its tags: none)" in backup
    assert "replica" not in backup  # replicas and log sinks hold copies, not data
    scrape = messages(found, "scrape-coverage")
    assert "rule HighAPIErrorRate reads http_requests_total" in scrape
    assert "nothing scrapes backend, celery-worker, frontend, model-serving" in scrape
    assert "cert-manager's prometheus.servicemonitor.enabled is off" in scrape
    assert "nginx_ingress_controller_requests — no known producer" in scrape
    routing = messages(found, "alert-routing")
    assert (
        "quantumvest-security-guardduty: no EventBridge rule in its region matches source aws.guardduty"
        in routing
    )
    assert "topic quantumvest-monitoring-alerts has no pager subscription" in routing
    cost = messages(found, "cost-attribution")
    assert "CostCenter, which is not activated as a cost-allocation tag" in cost
    assert (
        "quantumvest-cluster-system-lt: the volumes its node groups launch lack CostCenter=quantumvest-prod"
        in cost
    )
    assert "aws-load-balancer-controller: the load balancers it creates lack CostCenter" in cost
    assert "quantumvest-cluster-services-gp3: the EBS volumes it creates lack CostCenter" in cost


def test_every_rule_holds_on_every_stack(graph: Graph) -> None:
    found = coverage(graph, graph.stack)
    assert {rule: found[rule] for rule in COVERAGE if found[rule]} == {}


# --- one covering piece removed from prod -------------------------------------------------------------


def test_backup_needs_the_selection_by_arn(graphs: dict[str, Graph]) -> None:
    broken = _remove(graphs["prod"], "aws:backup/selection:Selection", "by-arn")
    backup = messages(coverage(broken), "backup-coverage")
    for name in (
        "database-cluster",
        "storage-efs",
        "storage-backups-bucket",
        "storage-model-artifacts-bucket",
    ):
        assert f"quantumvest-{name} is selected by no backup plan" in backup
    assert "StorageClass" not in backup  # the volumes have their own selection


def test_backup_of_csi_volumes_needs_the_selection_tag_on_them(graphs: dict[str, Graph]) -> None:
    prod = graphs["prod"]
    (addon,) = [
        r for r in prod.of_type("aws:eks/addon:Addon") if r.inputs["addonName"] == "aws-ebs-csi-driver"
    ]
    config = json.loads(addon.inputs["configurationValues"])
    del config["controller"]["extraVolumeTags"]["backup-plan"]
    broken = weaken(prod, addon.name, "configurationValues", json.dumps(config))
    backup = messages(coverage(broken), "backup-coverage")
    assert "the EBS volumes StorageClass gp3 creates is selected by no backup plan" in backup
    assert "StorageClass monitoring-gp3-encrypted" in backup


def test_backup_in_prod_needs_the_copy_to_the_dr_region(graphs: dict[str, Graph]) -> None:
    prod = dr_region_graph()  # prod with platform.dr_region: its DR network makes us-west-2 a DR region
    (plan,) = prod.of_type("aws:backup/plan:Plan")
    rules = [{k: v for k, v in rule.items() if k != "copyActions"} for rule in plan.inputs["rules"]]
    broken = weaken(
        prod, plan.name, "rules", rules
    )  # the whole input: its dependency on the DR vault goes too
    backup = messages(coverage(broken), "backup-coverage")
    assert "quantumvest-database-cluster is backed up but never copied to the DR region (us-west-2)" in backup
    # dev has no DR region: no copy is asked for.
    (dev_plan,) = graphs["dev"].of_type("aws:backup/plan:Plan")
    assert dev_plan.inputs["rules"][0].get("copyActions") in (None, [])


def test_scrape_needs_each_service_monitor(graphs: dict[str, Graph]) -> None:
    broken = _remove(graphs["prod"], "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "backend")
    scrape = messages(coverage(broken), "scrape-coverage")
    assert "rule HighAPIErrorRate reads http_requests_total" in scrape
    assert "nothing scrapes backend" in scrape and "frontend" not in scrape


def test_scrape_needs_the_pod_monitor_of_the_worker(graphs: dict[str, Graph]) -> None:
    broken = _remove(graphs["prod"], "kubernetes:monitoring.coreos.com/v1:PodMonitor", "celery")
    assert "nothing scrapes celery-worker" in messages(coverage(broken), "scrape-coverage")


def test_scrape_needs_the_charts_own_monitors(graphs: dict[str, Graph]) -> None:
    prod = graphs["prod"]
    (cert_manager,) = [r for r in prod.of_type(t.K8S_HELM_RELEASE) if r.inputs["chart"] == "cert-manager"]
    broken = weaken(prod, cert_manager.name, "values.prometheus.servicemonitor.enabled", False)
    scrape = messages(coverage(broken), "scrape-coverage")
    assert "rule CertificateExpiringSoon reads certmanager_certificate_expiration_timestamp_seconds" in scrape
    (lbc,) = [
        r for r in prod.of_type(t.K8S_HELM_RELEASE) if r.inputs["chart"] == "aws-load-balancer-controller"
    ]
    broken = weaken(prod, lbc.name, "values.serviceMonitor", REMOVE)
    assert "rule EdgeControllerReconcileErrors reads awslbc_reconcile_errors_total" in messages(
        coverage(broken), "scrape-coverage"
    )


def test_routing_in_prod_needs_the_pager(graphs: dict[str, Graph]) -> None:
    broken = _remove(graphs["prod"], "aws:sns/topicSubscription:TopicSubscription", "alert-pager")
    routing = messages(coverage(broken), "alert-routing")
    assert (
        "quantumvest-monitoring-rds-cpu-0: topic quantumvest-monitoring-alerts has no pager subscription"
        in routing
    )
    assert "Alertmanager receiver 'critical': topic quantumvest-monitoring-alerts has no pager" in routing
    assert "'warnings'" not in routing  # warnings email; they do not page


def test_routing_needs_the_guardduty_findings_subscribed(graphs: dict[str, Graph]) -> None:
    broken = graphs["dev"]
    for subscription in broken.of_type("aws:sns/topicSubscription:TopicSubscription"):
        if "findings" in subscription.name:
            broken = weaken(broken, subscription.name, None)
    routing = messages(coverage(broken, "dev"), "alert-routing")
    assert "quantumvest-security-guardduty: findings via quantumvest-findings-guardduty: topic " in routing
    assert "has no subscription" in routing


def test_routing_needs_eventbridge_allowed_to_publish(graphs: dict[str, Graph]) -> None:
    dev = graphs["dev"]
    (policy,) = [r for r in dev.of_type("aws:sns/topicPolicy:TopicPolicy") if "findings" in r.name]
    document = json.loads(policy.inputs["policy"])
    document["Statement"] = [s for s in document["Statement"] if s["Effect"] == "Deny"]
    broken = weaken(dev, policy.name, "policy", json.dumps(document))
    assert "does not let events.amazonaws.com publish" in messages(coverage(broken, "dev"), "alert-routing")


def test_attribution_needs_the_launch_template_tag_specifications(graphs: dict[str, Graph]) -> None:
    prod = graphs["prod"]
    template = prod.named("quantumvest-cluster-system-lt")
    specs = [s for s in template.inputs["tagSpecifications"] if s["resourceType"] != "volume"]
    broken = weaken(prod, template.name, "tagSpecifications", specs)
    cost = messages(coverage(broken), "cost-attribution")
    assert (
        "quantumvest-cluster-system-lt: the volumes its node groups launch lack CostCenter=quantumvest-prod"
        in cost
    )
    assert "instances" not in cost


def test_attribution_needs_the_controllers_and_drivers_tags(graphs: dict[str, Graph]) -> None:
    prod = graphs["prod"]
    (lbc,) = [
        r for r in prod.of_type(t.K8S_HELM_RELEASE) if r.inputs["chart"] == "aws-load-balancer-controller"
    ]
    broken = weaken(prod, lbc.name, "values.defaultTags", REMOVE)
    assert "the load balancers it creates lack CostCenter=quantumvest-prod" in messages(
        coverage(broken), "cost-attribution"
    )
    cost_tags = prod.of_type("aws:costexplorer/costAllocationTag:CostAllocationTag")
    center = next(r for r in cost_tags if r.inputs["tagKey"] == "CostCenter")
    broken = weaken(prod, center.name, None)
    assert "the budget filters on tag CostCenter, which is not activated" in messages(
        coverage(broken), "cost-attribution"
    )


# --- the selection is judged on the tags AWS sees ----------------------------------------------------


def _provider(tags: dict[str, str]) -> Subject:
    return Subject(
        "pulumi:providers:aws",
        "aws",
        inputs={"region": "us-east-1", "defaultTags": {"tags": tags}},
        urn="urn:p",
    )


def test_a_selection_condition_is_met_by_the_providers_default_tags() -> None:
    database = Subject(
        t.RDS_INSTANCE,
        "db",
        outputs={"arn": "arn:aws:rds:us-east-1:123456789012:db:db-1"},
        provider="urn:p::id",
    )
    selection = Subject(
        "aws:backup/selection:Selection",
        "sel",
        inputs={
            "resources": ["arn:aws:rds:*:*:db:*"],
            "conditions": [{"stringEquals": [{"key": "aws:ResourceTag/backup", "value": "daily"}]}],
        },
    )
    tagged = StackView([_provider({"backup": "daily"}), database, selection])
    untagged = StackView([_provider({"Project": "x"}), database, selection])
    arn = "arn:aws:rds:us-east-1:123456789012:db:db-1"

    assert selects(tagged, selection, database, arn, effective_tags(tagged, database))
    assert not selects(untagged, selection, database, arn, effective_tags(untagged, database))


# --- metrics and their producers --------------------------------------------------------------------


def _oracle(node: Any) -> set[str]:
    """Metric names by promql-parser's AST (the development-time reference of the tokenizer)."""
    if isinstance(node, promql_parser.VectorSelector):
        return {node.name} if node.name else set()
    if isinstance(node, promql_parser.MatrixSelector):
        return _oracle(node.vector_selector)
    names: set[str] = set()
    for attribute in ("expr", "lhs", "rhs", "param"):
        child = getattr(node, attribute, None)
        if child is not None and not isinstance(child, str | int | float):
            names |= _oracle(child)
    for argument in getattr(node, "args", None) or []:
        names |= _oracle(argument)
    return names


def _all_expressions(graphs: dict[str, Graph]) -> list[str]:
    found = {
        expr
        for graph in graphs.values()
        for r in graph
        if r.type in ("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "kubernetes:core/v1:ConfigMap")
        for _, expr in expressions(r)
    }
    return sorted(found)


def test_the_tokenizer_agrees_with_promql_parser_on_every_expression(graphs: dict[str, Graph]) -> None:
    exprs = _all_expressions(graphs)
    assert len(exprs) > 40
    for expr in exprs:
        parsed = promql_parser.parse(expr.replace("$__rate_interval", "5m"))
        assert metric_names(expr) == _oracle(parsed), expr


@pytest.mark.parametrize(
    ("expr", "names"),
    [
        ('sum by (le, service) (rate(a_bucket{x="y"}[5m]))', {"a_bucket"}),
        ('count_values("v", b) / on (job) group_left (inst) c offset 5m', {"b", "c"}),
        ("max_over_time(d[1h:5m]) > bool 3 and e unless f", {"d", "e", "f"}),
        ("(time() - g) / 86400 < 21", {"g"}),
    ],
)
def test_the_tokenizer_reads_metric_names(expr: str, names: set[str]) -> None:
    assert metric_names(expr) == names == _oracle(promql_parser.parse(expr))


def test_every_metric_the_stacks_read_has_a_known_producer(graphs: dict[str, Graph]) -> None:
    unknown = {m for expr in _all_expressions(graphs) for m in metric_names(expr) if producer_of(m) is None}
    assert unknown == set()
    assert producer_of("pg_up") is METRIC_PRODUCERS["pg_"]


def test_seed_alerts_keep_their_names_and_high_cpu_can_fire(graphs: dict[str, Graph]) -> None:
    (rules,) = graphs["prod"].of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    seed = {r["alert"]: r["expr"] for r in rules.inputs["spec"]["groups"][0]["rules"]}
    assert set(seed) == {"HighCPUUsage", "HighMemoryUsage", "HighAPIErrorRate"}
    # The idle *fraction* (rate of the counter) against 0.2, not the ever-growing counter itself.
    assert seed["HighCPUUsage"] == 'avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) < 0.2'


# --- the same rules through the CrossGuard pack (pulumi preview --policy-pack) -------------------------


def _pack_reports(graph: Any) -> dict[str, list[str]]:
    """The four coverage policies run as the policy SDK runs them, providers handed over as the engine
    does (a ``PolicyProviderResource`` on each resource, not in the resource list)."""
    from pulumi_policy import PolicyProviderResource, StackValidationPolicy
    from pulumi_policy.proxy import unknown_checking_proxy

    resources = list(graph)
    providers = {
        r.urn: PolicyProviderResource(r.type, unknown_checking_proxy(dict(r.inputs)), r.urn, r.name)
        for r in resources
        if r.type.startswith("pulumi:providers:")
    }
    args = stack_args(Graph(stack="prod", resources=[r for r in resources if r.urn not in providers]))
    for policy_resource, resource in zip(
        args.resources, [r for r in resources if r.urn not in providers], strict=True
    ):
        reference = resource.provider or ""  # the provider's URN, or "<urn>::<id>"
        policy_resource.provider = providers.get(reference) or providers.get(reference.rsplit("::", 1)[0])
    found: dict[str, list[str]] = {}
    for policy in policies(PackContext(stack="prod", environment="prod", today=TODAY), RULES):
        assert isinstance(policy, StackValidationPolicy)
        reports = Reports()
        policy.validate(args, reports)
        found[policy.name] = [message for message, _ in reports]
    return found


def test_the_pack_judges_with_the_providers_tags_and_regions(graphs: dict[str, Graph]) -> None:
    assert _pack_reports(graphs["prod"]) == {rule: [] for rule in COVERAGE}
    old = _pack_reports(_old_wiring())
    assert "quantumvest-database-primary is selected by no backup plan" in "\n".join(old["backup-coverage"])
    # The bucket's CostCenter comes from the provider's default tags: attributed, not reported.
    assert not any("storage-assets-bucket" in m for m in old["cost-attribution"])
