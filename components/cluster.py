"""EKS: the control plane, its node groups, IRSA, the managed add-ons and a Kubernetes provider for it.

Built from raw ``pulumi_aws.eks`` resources (not ``pulumi_eks``), so every child is visible to the
offline tests and the policy pack.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from .cluster_access import access_entries, admit_api_clients, grant_role_access
from .cluster_args import (
    ADDONS_BEFORE_NODES,
    CONTROL_PLANE_LOG_TYPES,
    NODE_GROUP_LABEL,
    TAINT_EFFECTS,
    ClusterArgs,
    NodeGroupArgs,
    _field,
)
from .cluster_iam import (
    _addon_config,
    _cluster_role_policy,
    _kms_grant_policy,
    _service_role,
    csi_tag_values,
)
from .iam import assume_role_policy, policy_document, service_trust_policy
from .irsa import irsa_role
from .kubeconfig import kubeconfig as render_kubeconfig


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
        access_entries(self, name, args, cluster, account, partition)

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
        admit_api_clients(self, name, cluster_sg_id, api_clients or {})
        grant_role_access(self, name, cluster, partition, role_access or {})

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
