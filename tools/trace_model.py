"""What a path trace is made of: one hop per fact in the plan, and a path of hops for one public host.

``tools/trace.py`` (the command, the AWS hops: DNS, certificates, CDN) and ``tools/trace_k8s.py`` (the
hops inside the cluster: listeners, WAF association, routes, Services, pods, NetworkPolicies) both
produce :class:`Hop` values; the command prints them one line each and exits 1 on the first broken path.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hop:
    """One step of a request's path, as found (or not) in the plan.

    ``kind`` names the hop (``dns``, ``certificate``, ``listener-443``, ``redirect-80``, ``waf``,
    ``route``, ``service``, ``pods``, ``network-policy``, ``distribution``, ``origin-access``,
    ``bucket-policy``); ``detail`` says what was found, or why the hop is broken.
    """

    kind: str
    ok: bool
    detail: str

    def line(self) -> str:
        mark = "ok " if self.ok else "BROKEN"
        return f"{mark:6} {self.kind:15} {self.detail}"


@dataclass
class Path:
    """Every hop of one public host, in request order."""

    host: str
    hops: list[Hop] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.hops) and all(hop.ok for hop in self.hops)

    def broken(self) -> list[Hop]:
        return [hop for hop in self.hops if not hop.ok]
