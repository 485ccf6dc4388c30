"""Realistic answers to the invokes the program makes; anything else raises.

Availability zones are those AWS listed for each region (opt-in-not-required zones, 2026); the
account is the documentation account id.
"""

from __future__ import annotations

import hashlib
from typing import Any

ACCOUNT_ID = "123456789012"

#: Standard (not opt-in) AZ suffixes per region.
REGION_AZS: dict[str, str] = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "eu-west-1": "abc",
    "eu-central-1": "abc",
    "ap-southeast-1": "abc",
}


class UnknownInvokeError(RuntimeError):
    """The program called a function the harness cannot answer realistically."""


def availability_zones(region: str) -> dict[str, Any]:
    suffixes = REGION_AZS.get(region)
    if suffixes is None:
        raise UnknownInvokeError(f"the harness has no availability-zone list for region {region!r}")
    short = region.replace("-", "")[:2] + region.split("-")[1][:2] if "-" in region else region
    return {
        "id": region,
        "names": [f"{region}{s}" for s in suffixes],
        "zoneIds": [f"{short}-az{i + 1}" for i in range(len(suffixes))],
        "groupNames": [region] * len(suffixes),
        "state": "available",
    }


def hosted_zone(args: dict[str, Any]) -> dict[str, Any]:
    """A public hosted zone looked up by name (Route 53 ids are 'Z' and up to 32 upper-case characters)."""
    name = str(args.get("name") or "").rstrip(".")
    if not name:
        raise UnknownInvokeError("getZone without a name: the harness only answers look-ups by domain name")
    zone_id = "Z" + hashlib.sha256(name.encode()).hexdigest()[:20].upper()
    return {
        "id": zone_id,
        "zoneId": zone_id,
        "name": name,
        "arn": f"arn:aws:route53:::hostedzone/{zone_id}",
        "privateZone": False,
        "callerReference": f"offline-{zone_id}",
        "comment": "",
        "nameServers": [
            f"ns-{i}.awsdns-{i:02d}.{tld}" for i, tld in enumerate(("com", "net", "org", "co.uk"))
        ],
        "primaryNameServer": "ns-0.awsdns-00.com",
        "resourceRecordSetCount": 2,
        "tags": {},
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
    }


def acm_certificate(args: dict[str, Any], region: str) -> dict[str, Any]:
    """An ISSUED ACM certificate looked up by domain (ids are UUIDs; the ARN names region and account)."""
    domain = str(args.get("domain") or "")
    if not domain:
        raise UnknownInvokeError(
            "getCertificate without a domain: the harness only answers look-ups by domain"
        )
    digest = hashlib.sha256(f"{region}/{domain}".encode()).hexdigest()
    uuid = f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    arn = f"arn:aws:acm:{region}:{ACCOUNT_ID}:certificate/{uuid}"
    return {"arn": arn, "id": arn, "domain": domain, "status": "ISSUED", "statuses": ["ISSUED"], "tags": {}}


#: Route 53 hosted zone of Application Load Balancers per region, the alias target's zone (AWS General
#: Reference, "Elastic Load Balancing endpoints and quotas").
ALB_HOSTED_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-central-1": "Z215JYRZR1TBD5",
}


def load_balancer(args: dict[str, Any], region: str) -> dict[str, Any]:
    """The ALB the LB controller created under the name the program gave it (a deterministic id)."""
    name = str(args.get("name") or "alb")
    suffix = f"app/{name}/{hashlib.sha256(name.encode()).hexdigest()[:16]}"
    return {
        "name": name,
        "arn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}",
        "arnSuffix": suffix,
        "dnsName": f"{name}-1234567890.{region}.elb.amazonaws.com",
        "zoneId": ALB_HOSTED_ZONES.get(region, ALB_HOSTED_ZONES["us-east-1"]),
        "loadBalancerType": "application",
        "internal": False,
        "id": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}",
        "tags": {},
    }


#: AWS public parameters the program reads, with a value shaped like theirs (an AMI id).
PUBLIC_PARAMETERS = {
    "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64": "ami-0f1e2d3c4b5a69788",
}


def ssm_parameter(args: dict[str, Any], region: str) -> dict[str, Any]:
    """GetParameter on one of AWS's public parameters (the only ones the program reads)."""
    name = args.get("name")
    if name not in PUBLIC_PARAMETERS:
        raise UnknownInvokeError(f"SSM parameter {name!r} has no offline answer in tools/harness/invokes.py")
    value = PUBLIC_PARAMETERS[name]
    return {
        "arn": f"arn:aws:ssm:{region}::parameter{name}",
        "id": name,
        "name": name,
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
        "withDecryption": True,
        "region": region,
    }


def answer_invoke(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    """The mock answer to one invoke, in the region of the provider it was made through."""
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        return availability_zones(region)
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": ACCOUNT_ID,
            "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline",
            "userId": "AIDAOFFLINE",
            "id": ACCOUNT_ID,
        }
    if token == "aws:index/getPartition:getPartition":
        return {
            "partition": "aws",
            "dnsSuffix": "amazonaws.com",
            "reverseDnsPrefix": "com.amazonaws",
            "id": "aws",
        }
    if token == "aws:index/getRegion:getRegion":
        return {
            "name": region,
            "region": region,
            "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region,
            "id": region,
        }
    if token == "aws:route53/getZone:getZone":
        return hosted_zone(args)
    if token == "aws:acm/getCertificate:getCertificate":
        return acm_certificate(args, region)
    if token == "aws:lb/getLoadBalancer:getLoadBalancer":
        return load_balancer(args, region)
    if token == "aws:ssm/getParameter:getParameter":
        return ssm_parameter(args, region)
    raise UnknownInvokeError(
        f"invoke {token} is not answered by the offline harness (tools/harness/invokes.py); "
        "add a realistic answer there rather than letting it return nothing"
    )
