"""CloudTrail, GuardDuty and ECR in moto; GuardDuty protection features are validated against the
API model (UpdateDetector), since moto stores but does not model them."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import Ctx
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:cloudtrail/trail:Trail")
def trail(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(128)
    created = ctx.call(
        "cloudtrail",
        "create_trail",
        Name=name,
        S3BucketName=i["s3BucketName"],
        S3KeyPrefix=i.get("s3KeyPrefix"),
        IncludeGlobalServiceEvents=i.get("includeGlobalServiceEvents"),
        IsMultiRegionTrail=i.get("isMultiRegionTrail"),
        EnableLogFileValidation=i.get("enableLogFileValidation"),
        CloudWatchLogsLogGroupArn=i.get("cloudWatchLogsGroupArn"),
        CloudWatchLogsRoleArn=i.get("cloudWatchLogsRoleArn"),
        KmsKeyId=i.get("kmsKeyId"),
        IsOrganizationTrail=i.get("isOrganizationTrail"),
    )
    if i.get("enableLogging", True):
        ctx.call("cloudtrail", "start_logging", Name=name)
    return created["TrailARN"], {"arn": created["TrailARN"], "name": name}


@creates("aws:guardduty/detector:Detector")
def detector(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "guardduty",
        "create_detector",
        Enable=i.get("enable", True),
        FindingPublishingFrequency=i.get("findingPublishingFrequency"),
    )
    detector_id = created["DetectorId"]
    return detector_id, {"arn": ctx.arn("guardduty", f"detector/{detector_id}"), "accountId": "123456789012"}


@validates("aws:guardduty/detectorFeature:DetectorFeature", "guardduty", "UpdateDetector")
def detector_feature(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    ctx.call("guardduty", "get_detector", DetectorId=i["detectorId"])  # the detector must exist
    feature: dict[str, Any] = {"Name": i["name"], "Status": i["status"]}
    if i.get("additionalConfigurations"):
        feature["AdditionalConfiguration"] = [
            {"Name": c["name"], "Status": c["status"]} for c in i["additionalConfigurations"]
        ]
    return {"DetectorId": i["detectorId"], "Features": [feature]}


@creates("aws:ecr/repository:Repository")
def repository(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    name = i.get("name") or ctx.auto_name(256, lower=True)
    encryption = (i.get("encryptionConfigurations") or [{}])[0]
    created = ctx.call(
        "ecr",
        "create_repository",
        repositoryName=name,
        imageTagMutability=i.get("imageTagMutability"),
        imageScanningConfiguration={
            "scanOnPush": bool((i.get("imageScanningConfiguration") or {}).get("scanOnPush"))
        },
        encryptionConfiguration={
            k: v
            for k, v in {
                "encryptionType": encryption.get("encryptionType"),
                "kmsKey": encryption.get("kmsKey"),
            }.items()
            if v
        }
        or None,
    )["repository"]
    return name, {
        "arn": created["repositoryArn"],
        "name": name,
        "repositoryUrl": created["repositoryUri"],
        "registryId": created["registryId"],
    }


@creates("aws:ecr/lifecyclePolicy:LifecyclePolicy")
def lifecycle_policy(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call("ecr", "put_lifecycle_policy", repositoryName=i["repository"], lifecyclePolicyText=i["policy"])
    return i["repository"], {"registryId": "123456789012"}
