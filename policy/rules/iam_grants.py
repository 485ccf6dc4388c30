"""IAM guardrails over every identity, trust and resource policy in the graph, and the AWS-managed
policies attached (their documents kept in ``policy/data``).

Each rule reads the documents :func:`policy.rules.iam_documents.documents` yields; what a statement
may do is judged with the AWS Service Authorization Reference (``policy/data/iam_actions.json``): an
action's access level, and the condition keys that apply to it. The accepted exceptions are in one
list, :mod:`policy.rules.iam_allowlist`, each with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from policy.model import Context, ResourceLike
from policy.rules.base import as_list, rule, statements, words
from policy.rules.iam_allowlist import (
    NARROWING_KEYS,
    SERVICES_WITHOUT_SOURCE_KEYS,
    SOURCE_KEY_EQUIVALENTS,
    WILDCARD_GRANTS,
)
from policy.rules.iam_documents import (
    POLICY_HOLDERS,
    Document,
    condition_keys,
    condition_values,
    documents,
    is_open_principal,
    service_principals,
)
from policy.rules.iam_reference import WRITE_LEVELS, expand, key_applies
from policy.rules.tokens import IAM_ROLE

#: Global keys that tie a service's request to this account's own resources (the confused-deputy guard).
SOURCE_KEYS = ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths")

#: The principal EKS Pod Identity assumes roles as.
POD_IDENTITY = "pods.eks.amazonaws.com"

_SERVICE_ACCOUNT = re.compile(
    r"^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
)


def _sid(statement: dict[str, Any], index: int) -> str:
    return str(statement.get("Sid") or f"statement {index + 1}")


def _allows(document: Document) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, statement in enumerate(statements(document.document)):
        if statement.get("Effect") == "Allow":
            yield f"{document.label} {_sid(statement, index)}", statement


def _has_key(statement: dict[str, Any], keys: tuple[str, ...] | list[str]) -> bool:
    present = {k.lower() for k in condition_keys(statement)}
    return any(k.lower() in present for k in keys)


@rule(
    "iam-wildcard-write",
    "No Write, Permissions-management or Tagging action on '*' without a condition, unless listed with "
    "its reason in policy/rules/iam_allowlist.py (inline, customer-managed and attached AWS-managed policies)",
    ids=("CKV_AWS_355", "CKV_AWS_290", "CKV_AWS_289", "FSBP IAM.21 (related)", "NAG IAM5"),
    types=POLICY_HOLDERS,
    remediation="Name the ARNs the workload touches, or add a condition that confines the grant (a tag it "
    "sets, its VPC, a service it calls through); if AWS offers neither, add a WildcardGrant with the reason.",
)
def iam_wildcard_write(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for document in documents(r):
        if document.kind != "identity":
            continue
        if document.document is None:
            yield (
                f"{document.label}: the document of this AWS-managed policy is not in "
                "policy/data/aws_managed_policies.json, so its grants cannot be checked"
            )
            continue
        for where, statement in _allows(document):
            if "*" not in words(statement.get("Resource")) or statement.get("Condition"):
                continue
            wide: list[str] = []
            for pattern in words(statement.get("Action")):
                for action in expand(pattern) or ():
                    if action.level in WRITE_LEVELS and not any(
                        g.covers(f"{r.name}/{document.label}", action.full) for g in WILDCARD_GRANTS
                    ):
                        wide.append(f"{action.full} ({action.level_name})")
            if wide:
                shown = ", ".join(sorted(set(wide))[:8]) + (" …" if len(set(wide)) > 8 else "")
                yield f"{where}: {shown} on '*' without a condition"


@rule(
    "iam-service-trust-confused-deputy",
    "Every statement letting an AWS service principal in (role trust or resource policy) carries the "
    "confused-deputy guard: aws:SourceAccount or aws:SourceArn (or the service's documented equivalent)",
    ids=(
        "IAM User Guide: cross-service confused deputy",
        "Prowler iam_role_cross_service_confused_deputy_prevention",
    ),
    types=POLICY_HOLDERS,
    remediation='Add "Condition": {"StringEquals": {"aws:SourceAccount": <account>}} and, where the '
    "service sends it, ArnLike aws:SourceArn (components/iam.py service_trust_policy builds both).",
)
def iam_service_trust_confused_deputy(r: ResourceLike, ctx: Context) -> Iterator[str]:
    exempt = {s.service for s in SERVICES_WITHOUT_SOURCE_KEYS}
    for document in documents(r):
        if document.kind == "identity":
            continue
        for where, statement in _allows(document):
            for service in service_principals(statement):
                if service in exempt:
                    continue
                equivalents = [
                    key
                    for glob, keys in SOURCE_KEY_EQUIVALENTS.items()
                    if fnmatchcase(service, glob)
                    for key in keys
                ]
                if not _has_key(statement, [*SOURCE_KEYS, *equivalents]):
                    yield f"{where}: {service} is let in without aws:SourceAccount/aws:SourceArn"


def _single_exact(statement: dict[str, Any], key: str) -> str | None:
    """The one value ``key`` is pinned to with StringEquals, or ``None`` (absent, a pattern, several)."""
    found = condition_values(statement, key)
    if len(found) != 1:
        return None
    operator, values = found[0]
    if operator != "StringEquals" or len(values) != 1 or any(c in values[0] for c in "*?"):
        return None
    return values[0]


@rule(
    "iam-workload-trust-one-service-account",
    "An IRSA or EKS Pod Identity trust pins exactly one Kubernetes service account (StringEquals on "
    "sub and aud, or on the pod identity session tags), never a pattern or a list",
    ids=("EKS User Guide: IRSA trust policy (sub and aud)", "EKS User Guide: Pod Identity session tags"),
    types=IAM_ROLE,
    remediation="Use components/irsa.py irsa_trust_policy (StringEquals <issuer>:sub = "
    "system:serviceaccount:<ns>:<sa> and <issuer>:aud = sts.amazonaws.com).",
)
def iam_workload_trust_one_service_account(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for document in documents(r):
        if document.kind != "trust":
            continue
        for where, statement in _allows(document):
            actions = {a.lower() for a in words(statement.get("Action"))}
            principal = statement.get("Principal")
            federated = (
                [str(p) for p in as_list(principal.get("Federated"))] if isinstance(principal, dict) else []
            )
            if any(":oidc-provider/" in p for p in federated) or "sts:assumerolewithwebidentity" in actions:
                issuers = {p.split(":oidc-provider/", 1)[-1] for p in federated}
                if len(issuers) != 1:
                    yield f"{where}: trusts {len(issuers)} OIDC providers; an IRSA role trusts one cluster"
                    continue
                issuer = issuers.pop()
                subject = _single_exact(statement, f"{issuer}:sub")
                if subject is None or not _SERVICE_ACCOUNT.match(subject):
                    yield (
                        f"{where}: {issuer}:sub is not pinned to one service account with StringEquals "
                        "(system:serviceaccount:<namespace>:<name>)"
                    )
                if _single_exact(statement, f"{issuer}:aud") != "sts.amazonaws.com":
                    yield f"{where}: {issuer}:aud is not pinned to sts.amazonaws.com with StringEquals"
            if POD_IDENTITY in service_principals(statement):
                for tag in ("kubernetes-namespace", "kubernetes-service-account"):
                    if _single_exact(statement, f"aws:RequestTag/{tag}") is None:
                        yield f"{where}: EKS Pod Identity trust does not pin aws:RequestTag/{tag} to one value"


@rule(
    "iam-no-not-action-allow",
    "No Allow with NotAction, NotResource or NotPrincipal (each grants everything not listed, including "
    "what AWS adds later)",
    ids=("IAM User Guide: NotAction/NotResource with Allow", "FSBP IAM.1 (related)"),
    types=POLICY_HOLDERS,
    remediation="List the actions, resources or principals that are allowed instead.",
)
def iam_no_not_action_allow(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for document in documents(r):
        for where, statement in _allows(document):
            for element in ("NotAction", "NotResource", "NotPrincipal"):
                if statement.get(element) is not None:
                    yield f"{where}: Allow with {element} grants everything not listed"


@rule(
    "iam-open-principal",
    "A trust or resource policy that allows principal '*' narrows it with a condition to this account, "
    "organization, calling service or network",
    ids=("FSBP S3.2 (related)", "FSBP KMS.5 (related)", "CKV_AWS_33", "CKV_AWS_70"),
    types=POLICY_HOLDERS,
    remediation="Name the principals, or add aws:PrincipalAccount / aws:SourceAccount / kms:CallerAccount "
    "(see NARROWING_KEYS in policy/rules/iam_allowlist.py).",
)
def iam_open_principal(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for document in documents(r):
        for where, statement in _allows(document):
            if is_open_principal(statement) and not _has_key(statement, list(NARROWING_KEYS)):
                yield f"{where}: principal '*' without a condition that narrows it"


@rule(
    "iam-condition-keys-apply",
    "Every service-specific condition key applies to every action of its statement, and every action "
    "exists (a key an action does not carry makes the statement grant, or deny, nothing for it)",
    ids=("Parliament: UNKNOWN_CONDITION_FOR_ACTION", "Parliament: UNKNOWN_ACTION"),
    types=POLICY_HOLDERS,
    remediation="Split the statement: put the actions that carry the key under the condition, and guard "
    "the others with a key that applies to them (aws:SourceAccount, kms:ViaService, …).",
)
def iam_condition_keys_apply(r: ResourceLike, ctx: Context) -> Iterator[str]:
    for document in documents(r):
        for index, statement in enumerate(statements(document.document)):
            where = f"{document.label} {_sid(statement, index)}"
            # Service keys only: global aws: keys apply to every action, and an identity provider's keys
            # (``oidc.eks.<region>.amazonaws.com/id/<id>:sub``) are not in the service reference.
            keys = [
                k
                for k in condition_keys(statement)
                if not k.lower().startswith("aws:") and "." not in k.split(":")[0]
            ]
            for pattern in words(statement.get("Action")):
                actions = expand(pattern)
                if not actions:
                    if pattern not in ("*", "*:*"):
                        yield f"{where}: {pattern} names no action of the IAM reference (policy/data/iam_actions.json)"
                    continue
                for key in keys:
                    # An exact action must carry the key; a pattern (``s3:*`` in a TLS deny) must match
                    # at least one action that does, or the condition can never hold for it.
                    if not any(key_applies(a, key) for a in actions):
                        yield f"{where}: condition key {key} does not apply to {pattern}"
