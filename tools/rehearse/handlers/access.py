"""The ways into the private API: the CodeBuild runner (created in moto), its webhook and the Client
VPN endpoint, associations and authorization rules (validated against botocore's model: moto has no
CodeBuild webhooks and no Client VPN). Validations first check in moto what they name exists (the
project, the subnets, the security groups, the log group), so a broken reference still fails."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import AwsCallError, Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


def _pick(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@creates("aws:codebuild/project:Project")
def codebuild_project(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(150)
    source, environment = i.get("source") or {}, i.get("environment") or {}
    vpc = i.get("vpcConfig") or {}
    logs = (i.get("logsConfig") or {}).get("cloudwatchLogs") or {}
    if vpc:
        # The subnets and security groups must exist in the account (CodeBuild checks at build time).
        ctx.call("ec2", "describe_subnets", SubnetIds=vpc["subnets"])
        ctx.call("ec2", "describe_security_groups", GroupIds=vpc["securityGroupIds"])
    if logs.get("groupName"):
        found = ctx.call("logs", "describe_log_groups", logGroupNamePrefix=logs["groupName"])["logGroups"]
        if not any(g["logGroupName"] == logs["groupName"] for g in found):
            raise AwsCallError(
                "CreateProject", {"logsConfig": logs}, "InvalidInputException", "log group does not exist"
            )
    created = ctx.call(
        "codebuild",
        "create_project",
        name=name,
        description=i.get("description"),
        source=_pick(
            {
                "type": source.get("type"),
                "location": source.get("location"),
                "gitCloneDepth": source.get("gitCloneDepth"),
            }
        ),
        artifacts=_pick({"type": (i.get("artifacts") or {}).get("type")}),
        environment=_pick(
            {
                "type": environment.get("type"),
                "image": environment.get("image"),
                "computeType": environment.get("computeType"),
                "privilegedMode": environment.get("privilegedMode"),
                "imagePullCredentialsType": environment.get("imagePullCredentialsType"),
            }
        ),
        serviceRole=i["serviceRole"],
        timeoutInMinutes=i.get("buildTimeout"),
        queuedTimeoutInMinutes=i.get("queuedTimeout"),
        vpcConfig=_pick(
            {
                "vpcId": vpc.get("vpcId"),
                "subnets": vpc.get("subnets"),
                "securityGroupIds": vpc.get("securityGroupIds"),
            }
        )
        or None,
        logsConfig={
            "cloudWatchLogs": _pick({"status": logs.get("status"), "groupName": logs.get("groupName")})
        }
        if logs
        else None,
        concurrentBuildLimit=i.get("concurrentBuildLimit"),
    )["project"]
    return created["arn"], {"arn": created["arn"], "name": name}


@validates("aws:codebuild/webhook:Webhook", "codebuild", "CreateWebhook")
def codebuild_webhook(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    projects = ctx.call("codebuild", "batch_get_projects", names=[i["projectName"]])
    if not projects.get("projects"):
        raise AwsCallError(
            "CreateWebhook", {"projectName": i["projectName"]}, "ResourceNotFoundException", "no such project"
        )
    return _pick(
        {
            "projectName": i["projectName"],
            "buildType": i.get("buildType"),
            "filterGroups": [
                [
                    _pick(
                        {
                            "type": f["type"],
                            "pattern": f["pattern"],
                            "excludeMatchedPattern": f.get("excludeMatchedPattern"),
                        }
                    )
                    for f in group.get("filters") or []
                ]
                for group in i.get("filterGroups") or []
            ]
            or None,
        }
    )


@validates("aws:ec2clientvpn/endpoint:Endpoint", "ec2", "CreateClientVpnEndpoint")
def client_vpn_endpoint(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    ctx.call("ec2", "describe_security_groups", GroupIds=i["securityGroupIds"])
    logs = i.get("connectionLogOptions") or {}
    if logs.get("cloudwatchLogGroup"):
        ctx.call(
            "logs",
            "describe_log_streams",
            logGroupName=logs["cloudwatchLogGroup"],
            logStreamNamePrefix=logs.get("cloudwatchLogStream"),
        )
    return _pick(
        {
            "ClientCidrBlock": i.get("clientCidrBlock"),
            "ServerCertificateArn": i["serverCertificateArn"],
            "AuthenticationOptions": [
                _pick(
                    {
                        "Type": option["type"],
                        "FederatedAuthentication": {"SAMLProviderArn": option["samlProviderArn"]}
                        if option.get("samlProviderArn")
                        else None,
                    }
                )
                for option in i["authenticationOptions"]
            ],
            "ConnectionLogOptions": _pick(
                {
                    "Enabled": logs.get("enabled"),
                    "CloudwatchLogGroup": logs.get("cloudwatchLogGroup"),
                    "CloudwatchLogStream": logs.get("cloudwatchLogStream"),
                }
            ),
            "DnsServers": i.get("dnsServers"),
            "TransportProtocol": i.get("transportProtocol"),
            "VpnPort": i.get("vpnPort"),
            "Description": i.get("description"),
            "SplitTunnel": i.get("splitTunnel"),
            "SecurityGroupIds": i.get("securityGroupIds"),
            "VpcId": i.get("vpcId"),
            "SelfServicePortal": i.get("selfServicePortal"),
            "SessionTimeoutHours": i.get("sessionTimeoutHours"),
            "DisconnectOnSessionTimeout": i.get("disconnectOnSessionTimeout"),
        }
    )


@validates("aws:ec2clientvpn/networkAssociation:NetworkAssociation", "ec2", "AssociateClientVpnTargetNetwork")
def client_vpn_association(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    ctx.call("ec2", "describe_subnets", SubnetIds=[i["subnetId"]])
    return {"ClientVpnEndpointId": i["clientVpnEndpointId"], "SubnetId": i["subnetId"]}


@validates("aws:ec2clientvpn/authorizationRule:AuthorizationRule", "ec2", "AuthorizeClientVpnIngress")
def client_vpn_authorization(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    return _pick(
        {
            "ClientVpnEndpointId": i["clientVpnEndpointId"],
            "TargetNetworkCidr": i["targetNetworkCidr"],
            "AccessGroupId": i.get("accessGroupId"),
            "AuthorizeAllGroups": i.get("authorizeAllGroups"),
            "Description": i.get("description"),
        }
    )


@creates("aws:cloudwatch/logStream:LogStream")
def log_stream(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(512)
    ctx.call("logs", "create_log_stream", logGroupName=i["logGroupName"], logStreamName=name)
    return name, {"arn": ctx.arn("logs", f"log-group:{i['logGroupName']}:log-stream:{name}"), "name": name}


@validates("aws:codebuild/sourceCredential:SourceCredential", "codebuild", "ImportSourceCredentials")
def codebuild_source_credential(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    """The bootstrap's account-wide GitHub credential: with SECRETS_MANAGER, the token is the secret's ARN,
    which must exist (its value is never read here)."""
    if i.get("authType") == "SECRETS_MANAGER":
        ctx.call("secretsmanager", "describe_secret", SecretId=i["token"])
    return _pick(
        {
            "token": i["token"],
            "serverType": i["serverType"],
            "authType": i["authType"],
            "username": i.get("userName"),
        }
    )
