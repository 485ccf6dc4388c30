"""The DNS hops of a public host in a DR pair (components/dr.py): this stack's failover record, and the
pair it forms with the other stack's record.

- ``dns``: the stack's failover alias record for the host, in the primary's zone, with this stack's
  role (PRIMARY for ``dr.role: primary``, SECONDARY for a standby) and a set identifier, targeting this
  stack's own endpoint: its ALB (the name the program gives it, in the stack's region) for a regional
  host, a distribution of the plan for the CDN host. A PRIMARY record carries a health check of the
  plan that probes that same endpoint on 443, never the public name (which follows the failover).
- ``failover-pair``: the other stack's record for the host, in the same zone, with the other role and
  another set identifier; the PRIMARY of the two has its health check. Route 53 fails over only between
  records of one name and type in one zone, so each half alone proves nothing.
"""

from __future__ import annotations

from typing import Any

from tools.harness import Graph, Resource
from tools.trace_aws import DISTRIBUTION, RECORD, ZONE, Zone
from tools.trace_model import Hop

HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
ROLE_OF = {"primary": "PRIMARY", "standby": "SECONDARY"}


def _strip(name: Any) -> str:
    return str(name or "").rstrip(".")


def failover_records(graph: Graph, host: str) -> list[Resource]:
    """The A records named ``host`` with a failover routing policy."""
    return [
        r
        for r in graph.of_type(RECORD)
        if _strip(r.inputs.get("name")) == host and r.inputs.get("type") == "A" and _policy(r) is not None
    ]


def _policy(record: Resource) -> str | None:
    policies = record.inputs.get("failoverRoutingPolicies") or []
    return str(policies[0].get("type")) if policies and isinstance(policies[0], dict) else None


def zone_of(graph: Graph, domain: str) -> Zone | None:
    """The zone a paired stack writes its records into: its ``dnsZoneId`` output (the primary's zone; a
    standby reads it from the primary)."""
    zone_id = graph.outputs.get("dnsZoneId")
    return Zone(domain, str(zone_id), adopted=not graph.of_type(ZONE)) if zone_id else None


def _target(graph: Graph, record: Resource, kind: str, region: str, load_balancer: str) -> str | None:
    """Why the record's alias does not target this stack's endpoint for ``kind``, or None."""
    aliases = record.inputs.get("aliases") or []
    if not aliases:
        return "not an alias record"
    alias = aliases[0]
    name = _strip(alias.get("name"))
    if kind == "cdn":
        ours = {
            _strip(d.outputs.get("domainName")): d.outputs.get("hostedZoneId")
            for d in graph.of_type(DISTRIBUTION)
        }
        if name not in ours or alias.get("zoneId") != ours[name]:
            return f"alias {name or '?'} is not a distribution of this stack"
        return None
    if not (name.startswith(f"{load_balancer}-") and name.endswith(f".{region}.elb.amazonaws.com")):
        return f"alias {name or '?'} is not this stack's load balancer {load_balancer} in {region}"
    if alias.get("evaluateTargetHealth") is not True:
        return (
            "the alias to the load balancer does not evaluate its target health (no ready pods: no failover)"
        )
    return None


def _health_check(graph: Graph, record: Resource) -> tuple[Resource | None, str | None]:
    """The record's health check in the plan, and why it is unfit (or None)."""
    check_id = record.inputs.get("healthCheckId")
    if not check_id:
        return None, "has no health check"
    checks = [c for c in graph.of_type(HEALTH_CHECK) if c.id == check_id or c.outputs.get("id") == check_id]
    if not checks:
        return None, f"health check {check_id} is not in the plan"
    check = checks[0]
    alias = _strip(((record.inputs.get("aliases") or [{}])[0]).get("name"))
    fqdn = _strip(check.inputs.get("fqdn"))
    if fqdn != alias:
        return check, f"health check probes {fqdn or '?'}, not the record's own endpoint {alias}"
    if check.inputs.get("port") != 443:
        return check, f"health check probes port {check.inputs.get('port')}, not 443"
    return check, None


def dns_failover(
    graph: Graph, host: str, zone: Zone | None, role: str, kind: str, region: str, lb: str
) -> Hop:
    """This stack's failover record for ``host`` (see the module docstring)."""
    if zone is None:
        return Hop(
            "dns", False, "no zone: the stack exports no dnsZoneId (a standby reads it from its primary)"
        )
    wanted = ROLE_OF[role]
    records = [r for r in failover_records(graph, host) if _policy(r) == wanted]
    if not records:
        return Hop("dns", False, f"no {wanted} failover A record for {host} in the plan")
    record = records[0]
    if record.inputs.get("zoneId") != zone.zone_id:
        return Hop(
            "dns",
            False,
            f"{host}'s {wanted} record is in zone {record.inputs.get('zoneId')}, not {zone.describe()}",
        )
    if not record.inputs.get("setIdentifier"):
        return Hop("dns", False, f"{host}'s {wanted} record has no set identifier")
    problem = _target(graph, record, kind, region, lb)
    if problem:
        return Hop("dns", False, f"{host}'s {wanted} record: {problem}")
    detail = f"{zone.describe()}: {host} {wanted} alias -> {_strip(record.inputs['aliases'][0].get('name'))}"
    if wanted == "PRIMARY":
        check, why = _health_check(graph, record)
        if why:
            return Hop("dns", False, f"{host}'s PRIMARY record {why}")
        assert check is not None
        detail += f", health check {check.inputs.get('type')} {check.inputs.get('port')}"
    return Hop("dns", True, detail)


def failover_pair(graph: Graph, other: Graph, host: str, role: str) -> Hop:
    """``host``'s record in this stack and the other stack's form one failover pair (same zone, both roles,
    distinct set identifiers, the PRIMARY health-checked)."""
    mine = [r for r in failover_records(graph, host) if _policy(r) == ROLE_OF[role]]
    theirs_role = "SECONDARY" if role == "primary" else "PRIMARY"
    theirs = [r for r in failover_records(other, host) if _policy(r) == theirs_role]
    if not mine or not theirs:
        missing = other.stack if not theirs else graph.stack
        return Hop(
            "failover-pair",
            False,
            f"{missing} has no {theirs_role if not theirs else ROLE_OF[role]} record for {host}",
        )
    a, b = mine[0], theirs[0]
    if a.inputs.get("zoneId") != b.inputs.get("zoneId"):
        return Hop(
            "failover-pair",
            False,
            f"{host}: {graph.stack}'s record is in zone {a.inputs.get('zoneId')}, {other.stack}'s in "
            f"{b.inputs.get('zoneId')}: Route 53 pairs records of one zone only",
        )
    if a.inputs.get("setIdentifier") == b.inputs.get("setIdentifier"):
        return Hop(
            "failover-pair",
            False,
            f"{host}: both records use set identifier {a.inputs.get('setIdentifier')!r}",
        )
    primary, primary_graph = (a, graph) if role == "primary" else (b, other)
    _, why = _health_check(primary_graph, primary)
    if why:
        return Hop("failover-pair", False, f"{host}: the PRIMARY record ({primary_graph.stack}) {why}")
    return Hop(
        "failover-pair",
        True,
        f"{host}: PRIMARY ({primary_graph.stack}, health-checked) / SECONDARY "
        f"({(other if role == 'primary' else graph).stack}) in zone {a.inputs.get('zoneId')}",
    )
