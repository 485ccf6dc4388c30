"""The EKS cluster's IAM documents, add-on configuration and small helpers: the control plane's and
the nodes' roles and policies, the VPC CNI's environment. Split from ``cluster.py``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from .cluster_args import (
    ClusterArgs,
)
from .iam import policy_document


def csi_tag_values(key: str, tags: Mapping[str, str]) -> dict[str, Any]:
    """A CSI driver add-on's extra tags: ``extraVolumeTags`` on every EBS volume, ``tags`` on every EFS
    access point the driver creates (aws-ebs-csi-driver / aws-efs-csi-driver chart values)."""
    return {key: dict(tags)} if tags else {}


#: Add-on configuration that does not depend on the cluster's settings.
_ADDON_CONFIG: dict[str, dict[str, Any]] = {
    # Enforce Kubernetes NetworkPolicy with the VPC CNI's eBPF agent (the workloads' default-deny).
    "vpc-cni": {"enableNetworkPolicy": "true"},
}


#: The VPC CNI environment of prefix delegation (``ClusterArgs.vpc_cni_prefix_delegation``).
PREFIX_DELEGATION_ENV: dict[str, str] = {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}


def _addon_config(addon_name: str, args: ClusterArgs) -> dict[str, Any]:
    """The add-on's configuration values: the defaults above, plus branch ENIs for security groups
    for pods when that setting is on (the VPC CNI's ENABLE_POD_ENI)."""
    config = dict(_ADDON_CONFIG.get(addon_name, {}))
    if addon_name != "vpc-cni":
        return config
    env: dict[str, str] = {}
    if args.security_groups_for_pods:
        env["ENABLE_POD_ENI"] = "true"
    if args.vpc_cni_prefix_delegation:
        # One spare /28 per node (16 IPs): new pods start without waiting for an EC2 call, and a node
        # does not hold a whole spare ENI's worth of prefixes (EKS Best Practices, "Prefix Mode for Linux").
        env.update(PREFIX_DELEGATION_ENV)
    if env:
        config["env"] = env
    return config


def _kms_grant_policy(key_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """What the EBS CSI driver needs to create and attach volumes encrypted with a customer key."""
    return pulumi.Output.from_input(key_arn).apply(
        lambda arn: policy_document(
            {
                "Effect": "Allow",
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": arn,
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
            {
                "Effect": "Allow",
                "Action": [
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:DescribeKey",
                ],
                "Resource": arn,
            },
        )
    )


def _cluster_role_policy(partition: str) -> str:
    """The EKS cluster role's permissions: the minimal custom policy of the EKS User Guide (tag the
    cluster's instances, describe the network, describe keys) plus the one conditioned statement of
    AmazonEKSClusterPolicy that cleans up ENIs the VPC CNI leaked (only ENIs tagged as the CNI's)."""
    return policy_document(
        {
            "Sid": "TagClusterInstances",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": f"arn:{partition}:ec2:*:*:instance/*",
            "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": "kubernetes.io/cluster/*"}},
        },
        {
            "Sid": "DescribeNodesAndNetwork",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeVpcs",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInstanceTopology",
                "kms:DescribeKey",
            ],
            "Resource": "*",
        },
        {
            "Sid": "DeleteLeakedCniInterfaces",
            "Effect": "Allow",
            "Action": "ec2:DeleteNetworkInterface",
            "Resource": "*",
            "Condition": {"StringEquals": {"ec2:ResourceTag/eks:eni:owner": "amazon-vpc-cni"}},
        },
    )


def _service_role(
    name: str,
    description: str,
    trust_policy: pulumi.Input[str],
    managed_policies: Sequence[str],
    aws_policy: Callable[[str], pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
    """A role trusted by ``trust_policy``, with AWS managed policies (ARNs from ``aws_policy``) attached."""
    role = aws.iam.Role(name, description=description, assume_role_policy=trust_policy, opts=opts)
    attachments = [
        aws.iam.RolePolicyAttachment(
            f"{name}-{policy.lower().replace('_', '-')}",
            role=role.name,
            policy_arn=aws_policy(policy),
            opts=opts,
        )
        for policy in managed_policies
    ]
    return role, attachments
