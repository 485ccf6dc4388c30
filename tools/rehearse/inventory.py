"""What exists in the emulated account after a rehearsal, queried back through the AWS APIs
(not from what was sent): the proof that AWS accepted the stack as the program meant it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions

Section = Callable[[str], list[str]]


def _client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


def _without_ids(line: str) -> str:
    """A line without the ids AWS generates: what orders lines the same way in every rehearsal
    (resources are created on several threads, so the APIs list them in a different order each time)."""
    return re.sub(r"\b[a-z]+-[0-9a-f]{8,17}\b", "", line)


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
        tables = []
        for table in ec2.describe_route_tables(Filters=where)["RouteTables"]:
            if any(a.get("Main") for a in table.get("Associations", [])):
                continue
            targets = sorted(
                f"{r.get('DestinationCidrBlock') or r.get('DestinationPrefixListId')}→"
                f"{r.get('GatewayId') or r.get('NatGatewayId') or r.get('NetworkInterfaceId') or r.get('VpcEndpointId') or '?'}"
                for r in table["Routes"]
            )
            subnets_of = len([a for a in table.get("Associations", []) if a.get("SubnetId")])
            tables.append(
                f"  route table {table['RouteTableId']} ({subnets_of} subnets): {', '.join(targets)}"
            )
        lines.extend(sorted(tables, key=_without_ids))
        nats = ec2.describe_nat_gateways(Filters=where)["NatGateways"]
        lines.append(
            f"  NAT gateways: {len(nats)}; VPC endpoints: "
            f"{len(ec2.describe_vpc_endpoints(Filters=where)['VpcEndpoints'])}"
        )
        groups = sorted(
            ec2.describe_security_groups(Filters=where)["SecurityGroups"], key=lambda g: g["GroupName"]
        )
        for group in groups:
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
    encrypted = sum(1 for g in groups if g.get("kmsKeyId"))
    retained = sorted({g.get("retentionInDays", 0) for g in groups})
    return (
        [f"log groups: {len(groups)} ({encrypted} KMS-encrypted), retention days {retained}"]
        if groups
        else []
    )


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


def _eks(region: str) -> list[str]:
    eks = _client("eks", region)
    lines = []
    for name in eks.list_clusters()["clusters"]:
        cluster = eks.describe_cluster(name=name)["cluster"]
        vpc = cluster.get("resourcesVpcConfig", {})
        logging = [
            t
            for entry in cluster.get("logging", {}).get("clusterLogging", [])
            if entry.get("enabled")
            for t in entry["types"]
        ]
        lines.append(
            f"EKS cluster {name} {cluster.get('version')}: public endpoint {vpc.get('endpointPublicAccess')}, "
            f"secrets encryption {'yes' if cluster.get('encryptionConfig') else 'no'}, logs {sorted(logging)}"
        )
        for group_name in eks.list_nodegroups(clusterName=name)["nodegroups"]:
            group = eks.describe_nodegroup(clusterName=name, nodegroupName=group_name)["nodegroup"]
            scaling = group.get("scalingConfig", {})
            lines.append(
                f"  node group {group_name}: {group.get('capacityType')} {group.get('instanceTypes')} "
                f"{scaling.get('minSize')}/{scaling.get('desiredSize')}/{scaling.get('maxSize')}, "
                f"taints {[t['key'] for t in group.get('taints', [])]}"
            )
    return lines


def _databases(region: str) -> list[str]:
    lines = []
    rds = _client("rds", region)
    for cluster in rds.describe_db_clusters()["DBClusters"]:
        scaling = cluster.get("ServerlessV2ScalingConfiguration") or {}
        lines.append(
            f"Aurora cluster {cluster['DBClusterIdentifier']}: {cluster['Engine']} {cluster.get('EngineVersion')}, "
            f"{len(cluster.get('DBClusterMembers') or [])} instances, encrypted {cluster.get('StorageEncrypted')}, "
            f"backups {cluster.get('BackupRetentionPeriod')} d, deletion protection {cluster.get('DeletionProtection')}, "
            f"global {cluster.get('GlobalClusterIdentifier') or 'no'}"
            + (
                f", Serverless v2 {scaling.get('MinCapacity')}-{scaling.get('MaxCapacity')} ACU"
                if scaling
                else ""
            )
        )
    for db in rds.describe_db_instances()["DBInstances"]:
        role = (
            f"replica of {db['ReadReplicaSourceDBInstanceIdentifier']}"
            if db.get("ReadReplicaSourceDBInstanceIdentifier")
            else f"in cluster {db['DBClusterIdentifier']}"
            if db.get("DBClusterIdentifier")
            else "primary"
        )
        lines.append(
            f"RDS {db['DBInstanceIdentifier']} ({role}): {db['Engine']} {db.get('EngineVersion')} {db['DBInstanceClass']}, "
            f"Multi-AZ {db.get('MultiAZ')}, encrypted {db.get('StorageEncrypted')}, public {db.get('PubliclyAccessible')}, "
            f"backups {db.get('BackupRetentionPeriod')} d, deletion protection {db.get('DeletionProtection')}"
        )
    return lines


def _caches(region: str) -> list[str]:
    return [
        f"ElastiCache {g['ReplicationGroupId']}: {g.get('CacheNodeType')}, failover {g.get('AutomaticFailover')}, "
        f"at-rest {g.get('AtRestEncryptionEnabled')}, in-transit {g.get('TransitEncryptionEnabled')}, "
        f"auth {g.get('AuthTokenEnabled')}"
        for g in _client("elasticache", region).describe_replication_groups()["ReplicationGroups"]
    ]


def _buckets(region: str) -> list[str]:
    s3 = _client("s3", region)
    lines = []
    for bucket in sorted(s3.list_buckets()["Buckets"], key=lambda b: b["Name"]):
        name = bucket["Name"]
        location = s3.get_bucket_location(Bucket=name).get("LocationConstraint") or "us-east-1"
        if location != region:
            continue
        facts = bucket_facts(s3, name)
        lines.append(
            f"S3 {name}: {facts['encryption']}, versioning {facts['versioning']}, "
            f"public access blocked {facts['public_access_blocked']}, logging {facts['logging']}"
        )
    return lines


def bucket_facts(s3: Any, name: str) -> dict[str, Any]:
    """A bucket's security settings as S3 reports them."""

    def read(call: Callable[[], Any], default: Any) -> Any:
        try:
            return call()
        except botocore.exceptions.ClientError:
            return default

    encryption = read(lambda: s3.get_bucket_encryption(Bucket=name), {})
    rules = encryption.get("ServerSideEncryptionConfiguration", {}).get("Rules", [{}])
    algorithm = rules[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "none")
    block = read(lambda: s3.get_public_access_block(Bucket=name), {}).get(
        "PublicAccessBlockConfiguration", {}
    )
    return {
        "encryption": algorithm,
        "versioning": s3.get_bucket_versioning(Bucket=name).get("Status", "Disabled"),
        "public_access_blocked": bool(block) and all(block.values()),
        "logging": "LoggingEnabled" in s3.get_bucket_logging(Bucket=name),
    }


