"""IAM roles for people administering the cluster: assumable only with MFA, for a bounded session.

The access entries of ``cluster.admin_roles`` / ``readonly_roles`` name roles that exist elsewhere;
whether those demand MFA is out of this program's sight. When config asks (``admin_roles.enabled``),
the platform creates its own roles whose trust policy *requires* ``aws:MultiFactorAuthPresent`` and a
recent MFA sign-in (``aws:MultiFactorAuthAge``), with a short maximum session, and gives them access
entries (seed 000: MFA on administrative access).
"""

from __future__ import annotations

import re
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from .args import Args
from .iam import policy_document

#: Access entry policy per access level (EKS cluster access policies).
ACCESS_POLICIES: dict[str, str] = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    "view": "AmazonEKSViewPolicy",
}
_ACCOUNT = re.compile(r"^\d{12}$")
_ROLE_KEY = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


class AdminRoleArgs(Args):
    """One MFA-only role."""

    access: Literal["cluster-admin", "view"] = Field(description="The role's Kubernetes access.")
    max_session_hours: int = Field(
        default=1, ge=1, le=12, description="Longest session (IAM MaxSessionDuration); one hour by default."
    )
    mfa_max_age_seconds: int = Field(
        default=3600,
        ge=300,
        le=43200,
        description="The MFA sign-in must be at most this old when the role is assumed.",
    )


class AdminRolesArgs(Args):
    """MFA-only roles the platform creates, keyed by a short name (``admin``, ``readonly``)."""

    enabled: bool = Field(default=False, description="Create the roles and their access entries.")
    trusted_accounts: list[str] = Field(
        default_factory=list,
        description="Accounts whose IAM principals (with MFA) may assume the roles; empty: this account.",
    )
    roles: dict[str, AdminRoleArgs] = Field(
        default_factory=lambda: {
            "admin": AdminRoleArgs(access="cluster-admin"),
            "readonly": AdminRoleArgs(access="view", max_session_hours=4),
        },
        description="Roles by key; each gets an access entry with its access level.",
    )

    @field_validator("trusted_accounts")
    @classmethod
    def _check_accounts(cls, accounts: list[str]) -> list[str]:
        for account in accounts:
            if not _ACCOUNT.match(account):
                raise ValueError(f"{account!r}: allowed: 12-digit AWS account ids")
        return accounts

    @field_validator("roles")
    @classmethod
    def _check_keys(cls, roles: dict[str, AdminRoleArgs]) -> dict[str, AdminRoleArgs]:
        for key in roles:
            if not _ROLE_KEY.match(key):
                raise ValueError(f"role key {key!r}: allowed: 1-31 lowercase letters, digits or '-'")
        return roles


def mfa_trust_policy(principals: list[str], mfa_max_age_seconds: int) -> str:
    """Trust: the given account principals may assume the role only with a recent MFA sign-in."""
    return policy_document(
        {
            "Sid": "AssumeOnlyWithRecentMfa",
            "Effect": "Allow",
            "Principal": {"AWS": principals},
            "Action": "sts:AssumeRole",
            "Condition": {
                "Bool": {"aws:MultiFactorAuthPresent": "true"},
                "NumericLessThan": {"aws:MultiFactorAuthAge": str(mfa_max_age_seconds)},
            },
        }
    )


class AdminRoles(pulumi.ComponentResource):
    """Creates one IAM role per configured key (MFA-only trust, bounded session) with the one permission
    an operator needs before kubectl works: ``eks:DescribeCluster`` (``aws eks update-kubeconfig``)."""

    #: key → (role ARN, EKS access policy name) for the cluster's access entries.
    access: dict[str, tuple[pulumi.Output[str], str]]

    def __init__(self, name: str, args: AdminRolesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("quantumvest:access:AdminRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        account = aws.get_caller_identity_output(opts=invoke).account_id
        accounts = (
            pulumi.Output.from_input(list(args.trusted_accounts))
            if args.trusted_accounts
            else account.apply(lambda a: [a])
        )
        self.access = {}
        for key, role_args in args.roles.items():
            role = aws.iam.Role(
                f"{name}-{key}",
                description=f"{name} {key}: Kubernetes {role_args.access}; MFA required, "
                f"{role_args.max_session_hours} h sessions",
                assume_role_policy=pulumi.Output.all(partition, accounts).apply(
                    lambda v, age=role_args.mfa_max_age_seconds: mfa_trust_policy(
                        [f"arn:{v[0]}:iam::{a}:root" for a in v[1]], age
                    )
                ),
                max_session_duration=role_args.max_session_hours * 3600,
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-{key}-eks-describe",
                role=role.id,
                policy=pulumi.Output.all(partition, account).apply(
                    lambda v: policy_document(
                        {
                            "Sid": "FindTheClusterForKubeconfig",
                            "Effect": "Allow",
                            "Action": "eks:DescribeCluster",
                            "Resource": f"arn:{v[0]}:eks:*:{v[1]}:cluster/*",
                        }
                    )
                ),
                opts=child,
            )
            self.access[key] = (role.arn, ACCESS_POLICIES[role_args.access])
        self.register_outputs({"role_arns": {key: arn for key, (arn, _) in self.access.items()}})
