"""``python -m tools deploy-time STACK``: how long a from-scratch ``pulumi up`` takes, and why.

The model:

- **What waits for what.** A resource starts once everything it depends on is created: its explicit
  ``dependsOn`` and the resources behind its input values (the engine's ``dependencies``), its
  provider (a Kubernetes provider waits for the cluster it reads a kubeconfig from), and a *custom*
  parent (the SDK only registers a child once the parent's registration returned, i.e. after it was
  created). A dependency on a component stands for all the custom resources below it. Components
  and providers take no time themselves.
- **How long each takes.** Typical creation minutes per type from ``tools/data/aws-create-times.json``
  (RDS: single-AZ, Multi-AZ or read replica), Kubernetes await times from
  ``tools/data/k8s-await-minutes.json``; anything not listed takes ``DEFAULT_MINUTES``.
- **How many at once.** ``pulumi up`` was unbounded by default from pulumi/pulumi#2065 (2018) until
  pulumi/pulumi#15016 (January 2024), which set the default to ``4 x CPUs`` (``--parallel`` or, since
  pulumi/pulumi#18782, ``PULUMI_PARALLEL`` override it). The schedule is simulated with that many
  slots, ready resources served first come, first served. A runner that passes a huge ``--parallel``
  (older pulumi/actions releases defaulted their ``parallel`` input to 2147483647) gets the lower bound.

It prints the estimate, the chain of resources that determined it, and the lower bound: the slowest
chain of dependencies, which no amount of parallelism can shorten.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools import cli, stacks
from tools.activation import CREATE, SAME, UPDATE, activated_stack_file, add_activate, changes, removed
from tools.harness import Graph, Resource

DATA = Path(__file__).resolve().parent / "data"
#: "Resources not listed take under 0.5 min" (create-times file); a typical subnet, role or rule takes seconds.
DEFAULT_MINUTES = (0.1, 0.03, 0.5)


#: The parallelism plan files use, whatever the machine: 4 x 4 vCPUs, the engine's default (4 x CPUs,
#: pulumi/pulumi#15016) on a standard GitHub-hosted Linux runner (4 vCPUs), where the PR previews run.
#: Fixed so that base and head plans made on different machines compare (see docs/decisions).
PLAN_PARALLELISM = 16


def default_parallelism() -> int:
    """What ``pulumi up`` would use on this machine: ``PULUMI_PARALLEL``, else 4 x CPUs."""
    configured = os.environ.get("PULUMI_PARALLEL", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return 4 * (os.cpu_count() or 1)


@dataclass(frozen=True)
class Duration:
    median: float
    low: float
    high: float
    source: str

    def pick(self, which: str) -> float:
        return {"median": self.median, "low": self.low, "high": self.high}[which]


class Durations:
    """Creation time of one resource, from the two reference tables."""

    def __init__(
        self,
        aws_file: Path = DATA / "aws-create-times.json",
        k8s_file: Path = DATA / "k8s-await-minutes.json",
    ) -> None:
        self.aws: dict[str, Any] = json.loads(aws_file.read_text())["create_minutes"]
        k8s = json.loads(k8s_file.read_text())
        self.k8s: dict[str, Any] = k8s["create_minutes"]
        k8s_default = k8s["default_minutes"]
        low, high = k8s_default["range"]
        self.k8s_default = Duration(k8s_default["median"], low, high, "k8s default")

    def of(self, resource: Resource) -> Duration:
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            return Duration(0.0, 0.0, 0.0, "no operation")
        if resource.type.startswith("kubernetes:"):
            return self._kubernetes(resource)
        entry = self.aws.get(resource.type)
        if resource.type == "aws:rds/instance:Instance" and entry:
            if resource.inputs.get("replicateSourceDb"):
                m = entry["read_replica_median"]
                return Duration(m, m * 0.8, m * 1.3, "RDS read replica")
            if resource.inputs.get("multiAz"):
                low, high = entry["range_multi_az"]
                return Duration(entry["median_multi_az"], low, high, "RDS Multi-AZ")
            low, high = entry["range_single_az"]
            return Duration(entry["median_single_az"], low, high, "RDS single-AZ")
        if entry and "median" in entry:
            low, high = entry.get("range", [entry["median"], entry["median"]])
            return Duration(entry["median"], low, high, "create-times table")
        return Duration(*DEFAULT_MINUTES, "default (not listed)")

    def _kubernetes(self, resource: Resource) -> Duration:
        annotations = (resource.inputs.get("metadata") or {}).get("annotations") or {}
        if str(annotations.get("pulumi.com/skipAwait", "")).lower() == "true":
            return self.k8s_default
        key = resource.type
        spec = resource.inputs.get("spec") or {}
        if resource.type == "kubernetes:core/v1:Service" and spec.get("type") == "LoadBalancer":
            key += ":LoadBalancer"
        ingress_class = spec.get("ingressClassName") or annotations.get("kubernetes.io/ingress.class")
        if resource.type == "kubernetes:networking.k8s.io/v1:Ingress" and ingress_class == "alb":
            key += ":alb"
        entry = self.k8s.get(key) or self.aws.get(key)
        if entry:
            low, high = entry.get("range", [entry["median"], entry["median"]])
            return Duration(entry["median"], low, high, "k8s await table")
        return self.k8s_default


def waits_for(graph: Graph) -> dict[str, set[str]]:
    """For each resource, the custom resources it cannot start before: deps, provider, custom parent."""
    descendants: dict[str, set[str]] = {}

    def custom_below(urn: str) -> set[str]:
        if urn not in descendants:
            found: set[str] = set()
            for child in graph.children(urn):
                if child.custom:
                    found.add(child.urn)
                else:
                    found |= custom_below(child.urn)
            descendants[urn] = found
        return descendants[urn]

    def expand(urns: Iterable[str]) -> set[str]:
        out: set[str] = set()
        for urn in urns:
            target = graph.get(urn)
            if target is None:
                continue
            out |= {urn} if target.custom else custom_below(urn)
        return out

    edges: dict[str, set[str]] = {}
    for resource in graph:
        before = set(graph.depends_on(resource))
        if resource.provider:
            before.add(resource.provider)
        parent = graph.get(resource.parent)
        if parent is not None and parent.custom:
            before.add(parent.urn)
        edges[resource.urn] = expand(before) - {resource.urn}
    return edges


@dataclass(frozen=True)
class Shape:
    """What every schedule of one graph shares, computed once (an estimate runs three schedules, and
    ``plan`` two estimates): who waits for whom, an order that respects it, how long each takes."""

    edges: dict[str, set[str]]
    order: list[str]
    durations: dict[str, Duration]
    dependents: dict[str, list[str]]


def shape(graph: Graph, durations: Durations | None = None) -> Shape:
    """The :class:`Shape` of ``graph`` (creation times from ``durations``, the reference tables by default)."""
    table = durations or Durations()
    edges = waits_for(graph)
    dependents: dict[str, list[str]] = {urn: [] for urn in edges}
    for urn, before in edges.items():
        for b in before:
            dependents[b].append(urn)
    return Shape(edges, _topological(graph, edges), {r.urn: table.of(r) for r in graph}, dependents)


@dataclass
class Step:
    resource: Resource
    duration: Duration
    start: float
    finish: float
    waited_for_slot: float


@dataclass
class Schedule:
    steps: dict[str, Step]
    parallelism: int
    finish: float
    lower_bound: float
    chain: list[Step]
    bound_chain: list[str]


def _longest_path(
    order: list[str], edges: dict[str, set[str]], minutes: dict[str, float]
) -> tuple[float, list[str]]:
    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}
    for urn in order:
        before = max(edges[urn], key=lambda u: (finish[u], u), default=None)
        finish[urn] = (finish[before] if before else 0.0) + minutes[urn]
        via[urn] = before
    if not finish:
        return 0.0, []
    last = max(finish, key=lambda u: (finish[u], u))
    chain = [last]
    while via[chain[-1]]:
        chain.append(via[chain[-1]])  # type: ignore[arg-type]
    return finish[last], list(reversed(chain))


def _topological(graph: Graph, edges: dict[str, set[str]]) -> list[str]:
    pending = {urn: set(before) for urn, before in edges.items()}
    ready = sorted(urn for urn, before in pending.items() if not before)
    dependents: dict[str, list[str]] = {urn: [] for urn in edges}
    for urn, before in edges.items():
        for b in before:
            dependents[b].append(urn)
    order: list[str] = []
    heapq.heapify(ready)
    while ready:
        urn = heapq.heappop(ready)
        order.append(urn)
        for dependent in dependents[urn]:
            pending[dependent].discard(urn)
            if not pending[dependent]:
                heapq.heappush(ready, dependent)
    if len(order) != len(edges):
        cycle = sorted(set(edges) - set(order))[:3]
        raise ValueError(f"dependency cycle through {', '.join(cycle)}")
    return order


def schedule(
    graph: Graph,
    parallelism: int | None = None,
    which: str = "median",
    durations: Durations | None = None,
    shaped: Shape | None = None,
) -> Schedule:
    """Simulate the engine creating every resource with ``parallelism`` operations at once.

    Ready resources are started first come, first served (ties by URN, so the result is deterministic);
    operations that take no time (components, providers) complete as soon as they are ready and never
    occupy a slot.
    """
    slots = parallelism or default_parallelism()
    shaped = shaped or shape(graph, durations)
    edges, order, of, dependents = shaped.edges, shaped.order, shaped.durations, shaped.dependents
    minutes = {urn: of[urn].pick(which) for urn in edges}
    remaining = {urn: len(before) for urn, before in edges.items()}
    steps: dict[str, Step] = {}
    ready: list[tuple[float, str]] = []  # (ready since, urn): every entry is ready at the current time
    running: list[tuple[float, str]] = []  # (finish, urn)

    def make_ready(first: str, at: float) -> None:
        stack = [first]
        while stack:
            urn = stack.pop()
            if minutes[urn] > 0:
                heapq.heappush(ready, (at, urn))
                continue
            steps[urn] = Step(graph.by_urn(urn), of[urn], at, at, 0.0)
            for dependent in dependents[urn]:
                remaining[dependent] -= 1
                if remaining[dependent] == 0:
                    stack.append(dependent)

    for urn in order:
        if not edges[urn]:
            make_ready(urn, 0.0)
    now = 0.0
    while ready or running:
        while ready and len(running) < slots:
            since, urn = heapq.heappop(ready)
            steps[urn] = Step(graph.by_urn(urn), of[urn], now, now + minutes[urn], now - since)
            heapq.heappush(running, (now + minutes[urn], urn))
        now, urn = heapq.heappop(running)
        for dependent in dependents[urn]:
            remaining[dependent] -= 1
            if remaining[dependent] == 0:
                make_ready(dependent, now)

    total = max((s.finish for s in steps.values()), default=0.0)
    bound, bound_chain = _longest_path(order, edges, minutes)
    return Schedule(steps, slots, total, bound, _critical_chain(steps, edges), bound_chain)


def _critical_chain(steps: dict[str, Step], edges: dict[str, set[str]]) -> list[Step]:
    """Back from the last resource to finish: each time, the dependency that finished last."""
    if not steps:
        return []
    current = max(steps.values(), key=lambda s: (s.finish, s.resource.urn))
    chain = [current]
    while True:
        before = [steps[u] for u in edges[current.resource.urn] if u in steps]
        if not before:
            break
        current = max(before, key=lambda s: (s.finish, s.resource.urn))
        chain.append(current)
    chain.reverse()
    return [s for s in chain if s.duration.median > 0 or s is chain[-1]]


@dataclass
class Estimate:
    minutes: float
    low: float
    high: float
    lower_bound: float
    parallelism: int
    chain: list[Step]
    bound_chain: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "estimate_minutes": round(self.minutes, 1),
            "range_minutes": [round(self.low, 1), round(self.high, 1)],
            "lower_bound_minutes": round(self.lower_bound, 1),
            "parallelism": self.parallelism,
            "critical_chain": [
                {
                    "name": s.resource.name,
                    "type": s.resource.type,
                    "start": round(s.start, 2),
                    "finish": round(s.finish, 2),
                }
                for s in self.chain
            ],
        }


def estimate(graph: Graph, parallelism: int | None = None, shaped: Shape | None = None) -> Estimate:
    """Median estimate, its range (fast and slow creation times), and the lower bound.

    ``shaped``: the graph's :func:`shape`, when the caller makes several estimates of one graph."""
    shaped = shaped or shape(graph)
    median = schedule(graph, parallelism, "median", shaped=shaped)
    low = schedule(graph, parallelism, "low", shaped=shaped)
    high = schedule(graph, parallelism, "high", shaped=shaped)
    return Estimate(
        median.finish,
        low.finish,
        high.finish,
        median.lower_bound,
        median.parallelism,
        median.chain,
        median.bound_chain,
    )


