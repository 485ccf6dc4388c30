"""The stack's public Route 53 hosted zone for ``platform.domain``: where every public name lives.

Creates, by default, one public hosted zone named after the domain (protected: deleting it throws away
its name servers, which the parent zone or registrar delegates to, so every name of the stack would stop
resolving until the delegation is redone). With ``hosted_zone_id`` set, adopts a zone that already
exists instead and creates nothing. Either way the zone's id is the one fact everything else writes
records through: ACM's validation records, CloudFront's alias, and external-dns (the load balancer's
names). See docs/decisions/public-edge.md for who writes which record.

No lookup by name (``get_zone``): a zone created in the same program does not exist at ``pulumi preview``
of the first deployment, and a lookup by name can pick up a private zone of the same name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from .args import Args, FieldProblem

LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN_PATTERN = re.compile(rf"^({LABEL}\.)+[a-z]{{2,63}}$")
#: Route 53 hosted zone ids: 'Z' and up to 31 upper-case letters or digits (Route 53 API reference).
HOSTED_ZONE_PATTERN = re.compile(r"^Z[A-Z0-9]{1,31}$")


class DnsZoneArgs(Args):
    """The stack's public hosted zone. Default: created by the stack and protected."""

    domain: str | None = Field(
        default=None,
        max_length=253,
        description="The zone's name: the stack's public domain (the loader fills it from platform.domain).",
    )
    hosted_zone_id: str | None = Field(
        default=None,
        description="Adopt this existing public hosted zone of ``domain`` instead of creating one (a zone "
        "another stack or team already delegates). None: the stack creates the zone.",
    )
    protect: bool = Field(
        default=True,
        description="Pulumi 'protect' on a created zone: a deleted zone's name servers are gone for good, "
        "and the parent's delegation points at nothing.",
    )

    @model_validator(mode="after")
    def _check(self) -> DnsZoneArgs:
        if self.domain is not None and not DOMAIN_PATTERN.match(self.domain):
            raise FieldProblem(
                "domain",
                self.domain,
                "a lowercase DNS name of two or more labels (letters, digits, hyphens), e.g. 'quantumvest.com'",
            )
        if self.hosted_zone_id is not None:
            if not HOSTED_ZONE_PATTERN.match(self.hosted_zone_id):
                raise FieldProblem(
                    "hosted_zone_id",
                    self.hosted_zone_id,
                    "a Route 53 hosted zone id: 'Z' and up to 31 uppercase letters or digits",
                )
            if self.domain is None:
                raise FieldProblem(
                    "domain", None, "required with dns.hosted_zone_id: the adopted zone's domain"
                )
        return self

    @property
    def created(self) -> bool:
        """Whether the stack creates the zone (no ``hosted_zone_id`` to adopt)."""
        return self.hosted_zone_id is None


class DnsZone(pulumi.ComponentResource):
    """The public hosted zone of the stack's domain, created (default) or adopted by id.

    ``zone_id`` is what records are written through; ``name_servers`` (created zones only) is what the
    parent zone's NS record or the registrar must list (docs/edge.md: "Delegating the stack's domain").
    """

    zone_id: pulumi.Output[str]
    name_servers: pulumi.Output[Sequence[str]] | None

    def __init__(self, name: str, args: DnsZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("quantumvest:dns:DnsZone", name, None, opts)
        if args.domain is None:
            raise ValueError("dns_zone: a domain is required (platform.domain in the stack file)")
        self.domain = args.domain
        if args.hosted_zone_id is not None:
            self.zone_id = pulumi.Output.from_input(args.hosted_zone_id)
            self.name_servers = None
        else:
            zone = aws.route53.Zone(
                f"{name}-zone",
                name=args.domain,
                comment=f"public names of {args.domain} (managed by Pulumi)",
                force_destroy=False,  # records written by external-dns are never silently deleted
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            self.zone_id = zone.zone_id
            self.name_servers = zone.name_servers
        self.register_outputs({"zone_id": self.zone_id, "name_servers": self.name_servers})
