"""Disaster recovery across two stacks of the same program: the settings that pair a primary stack with
its standby, and the public DNS failover between them.

The primary (``prod``, us-east-1) and the standby (``prod-dr``, us-west-2) each run the whole platform;
the standby runs it as a pilot light (config/profiles/dr.py). They are paired only through
``StackReference`` and the stack-output contract (components/contract.py): the standby reads the
primary's hosted zone id (its failover records live in the primary's zone) and, once the database is an
Aurora Global Database, the global cluster id; the primary reads the standby's backup vault (the
destination of its cross-region backup copies).

DNS failover (:class:`DnsFailover`): for every public host of the primary, one Route 53 failover record
per stack, both in the primary's zone: PRIMARY (prod, with a Route 53 health check) and SECONDARY
(prod-dr). The program writes these records itself, not external-dns: a health check must probe the
primary's own endpoint (the ALB's or CloudFront's name), never the failover name (which would follow
the failover and report the standby healthy: the records would flap), and the ALB's name exists only
after the edge, so it comes from a lookup that depends on the edge (as components/edge_alarms.py does).
The external-dns annotations (``aws-failover``, ``set-identifier``, ``aws-health-check-id``) would need
the health check's id on the HTTPRoute before the ALB the check probes exists. See
docs/decisions/dr-standby.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from .args import Args, FieldProblem

#: CloudFront's alias hosted zone id, the same for every distribution ("Values specified for alias
#: records", Route 53 Developer Guide: HostedZoneId for a CloudFront distribution is Z2FDTNDATAQYW2).
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"

#: A fully qualified stack name: ``<organization>/<project>/<stack>`` (Pulumi Cloud and self-managed
#: backends alike; StackReference takes this form).
STACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$")

Role = Literal["none", "primary", "standby"]
FailoverRole = Literal["PRIMARY", "SECONDARY"]


class HealthCheckSettings(Args):
    """How Route 53 decides the primary is down. Defaults: a 10 s interval and 3 failures, so DNS fails
    over about 30 s after the primary stops answering (seed 003: "DNS failover (~30 s)")."""

    request_interval: Literal[10, 30] = Field(
        default=10, description="Seconds between checks from each checker (Route 53 allows 10 or 30)."
    )
    failure_threshold: int = Field(
        default=3, ge=1, le=10, description="Consecutive failures before the endpoint is unhealthy (1-10)."
    )
    cdn_path: str = Field(
        default="/health.txt",
        pattern=r"^/[A-Za-z0-9._~/-]{0,254}$",
        description="Object the CDN's HTTPS check requests from the primary's distribution (the release "
        "publishes it to the assets bucket); the load balancer's check is TCP 443 (its listener rules "
        "match hosts, and Route 53 sends the probed name as the Host header).",
    )


class DrSettings(Args):
    """Which side of a primary/standby pair this stack is, and whether the standby serves.

    ``none``: a stack without a standby (dev, staging). ``primary``: writes the PRIMARY records with a
    health check and copies its backups to the standby's vault (``standby_stack``). ``standby``: the
    pilot light of ``primary_stack`` in another region; ``active: true`` promotes it (database detached,
    node groups and workloads at the primary's sizes: config/profiles/dr.py).
    """

    role: Role = Field(default="none", description="none, primary or standby.")
    primary_stack: str | None = Field(
        default=None,
        description="Standby only: the primary's fully qualified stack name, <org>/quantumvest-infra/<stack>.",
    )
    standby_stack: str | None = Field(
        default=None,
        description="Primary only: the standby's fully qualified stack name, <org>/quantumvest-infra/<stack>.",
    )
    active: bool = Field(
        default=False,
        description="Standby only: serve as the primary (failover). Promotes the database and scales to "
        "the primary's sizes; false again (after the failback) returns to the pilot light.",
    )
    health_check: HealthCheckSettings = Field(default_factory=HealthCheckSettings)
    rpo_minutes: int = Field(
        default=5,
        ge=1,
        le=1440,
        description="Recovery point objective (seed 003: 'RPO: 5 minutes'): the standby alarms when its "
        "database lags the primary's by more (rpo_lag_alarm).",
    )

    @model_validator(mode="after")
    def _check(self) -> DrSettings:
        for key in ("primary_stack", "standby_stack"):
            value = getattr(self, key)
            if value is not None and not STACK_NAME.match(value):
                raise FieldProblem(
                    key,
                    value,
                    "a fully qualified stack name <org>/<project>/<stack>, e.g. acme/quantumvest-infra/prod",
                )
        needed = {"primary": "standby_stack", "standby": "primary_stack"}.get(self.role)
        if needed and getattr(self, needed) is None:
            raise FieldProblem(needed, None, f"required with role: {self.role} (the other stack of the pair)")
        for key, allowed_role in (("primary_stack", "standby"), ("standby_stack", "primary")):
            if getattr(self, key) is not None and self.role != allowed_role:
                raise FieldProblem(key, getattr(self, key), f"only with role: {allowed_role}")
        if self.active and self.role != "standby":
            raise FieldProblem(
                "active",
                True,
                f"only a standby is activated (role is {self.role!r}); a primary always serves",
            )
        return self

    @property
    def paired_stack(self) -> str | None:
        """The other stack of the pair (what this stack's StackReference reads), or None."""
        return (
            self.primary_stack
            if self.role == "standby"
            else self.standby_stack
            if self.role == "primary"
            else None
        )

    @property
    def is_primary(self) -> bool:
        """The primary of a pair (it exports its failover health checks)."""
        return self.role == "primary"

    @property
    def standby_idle(self) -> bool:
        """A standby that is not serving: the pilot-light sizes apply."""
        return self.role == "standby" and not self.active


@dataclass(frozen=True)
class FailoverHost:
    """One public host and the endpoint of this stack that serves it."""

    fqdn: str
    kind: Literal["regional", "cdn"]


def failover_role(role: Role) -> FailoverRole:
    """The Route 53 failover role of a stack's records."""
    if role == "none":
        raise ValueError("a stack with dr.role none writes no failover records")
    return "PRIMARY" if role == "primary" else "SECONDARY"


def set_identifier(role: Role) -> str:
    """The record's set identifier: one per side of the pair, the same for every host."""
    return failover_role(role).lower()


class DnsFailover(pulumi.ComponentResource):
    """Route 53 failover records for the primary's public hosts, this stack's half of each pair.

    Creates, per host, an A alias record with the failover routing policy in ``zone_id`` (the primary's
    zone): to this stack's ALB (looked up by the name the program gives it, after ``edge``) for regional
    hosts, to its CloudFront distribution for the CDN host. The primary's records carry a Route 53 health
    check of its own endpoint (TCP 443 on the ALB's name; HTTPS ``cdn_path`` on the distribution's
    name); the standby's carry none (a SECONDARY without a check is taken as healthy, so the standby is
    the answer whenever the primary is not). Alias records to the ALB evaluate its target health, so a
    load balancer with no ready pods also fails over.
    """

    health_check_ids: dict[str, pulumi.Output[str]]
    record_fqdns: dict[str, pulumi.Output[str]]

    def __init__(
        self,
        name: str,
        settings: DrSettings,
        *,
        hosts: Sequence[FailoverHost],
        zone_id: pulumi.Input[str],
        load_balancer_name: str,
        edge: Sequence[pulumi.Resource],
        cdn_domain_name: pulumi.Input[str] | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:dr:DnsFailover", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = failover_role(settings.role)
        self.health_check_ids = {}
        self.record_fqdns = {}
        alb = None
        if any(h.kind == "regional" for h in hosts):
            alb = aws.lb.get_load_balancer_output(
                name=load_balancer_name,
                opts=pulumi.InvokeOutputOptions(parent=self, depends_on=list(edge)),
            )
        for host in hosts:
            label = host.fqdn.split(".", 1)[0]
            if host.kind == "regional":
                assert alb is not None
                target, target_zone, evaluate = alb.dns_name, alb.zone_id, True
            else:
                if cdn_domain_name is None:
                    raise ValueError(f"{host.fqdn}: a CDN host needs the distribution's domain name")
                target, target_zone, evaluate = (
                    pulumi.Output.from_input(cdn_domain_name),
                    CLOUDFRONT_ZONE_ID,
                    False,
                )
            health_check_id: pulumi.Output[str] | None = None
            if role == "PRIMARY":
                check = self._health_check(f"{name}-{label}", host, target, settings.health_check, child)
                health_check_id = check.id
                self.health_check_ids[host.fqdn] = check.id
            record = aws.route53.Record(
                f"{name}-{label}-{role.lower()}",
                zone_id=zone_id,
                name=host.fqdn,
                type="A",
                set_identifier=set_identifier(settings.role),
                failover_routing_policies=[{"type": role}],
                health_check_id=health_check_id,
                aliases=[{"name": target, "zone_id": target_zone, "evaluate_target_health": evaluate}],
                opts=child,
            )
            self.record_fqdns[host.fqdn] = record.fqdn
        self.register_outputs({"health_check_ids": self.health_check_ids, "record_fqdns": self.record_fqdns})

    @staticmethod
    def _health_check(
        name: str,
        host: FailoverHost,
        target: pulumi.Input[str],
        settings: HealthCheckSettings,
        opts: pulumi.ResourceOptions,
    ) -> aws.route53.HealthCheck:
        """A check of the primary's own endpoint (never the failover name: it would follow the failover)."""
        https = host.kind == "cdn"
        return aws.route53.HealthCheck(
            f"{name}-health",
            fqdn=target,
            port=443,
            type="HTTPS" if https else "TCP",
            resource_path=settings.cdn_path if https else None,
            enable_sni=True if https else None,
            request_interval=settings.request_interval,
            failure_threshold=settings.failure_threshold,
            tags={"Name": f"{host.fqdn} primary"},
            opts=opts,
        )


def rpo_lag_alarm(
    name: str,
    *,
    cluster_identifier: pulumi.Input[str],
    rpo_minutes: int,
    evaluation_periods: int,
    topic_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> aws.cloudwatch.MetricAlarm:
    """The standby's alarm when its secondary Aurora cluster is further behind the primary than the RPO.

    ``AuroraGlobalDBRPOLag`` (milliseconds, reported by a secondary Aurora PostgreSQL cluster of a global
    database, dimension ``DBClusterIdentifier``: Aurora User Guide, "Amazon CloudWatch metrics for
    Amazon Aurora") measures how far behind the secondary is in user transactions, which is the data a
    failover would lose. It lives in the standby (the metric is the standby region's, and a CloudWatch
    alarm reads its own region's metrics) and notifies the standby's alert topic. Missing data is
    breaching: no lag figure means replication is not running.
    """
    threshold_ms = rpo_minutes * 60 * 1000
    return aws.cloudwatch.MetricAlarm(
        f"{name}-rpo-lag",
        alarm_description=f"Aurora global database: the standby's secondary cluster is more than {rpo_minutes} "
        "min behind the primary (RPO): a failover now would lose more than the objective allows",
        namespace="AWS/RDS",
        metric_name="AuroraGlobalDBRPOLag",
        dimensions={"DBClusterIdentifier": cluster_identifier},
        statistic="Maximum",
        period=60,
        evaluation_periods=evaluation_periods,
        threshold=threshold_ms,
        comparison_operator="GreaterThanThreshold",
        treat_missing_data="breaching",
        alarm_actions=[topic_arn],
        ok_actions=[topic_arn],
        tags={"AlarmGroup": "RDS"},
        opts=opts,
    )
