"""IAM roles for service accounts (IRSA): one role per Kubernetes service account, trusted through the
cluster's OIDC provider and bound to exactly that namespace and service account.

Every add-on and application that calls AWS gets its permissions this way, never from the node role:
a pod can only assume a role whose trust policy names its own ``system:serviceaccount:NS:SA``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

#: IAM role names: at most 64 characters (pulumi-aws ``provider/resources.go``:
#: ``"name": tfbridge.AutoName("name", 64, "-")``; terraform-provider-aws ``iam/role.go`` validator).
ROLE_NAME_MAX = 64
#: What auto-naming appends to the logical name: ``-`` and 7 random hex characters.
AUTONAME_SUFFIX = 8
#: ``name_prefix`` is completed with 26 characters (``id.PrefixedUniqueId``), so it may have 64 - 26.
ROLE_NAME_PREFIX_MAX = ROLE_NAME_MAX - 26

#: The audience the EKS pod identity webhook requests for projected service-account tokens.
STS_AUDIENCE = "sts.amazonaws.com"

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SA_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")


def service_account_subject(namespace: str, service_account: str) -> str:
    """The ``sub`` claim of a projected token: ``system:serviceaccount:<namespace>:<name>``."""
    if not _DNS_LABEL.match(namespace) or len(namespace) > 63:
        raise ValueError(f"namespace {namespace!r} is not a valid Kubernetes namespace name (DNS-1123 label)")
    if not _SA_NAME.match(service_account) or len(service_account) > 253:
        raise ValueError(f"service account {service_account!r} is not a valid Kubernetes name (DNS-1123)")
    return f"system:serviceaccount:{namespace}:{service_account}"


def irsa_trust_policy(
    oidc_provider_arn: str, oidc_provider_url: str, namespace: str, service_account: str
) -> str:
    """The trust policy (JSON) letting only ``namespace/service_account`` assume the role.

    Both conditions are ``StringEquals`` (never ``StringLike``): ``sub`` pins the one service account,
    ``aud`` pins the STS audience so a token minted for another audience cannot be replayed here.
    """
    issuer = oidc_provider_url.removeprefix("https://").rstrip("/")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": oidc_provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{issuer}:sub": service_account_subject(namespace, service_account),
                            f"{issuer}:aud": STS_AUDIENCE,
                        }
                    },
                }
            ],
        },
        sort_keys=True,
    )


def role_name_prefix(logical_name: str) -> str | None:
    """An explicit ``name_prefix`` for a role whose auto-name would not fit IAM's 64 characters, else None.

    Only roles that could never have been created get one, so no existing role changes its name (a
    ``name_prefix`` on an existing role would replace it). The prefix keeps the start of the logical
    name, which names the component and the service, and ends with ``-``.
    """
    if len(logical_name) + AUTONAME_SUFFIX <= ROLE_NAME_MAX:
        return None
    return logical_name[: ROLE_NAME_PREFIX_MAX - 1].rstrip("-") + "-"


def irsa_role(
    name: str,
    *,
    namespace: str,
    service_account: str,
    oidc_provider_arn: pulumi.Input[str],
    oidc_provider_url: pulumi.Input[str],
    policy_json: pulumi.Input[str] | None = None,
    managed_policy_arns: Sequence[pulumi.Input[str]] = (),
    opts: pulumi.ResourceOptions | None = None,
) -> aws.iam.Role:
    """Create an IAM role assumable only by ``namespace/service_account`` through the cluster's OIDC provider.

    Creates the role (tagged with the namespace and service account it serves), an inline policy from
    ``policy_json`` when given, and an attachment per managed policy ARN. ``name`` is the logical name
    of the role; its policies are named ``<name>-policy`` and ``<name>-attach-<n>``. The role's physical
    name is auto-generated, from a shortened ``name_prefix`` when the logical name is too long for IAM
    (see :func:`role_name_prefix`). Pass ``opts`` with the caller's ``parent`` (and provider).
    """
    if policy_json is None and not managed_policy_arns:
        raise ValueError(
            f"IRSA role {name!r}: give policy_json or managed_policy_arns (a role that can do nothing)"
        )
    subject = service_account_subject(namespace, service_account)  # validates early, before any resource
    role = aws.iam.Role(
        name,
        name_prefix=role_name_prefix(name),
        description=f"IRSA: {subject}",
        assume_role_policy=pulumi.Output.all(oidc_provider_arn, oidc_provider_url).apply(
            lambda args: irsa_trust_policy(args[0], args[1], namespace, service_account)
        ),
        max_session_duration=3600,
        tags={"kubernetes-namespace": namespace, "kubernetes-service-account": service_account},
        opts=opts,
    )
    if policy_json is not None:
        aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy_json, opts=opts)
    for index, arn in enumerate(managed_policy_arns):
        aws.iam.RolePolicyAttachment(f"{name}-attach-{index}", role=role.name, policy_arn=arn, opts=opts)
    return role