def format_estimate(graph: Graph, result: Estimate) -> str:
    lines = [
        f"Estimated from-scratch `pulumi up` of stack {graph.stack}: {result.minutes:.1f} min "
        f"(range {result.low:.1f}-{result.high:.1f} min from fast/slow creation times)",
        f"  parallelism: {result.parallelism} operations at once (pulumi's default: 4 x CPUs; PULUMI_PARALLEL or --parallel to change)",
        f"  lower bound: {result.lower_bound:.1f} min, the slowest chain of dependencies (unbounded parallelism cannot beat it)",
        "",
        "  Critical chain (start -> finish, minutes):",
    ]
    for step in result.chain:
        wait = (
            f"  (waited {step.waited_for_slot:.1f} for a free slot)" if step.waited_for_slot > 0.005 else ""
        )
        lines.append(
            f"    {step.start:6.1f} -> {step.finish:6.1f}  {step.resource.name}  [{step.resource.type}, {step.duration.source}]{wait}"
        )
    return "\n".join(lines)


# --- the activation of a DR standby, as an update (tools/activation.py) --------------------------------

#: Seed 003's recovery time objective: "RTO: 15 minutes" (automated failover to us-west-2).
RTO_MINUTES = 15.0


class UpdateDurations(Durations):
    """Durations of an update: nothing for unchanged resources, update times for changed ones (by type,
    from ``update_minutes``), creation times for new ones."""

    def __init__(self, kinds: dict[str, str], aws_file: Path = DATA / "aws-create-times.json") -> None:
        super().__init__(aws_file=aws_file)
        self.kinds = kinds
        self.update: dict[str, Any] = json.loads(aws_file.read_text())["update_minutes"]

    def of(self, resource: Resource) -> Duration:
        kind = self.kinds.get(resource.urn, SAME)
        if kind == SAME:
            return Duration(0.0, 0.0, 0.0, "unchanged")
        if kind == CREATE or not resource.custom:
            return super().of(resource)
        entry = self.update.get(resource.type)
        if entry and "median" in entry:
            low, high = entry.get("range", [entry["median"], entry["median"]])
            return Duration(entry["median"], low, high, "update-times table")
        if resource.type.startswith("kubernetes:"):
            created = super().of(resource)  # a rollout awaits its new pods as a creation does
            return Duration(created.median, created.low, created.high, "k8s rollout (await table)")
        low, median, high = 0.03, 0.1, 0.5
        return Duration(median, low, high, "update default (not listed)")


