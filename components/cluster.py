"""EKS: the control plane, its node groups, IRSA, the managed add-ons and a Kubernetes provider for it.

Built from raw ``pulumi_aws.eks`` resources (not ``pulumi_eks``), so every child is visible to the
offline tests and the policy pack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random
from pydantic import Field, field_validator, model_validator

from .args import Args, Cidr, FieldProblem, RetentionDays
from .iam import assume_role_policy, policy_document, service_trust_policy
from .irsa import irsa_role
from .kubeconfig import kubeconfig as render_kubeconfig
from .versions import EKS_ADDON_VERSIONS, KUBERNETES_VERSION

#: EKS versions in standard support on the date of the project's reference data (2026-08-08), with
#: the day standard support ends (AWS's EKS release calendar). Extended support costs $0.60 per
#: cluster-hour instead of $0.10, so versions past standard support are not offered. Add a row when
#: AWS releases a version; remove one when its standard support ends.
EKS_STANDARD_SUPPORT_ENDS: dict[str, str] = {"1.34": "2026-12-02", "1.35": "2027-03-27"}

#: Control-plane log types; all five are on (FSBP EKS.8, CKV_AWS_37).
CONTROL_PLANE_LOG_TYPES: tuple[str, ...] = ("api", "audit", "authenticator", "controllerManager", "scheduler")

#: Managed add-on versions for the pinned Kubernetes version (components/versions.py, where each is
#: sourced; confirm EKS builds with ``aws eks describe-addon-versions``). Installed before
#: the nodes: vpc-cni, kube-proxy, eks-pod-identity-agent (nodes are not Ready without a CNI); after
#: the nodes: the Deployments (coredns and the CSI controllers need somewhere to run).
DEFAULT_ADDON_VERSIONS: dict[str, str] = dict(EKS_ADDON_VERSIONS)  # components/versions.py
ADDONS_BEFORE_NODES: tuple[str, ...] = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
_ADDON_VERSION = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")

#: Label the component puts on every node group's nodes: the group's name in config. Add-ons select the
#: system group by it; applications can too.
NODE_GROUP_LABEL = "quantumvest.io/node-group"

#: Kubernetes taint effects and how the EKS API spells them.
TAINT_EFFECTS: dict[str, str] = {
    "NoSchedule": "NO_SCHEDULE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
}

AmiType = Literal[
    "AL2023_x86_64_STANDARD",
    "AL2023_ARM_64_STANDARD",
    "AL2023_x86_64_NVIDIA",
    "AL2023_ARM_64_NVIDIA",
]

_INSTANCE_TYPE = re.compile(r"^(?P<family>[a-z]+(?P<generation>\d+)(?P<attrs>[a-z-]*))\.[a-z0-9]+$")
_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")
_GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")


def _is_gpu(instance_type: str) -> bool:
    """NVIDIA GPU instances: the g and p families (g4dn, g5, g5g, g6, p4d, p5 …), not g4ad (AMD)."""
    match = _INSTANCE_TYPE.match(instance_type)
    return bool(match) and match["family"][0] in "gp" and match["family"] != "g4ad"


def _is_arm(instance_type: str) -> bool:
    """Graviton instances carry a ``g`` right after the generation (m7g, c6gn, t4g, g5g)."""
    match = _INSTANCE_TYPE.match(instance_type)
    return bool(match) and match["attrs"].startswith("g")


class Taint(Args):
    """A Kubernetes taint on every node of a group."""

    key: str = Field(description="Taint key, a qualified name such as CriticalAddonsOnly or nvidia.com/gpu.")
    value: str = Field(default="", description="Taint value; empty for key-only taints.")
    effect: str = Field(
        default="NoSchedule",
        description="NoSchedule, PreferNoSchedule or NoExecute (Kubernetes spelling; mapped to EKS's).",
    )

    @field_validator("key")
    @classmethod
    def _check_key(cls, key: str) -> str:
        if not _LABEL_KEY.match(key) or len(key) > 63 + 254:
            raise ValueError(
                "not a valid taint key; allowed: a qualified name like 'CriticalAddonsOnly' or 'nvidia.com/gpu'"
            )
        return key

    @field_validator("value")
    @classmethod
    def _check_value(cls, value: str) -> str:
        if not _LABEL_VALUE.match(value):
            raise ValueError("not a valid taint value; allowed: up to 63 letters, digits, '-', '_' or '.'")
        return value

    @field_validator("effect")
    @classmethod
    def _check_effect(cls, effect: str) -> str:
        if effect not in TAINT_EFFECTS:
            raise ValueError(
                "allowed: NoSchedule, PreferNoSchedule, NoExecute (Kubernetes spelling; "
                "EKS's NO_SCHEDULE is written NoSchedule here)"
            )
        return effect

    def toleration(self) -> dict[str, str]:
        """The pod toleration that matches this taint."""
        if self.value:
            return {"key": self.key, "operator": "Equal", "value": self.value, "effect": self.effect}
        return {"key": self.key, "operator": "Exists", "effect": self.effect}


class NodeGroupArgs(Args):
    """One EKS managed node group. Defaults: a small on-demand AL2023 group of two nodes."""

    instance_types: list[str] = Field(
        default_factory=lambda: ["m6i.large"],
        min_length=1,
        max_length=20,
        description="EC2 instance types; SPOT groups need at least two so one capacity pool running dry "
        "does not stop scaling.",
    )
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field(
        default="ON_DEMAND", description="ON_DEMAND for anything that must not be interrupted."
    )
    min_size: int = Field(default=2, ge=0, le=1000, description="Lower bound the cluster autoscaler keeps.")
    desired_size: int = Field(
        default=2,
        ge=0,
        le=1000,
        description="Initial size only: the cluster autoscaler owns it afterwards (ignore_changes).",
    )
    max_size: int = Field(
        default=4, ge=0, le=1000, description="Upper bound the cluster autoscaler may reach."
    )
    labels: dict[str, str] = Field(default_factory=dict, description="Kubernetes labels on the nodes.")
    taints: list[Taint] = Field(
        default_factory=list, max_length=50, description="Kubernetes taints on the nodes."
    )
    disk_size_gib: int = Field(
        default=50,
        ge=20,
        le=16384,
        description="Encrypted gp3 root volume; 50 GiB holds images of a busy node.",
    )
    ami_type: AmiType = Field(
        default="AL2023_x86_64_STANDARD",
        description="EKS-optimized Amazon Linux 2023 (AL2 has no AMIs past Kubernetes 1.32). Use the NVIDIA "
        "variant for GPU instance types and the ARM_64 ones for Graviton.",
    )
    max_unavailable_percentage: int = Field(
        default=33,
        ge=1,
        le=100,
        description="Share of nodes a rolling AMI or version update may replace at once.",
    )

    @field_validator("instance_types")
    @classmethod
    def _check_types(cls, types: list[str]) -> list[str]:
        for instance_type in types:
            if not _INSTANCE_TYPE.match(instance_type):
                raise ValueError(f"{instance_type!r} is not an EC2 instance type; allowed: e.g. 'm6i.large'")
        if len(set(types)) != len(types):
            raise ValueError("instance types repeat; list each once")
        return types

    @field_validator("labels")
    @classmethod
    def _check_labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for key, value in labels.items():
            if not _LABEL_KEY.match(key):
                raise ValueError(f"label key {key!r} is not a valid Kubernetes label key")
            if not _LABEL_VALUE.match(value):
                raise ValueError(f"label {key!r}: value {value!r} is not a valid Kubernetes label value")
            if key == NODE_GROUP_LABEL:
                raise ValueError(f"label {key!r} is set by the platform to the group's name")
        return labels

    @model_validator(mode="after")
    def _check_group(self) -> NodeGroupArgs:
        if self.max_size < 1:
            raise FieldProblem(
                "max_size",
                self.max_size,
                "at least 1 (a group that can never have a node is a mistake; remove it)",
            )
        if not self.min_size <= self.desired_size <= self.max_size:
            bad = "desired_size" if self.min_size <= self.desired_size else "min_size"
            value = getattr(self, bad)
            raise FieldProblem(
                bad,
                value,
                f"need min_size ({self.min_size}) <= desired_size ({self.desired_size}) <= max_size ({self.max_size})",
            )
        if self.capacity_type == "SPOT" and len(self.instance_types) < 2:
            raise FieldProblem(
                "instance_types",
                self.instance_types,
                "a SPOT group needs at least two instance types (diversified capacity pools survive reclaims)",
            )
        nvidia = "NVIDIA" in self.ami_type
        arm = "ARM_64" in self.ami_type
        for instance_type in self.instance_types:
            if _is_gpu(instance_type) != nvidia:
                allowed = (
                    f"{self.ami_type} needs NVIDIA GPU instance types (g5, g6, p4d …)"
                    if nvidia
                    else f"{instance_type} is a GPU instance; use ami_type AL2023_x86_64_NVIDIA (or ARM_64_NVIDIA)"
                )
                raise FieldProblem("instance_types", self.instance_types, allowed)
            if _is_arm(instance_type) != arm:
                raise FieldProblem(
                    "instance_types",
                    self.instance_types,
                    f"{instance_type} does not match the {self.ami_type} architecture "
                    "(Graviton types such as m7g need an ARM_64 AMI, x86 types an x86_64 one)",
                )
        return self

    def tolerations(self) -> list[dict[str, str]]:
        """Tolerations that let a pod onto this group's nodes."""
        return [taint.toleration() for taint in self.taints]


