"""Who reaches the EKS API, and as whom: access entries (API authentication mode) for the configured
admin and read-only roles, the pipeline's deploy and preview roles and the MFA-only admin roles, and the
ingress rules that admit the CI runner's and the admin VPN's security groups to the private endpoint.
Children of the ``Cluster`` component, same logical names as when they were its methods."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws

from .cluster_args import ClusterArgs, _slug


def access_entries(
    parent: pulumi.Resource,
    name: str,
    args: ClusterArgs,
    cluster: aws.eks.Cluster,
    account: pulumi.Output[str],
    partition: pulumi.Output[str],
) -> None:
    """Access entries (API authentication mode) for the configured admin and read-only roles."""
    grants = [("admin", role, "AmazonEKSClusterAdminPolicy") for role in args.admin_roles] + [
        ("readonly", role, "AmazonEKSViewPolicy") for role in args.readonly_roles
    ]
    for kind, role, access_policy in grants:
        principal = (
            pulumi.Output.from_input(role)
            if role.startswith("arn:")
            else pulumi.Output.concat("arn:", partition, ":iam::", account, ":role/", role)
        )
        access_entry(parent, f"{name}-{kind}-{_slug(role)}", cluster, partition, principal, access_policy)


def admit_api_clients(
    parent: pulumi.Resource,
    name: str,
    cluster_sg_id: pulumi.Output[str],
    clients: Mapping[str, pulumi.Input[str]],
) -> None:
    """Admit each client security group (the CI runner's, the admin VPN's) to the API endpoint on 443.

    The endpoint's private ENIs carry the EKS-created cluster security group, which otherwise admits
    only itself (the control plane and the nodes); nothing else in or outside the VPC gets in.
    """
    for client, security_group_id in clients.items():
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-api-from-{client}",
            security_group_id=cluster_sg_id,
            referenced_security_group_id=security_group_id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description=f"Kubernetes API from the {client}",
            opts=pulumi.ResourceOptions(parent=parent),
        )


def grant_role_access(
    parent: pulumi.Resource,
    name: str,
    cluster: aws.eks.Cluster,
    partition: pulumi.Output[str],
    grants: Mapping[str, tuple[pulumi.Input[str], str]],
) -> None:
    """Access entries for roles the platform knows by ARN: the pipeline's deploy and preview roles
    and the MFA-only admin roles (key → (role ARN, EKS cluster access policy name))."""
    for key, (role_arn, access_policy) in grants.items():
        access_entry(parent, f"{name}-access-{key}", cluster, partition, role_arn, access_policy)


def access_entry(
    parent: pulumi.Resource,
    logical_name: str,
    cluster: aws.eks.Cluster,
    partition: pulumi.Output[str],
    principal_arn: pulumi.Input[str],
    access_policy: str,
) -> None:
    """One IAM principal's access entry and its cluster-wide EKS access policy
    (``logical_name`` and ``logical_name-policy``)."""
    entry = aws.eks.AccessEntry(
        logical_name,
        cluster_name=cluster.name,
        principal_arn=principal_arn,
        type="STANDARD",
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.eks.AccessPolicyAssociation(
        f"{logical_name}-policy",
        cluster_name=cluster.name,
        principal_arn=entry.principal_arn,
        policy_arn=pulumi.Output.concat("arn:", partition, ":eks::aws:cluster-access-policy/", access_policy),
        access_scope={"type": "cluster"},
        opts=pulumi.ResourceOptions(parent=parent),
    )
