"""The EKS cluster's settings: node groups (taints, labels, instance types), add-ons, access, logging,
each validated before any resource is registered. Split from ``cluster.py`` (which re-exports every name)."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from .args import Args, Cidr, FieldProblem, RetentionDays
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

#: Instance families built on the Xen hypervisor rather than Nitro: they cannot take IP prefixes
#: (EKS User Guide, "Increase the available IP addresses for your Amazon EKS node", prerequisites).
_NOT_NITRO = re.compile(r"^(t2|m4|c4|r4|x1|x1e|d2|h1|i3|p2|p3|g3|g3s|f1)\.")
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