@dataclass
class Activation:
    """The activation update: what changes and how long it takes."""

    estimate: Estimate
    kinds: dict[str, str]
    deleted: list[Resource]

    def count(self, kind: str) -> int:
        return sum(1 for k in self.kinds.values() if k == kind)


def estimate_activation(idle: Graph, active: Graph, parallelism: int | None = None) -> Activation:
    """The update from ``idle`` to ``active``, scheduled like a deploy (median, fast and slow times)."""
    kinds = changes(idle, active)
    durations = UpdateDurations(kinds)
    median = schedule(active, parallelism, "median", durations)
    low = schedule(active, parallelism, "low", durations)
    high = schedule(active, parallelism, "high", durations)
    result = Estimate(
        median.finish,
        low.finish,
        high.finish,
        median.lower_bound,
        median.parallelism,
        median.chain,
        median.bound_chain,
    )
    return Activation(result, kinds, removed(idle, active))


def format_activation(stack: str, activation: Activation, target_minutes: float = RTO_MINUTES) -> str:
    """The estimate, the changes, and the critical chain of the activation."""
    result = activation.estimate
    verdict = (
        "within"
        if result.high <= target_minutes
        else "median within"
        if result.minutes <= target_minutes
        else "OVER"
    )
    lines = [
        f"Estimated activation of standby {stack} (dr.active: true, `pulumi up` as an update): "
        f"{result.minutes:.1f} min (range {result.low:.1f}-{result.high:.1f} min from fast/slow update times)",
        f"  changes: {activation.count(UPDATE)} updated, {activation.count(CREATE)} created, "
        f"{len(activation.deleted)} deleted; {activation.count(SAME)} unchanged",
        f"  recovery time objective: {target_minutes:.0f} min (seed 003); {verdict}",
        f"  parallelism: {result.parallelism} operations at once",
        "",
        "  Critical chain (start -> finish, minutes):",
    ]
    for step in result.chain:
        lines.append(
            f"    {step.start:6.1f} -> {step.finish:6.1f}  {step.resource.name}  "
            f"[{step.resource.type}, {step.duration.source}]"
        )
    return "\n".join(lines)


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands,
        "deploy-time",
        run,
        help="critical path of a from-scratch pulumi up (--activate: of a DR standby's activation)",
    )
    cli.add_stack(parser)
    parser.add_argument(
        "--parallel",
        type=cli.whole_number(1, cli.MAX_PARALLEL),
        help="operations at once (default: PULUMI_PARALLEL, else 4 x CPUs)",
    )
    add_activate(parser)


def run(args: argparse.Namespace) -> int:
    if args.activate:
        idle = stacks.load(args.stack, label="deploy-time idle")
        active = stacks.load(activated_stack_file(args.stack).as_posix(), label="deploy-time active")
        print(format_activation(idle.stack, estimate_activation(idle, active, args.parallel)))
        return 0
    graph = stacks.load(args.stack, label="deploy-time")
    print(format_estimate(graph, estimate(graph, args.parallel)))
    return 0
