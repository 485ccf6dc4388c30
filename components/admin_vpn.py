"""The administrators' way into the VPC: an AWS Client VPN endpoint behind IAM Identity Center (SAML).

Why SAML rather than mutual TLS (docs/decisions/admin-access-path.md): Identity Center enforces MFA
at sign-in (seed 000 asks for MFA on administrative access), a person is switched off in one place,
and every connection log line names a user; mutual TLS would mean a client certificate and private key
per administrator, distributed and revoked by hand, with no second factor. The endpoint still needs a
*server* certificate: it is an ACM certificate (issued or imported outside Pulumi by the bootstrap),
looked up by its domain or given by ARN, so no private key or certificate body ever passes through
config, state or outputs.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator, model_validator

from .args import Args, Cidr, FieldProblem, RetentionDays

_SAML_PROVIDER = re.compile(
    r"^(arn:aws[a-z-]*:iam::\d{12}:saml-provider/[\w+=,.@-]{1,128}|[\w+=,.@-]{1,128})$"
)
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class AdminVpnArgs(Args):
    """Client VPN for administrators. Off by default (dev is reached through the runner and, when
    needed, a VPN turned on for the day); on in staging and prod by tier profile."""

    enabled: bool = Field(default=False, description="Create the Client VPN endpoint.")
    saml_provider: str | None = Field(
        default=None,
        description="The IAM SAML identity provider of the Identity Center 'Client VPN' application "
        "(ARN, or name in this account). Required when enabled.",
    )
    server_certificate_arn: str | None = Field(
        default=None,
        description="ACM ARN of the endpoint's server certificate. Unset: the ISSUED certificate for "
        "server_certificate_domain is looked up.",
    )
    server_certificate_domain: str | None = Field(
        default=None,
        description="Domain of the ACM server certificate to look up; default `vpn.<platform.domain>`.",
    )
    client_cidr: Cidr = Field(
        default_factory=lambda: ipaddress.IPv4Network("10.250.0.0/22"),
        description="Addresses handed to VPN clients: /12 to /22, outside the VPC's CIDR (AWS limits).",
    )
    access_group_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=255,
        description="Identity Center group whose members may reach the private subnets; unset: every user "
        "assigned to the Client VPN application (the assignment is then the allow-list).",
    )
    associated_subnets: int = Field(
        default=1,
        ge=1,
        le=3,
        description="Private subnets the endpoint is associated with (one per AZ, billed per association-hour); "
        "two survive an AZ outage.",
    )
    session_timeout_hours: Literal[8, 10, 12, 24] = Field(
        default=8, description="Re-authentication (and MFA) at least every working day."
    )
    log_retention_days: RetentionDays = Field(
        default=365, description="Connection logs are access records: a year by default."
    )

    @field_validator("saml_provider")
    @classmethod
    def _check_saml(cls, value: str | None) -> str | None:
        if value is not None and not _SAML_PROVIDER.match(value):
            raise ValueError(
                "allowed: an IAM SAML provider ARN (arn:aws:iam::123456789012:saml-provider/name) or name"
            )
        return value

    @field_validator("server_certificate_arn")
    @classmethod
    def _check_certificate(cls, value: str | None) -> str | None:
        if value is not None and not _ACM_ARN.match(value):
            raise ValueError(
                "allowed: an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<uuid>)"
            )
        return value

    @field_validator("server_certificate_domain")
    @classmethod
    def _check_domain(cls, value: str | None) -> str | None:
        if value is not None and not _DOMAIN.match(value):
            raise ValueError("allowed: a lowercase DNS name such as vpn.quantumvest.com")
        return value

    @field_validator("client_cidr")
    @classmethod
    def _check_cidr(cls, cidr: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        if not 12 <= cidr.prefixlen <= 22 or not cidr.is_private:
            raise ValueError(
                "allowed: a private block from /12 to /22 (Client VPN's limits), e.g. 10.250.0.0/22"
            )
        return cidr

    @model_validator(mode="after")
    def _check_enabled(self) -> AdminVpnArgs:
        if self.enabled and self.saml_provider is None:
            raise FieldProblem(
                "saml_provider",
                None,
                "required when the VPN is enabled: the IAM SAML provider of the Identity Center application",
            )
        return self


class AdminVpn(pulumi.ComponentResource):
    """A Client VPN endpoint into the private subnets. Creates: a security group (no inbound; out only
    on 443 to the VPC and DNS to the VPC resolver); a KMS-encrypted connection-log group and stream;
    the endpoint (SAML through Identity Center, split tunnel, the VPC resolver as DNS, UDP 443,
    session timeout); its subnet associations; and one authorization rule per private subnet, for the
    configured Identity Center group — no rule for the database subnets, none for 0.0.0.0/0.
    """

    security_group_id: pulumi.Output[str]
    endpoint_id: pulumi.Output[str]
    client_cidr: str

    def __init__(
        self,
        name: str,
        args: AdminVpnArgs,
        *,
        vpc_id: pulumi.Input[str],
        vpc_cidr: str,
        private_subnet_ids: list[pulumi.Output[str]],
        private_subnet_cidrs: list[str],
        logs_kms_key_arn: pulumi.Input[str],
        default_certificate_domain: str | None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:access:AdminVpn", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        account = aws.get_caller_identity_output(opts=invoke).account_id
        if args.saml_provider is None:
            raise ValueError("admin_vpn.saml_provider: required when the VPN is enabled")

        certificate_arn: pulumi.Input[str]
        if args.server_certificate_arn is not None:
            certificate_arn = args.server_certificate_arn
        else:
            domain = args.server_certificate_domain or (
                f"vpn.{default_certificate_domain}" if default_certificate_domain else None
            )
            if domain is None:
                raise ValueError(
                    "admin_vpn: set server_certificate_arn or server_certificate_domain (or platform.domain)"
                )
            certificate_arn = aws.acm.get_certificate_output(
                domain=domain, statuses=["ISSUED"], most_recent=True, opts=invoke
            ).arn
        saml_arn = (
            pulumi.Output.from_input(args.saml_provider)
            if args.saml_provider.startswith("arn:")
            else pulumi.Output.concat(
                "arn:", partition, ":iam::", account, ":saml-provider/", args.saml_provider
            )
        )

        resolver = str(ipaddress.IPv4Network(vpc_cidr)[2])  # the VPC's Amazon DNS server: base + 2
        sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description="Client VPN: administrators' traffic into the VPC (HTTPS and DNS only)",
            revoke_rules_on_delete=True,
            tags={"Name": f"{name}-clients"},
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-sg-egress-https",
            security_group_id=sg.id,
            cidr_ipv4=vpc_cidr,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="HTTPS inside the VPC: the EKS API endpoint, interface endpoints",
            opts=child,
        )
        for protocol in ("udp", "tcp"):
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-sg-egress-dns-{protocol}",
                security_group_id=sg.id,
                cidr_ipv4=f"{resolver}/32",
                ip_protocol=protocol,
                from_port=53,
                to_port=53,
                description="DNS to the VPC resolver (private EKS endpoint names)",
                opts=child,
            )

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-connection-logs",
            name_prefix="/quantumvest/client-vpn/",
            retention_in_days=args.log_retention_days,
            kms_key_id=logs_kms_key_arn,
            opts=child,
        )
        log_stream = aws.cloudwatch.LogStream(
            f"{name}-connection-log-stream", name="connections", log_group_name=log_group.name, opts=child
        )
        endpoint = aws.ec2clientvpn.Endpoint(
            f"{name}-endpoint",
            description=f"{name}: administrators (Identity Center, MFA)",
            server_certificate_arn=certificate_arn,
            client_cidr_block=str(args.client_cidr),
            authentication_options=[{"type": "federated-authentication", "saml_provider_arn": saml_arn}],
            connection_log_options={
                "enabled": True,
                "cloudwatch_log_group": log_group.name,
                "cloudwatch_log_stream": log_stream.name,
            },
            split_tunnel=True,
            dns_servers=[resolver],
            transport_protocol="udp",
            vpn_port=443,
            session_timeout_hours=args.session_timeout_hours,
            disconnect_on_session_timeout=True,
            self_service_portal="disabled",
            vpc_id=vpc_id,
            security_group_ids=[sg.id],
            tags={"Name": f"{name}-admin"},
            opts=child,
        )
        for index, subnet_id in enumerate(private_subnet_ids[: args.associated_subnets]):
            aws.ec2clientvpn.NetworkAssociation(
                f"{name}-association-{index}",
                client_vpn_endpoint_id=endpoint.id,
                subnet_id=subnet_id,
                opts=child,
            )
        for index, cidr in enumerate(private_subnet_cidrs):
            aws.ec2clientvpn.AuthorizationRule(
                f"{name}-authorize-private-{index}",
                client_vpn_endpoint_id=endpoint.id,
                target_network_cidr=cidr,
                access_group_id=args.access_group_id,
                authorize_all_groups=None if args.access_group_id else True,
                description=f"Administrators to private subnet {index}",
                opts=child,
            )

        self.security_group_id = sg.id
        self.endpoint_id = endpoint.id
        #: The client address range (plain): what the reachability check reports for VPN clients.
        self.client_cidr = str(args.client_cidr)
        self.register_outputs({"security_group_id": self.security_group_id, "endpoint_id": self.endpoint_id})
