"""Who reaches the private EKS API: builds the CI runner, the admin VPN and the MFA-only roles for the
Platform, and hands the Cluster what it admits (security groups on 443) and whom (access entries).

Not a component of its own: the three components are children of the Platform like every other area;
this module only keeps their wiring out of ``platform.py``.
"""

from __future__ import annotations

import pulumi

from .admin_roles import AdminRoles, AdminRolesArgs
from .admin_vpn import AdminVpn, AdminVpnArgs
from .ci_runner import CiRunner, CiRunnerArgs
from .network import Network
from .security import Security, derive_prefix

#: EKS access policy of each pipeline role: deploys change everything; previews and drift checks read.
PIPELINE_ACCESS = {"deploy": "AmazonEKSClusterAdminPolicy", "preview": "AmazonEKSViewPolicy"}


def pipeline_names(platform_name: str, stack: str) -> dict[str, str]:
    """The physical names the bootstrap and the platform agree on for one stack (unique per stack):
    the runner's CodeBuild project and the deploy and preview roles."""
    prefix = derive_prefix(platform_name, stack)
    return {"project": f"{prefix}-runner", "deploy": f"{prefix}-deploy", "preview": f"{prefix}-preview"}


class PlatformAccess:
    """The runner (every tier), the VPN (by config) and the admin roles (by config) of one stack."""

    runner: CiRunner | None
    vpn: AdminVpn | None
    admin_roles: AdminRoles | None

    def __init__(
        self,
        name: str,
        stack: str,
        *,
        ci_runner: CiRunnerArgs,
        admin_vpn: AdminVpnArgs,
        admin_roles: AdminRolesArgs,
        domain: str | None,
        vpc_cidr: str,
        network: Network,
        private_subnet_ids: list[pulumi.Output[str]],
        security: Security,
        opts: pulumi.ResourceOptions,
    ) -> None:
        """``name`` is ``platform.name``: the prefix of the components' logical names and of the
        per-stack physical names (:func:`pipeline_names`)."""
        names = pipeline_names(name, stack)
        #: client → security group admitted to the API endpoint on 443.
        self.api_clients: dict[str, pulumi.Input[str]] = {}
        #: key → (role ARN, EKS access policy) for access entries.
        self.role_access: dict[str, tuple[pulumi.Input[str], str]] = {}

        self.runner = None
        if ci_runner.enabled:
            runner_args = ci_runner
            self.runner = CiRunner(
                f"{name}-ci-runner",
                runner_args,
                project_name=runner_args.project_name or names["project"],
                deploy_role=runner_args.deploy_role or names["deploy"],
                preview_role=runner_args.preview_role or names["preview"],
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids,
                logs_kms_key_arn=security.logs_key_arn,
                opts=opts,
            )
            self.api_clients["ci-runner"] = self.runner.security_group_id
            self.role_access["pipeline-deploy"] = (self.runner.deploy_role_arn, PIPELINE_ACCESS["deploy"])
            self.role_access["pipeline-preview"] = (self.runner.preview_role_arn, PIPELINE_ACCESS["preview"])

        self.vpn = None
        if admin_vpn.enabled:
            self.vpn = AdminVpn(
                f"{name}-admin-vpn",
                admin_vpn,
                vpc_id=network.vpc_id,
                vpc_cidr=vpc_cidr,
                private_subnet_ids=private_subnet_ids,
                private_subnet_cidrs=network.subnet_cidrs["private"],
                logs_kms_key_arn=security.logs_key_arn,
                default_certificate_domain=domain,
                opts=opts,
            )
            self.api_clients["admin-vpn"] = self.vpn.security_group_id

        self.admin_roles = None
        if admin_roles.enabled:
            self.admin_roles = AdminRoles(f"{name}-admin-roles", admin_roles, opts=opts)
            for key, grant in self.admin_roles.access.items():
                self.role_access[f"mfa-{key}"] = grant

    def outputs(self) -> dict[str, pulumi.Input[object]]:
        """Stack outputs: the runner's project (what `runs-on` names) and the VPN endpoint (what an
        administrator downloads the client configuration of)."""
        outputs: dict[str, pulumi.Input[object]] = {}
        if self.runner is not None:
            outputs["ciRunnerProject"] = self.runner.project_name
        if self.vpn is not None:
            outputs["adminVpnEndpointId"] = self.vpn.endpoint_id
        if self.admin_roles is not None:
            outputs["adminRoleArns"] = {key: arn for key, (arn, _) in self.admin_roles.access.items()}
        return outputs
