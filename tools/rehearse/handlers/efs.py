"""EFS file systems, mount targets and access points in moto; the backup policy is validated
against the API model (moto lacks PutBackupPolicy) after checking the file system exists."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:efs/fileSystem:FileSystem")
def file_system(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "efs",
        "create_file_system",
        CreationToken=i.get("creationToken") or ctx.auto_name(64),
        Encrypted=i.get("encrypted"),
        KmsKeyId=i.get("kmsKeyId"),
        PerformanceMode=i.get("performanceMode"),
        ThroughputMode=i.get("throughputMode"),
        Tags=[{"Key": k, "Value": v} for k, v in (i.get("tags") or {}).items()] or None,
    )
    fs_id = created["FileSystemId"]
    api_keys = {
        "transitionToIa": "TransitionToIA",
        "transitionToPrimaryStorageClass": "TransitionToPrimaryStorageClass",
        "transitionToArchive": "TransitionToArchive",
    }
    policies = [
        {api_keys[k]: v for k, v in policy.items() if v} for policy in i.get("lifecyclePolicies") or []
    ]
    if policies:
        ctx.call("efs", "put_lifecycle_configuration", FileSystemId=fs_id, LifecyclePolicies=policies)
    return fs_id, {
        "arn": created.get("FileSystemArn") or ctx.arn("elasticfilesystem", f"file-system/{fs_id}"),
        "dnsName": f"{fs_id}.efs.{ctx.region}.amazonaws.com",
    }


@creates("aws:efs/mountTarget:MountTarget")
def mount_target(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "efs",
        "create_mount_target",
        FileSystemId=i["fileSystemId"],
        SubnetId=i["subnetId"],
        SecurityGroups=i.get("securityGroups"),
        IpAddress=i.get("ipAddress"),
    )
    return created["MountTargetId"], {"ipAddress": created.get("IpAddress"), "dnsName": None}


@creates("aws:efs/accessPoint:AccessPoint")
def access_point(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    posix = i.get("posixUser") or {}
    root = i.get("rootDirectory") or {}
    creation = root.get("creationInfo") or {}
    created = ctx.call(
        "efs",
        "create_access_point",
        ClientToken=ctx.auto_name(64),
        FileSystemId=i["fileSystemId"],
        PosixUser={"Uid": posix["uid"], "Gid": posix["gid"]} if posix else None,
        RootDirectory={
            k: v
            for k, v in {
                "Path": root.get("path"),
                "CreationInfo": {
                    "OwnerUid": creation["ownerUid"],
                    "OwnerGid": creation["ownerGid"],
                    "Permissions": str(creation["permissions"]),
                }
                if creation
                else None,
            }.items()
            if v
        }
        or None,
    )
    return created["AccessPointId"], {"arn": created["AccessPointArn"]}


@validates("aws:efs/backupPolicy:BackupPolicy", "efs", "PutBackupPolicy")
def backup_policy(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    ctx.call("efs", "describe_file_systems", FileSystemId=i["fileSystemId"])  # the file system must exist
    return {
        "FileSystemId": i["fileSystemId"],
        "BackupPolicy": {"Status": (i.get("backupPolicy") or {}).get("status")},
    }


@creates("aws:efs/fileSystemPolicy:FileSystemPolicy")
def file_system_policy(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "efs",
        "put_file_system_policy",
        FileSystemId=i["fileSystemId"],
        Policy=i["policy"],
        BypassPolicyLockoutSafetyCheck=i.get("bypassPolicyLockoutSafetyCheck"),
    )
    return i["fileSystemId"], {}
