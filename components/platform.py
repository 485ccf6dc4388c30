"""The whole platform as one component: providers, then every area wired by explicit outputs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .access import PlatformAccess
from .alb_name import load_balancer_name
from .backup import BackupCoverage
from .cache import Cache
from .cluster import Cluster
from .cluster_services import ClusterServices
from .cost_controls import CostControls
from .database import Database
from .dns_zone import DnsZone
from .dr import DnsFailover, FailoverHost, rpo_lag_alarm
from .edge_alarms import create_edge_alarms
from .findings import SecurityFindings
from .monitoring import Monitoring, split_output
from .network import Network
from .platform_args import (
    PlatformArgs,
    PlatformSettings,
)
from .security import Security, SecurityArgs, derive_prefix
from .storage import Storage
from .workloads import Workloads


class Platform(pulumi.ComponentResource):
    """The QuantumVest platform. Creates: explicit AWS providers (primary, DR region, us-east-1 for the
    CDN) with the default tags and a random provider; then Security (keys first: everything else is
    encrypted with them), the public hosted zone (DnsZone), Network, the ways into the private API (CI
    runner, admin VPN, MFA-only admin roles: :class:`~components.access.PlatformAccess`), the DR network,
    Cluster, Database, Cache, Storage, ClusterServices, Monitoring and Workloads, each wired to the others
    only through explicit outputs.

    Other stacks can import and build it with their own ``PlatformArgs``.
    """

    security: Security
    dns_zone: DnsZone | None
    paired_stack: pulumi.StackReference | None
    network: Network
    access: PlatformAccess
    dr_network: Network | None
    cluster: Cluster
    cluster_services: ClusterServices
    database: Database
    cache: Cache
    storage: Storage
    monitoring: Monitoring
    workloads: Workloads

    def __init__(
        self,
        name: str,
        args: PlatformArgs,
        opts: pulumi.ResourceOptions | None = None,
        *,
        database_global_cluster_identifier: pulumi.Input[str] | None = None,
        database_master_secret_arn: pulumi.Input[str] | None = None,
    ) -> None:
        """``database_global_cluster_identifier`` and ``database_master_secret_arn`` are for a stack
        whose database is a standby (``database.role: standby``, the DR stack): the primary stack's
        ``databaseGlobalClusterId`` and its master secret (a standby has no master user of its own; the
        promoted cluster keeps the primary's). Unset, both are read from the DR pair's stack outputs."""
        super().__init__("quantumvest:platform:Platform", name, None, opts)
        settings = args.platform
        self.aws_provider = self._aws_provider(f"{name}-aws", settings.region, settings)
        # The DR region and, for the CDN's web ACL, us-east-1: explicit providers with the same tags.
        self.dr_provider = (
            self._aws_provider(f"{name}-aws-dr", settings.dr_region, settings) if settings.dr_region else None
        )
        self.us_east_1_provider: aws.Provider | None = None
        if args.storage.cdn.enabled:  # CloudFront's web ACL and certificate live in us-east-1
            self.us_east_1_provider = (
                self.aws_provider
                if settings.region == "us-east-1"
                else self._aws_provider(f"{name}-aws-us-east-1", "us-east-1", settings)
            )
        # Default providers are disabled in every stack file, pulumi-random's included.
        self.random_provider = random.Provider(f"{name}-random", opts=pulumi.ResourceOptions(parent=self))
        on_aws = pulumi.ResourceOptions(
            parent=self, providers={"aws": self.aws_provider, "random": self.random_provider}
        )
        # The other stack of a DR pair, read through the stack-output contract (components/contract.py).
        self.paired_stack = (
            pulumi.StackReference(
                f"{name}-dr-pair", stack_name=args.dr.paired_stack, opts=pulumi.ResourceOptions(parent=self)
            )
            if args.dr.paired_stack
            else None
        )

        sec = self.security = Security(
            f"{name}-security",
            security_settings(args, pulumi.get_stack()),
            dr_provider=self.dr_provider,
            us_east_1_provider=self.us_east_1_provider,
            # A primary copies its backups to its standby's vault, in the standby's region.
            # Optional: a primary deployed before its standby (a new account) copies nowhere else yet.
            dr_backup_vault_arn=(
                self.paired_stack.get_output("backupVaultArn")
                if self.paired_stack is not None and args.dr.role == "primary"
                else None
            ),
            opts=on_aws,
        )
        # Every public name lives in this zone: certificates validate through it, CloudFront's alias and
        # external-dns's records (the load balancer's names) are written into it.
        # A standby writes into its primary's zone (the public names are the primary's); it has none.
        self.dns_zone = None if args.dr.role == "standby" else DnsZone(f"{name}-dns", args.dns, opts=on_aws)
        self.zone_id: pulumi.Output[str] = (
            self.dns_zone.zone_id if self.dns_zone is not None else self._paired_output("dnsZoneId")
        )
        net = self.network = Network(
            f"{name}-network", args.network, flow_log_kms_key_arn=sec.logs_key_arn, opts=on_aws
        )
        private_subnet_ids = split_output(net.private_subnet_ids, args.network.az_count)
        # Who reaches the private API endpoint: the in-VPC runner, the admin VPN, MFA-only roles.
        access = self.access = PlatformAccess(
            settings.name,
            pulumi.get_stack(),
            ci_runner=args.ci_runner,
            admin_vpn=args.admin_vpn,
            admin_roles=args.admin_roles,
            domain=settings.domain,
            vpc_cidr=str(args.network.cidr),
            network=net,
            private_subnet_ids=private_subnet_ids,
            security=sec,
            opts=on_aws,
        )
        cluster = self.cluster = Cluster(
            f"{name}-cluster",
            args.cluster,
            vpc_id=net.vpc_id,
            subnet_ids=net.private_subnet_ids,
            secrets_kms_key_arn=sec.secrets_key_arn,
            ebs_kms_key_arn=sec.data_key_arn,
            logs_kms_key_arn=sec.logs_key_arn,
            api_clients=access.api_clients,
            role_access=access.role_access,
            # Node instances and volumes, CSI volumes: the provider's default tags never reach them.
            resource_tags=settings.default_tags(),
            volume_backup_tags=sec.backup_selection_tags if args.security.backup.enabled else None,
            opts=on_aws,
        )
        # The DR region's private network, for the cross-region database replica (never the default VPC).
        self.dr_network: Network | None = None
        if self.dr_provider is not None:
            self.dr_network = Network(
                f"{name}-dr-network",
                args.dr_network,
                flow_log_kms_key_arn=sec.dr_logs_key_arn,
                opts=pulumi.ResourceOptions(parent=self, providers={"aws": self.dr_provider}),
            )
        if args.database.role == "standby":
            if self.paired_stack is None:
                raise ValueError(f"{name}: database.role is 'standby' but dr.primary_stack names no primary")
            if database_global_cluster_identifier is None:
                database_global_cluster_identifier = self._paired_output("databaseGlobalClusterId")
            if database_master_secret_arn is None:
                database_master_secret_arn = self._paired_output("databaseMasterSecretArn")
        # Pods reach the data tier with the nodes' security group (VPC CNI, no security groups for pods).
        clients = cluster.node_security_group_id
        # prod's database leads an Aurora global database; the DR stack attaches its standby to it.
        database = self.database = Database(
            f"{name}-database",
            args.database,
            subnet_group_name=net.db_subnet_group_name,
            vpc_id=net.vpc_id,
            client_security_group_id=clients,
            kms_key_arn=sec.data_key_arn,
            secrets_kms_key_arn=sec.secrets_key_arn,
            logs_kms_key_arn=sec.logs_key_arn,
            global_cluster_identifier=database_global_cluster_identifier,
            opts=on_aws,
        )
        #: The master secret every consumer reads: the cluster's own, or (standby) the primary's copy.
        self.database_master_secret_arn: pulumi.Input[str] = (
            database.master_secret_arn
            if database.master_secret_arn is not None
            else database_master_secret_arn  # type: ignore[assignment]
        )
        cache = self.cache = Cache(
            f"{name}-cache",
            args.cache,
            subnet_group_name=net.cache_subnet_group_name,
            vpc_id=net.vpc_id,
            client_security_group_id=clients,
            kms_key_arn=sec.data_key_arn,
            secrets_kms_key_arn=sec.secrets_key_arn,
            logs_kms_key_arn=sec.logs_key_arn,
            opts=on_aws,
        )
        storage = self.storage = Storage(
            f"{name}-storage",
            args.storage,
            private_subnet_ids=private_subnet_ids,
            vpc_id=net.vpc_id,
            client_security_group_id=clients,
            kms_key_arn=sec.data_key_arn,
            cloudfront_web_acl_arn=sec.cloudfront_web_acl_arn,
            dr_provider=self.dr_provider if bool(args.storage.replicated_roles()) else None,
            dr_kms_key_arn=sec.dr_data_key_arn if bool(args.storage.replicated_roles()) else None,
            us_east_1_provider=self.us_east_1_provider,
            hosted_zone_id=self.zone_id,
            access_logged_buckets=(
                {"cloudtrail": sec.trail_bucket_name} if sec.trail_bucket_name is not None else None
            ),
            opts=on_aws,
        )
        services = self.cluster_services = ClusterServices(
            f"{name}-cluster-services",
            args.cluster_services,
            k8s_provider=cluster.k8s_provider,
            cluster_name=cluster.cluster_name,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
            vpc_id=net.vpc_id,
            system_node_selector=cluster.system_node_selector,
            system_tolerations=cluster.system_tolerations,
            ebs_kms_key_arn=sec.data_key_arn,
            efs_file_system_id=storage.efs_file_system_id,
            # external-secrets may read exactly these secrets, nothing else in the account.
            secret_arns=[
                *sec.app_secret_arns.values(),
                self.database_master_secret_arn,
                cache.auth_secret_arn,
            ],
            secrets_kms_key_arn=sec.secrets_key_arn,
            nvidia_device_plugin=cluster.has_gpu_nodes,
            hosted_zone_id=self.zone_id,
            # What the load balancer controller creates carries the cost tags too (budget filters).
            cost_tags=settings.default_tags(),
            opts=on_aws,
        )
        nat_count = {"none": 0, "instance": 0, "single": 1, "one_per_az": args.network.az_count}[
            args.network.nat_strategy
        ]
        db_ids = split_output(database.instance_ids, 1 + args.database.read_replica_count)
        self.monitoring = Monitoring(
            f"{name}-monitoring",
            args.monitoring,
            k8s_provider=cluster.k8s_provider,
            cluster_name=cluster.cluster_name,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
            kms_key_arn=sec.logs_key_arn,
            secrets_kms_key_arn=sec.secrets_key_arn,
            db_instance_identifiers=db_ids,
            db_cluster_identifier=database.cluster_identifier,
            cache_member_cluster_ids=split_output(cache.member_cluster_ids, args.cache.num_cache_nodes),
            nat_gateway_ids=split_output(net.nat_gateway_ids, nat_count),
            nat_instance_ids=split_output(net.nat_instance_ids, int(args.network.nat_strategy == "instance")),
            web_acl_name=sec.regional_web_acl_arn.apply(lambda arn: arn.split("/")[-2]),
            db_endpoint=database.writer_endpoint,
            db_port=database.port,
            db_name=database.database_name,
            db_master_secret_arn=self.database_master_secret_arn,
            cache_endpoint=cache.primary_endpoint,
            cache_port=cache.port,
            cache_auth_secret_arn=cache.auth_secret_arn,
            cache_auth_secret_property="auth_token",
            namespaces=[
                args.workloads.namespace,
                "cert-manager",
                "external-secrets",
            ],
            k8s_depends_on=[services],
            opts=on_aws,
        )

        regional_certificates = [
            arn for host, arn in storage.certificate_arns.items() if host in args.storage.dns.regional_hosts
        ]
        self.workloads = Workloads(
            f"{name}-workloads",
            args.workloads,
            k8s_provider=cluster.k8s_provider,
            kubernetes_version=cluster.kubernetes_version,
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_provider_url=cluster.oidc_provider_url,
            database_subnet_cidrs=net.subnet_cidrs["database"],
            db_endpoint=database.writer_endpoint,
            db_port=database.port,
            db_master_secret_arn=self.database_master_secret_arn,
            cache_endpoint=cache.primary_endpoint,
            cache_port=cache.port,
            cache_auth_secret_arn=cache.auth_secret_arn,
            cache_auth_secret_property="auth_token",
            regional_web_acl_arn=sec.regional_web_acl_arn,
            gateway_class_name=services.gateway_class_name,
            load_balancer_name=load_balancer_name(settings.name, pulumi.get_stack()),
            # Target type ip: the ALB reaches pods from its nodes in the public subnets.
            load_balancer_cidrs=net.subnet_cidrs["public"],
            # The regional hosts' certificates on the HTTPS listener; none: ACM discovery by host.
            certificate_arns=regional_certificates,
            access_logs_bucket=storage.bucket_names.get(args.storage.log_bucket),
            bucket_names=storage.bucket_names,
            bucket_kms_key_arn=sec.data_key_arn,
            ecr_repository_urls=sec.ecr_repository_urls,
            app_secret_arns=sec.app_secret_arns,
            secrets_kms_key_arn=sec.secrets_key_arn,
            efs_file_system_id=storage.efs_file_system_id,
            efs_access_point_id=storage.efs_access_point_id,
            opts=pulumi.ResourceOptions.merge(on_aws, pulumi.ResourceOptions(depends_on=[services])),
        )

        self._coverage(name, args, on_aws)
        self.dns_failover: DnsFailover | None = None
        if args.dr.role != "none":
            self.dns_failover = self._dns_failover(name, args, on_aws)

        self.register_outputs(
            {
                "vpc_id": net.vpc_id,
                "cluster_name": cluster.cluster_name,
                "regional_web_acl_arn": sec.regional_web_acl_arn,
            }
        )

    def _coverage(self, name: str, args: PlatformArgs, on_aws: pulumi.ResourceOptions) -> None:
        """What makes the parts reach each other (issue 16): backup selections and restore tests, the
        load balancer and DR alarms, GuardDuty findings to people, cost-allocation tags and anomalies."""
        sec, db, storage, monitoring = self.security, self.database, self.storage, self.monitoring
        alerts = args.monitoring
        if (
            sec.backup_plan_id is not None
            and sec.backup_role_arn is not None
            and sec.backup_vault_arn is not None
            and sec.backup_vault_name is not None
        ):
            BackupCoverage(
                f"{name}-backup",
                args.security.backup.restore_testing,
                prefix=sec.prefix,
                plan_id=sec.backup_plan_id,
                role_arn=sec.backup_role_arn,
                vault_name=sec.backup_vault_name,
                vault_arn=sec.backup_vault_arn,
                resource_arns=[
                    db.cluster_arn,
                    *([storage.efs_file_system_arn] if storage.efs_file_system_arn is not None else []),
                    *storage.data_bucket_arns.values(),
                ],
                volume_tags=sec.backup_selection_tags,
                alert_topic_arn=monitoring.alert_topic_arn,
                database_arn=db.cluster_arn,
                database_subnet_group_name=self.network.db_subnet_group_name,
                database_security_group_ids=[db.security_group_id],
                efs_arn=storage.efs_file_system_arn,
                opts=on_aws,
            )
        if args.security.guardduty.enabled:
            SecurityFindings(
                f"{name}-findings",
                kms_key_arn=sec.logs_key_arn,
                emails=alerts.alert_emails,
                pager_endpoint=alerts.pager_endpoint,
                opts=on_aws,
            )
        budget = security_settings(args, pulumi.get_stack()).budget.cost_filter_tags
        if args.security.budget.enabled and budget:
            CostControls(
                f"{name}-cost",
                args.security.budget.anomaly,
                cost_tags=budget,
                alert_topic_arn=monitoring.alert_topic_arn,
                opts=pulumi.ResourceOptions.merge(
                    on_aws,
                    pulumi.ResourceOptions(providers={"aws": self.us_east_1_provider or self.aws_provider}),
                ),
            )
        if args.database.role == "standby" and not args.database.detached:
            # The global database's RPO lag is published by the standby, in this (the DR) region.
            rpo_lag_alarm(
                f"{name}-dr",
                cluster_identifier=db.cluster_identifier,
                rpo_minutes=args.dr.rpo_minutes,
                evaluation_periods=alerts.thresholds.evaluation_periods,
                topic_arn=monitoring.alert_topic_arn,
                opts=on_aws,
            )
        if any(service.ingress for service in args.workloads.services):
            create_edge_alarms(
                name,
                alerts.edge_thresholds,
                load_balancer_name=load_balancer_name(args.platform.name, pulumi.get_stack()),
                topic_arn=monitoring.alert_topic_arn,
                depends_on=[self.workloads],
                opts=on_aws,
            )

    def _paired_output(self, output: str) -> pulumi.Output[str]:
        """One output of the other stack of the DR pair (a contract name, components/contract.py)."""
        if self.paired_stack is None:
            raise ValueError(f"{output}: this stack has no DR pair (dr.role is none)")
        return pulumi.Output.from_input(self.paired_stack.require_output(output)).apply(str)

    def _dns_failover(self, name: str, args: PlatformArgs, on_aws: pulumi.ResourceOptions) -> DnsFailover:
        """This stack's half of the failover records of every public host, in the primary's zone."""
        dns = args.storage.dns
        domain = args.platform.domain
        if domain is None:
            raise ValueError("dr: failover records need platform.domain")
        hosts = [FailoverHost(f"{label}.{domain}", "regional") for label in dns.regional_hosts]
        if args.storage.cdn.enabled:
            hosts.append(FailoverHost(f"{dns.cdn_host}.{domain}", "cdn"))
        return DnsFailover(
            f"{name}-dns-failover",
            args.dr,
            hosts=hosts,
            zone_id=self.zone_id,
            load_balancer_name=load_balancer_name(args.platform.name, pulumi.get_stack()),
            edge=[self.workloads],
            cdn_domain_name=self.storage.cdn_domain_name,
            opts=on_aws,
        )

    def _aws_provider(self, logical_name: str, region: str, settings: PlatformSettings) -> aws.Provider:
        """An explicit AWS provider for ``region`` carrying the platform's default tags."""
        return aws.Provider(
            logical_name,
            region=region,
            default_tags={"tags": settings.default_tags()},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def stack_outputs(self) -> dict[str, pulumi.Input[object]]:
        """The outputs every stack exports: the contract other stacks read with ``StackReference``."""
        net = self.network
        return {
            "vpcId": net.vpc_id,
            "vpcCidr": net.vpc_cidr,
            "availabilityZones": net.availability_zones,
            "publicSubnetIds": net.public_subnet_ids,
            "publicSubnetCidrs": net.subnet_cidrs["public"],
            "privateSubnetIds": net.private_subnet_ids,
            "databaseSubnetIds": net.database_subnet_ids,
            "databaseSubnetCidrs": net.subnet_cidrs["database"],
            "dbSubnetGroupName": net.db_subnet_group_name,
            "cacheSubnetGroupName": net.cache_subnet_group_name,
            **({"drVpcId": self.dr_network.vpc_id} if self.dr_network is not None else {}),
            **self._dns_outputs(),
            **self._security_outputs(),
            **self._cluster_outputs(),
            **self._data_outputs(),
            **self._storage_outputs(),
            "alertTopicArn": self.monitoring.alert_topic_arn,
            "dashboardName": self.monitoring.dashboard_name,
            "grafanaServiceName": self.monitoring.grafana_service_name,
            "appNamespace": self.workloads.namespace,
            "ingressHosts": self.workloads.ingress_hosts,
            "loadBalancerName": self.workloads.load_balancer_name,
            **self.access.outputs(),
        }

    def _dns_outputs(self) -> dict[str, pulumi.Input[object]]:
        """The zone's id and, for a zone this stack created, the name servers the parent must delegate to."""
        zone = self.dns_zone
        outputs: dict[str, pulumi.Input[object]] = {"dnsZoneId": self.zone_id}
        if zone is not None and zone.name_servers is not None:
            outputs["dnsZoneNameServers"] = zone.name_servers
        if self.dns_failover is not None and self.dns_failover.health_check_ids:
            outputs["failoverHealthCheckIds"] = self.dns_failover.health_check_ids
        return outputs

    def _data_outputs(self) -> dict[str, pulumi.Input[object]]:
        """Endpoints and the ARNs of the secrets holding credentials; never a credential itself."""
        db, cache = self.database, self.cache
        return {
            "databaseWriterEndpoint": db.writer_endpoint,
            "databaseReaderEndpoint": db.reader_endpoint,
            **({"databaseGlobalClusterId": db.global_cluster_id} if db.global_cluster_id is not None else {}),
            "databasePort": db.port,
            "databaseName": db.database_name,
            "databaseMasterSecretArn": self.database_master_secret_arn,
            "cachePrimaryEndpoint": cache.primary_endpoint,
            "cacheReaderEndpoint": cache.reader_endpoint,
            "cachePort": cache.port,
            "cacheAuthSecretArn": cache.auth_secret_arn,
        }

    def _storage_outputs(self) -> dict[str, pulumi.Input[object]]:
        storage = self.storage
        outputs: dict[str, pulumi.Input[object]] = {
            "bucketNames": storage.bucket_names,
            "certificateArns": storage.certificate_arns,
        }
        if storage.efs_file_system_id is not None:
            outputs["efsFileSystemId"] = storage.efs_file_system_id
            outputs["efsAccessPointId"] = storage.efs_access_point_id
        if storage.cdn_domain_name is not None:
            outputs["cdnDomainName"] = storage.cdn_domain_name
        return outputs

    def _cluster_outputs(self) -> dict[str, pulumi.Input[object]]:
        cluster = self.cluster
        return {
            "clusterName": cluster.cluster_name,
            "clusterEndpoint": cluster.endpoint,
            "clusterCertificateAuthority": cluster.certificate_authority_data,
            "clusterOidcProviderArn": cluster.oidc_provider_arn,
            "clusterOidcProviderUrl": cluster.oidc_provider_url,
            "clusterSecurityGroupId": cluster.cluster_security_group_id,
            "nodeSecurityGroupId": cluster.node_security_group_id,
            "nodeRoleArn": cluster.node_role_arn,
            "kubernetesVersion": cluster.kubernetes_version,
            "kubeconfig": pulumi.Output.secret(cluster.kubeconfig),
        }

    def _security_outputs(self) -> dict[str, pulumi.Input[object]]:
        sec = self.security
        outputs: dict[str, pulumi.Input[object]] = {
            "regionalWebAclArn": sec.regional_web_acl_arn,
            "kmsKeyArns": {
                "data": sec.data_key_arn,
                "logs": sec.logs_key_arn,
                "secrets": sec.secrets_key_arn,
            },
            "ecrRepositoryUrls": sec.ecr_repository_urls,
            "appSecretArns": sec.app_secret_arns,
        }
        if sec.cloudfront_web_acl_arn is not None:
            outputs["cloudfrontWebAclArn"] = sec.cloudfront_web_acl_arn
        if sec.dr_data_key_arn is not None:
            outputs["drDataKeyArn"] = sec.dr_data_key_arn
        if sec.backup_vault_name is not None:
            outputs["backupVaultName"] = sec.backup_vault_name
            outputs["backupVaultArn"] = sec.backup_vault_arn
        return outputs


def security_settings(args: PlatformArgs, stack: str) -> SecurityArgs:
    """The security settings with what derives from the platform filled in: the alias prefix
    (``<platform.name>-<stack>``, unique per stack so two stacks share an account), the budget's
    cost-allocation filter (``CostCenter``) and the domain the WAF's per-path limits match hosts in."""
    security = args.security
    budget = security.budget
    if not budget.cost_filter_tags:
        budget = budget.model_copy(update={"cost_filter_tags": {"CostCenter": args.platform.cost_center}})
    return security.model_copy(
        update={
            "alias_prefix": security.alias_prefix or derive_prefix(args.platform.name, stack),
            "budget": budget,
            "waf": security.waf.model_copy(update={"domain": security.waf.domain or args.dns.domain}),
        }
    )
