"""The CrossGuard pack: the same rules behind pulumi-policy's API, fed as the engine feeds it.

No Pulumi CLI here, so the tests build the SDK's own argument objects (properties wrapped in its
unknown-checking proxies, as ``Analyze``/``AnalyzeStack`` do) from harness graphs and call the
policies' ``validate`` the way the analyzer server does.
"""

from __future__ import annotations

import copy
import json
import runpy
import sys
from pathlib import Path

import pytest
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    unknown_checking_proxy,
)

from components.guardrails import PolicyException
from policy import rules as registry
from policy.pack import PACK_NAME, PackContext, policies
from tests.helpers import REPO
from tests.policy_helpers import TODAY, weaken
from tests.policy_reference import reference_graph
from tools import policy_stack as pack_module
from tools.harness import Graph, Resource
from tools.policy_stack import pack_context


def _options(resource: Resource) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=resource.protect,
        ignore_changes=resource.ignore_changes,
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=resource.parent,
    )


def resource_args(resource: Resource, **overrides: object) -> ResourceValidationArgs:
    props = {**copy.deepcopy(resource.inputs), **overrides}
    return ResourceValidationArgs(
        resource.type, unknown_checking_proxy(props), resource.urn, resource.name, _options(resource), None
    )


def stack_args(graph: Graph) -> StackValidationArgs:
    resources = {
        r.urn: PolicyResource(
            r.type,
            unknown_checking_proxy({**copy.deepcopy(r.outputs), **copy.deepcopy(r.inputs)}),
            r.urn,
            r.name,
            _options(r),
            None,
            None,
            [],
            {},
        )
        for r in graph
    }
    for r in graph:
        resources[r.urn].property_dependencies = {
            k: [resources[u] for u in urns if u in resources] for k, urns in r.property_dependencies.items()
        }
        resources[r.urn].parent = resources.get(r.parent) if r.parent else None
    return StackValidationArgs(list(resources.values()))


class Reports(list):
    def __call__(self, message: str, urn: str | None = None) -> None:
        self.append((message, urn))


def run_pack(graph: Graph, context: PackContext) -> list[tuple[str, str, str | None]]:
    """Every violation the pack reports over ``graph``: (policy, message, urn)."""
    found: list[tuple[str, str, str | None]] = []
    for policy in policies(context):
        if policy.enforcement_level is EnforcementLevel.DISABLED:
            continue
        reports = Reports()
        if isinstance(policy, ResourceValidationPolicy):
            for resource in graph:
                policy.validate(resource_args(resource), reports)
            found += [(policy.name, m, None) for m, _ in reports]
        else:
            policy.validate(stack_args(graph), reports)
            found += [(policy.name, m, u) for m, u in reports]
    return found


@pytest.fixture(scope="module")
def reference() -> Graph:
    return reference_graph()


PROD = PackContext(stack="prod", environment="prod", today=TODAY)


def test_every_rule_is_a_policy_of_the_right_kind_and_level() -> None:
    prod, dev = policies(PROD), policies(PackContext(stack="dev", environment="dev", today=TODAY))
    assert [p.name for p in prod] == [r.id for r in registry.RULES]
    for policy, rule in zip(prod, registry.RULES, strict=True):
        expected = ResourceValidationPolicy if rule.scope == "resource" else StackValidationPolicy
        assert isinstance(policy, expected) and policy.remediation_steps == rule.remediation
    levels = {p.name: p.enforcement_level for p in dev}
    assert levels["rds-storage-encrypted"] is EnforcementLevel.MANDATORY
    assert levels["rds-multi-az"] is EnforcementLevel.ADVISORY
    assert levels["state-protected"] is EnforcementLevel.DISABLED
    assert {p.name: p.enforcement_level for p in prod}["rds-multi-az"] is EnforcementLevel.MANDATORY


def test_the_reference_passes_through_the_pack(reference: Graph) -> None:
    assert run_pack(reference, PROD) == []


def test_a_resource_policy_reports_the_rule_message(reference: Graph) -> None:
    (policy,) = [p for p in policies(PROD) if p.name == "rds-storage-encrypted"]
    reports = Reports()
    policy.validate(resource_args(reference.named("ref-db"), storageEncrypted=False), reports)
    assert reports == [("storage is not encrypted (storageEncrypted is not true)", None)]


def test_a_stack_policy_reports_against_the_offending_resource(reference: Graph) -> None:
    weakened = weaken(reference, "ref-alb-waf", None)
    violations = [v for v in run_pack(weakened, PROD) if v[0] == "alb-behind-waf"]
    assert violations == [
        (
            "alb-behind-waf",
            "internet-facing application load balancer has no WAFv2 web ACL association",
            reference.named("ref-alb").urn,
        )
    ]


def test_an_unknown_reference_counts_as_set_during_a_preview(reference: Graph) -> None:
    (policy,) = [p for p in policies(PROD) if p.name == "rds-storage-encrypted"]
    reports = Reports()
    policy.validate(resource_args(reference.named("ref-db"), kmsKeyId=UNKNOWN_STRING_VALUE), reports)
    assert reports == []


def test_an_unknown_value_a_rule_must_read_is_left_to_the_sdk_as_cannot_run_in_preview(
    reference: Graph,
) -> None:
    (policy,) = [p for p in policies(PROD) if p.name == "rds-storage-encrypted"]
    reports = Reports()
    with pytest.raises(UnknownValueError) as unknown:
        policy.validate(
            resource_args(reference.named("ref-db"), storageEncrypted=UNKNOWN_BOOLEAN_VALUE), reports
        )
    assert reports == [] and "storageEncrypted" in unknown.value.message


