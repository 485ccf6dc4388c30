"""IAM roles for Kubernetes service accounts (IRSA), as the monitoring component needs them.

A stand-in with the exact signature of ``components.irsa.irsa_role`` (being written with the
cluster): at merge, the import in the monitoring modules switches to the shared helper and this file
goes away. The role trusts only one service account of one namespace, through the cluster's OIDC
provider, and only for the ``sts.amazonaws.com`` audience.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws


def _issuer_host(url: str) -> str:
    """``https://oidc.eks.us-east-1.amazonaws.com/id/ABC`` → ``oidc.eks.us-east-1.amazonaws.com/id/ABC``."""
    return url.removeprefix("https://").removeprefix("http://").rstrip("/")


def trust_policy(oidc_provider_arn: str, oidc_provider_url: str, namespace: str, service_account: str) -> str:
    """Trust policy letting exactly ``namespace/service_account`` assume the role via web identity."""
    issuer = _issuer_host(oidc_provider_url)
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
                            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                            f"{issuer}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        },
        sort_keys=True,
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
    """An auto-named IAM role for one service account, with an inline policy and/or managed policies.

    Creates: the role (``{name}``), an inline ``RolePolicy`` (``{name}-policy``) when ``policy_json``
    is given, and one ``RolePolicyAttachment`` (``{name}-attach-<i>``) per managed policy ARN.
    """
    assume = pulumi.Output.all(oidc_provider_arn, oidc_provider_url, namespace, service_account).apply(
        lambda v: trust_policy(v[0], v[1], v[2], v[3])
    )
    role = aws.iam.Role(
        name,
        assume_role_policy=assume,
        description=pulumi.Output.concat("IRSA for ", namespace, "/", service_account),
        max_session_duration=3600,
        opts=opts,
    )
    if policy_json is not None:
        aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy_json, opts=opts)
    for index, arn in enumerate(managed_policy_arns or ()):
        aws.iam.RolePolicyAttachment(f"{name}-attach-{index}", role=role.name, policy_arn=arn, opts=opts)
    return role
