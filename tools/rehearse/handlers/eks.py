"""EKS in moto: clusters, node groups (and their launch templates in EC2). Add-ons, access entries and
access-policy associations are validated against the EKS API model (moto lacks those operations),
after checking in moto that the cluster they name exists."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:eks/cluster:Cluster")
def cluster(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(100)
    vpc = i.get("vpcConfig") or {}
    encryption = [
        {"resources": e.get("resources"), "provider": {"keyArn": (e.get("provider") or {}).get("keyArn")}}
        for e in (
            [i["encryptionConfig"]]
            if isinstance(i.get("encryptionConfig"), dict)
            else i.get("encryptionConfig") or []
        )
    ]
    logging = (
        {"clusterLogging": [{"types": i["enabledClusterLogTypes"], "enabled": True}]}
        if i.get("enabledClusterLogTypes")
        else None
    )
    access = i.get("accessConfig") or {}
    created = ctx.call(
        "eks",
        "create_cluster",
        name=name,
        version=i.get("version"),
        roleArn=i["roleArn"],
        resourcesVpcConfig={
            k: v
            for k, v in {
                "subnetIds": vpc.get("subnetIds"),
                "securityGroupIds": vpc.get("securityGroupIds"),
                "endpointPublicAccess": vpc.get("endpointPublicAccess"),
                "endpointPrivateAccess": vpc.get("endpointPrivateAccess"),
                "publicAccessCidrs": vpc.get("publicAccessCidrs"),
            }.items()
            if v is not None
        },
        encryptionConfig=encryption or None,
        logging=logging,
        accessConfig={
            k: v
            for k, v in {
                "authenticationMode": access.get("authenticationMode"),
                "bootstrapClusterCreatorAdminPermissions": access.get(
                    "bootstrapClusterCreatorAdminPermissions"
                ),
            }.items()
            if v is not None
        }
        or None,
        upgradePolicy={"supportType": i["upgradePolicy"]["supportType"]} if i.get("upgradePolicy") else None,
        tags=i.get("tags") or None,
    )["cluster"]
    issuer = created.get("identity", {}).get("oidc", {}).get("issuer")
    cluster_sg = _cluster_security_group(ctx, name, vpc.get("subnetIds") or [])
    return name, {
        "arn": created["arn"],
        "name": name,
        "endpoint": created.get("endpoint"),
        "certificateAuthority": {
            "data": (created.get("certificateAuthority") or {}).get("data") or "LS0tLS1CRUdJTg=="
        },
        "identities": [{"oidcs": [{"issuer": issuer}]}],
        "vpcConfig": {**vpc, "clusterSecurityGroupId": cluster_sg, "vpcId": None},
        "status": created.get("status"),
        "platformVersion": created.get("platformVersion"),
        "version": created.get("version"),
    }


def _cluster_security_group(ctx: Ctx, cluster: str, subnet_ids: list[str]) -> str:
    """The security group EKS creates with a cluster (``eks-cluster-sg-<name>-…`` in the cluster's VPC);
    moto's create_cluster does not, and rules the program adds to it need it to exist."""
    if not subnet_ids:
        return f"sg-{ctx.seed[:17]}"
    vpc_id = ctx.call("ec2", "describe_subnets", SubnetIds=subnet_ids[:1])["Subnets"][0]["VpcId"]
    return ctx.call(
        "ec2",
        "create_security_group",
        GroupName=f"eks-cluster-sg-{cluster}-{ctx.seed[:10]}",
        Description="EKS created security group applied to ENI that is attached to EKS Control Plane",
        VpcId=vpc_id,
    )["GroupId"]


@creates("aws:eks/nodeGroup:NodeGroup")
def node_group(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("nodeGroupName") or (
        i["nodeGroupNamePrefix"] + ctx.seed if i.get("nodeGroupNamePrefix") else ctx.auto_name(63)
    )
    scaling = i.get("scalingConfig") or {}
    template = i.get("launchTemplate") or {}
    created = ctx.call(
        "eks",
        "create_nodegroup",
        clusterName=i["clusterName"],
        nodegroupName=name,
        nodeRole=i["nodeRoleArn"],
        subnets=i["subnetIds"],
        scalingConfig={
            k: scaling.get(k) for k in ("minSize", "maxSize", "desiredSize") if scaling.get(k) is not None
        },
        instanceTypes=i.get("instanceTypes"),
        capacityType=i.get("capacityType"),
        amiType=i.get("amiType"),
        diskSize=i.get("diskSize"),
        labels=i.get("labels") or None,
        taints=[
            {"key": t["key"], "value": t.get("value"), "effect": t["effect"]} for t in i.get("taints") or []
        ]
        or None,
        launchTemplate={
            k: v
            for k, v in {
                "id": template.get("id"),
                "name": template.get("name"),
                "version": template.get("version"),
            }.items()
            if v
        }
        or None,
        tags=i.get("tags") or None,
    )["nodegroup"]
    return f"{i['clusterName']}:{name}", {
        "arn": created["nodegroupArn"],
        "nodeGroupName": name,
        "status": created.get("status"),
    }


@creates("aws:ec2/launchTemplate:LaunchTemplate")
def launch_template(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or (i["namePrefix"] + ctx.seed if i.get("namePrefix") else ctx.auto_name(128))
    data: dict[str, Any] = {}
    mappings = []
    for mapping in i.get("blockDeviceMappings") or []:
        ebs = mapping.get("ebs") or {}
        mappings.append(
            {
                "DeviceName": mapping.get("deviceName"),
                "Ebs": {
                    k: v
                    for k, v in {
                        "VolumeSize": ebs.get("volumeSize"),
                        "VolumeType": ebs.get("volumeType"),
                        "Encrypted": _bool(ebs.get("encrypted")),
                        "KmsKeyId": ebs.get("kmsKeyId"),
                        "DeleteOnTermination": _bool(ebs.get("deleteOnTermination")),
                        "Iops": ebs.get("iops"),
                        "Throughput": ebs.get("throughput"),
                    }.items()
                    if v is not None
                },
            }
        )
    if mappings:
        data["BlockDeviceMappings"] = mappings
    metadata = i.get("metadataOptions") or {}
    if metadata:
        data["MetadataOptions"] = {
            k: v
            for k, v in {
                "HttpTokens": metadata.get("httpTokens"),
                "HttpEndpoint": metadata.get("httpEndpoint"),
                "HttpPutResponseHopLimit": metadata.get("httpPutResponseHopLimit"),
            }.items()
            if v is not None
        }
    if i.get("vpcSecurityGroupIds"):
        data["SecurityGroupIds"] = i["vpcSecurityGroupIds"]
    if i.get("userData"):
        data["UserData"] = i["userData"]
    if i.get("keyName"):
        data["KeyName"] = i["keyName"]
    created = ctx.call("ec2", "create_launch_template", LaunchTemplateName=name, LaunchTemplateData=data)[
        "LaunchTemplate"
    ]
    template_id = created["LaunchTemplateId"]
    return template_id, {
        "arn": ctx.arn("ec2", f"launch-template/{template_id}"),
        "name": name,
        "latestVersion": created.get("LatestVersionNumber", 1),
        "defaultVersion": created.get("DefaultVersionNumber", 1),
    }


def _bool(value: Any) -> bool | None:
    if value is None:
        return None
    return value if isinstance(value, bool) else str(value).lower() == "true"


def _require_cluster(ctx: Ctx, name: str) -> None:
    ctx.call("eks", "describe_cluster", name=name)


@validates("aws:eks/addon:Addon", "eks", "CreateAddon")
def addon(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    _require_cluster(ctx, i["clusterName"])
    return {
        k: v
        for k, v in {
            "clusterName": i["clusterName"],
            "addonName": i["addonName"],
            "addonVersion": i.get("addonVersion"),
            "serviceAccountRoleArn": i.get("serviceAccountRoleArn"),
            "resolveConflicts": i.get("resolveConflictsOnCreate"),
            "configurationValues": i.get("configurationValues"),
            "tags": i.get("tags") or None,
        }.items()
        if v is not None
    }


@validates("aws:eks/accessEntry:AccessEntry", "eks", "CreateAccessEntry")
def access_entry(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    _require_cluster(ctx, i["clusterName"])
    return {
        k: v
        for k, v in {
            "clusterName": i["clusterName"],
            "principalArn": i["principalArn"],
            "kubernetesGroups": i.get("kubernetesGroups"),
            "type": i.get("type"),
            "username": i.get("userName"),
        }.items()
        if v is not None
    }


@validates("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", "eks", "AssociateAccessPolicy")
def access_policy_association(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    _require_cluster(ctx, i["clusterName"])
    scope = i.get("accessScope") or {}
    return {
        "clusterName": i["clusterName"],
        "principalArn": i["principalArn"],
        "policyArn": i["policyArn"],
        "accessScope": {
            k: v for k, v in {"type": scope.get("type"), "namespaces": scope.get("namespaces")}.items() if v
        },
    }


@validates("aws:eks/podIdentityAssociation:PodIdentityAssociation", "eks", "CreatePodIdentityAssociation")
def pod_identity(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    _require_cluster(ctx, i["clusterName"])
    return {
        "clusterName": i["clusterName"],
        "namespace": i["namespace"],
        "serviceAccount": i["serviceAccount"],
        "roleArn": i["roleArn"],
    }
