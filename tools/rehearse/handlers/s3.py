"""S3 buckets and their configuration resources in moto; everything can be read back."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates

Outputs = dict[str, Any]


@creates("aws:s3/bucket:Bucket")
@creates("aws:s3/bucketV2:BucketV2")
def bucket(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("bucket") or (
        (i["bucketPrefix"] + ctx.seed)[:63] if i.get("bucketPrefix") else ctx.auto_name(63, lower=True)
    )
    params: dict[str, Any] = {"Bucket": name}
    if ctx.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
    if i.get("objectLockEnabled"):
        params["ObjectLockEnabledForBucket"] = True
    ctx.call("s3", "create_bucket", **params)
    if i.get("tags"):
        ctx.call(
            "s3",
            "put_bucket_tagging",
            Bucket=name,
            Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in i["tags"].items()]},
        )
    return name, {
        "arn": f"arn:aws:s3:::{name}",
        "bucket": name,
        "bucketDomainName": f"{name}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        "region": ctx.region,
    }


@creates("aws:s3/bucketVersioning:BucketVersioning")
@creates("aws:s3/bucketVersioningV2:BucketVersioningV2")
def versioning(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    config = i.get("versioningConfiguration") or {}
    ctx.call(
        "s3",
        "put_bucket_versioning",
        Bucket=i["bucket"],
        VersioningConfiguration={"Status": config.get("status")},
    )
    return i["bucket"], {}


@creates("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
@creates("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
def encryption(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    rules = []
    for rule in i.get("rules") or []:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        entry: dict[str, Any] = {
            "ApplyServerSideEncryptionByDefault": {
                k: v
                for k, v in {
                    "SSEAlgorithm": default.get("sseAlgorithm"),
                    "KMSMasterKeyID": default.get("kmsMasterKeyId"),
                }.items()
                if v
            }
        }
        if rule.get("bucketKeyEnabled") is not None:
            entry["BucketKeyEnabled"] = bool(rule["bucketKeyEnabled"])
        rules.append(entry)
    ctx.call(
        "s3", "put_bucket_encryption", Bucket=i["bucket"], ServerSideEncryptionConfiguration={"Rules": rules}
    )
    return i["bucket"], {}


@creates("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
def public_access_block(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "s3",
        "put_public_access_block",
        Bucket=i["bucket"],
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": bool(i.get("blockPublicAcls")),
            "IgnorePublicAcls": bool(i.get("ignorePublicAcls")),
            "BlockPublicPolicy": bool(i.get("blockPublicPolicy")),
            "RestrictPublicBuckets": bool(i.get("restrictPublicBuckets")),
        },
    )
    return i["bucket"], {}


@creates("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
def ownership(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "s3",
        "put_bucket_ownership_controls",
        Bucket=i["bucket"],
        OwnershipControls={"Rules": [{"ObjectOwnership": (i.get("rule") or {}).get("objectOwnership")}]},
    )
    return i["bucket"], {}


@creates("aws:s3/bucketPolicy:BucketPolicy")
def policy(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call("s3", "put_bucket_policy", Bucket=i["bucket"], Policy=i["policy"])
    return i["bucket"], {}


def _lifecycle_rule(rule: Outputs) -> dict[str, Any]:
    out: dict[str, Any] = {"ID": rule.get("id"), "Status": rule.get("status", "Enabled")}
    filt = rule.get("filter") or {}
    out["Filter"] = {"Prefix": filt.get("prefix", "")}
    if rule.get("transitions"):
        out["Transitions"] = [
            {"Days": t.get("days"), "StorageClass": t.get("storageClass")} for t in rule["transitions"]
        ]
    if rule.get("noncurrentVersionTransitions"):
        out["NoncurrentVersionTransitions"] = [
            {"NoncurrentDays": t.get("noncurrentDays"), "StorageClass": t.get("storageClass")}
            for t in rule["noncurrentVersionTransitions"]
        ]
    if rule.get("noncurrentVersionExpiration"):
        out["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": rule["noncurrentVersionExpiration"].get("noncurrentDays")
        }
    if rule.get("expiration"):
        expiration = rule["expiration"]
        out["Expiration"] = (
            {"Days": expiration["days"]} if expiration.get("days") else {"ExpiredObjectDeleteMarker": True}
        )
    if rule.get("abortIncompleteMultipartUpload"):
        out["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": rule["abortIncompleteMultipartUpload"].get("daysAfterInitiation")
        }
    return out


@creates("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
@creates("aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2")
def lifecycle(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "s3",
        "put_bucket_lifecycle_configuration",
        Bucket=i["bucket"],
        LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in i.get("rules") or []]},
    )
    return i["bucket"], {}


@creates("aws:s3/bucketLogging:BucketLogging")
@creates("aws:s3/bucketLoggingV2:BucketLoggingV2")
def logging(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call(
        "s3",
        "put_bucket_logging",
        Bucket=i["bucket"],
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": i["targetBucket"], "TargetPrefix": i.get("targetPrefix", "")}
        },
    )
    return i["bucket"], {}


@creates("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
def replication(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    rules = []
    for index, rule in enumerate(i.get("rules") or []):
        destination = rule.get("destination") or {}
        dest: dict[str, Any] = {"Bucket": destination.get("bucket")}
        if destination.get("storageClass"):
            dest["StorageClass"] = destination["storageClass"]
        if (destination.get("encryptionConfiguration") or {}).get("replicaKmsKeyId"):
            dest["EncryptionConfiguration"] = {
                "ReplicaKmsKeyID": destination["encryptionConfiguration"]["replicaKmsKeyId"]
            }
        entry: dict[str, Any] = {
            "ID": rule.get("id", f"rule-{index}"),
            "Status": rule.get("status", "Enabled"),
            "Priority": rule.get("priority", index),
            "Filter": {"Prefix": (rule.get("filter") or {}).get("prefix", "")},
            "Destination": dest,
            "DeleteMarkerReplication": {
                "Status": (rule.get("deleteMarkerReplication") or {}).get("status", "Disabled")
            },
        }
        sse = ((rule.get("sourceSelectionCriteria") or {}).get("sseKmsEncryptedObjects") or {}).get("status")
        if sse:
            entry["SourceSelectionCriteria"] = {"SseKmsEncryptedObjects": {"Status": sse}}
        rules.append(entry)
    ctx.call(
        "s3",
        "put_bucket_replication",
        Bucket=i["bucket"],
        ReplicationConfiguration={"Role": i["role"], "Rules": rules},
    )
    return i["bucket"], {}
