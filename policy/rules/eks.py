"""Guardrails for EKS: the control plane's exposure, secrets encryption, audit logs, version, and nodes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from policy.model import Context, ResourceLike
from policy.rules.base import as_list, dig, has, is_false, is_true, present, rule
from policy.rules.security_groups import WORLD
from policy.rules.tokens import EKS_CLUSTER, EKS_NODE_GROUP, LAUNCH_TEMPLATE

#: Control-plane log types FSBP EKS.8 asks for (all five).
CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")

#: End of EKS *standard* support per Kubernetes minor version (then 12 paid months of extended
#: support). Source: the EKS Kubernetes release calendar as listed by endoflife.date/amazon-eks,
#: retrieved 2026-02. A version newer than the table was released after it and is in support;
#: one older than the table is out of standard support.
STANDARD_SUPPORT_ENDS: dict[tuple[int, int], date] = {
    (1, 28): date(2024, 11, 26),
    (1, 29): date(2025, 3, 23),
    (1, 30): date(2025, 7, 23),
    (1, 31): date(2025, 11, 26),
    (1, 32): date(2026, 3, 23),
    (1, 33): date(2026, 7, 29),
    (1, 34): date(2026, 12, 2),
    (1, 35): date(2027, 3, 27),
}


def _minor(version: str) -> tuple[int, int] | None:
    parts = version.strip().split(".")
    if len(parts) < 2 or not (parts[0].isdigit() and parts[1].isdigit()):
        return None
    return int(parts[0]), int(parts[1])


@rule(
    "eks-endpoint-restricted",
    "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0)",
    ids=("FSBP EKS.1", "CKV_AWS_39", "CKV_AWS_38"),
    types=EKS_CLUSTER,
    remediation="Set vpc_config.endpoint_public_access=False, or public_access_cidrs to the office/VPN/CI ranges.",
)
def eks_endpoint_restricted(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if is_false(dig(r.inputs, "vpcConfig.endpointPublicAccess", True)):
        return
    cidrs = [str(c) for c in as_list(dig(r.inputs, "vpcConfig.publicAccessCidrs"))]
    if not cidrs:
        yield "the API endpoint is public to 0.0.0.0/0 (publicAccessCidrs not set)"
    elif any(c in WORLD for c in cidrs):
        yield "the API endpoint is public to 0.0.0.0/0 (publicAccessCidrs includes it)"


@rule(
    "eks-secrets-encrypted",
    "Kubernetes secrets are envelope-encrypted with a KMS key",
    ids=("FSBP EKS.3", "CKV_AWS_58"),
    types=EKS_CLUSTER,
    remediation="Set encryption_config={'provider': {'key_arn': <secrets key>}, 'resources': ['secrets']}.",
)
def eks_secrets_encrypted(r: ResourceLike, ctx: Context) -> Iterator[str]:
    configs = as_list(r.inputs.get("encryptionConfig"))
    encrypted = [
        c
        for c in configs
        if isinstance(c, dict) and "secrets" in as_list(c.get("resources")) and has(c, "provider.keyArn")
    ]
    if not encrypted:
        yield "secrets are not envelope-encrypted (no encryptionConfig for 'secrets' with a KMS key)"


@rule(
    "eks-control-plane-logs",
    "All five control-plane log types go to CloudWatch",
    ids=("FSBP EKS.8", "CKV_AWS_37"),
    types=EKS_CLUSTER,
    remediation=f"Set enabled_cluster_log_types={list(CONTROL_PLANE_LOGS)}.",
)
def eks_control_plane_logs(r: ResourceLike, ctx: Context) -> Iterator[str]:
    enabled = {str(x) for x in as_list(r.inputs.get("enabledClusterLogTypes"))}
    missing = [t for t in CONTROL_PLANE_LOGS if t not in enabled]
    if missing:
        yield f"control-plane logs not enabled: {', '.join(missing)}"


@rule(
    "eks-supported-version",
    "The cluster runs a pinned Kubernetes version in EKS standard support",
    ids=("FSBP EKS.2", "CKV_AWS_339"),
    types=EKS_CLUSTER,
    remediation="Pin cluster.kubernetes_version to a minor in standard support and upgrade before it ends "
    "(https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html).",
)
def eks_supported_version(r: ResourceLike, ctx: Context) -> Iterator[str]:
    version = r.inputs.get("version")
    if not version:
        yield "the Kubernetes version is not pinned (version is not set)"
        return
    minor = _minor(str(version))
    if minor is None:
        yield f"version {version!r} is not a Kubernetes minor version such as '1.34'"
        return
    oldest, newest = min(STANDARD_SUPPORT_ENDS), max(STANDARD_SUPPORT_ENDS)
    if minor > newest:
        return
    ends = STANDARD_SUPPORT_ENDS.get(minor)
    if minor < oldest or (ends is not None and ctx.today > ends):
        when = f" on {ends.isoformat()}" if ends else ""
        yield f"Kubernetes {version} left EKS standard support{when}; extended support costs 6x per hour"


@rule(
    "eks-node-hardening",
    "Nodes: no SSH, IMDSv2 required, encrypted root volume (through a launch template)",
    ids=("CKV_AWS_100", "CKV_AWS_79", "CKV_AWS_8"),
    types=(EKS_NODE_GROUP, LAUNCH_TEMPLATE),
    remediation="Give node groups a launch template with metadata_options.http_tokens='required', an encrypted "
    "EBS root volume and no key_name; drop remote_access (use SSM Session Manager).",
)
def eks_node_hardening(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if r.type == EKS_NODE_GROUP:
        if present(r, "remoteAccess"):
            yield "remoteAccess opens SSH to the nodes"
        if not present(r, "launchTemplate"):
            yield "no launch template: IMDSv2 and root-volume encryption are left to defaults"
        return
    if str(dig(r.inputs, "metadataOptions.httpTokens", "optional")) != "required":
        yield "IMDSv2 is not required (metadataOptions.httpTokens is not 'required')"
    if present(r, "keyName"):
        yield "keyName installs an SSH key on the nodes"
    volumes = [
        m for m in as_list(r.inputs.get("blockDeviceMappings")) if isinstance(m, dict) and m.get("ebs")
    ]
    if not volumes:
        yield "no block device mapping: the root volume's encryption depends on the account default"
    for mapping in volumes:
        if not is_true(dig(mapping, "ebs.encrypted")):
            yield f"volume {mapping.get('deviceName', '?')} is not encrypted"
