"""The edge: the Route 53 hosted zone and its records (moto), CloudFront origin access control (moto),
ACM certificates (moto), and — validated against the API model — CloudFront distributions.

A record in an adopted zone (``dns.hosted_zone_id``: the zone exists outside the program, so not in an
empty emulated account) is validated against the API model instead of created."""

from __future__ import annotations

from typing import Any

from tools.rehearse.context import AwsCallError, Ctx, validate_request
from tools.rehearse.handlers import creates, validates

Outputs = dict[str, Any]


@creates("aws:cloudfront/originAccessControl:OriginAccessControl")
def origin_access_control(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "cloudfront",
        "create_origin_access_control",
        OriginAccessControlConfig={
            "Name": i.get("name") or ctx.auto_name(64),
            "Description": i.get("description", ""),
            "SigningProtocol": i["signingProtocol"],
            "SigningBehavior": i["signingBehavior"],
            "OriginAccessControlOriginType": i["originAccessControlOriginType"],
        },
    )["OriginAccessControl"]
    return created["Id"], {"etag": "E1"}


def _items(values: list[Any] | None) -> dict[str, Any]:
    values = values or []
    return {"Quantity": len(values), "Items": values} if values else {"Quantity": 0}


@validates("aws:cloudfront/distribution:Distribution", "cloudfront", "CreateDistribution")
def distribution(ctx: Ctx, i: Outputs) -> dict[str, Any]:
    origins = [
        {
            k: v
            for k, v in {
                "Id": o["originId"],
                "DomainName": o["domainName"],
                "OriginAccessControlId": o.get("originAccessControlId"),
                "OriginPath": o.get("originPath", ""),
                "S3OriginConfig": {"OriginAccessIdentity": ""} if o.get("originAccessControlId") else None,
            }.items()
            if v is not None
        }
        for o in i.get("origins") or []
    ]
    behaviour = i.get("defaultCacheBehavior") or {}
    certificate = i.get("viewerCertificate") or {}
    logging = i.get("loggingConfig") or {}
    config: dict[str, Any] = {
        "CallerReference": ctx.seed,
        "Comment": i.get("comment", ""),
        "Enabled": bool(i.get("enabled", True)),
        "Origins": {"Quantity": len(origins), "Items": origins},
        "DefaultCacheBehavior": {
            k: v
            for k, v in {
                "TargetOriginId": behaviour.get("targetOriginId"),
                "ViewerProtocolPolicy": behaviour.get("viewerProtocolPolicy"),
                "AllowedMethods": {
                    **_items(behaviour.get("allowedMethods")),
                    "CachedMethods": _items(behaviour.get("cachedMethods")),
                },
                "Compress": behaviour.get("compress"),
                "CachePolicyId": behaviour.get("cachePolicyId"),
                "ResponseHeadersPolicyId": behaviour.get("responseHeadersPolicyId"),
            }.items()
            if v is not None
        },
        "Aliases": _items(i.get("aliases")),
        "DefaultRootObject": i.get("defaultRootObject", ""),
        "PriceClass": i.get("priceClass"),
        "HttpVersion": i.get("httpVersion"),
        "IsIPV6Enabled": i.get("isIpv6Enabled"),
        "WebACLId": i.get("webAclId"),
        "ViewerCertificate": {
            k: v
            for k, v in {
                "CloudFrontDefaultCertificate": certificate.get("cloudfrontDefaultCertificate"),
                "ACMCertificateArn": certificate.get("acmCertificateArn"),
                "SSLSupportMethod": certificate.get("sslSupportMethod"),
                "MinimumProtocolVersion": certificate.get("minimumProtocolVersion"),
            }.items()
            if v is not None
        },
        "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
    }
    if logging.get("bucket"):
        config["Logging"] = {
            "Enabled": True,
            "IncludeCookies": bool(logging.get("includeCookies", False)),
            "Bucket": logging["bucket"],
            "Prefix": logging.get("prefix", ""),
        }
    return {"DistributionConfig": {k: v for k, v in config.items() if v is not None}}


