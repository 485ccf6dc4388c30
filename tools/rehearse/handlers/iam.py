"""IAM roles, inline and attached policies, OIDC providers, in moto."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]


@creates("aws:iam/role:Role")
def role(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(64)
    created = ctx.call(
        "iam",
        "create_role",
        RoleName=name,
        AssumeRolePolicyDocument=i["assumeRolePolicy"],
        Path=i.get("path"),
        Description=i.get("description"),
        MaxSessionDuration=i.get("maxSessionDuration"),
        PermissionsBoundary=i.get("permissionsBoundary"),
        Tags=[{"Key": k, "Value": v} for k, v in (i.get("tags") or {}).items()] or None,
    )["Role"]
    for arn in i.get("managedPolicyArns") or []:
        ctx.call("iam", "attach_role_policy", RoleName=name, PolicyArn=arn)
    return name, {"arn": created["Arn"], "name": name, "uniqueId": created["RoleId"]}


@creates("aws:iam/rolePolicy:RolePolicy")
def role_policy(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(128)
    ctx.call("iam", "put_role_policy", RoleName=i["role"], PolicyName=name, PolicyDocument=i["policy"])
    return f"{i['role']}:{name}", {"name": name}


@creates("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def role_policy_attachment(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call("iam", "attach_role_policy", RoleName=i["role"], PolicyArn=i["policyArn"])
    return f"{i['role']}-{ctx.seed[:8]}", {}


@creates("aws:iam/policy:Policy")
def policy(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(128)
    created = ctx.call(
        "iam", "create_policy", PolicyName=name, PolicyDocument=i["policy"], Description=i.get("description")
    )["Policy"]
    return created["Arn"], {"arn": created["Arn"], "name": name, "policyId": created["PolicyId"]}


@creates("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
def oidc_provider(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "iam",
        "create_open_id_connect_provider",
        Url=i["url"],
        ClientIDList=i.get("clientIdLists"),
        ThumbprintList=i.get("thumbprintLists") or ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
    )
    arn = created["OpenIDConnectProviderArn"]
    return arn, {"arn": arn}


@creates("aws:iam/instanceProfile:InstanceProfile")
def instance_profile(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(128)
    created = ctx.call("iam", "create_instance_profile", InstanceProfileName=name)["InstanceProfile"]
    if i.get("role"):
        ctx.call("iam", "add_role_to_instance_profile", InstanceProfileName=name, RoleName=i["role"])
    return name, {"arn": created["Arn"], "name": name}
