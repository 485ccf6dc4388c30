"""Deploy the reports service into the platform's cluster with the platform's own ``Workloads``.

Everything about the platform comes from its stack outputs (the contract in the platform's README):
the kubeconfig (a secret), the OIDC provider for IRSA, the database subnets for the egress policy,
the database and cache endpoints and the ARNs of their secrets, the WAF ACL and the secrets key, the
public subnets (where its own ALB's nodes are) and the log bucket. The team's Gateway uses the
platform's GatewayClass ``alb`` and becomes the team's own internet-facing ALB.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from quantumvest_infra.components import Workloads, WorkloadsArgs, load_balancer_name

SERVICE = {
    "name": "reports",
    "image": {"repository": "ghcr.io/quantumvest/reports"},
    "port": 8080,
    "replicas": 2,
    "resources": {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    },
    "liveness": {"path": "/health"},
    "readiness": {"path": "/ready"},
    "secret_env": {"DATABASE_URL": "database-url"},
    "data_access": ["postgres"],
    "ingress": [{"host": "reports", "path": "/", "rate_limit_rps": 20}],
    "autoscaling": {"min_replicas": 2, "max_replicas": 4},
}


def workloads_args(image_tag: str) -> WorkloadsArgs:
    """The team's namespace with its one service and its own logical database."""
    return WorkloadsArgs.model_validate_json(
        json.dumps(
            {
                "namespace": "team-reports",
                "domain": "dev.quantumvest.com",
                "image_tag": image_tag,
                "services": [SERVICE],
                "database_bootstrap": {"databases": ["reporting_team"], "app_database": "reporting_team"},
            }
        )
    )


def deploy(platform_stack: str, *, image_tag: str, region: str) -> Workloads:
    platform = pulumi.StackReference("platform", stack_name=platform_stack)
    out = platform.require_output
    aws_provider = aws.Provider("aws", region=region)
    cluster = k8s.Provider("platform-cluster", kubeconfig=out("kubeconfig"), enable_server_side_apply=True)
    return Workloads(
        "reports",
        workloads_args(image_tag),
        k8s_provider=cluster,
        oidc_provider_arn=out("clusterOidcProviderArn"),
        oidc_provider_url=out("clusterOidcProviderUrl"),
        database_subnet_cidrs=out("databaseSubnetCidrs"),
        db_endpoint=out("databaseWriterEndpoint"),
        db_port=out("databasePort"),
        db_master_secret_arn=out("databaseMasterSecretArn"),
        cache_endpoint=out("cachePrimaryEndpoint"),
        cache_port=out("cachePort"),
        cache_auth_secret_arn=out("cacheAuthSecretArn"),
        cache_auth_secret_property="auth_token",
        regional_web_acl_arn=out("regionalWebAclArn"),
        # No certificate ARNs: the ALB controller discovers the ACM certificate for reports.<domain>.
        load_balancer_name=load_balancer_name("reports", pulumi.get_stack()),
        load_balancer_cidrs=out("publicSubnetCidrs"),
        # The ALB's access logs go to the platform's log bucket (roles are the contract's bucketNames keys).
        access_logs_bucket=out("bucketNames").apply(lambda buckets: buckets["logs"]),
        secrets_kms_key_arn=out("kmsKeyArns").apply(lambda keys: keys["secrets"]),
        opts=pulumi.ResourceOptions(providers={"aws": aws_provider, "kubernetes": cluster}),
    )
