"""Storage: what S3, CloudFront, EFS, ACM, Route 53 and CloudWatch Logs delivery report once created.

Consumers read a bucket's generated name and domain names, a distribution's domain name and hosted
zone, a file system's id and DNS name, and a certificate's DNS-validation record; shapes follow AWS's
(``bucket_prefix`` + a 26-character suffix, ``dxxxx.cloudfront.net``, ``fs-…``, ``fsap-…``).
"""

from __future__ import annotations

from typing import Any

from tools.harness.invokes import ACCOUNT_ID

#: The hosted zone of every CloudFront distribution (Route 53 alias targets).
CLOUDFRONT_HOSTED_ZONE_ID = (
    "Z2FDTNDATAQYW2"  # the documented alias zone of every distribution (Route 53 docs)
)


def _bucket(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    suffix = "2026" + str(int(seed, 16)).zfill(22)[-22:]  # like the provider: a timestamp and a counter
    bucket = inputs.get("bucket") or f"{inputs.get('bucketPrefix') or name + '-'}{suffix}"
    return {
        "id": bucket,
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
        "bucketRegion": region,
        "region": region,
    }


def _distribution(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    distribution_id = f"E{seed.upper()}"
    return {
        "id": distribution_id,
        "arn": f"arn:aws:cloudfront::{ACCOUNT_ID}:distribution/{distribution_id}",
        "domainName": f"d{seed}.cloudfront.net",
        "hostedZoneId": CLOUDFRONT_HOSTED_ZONE_ID,
        "status": "Deployed",
        "etag": f"E{seed[:8].upper()}",
    }


def _origin_access_control(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    return {"id": f"E{seed.upper()}", "etag": f"E{seed[:8].upper()}"}


def _certificate(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    certificate_id = f"{seed[:8]}-{seed[8:12]}-4{seed[:3]}-8{seed[3:6]}-{seed}"
    domain = inputs["domainName"]
    return {
        "id": f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{certificate_id}",
        "arn": f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{certificate_id}",
        "status": "PENDING_VALIDATION",
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_{seed}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{seed[::-1]}.acm-validations.aws.",
            }
        ],
    }


def _record(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    fqdn = str(inputs.get("name") or name).rstrip(".")
    return {"id": f"{inputs.get('zoneId')}_{fqdn}_{inputs.get('type')}", "fqdn": fqdn}


def _file_system(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    file_system_id = f"fs-{seed}"
    return {
        "id": file_system_id,
        "arn": f"arn:aws:elasticfilesystem:{region}:{ACCOUNT_ID}:file-system/{file_system_id}",
        "dnsName": f"{file_system_id}.efs.{region}.amazonaws.com",
    }


def _access_point(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    access_point_id = f"fsap-{seed}"
    return {
        "id": access_point_id,
        "arn": f"arn:aws:elasticfilesystem:{region}:{ACCOUNT_ID}:access-point/{access_point_id}",
    }


def _delivery_source(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    return {"arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:delivery-source:{inputs.get('name')}"}


def _delivery_destination(name: str, inputs: dict[str, Any], region: str, seed: str) -> dict[str, Any]:
    return {"arn": f"arn:aws:logs:{region}:{ACCOUNT_ID}:delivery-destination:{inputs.get('name')}"}


EXTRA_OUTPUTS = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:cloudfront/originAccessControl:OriginAccessControl": _origin_access_control,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:route53/record:Record": _record,
    "aws:efs/fileSystem:FileSystem": _file_system,
    "aws:efs/accessPoint:AccessPoint": _access_point,
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": _delivery_source,
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": _delivery_destination,
}

ID_PREFIX = {
    "aws:efs/mountTarget:MountTarget": "fsmt-",
}

NAME_IS_ID = {
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
}
