"""The cluster's own services, installed with Helm through the cluster's Kubernetes provider.

Every release pins its chart version (config), keeps its values in code, runs on the system node group
(its node selector and the CriticalAddonsOnly toleration) and, when it calls AWS, gets an IRSA role
bound to its one service account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import Field, field_validator, model_validator

from .args import Args, FieldProblem
from .cluster_monitoring import controller_tag_values, monitor_values, operator_crds
from .cluster_service_policies import (
    cluster_autoscaler_policy,
    external_dns_policy,
    external_secrets_policy,
    load_balancer_controller_policy,
    route53_dns01_policy,
)
from .gateway_crds import gateway_api_crds
from .irsa import irsa_role
from .versions import chart_repository, chart_version
from .versions import version as pinned_version

#: Charts installed here; their pins and repositories live in components/versions.py. A stack file
#: names only the charts it moves: ``cluster_services.chart_versions.cert-manager: v1.21.1``.
CHARTS: tuple[str, ...] = (
    "metrics-server",
    "cluster-autoscaler",
    "aws-load-balancer-controller",
    "cert-manager",
    "external-secrets",
    "external-dns",
    "nvidia-device-plugin",
)
DEFAULT_CHART_VERSIONS: dict[str, str] = {chart: chart_version(chart) for chart in CHARTS}

#: Where each chart comes from (the projects' own repositories, over HTTPS).
CHART_REPOSITORIES: dict[str, str] = {chart: chart_repository(chart) for chart in CHARTS}

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
LETSENCRYPT = {
    "letsencrypt-prod": "https://acme-v02.api.letsencrypt.org/directory",
    "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
}

_CHART_VERSION = re.compile(r"^v?\d+\.\d+\.\d+$")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IMAGE_TAG = re.compile(r"^v\d+\.\d+\.\d+$")


class ClusterServicesArgs(Args):
    """Settings of the cluster services. Defaults are the production shape."""

    chart_versions: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_CHART_VERSIONS),
        description="Exact chart versions (no ranges): an upgrade is a reviewed config change.",
    )
    replicas: int = Field(
        default=2, ge=1, le=5, description="Replicas of each controller (two survive a node drain)."
    )
    cluster_autoscaler_image_tag: str = Field(
        default=pinned_version("cluster-autoscaler-image"),
        description="Cluster autoscaler image; its minor version must equal the cluster's Kubernetes version.",
    )
    dns_zone: str | None = Field(
        default=None,
        description="Public Route 53 hosted zone (domain name) for DNS-01 challenges and external-dns records.",
    )
    acme_email: str | None = Field(
        default=None, description="Let's Encrypt account email (expiry notices). Required with dns_zone."
    )
    external_dns: bool = Field(
        default=False,
        description="Publish the HTTPRoutes' hosts (api., www.) to the hosted zone with external-dns.",
    )
    external_dns_policy: Literal["upsert-only", "sync"] = Field(
        default="upsert-only", description="'upsert-only' never deletes records it did not just create."
    )
    storage_reclaim_policy: Literal["Retain", "Delete"] = Field(
        default="Retain", description="What happens to a volume when its claim is deleted; Retain keeps data."
    )

    @field_validator("chart_versions", mode="before")
    @classmethod
    def _fill_charts(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        for chart, version in given.items():
            if chart not in DEFAULT_CHART_VERSIONS:
                raise FieldProblem(
                    str(chart), version, f"unknown chart; allowed: {', '.join(DEFAULT_CHART_VERSIONS)}"
                )
            if not isinstance(version, str) or not _CHART_VERSION.match(version):
                raise FieldProblem(str(chart), version, "an exact chart version such as 1.2.3 (no ranges)")
        return {**DEFAULT_CHART_VERSIONS, **given}

    @field_validator("dns_zone")
    @classmethod
    def _check_zone(cls, zone: str | None) -> str | None:
        if zone is not None and not _DOMAIN.match(zone):
            raise ValueError("not a domain name; allowed: a public hosted zone such as 'quantumvest.com'")
        return zone

    @field_validator("acme_email")
    @classmethod
    def _check_email(cls, email: str | None) -> str | None:
        if email is not None and not _EMAIL.match(email):
            raise ValueError("not an email address")
        return email

    @field_validator("cluster_autoscaler_image_tag")
    @classmethod
    def _check_tag(cls, tag: str) -> str:
        if not _IMAGE_TAG.match(tag):
            raise ValueError("a cluster-autoscaler release tag such as v1.35.0")
        return tag

    @model_validator(mode="after")
    def _check_dns(self) -> ClusterServicesArgs:
        if self.external_dns and self.dns_zone is None:
            raise FieldProblem("external_dns", True, "needs dns_zone (the hosted zone it writes to)")
        if (self.dns_zone is None) != (self.acme_email is None):
            missing = "acme_email" if self.acme_email is None else "dns_zone"
            raise FieldProblem(
                missing, None, "dns_zone and acme_email go together (Let's Encrypt DNS-01 through Route 53)"
            )
        return self


class ClusterServices(pulumi.ComponentResource):
    """Helm add-ons and cluster-wide objects on the EKS cluster.

    Creates: metrics-server; the cluster autoscaler (IRSA: resize only this cluster's groups); the
    Gateway API's standard CRDs (pinned, ``components/gateway_crds.py``); the AWS Load Balancer
    Controller (IRSA) with its ALB gateway controller on, and the GatewayClass ``alb`` it serves
    (``gateway.k8s.aws/alb``): the Workloads' Gateway becomes the public ALB, routing straight to pods;
    cert-manager (IRSA: DNS-01 in the hosted zone) with Let's Encrypt production and staging
    ClusterIssuers; external-dns (optional, IRSA) publishing the HTTPRoutes' hosts; external-secrets (IRSA: read Secrets Manager) with a ClusterSecretStore; the NVIDIA device
    plugin when GPU nodes exist; a default encrypted gp3 StorageClass and, when an EFS file system is
    wired in, an EFS StorageClass.
    """

    #: Names other components use (plain values, fixed by this component).
    gateway_class_name = "alb"
    gateway_controller_name = "gateway.k8s.aws/alb"
    secret_store_name = "aws-secrets-manager"
    storage_class_name = "gp3"
    efs_storage_class_name = "efs"

    def __init__(
        self,
        name: str,
        args: ClusterServicesArgs,
        *,
        k8s_provider: k8s.Provider,
        cluster_name: pulumi.Input[str],
        oidc_provider_arn: pulumi.Input[str],
        oidc_provider_url: pulumi.Input[str],
        vpc_id: pulumi.Input[str],
        system_node_selector: Mapping[str, str],
        system_tolerations: Sequence[Mapping[str, str]],
        ebs_kms_key_arn: pulumi.Input[str] | None = None,
        efs_file_system_id: pulumi.Input[str] | None = None,
        secret_arns: Sequence[pulumi.Input[str]] | None = None,
        secrets_kms_key_arn: pulumi.Input[str] | None = None,
        nvidia_device_plugin: bool = False,
        hosted_zone_id: pulumi.Input[str] | None = None,
        cost_tags: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``cost_tags``: the tags the LB controller puts on the load balancers it creates."""
        super().__init__("quantumvest:cluster:ClusterServices", name, None, opts)
        self._name = name
        self._args = args
        self._provider = k8s_provider
        self._placement: dict[str, Any] = {
            "nodeSelector": dict(system_node_selector),
            "tolerations": [dict(t) for t in system_tolerations],
        }
        self._oidc = (oidc_provider_arn, oidc_provider_url)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        region = aws.get_region_output(opts=invoke).region
        account = aws.get_caller_identity_output(opts=invoke).account_id
        # The zone's id when the platform knows it (created or adopted); else looked up by name.
        zone_id: pulumi.Output[str] | None = None
        if hosted_zone_id is not None:
            zone_id = pulumi.Output.from_input(hosted_zone_id)
        elif args.dns_zone is not None:
            zone_id = aws.route53.get_zone_output(name=args.dns_zone, private_zone=False, opts=invoke).zone_id

        namespaces = {
            ns: k8s.core.v1.Namespace(
                f"{name}-{ns}-ns",
                metadata={
                    "name": ns,
                    "labels": {
                        "pod-security.kubernetes.io/enforce": "baseline",
                        "pod-security.kubernetes.io/warn": "restricted",
                        "pod-security.kubernetes.io/audit": "restricted",
                    },
                },
                opts=self._k8s_opts(),
            )
            for ns in ("cert-manager", "external-secrets") + (("external-dns",) if args.external_dns else ())
        }

        releases: dict[str, k8s.helm.v3.Release] = {}
        crds = operator_crds(name, self._k8s_opts())  # before any chart renders a ServiceMonitor
        releases["metrics-server"] = self._release(
            "metrics-server",
            "kube-system",
            {
                "replicas": args.replicas,
                **self._placement,
                "podDisruptionBudget": {"enabled": args.replicas > 1, "minAvailable": 1},
                "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}},
            },
        )

        autoscaler_role = self._irsa(
            "cluster-autoscaler",
            "kube-system",
            "cluster-autoscaler",
            pulumi.Output.from_input(cluster_name).apply(cluster_autoscaler_policy),
        )
        releases["cluster-autoscaler"] = self._release(
            "cluster-autoscaler",
            "kube-system",
            {
                "fullnameOverride": "cluster-autoscaler",
                "cloudProvider": "aws",
                "awsRegion": region,
                "autoDiscovery": {"clusterName": cluster_name},
                "image": {"tag": args.cluster_autoscaler_image_tag},
                "rbac": {"serviceAccount": self._service_account("cluster-autoscaler", autoscaler_role)},
                "extraArgs": {
                    "balance-similar-node-groups": True,
                    "skip-nodes-with-system-pods": False,
                    "skip-nodes-with-local-storage": False,
                    "expander": "least-waste",
                },
                "replicaCount": 1,  # leader-elected: one active instance, restarted by the Deployment
                "priorityClassName": "system-cluster-critical",
                **self._placement,
            },
        )

        # The Gateway API CRDs exist before the controller starts: it enables its gateway controllers only
        # when it finds them (docs/guide/gateway/gateway.md, "Configuration").
        gateway_crds = gateway_api_crds(f"{name}-gateway-api", parent=self, provider=k8s_provider)
        lbc_role = self._irsa(
            "aws-load-balancer-controller",
            "kube-system",
            "aws-load-balancer-controller",
            pulumi.Output.all(partition, cluster_name).apply(lambda a: load_balancer_controller_policy(*a)),
        )
        releases["aws-load-balancer-controller"] = self._release(
            "aws-load-balancer-controller",
            "kube-system",
            {
                "clusterName": cluster_name,
                "region": region,
                "vpcId": vpc_id,  # nodes' IMDS is one hop away from pods, so say it rather than discover it
                "replicaCount": args.replicas,
                "serviceAccount": self._service_account("aws-load-balancer-controller", lbc_role),
                # No Ingress is served: the public path is the Gateway API (DESIGN.md request path).
                "createIngressClassResource": False,
                "enableServiceMutatorWebhook": False,
                # All three set, so no CRD auto-detection (pkg/gateway/crddetect): a missing CRD fails the
                # start instead of quietly disabling the ALB gateway. The NLB (L4) gateway is not used.
                "controllerConfig": {
                    "featureGates": {
                        "ALBGatewayAPI": True,
                        "NLBGatewayAPI": False,
                        "GatewayListenerSet": False,
                    }
                },
                "podDisruptionBudget": {"maxUnavailable": 1},
                **self._placement,
                **monitor_values("aws-load-balancer-controller"),
                **controller_tag_values(cost_tags),
            },
            depends_on=[*gateway_crds, crds],
        )
        # The class every Gateway of this cluster names; the controller owns what it describes.
        k8s.apiextensions.CustomResource(
            f"{name}-gateway-class",
            api_version="gateway.networking.k8s.io/v1",
            kind="GatewayClass",
            metadata={"name": self.gateway_class_name},
            spec={
                "controllerName": self.gateway_controller_name,
                "description": "Internet-facing ALBs from the AWS Load Balancer Controller",
            },
            opts=self._k8s_opts(depends_on=[*gateway_crds, releases["aws-load-balancer-controller"]]),
        )

        cert_manager_values: dict[str, Any] = {
            "crds": {"enabled": True, "keep": True},
            "replicaCount": args.replicas,
            "podDisruptionBudget": {"enabled": args.replicas > 1, "minAvailable": 1},
            "webhook": {
                "replicaCount": args.replicas,
                "podDisruptionBudget": {"enabled": args.replicas > 1, "minAvailable": 1},
                **self._placement,
            },
            "cainjector": {"replicaCount": 1, **self._placement},
            "startupapicheck": dict(self._placement),
            **monitor_values("cert-manager"),
            **self._placement,
        }
        if zone_id is not None:
            dns01_role = self._irsa(
                "cert-manager",
                "cert-manager",
                "cert-manager",
                pulumi.Output.all(partition, zone_id).apply(lambda v: route53_dns01_policy(v[0], v[1])),
            )
            cert_manager_values["serviceAccount"] = self._service_account("cert-manager", dns01_role)
        releases["cert-manager"] = self._release(
            "cert-manager", "cert-manager", cert_manager_values, depends_on=[namespaces["cert-manager"], crds]
        )
        self.cluster_issuer_name: str | None = None
        if zone_id is not None and args.acme_email is not None and args.dns_zone is not None:
            for issuer, server in LETSENCRYPT.items():
                k8s.apiextensions.CustomResource(
                    f"{name}-{issuer}",
                    api_version="cert-manager.io/v1",
                    kind="ClusterIssuer",
                    metadata={"name": issuer},
                    spec={
                        "acme": {
                            "email": args.acme_email,
                            "server": server,
                            "privateKeySecretRef": {"name": f"{issuer}-account-key"},
                            "solvers": [
                                {
                                    "selector": {"dnsZones": [args.dns_zone]},
                                    "dns01": {"route53": {"region": region, "hostedZoneID": zone_id}},
                                }
                            ],
                        }
                    },
                    opts=self._k8s_opts(depends_on=[releases["cert-manager"]]),
                )
            self.cluster_issuer_name = "letsencrypt-prod"

        if args.external_dns and zone_id is not None:
            dns_role = self._irsa(
                "external-dns",
                "external-dns",
                "external-dns",
                pulumi.Output.all(partition, zone_id).apply(lambda v: external_dns_policy(v[0], v[1])),
            )
            releases["external-dns"] = self._release(
                "external-dns",
                "external-dns",
                {
                    "provider": {"name": "aws"},
                    "env": [{"name": "AWS_DEFAULT_REGION", "value": region}],
                    "domainFilters": [args.dns_zone],
                    "extraArgs": [
                        "--aws-zone-type=public",
                        # zoneIdFilters: this zone only, even where another zone shares the domain name.
                        pulumi.Output.concat("--zone-id-filter=", zone_id),
                    ],
                    "policy": args.external_dns_policy,
                    "registry": "txt",
                    "txtOwnerId": cluster_name,
                    "txtPrefix": "_externaldns.",
                    # The public names are the HTTPRoutes' hostnames; their target is the Gateway's ALB.
                    "sources": ["gateway-httproute"],
                    "serviceAccount": self._service_account("external-dns", dns_role),
                    **self._placement,
                },
                depends_on=[namespaces["external-dns"]],
            )

        readable = (
            list(secret_arns)
            if secret_arns
            else [
                pulumi.Output.concat("arn:", partition, ":secretsmanager:", region, ":", account, ":secret:*")
            ]
        )
        eso_role = self._irsa(
            "external-secrets",
            "external-secrets",
            "external-secrets",
            pulumi.Output.all(region, secrets_kms_key_arn, *readable).apply(
                lambda v: external_secrets_policy(v[2:], v[1], v[0])
            ),
        )
        releases["external-secrets"] = self._release(
            "external-secrets",
            "external-secrets",
            {
                "installCRDs": True,
                "replicaCount": args.replicas,
                "podDisruptionBudget": {"enabled": args.replicas > 1, "minAvailable": 1},
                "serviceAccount": self._service_account("external-secrets", eso_role),
                "webhook": {"replicaCount": args.replicas, **self._placement},
                "certController": {"replicaCount": 1, **self._placement},
                **self._placement,
                **monitor_values("external-secrets"),
            },
            depends_on=[namespaces["external-secrets"], crds],
        )
        k8s.apiextensions.CustomResource(
            f"{name}-secret-store",
            api_version="external-secrets.io/v1",
            kind="ClusterSecretStore",
            metadata={"name": self.secret_store_name},
            spec={"provider": {"aws": {"service": "SecretsManager", "region": region}}},
            opts=self._k8s_opts(depends_on=[releases["external-secrets"]]),
        )

        if nvidia_device_plugin:
            # Runs on the GPU nodes, not the system group: its affinity selects nvidia.com/gpu.present.
            releases["nvidia-device-plugin"] = self._release(
                "nvidia-device-plugin",
                "kube-system",
                {"tolerations": [{"operator": "Exists"}], "priorityClassName": "system-node-critical"},
            )

        self._storage_classes(ebs_kms_key_arn, efs_file_system_id)
        self.release_names = sorted(releases)
        self.register_outputs({"releases": {key: r.status for key, r in releases.items()}})

    def _k8s_opts(self, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self._provider, depends_on=list(depends_on))

    def _irsa(
        self, key: str, namespace: str, service_account: str, policy: pulumi.Input[str]
    ) -> aws.iam.Role:
        return irsa_role(
            f"{self._name}-{key}-role",
            namespace=namespace,
            service_account=service_account,
            oidc_provider_arn=self._oidc[0],
            oidc_provider_url=self._oidc[1],
            policy_json=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )

    @staticmethod
    def _service_account(name: str, role: aws.iam.Role) -> dict[str, Any]:
        return {"create": True, "name": name, "annotations": {IRSA_ANNOTATION: role.arn}}

    def _release(
        self,
        chart: str,
        namespace: str,
        values: dict[str, Any],
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> k8s.helm.v3.Release:
        """One Helm release of a pinned chart from its project's repository."""
        return k8s.helm.v3.Release(
            f"{self._name}-{chart}",
            name=chart,
            chart=chart,
            version=self._args.chart_versions[chart],
            repository_opts={"repo": CHART_REPOSITORIES[chart]},
            namespace=namespace,
            values=values,
            atomic=True,
            cleanup_on_fail=True,
            max_history=10,
            timeout=600,
            opts=self._k8s_opts(depends_on),
        )

    def _storage_classes(
        self, ebs_kms_key_arn: pulumi.Input[str] | None, efs_file_system_id: pulumi.Input[str] | None
    ) -> None:
        """The default gp3 class (encrypted, with the data key when given) and, with EFS, an EFS class."""
        parameters: dict[str, pulumi.Input[str]] = {"type": "gp3", "encrypted": "true", "fsType": "ext4"}
        if ebs_kms_key_arn is not None:
            parameters["kmsKeyId"] = ebs_kms_key_arn
        k8s.storage.v1.StorageClass(
            f"{self._name}-gp3",
            metadata={
                "name": self.storage_class_name,
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            provisioner="ebs.csi.aws.com",
            parameters=parameters,
            reclaim_policy=self._args.storage_reclaim_policy,
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=self._k8s_opts(),
        )
        if efs_file_system_id is None:
            self.efs_storage_class: str | None = None
            return
        k8s.storage.v1.StorageClass(
            f"{self._name}-efs",
            metadata={"name": self.efs_storage_class_name},
            provisioner="efs.csi.aws.com",
            parameters={
                "provisioningMode": "efs-ap",
                "fileSystemId": efs_file_system_id,
                "directoryPerms": "700",
                "basePath": "/dynamic",
                "ensureUniqueDirectory": "true",
            },
            reclaim_policy=self._args.storage_reclaim_policy,
            volume_binding_mode="Immediate",
            opts=self._k8s_opts(),
        )
        self.efs_storage_class = self.efs_storage_class_name
