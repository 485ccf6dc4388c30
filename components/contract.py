"""The stack-output contract: every output a stack exports, its type, whether it is secret, and when
it is present. Other stacks read these names with ``StackReference``; a rename here is a breaking
change (say so in CHANGELOG.md). ``tests/test_contract.py`` holds every stack to it, and docs/reuse.md's
table is generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutputSpec:
    type: type
    description: str
    secret: bool = False
    when: str | None = None  # present only under this condition (None: always)


STACK_OUTPUTS: dict[str, OutputSpec] = {
    # network
    "vpcId": OutputSpec(str, "VPC id"),
    "vpcCidr": OutputSpec(str, "VPC CIDR block"),
    "availabilityZones": OutputSpec(list, "AZ names the subnets use"),
    "publicSubnetIds": OutputSpec(list, "public subnet ids, one per AZ"),
    "publicSubnetCidrs": OutputSpec(
        list, "public subnet CIDRs: where the ALB's nodes are (network policies)"
    ),
    "privateSubnetIds": OutputSpec(list, "private (application) subnet ids, one per AZ"),
    "databaseSubnetIds": OutputSpec(list, "database subnet ids, one per AZ"),
    "databaseSubnetCidrs": OutputSpec(list, "database subnet CIDRs (for network policies)"),
    "dbSubnetGroupName": OutputSpec(str, "RDS subnet group over the database subnets"),
    "cacheSubnetGroupName": OutputSpec(str, "ElastiCache subnet group over the database subnets"),
    "drVpcId": OutputSpec(
        str, "VPC of the DR region (its private network for DR)", when="platform.dr_region"
    ),
    # DNS
    "dnsZoneId": OutputSpec(str, "Route 53 public hosted zone of platform.domain (created or adopted)"),
    "dnsZoneNameServers": OutputSpec(
        list, "name servers to delegate platform.domain to (docs/edge.md: delegation)", when="dns.created"
    ),
    "failoverHealthCheckIds": OutputSpec(
        dict,
        "Route 53 health check id per public host (the PRIMARY failover records')",
        when="dr.is_primary",
    ),
    # security
    "regionalWebAclArn": OutputSpec(str, "WAF web ACL for the public ALB"),
    "cloudfrontWebAclArn": OutputSpec(str, "WAF web ACL for CloudFront", when="storage.cdn.enabled"),
    "kmsKeyArns": OutputSpec(dict, "KMS key ARNs by data class: data, logs, secrets"),
    "drDataKeyArn": OutputSpec(str, "data key in the DR region", when="platform.dr_region"),
    "ecrRepositoryUrls": OutputSpec(dict, "ECR repository URL per service"),
    "appSecretArns": OutputSpec(dict, "Secrets Manager ARN per service with app secrets"),
    "backupVaultName": OutputSpec(str, "AWS Backup vault", when="security.backup.enabled"),
    "backupVaultArn": OutputSpec(
        str,
        "AWS Backup vault ARN (a DR primary copies its backups to its standby's)",
        when="security.backup.enabled",
    ),
    # cluster
    "clusterName": OutputSpec(str, "EKS cluster name"),
    "clusterEndpoint": OutputSpec(str, "EKS API endpoint"),
    "clusterCertificateAuthority": OutputSpec(str, "cluster CA (base64)"),
    "clusterOidcProviderArn": OutputSpec(str, "IAM OIDC provider ARN (IRSA trust)"),
    "clusterOidcProviderUrl": OutputSpec(str, "OIDC issuer without https:// (IRSA conditions)"),
    "clusterSecurityGroupId": OutputSpec(str, "security group EKS attaches to the control plane"),
    "nodeSecurityGroupId": OutputSpec(str, "security group of the nodes (the data tier's only client)"),
    "nodeRoleArn": OutputSpec(str, "IAM role of the managed node groups"),
    "kubernetesVersion": OutputSpec(str, "Kubernetes minor version"),
    "kubeconfig": OutputSpec(str, "kubeconfig (JSON; token via `aws eks get-token`)", secret=True),
    # data tier: endpoints and the ARNs of the secrets holding credentials, never a credential
    "databaseWriterEndpoint": OutputSpec(
        str, "Aurora cluster (writer) endpoint: follows the writer on failover"
    ),
    "databaseReaderEndpoint": OutputSpec(str, "Aurora reader endpoint: balances over the readers"),
    "databaseGlobalClusterId": OutputSpec(
        str, "Aurora global database the DR stack's standby joins", when="database.global_database"
    ),
    "databasePort": OutputSpec(int, "PostgreSQL port"),
    "databaseName": OutputSpec(str, "initial database name"),
    "databaseMasterSecretArn": OutputSpec(str, "ARN of the RDS-managed master secret"),
    "cachePrimaryEndpoint": OutputSpec(str, "Redis primary endpoint"),
    "cacheReaderEndpoint": OutputSpec(str, "Redis reader endpoint"),
    "cachePort": OutputSpec(int, "Redis port"),
    "cacheAuthSecretArn": OutputSpec(str, "ARN of the secret holding the Redis AUTH token"),
    # storage
    "bucketNames": OutputSpec(dict, "bucket name per role (assets, backups, logs, model-artifacts)"),
    "certificateArns": OutputSpec(dict, "validated ACM certificate ARN per public host (api, www, assets)"),
    "efsFileSystemId": OutputSpec(str, "EFS file system", when="storage.efs.enabled"),
    "efsAccessPointId": OutputSpec(str, "EFS access point", when="storage.efs.enabled"),
    "cdnDomainName": OutputSpec(str, "CloudFront domain", when="storage.cdn.enabled"),
    # monitoring and workloads
    "alertTopicArn": OutputSpec(str, "SNS topic for critical alerts"),
    "dashboardName": OutputSpec(str, "CloudWatch dashboard"),
    "grafanaServiceName": OutputSpec(str, "Grafana's Kubernetes Service"),
    "appNamespace": OutputSpec(str, "namespace of the platform's services"),
    "ingressHosts": OutputSpec(list, "public hosts the Gateway routes"),
    "loadBalancerName": OutputSpec(str, "name of the public ALB the Gateway provisions (alarms, logs)"),
    # access to the private API
    "ciRunnerProject": OutputSpec(
        str, "CodeBuild runner project (`runs-on: codebuild-<it>-…`)", when="ci_runner.enabled"
    ),
    "adminVpnEndpointId": OutputSpec(str, "Client VPN endpoint for administrators", when="admin_vpn.enabled"),
    "adminRoleArns": OutputSpec(dict, "MFA-only admin role ARN per key", when="admin_roles.enabled"),
}


def markdown_table() -> str:
    """The contract as docs/reuse.md's table."""
    rows = ["| output | type | secret | present | what it is |", "|---|---|---|---|---|"]
    for name, spec in STACK_OUTPUTS.items():
        rows.append(
            f"| `{name}` | {spec.type.__name__} | {'yes' if spec.secret else 'no'} | "
            f"{'when `' + spec.when + '`' if spec.when else 'always'} | {spec.description} |"
        )
    return "\n".join(rows)