def _keys(region: str) -> list[str]:
    kms = _client("kms", region)
    lines = []
    aliases = {a.get("TargetKeyId"): a["AliasName"] for a in kms.list_aliases()["Aliases"]}
    for key in kms.list_keys()["Keys"]:
        rotation = kms.get_key_rotation_status(KeyId=key["KeyId"]).get("KeyRotationEnabled")
        lines.append(f"KMS key {aliases.get(key['KeyId'], key['KeyId'])}: rotation {rotation}")
    return sorted(lines)


def _dns_and_certificates(region: str) -> list[str]:
    """Route 53 is global (listed once, with us-east-1); ACM certificates are per region."""
    lines = []
    if region == "us-east-1":
        route53 = _client("route53", region)
        for zone in route53.list_hosted_zones()["HostedZones"]:
            records = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
            kinds = Counter("alias " + r["Type"] if r.get("AliasTarget") else r["Type"] for r in records)
            shown = ", ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items()))
            lines.append(f"Route 53 zone {zone['Name']} ({zone['Id'].split('/')[-1]}): {shown}")
    listed = _client("acm", region).list_certificates()["CertificateSummaryList"]
    for summary in sorted(listed, key=lambda c: c["DomainName"]):
        lines.append(f"ACM certificate {summary['DomainName']}: {summary.get('Status', '?')}")
    return lines


def _edge_and_alarms(region: str) -> list[str]:
    lines = []
    for scope in ("REGIONAL", "CLOUDFRONT") if region == "us-east-1" else ("REGIONAL",):
        for acl in _client("wafv2", region).list_web_acls(Scope=scope)["WebACLs"]:
            lines.append(f"WAF web ACL {acl['Name']} ({scope})")
    alarms = _client("cloudwatch", region).describe_alarms()["MetricAlarms"]
    if alarms:
        with_actions = sum(1 for a in alarms if a.get("AlarmActions") and a.get("OKActions"))
        lines.append(f"CloudWatch alarms: {len(alarms)} ({with_actions} with alarm and OK actions)")
    return lines


#: The sections of the inventory, in print order.
SECTIONS: list[Section] = [
    _vpcs,
    _subnet_groups,
    _eks,
    _databases,
    _caches,
    _buckets,
    _keys,
    _dns_and_certificates,
    _edge_and_alarms,
    _logs,
    _iam,
]


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


def snapshot(regions: list[str]) -> dict[str, Any]:
    """Raw describe results per region (and the global ones by name), for assertions on AWS-side facts
    after a rehearsal."""
    facts: dict[str, Any] = {}
    for region in regions:
        ec2, rds, kms = (_client(service, region) for service in ("ec2", "rds", "kms"))
        facts[region] = {
            "vpcs": ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["false"]}])["Vpcs"],
            "subnets": ec2.describe_subnets()["Subnets"],
            "route_tables": ec2.describe_route_tables()["RouteTables"],
            "security_groups": ec2.describe_security_groups()["SecurityGroups"],
            "db_subnet_groups": rds.describe_db_subnet_groups()["DBSubnetGroups"],
            "db_instances": rds.describe_db_instances()["DBInstances"],
            "db_clusters": rds.describe_db_clusters()["DBClusters"],
            "global_clusters": rds.describe_global_clusters()["GlobalClusters"],
            "key_rotation": {
                key["KeyId"]: kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"]
                for key in kms.list_keys()["Keys"]
            },
        }
    s3 = _client("s3", "us-east-1")
    facts["buckets"] = {b["Name"]: bucket_facts(s3, b["Name"]) for b in s3.list_buckets()["Buckets"]}
    codebuild = _client("codebuild", regions[0]) if regions else None
    names = codebuild.list_projects()["projects"] if codebuild else []
    facts["codebuild_projects"] = (
        codebuild.batch_get_projects(names=names)["projects"] if codebuild and names else []
    )
    facts["iam_roles"] = _client("iam", "us-east-1").list_roles(MaxItems=1000)["Roles"]
    return facts
