"""The platform's Pulumi components: one ``ComponentResource`` per file; none reads ``pulumi.Config``.

This is the public API other stacks build on (installed as ``quantumvest_infra.components``; see
docs/reuse.md). Each component takes its settings model and explicit wiring:

=================  ===================  ==========================================================
component          settings             outputs (public attributes)
=================  ===================  ==========================================================
``Platform``       ``PlatformArgs``     every area below, wired; ``stack_outputs()``
``DnsZone``        ``DnsZoneArgs``      zone_id, name_servers (None for an adopted zone)
``Network``        ``NetworkArgs``      vpc_id, vpc_cidr, availability_zones, public/private/
                                        database_subnet_ids, db/cache_subnet_group_name,
                                        nat_gateway_ids, nat_instance_ids, subnet_cidrs (plain)
``Security``       ``SecurityArgs``     data/logs/secrets_key_arn, dr_data_key_arn,
                                        regional/cloudfront_web_acl_arn, ecr_repository_urls,
                                        app_secret_arns, backup_vault_name, trail_bucket_name
``Cluster``        ``ClusterArgs``      cluster_name, endpoint, oidc_provider_arn/url,
                                        node_role_arn, node_security_group_id,
                                        cluster_security_group_id, kubeconfig (secret),
                                        k8s_provider, kubernetes_version (plain)
``ClusterServices``  ``ClusterServicesArgs``  gateway-class/secret-store/storage-class names (plain)
``Database``       ``DatabaseArgs``     writer_endpoint, reader_endpoint, port, database_name,
                                        master_secret_arn, cluster_identifier, cluster_arn,
                                        instance_ids, global_cluster_id
``Cache``          ``CacheArgs``        primary_endpoint, reader_endpoint, port, auth_secret_arn,
                                        replication_group_id, member_cluster_ids
``Storage``        ``StorageArgs``      bucket_names, bucket_arns, efs_file_system_id,
                                        efs_access_point_id, cdn_domain_name, certificate_arns,
                                        log_bucket_name, alb_log_prefix (plain)
``Monitoring``     ``MonitoringArgs``   alert_topic_arn, warning_topic_arn, dashboard_name,
                                        grafana_service_name, log_group_names
``Workloads``      ``WorkloadsArgs``    namespace, ingress_hosts, load_balancer_name,
                                        service_role_arns
=================  ===================  ==========================================================

Example (a team's stack deploying one service into the platform's cluster)::

    from quantumvest_infra.components import Workloads, WorkloadsArgs
    workloads = Workloads("team-a", WorkloadsArgs(namespace="team-a", services=[...]),
                          k8s_provider=provider, oidc_provider_arn=..., ...)

Names resolve lazily, so importing one component does not import them all.
"""

from __future__ import annotations

import importlib
from typing import Any

#: The public API: name → module that defines it.
PUBLIC_API: dict[str, str] = {
    "Platform": "platform",
    "PlatformArgs": "platform",
    "PlatformSettings": "platform",
    "Network": "network",
    "NetworkArgs": "network",
    "Security": "security",
    "SecurityArgs": "security",
    "Cluster": "cluster",
    "ClusterArgs": "cluster",
    "NodeGroupArgs": "cluster",
    "ClusterServices": "cluster_services",
    "ClusterServicesArgs": "cluster_services",
    "Database": "database",
    "DatabaseArgs": "database",
    "Cache": "cache",
    "CacheArgs": "cache",
    "Storage": "storage",
    "StorageArgs": "storage",
    "DnsZone": "dns_zone",
    "DnsZoneArgs": "dns_zone",
    "Monitoring": "monitoring",
    "MonitoringArgs": "monitoring",
    "Workloads": "workloads",
    "WorkloadsArgs": "workloads",
    "ServiceArgs": "k8s_service",
    "load_balancer_name": "alb_name",
    "irsa_role": "irsa",
    "STACK_OUTPUTS": "contract",
    "validate": "validation",
    "SettingsError": "validation",
}

__all__ = sorted(PUBLIC_API)  # pyright: ignore[reportUnsupportedDunderAll]  (lazy names: PUBLIC_API is the list)


def __getattr__(name: str) -> Any:
    if name not in PUBLIC_API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{PUBLIC_API[name]}", __name__), name)