@creates("aws:acm/certificate:Certificate")
def certificate(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    arn = ctx.call(
        "acm",
        "request_certificate",
        DomainName=i["domainName"],
        ValidationMethod=i.get("validationMethod", "DNS"),
        SubjectAlternativeNames=i.get("subjectAlternativeNames") or None,
        KeyAlgorithm=i.get("keyAlgorithm"),
    )["CertificateArn"]
    described = ctx.call("acm", "describe_certificate", CertificateArn=arn)["Certificate"]
    options = [
        {
            "domainName": o["DomainName"],
            "resourceRecordName": (o.get("ResourceRecord") or {}).get("Name", f"_x.{o['DomainName']}."),
            "resourceRecordType": (o.get("ResourceRecord") or {}).get("Type", "CNAME"),
            "resourceRecordValue": (o.get("ResourceRecord") or {}).get("Value", "_y.acm-validations.aws."),
        }
        for o in described.get("DomainValidationOptions") or []
    ]
    return arn, {"arn": arn, "domainValidationOptions": options, "status": described.get("Status")}


@creates("aws:acm/certificateValidation:CertificateValidation")
def certificate_validation(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    ctx.call("acm", "describe_certificate", CertificateArn=i["certificateArn"])  # the certificate must exist
    return i["certificateArn"], {}


@creates("aws:route53/zone:Zone")
def zone(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    created = ctx.call(
        "route53",
        "create_hosted_zone",
        Name=i["name"],
        CallerReference=ctx.seed,
        HostedZoneConfig={"Comment": i.get("comment", ""), "PrivateZone": False},
    )
    zone_id = created["HostedZone"]["Id"].removeprefix("/hostedzone/")
    return zone_id, {
        "zoneId": zone_id,
        "arn": ctx.arn("route53", f"hostedzone/{zone_id}"),
        "nameServers": created["DelegationSet"]["NameServers"],
    }


@creates("aws:route53/healthCheck:HealthCheck")
def health_check(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    """A Route 53 health check (a DR primary's endpoint, components/dr.py)."""
    config: dict[str, Any] = {
        "Type": i["type"],
        "FullyQualifiedDomainName": i.get("fqdn"),
        "Port": i.get("port"),
        "ResourcePath": i.get("resourcePath"),
        "RequestInterval": i.get("requestInterval"),
        "FailureThreshold": i.get("failureThreshold"),
        "EnableSNI": i.get("enableSni"),
    }
    created = ctx.call(
        "route53",
        "create_health_check",
        CallerReference=f"{ctx.name}-{ctx.seed}",
        HealthCheckConfig={k: v for k, v in config.items() if v is not None},
    )["HealthCheck"]
    return created["Id"], {"arn": ctx.arn("route53", f"healthcheck/{created['Id']}")}


@creates("aws:route53/record:Record")
def record(ctx: Ctx, i: Outputs) -> tuple[str, Outputs]:
    """UPSERT the record in its zone; in a zone the emulated account does not hold, validate only."""
    params = _change(i)
    try:
        ctx.call("route53", "get_hosted_zone", Id=i["zoneId"])
    except AwsCallError as err:
        if err.code != "NoSuchHostedZone":
            raise
        validate_request("route53", "ChangeResourceRecordSets", params)
    else:
        ctx.call("route53", "change_resource_record_sets", **params)
    fqdn = str(i["name"]).rstrip(".")
    identifier = f"_{i['setIdentifier']}" if i.get("setIdentifier") else ""  # the provider's id form
    return f"{i['zoneId']}_{fqdn}_{i['type']}{identifier}", {"fqdn": fqdn}


def _change(i: Outputs) -> dict[str, Any]:
    record_set: dict[str, Any] = {"Name": i["name"], "Type": i["type"]}
    if i.get("aliases"):
        alias = i["aliases"][0]
        record_set["AliasTarget"] = {
            "HostedZoneId": alias["zoneId"],
            "DNSName": alias["name"],
            "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth", False)),
        }
    else:
        record_set["TTL"] = i.get("ttl")
        record_set["ResourceRecords"] = [{"Value": v} for v in i.get("records") or []]
    failover = i.get("failoverRoutingPolicies") or []
    if failover:  # a DR pair's failover record (components/dr.py)
        record_set["Failover"] = failover[0]["type"]
        record_set["SetIdentifier"] = i.get("setIdentifier")
    if i.get("healthCheckId"):
        record_set["HealthCheckId"] = i["healthCheckId"]
    return {
        "HostedZoneId": i["zoneId"],
        "ChangeBatch": {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record_set}]},
    }
