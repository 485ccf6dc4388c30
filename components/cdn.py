"""CloudFront in front of the assets bucket: the static-assets leg of the request path (DESIGN.md).

Creates: an origin access control (CloudFront signs its S3 requests with SigV4; the bucket stays
private and grants read to this one distribution only — see :func:`origin_read_statement`), the
distribution (HTTPS only: HTTP is redirected; TLSv1.2_2021 minimum when it serves the custom host;
HTTP/2 and HTTP/3; IPv6; the CLOUDFRONT-scope web ACL; AWS's managed CachingOptimized and
SecurityHeaders policies), access logs through CloudFront standard logging v2 (a CloudWatch Logs
delivery source, destination and delivery in us-east-1, writing into the log bucket with no ACLs —
docs/decisions/cloudfront-access-logs.md), and, with a domain, ``assets.<domain>`` A/AAAA alias records
in the stack's hosted zone (the program creates them: it knows the distribution's name).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws
from pydantic import Field

from .args import Args
from .buckets import HardenedBucket
from .dns import DnsArgs

#: AWS-managed policies (ids are the same in every account; CloudFront developer guide).
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"
SECURITY_HEADERS_POLICY_ID = "67f7725c-6f97-4210-82d7-5512b31e9d03"

#: The lowest TLS CloudFront negotiates with viewers on a custom certificate (TLS 1.2, modern ciphers).
MINIMUM_PROTOCOL_VERSION = "TLSv1.2_2021"

#: Where CloudFront access logs land in the log bucket (AWS appends ``AWSLogs/<account>/CloudFront/``).
CDN_LOG_PREFIX = "cloudfront"


class CdnArgs(Args):
    """The static-assets CDN. Defaults: on, every edge location, W3C logs."""

    enabled: bool = Field(
        default=True, description="Serve static assets from CloudFront (seed 004: 'use CDN')."
    )
    origin_bucket: str = Field(default="assets", description="Bucket role CloudFront serves (the origin).")
    alias_record: bool = Field(
        default=True,
        description="Write the CDN host's A/AAAA alias records. False when a DR pair's failover records own "
        "the name (the loader sets it for dr.role primary/standby: components/dr.py); Route 53 refuses a "
        "simple record beside failover records of the same name and type.",
    )
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = Field(
        default="PriceClass_All",
        description="Edge locations used: All serves every viewer from the nearest edge; 100 (NA+EU) is cheapest.",
    )
    default_root_object: str = Field(
        default="index.html", min_length=1, description="Object served for '/' (FSBP CloudFront.1)."
    )
    log_format: Literal["w3c", "json", "plain", "parquet"] = Field(
        default="w3c",
        description="Access-log format; w3c matches the legacy layout existing Athena tables read.",
    )


@dataclass
class Cdn:
    """The distribution and the origin bucket-policy statements it needs (added by the caller)."""

    distribution: aws.cloudfront.Distribution
    origin_statements: list[dict[str, Any]]


def assets_cdn(
    name: str,
    args: CdnArgs,
    *,
    origin: HardenedBucket,
    log_bucket: HardenedBucket,
    web_acl_arn: pulumi.Input[str],
    dns: DnsArgs,
    zone_id: pulumi.Input[str] | None,
    certificate_arn: pulumi.Input[str] | None,
    parent: pulumi.Resource,
    us_east_1_provider: pulumi.ProviderResource,
) -> Cdn:
    """Create the distribution in front of ``origin`` with logs into ``log_bucket``.

    ``log_bucket`` must already carry :func:`log_delivery_statements` in its policy: the delivery waits
    for that policy (otherwise CloudWatch Logs would append its own statement, which the next
    ``pulumi up`` would remove).
    """
    child = pulumi.ResourceOptions(parent=parent)
    access_control = aws.cloudfront.OriginAccessControl(
        f"{name}-cdn-oac",
        name=origin.name,  # unique like the bucket's name, and within the 64-character limit
        description=f"{name}: CloudFront signs requests to the {origin.role} bucket",
        origin_access_control_origin_type="s3",
        signing_behavior="always",
        signing_protocol="sigv4",
        opts=child,
    )
    origin_id = f"s3-{origin.role}"
    if certificate_arn is not None:
        aliases = [dns.fqdn(dns.cdn_host)]
        viewer_certificate: aws.cloudfront.DistributionViewerCertificateArgsDict = {
            "acm_certificate_arn": certificate_arn,
            "ssl_support_method": "sni-only",
            "minimum_protocol_version": MINIMUM_PROTOCOL_VERSION,
        }
    else:
        # The *.cloudfront.net certificate: CloudFront fixes its security policy (TLSv1); see the README.
        aliases = []
        viewer_certificate = {"cloudfront_default_certificate": True}
    distribution = aws.cloudfront.Distribution(
        f"{name}-cdn",
        enabled=True,
        comment=f"{name}: static assets",
        aliases=aliases,
        origins=[
            {
                "origin_id": origin_id,
                "domain_name": origin.bucket.bucket_regional_domain_name,
                "origin_access_control_id": access_control.id,
            }
        ],
        default_cache_behavior={
            "target_origin_id": origin_id,
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ["GET", "HEAD", "OPTIONS"],
            "cached_methods": ["GET", "HEAD"],
            "compress": True,
            "cache_policy_id": CACHING_OPTIMIZED_POLICY_ID,
            "response_headers_policy_id": SECURITY_HEADERS_POLICY_ID,
        },
        default_root_object=args.default_root_object,
        http_version="http2and3",
        is_ipv6_enabled=True,
        price_class=args.price_class,
        restrictions={"geo_restriction": {"restriction_type": "none"}},
        viewer_certificate=viewer_certificate,
        web_acl_id=web_acl_arn,
        opts=child,
    )
    origin_statements = [
        {
            "Sid": "AllowCloudFrontRead",
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": pulumi.Output.concat(origin.arn, "/*"),
            "Condition": {"StringEquals": {"AWS:SourceArn": distribution.arn}},
        }
    ]
    _access_logs(
        name,
        args,
        distribution=distribution,
        log_bucket=log_bucket,
        parent=parent,
        us_east_1_provider=us_east_1_provider,
    )
    if certificate_arn is not None and zone_id is not None and args.alias_record:
        for record_type in ("A", "AAAA"):
            aws.route53.Record(
                f"{name}-cdn-alias-{record_type.lower()}",
                zone_id=zone_id,
                name=dns.fqdn(dns.cdn_host),
                type=record_type,
                aliases=[
                    {
                        "name": distribution.domain_name,
                        "zone_id": distribution.hosted_zone_id,
                        "evaluate_target_health": False,
                    }
                ],
                opts=child,
            )
    return Cdn(distribution=distribution, origin_statements=origin_statements)


def _access_logs(
    name: str,
    args: CdnArgs,
    *,
    distribution: aws.cloudfront.Distribution,
    log_bucket: HardenedBucket,
    parent: pulumi.Resource,
    us_east_1_provider: pulumi.ProviderResource,
) -> None:
    """Standard logging v2 into ``log_bucket``: source, destination and delivery, all in us-east-1."""
    in_us_east_1 = pulumi.ResourceOptions(parent=parent, provider=us_east_1_provider)
    source = aws.cloudwatch.LogDeliverySource(
        f"{name}-cdn-log-source",
        name=pulumi.Output.concat("cdn-", distribution.id),
        log_type="ACCESS_LOGS",
        resource_arn=distribution.arn,
        opts=in_us_east_1,
    )
    destination = aws.cloudwatch.LogDeliveryDestination(
        f"{name}-cdn-log-destination",
        name=pulumi.Output.concat("cdn-", distribution.id, "-s3"),
        output_format=args.log_format,
        delivery_destination_configuration={
            "destination_resource_arn": pulumi.Output.concat(log_bucket.arn, f"/{CDN_LOG_PREFIX}")
        },
        opts=in_us_east_1,
    )
    aws.cloudwatch.LogDelivery(
        f"{name}-cdn-log-delivery",
        delivery_source_name=source.name,
        delivery_destination_arn=destination.arn,
        s3_delivery_configurations=[
            {"suffix_path": "{DistributionId}/{yyyy}/{MM}/{dd}/{HH}", "enable_hive_compatible_path": False}
        ],
        opts=pulumi.ResourceOptions.merge(
            in_us_east_1, pulumi.ResourceOptions(depends_on=[log_bucket.policy] if log_bucket.policy else [])
        ),
    )


def log_delivery_statements(
    log_bucket_arn: pulumi.Input[str], account_id: pulumi.Input[str]
) -> list[dict[str, Any]]:
    """What the log bucket's policy grants CloudWatch Logs' delivery service for CloudFront logs.

    The statements AWS documents for vended logs to S3 (CloudWatch Logs user guide, "Logs sent to
    Amazon S3"), limited to this account's delivery sources in us-east-1 and the CloudFront prefix.
    """
    delivery_sources = pulumi.Output.concat("arn:aws:logs:us-east-1:", account_id, ":delivery-source:*")
    return [
        {
            "Sid": "AllowCloudFrontLogDeliveryWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(log_bucket_arn, f"/{CDN_LOG_PREFIX}/AWSLogs/", account_id, "/*"),
            "Condition": {
                "StringEquals": {
                    "s3:x-amz-acl": "bucket-owner-full-control",
                    "aws:SourceAccount": account_id,
                },
                "ArnLike": {"aws:SourceArn": delivery_sources},
            },
        },
        {
            "Sid": "AllowCloudFrontLogDeliveryAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": log_bucket_arn,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": delivery_sources},
            },
        },
    ]
