"""The stack's public hosted zone: created and protected by default, adopted by id when configured, and
the one zone every public record and certificate validation goes through."""

from __future__ import annotations

import pytest

from components.dns_zone import DnsZone, DnsZoneArgs
from config import load_stack_file
from tests.helpers import REPO, load_with, rejected
from tools.harness import Graph, run

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
PREFIX = "Pulumi.{stack}.yaml: quantumvest-infra:"


def test_each_stack_creates_a_protected_zone_for_its_domain_and_exports_it(graph: Graph) -> None:
    domain = load_stack_file(REPO / f"Pulumi.{graph.stack}.yaml").platform.domain
    zone = graph.one(ZONE)
    assert zone.inputs["name"] == domain
    assert zone.protect, "a deleted zone loses the name servers the parent delegates to"
    assert zone.inputs["forceDestroy"] is False
    assert graph.outputs["dnsZoneId"] == zone.outputs["zoneId"]
    assert graph.outputs["dnsZoneNameServers"] == zone.outputs["nameServers"]
    assert len(graph.outputs["dnsZoneNameServers"]) == 4


def test_every_record_of_the_program_is_written_into_the_stack_zone(graph: Graph) -> None:
    zone_id = graph.one(ZONE).outputs["zoneId"]
    records = graph.of_type(RECORD)
    # a validation CNAME per certificate (api, www, assets); assets A and AAAA, or in a DR pair (prod) the
    # PRIMARY failover A record of each public host instead (components/dr.py)
    assert len(records) == (6 if graph.stack == "prod" else 5)
    assert {r.inputs["zoneId"] for r in records} == {zone_id}


def test_an_adopted_zone_is_used_by_id_and_nothing_is_created() -> None:
    args = DnsZoneArgs(domain="quantumvest.com", hosted_zone_id="Z0123456789ABCDEFGHIJ")

    def program() -> None:
        DnsZone("dns", args)

    graph = run(program)
    assert graph.of_type(ZONE) == []
    outputs = graph.component_outputs[graph.one("quantumvest:dns:DnsZone").urn]
    assert outputs["zone_id"] == "Z0123456789ABCDEFGHIJ"
    assert outputs.get("name_servers") is None


def test_a_stack_adopting_its_zone_writes_records_there_and_exports_no_name_servers(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {"dns": {"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}})
    assert (cfg.dns.domain, cfg.dns.created) == ("dev.quantumvest.com", False)


def test_zone_protection_can_be_lifted_for_a_throwaway_stack() -> None:
    def program() -> None:
        DnsZone("dns", DnsZoneArgs(domain="pr-42.dev.quantumvest.com", protect=False))

    assert run(program).one(ZONE).protect is False


@pytest.mark.parametrize(
    ("overrides", "line"),
    [
        (
            {"platform": {"domain": None}, "cluster_services": {"external_dns": False, "acme_email": None}},
            "platform.domain = null: required: the stack's public domain",
        ),
        (
            {"dns": {"hosted_zone_id": "z-parent"}},
            "dns.hosted_zone_id = z-parent: a Route 53 hosted zone id: 'Z' and up to 31 uppercase letters or digits",
        ),
        (
            {"dns": {"domain": "quantumvest.com"}},
            "dns.domain = quantumvest.com: the hosted zone is named after platform.domain (dev.quantumvest.com)",
        ),
        (
            {"cluster_services": {"dns_zone": "quantumvest.com"}},
            "cluster_services.dns_zone = quantumvest.com: must be dev.quantumvest.com (dns.domain)",
        ),
    ],
    ids=["no-domain", "bad-zone-id", "zone-not-the-domain", "external-dns-elsewhere"],
)
def test_bad_dns_input_is_named(tmp_path, overrides: dict, line: str) -> None:
    assert PREFIX.format(stack="dev") + line in rejected(tmp_path, "dev", overrides)
