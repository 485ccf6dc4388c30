"""The one list of IAM grants the IAM rules accept although they look too wide, each with its reason.

docs/policy.md's IAM section shows this list; a test keeps the two in step. Add an entry only when
AWS gives no narrower form that works (no resource-level permission, no condition key the service
sends), and say so in ``reason``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class WildcardGrant:
    """Write or permissions-management ``actions`` (globs) on ``*`` without a condition, accepted in
    the documents labelled ``policy`` (a glob over ``<resource name>/<document label>``)."""

    policy: str
    actions: tuple[str, ...]
    reason: str

    def covers(self, where: str, action: str) -> bool:
        return fnmatchcase(where.lower(), self.policy.lower()) and any(
            fnmatchcase(action.lower(), a.lower()) for a in self.actions
        )


#: Accepted wildcard write grants (rule ``iam-wildcard-write``).
WILDCARD_GRANTS: tuple[WildcardGrant, ...] = (
    WildcardGrant(
        "*ci-runner-service-role-policy/policy",
        ("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"),
        "CodeBuild creates and deletes the build's ENI in the VPC as the project's service role, before "
        "the ENI exists; AWS's documented policy for VPC builds grants both on '*' (CodeBuild User "
        "Guide, 'Allow CodeBuild access to AWS services required to create a VPC network interface'). "
        "ec2:CreateNetworkInterfacePermission, the grant that matters, is confined to the runner's subnets.",
    ),
    WildcardGrant(
        "*/aws-managed:AmazonEKS_CNI_Policy",
        ("ec2:*NetworkInterface*", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"),
        "The VPC CNI creates, attaches and deletes ENIs that do not exist yet, on whichever node needs "
        "pod IPs; AWS's policy has no tag condition for it. Held only by the CNI's own IRSA role "
        "(kube-system/aws-node), no longer by the node role every hostNetwork pod can reach.",
    ),
    WildcardGrant(
        "*/aws-managed:AmazonEC2ContainerRegistryPullOnly",
        ("ecr:BatchImportUpstreamImage",),
        "ECR pull-through cache: a node's first pull of an upstream image imports it into the cache "
        "repository. Nodes can pull and import, never push or delete.",
    ),
    WildcardGrant(
        "*/aws-managed:AmazonSSMManagedInstanceCore",
        ("ssm:*", "ssmmessages:*", "ec2messages:*"),
        "The SSM agent registers the node and opens Session Manager channels; those APIs take no "
        "resource. Attached only where the tier sets cluster.node_ssm_access (dev); staging and prod "
        "reach nodes through the Client VPN instead.",
    ),
    WildcardGrant(
        "*/aws-managed:AWSBackupServiceRolePolicyForBackup",
        ("*",),
        "AWS Backup's service role: the backup plan's selection decides which resources the service "
        "snapshots; the role trusts only backup.amazonaws.com for this account. A hand-made copy would "
        "miss each resource type AWS Backup adds.",
    ),
    WildcardGrant(
        "*/aws-managed:AWSBackupServiceRolePolicyForRestores",
        ("*",),
        "AWS Backup's restore role: restores create resources that do not exist yet; only AWS Backup, "
        "for this account, assumes it, when an operator starts a restore job.",
    ),
    WildcardGrant(
        "*aws-load-balancer-controller-role-policy/policy",
        ("ec2:CreateSecurityGroup",),
        "Upstream v3.5.0: a new group has no tag to condition on before it exists (the controller tags "
        "it at creation; changing or deleting it afterwards requires that tag).",
    ),
    WildcardGrant(
        "*aws-load-balancer-controller-role-policy/policy",
        (
            "elasticloadbalancing:CreateListener",
            "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:DeleteRule",
            "elasticloadbalancing:ModifyListener",
            "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:SetRulePriorities",
            "elasticloadbalancing:AddListenerCertificates",
            "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:SetWebAcl",
        ),
        "Upstream v3.5.0: listeners and rules of the load balancers the controller created (those carry "
        "its cluster tag; listeners and rules are not tagged at creation, so no tag condition holds).",
    ),
    WildcardGrant(
        "*aws-load-balancer-controller-role-policy/policy",
        ("wafv2:*WebACL", "waf-regional:*WebACL", "shield:CreateProtection", "shield:DeleteProtection"),
        "Upstream v3.5.0: attach the Gateway's web ACL and Shield protection to the controller's load "
        "balancers; the load balancer ARN is generated, so it cannot be named in advance.",
    ),
    WildcardGrant(
        "*-cloudwatch-agent-policy/policy",
        ("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
        "X-Ray trace writes have no resource type and no condition key; the agent's metric and log "
        "writes are confined to its namespaces and this cluster's log groups.",
    ),
)


@dataclass(frozen=True)
class ServiceWithoutSourceKeys:
    """A service principal whose role assumption carries neither ``aws:SourceAccount`` nor
    ``aws:SourceArn`` (rule ``iam-service-trust-confused-deputy``)."""

    service: str
    reason: str


#: Service principals exempt from the confused-deputy condition, with the reason.
SERVICES_WITHOUT_SOURCE_KEYS: tuple[ServiceWithoutSourceKeys, ...] = (
    ServiceWithoutSourceKeys(
        "ec2.amazonaws.com",
        "EC2 assumes an instance profile's role for an instance of this account only (attaching a profile "
        "needs iam:PassRole here) and sends no aws:SourceAccount/SourceArn: a condition on them would "
        "lock the nodes out.",
    ),
)

#: Service-specific condition keys AWS documents as the confused-deputy guard where the service sends
#: no aws:Source* key to that API (service principal glob → keys).
SOURCE_KEY_EQUIVALENTS: dict[str, tuple[str, ...]] = {
    # CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS": the log group's
    # ARN in the encryption context names the account.
    "logs.*.amazonaws.com": ("kms:EncryptionContext:aws:logs:arn",),
}

#: Condition keys that narrow a statement with principal ``*`` to this account, organization or network
#: (rule ``iam-open-principal``).
NARROWING_KEYS: dict[str, str] = {
    "aws:SourceAccount": "the calling service acts for this account",
    "aws:SourceArn": "the calling service acts for the named resource",
    "aws:SourceOrgID": "the calling service acts for this organization",
    "aws:PrincipalAccount": "principals of this account only",
    "aws:PrincipalArn": "the named principals only",
    "aws:PrincipalOrgID": "principals of this organization only",
    "aws:SourceVpc": "requests through this VPC only",
    "aws:SourceVpce": "requests through this VPC endpoint only",
    "kms:CallerAccount": "callers of this account only (AWS-managed key pattern)",
    "elasticfilesystem:AccessedViaMountTarget": "NFS clients through a mount target, i.e. inside the VPC "
    "(the file system's security group is the boundary; AWS's own 'prevent anonymous access' policy)",
}


def allowlist_markdown() -> str:
    """The wildcard grants as the Markdown table docs/policy.md's IAM section shows (a test keeps
    the page equal to it)."""
    rows = ["| Policy (resource/document) | Actions on `*` | Why |", "|---|---|---|"]
    for grant in WILDCARD_GRANTS:
        actions = ", ".join(f"`{a}`" for a in grant.actions)
        rows.append(f"| `{grant.policy}` | {actions} | {grant.reason} |")
    return "\n".join(rows)
