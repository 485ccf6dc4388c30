"""IAM roles for service accounts (IRSA): a role only one namespace/service account can assume.

Stand-in with the same signature as ``components/irsa.py`` of the cluster branch (``irsa_role``); at
merge, ``from components.workloads_irsa import irsa_role`` becomes ``from components.irsa import
irsa_role`` and this file goes.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.iam import policy_document


def _issuer_host(url: str) -> str:
    """``https://oidc.eks.us-east-1.amazonaws.com/id/X`` → ``oidc.eks.us-east-1.amazonaws.com/id/X``."""
    return url.removeprefix("https://")


def web_identity_trust_policy(
    oidc_provider_arn: str, oidc_provider_url: str, namespace: str, service_account: str
) -> str:
    """Trust policy: the cluster's OIDC provider, for exactly this service account, audience STS."""
    issuer = _issuer_host(oidc_provider_url)
    return policy_document(
        {
            "Effect": "Allow",
            "Principal": {"Federated": oidc_provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                    f"{issuer}:aud": "sts.amazonaws.com",
                }
            },
        }
    )


def irsa_role(
    name: str,
    *,
    namespace: pulumi.Input[str],
    service_account: pulumi.Input[str],
    oidc_provider_arn: pulumi.Input[str],
    oidc_provider_url: pulumi.Input[str],
    policy_json: pulumi.Input[str] | None = None,
    managed_policy_arns: Sequence[pulumi.Input[str]] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.iam.Role:
    """A role assumable only by ``system:serviceaccount:<namespace>:<service_account>``.

    Creates the role, an inline policy when ``policy_json`` is given, and one attachment per managed
    policy ARN. Children share ``opts`` (so they land under the caller's component).
    """
    trust = pulumi.Output.all(oidc_provider_arn, oidc_provider_url, namespace, service_account).apply(
        lambda v: web_identity_trust_policy(v[0], v[1], v[2], v[3])
    )
    role = aws.iam.Role(
        name,
        assume_role_policy=trust,
        description=pulumi.Output.concat("IRSA: ", namespace, "/", service_account),
        max_session_duration=3600,
        opts=opts,
    )
    if policy_json is not None:
        aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy_json, opts=opts)
    for index, arn in enumerate(managed_policy_arns or []):
        aws.iam.RolePolicyAttachment(f"{name}-managed-{index}", role=role.name, policy_arn=arn, opts=opts)
    return role
