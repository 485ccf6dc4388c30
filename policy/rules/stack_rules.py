"""Guardrails the external tools miss, over the stack as a whole: database network boundaries, prod
state protection, plaintext secrets in the stack file, and the exceptions themselves."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import timedelta

from components.guardrails import MIN_REASON_LENGTH, RULE_IDS
from components.secret_keys import plaintext_secrets
from policy.model import ConfigView, Context, ResourceLike, Tiering
from policy.rules.base import rule
from policy.rules.security_groups import (
    ATTACHMENTS,
    DATABASE_ATTACHMENTS,
    ingress_permissions,
    target_groups,
    within,
)
from policy.rules.tokens import (
    BUCKETS,
    CACHE_REPLICATION_GROUP,
    DYNAMODB_TABLE,
    EFS_FILE_SYSTEM,
    INGRESS_SOURCES,
    KMS_KEY,
    KMS_REPLICA_KEY,
    RDS_CLUSTER,
    RDS_INSTANCE,
    VPC,
    VPC_CIDR_ASSOCIATION,
)
from policy.view import StackView

#: Resources whose loss is data loss: what ``protect`` guards in prod.
STATEFUL_TYPES = (
    RDS_INSTANCE,
    RDS_CLUSTER,
    CACHE_REPLICATION_GROUP,
    *BUCKETS,
    KMS_KEY,
    KMS_REPLICA_KEY,
    EFS_FILE_SYSTEM,
    DYNAMODB_TABLE,
)

#: An exception is a dated promise, not a permanent waiver.
MAX_EXCEPTION_DAYS = 366


def _database_group(stack: StackView, group: ResourceLike) -> list[ResourceLike]:
    return [
        user
        for type_token in DATABASE_ATTACHMENTS
        for user in stack.referrers(group, ATTACHMENTS[type_token], type_token)
    ]


def _vpc_networks(
    stack: StackView, group: ResourceLike
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    vpcs = stack.referenced(group, "vpcId", VPC) or stack.of_type(VPC)
    blocks = [str(v.inputs.get("cidrBlock")) for v in vpcs if v.inputs.get("cidrBlock")]
    for vpc in vpcs:
        blocks += [
            str(a.inputs.get("cidrBlock")) for a in stack.referrers(vpc, "vpcId", VPC_CIDR_ASSOCIATION)
        ]
    networks = []
    for block in blocks:
        try:
            networks.append(ipaddress.ip_network(block, strict=False))
        except ValueError:
            continue
    return networks


@rule(
    "db-sg-ingress-within-vpc",
    "Database security groups admit no CIDR outside the VPC",
    ids=("—",),
    types=INGRESS_SOURCES,
    remediation="Admit the application's security group (referenced_security_group_id) or the private "
    "subnets' CIDRs; reach the database from elsewhere through the VPN or a bastion in the VPC.",
    scope="stack",
)
def db_sg_ingress_within_vpc(r: ResourceLike, ctx: Context) -> Iterator[str]:
    permissions = ingress_permissions(r)
    if not permissions:
        return
    for group in target_groups(ctx.stack, r):
        users = _database_group(ctx.stack, group)
        if not users:
            continue
        networks = _vpc_networks(ctx.stack, group)
        for permission in permissions:
            outside = [c for c in permission.cidrs if not within(c, networks)]
            if outside:
                yield (
                    f"{permission.label} admits {', '.join(outside)} to {group.name}, the security group of "
                    f"{', '.join(sorted(u.name for u in users))}; only addresses inside the VPC may connect"
                )


@rule(
    "state-protected",
    "Stateful resources (databases, caches, buckets, keys, file systems) have `protect` in prod",
    ids=("—",),
    types=STATEFUL_TYPES,
    remediation="Pass opts=pulumi.ResourceOptions(protect=True) (the prod profile's protect setting); "
    "unprotect deliberately with `pulumi state unprotect` before a planned removal.",
    tiering=Tiering.PROD_ONLY,
)
def state_protected(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if not r.options.get("protect"):
        yield "not protected: a refactor that renames or replaces it deletes the data"


@rule(
    "config-no-plaintext-secrets",
    "No secret-looking key in the stack file holds plain text",
    ids=("—",),
    types=(),
    remediation="pulumi config set --secret --path 'quantumvest-infra:<section>.<key>' <value>",
    scope="config",
)
def config_no_plaintext_secrets(config: ConfigView, ctx: Context) -> Iterator[str]:
    for section, value in (config.values or {}).items():
        if section in config.secret_sections:
            continue
        for path, _ in plaintext_secrets({section: value}, ""):
            yield f"{config.source}: quantumvest-infra:{path.lstrip('.')} holds plain text"


@rule(
    "policy-exception-valid",
    "Exceptions are explained, name a known rule, and have not expired (at most a year ahead)",
    ids=("—",),
    types=(),
    remediation="Fix the resource and delete the exception, or renew it with a new reason and expiry "
    "(quantumvest-infra:policy.exceptions).",
    scope="config",
)
def policy_exception_valid(config: ConfigView, ctx: Context) -> Iterator[str]:
    yield from config.problems
    for index, exception in enumerate(config.exceptions):
        where = f"policy.exceptions[{index}] ({exception.rule} on {exception.resource})"
        if exception.rule not in RULE_IDS:
            yield f"{where}: no such rule"
        if len(exception.reason.strip()) < MIN_REASON_LENGTH:
            yield f"{where}: unexplained (reason: {exception.reason!r})"
        if exception.is_expired(ctx.today):
            yield f"{where}: expired on {exception.expires.isoformat()}"
        elif exception.expires > ctx.today + timedelta(days=MAX_EXCEPTION_DAYS):
            yield f"{where}: expires {exception.expires.isoformat()}, more than a year ahead"


@rule(
    "policy-exception-unused",
    "Every exception still covers a finding (stale ones are removed)",
    ids=("—",),
    types=(),
    remediation="Delete exceptions that no longer match any finding.",
    scope="config",
    tiering=Tiering.ADVISORY,
)
def policy_exception_unused(config: ConfigView, ctx: Context) -> Iterator[str]:
    for index, exception in enumerate(config.exceptions):
        if exception.is_expired(ctx.today):
            continue
        if not any(f.excepted_by is exception for f in ctx.findings):
            yield f"policy.exceptions[{index}] ({exception.rule} on {exception.resource}) covers no finding"
