"""The kubeconfig for an EKS cluster: no static credentials, a short-lived token from ``aws eks get-token``.

Pure functions (no Pulumi), so the document's shape is unit-tested; the Cluster component marks the
result secret because it names the endpoint and CA of a production control plane.
"""

from __future__ import annotations

import json

#: The client-authentication API ``aws eks get-token`` emits (AWS CLI v2 and v1.24+).
EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1"


def kubeconfig(
    cluster_name: str,
    endpoint: str,
    certificate_authority_data: str,
    region: str,
    role_arn: str | None = None,
) -> str:
    """A kubeconfig (JSON, which is valid YAML) whose user runs ``aws eks get-token`` for every request.

    ``role_arn``, when given, makes the CLI assume that role first (``--role-arn``), so a deployer
    whose own identity has no access entry can still reach the cluster.
    """
    args = ["--region", region, "eks", "get-token", "--cluster-name", cluster_name, "--output", "json"]
    if role_arn:
        args += ["--role-arn", role_arn]
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority_data},
            }
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "current-context": cluster_name,
        "preferences": {},
        "users": [
            {
                "name": cluster_name,
                "user": {
                    "exec": {
                        "apiVersion": EXEC_API_VERSION,
                        "command": "aws",
                        "args": args,
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
    }
    return json.dumps(document, indent=2)
