"""``python -m tools trace STACK [HOST]``: follow every public host's request path through the offline plan.

For each public host of the stack (the load balancer's hosts, ``storage.dns.regional_hosts``, and the
CDN host, ``storage.dns.cdn_host``, under ``platform.domain``), one line per hop, in request order:

  (in a DR pair, dns is the stack's failover record and failover-pair the other stack's: trace_dr.py)
  regional host:  dns -> certificate -> the hops inside the cluster (listeners, WAF, route, Service,
                  pods, NetworkPolicy; tools/trace_k8s.py)
  CDN host:       dns -> certificate -> distribution -> origin-access -> bucket-policy

A missing or broken hop says which and why. Exit status: 0 when every path is whole, 1 when any is
broken, 2 for a usage error (an unknown stack or host: one line naming what exists). The stack runs
under the mock engine like the other tools; nothing reaches AWS or a cluster.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import config
from components.alb_name import load_balancer_name
from tools import cli, trace_api, trace_aws, trace_dr
from tools.harness import Graph
from tools.stacks import load
from tools.trace_k8s import edge_hops
from tools.trace_model import Hop, Path

if TYPE_CHECKING:
    from config import StackConfig

K8sHops = Callable[[Graph, str], list[Hop]]


@dataclass(frozen=True)
class PublicHost:
    """One public name the stack serves, and which leg serves it."""

    name: str
    kind: str  # "regional" (the load balancer) or "cdn" (CloudFront)


def public_hosts(cfg: StackConfig) -> list[PublicHost]:
    """The stack's public hosts from its configuration (not from the plan: a host whose resources are
    missing from the plan must still be traced, and reported broken)."""
    dns = cfg.storage.dns
    domain = cfg.dns.domain or cfg.platform.domain
    if domain is None:
        return []
    hosts = [PublicHost(f"{label}.{domain}", "regional") for label in dns.regional_hosts]
    if cfg.storage.cdn.enabled:
        hosts.append(PublicHost(f"{dns.cdn_host}.{domain}", "cdn"))
    return hosts


def _dns_hops(
    graph: Graph, cfg: StackConfig, host: PublicHost, zone: trace_aws.Zone | None, pair: Graph | None
) -> list[Hop]:
    """A DR pair's failover record and pair (tools/trace_dr.py); else the single stack's record."""
    role = cfg.dr.role
    if role == "none":
        if host.kind == "cdn":
            return [trace_aws.dns_alias(graph, host.name, zone)]
        return [trace_aws.dns_regional(graph, host.name, zone)]
    lb = load_balancer_name(cfg.platform.name, graph.stack)
    hops = [trace_dr.dns_failover(graph, host.name, zone, role, host.kind, cfg.platform.region, lb)]
    if pair is not None:
        hops.append(trace_dr.failover_pair(graph, pair, host.name, role))
    return hops


def trace_host(
    graph: Graph, cfg: StackConfig, host: PublicHost, k8s_hops: K8sHops = edge_hops, pair: Graph | None = None
) -> Path:
    """The whole path of one public host, hop by hop (``pair``: the other stack of a DR pair)."""
    domain = cfg.dns.domain or cfg.platform.domain or ""
    zone = (
        trace_dr.zone_of(graph, domain)
        if cfg.dr.role != "none"
        else trace_aws.find_zone(graph, domain, cfg.dns.hosted_zone_id)
    )
    path = Path(host.name)
    if host.kind == "cdn":
        path.hops = [
            *_dns_hops(graph, cfg, host, zone, pair),
            trace_aws.certificate(graph, host.name, zone, "us-east-1"),
            trace_aws.distribution_hop(graph, host.name),
            trace_aws.origin_access_hop(graph, host.name),
            trace_aws.bucket_policy_hop(graph, host.name),
        ]
        return path
    path.hops = [
        *_dns_hops(graph, cfg, host, zone, pair),
        trace_aws.certificate(graph, host.name, zone, cfg.platform.region),
    ]
    path.hops.extend(k8s_hops(graph, host.name))
    return path


def trace_stack(
    graph: Graph, cfg: StackConfig, only: str | None = None, pair: Graph | None = None
) -> list[Path]:
    """Every public host's path (or ``only``'s, a label such as ``api`` or a full name); ``pair`` is the
    other stack of a DR pair, whose records must complete each host's failover pair."""
    hosts = public_hosts(cfg)
    if only is not None:
        hosts = [h for h in hosts if only in (h.name, h.name.split(".", 1)[0])]
    return [trace_host(graph, cfg, host, pair=pair) for host in hosts]


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands,
        "trace",
        run,
        help="follow each public host's request path through the plan (DNS to pods, CDN to bucket)",
    )
    cli.add_stack(parser)
    parser.add_argument("host", nargs="?", help="one public host: a label ('api') or its full name")
    parser.add_argument(
        "--api",
        action="store_true",
        help="instead: who can reach the EKS API endpoint (runner, VPN clients, nodes) and which rules "
        "admit them; exit 1 if the deploy runner cannot, or anything outside the VPC can",
    )
    cli.add_check(parser, _check_host)


def _check_host(args: argparse.Namespace) -> None:
    """An unknown host is a usage error (exit 2), decided from the stack file before any evaluation."""
    if args.host is None:
        return
    if args.api:
        raise cli.UsageError("--api traces the API endpoint, not a public host: give STACK alone")
    hosts = public_hosts(config.load_stack_file(cli.stack_path(args.stack)))
    if not any(args.host in (h.name, h.name.split(".", 1)[0]) for h in hosts):
        names = ", ".join(h.name for h in hosts) or "none"
        raise cli.UsageError(f"{args.stack} serves no host {args.host!r}; its public hosts: {names}")


def run(args: argparse.Namespace) -> int:
    if args.api:
        return trace_api.run(args)
    cfg = config.load_stack_file(cli.stack_path(args.stack))
    paired = cfg.dr.paired_stack
    # The pair first: its run is remembered, and answers this stack's StackReference (tools/harness).
    pair = load(paired.rsplit("/", 1)[-1], label="trace", quiet=True) if paired else None
    graph = load(args.stack, label="trace", quiet=True)
    paths = trace_stack(graph, cfg, args.host, pair)
    for traced in paths:
        print(f"{traced.host} ({'whole' if traced.ok else 'BROKEN'})")
        for hop in traced.hops:
            print(f"  {hop.line()}")
    broken = [p.host for p in paths if not p.ok]
    summary = f"{len(paths) - len(broken)} of {len(paths)} public paths whole"
    print(f"\n{graph.stack}: {summary}" + (f"; broken: {', '.join(broken)}" if broken else ""))
    return 1 if broken else 0
