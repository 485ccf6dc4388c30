"""EFS for files the pods share: model artifacts mounted as volumes (seed 001), read by many replicas.

Creates: an encrypted file system (the data key), a mount target in each private subnet, a security
group admitting NFS (2049/tcp) only from the client security group (the cluster's nodes), an access
point pinning clients to one directory and one POSIX identity, a file-system policy that refuses
unencrypted NFS and anonymous access, lifecycle to Infrequent Access (and back on first read), and
automatic backups (AWS Backup's daily EFS plan).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from .args import Args, FieldProblem
from .iam import policy_document

EfsTransition = Literal[
    "AFTER_1_DAY",
    "AFTER_7_DAYS",
    "AFTER_14_DAYS",
    "AFTER_30_DAYS",
    "AFTER_60_DAYS",
    "AFTER_90_DAYS",
    "AFTER_180_DAYS",
    "AFTER_270_DAYS",
    "AFTER_365_DAYS",
]

NFS_PORT = 2049


class EfsArgs(Args):
    """The shared file system. Defaults: on, Elastic throughput, IA after 30 days, backups on."""

    enabled: bool = Field(default=True, description="Model artifacts need a shared ReadWriteMany volume.")
    throughput_mode: Literal["elastic", "bursting"] = Field(
        default="elastic",
        description="'elastic' scales with model loads and bills per use; 'bursting' ties throughput to size.",
    )
    performance_mode: Literal["generalPurpose", "maxIO"] = Field(
        default="generalPurpose", description="General Purpose has the lowest latency; Elastic requires it."
    )
    transition_to_ia: EfsTransition = Field(
        default="AFTER_30_DAYS",
        description="Move files unread this long to Infrequent Access (~92% cheaper); they return on first read.",
    )
    automatic_backups: bool = Field(default=True, description="AWS Backup's daily plan for this file system.")
    access_point_path: str = Field(
        default="/model-artifacts",
        pattern=r"^/[A-Za-z0-9._/-]{1,99}$",
        description="Directory the access point exposes as the clients' root (created on first use).",
    )
    posix_uid: int = Field(default=1000, ge=1, le=4294967295, description="UID clients act as (not root).")
    posix_gid: int = Field(default=1000, ge=1, le=4294967295, description="GID clients act as (not root).")
    directory_permissions: str = Field(
        default="0750", pattern=r"^0?[0-7]{3}$", description="Mode of the access point's root directory."
    )

    @model_validator(mode="after")
    def _check_modes(self) -> EfsArgs:
        if self.throughput_mode == "elastic" and self.performance_mode != "generalPurpose":
            raise FieldProblem(
                "performance_mode", self.performance_mode, "Elastic throughput requires 'generalPurpose'"
            )
        return self


@dataclass
class SharedFileSystem:
    """The file system and its access point (what the cluster's EFS CSI driver mounts)."""

    file_system: aws.efs.FileSystem
    access_point: aws.efs.AccessPoint
    security_group: aws.ec2.SecurityGroup


def shared_file_system(
    name: str,
    args: EfsArgs,
    *,
    private_subnet_ids: Sequence[pulumi.Input[str]],
    vpc_id: pulumi.Input[str],
    client_security_group_id: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    parent: pulumi.Resource,
    protect: bool,
) -> SharedFileSystem:
    """Create the file system, one mount target per subnet in ``private_subnet_ids``, and its access point."""
    child = pulumi.ResourceOptions(parent=parent)
    file_system = aws.efs.FileSystem(
        f"{name}-efs",
        encrypted=True,
        kms_key_id=kms_key_arn,
        performance_mode=args.performance_mode,
        throughput_mode=args.throughput_mode,
        # EFS takes one transition per lifecycle policy object.
        lifecycle_policies=[
            {"transition_to_ia": args.transition_to_ia},
            {"transition_to_primary_storage_class": "AFTER_1_ACCESS"},
        ],
        tags={"Name": f"{name}-efs"},
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=protect)),
    )
    aws.efs.BackupPolicy(
        f"{name}-efs-backup",
        file_system_id=file_system.id,
        backup_policy={"status": "ENABLED" if args.automatic_backups else "DISABLED"},
        opts=child,
    )
    aws.efs.FileSystemPolicy(
        f"{name}-efs-policy",
        file_system_id=file_system.id,
        policy=file_system.arn.apply(lambda arn: _file_system_policy(arn)),
        opts=child,
    )

    security_group = aws.ec2.SecurityGroup(
        f"{name}-efs-sg",
        vpc_id=vpc_id,
        description="NFS to the shared file system from the cluster nodes only",
        tags={"Name": f"{name}-efs"},
        opts=child,
    )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-efs-nfs",
        security_group_id=security_group.id,
        ip_protocol="tcp",
        from_port=NFS_PORT,
        to_port=NFS_PORT,
        referenced_security_group_id=client_security_group_id,
        description="NFS from the cluster nodes",
        opts=child,
    )
    for index, subnet_id in enumerate(private_subnet_ids):
        aws.efs.MountTarget(
            f"{name}-efs-mount-{index}",
            file_system_id=file_system.id,
            subnet_id=subnet_id,
            security_groups=[security_group.id],
            opts=child,
        )

    access_point = aws.efs.AccessPoint(
        f"{name}-efs-access-point",
        file_system_id=file_system.id,
        posix_user={"uid": args.posix_uid, "gid": args.posix_gid},
        root_directory={
            "path": args.access_point_path,
            "creation_info": {
                "owner_uid": args.posix_uid,
                "owner_gid": args.posix_gid,
                "permissions": args.directory_permissions,
            },
        },
        tags={"Name": f"{name}-model-artifacts"},
        opts=child,
    )
    return SharedFileSystem(file_system=file_system, access_point=access_point, security_group=security_group)


def _file_system_policy(file_system_arn: str) -> str:
    """Mount and write only through a mount target (no anonymous access) and only over TLS."""
    return policy_document(
        {
            "Sid": "MountThroughMountTargets",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": file_system_arn,
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
        },
        {
            "Sid": "DenyUnencryptedTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": file_system_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    )