def _role_ref(value: str) -> str:
    if not (_ROLE_ARN.match(value) or _ROLE_NAME.match(value)):
        raise ValueError(
            f"{value!r} is neither an IAM role ARN (arn:aws:iam::123456789012:role/name) nor a role name"
        )
    return value


class ClusterArgs(Args):
    """Settings of the EKS cluster. Defaults are the production shape; tier profiles trim them."""

    scale_by_config: bool = Field(
        default=False,
        description="Apply desired_size on every update (no ignore_changes): a DR standby's activation "
        "raises min_size above the idle desired size, which EKS refuses unless desired_size rises with it "
        "(UpdateNodegroupConfig: minSize <= desiredSize). The loader sets it for a standby (components/dr.py).",
    )
    kubernetes_version: str = Field(
        default=KUBERNETES_VERSION,
        description="Kubernetes minor version; only versions in EKS standard support are accepted "
        "(extended support costs six times as much per cluster-hour).",
    )
    endpoint_public_access: bool = Field(
        default=False,
        description="Public API endpoint. Off: the API is reached from inside the VPC (VPN, SSM, a runner in "
        "the VPC). On only with an explicit allow-list.",
    )
    public_access_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="The only networks that may reach the public endpoint (office, VPN egress, CI runners).",
    )
    cluster_creator_admin: bool = Field(
        default=True,
        description="Give the identity running `pulumi up` cluster-admin at creation, so the Helm releases "
        "and workloads can be deployed. Changing it replaces the cluster, so it is decided once.",
    )
    admin_roles: list[str] = Field(
        default_factory=list,
        description="IAM roles (ARN, or name in this account) with cluster-admin through an access entry.",
    )
    readonly_roles: list[str] = Field(
        default_factory=list, description="IAM roles (ARN or name) with cluster-wide read-only access."
    )
    log_retention_days: RetentionDays = Field(
        default=365, description="Control-plane log retention; a year covers audit look-backs."
    )
    deletion_protection: bool = Field(
        default=True,
        description="EKS deletion protection, and Pulumi `protect` on the cluster and its secrets key.",
    )
    zonal_shift: bool = Field(
        default=True, description="ARC zonal shift: move traffic away from an impaired AZ without a deploy."
    )
    kms_deletion_window_days: int = Field(
        default=30, ge=7, le=30, description="Waiting period before the cluster's own secrets key is deleted."
    )
    metadata_hop_limit: int = Field(
        default=1,
        ge=1,
        le=2,
        description="IMDSv2 response hop limit. 1 keeps pods (one hop further) off the node role's "
        "credentials; they get theirs through IRSA.",
    )
    # --- IAM settings (issue 18) ---
    node_ssm_access: bool = Field(
        default=False,
        description="Attach AmazonSSMManagedInstanceCore to the node role, so operators can open SSM "
        "sessions on nodes. It also lets every process on a node read SSM parameters and send "
        "commands' output (ssm:GetParameter(s), ssmmessages:* on '*'), so it is off by default: the "
        "admin path is the Client VPN. Dev turns it on.",
    )
    security_groups_for_pods: bool = Field(
        default=False,
        description="Security groups for pods (SecurityGroupPolicy, branch ENIs). Needs the VPC resource "
        "controller, so only then is AmazonEKSVPCResourceController attached to the cluster role and "
        "the VPC CNI's ENABLE_POD_ENI set.",
    )
    # --- end IAM settings ---
    vpc_cni_prefix_delegation: bool = Field(
        default=False,
        description="VPC CNI prefix delegation (ENABLE_PREFIX_DELEGATION, WARM_PREFIX_TARGET=1): each "
        "ENI slot carries a /28 prefix instead of one IP, so a small node is no longer capped by its ENI "
        "IP count (a t4g.medium: 17 pods without, 110 with). Managed node groups whose launch template "
        "names no AMI (ours) compute the kubelet's maxPods themselves, prefix delegation included, capped "
        "at 110 below 30 vCPUs. Needs Nitro instances and contiguous free /28 blocks in the node subnets. "
        "Trade-off: nodeadm reserves 11 MiB per allowed pod (kube-reserved = 255 MiB + 11 x maxPods), so "
        "a t4g.medium's allocatable memory drops from ~3.4 to ~2.4 GiB. Dev turns it on.",
    )
    system_node_group: str = Field(
        default="system", description="The group the cluster add-ons run on (tainted CriticalAddonsOnly)."
    )
    spot_system_group: bool = Field(
        default=False,
        description="Let the system group run on spot capacity. Only for a tier that accepts a few minutes "
        "of CoreDNS and controller disruption on a spot reclaim (dev); the group then needs a diversified "
        "instance list like any spot group. Off: the system group must be ON_DEMAND.",
    )
    node_groups: dict[str, NodeGroupArgs] = Field(
        default_factory=lambda: {
            "system": NodeGroupArgs(
                instance_types=["t3.medium"],
                labels={"role": "system"},
                taints=[Taint(key="CriticalAddonsOnly", value="true", effect="NoSchedule")],
            )
        },
        description="Managed node groups by name.",
    )
    coredns_replicas: int = Field(
        default=2, ge=1, le=10, description="CoreDNS replicas (two survive a node loss)."
    )
    addon_versions: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_ADDON_VERSIONS),
        description="Pinned EKS managed add-on versions; a stack names only those it changes.",
    )

    @field_validator("kubernetes_version")
    @classmethod
    def _check_version(cls, version: str) -> str:
        if version not in EKS_STANDARD_SUPPORT_ENDS:
            offered = ", ".join(f"{v} (until {d})" for v, d in EKS_STANDARD_SUPPORT_ENDS.items())
            raise ValueError(f"allowed: versions in EKS standard support: {offered}")
        return version

    @field_validator("admin_roles", "readonly_roles")
    @classmethod
    def _check_roles(cls, roles: list[str]) -> list[str]:
        for role in roles:
            _role_ref(role)
        if len({_slug(r) for r in roles}) != len(roles):
            raise ValueError("roles repeat; list each once")
        return roles

    @field_validator("addon_versions", mode="before")
    @classmethod
    def _fill_addons(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        for addon in given:
            if addon not in DEFAULT_ADDON_VERSIONS:
                raise FieldProblem(
                    str(addon), given[addon], f"unknown add-on; allowed: {', '.join(DEFAULT_ADDON_VERSIONS)}"
                )
        return {**DEFAULT_ADDON_VERSIONS, **given}

    @field_validator("node_groups")
    @classmethod
    def _check_group_names(cls, groups: dict[str, NodeGroupArgs]) -> dict[str, NodeGroupArgs]:
        if not groups:
            raise ValueError("at least one node group is needed (the system group)")
        for group in groups:
            if not _GROUP_NAME.match(group):
                raise FieldProblem(group, group, "node group names are 2-32 lowercase letters, digits or '-'")
        return groups

    @model_validator(mode="after")
    def _check_cluster(self) -> ClusterArgs:
        for addon, version in self.addon_versions.items():
            if not _ADDON_VERSION.match(version):
                raise FieldProblem(
                    f"addon_versions.{addon}", version, "an EKS add-on version like v1.2.3-eksbuild.1"
                )
        proxy = self.addon_versions["kube-proxy"]
        if not proxy.startswith(f"v{self.kubernetes_version}."):
            raise FieldProblem(
                "addon_versions.kube-proxy",
                proxy,
                f"kube-proxy must match the cluster's minor version {self.kubernetes_version} "
                f"(v{self.kubernetes_version}.x-eksbuild.n); pin it with the version",
            )
        if self.endpoint_public_access and not self.public_access_cidrs:
            raise FieldProblem(
                "public_access_cidrs", [], "a public endpoint needs an explicit allow-list of CIDR blocks"
            )
        if not self.endpoint_public_access and self.public_access_cidrs:
            raise FieldProblem(
                "public_access_cidrs",
                [str(c) for c in self.public_access_cidrs],
                "only meaningful with endpoint_public_access: true",
            )
        system = self.node_groups.get(self.system_node_group)
        if system is None:
            raise FieldProblem(
                "system_node_group",
                self.system_node_group,
                f"must name one of the node groups ({', '.join(self.node_groups)})",
            )
        if system.capacity_type != "ON_DEMAND" and not self.spot_system_group:
            raise FieldProblem(
                f"node_groups.{self.system_node_group}.capacity_type",
                system.capacity_type,
                "the system group runs CoreDNS and the controllers: ON_DEMAND only "
                "(or set spot_system_group: true for a tier that accepts spot reclaims)",
            )
        if self.vpc_cni_prefix_delegation:
            for group_name, group in self.node_groups.items():
                xen = [t for t in group.instance_types if _NOT_NITRO.match(t)]
                if xen:
                    raise FieldProblem(
                        f"node_groups.{group_name}.instance_types",
                        group.instance_types,
                        f"{', '.join(xen)} not Nitro-based: with vpc_cni_prefix_delegation every type must be "
                        "a Nitro instance (t3, m5, c6g, t4g … ; not t2, m4, c4, r4, i3, p3 …)",
                    )
        return self

    def public_cidrs(self) -> list[str]:
        return [str(c) for c in self.public_access_cidrs]

    def opens_to_world(self) -> bool:
        """True when the public endpoint admits every address."""
        return self.endpoint_public_access and any(c.prefixlen == 0 for c in self.public_access_cidrs)


def _field(value: Any, name: str) -> Any:
    """An attribute of a provider output object, whether it arrives typed or as a plain mapping."""
    if hasattr(type(value), name):  # a typed output object: read through its property getter
        return getattr(value, name)
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
    return value[camel] if camel in value else value[name]


def _slug(role: str) -> str:
    """A stable logical-name fragment for a role reference (the role's name, lowercased)."""
    return re.sub(r"[^a-z0-9]+", "-", role.rsplit("/", 1)[-1].lower()).strip("-")


class Cluster(pulumi.ComponentResource):
    """An EKS cluster with managed node groups, IRSA, managed add-ons and a Kubernetes provider.

    Creates: a cluster IAM role and a node IAM role (worker, CNI, ECR pull, SSM instead of SSH); a KMS
    key for secrets envelope encryption unless one is given; the control-plane log group (all five log
    types, retention by tier); the cluster (private endpoint, public only with an allow-list, API
    authentication mode, standard support only, deletion protection by tier); access entries for the
    configured admin and read-only roles; the IAM OIDC provider for IRSA; a node security group; per
    node group a launch template (IMDSv2 required, encrypted gp3 root volume, no SSH key) and a managed
    node group whose desired size the cluster autoscaler owns; the managed add-ons (vpc-cni on its own IRSA role, with
    network policy enforcement, kube-proxy, CoreDNS, EKS Pod Identity agent, EBS and EFS CSI drivers
    with their IRSA roles); and a ``kubernetes.Provider`` that authenticates with ``aws eks get-token``
    and becomes usable only once the nodes and core add-ons are up.
    """

    cluster_name: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    certificate_authority_data: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_provider_url: pulumi.Output[str]
    node_role_arn: pulumi.Output[str]
    node_security_group_id: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    k8s_provider: k8s.Provider
    kubernetes_version: str

    def __init__(
        self,
        name: str,
        args: ClusterArgs,
        *,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[list[str]],
        secrets_kms_key_arn: pulumi.Input[str] | None = None,
        ebs_kms_key_arn: pulumi.Input[str] | None = None,
        logs_kms_key_arn: pulumi.Input[str] | None = None,
        api_clients: Mapping[str, pulumi.Input[str]] | None = None,
        role_access: Mapping[str, tuple[pulumi.Input[str], str]] | None = None,
        resource_tags: Mapping[str, str] | None = None,
        volume_backup_tags: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``resource_tags``: the cost tags of what EC2 and the CSI drivers create for the cluster (node
        instances and volumes, PersistentVolumes); the provider's default tags never reach those.
        ``volume_backup_tags``: the backup selection tag every CSI volume carries (not the nodes' root
        volumes, which hold nothing to restore)."""
        super().__init__("quantumvest:cluster:Cluster", name, None, opts)
        self._resource_tags = dict(resource_tags or {})
        volume_tags = {**self._resource_tags, **dict(volume_backup_tags or {})}
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        account = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region

        def aws_policy(path: str) -> pulumi.Output[str]:
            return pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", path)

        # A random suffix instead of Pulumi auto-naming: the control-plane log group must exist, with
        # its retention, before the cluster does, so the name has to be known first.
        suffix = random.RandomId(f"{name}-name-suffix", byte_length=4, opts=child)
        cluster_name = pulumi.Output.concat(name, "-", suffix.hex)

        # IAM: the control plane's role. Trust with the confused-deputy guard (this account, this cluster's
        # ARN: its name is known first). Permissions: the minimal custom policy of the EKS User Guide
        # ("Amazon EKS cluster IAM role") instead of AmazonEKSClusterPolicy, whose load balancer, volume,
        # route and security-group writes on '*' serve only the legacy in-tree cloud provider; here load
        # balancers come from the AWS Load Balancer Controller and volumes from the EBS CSI driver.
        # AmazonEKSVPCResourceController (branch ENIs) only when security groups for pods are on.
        cluster_trust = pulumi.Output.all(partition, region, account, cluster_name).apply(
            lambda a: service_trust_policy(
                "eks.amazonaws.com", account=a[2], source_arn=f"arn:{a[0]}:eks:{a[1]}:{a[2]}:cluster/{a[3]}"
            )
        )
        cluster_role, cluster_attachments = _service_role(
            f"{name}-cluster-role",
            "EKS control plane",
            cluster_trust,
            ("AmazonEKSVPCResourceController",) if args.security_groups_for_pods else (),
            aws_policy,
            child,
        )
        cluster_permissions = aws.iam.RolePolicy(
            f"{name}-cluster-role-minimal",
            role=cluster_role.id,
            policy=partition.apply(_cluster_role_policy),
            opts=child,
        )
        cluster_attachments = [*cluster_attachments, cluster_permissions]

        secrets_key_arn = secrets_kms_key_arn
        if secrets_key_arn is None:
            secrets_key_arn = self._secrets_key(name, args, cluster_name, cluster_role, account, partition)
        key_use = aws.iam.RolePolicy(
            f"{name}-cluster-role-kms",
            role=cluster_role.id,
            policy=pulumi.Output.from_input(secrets_key_arn).apply(
                lambda arn: policy_document(
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                        "Resource": arn,
                    }
                )
            ),
            opts=child,
        )

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs",
            name=pulumi.Output.concat("/aws/eks/", cluster_name, "/cluster"),
            retention_in_days=args.log_retention_days,
            kms_key_id=logs_kms_key_arn,
            opts=child,
        )

        vpc_config: aws.eks.ClusterVpcConfigArgsDict = {
            "subnet_ids": subnet_ids,
            "endpoint_private_access": True,
            "endpoint_public_access": args.endpoint_public_access,
        }
        if args.endpoint_public_access:
            vpc_config["public_access_cidrs"] = args.public_cidrs()
        cluster = aws.eks.Cluster(
            f"{name}-eks",
            name=cluster_name,
            role_arn=cluster_role.arn,
            version=args.kubernetes_version,
            vpc_config=vpc_config,
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": args.cluster_creator_admin,
            },
            encryption_config={"provider": {"key_arn": secrets_key_arn}, "resources": ["secrets"]},
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            upgrade_policy={"support_type": "STANDARD"},
            # The add-ons below are EKS managed add-ons with pinned versions, not the unmanaged defaults.
            bootstrap_self_managed_addons=False,
            deletion_protection=args.deletion_protection,
            zonal_shift_config={"enabled": args.zonal_shift},
            kubernetes_network_config={"ip_family": "ipv4"},
            tags={"Name": cluster_name},
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[log_group, key_use, *cluster_attachments],
                protect=args.deletion_protection,
            ),
        )
        self._access_entries(name, args, cluster, account, partition)

        oidc_issuer = cluster.identities.apply(lambda ids: _field(_field(ids[0], "oidcs")[0], "issuer"))
        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc",
            url=oidc_issuer,
            client_id_lists=["sts.amazonaws.com"],
            tags={"Name": pulumi.Output.concat(cluster_name, "-irsa")},
            opts=child,
        )
        oidc_provider_url = oidc_issuer.apply(lambda url: url.removeprefix("https://"))
        cluster_sg_id = cluster.vpc_config.apply(lambda c: _field(c, "cluster_security_group_id"))
        self._admit_api_clients(name, cluster_sg_id, api_clients or {})
        self._role_access(name, cluster, partition, role_access or {})

        # IAM: the node role. EC2 sends no aws:SourceAccount/SourceArn when an instance profile's role
        # is assumed, so its trust has no condition (the policy pack's exemption list says so). The
        # VPC CNI's ENI permissions are not here but on the CNI's own IRSA role (every pod that reaches
        # the node's credentials would hold them otherwise); SSM only where the tier wants it.
        node_role, node_attachments = _service_role(
            f"{name}-node-role",
            "EKS managed node groups",
            assume_role_policy("ec2.amazonaws.com"),
            ("AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly")
            + (("AmazonSSMManagedInstanceCore",) if args.node_ssm_access else ()),
            aws_policy,
            child,
        )
        node_sg = self._node_security_group(name, vpc_id)

        system = args.node_groups[args.system_node_group]
        system_selector = {NODE_GROUP_LABEL: args.system_node_group}
        system_tolerations = system.tolerations()

        def addon(
            addon_name: str,
            configuration: dict[str, Any],
            depends_on: list[Any],
            role: aws.iam.Role | None = None,
        ) -> aws.eks.Addon:
            """One EKS managed add-on at its pinned version."""
            return aws.eks.Addon(
                f"{name}-{addon_name}",
                cluster_name=cluster.name,
                addon_name=addon_name,
                addon_version=args.addon_versions[addon_name],
                configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
                service_account_role_arn=role.arn if role is not None else None,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
            )

        # IAM: the VPC CNI (aws-node) on its own IRSA role with AmazonEKS_CNI_Policy, not the node role
        # (docs/decisions/vpc-cni-role.md says why IRSA rather than EKS Pod Identity).
        cni_role = irsa_role(
            f"{name}-vpc-cni-role",
            namespace="kube-system",
            service_account="aws-node",
            oidc_provider_arn=oidc.arn,
            oidc_provider_url=oidc_provider_url,
            managed_policy_arns=[aws_policy("AmazonEKS_CNI_Policy")],
            opts=child,
        )
        early_roles = {"vpc-cni": cni_role}
        early_addons = [
            addon(a, _addon_config(a, args), depends_on=[], role=early_roles.get(a))
            for a in ADDONS_BEFORE_NODES
        ]

        node_groups = [
            self._node_group(
                name,
                group_name,
                group,
                cluster=cluster,
                cluster_name=cluster_name,
                args=args,
                node_role=node_role,
                subnet_ids=subnet_ids,
                security_group_ids=[cluster_sg_id, node_sg.id],
                ebs_kms_key_arn=ebs_kms_key_arn,
                depends_on=[*node_attachments, *early_addons],
            )
            for group_name, group in args.node_groups.items()
        ]

        placement = {"nodeSelector": system_selector, "tolerations": system_tolerations}
        ebs_role = irsa_role(
            f"{name}-ebs-csi-role",
            namespace="kube-system",
            service_account="ebs-csi-controller-sa",
            oidc_provider_arn=oidc.arn,
            oidc_provider_url=oidc_provider_url,
            managed_policy_arns=[aws_policy("service-role/AmazonEBSCSIDriverPolicy")],
            policy_json=None if ebs_kms_key_arn is None else _kms_grant_policy(ebs_kms_key_arn),
            opts=child,
        )
        efs_role = irsa_role(
            f"{name}-efs-csi-role",
            namespace="kube-system",
            service_account="efs-csi-controller-sa",
            oidc_provider_arn=oidc.arn,
            oidc_provider_url=oidc_provider_url,
            managed_policy_arns=[aws_policy("service-role/AmazonEFSCSIDriverPolicy")],
            opts=child,
        )
        late_addons = [
            addon("coredns", {**placement, "replicaCount": args.coredns_replicas}, depends_on=node_groups),
            addon(
                "aws-ebs-csi-driver",
                {"controller": {**placement, **csi_tag_values("extraVolumeTags", volume_tags)}},
                depends_on=node_groups,
                role=ebs_role,
            ),
            addon(
                "aws-efs-csi-driver",
                {"controller": {**placement, **csi_tag_values("tags", self._resource_tags)}},
                depends_on=node_groups,
                role=efs_role,
            ),
        ]

        # The provider's kubeconfig resolves only once the nodes and the add-ons exist, so everything
        # deployed through it (Helm releases, workloads) waits for a cluster that can run pods.
        ready = [ng.id for ng in node_groups] + [a.id for a in early_addons + late_addons]
        document = pulumi.Output.all(
            cluster.name, cluster.endpoint, cluster.certificate_authority, region, *ready
        ).apply(lambda v: render_kubeconfig(v[0], v[1], _field(v[2], "data"), v[3]))

        self.cluster_name = cluster.name
        self.endpoint = cluster.endpoint
        self.certificate_authority_data = cluster.certificate_authority.apply(lambda ca: _field(ca, "data"))
        self.oidc_provider_arn = oidc.arn
        self.oidc_provider_url = oidc_provider_url
        self.node_role_arn = node_role.arn
        self.node_security_group_id = node_sg.id
        self.cluster_security_group_id = cluster_sg_id
        self.kubeconfig = pulumi.Output.secret(document)
        self.k8s_provider = k8s.Provider(f"{name}-k8s", kubeconfig=self.kubeconfig, opts=child)
        #: The Kubernetes minor version (plain): consumers validate manifests against it.
        self.kubernetes_version: str = args.kubernetes_version
        #: Node selector and tolerations that put a pod on the system group (plain values).
        self.system_node_selector: dict[str, str] = system_selector
        self.system_tolerations: list[dict[str, str]] = system_tolerations
        #: Whether any node group runs NVIDIA GPUs (the device plugin is then needed).
        self.has_gpu_nodes: bool = any("NVIDIA" in g.ami_type for g in args.node_groups.values())
        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "oidc_provider_arn": self.oidc_provider_arn,
                "oidc_provider_url": self.oidc_provider_url,
                "node_role_arn": self.node_role_arn,
                "node_security_group_id": self.node_security_group_id,
                "cluster_security_group_id": self.cluster_security_group_id,
                "kubeconfig": self.kubeconfig,
                "kubernetes_version": self.kubernetes_version,
            }
        )

    def _secrets_key(
        self,
        name: str,
        args: ClusterArgs,
        cluster_name: pulumi.Output[str],
        cluster_role: aws.iam.Role,
        account: pulumi.Output[str],
        partition: pulumi.Output[str],
    ) -> pulumi.Output[str]:
        """A customer-managed key for Kubernetes secrets: rotation on, an explicit policy naming its users."""
        policy = pulumi.Output.all(account, partition, cluster_role.arn).apply(
            lambda v: policy_document(
                {
                    "Sid": "AccountAdministersTheKeyThroughIam",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{v[1]}:iam::{v[0]}:root"},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "EksControlPlaneEnvelopeEncryption",
                    "Effect": "Allow",
                    "Principal": {"AWS": v[2]},
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                    "Resource": "*",
                },
            )
        )
        key = aws.kms.Key(
            f"{name}-secrets-key",
            description=f"{name}: Kubernetes secrets envelope encryption",
            enable_key_rotation=True,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=policy,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.deletion_protection, retain_on_delete=args.deletion_protection
            ),
        )
        aws.kms.Alias(
            f"{name}-secrets-key-alias",
            name=pulumi.Output.concat("alias/", cluster_name, "-secrets"),
            target_key_id=key.arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key.arn

    def _access_entries(
        self,
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
            self._access_entry(f"{name}-{kind}-{_slug(role)}", cluster, partition, principal, access_policy)

    # --- Who reaches the private API endpoint, and as whom (the runner, the VPN, MFA-only roles) ---

    def _admit_api_clients(
        self, name: str, cluster_sg_id: pulumi.Output[str], clients: Mapping[str, pulumi.Input[str]]
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
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _role_access(
        self,
        name: str,
        cluster: aws.eks.Cluster,
        partition: pulumi.Output[str],
        grants: Mapping[str, tuple[pulumi.Input[str], str]],
    ) -> None:
        """Access entries for roles the platform knows by ARN: the pipeline's deploy and preview roles
        and the MFA-only admin roles (key → (role ARN, EKS cluster access policy name))."""
        for key, (role_arn, access_policy) in grants.items():
            self._access_entry(f"{name}-access-{key}", cluster, partition, role_arn, access_policy)

    def _access_entry(
        self,
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
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.eks.AccessPolicyAssociation(
            f"{logical_name}-policy",
            cluster_name=cluster.name,
            principal_arn=entry.principal_arn,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, ":eks::aws:cluster-access-policy/", access_policy
            ),
            access_scope={"type": "cluster"},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _node_security_group(self, name: str, vpc_id: pulumi.Input[str]) -> aws.ec2.SecurityGroup:
        """The nodes' own security group, next to the EKS cluster security group.

        Pods share it (VPC CNI), so data stores admit exactly this group. Nodes talk to each other on
        any port; they reach out anywhere (image pulls, AWS APIs through the NAT or endpoints).
        """
        child = pulumi.ResourceOptions(parent=self)
        node_sg = aws.ec2.SecurityGroup(
            f"{name}-node-sg",
            vpc_id=vpc_id,
            description="EKS nodes and their pods: the client group data stores admit",
            revoke_rules_on_delete=True,
            tags={"Name": f"{name}-nodes"},
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-node-sg-self",
            security_group_id=node_sg.id,
            referenced_security_group_id=node_sg.id,
            ip_protocol="-1",
            description="Node to node and pod to pod",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-node-sg-egress",
            security_group_id=node_sg.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="-1",
            description="Egress: image pulls, AWS APIs, data stores",
            opts=child,
        )
        return node_sg

    def _node_group(
        self,
        name: str,
        group_name: str,
        group: NodeGroupArgs,
        *,
        cluster: aws.eks.Cluster,
        cluster_name: pulumi.Output[str],
        args: ClusterArgs,
        node_role: aws.iam.Role,
        subnet_ids: pulumi.Input[list[str]],
        security_group_ids: list[pulumi.Input[str]],
        ebs_kms_key_arn: pulumi.Input[str] | None,
        depends_on: list[pulumi.Resource],
    ) -> aws.eks.NodeGroup:
        """A launch template and a managed node group for one configured group."""
        child = pulumi.ResourceOptions(parent=self)
        instance_tags = {**self._resource_tags, "Name": f"{name}-{group_name}", "NodeGroup": group_name}
        root_volume: aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgsDict = {
            "volume_size": group.disk_size_gib,
            "volume_type": "gp3",
            "iops": 3000,
            "throughput": 125,
            "encrypted": "true",
            "delete_on_termination": "true",
        }
        if ebs_kms_key_arn is not None:
            root_volume["kms_key_id"] = ebs_kms_key_arn
        template = aws.ec2.LaunchTemplate(
            f"{name}-{group_name}-lt",
            description=f"{name} node group {group_name}: IMDSv2 only, encrypted gp3 root, no SSH key",
            update_default_version=True,
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": args.metadata_hop_limit,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[{"device_name": "/dev/xvda", "ebs": root_volume}],
            vpc_security_group_ids=security_group_ids,
            tag_specifications=[
                {"resource_type": kind, "tags": instance_tags}
                for kind in ("instance", "volume", "network-interface")
            ],
            opts=child,
        )
        labels = {**group.labels, NODE_GROUP_LABEL: group_name}
        if "NVIDIA" in group.ami_type:
            labels["nvidia.com/gpu.present"] = "true"  # what the NVIDIA device plugin's affinity selects
        return aws.eks.NodeGroup(
            f"{name}-{group_name}",
            cluster_name=cluster.name,
            node_role_arn=node_role.arn,
            subnet_ids=subnet_ids,
            version=args.kubernetes_version,
            ami_type=group.ami_type,
            capacity_type=group.capacity_type,
            instance_types=group.instance_types,
            scaling_config={
                "min_size": group.min_size,
                "desired_size": group.desired_size,
                "max_size": group.max_size,
            },
            update_config={"max_unavailable_percentage": group.max_unavailable_percentage},
            labels=labels,
            taints=[
                {"key": t.key, "value": t.value or None, "effect": TAINT_EFFECTS[t.effect]}
                for t in group.taints
            ],
            launch_template={"id": template.id, "version": template.latest_version.apply(str)},
            node_repair_config={"enabled": True},
            tags=cluster_name.apply(
                lambda cluster: {
                    "Name": f"{name}-{group_name}",
                    "k8s.io/cluster-autoscaler/enabled": "true",
                    f"k8s.io/cluster-autoscaler/{cluster}": "owned",
                }
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=depends_on,
                # The cluster autoscaler changes the desired size; a deploy must not reset it, unless the
                # stack scales by config (a DR standby's activation raises min_size above the idle size).
                ignore_changes=[] if args.scale_by_config else ["scalingConfig.desiredSize"],
            ),
        )


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

#: Instance families built on the Xen hypervisor rather than Nitro: they cannot take IP prefixes
#: (EKS User Guide, "Increase the available IP addresses for your Amazon EKS node", prerequisites).
_NOT_NITRO = re.compile(r"^(t2|m4|c4|r4|x1|x1e|d2|h1|i3|p2|p3|g3|g3s|f1)\.")


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
