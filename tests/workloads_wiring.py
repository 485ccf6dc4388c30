"""Build ``Workloads`` alone for a stack, with its loaded config and fake (realistic) wiring.

Until the cluster, data, storage and security components are wired into ``Platform``, these stand in
for their outputs. Each stack's graph is built once per test session.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.workloads import Workloads
from config import StackConfig, load_stack_file
from tests.helpers import REPO
from tools.harness import Graph, run

#: The cluster version manifests are validated against (the cluster component's default, EKS standard support).
KUBERNETES_VERSION = "1.33"

ACCOUNT = "123456789012"
OIDC_URL = "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
DB_MASTER_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:rds!db-0123456789abcdef-AbCdEf"
CACHE_AUTH_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:quantumvest-cache-auth-AbCdEf"
BACKEND_APP_SECRET = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:quantumvest-backend-AbCdEf"
WEB_ACL = f"arn:aws:wafv2:us-east-1:{ACCOUNT}:regional/webacl/quantumvest/0123abcd"
CERTIFICATES = [
    f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/0123abcd-0000-0000-0000-00000000000{i}" for i in (1, 2)
]
DATA_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/data-0000"
SECRETS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/secrets-0000"
DB_ENDPOINT = "quantumvest-db.c0example.us-east-1.rds.amazonaws.com:5432"
DB_HOST = "quantumvest-db.c0example.us-east-1.rds.amazonaws.com"
CACHE_ENDPOINT = "master.quantumvest-cache.abc123.use1.cache.amazonaws.com"
BUCKETS = {
    "assets": "quantumvest-assets-0a1b2c",
    "backups": "quantumvest-backups-0a1b2c",
    "logs": "quantumvest-logs-0a1b2c",
    "model-artifacts": "quantumvest-model-artifacts-0a1b2c",
}
ECR = {
    s: f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/quantumvest/{s}"
    for s in ("backend", "frontend", "model-serving")
}


def settings(stack: str) -> StackConfig:
    """The stack file's settings, as the program loads them."""
    return load_stack_file(REPO / f"Pulumi.{stack}.yaml")


def database_cidrs(stack: str) -> list[str]:
    """The database subnets ``Network`` derives for the stack (``Network.subnet_cidrs['database']``)."""
    return [str(c) for c in settings(stack).network.subnet_layout()["database"]]


def public_cidrs(stack: str) -> list[str]:
    """The public subnets ``Network`` derives for the stack: where the internet-facing ALB's nodes live."""
    return [str(c) for c in settings(stack).network.subnet_layout()["public"]]


def wiring(stack: str, **overrides: Any) -> dict[str, Any]:
    """The keyword arguments ``Platform`` will pass, with realistic values."""
    kwargs: dict[str, Any] = {
        "oidc_provider_arn": OIDC_ARN,
        "oidc_provider_url": OIDC_URL,
        "database_subnet_cidrs": database_cidrs(stack),
        "db_endpoint": DB_ENDPOINT,
        "db_master_secret_arn": DB_MASTER_SECRET,
        "cache_endpoint": CACHE_ENDPOINT,
        "cache_auth_secret_arn": CACHE_AUTH_SECRET,
        "regional_web_acl_arn": WEB_ACL,
        "certificate_arns": CERTIFICATES,
        "load_balancer_name": f"quantumvest-{stack}",
        "load_balancer_cidrs": public_cidrs(stack),
        "access_logs_bucket": BUCKETS["logs"],
        "bucket_names": BUCKETS,
        "bucket_kms_key_arn": DATA_KEY,
        "ecr_repository_urls": ECR,
        "app_secret_arns": {"backend": BACKEND_APP_SECRET},
        "secrets_kms_key_arn": SECRETS_KEY,
        "efs_file_system_id": "fs-0123456789abcdef0",
        "efs_access_point_id": "fsap-0123456789abcdef0",
        "kubernetes_version": KUBERNETES_VERSION,
    }
    kwargs.update(overrides)
    return kwargs


def build(stack: str, args: Any = None, **overrides: Any) -> Graph:
    """``Workloads`` for ``stack`` (its stack file's settings unless ``args`` is given) under the mocks."""
    workloads_args = args if args is not None else settings(stack).workloads

    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        workloads = Workloads(
            "workloads", workloads_args, k8s_provider=provider, **wiring(stack, **overrides)
        )
        pulumi.export("namespace", workloads.namespace)
        pulumi.export("loadBalancerName", workloads.load_balancer_name)
        pulumi.export("serviceRoleArns", workloads.service_role_arns)
        pulumi.export("ingressHosts", workloads.ingress_hosts)
        pulumi.export("appDbCredentialsSecretArn", workloads.app_db_credentials_secret_arn)

    return run(program, stack=stack)


_GRAPHS: dict[str, Graph] = {}


def workloads_graph(stack: str) -> Graph:
    """The stack's ``Workloads`` graph, built on first use and cached for the session."""
    if stack not in _GRAPHS:
        _GRAPHS[stack] = build(stack)
    return _GRAPHS[stack]
