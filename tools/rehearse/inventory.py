"""What exists in the emulated account after a rehearsal, queried back through the AWS APIs
(not from what was sent): the proof that AWS accepted the stack as the program meant it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions

Section = Callable[[str], list[str]]


def _client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


def _vpcs(region: str) -> list[str]:
    ec2 = _client("ec2", region)
    lines = []
    for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"]:
        vpc_id = vpc["VpcId"]
        where = [{"Name": "vpc-id", "Values": [vpc_id]}]
        subnets = ec2.describe_subnets(Filters=where)["Subnets"]
        per_az = Counter(s["AvailabilityZone"] for s in subnets)
        lines.append(
            f"VPC {vpc_id} {vpc['CidrBlock']}: {len(subnets)} subnets ("
            + ", ".join(f"{az}: {n}" for az, n in sorted(per_az.items()))
            + ")"
        )
        for table in ec2.describe_route_tables(Filters=where)["RouteTables"]:
            if any(a.get("Main") for a in table.get("Associations", [])):
                continue
            targets = sorted(
                f"{r.get('DestinationCidrBlock') or r.get('DestinationPrefixListId')}→"
                f"{r.get('GatewayId') or r.get('NatGatewayId') or r.get('VpcEndpointId') or '?'}"
                for r in table["Routes"]
            )
            subnets_of = len([a for a in table.get("Associations", []) if a.get("SubnetId")])
            lines.append(
                f"  route table {table['RouteTableId']} ({subnets_of} subnets): {', '.join(targets)}"
            )
        nats = ec2.describe_nat_gateways(Filters=where)["NatGateways"]
        lines.append(
            f"  NAT gateways: {len(nats)}; VPC endpoints: "
            f"{len(ec2.describe_vpc_endpoints(Filters=where)['VpcEndpoints'])}"
        )
        for group in ec2.describe_security_groups(Filters=where)["SecurityGroups"]:
            rules = [
                f"{p.get('IpProtocol')}:{p.get('FromPort', '*')}-{p.get('ToPort', '*')} from "
                + ",".join(
                    [r["CidrIp"] for r in p.get("IpRanges", [])]
                    + [g["GroupId"] for g in p.get("UserIdGroupPairs", [])]
                )
                for p in group["IpPermissions"]
            ]
            lines.append(f"  security group {group['GroupName']}: ingress {rules or 'none'}")
        for acl in ec2.describe_network_acls(Filters=where)["NetworkAcls"]:
            if acl["IsDefault"]:
                continue
            allowed = [e for e in acl["Entries"] if e["RuleAction"] == "allow"]
            lines.append(
                f"  network ACL {acl['NetworkAclId']}: {len(acl['Associations'])} subnets, {len(allowed)} allow rules"
            )
        flows = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"]
        lines.append(
            f"  flow logs: {', '.join(f['TrafficType'] + '→' + f.get('LogDestinationType', '') for f in flows) or 'none'}"
        )
    return lines


def _iam(region: str) -> list[str]:
    if region != "us-east-1":
        return []
    roles = [
        r
        for r in _client("iam", region).list_roles()["Roles"]
        if not r["Path"].startswith("/aws-service-role/")
    ]
    return [f"IAM roles: {len(roles)}"]


def _logs(region: str) -> list[str]:
    groups = _client("logs", region).describe_log_groups()["logGroups"]
    return [
        f"log group {g['logGroupName']}: retention {g.get('retentionInDays', 'never expires')} days, "
        f"KMS {'yes' if g.get('kmsKeyId') else 'no'}"
        for g in groups
    ]


def _subnet_groups(region: str) -> list[str]:
    lines = []
    for group in _client("rds", region).describe_db_subnet_groups()["DBSubnetGroups"]:
        azs = sorted({s["SubnetAvailabilityZone"]["Name"] for s in group["Subnets"]})
        lines.append(
            f"DB subnet group {group['DBSubnetGroupName']}: {len(group['Subnets'])} subnets in {', '.join(azs)}"
        )
    for group in _client("elasticache", region).describe_cache_subnet_groups()["CacheSubnetGroups"]:
        if group["CacheSubnetGroupName"] == "default":
            continue
        lines.append(f"cache subnet group {group['CacheSubnetGroupName']}: {len(group['Subnets'])} subnets")
    return lines


#: The sections of the inventory, in print order; each area adds its own.
SECTIONS: list[Section] = [_vpcs, _subnet_groups, _logs, _iam]


def inventory(regions: list[str]) -> list[str]:
    """Lines describing what exists in the emulated account, per region."""
    lines: list[str] = []
    for region in regions:
        lines.append(f"[{region}]")
        for section in SECTIONS:
            try:
                lines.extend("  " + line for line in section(region))
            except botocore.exceptions.ClientError as err:  # a service moto only partly emulates
                lines.append(f"  ({section.__name__.strip('_')}: {err.response['Error']['Code']})")
    return lines


def snapshot(regions: list[str]) -> dict[str, dict[str, Any]]:
    """Raw describe results per region, for assertions on AWS-side facts after a rehearsal."""
    facts: dict[str, dict[str, Any]] = {}
    for region in regions:
        ec2 = _client("ec2", region)
        facts[region] = {
            "vpcs": ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"],
            "subnets": ec2.describe_subnets()["Subnets"],
            "route_tables": ec2.describe_route_tables()["RouteTables"],
            "security_groups": ec2.describe_security_groups()["SecurityGroups"],
            "db_subnet_groups": _client("rds", region).describe_db_subnet_groups()["DBSubnetGroups"],
        }
    return facts
