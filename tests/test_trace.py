"""``python -m tools trace``: every public path of every stack is whole, and breaking one hop of a copy
of the graph makes the trace name exactly that hop.

The hops inside the cluster come from tools/trace_k8s.py (issue 14, Kubernetes side); these tests
trace the AWS hops alone (``k8s_hops=_no_k8s_hops``) so that each break is judged on its own.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable

import pytest

from config import StackConfig, load_stack_file
from tests.conftest import STACKS, stack_graph
from tests.helpers import REPO
from tools import trace
from tools.__main__ import main
from tools.harness import Graph, Resource
from tools.trace import PublicHost, public_hosts, trace_host
from tools.trace_aws import BUCKET_POLICY, CERTIFICATE, DISTRIBUTION, RECORD, RELEASE, ROLE_POLICY, find_zone
from tools.trace_model import Hop

_CONFIGS: dict[str, StackConfig] = {}


def config(stack: str) -> StackConfig:
    if stack not in _CONFIGS:
        _CONFIGS[stack] = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    return _CONFIGS[stack]


def _no_k8s_hops(graph: Graph, host: str) -> list[Hop]:
    return []


def copy_of(graph: Graph) -> Graph:
    """A copy to break: resources and outputs deep-copied, the index rebuilt. Break tests start from
    a whole stack, so that only the broken hop is broken."""
    return Graph(graph.stack, copy.deepcopy(graph.resources), copy.deepcopy(graph.outputs))


def host(stack: str, label: str) -> PublicHost:
    (found,) = [h for h in public_hosts(config(stack)) if h.name.split(".", 1)[0] == label]
    return found


def broken_kinds(graph: Graph, stack: str, label: str) -> list[str]:
    path = trace_host(graph, config(stack), host(stack, label), k8s_hops=_no_k8s_hops)
    return [hop.kind for hop in path.broken()]


def detail(graph: Graph, stack: str, label: str, kind: str) -> str:
    path = trace_host(graph, config(stack), host(stack, label), k8s_hops=_no_k8s_hops)
    (found,) = [hop for hop in path.hops if hop.kind == kind]
    return found.detail


def _records_named(graph: Graph, name: str) -> list[Resource]:
    return [r for r in graph.of_type(RECORD) if str(r.inputs.get("name")).rstrip(".") == name]


def _without(graph: Graph, doomed: list[Resource]) -> Graph:
    urns = {r.urn for r in doomed}
    return Graph(graph.stack, [r for r in graph.resources if r.urn not in urns], graph.outputs)


# --- every stack's paths -----------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_serves_api_www_and_assets_under_its_domain(stack: str) -> None:
    domain = config(stack).platform.domain
    assert [(h.name, h.kind) for h in public_hosts(config(stack))] == [
        (f"api.{domain}", "regional"),
        (f"www.{domain}", "regional"),
        (f"assets.{domain}", "cdn"),
    ]


def test_every_cdn_path_is_whole(graph: Graph) -> None:
    path = trace_host(graph, config(graph.stack), host(graph.stack, "assets"))
    assert [hop.kind for hop in path.hops] == [
        "dns",
        "certificate",
        "distribution",
        "origin-access",
        "bucket-policy",
    ]
    assert path.ok, [hop.line() for hop in path.broken()]


@pytest.mark.parametrize("label", ["api", "www"])
def test_every_regional_host_has_a_validated_certificate_in_the_stack_zone(graph: Graph, label: str) -> None:
    assert broken_kinds(graph, graph.stack, label) == []
    assert "DNS-validated in zone" in detail(graph, graph.stack, label, "certificate")


def test_every_regional_path_is_whole(graph: Graph) -> None:
    for label in ("api", "www"):
        path = trace_host(graph, config(graph.stack), host(graph.stack, label))
        kinds = [hop.kind for hop in path.hops]
        assert kinds[:5] == ["dns", "certificate", "listener-443", "redirect-80", "waf"], kinds
        assert {"route", "service", "pods", "network-policy"} <= set(kinds)
        assert path.ok, [hop.line() for hop in path.broken()]


# --- one break at a time -----------------------------------------------------------------------------


def test_a_deleted_alias_record_breaks_the_cdn_dns_hop(graphs: dict[str, Graph]) -> None:
    graph = _without(graphs["dev"], _records_named(graphs["dev"], host("dev", "assets").name))
    assert broken_kinds(graph, "dev", "assets") == ["dns"]
    assert "no record named assets.dev.quantumvest.com" in detail(graph, "dev", "assets", "dns")


def test_an_alias_record_in_another_zone_breaks_the_cdn_dns_hop(graphs: dict[str, Graph]) -> None:
    graph = copy_of(graphs["dev"])
    for record in _records_named(graph, host("dev", "assets").name):
        record.inputs["zoneId"] = "ZPARENT0000000000000"
    assert broken_kinds(graph, "dev", "assets") == ["dns"]
    assert "are in zone ZPARENT0000000000000, not the stack's" in detail(graph, "dev", "assets", "dns")


@pytest.mark.parametrize(
    ("breaks", "reason"),
    [
        (lambda values: values.update(sources=["ingress", "service"]), "lack gateway-httproute"),
        (lambda values: values.update(domainFilters=["example.com"]), "do not admit api.dev.quantumvest.com"),
        (lambda values: values["serviceAccount"].update(annotations={}), "has no IAM role"),
    ],
    ids=["no-httproute-source", "other-domain-filter", "no-iam-role"],
)
def test_external_dns_that_cannot_publish_breaks_the_regional_dns_hop(
    graphs: dict[str, Graph], breaks: Callable[[dict], None], reason: str
) -> None:
    graph = copy_of(graphs["dev"])
    (release,) = [r for r in graph.of_type(RELEASE) if r.inputs.get("chart") == "external-dns"]
    breaks(release.inputs["values"])
    assert broken_kinds(graph, "dev", "api") == ["dns"]
    assert reason in detail(graph, "dev", "api", "dns")


def test_external_dns_allowed_only_another_zone_breaks_the_regional_dns_hop(graphs: dict[str, Graph]) -> None:
    graph = copy_of(graphs["dev"])
    zone = find_zone(graph, "dev.quantumvest.com", None)
    assert zone is not None
    for policy in graph.of_type(ROLE_POLICY):
        if "external-dns" in policy.name:
            policy.inputs["policy"] = policy.inputs["policy"].replace(zone.zone_id, "ZOTHER00000000000000")
    # The zone-id filter still names the stack's zone: only the permission is wrong.
    assert broken_kinds(graph, "dev", "api") == ["dns"]
    assert "may not route53:ChangeResourceRecordSets" in detail(graph, "dev", "api", "dns")


def _certificate(graph: Graph, fqdn: str) -> Resource:
    (found,) = [c for c in graph.of_type(CERTIFICATE) if c.inputs["domainName"] == fqdn]
    return found


@pytest.mark.parametrize("label", ["api", "assets"])
def test_a_certificate_for_another_name_breaks_the_certificate_hop(
    graphs: dict[str, Graph], label: str
) -> None:
    graph = copy_of(graphs["dev"])
    _certificate(graph, f"{label}.dev.quantumvest.com").inputs["domainName"] = "other.dev.quantumvest.com"
    expected = (
        ["certificate"] if label == "api" else ["certificate", "distribution"]
    )  # CloudFront uses it too
    assert broken_kinds(graph, "dev", label) == expected
    assert f"covers {label}.dev.quantumvest.com" in detail(graph, "dev", label, "certificate")


def test_a_wildcard_certificate_covers_one_label_only(graphs: dict[str, Graph]) -> None:
    graph = copy_of(graphs["dev"])
    _certificate(graph, "api.dev.quantumvest.com").inputs["domainName"] = "*.dev.quantumvest.com"
    assert broken_kinds(graph, "dev", "api") == []
    _certificate(graph, "*.dev.quantumvest.com").inputs["domainName"] = "*.quantumvest.com"
    assert broken_kinds(graph, "dev", "api") == ["certificate"]


def test_a_validation_record_in_another_zone_breaks_the_certificate_hop(graphs: dict[str, Graph]) -> None:
    graph = copy_of(graphs["dev"])
    option = _certificate(graph, "www.dev.quantumvest.com").outputs["domainValidationOptions"][0]
    (record,) = _records_named(graph, option["resourceRecordName"].rstrip("."))
    record.inputs["zoneId"] = "ZPARENT0000000000000"
    assert broken_kinds(graph, "dev", "www") == ["certificate"]
    assert "is in zone ZPARENT0000000000000, not the stack's zone" in detail(
        graph, "dev", "www", "certificate"
    )


def test_a_certificate_nobody_waits_for_breaks_the_certificate_hop(graphs: dict[str, Graph]) -> None:
    arn = _certificate(graphs["dev"], "api.dev.quantumvest.com").outputs["arn"]
    waits = [
        v
        for v in graphs["dev"].of_type("aws:acm/certificateValidation:CertificateValidation")
        if v.inputs["certificateArn"] == arn
    ]
    graph = _without(copy_of(graphs["dev"]), waits)
    assert broken_kinds(graph, "dev", "api") == ["certificate"]
    assert "no CertificateValidation" in detail(graph, "dev", "api", "certificate")


def test_cloudfront_on_its_default_certificate_breaks_the_distribution_hop(graphs: dict[str, Graph]) -> None:
    graph = copy_of(graphs["prod"])
    graph.one(DISTRIBUTION).inputs["viewerCertificate"] = {"cloudfrontDefaultCertificate": True}
    assert broken_kinds(graph, "prod", "assets") == ["distribution"]
    assert "default *.cloudfront.net certificate" in detail(graph, "prod", "assets", "distribution")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"minimumProtocolVersion": "TLSv1"}, "minimumProtocolVersion is TLSv1, not TLSv1.2_2021"),
        ({"sslSupportMethod": "vip"}, "sslSupportMethod is vip, not sni-only"),
    ],
)
def test_cloudfront_tls_settings_break_the_distribution_hop(
    graphs: dict[str, Graph], change: dict[str, str], reason: str
) -> None:
    graph = copy_of(graphs["prod"])
    graph.one(DISTRIBUTION).inputs["viewerCertificate"].update(change)
    assert broken_kinds(graph, "prod", "assets") == ["distribution"]
    assert reason in detail(graph, "prod", "assets", "distribution")


def test_cloudfront_without_its_web_acl_breaks_the_distribution_hop(graphs: dict[str, Graph]) -> None:
    graph = copy_of(graphs["staging"])
    del graph.one(DISTRIBUTION).inputs["webAclId"]
    assert broken_kinds(graph, "staging", "assets") == ["distribution"]
    assert "web ACL" in detail(graph, "staging", "assets", "distribution")


def test_an_origin_without_origin_access_control_breaks_the_origin_access_hop(
    graphs: dict[str, Graph],
) -> None:
    graph = copy_of(graphs["dev"])
    for origin in graph.one(DISTRIBUTION).inputs["origins"]:
        del origin["originAccessControlId"]
    assert broken_kinds(graph, "dev", "assets") == ["origin-access"]
    assert "has no origin access control" in detail(graph, "dev", "assets", "origin-access")


def _assets_policy(graph: Graph) -> Resource:
    assets = graph.outputs["bucketNames"]["assets"]
    (found,) = [p for p in graph.of_type(BUCKET_POLICY) if p.inputs["bucket"] == assets]
    return found


def test_a_bucket_policy_admitting_another_distribution_breaks_the_bucket_policy_hop(
    graphs: dict[str, Graph],
) -> None:
    graph = copy_of(graphs["dev"])
    policy = _assets_policy(graph)
    ours = graph.one(DISTRIBUTION).outputs["arn"]
    other = ours.rsplit("/", 1)[0] + "/EOTHERDISTRIBUTION"
    policy.inputs["policy"] = policy.inputs["policy"].replace(ours, other)
    assert broken_kinds(graph, "dev", "assets") == ["bucket-policy"]
    assert f"admits {other}, not this distribution" in detail(graph, "dev", "assets", "bucket-policy")


def test_a_bucket_policy_admitting_another_reader_too_breaks_the_bucket_policy_hop(
    graphs: dict[str, Graph],
) -> None:
    graph = copy_of(graphs["dev"])
    policy = _assets_policy(graph)
    document = json.loads(policy.inputs["policy"])
    document["Statement"].append(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}
    )
    policy.inputs["policy"] = json.dumps(document)
    assert broken_kinds(graph, "dev", "assets") == ["bucket-policy"]
    assert 'also admits principal "*"' in detail(graph, "dev", "assets", "bucket-policy")


def test_an_adopted_zone_is_traced_by_its_id(graphs: dict[str, Graph]) -> None:
    """With dns.hosted_zone_id the records must be in that zone; the plan's records (in the created
    zone) then are not, and the trace says so."""
    adopted = config("dev").model_copy(
        update={"dns": config("dev").dns.model_copy(update={"hosted_zone_id": "ZADOPTED000000000000"})}
    )
    path = trace_host(graphs["dev"], adopted, host("dev", "assets"), k8s_hops=_no_k8s_hops)
    assert [hop.kind for hop in path.broken()] == ["dns", "certificate"]
    assert "ZADOPTED000000000000, adopted" in path.broken()[0].detail


# --- the command -------------------------------------------------------------------------------------


def test_an_unknown_stack_is_a_usage_error_naming_the_stacks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "qa"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: unknown stack 'qa': no Pulumi.qa.yaml; stacks here: dev, prod, prod-dr, staging"]


def test_an_unknown_host_is_a_usage_error_naming_the_hosts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "dev", "cdn"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "error: dev serves no host 'cdn'; its public hosts: api.dev.quantumvest.com, www.dev.quantumvest.com, "
        "assets.dev.quantumvest.com"
    )


def test_the_command_prints_each_hop_and_exits_by_the_paths(
    graphs: dict[str, Graph], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    every = {**graphs, "prod-dr": stack_graph("prod-dr")}  # prod's DR pair: its records complete prod's
    monkeypatch.setattr(trace, "load", lambda stack, **_: every[stack])
    assert main(["trace", "prod", "assets"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "assets.quantumvest.com (whole)"
    assert [line.split()[1] for line in out.splitlines()[1:7]] == [
        "dns",
        "failover-pair",
        "certificate",
        "distribution",
        "origin-access",
        "bucket-policy",
    ]
    assert out.rstrip().endswith("prod: 1 of 1 public paths whole")
    monkeypatch.setattr(
        trace, "load", lambda stack, **_: _without(every[stack], every[stack].of_type(RECORD))
    )
    assert main(["trace", "prod", "assets"]) == 1
    assert "BROKEN dns" in capsys.readouterr().out


def test_external_dns_allowed_only_txt_records_breaks_the_regional_dns_hop(graphs: dict[str, Graph]) -> None:
    """cert-manager's DNS-01 policy shape (TXT only) is not enough to publish an alias to the ALB."""
    graph = copy_of(graphs["dev"])
    for policy in graph.of_type(ROLE_POLICY):
        if "external-dns" in policy.name:
            document = json.loads(policy.inputs["policy"])
            for statement in document["Statement"]:
                if "route53:ChangeResourceRecordSets" in statement["Action"]:
                    statement["Condition"] = {
                        "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}
                    }
            policy.inputs["policy"] = json.dumps(document)
    assert broken_kinds(graph, "dev", "api") == ["dns"]
    assert "may not route53:ChangeResourceRecordSets" in detail(graph, "dev", "api", "dns")
