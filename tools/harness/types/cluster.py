"""EKS outputs consumers read: the endpoint and CA (kubeconfig), the OIDC issuer (IRSA), the cluster
security group (launch templates, data-store rules), node group and add-on identifiers.

Shapes follow the EKS API (DescribeCluster, DescribeNodegroup) as the provider surfaces them.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tools.harness.invokes import ACCOUNT_ID

Outputs = dict[str, Any]


def _hex(seed: str, length: int = 32) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length].upper()


def _cluster(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    cluster_id = _hex(seed)
    cluster_name = inputs.get("name") or name
    vpc_config = dict(inputs.get("vpcConfig") or {})
    vpc_config.update({"clusterSecurityGroupId": f"sg-{seed[:17]}", "vpcId": f"vpc-{seed[:17]}"})
    ca_pem = f"-----BEGIN CERTIFICATE-----\nOFFLINE{seed}\n-----END CERTIFICATE-----\n"
    return {
        "name": cluster_name,
        "arn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:cluster/{cluster_name}",
        "endpoint": f"https://{cluster_id}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthority": {"data": base64.b64encode(ca_pem.encode()).decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{cluster_id}"}]}],
        "vpcConfig": vpc_config,
        "platformVersion": "eks.1",
        "status": "ACTIVE",
        "clusterId": seed,
        "createdAt": "2026-08-08T00:00:00Z",
    }


def _oidc_provider(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    url = str(inputs.get("url", "")).removeprefix("https://")
    return {"arn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{url}", "url": url}


def _node_group(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    group = inputs.get("nodeGroupName") or f"{name}-{seed[:7]}"
    cluster = inputs.get("clusterName", "cluster")
    return {
        "nodeGroupName": group,
        "arn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:nodegroup/{cluster}/{group}/{seed}",
        "status": "ACTIVE",
        "resources": [
            {"autoscalingGroups": [{"name": f"eks-{group}-{seed}"}], "remoteAccessSecurityGroupId": ""}
        ],
    }


def _addon(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    cluster, addon = inputs.get("clusterName", "cluster"), inputs.get("addonName", name)
    return {"arn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:addon/{cluster}/{addon}/{seed}"}


def _access_entry(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    cluster = inputs.get("clusterName", "cluster")
    return {"accessEntryArn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:access-entry/{cluster}/role/{seed}"}


def _launch_template(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    return {"latestVersion": 1, "defaultVersion": 1, "name": inputs.get("name") or f"{name}-{seed[:7]}"}


EXTRA_OUTPUTS = {
    "aws:eks/cluster:Cluster": _cluster,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:eks/addon:Addon": _addon,
    "aws:eks/accessEntry:AccessEntry": _access_entry,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
}

NAME_IS_ID = {"aws:eks/cluster:Cluster"}