def test_a_stack_policy_reports_what_it_can_and_defers_what_is_unknown(reference: Graph) -> None:
    preview = weaken(
        reference, "ref-assets-policy", "policy", UNKNOWN_STRING_VALUE
    )  # built from an unknown ARN
    preview = weaken(preview, "ref-backups-policy", None)
    (policy,) = [p for p in policies(PROD) if p.name == "s3-tls-only"]
    reports = Reports()
    with pytest.raises(UnknownValueError) as unknown:
        policy.validate(stack_args(preview), reports)
    assert reports == [
        ("no bucket policy statement denies aws:SecureTransport = false", reference.named("ref-backups").urn)
    ]
    assert unknown.value.message == (
        "ref-assets: cannot be judged before deployment: a value at policy is unknown until deployment"
    )


def test_numbers_arrive_as_floats_and_are_read_as_ints(reference: Graph) -> None:
    (policy,) = [p for p in policies(PROD) if p.name == "k8s-pod-restricted"]
    deployment = reference.named("ref-backend")
    spec = copy.deepcopy(deployment.inputs["spec"])
    spec["template"]["spec"]["securityContext"]["runAsUser"] = 10001.0
    reports = Reports()
    policy.validate(resource_args(deployment, spec=spec), reports)
    assert reports == []


def test_the_pack_honours_unexpired_exceptions(reference: Graph) -> None:
    weakened = weaken(reference, "ref-db", "multiAz", False)
    exception = PolicyException(
        rule="rds-multi-az",
        resource="ref-db",
        reason="Standby restored after the r7g migration (PLAT-7).",
        expires=TODAY,
    )
    excepted = PackContext(stack="prod", environment="prod", exceptions=(exception,), today=TODAY)
    assert [v[0] for v in run_pack(weakened, PROD)] == ["rds-multi-az"]
    assert run_pack(weakened, excepted) == []


def test_pack_context_reads_the_tier_and_exceptions_of_the_stack_file(tmp_path: Path) -> None:
    assert pack_context("staging", root=REPO).environment == "staging"
    stack = {
        "config": {
            "quantumvest-infra:platform": {"environment": "dev"},
            "quantumvest-infra:policy": {
                "exceptions": [
                    {
                        "rule": "nat-gateway-per-az",
                        "resource": "quantumvest-network-*",
                        "reason": "x" * 30,
                        "expires": "2027-01-01",
                    }
                ]
            },
        }
    }
    (tmp_path / "Pulumi.sandbox.yaml").write_text(json.dumps(stack))
    context = pack_context("sandbox", root=tmp_path)
    assert context.environment == "dev" and [e.rule for e in context.exceptions] == ["nat-gateway-per-az"]


def test_pack_context_without_a_stack_file_reads_the_engine_config(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(
        pack_module, "_runtime_values", lambda: ({"platform": {"environment": "staging"}}, frozenset())
    )
    assert pack_context("ci-preview", root=tmp_path).environment == "staging"
    monkeypatch.setattr(pack_module, "_runtime_values", lambda: ({}, frozenset()))
    assert pack_context("ci-preview", root=tmp_path).environment == "prod"  # unknown: judged as prod


def test_a_rejected_stack_configuration_is_a_pack_violation(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod.yaml").write_text(
        json.dumps(
            {
                "config": {
                    "quantumvest-infra:platform": {"environment": "prod"},
                    "quantumvest-infra:network": {"az_count": 2},
                    "quantumvest-infra:admin_vpn": {"saml_provider": "quantumvest-client-vpn"},
                }
            }
        )
    )
    context = pack_context("prod", root=tmp_path)
    (policy,) = [p for p in policies(context) if p.name == "policy-exception-valid"]
    reports = Reports()
    policy.validate(StackValidationArgs([]), reports)
    assert len(reports) == 1 and "prod needs at least 3 availability zones" in reports[0][0]


class _Started(Exception):
    """Raised in place of starting the analyzer's gRPC server."""


def test_main_constructs_the_policy_pack_the_cli_runs(monkeypatch) -> None:
    import pulumi_policy.policy as sdk

    captured = {}

    def no_server(*args, **kwargs):
        raise _Started

    original = sdk._PolicyAnalyzerServicer.__init__

    def capture(self, name, version, policies, *args, **kwargs):
        captured.update(name=name, policies=policies)
        original(self, name, version, policies, *args, **kwargs)

    monkeypatch.setattr(sdk.grpc, "server", no_server)
    monkeypatch.setattr(sdk._PolicyAnalyzerServicer, "__init__", capture)
    monkeypatch.setattr(pack_module, "_current_stack", lambda: "prod")
    saved = list(sys.path)
    try:
        with pytest.raises(_Started):
            runpy.run_path(str(REPO / "policy"), run_name="__main__")
    finally:
        sys.path[:] = saved
    assert captured["name"] == PACK_NAME
    assert [p.name for p in captured["policies"]] == [r.id for r in registry.RULES]


def test_policy_pack_project_file_points_at_the_project_environment() -> None:
    import yaml

    project = yaml.safe_load((REPO / "policy" / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python"
    assert (REPO / "policy" / project["runtime"]["options"]["virtualenv"]).resolve() == (
        REPO / ".venv"
    ).resolve()
