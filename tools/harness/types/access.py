"""Outputs of the ways into the private API: the CodeBuild runner project (ARN, its name) and the Client
VPN endpoint (``cvpn-endpoint-`` ids, the DNS name clients connect to), shaped as the provider returns
them (CodeBuild BatchGetProjects, EC2 DescribeClientVpnEndpoints)."""

from __future__ import annotations

from typing import Any

from tools.harness.invokes import ACCOUNT_ID

Outputs = dict[str, Any]


def _project(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    project = inputs.get("name") or name
    return {"name": project, "arn": f"arn:aws:codebuild:{region}:{ACCOUNT_ID}:project/{project}"}


def _endpoint(name: str, inputs: Outputs, region: str, seed: str) -> Outputs:
    endpoint_id = f"cvpn-endpoint-{seed[:17]}"
    return {
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:client-vpn-endpoint/{endpoint_id}",
        "dnsName": f"*.{endpoint_id}.prod.clientvpn.{region}.amazonaws.com",
    }


EXTRA_OUTPUTS = {
    "aws:codebuild/project:Project": _project,
    "aws:ec2clientvpn/endpoint:Endpoint": _endpoint,
}
ID_PREFIX = {"aws:ec2clientvpn/endpoint:Endpoint": "cvpn-endpoint-"}
