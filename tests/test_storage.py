"""The Storage component alone, per tier (each stack's loaded config, fake wiring): buckets, DR
replication, CDN, certificates and EFS."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pytest

from components.storage import Storage, StorageArgs
from config import load_stack_file
from tests.dr_region import dr_region_stack_file
from tests.helpers import REPO
from tools.harness import Graph, Resource, run

BUCKET = "aws:s3/bucket:Bucket"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
CERTIFICATE = "aws:acm/certificate:Certificate"
RECORD = "aws:route53/record:Record"

DATA_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
DR_KEY = "arn:aws:kms:us-west-2:123456789012:key/22222222-2222-2222-2222-222222222222"
WEB_ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/cdn/33333333-3333-3333-3333-333333333333"
SUBNETS = ["subnet-0aaa", "subnet-0bbb", "subnet-0ccc"]
NODES_SG = "sg-0nodes"
ZONE_ID = "Z0123456789ABCDEFGHIJ"
ROLES = {"assets", "backups", "logs", "model-artifacts"}
STACKS = ("dev", "staging", "prod")


def build(args: StorageArgs, region: str = "us-east-1", stack: str = "test", **wiring: Any) -> Graph:
    """Storage alone under mocks, with fake keys and DR / us-east-1 providers created in the run."""

    def program() -> None:
        defaults: dict[str, Any] = {
            "private_subnet_ids": SUBNETS,
            "vpc_id": "vpc-0fake",
            "client_security_group_id": NODES_SG,
            "kms_key_arn": DATA_KEY,
            "cloudfront_web_acl_arn": WEB_ACL,
            "dr_provider": aws.Provider("dr", region="us-west-2"),
            "dr_kms_key_arn": DR_KEY,
            "us_east_1_provider": aws.Provider("use1", region="us-east-1"),
            "hosted_zone_id": ZONE_ID,
        }
        Storage("storage", args, **{**defaults, **wiring})

    return run(program, stack=stack, region=region)


_TIER_GRAPHS: dict[str, Graph] = {}


def tier_graph(stack: str) -> Graph:
    if stack not in _TIER_GRAPHS:
        cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
        _TIER_GRAPHS[stack] = build(cfg.storage, region=cfg.platform.region, stack=stack)
    return _TIER_GRAPHS[stack]


@pytest.fixture(scope="module", params=STACKS)
def tier(request: pytest.FixtureRequest) -> Graph:
    """Storage built from each stack's settings (tests using it run once per stack)."""
    return tier_graph(request.param)


def _dr_region_cfg():
    """prod with platform.dr_region and no standby (tests/dr_region.py): the replicating, self-aliasing storage."""
    return load_stack_file(dr_region_stack_file(Path(tempfile.mkdtemp(prefix="dr-region-"))))


def dr_region_storage() -> Graph:
    if "dr-region" not in _TIER_GRAPHS:
        _TIER_GRAPHS["dr-region"] = build(_dr_region_cfg().storage, region="us-east-1", stack="prod")
    return _TIER_GRAPHS["dr-region"]


@pytest.fixture(scope="module")
def with_domain() -> Graph:
    """Prod's settings (domain quantumvest.com) without its DR pair (whose failover records own the CDN
    host's name), in eu-west-1 so regional and us-east-1 certificates differ."""
    return build(_dr_region_cfg().storage, region="eu-west-1")


def _of_bucket(graph: Graph, token: str, bucket: Resource) -> list[Resource]:
    return [r for r in graph.of_type(token) if r.inputs.get("bucket") == bucket.outputs["bucket"]]


def _one_of_bucket(graph: Graph, token: str, bucket: Resource) -> Resource:
    (found,) = _of_bucket(graph, token, bucket)
    return found


def _policy(graph: Graph, bucket: Resource) -> dict[str, Any]:
    return json.loads(_one_of_bucket(graph, POLICY, bucket).inputs["policy"])


def _statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    (found,) = [s for s in policy["Statement"] if s.get("Sid") == sid]
    return found


def _role(bucket: Resource) -> str:
    return bucket.inputs["tags"]["Role"]


def _provider_region(graph: Graph, resource: Resource) -> str | None:
    provider = graph.provider_of(resource)
    return provider.inputs.get("region") if provider else None


# --- buckets ---------------------------------------------------------------------------------------


def test_the_four_buckets_by_role_with_the_tier_prefix(tier: Graph) -> None:
    outputs = tier.component_outputs[tier.one("quantumvest:storage:Storage").urn]
    assert set(outputs["bucket_names"]) == ROLES
    for role, name in outputs["bucket_names"].items():
        assert name.startswith(f"quantumvest-{tier.stack}-{role}-")
        assert outputs["bucket_arns"][role] == f"arn:aws:s3:::{name}"
    for bucket in tier.of_type(BUCKET):
        assert "bucket" not in bucket.inputs  # generated names only: stacks can share an account
        assert len(bucket.inputs["bucketPrefix"]) <= 37


def test_every_bucket_is_encrypted_versioned_private_and_owner_enforced(tier: Graph) -> None:
    buckets = tier.of_type(BUCKET)
    assert len(buckets) == 4  # prod's backups replica and DR log bucket moved to its standby (issue 22)
    for bucket in buckets:
        (rule,) = _one_of_bucket(
            tier,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            bucket,
        ).inputs["rules"]
        default = rule["applyServerSideEncryptionByDefault"]
        if _role(bucket) in ("logs", "dr-logs"):  # S3 server access logs cannot be written under SSE-KMS
            assert default == {"sseAlgorithm": "AES256"}
        else:
            expected_key = DR_KEY if _role(bucket).endswith("-replica") else DATA_KEY
            assert default == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": expected_key}
            assert rule["bucketKeyEnabled"] is True
        versioning = _one_of_bucket(tier, "aws:s3/bucketVersioning:BucketVersioning", bucket)
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
        block = _one_of_bucket(tier, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket)
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        assert all(block.inputs[flag] is True for flag in flags)
        ownership = _one_of_bucket(tier, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket)
        assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_every_bucket_policy_denies_requests_without_tls(tier: Graph) -> None:
    for bucket in tier.of_type(BUCKET):
        policy = _policy(tier, bucket)
        arn = bucket.outputs["arn"]
        deny = _statement(policy, "DenyInsecureTransport")
        assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
        assert sorted(deny["Resource"]) == [arn, f"{arn}/*"]
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        old_tls = _statement(policy, "DenyOutdatedTls")
        assert old_tls["Effect"] == "Deny" and old_tls["Condition"] == {
            "NumericLessThan": {"s3:TlsVersion": "1.2"}
        }
        # Nothing is granted to everyone: every Allow names a service and is conditioned; the one exception
        # is ELB's regional log-delivery account (AWS documents no condition), held to this account's prefix.
        for statement in policy["Statement"]:
            if statement["Effect"] == "Allow" and statement.get("Sid") == "AllowAlbAccessLogs":
                assert statement["Principal"] == {"AWS": "arn:aws:iam::127311923021:root"}
                assert statement["Resource"] == f"{arn}/alb/AWSLogs/123456789012/*"
            elif statement["Effect"] == "Allow":
                assert set(statement["Principal"]) == {"Service"} and statement["Condition"]


def test_every_bucket_but_the_log_buckets_logs_into_its_regions_log_bucket(tier: Graph) -> None:
    buckets = {_role(b): b for b in tier.of_type(BUCKET)}
    for role, bucket in buckets.items():
        logging = _of_bucket(tier, "aws:s3/bucketLogging:BucketLogging", bucket)
        if role in ("logs", "dr-logs"):
            assert logging == []
            continue
        (logging,) = logging
        target = buckets["dr-logs" if role.endswith("-replica") else "logs"]
        assert logging.inputs["targetBucket"] == target.outputs["bucket"]
        assert logging.inputs["targetPrefix"] == f"s3-access/{role}/"
        assert _provider_region(tier, logging) == _provider_region(tier, target)  # S3 logs within a region
        # The log bucket admits the S3 logging service before logs are pointed at it.
        assert _one_of_bucket(tier, POLICY, target).urn in logging.dependencies
    for role in ("logs", "dr-logs"):
        if role not in buckets:
            continue
        grant = _statement(_policy(tier, buckets[role]), "AllowS3ServerAccessLogs")
        assert grant["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert grant["Resource"] == f"{buckets[role].outputs['arn']}/s3-access/*"
        assert grant["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:aws:s3:::quantumvest-{tier.stack}-*"
        assert grant["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"


EXPECTED_BACKUP_TRANSITIONS = {
    "dev": None,
    "staging": [{"days": 30, "storageClass": "STANDARD_IA"}, {"days": 90, "storageClass": "GLACIER"}],
    "prod": [
        {"days": 30, "storageClass": "STANDARD_IA"},
        {"days": 90, "storageClass": "GLACIER"},
        {"days": 180, "storageClass": "DEEP_ARCHIVE"},
    ],
}
EXPECTED_BACKUP_EXPIRY = {"dev": 30, "staging": 180, "prod": 2555}


def test_lifecycle_rules_per_tier(tier: Graph) -> None:
    buckets = {_role(b): b for b in tier.of_type(BUCKET)}
    for bucket in buckets.values():
        lifecycle = _one_of_bucket(
            tier, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket
        )
        (rule,) = lifecycle.inputs["rules"]
        assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
        assert rule["noncurrentVersionExpiration"]["noncurrentDays"] >= 1  # old versions do not pile up
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
        versioning = _one_of_bucket(tier, "aws:s3/bucketVersioning:BucketVersioning", bucket)
        assert versioning.urn in lifecycle.dependencies
    (backups,) = _one_of_bucket(
        tier, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", buckets["backups"]
    ).inputs["rules"]
    assert backups.get("transitions") == EXPECTED_BACKUP_TRANSITIONS[tier.stack]
    assert backups["expiration"] == {"days": EXPECTED_BACKUP_EXPIRY[tier.stack]}
    (artifacts,) = _one_of_bucket(
        tier, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", buckets["model-artifacts"]
    ).inputs["rules"]
    assert artifacts["noncurrentVersionTransitions"] == [
        {"noncurrentDays": 30, "storageClass": "STANDARD_IA"}
    ]
    assert artifacts["expiration"] == {"expiredObjectDeleteMarker": True}  # current versions are kept


def test_stateful_resources_are_protected_in_prod_only(tier: Graph) -> None:
    stateful = tier.of_type(BUCKET) + tier.of_type("aws:efs/fileSystem:FileSystem")
    assert stateful
    assert all(r.protect is (tier.stack == "prod") for r in stateful)
    assert not any(r.protect for r in tier.of_type(POLICY))  # configuration may change freely


# --- DR replication ----------------------------------------------------------------------------------


def test_no_stack_replicates_to_a_dr_region_in_its_own_storage(tier: Graph) -> None:
    """prod's cross-region copy of its backups is the AWS Backup copy into its standby's vault now."""
    configs = tier.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    dr_resources = [r for r in tier if r.custom and _provider_region(tier, r) == "us-west-2"]
    assert configs == [] and dr_resources == []


def test_dr_region_backups_replicate_to_the_dr_region_through_the_dr_provider() -> None:
    tier = dr_region_storage()
    configs = tier.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    buckets = {_role(b): b for b in tier.of_type(BUCKET)}
    source, replica = buckets["backups"], buckets["backups-replica"]
    (config,) = configs
    assert config.inputs["bucket"] == source.outputs["bucket"]
    assert _provider_region(tier, replica) == "us-west-2" and _provider_region(tier, source) is None
    assert replica.outputs["bucketRegionalDomainName"].endswith(".s3.us-west-2.amazonaws.com")
    (rule,) = config.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": ""}
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["destination"] == {
        "bucket": replica.outputs["arn"],
        "storageClass": "STANDARD_IA",
        "encryptionConfiguration": {"replicaKmsKeyId": DR_KEY},
    }
    # S3 needs versioning on both sides first.
    for bucket in (source, replica):
        assert (
            _one_of_bucket(tier, "aws:s3/bucketVersioning:BucketVersioning", bucket).urn
            in config.dependencies
        )
    # The replica bucket and every piece of its hardening live in the DR region.
    replica_parts = [r for r in tier if r.custom and r.inputs.get("bucket") == replica.outputs["bucket"]]
    assert len(replica_parts) == 7 and all(_provider_region(tier, r) == "us-west-2" for r in replica_parts)


def test_the_replication_role_reaches_only_the_two_buckets_and_keys() -> None:
    tier = dr_region_storage()
    buckets = {_role(b): b for b in tier.of_type(BUCKET)}
    source, replica = buckets["backups"], buckets["backups-replica"]
    config = tier.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    role = tier.one("aws:iam/role:Role", "replication")
    assert config.inputs["role"] == role.outputs["arn"]
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
    policy = json.loads(tier.one("aws:iam/rolePolicy:RolePolicy", "replication").inputs["policy"])
    resources = {s["Sid"]: s["Resource"] for s in policy["Statement"]}
    assert resources == {
        "ReadSourceConfiguration": source.outputs["arn"],
        "ReadSourceVersions": f"{source.outputs['arn']}/*",
        "WriteReplica": f"{replica.outputs['arn']}/*",
        "DecryptSource": DATA_KEY,
        "EncryptReplica": DR_KEY,
    }


def test_replication_without_dr_wiring_fails_clearly() -> None:
    cfg = _dr_region_cfg()
    with pytest.raises(
        Exception, match=r"buckets \['backups'\] replicate to the DR region, which needs dr_provider"
    ):
        build(cfg.storage, dr_provider=None)


# --- CDN ---------------------------------------------------------------------------------------------


def test_cdn_serves_the_assets_bucket_through_origin_access_control(tier: Graph) -> None:
    buckets = {_role(b): b for b in tier.of_type(BUCKET)}
    distribution = tier.one(DISTRIBUTION)
    oac = tier.one("aws:cloudfront/originAccessControl:OriginAccessControl")
    assert (oac.inputs["originAccessControlOriginType"], oac.inputs["signingBehavior"]) == ("s3", "always")
    assert oac.inputs["signingProtocol"] == "sigv4"
    (origin,) = distribution.inputs["origins"]
    assert origin["domainName"] == buckets["assets"].outputs["bucketRegionalDomainName"]
    assert origin["originAccessControlId"] == oac.id
    assert "s3OriginConfig" not in origin  # no legacy origin access identity
    behavior = distribution.inputs["defaultCacheBehavior"]
    assert behavior["targetOriginId"] == origin["originId"]
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert distribution.inputs["webAclId"] == WEB_ACL
    assert distribution.inputs["priceClass"] == {"dev": "PriceClass_100", "staging": "PriceClass_100"}.get(
        tier.stack, "PriceClass_All"
    )
    # The bucket grants read to this distribution only.
    grant = _statement(_policy(tier, buckets["assets"]), "AllowCloudFrontRead")
    assert grant["Principal"] == {"Service": "cloudfront.amazonaws.com"} and grant["Action"] == "s3:GetObject"
    assert grant["Resource"] == f"{buckets['assets'].outputs['arn']}/*"
    assert grant["Condition"] == {"StringEquals": {"AWS:SourceArn": distribution.outputs["arn"]}}
    for role in ROLES - {"assets"}:
        assert "AllowCloudFrontRead" not in {s.get("Sid") for s in _policy(tier, buckets[role])["Statement"]}


def test_cdn_without_a_domain_uses_the_cloudfront_certificate() -> None:
    """Storage built alone without a domain (every stack has one; the component does not insist)."""
    tier = build(StorageArgs(), hosted_zone_id=None)
    distribution = tier.one(DISTRIBUTION)
    assert distribution.inputs["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert distribution.inputs.get("aliases", []) == []
    assert tier.of_type(CERTIFICATE) == [] and tier.of_type(RECORD) == []
    outputs = tier.component_outputs[tier.one("quantumvest:storage:Storage").urn]
    assert outputs["cdn_domain_name"] == distribution.outputs["domainName"]
    assert outputs["certificate_arns"] == {}


def test_cdn_access_logs_go_to_the_log_bucket_through_standard_logging_v2(tier: Graph) -> None:
    distribution = tier.one(DISTRIBUTION)
    assert "loggingConfig" not in distribution.inputs  # legacy logging needs ACLs on the log bucket
    logs = next(b for b in tier.of_type(BUCKET) if _role(b) == "logs")
    source = tier.one("aws:cloudwatch/logDeliverySource:LogDeliverySource")
    destination = tier.one("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")
    delivery = tier.one("aws:cloudwatch/logDelivery:LogDelivery")
    assert (
        source.inputs["resourceArn"] == distribution.outputs["arn"]
        and source.inputs["logType"] == "ACCESS_LOGS"
    )
    assert destination.inputs["deliveryDestinationConfiguration"] == {
        "destinationResourceArn": f"{logs.outputs['arn']}/cloudfront"
    }
    assert delivery.inputs["deliverySourceName"] == source.outputs["name"]
    assert delivery.inputs["deliveryDestinationArn"] == destination.outputs["arn"]
    for resource in (source, destination, delivery):
        assert (
            _provider_region(tier, resource) == "us-east-1" and graph_provider_name(tier, resource) == "use1"
        )
    log_policy = _one_of_bucket(tier, POLICY, logs)
    assert log_policy.urn in delivery.dependencies
    write = _statement(json.loads(log_policy.inputs["policy"]), "AllowCloudFrontLogDeliveryWrite")
    assert write["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
    assert write["Resource"] == f"{logs.outputs['arn']}/cloudfront/AWSLogs/123456789012/*"
    assert write["Condition"]["ArnLike"] == {
        "aws:SourceArn": "arn:aws:logs:us-east-1:123456789012:delivery-source:*"
    }


def graph_provider_name(graph: Graph, resource: Resource) -> str | None:
    provider = graph.provider_of(resource)
    return provider.name if provider else None


def test_cdn_needs_the_us_east_1_provider_and_a_web_acl() -> None:
    with pytest.raises(Exception, match="the CDN needs us_east_1_provider"):
        build(StorageArgs(), cloudfront_web_acl_arn=None)


def test_cdn_can_be_turned_off() -> None:
    args = StorageArgs.model_validate({"cdn": {"enabled": False}, "buckets": {"logs": {}, "assets": {}}})
    graph = build(args, us_east_1_provider=None, cloudfront_web_acl_arn=None)
    assert graph.of_type(DISTRIBUTION) == []
    assert graph.of_type("aws:cloudwatch/logDelivery:LogDelivery") == []
    assert (
        graph.component_outputs[graph.one("quantumvest:storage:Storage").urn].get("cdn_domain_name") is None
    )
    assert {b.inputs["tags"]["Role"] for b in graph.of_type(BUCKET)} == {"logs", "assets"}


# --- DNS and certificates ----------------------------------------------------------------------------


def test_certificates_are_dns_validated_in_the_right_regions(with_domain: Graph) -> None:
    graph = with_domain
    certificates = {c.inputs["domainName"]: c for c in graph.of_type(CERTIFICATE)}
    assert set(certificates) == {"api.quantumvest.com", "www.quantumvest.com", "assets.quantumvest.com"}
    for fqdn, certificate in certificates.items():
        assert certificate.inputs["validationMethod"] == "DNS"
        expected_region = "us-east-1" if fqdn.startswith("assets.") else "eu-west-1"
        assert f":acm:{expected_region}:" in certificate.outputs["arn"]
        option = certificate.outputs["domainValidationOptions"][0]
        record = next(r for r in graph.of_type(RECORD) if r.inputs["name"] == option["resourceRecordName"])
        assert record.inputs["zoneId"] == ZONE_ID
        assert (record.inputs["type"], record.inputs["records"]) == ("CNAME", [option["resourceRecordValue"]])
        validation = next(
            v
            for v in graph.of_type("aws:acm/certificateValidation:CertificateValidation")
            if v.inputs["certificateArn"] == certificate.outputs["arn"]
        )
        assert validation.inputs["validationRecordFqdns"] == [record.outputs["fqdn"]]
        assert graph.provider_of(validation) == graph.provider_of(certificate)
    outputs = graph.component_outputs[graph.one("quantumvest:storage:Storage").urn]
    assert set(outputs["certificate_arns"]) == {"api", "www", "assets"}
    assert outputs["certificate_arns"]["assets"] == certificates["assets.quantumvest.com"].outputs["arn"]


def test_cdn_on_its_own_host_enforces_tls_1_2_and_gets_alias_records(with_domain: Graph) -> None:
    graph = with_domain
    distribution = graph.one(DISTRIBUTION)
    cdn_certificate = next(
        c for c in graph.of_type(CERTIFICATE) if c.inputs["domainName"] == "assets.quantumvest.com"
    )
    assert distribution.inputs["aliases"] == ["assets.quantumvest.com"]
    assert distribution.inputs["viewerCertificate"] == {
        "acmCertificateArn": cdn_certificate.outputs["arn"],
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": "TLSv1.2_2021",
    }
    aliases = [r for r in graph.of_type(RECORD) if r.inputs["name"] == "assets.quantumvest.com"]
    assert sorted(r.inputs["type"] for r in aliases) == ["A", "AAAA"]
    for record in aliases:
        assert record.inputs["zoneId"] == ZONE_ID
        assert record.inputs["aliases"] == [
            {
                "name": distribution.outputs["domainName"],
                "zoneId": distribution.outputs["hostedZoneId"],
                "evaluateTargetHealth": False,
            }
        ]


def test_certificates_need_the_zone_they_validate_through() -> None:
    args = StorageArgs.model_validate({"dns": {"domain": "quantumvest.com"}})
    with pytest.raises(Exception, match="pass hosted_zone_id"):
        build(args, hosted_zone_id=None)


# --- ALB access logs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "principal"),
    [
        ("us-east-1", {"AWS": "arn:aws:iam::127311923021:root"}),
        ("eu-west-1", {"AWS": "arn:aws:iam::156460612806:root"}),
        # Regions available from August 2022 on deliver from the service principal.
        ("eu-central-2", {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}),
    ],
)
def test_the_log_bucket_admits_alb_access_logs_under_their_prefix_only(region: str, principal: dict) -> None:
    graph = build(StorageArgs.model_validate({"buckets": {"logs": {}, "assets": {}}}), region=region)
    logs = next(b for b in graph.of_type(BUCKET) if _role(b) == "logs")
    statement = _statement(_policy(graph, logs), "AllowAlbAccessLogs")
    assert statement["Principal"] == principal
    assert statement["Action"] == "s3:PutObject"
    assert statement["Resource"] == f"{logs.outputs['arn']}/alb/AWSLogs/123456789012/*"
    outputs = graph.component_outputs[graph.one("quantumvest:storage:Storage").urn]
    assert outputs["log_bucket_name"] == logs.outputs["bucket"]


# --- EFS ---------------------------------------------------------------------------------------------


def test_efs_is_encrypted_with_the_data_key_and_backed_up(tier: Graph) -> None:
    file_system = tier.one("aws:efs/fileSystem:FileSystem")
    assert file_system.inputs["encrypted"] is True and file_system.inputs["kmsKeyId"] == DATA_KEY
    assert file_system.inputs["lifecyclePolicies"] == [
        {"transitionToIa": "AFTER_7_DAYS" if tier.stack == "dev" else "AFTER_30_DAYS"},
        {"transitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ]
    backup = tier.one("aws:efs/backupPolicy:BackupPolicy")
    assert backup.inputs == {"fileSystemId": file_system.id, "backupPolicy": {"status": "ENABLED"}}
    policy = json.loads(tier.one("aws:efs/fileSystemPolicy:FileSystemPolicy").inputs["policy"])
    deny = next(s for s in policy["Statement"] if s["Effect"] == "Deny")
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    allow = next(s for s in policy["Statement"] if s["Effect"] == "Allow")
    assert allow["Condition"] == {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}}
    assert "elasticfilesystem:ClientRootAccess" not in allow["Action"]


def test_efs_mounts_in_each_private_subnet_behind_an_nfs_only_group(tier: Graph) -> None:
    file_system = tier.one("aws:efs/fileSystem:FileSystem")
    group = tier.one("aws:ec2/securityGroup:SecurityGroup", "efs")
    mounts = tier.of_type("aws:efs/mountTarget:MountTarget")
    assert sorted(m.inputs["subnetId"] for m in mounts) == SUBNETS
    assert all(
        m.inputs["fileSystemId"] == file_system.id and m.inputs["securityGroups"] == [group.id]
        for m in mounts
    )
    assert group.inputs.get("ingress", []) == []  # rules are separate resources, listed below
    (rule,) = tier.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rule.inputs["securityGroupId"] == group.id
    assert (rule.inputs["ipProtocol"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("tcp", 2049, 2049)
    assert rule.inputs["referencedSecurityGroupId"] == NODES_SG
    assert "cidrIpv4" not in rule.inputs and "cidrIpv6" not in rule.inputs


def test_efs_access_point_pins_a_non_root_identity_and_directory(tier: Graph) -> None:
    file_system = tier.one("aws:efs/fileSystem:FileSystem")
    access_point = tier.one("aws:efs/accessPoint:AccessPoint")
    assert access_point.inputs["fileSystemId"] == file_system.id
    assert access_point.inputs["posixUser"] == {"uid": 1000, "gid": 1000}
    assert access_point.inputs["rootDirectory"] == {
        "path": "/model-artifacts",
        "creationInfo": {"ownerUid": 1000, "ownerGid": 1000, "permissions": "0750"},
    }
    outputs = tier.component_outputs[tier.one("quantumvest:storage:Storage").urn]
    assert outputs["efs_file_system_id"] == file_system.id and file_system.id.startswith("fs-")
    assert outputs["efs_access_point_id"] == access_point.id


def test_children_are_named_after_the_component(tier: Graph) -> None:
    storage = tier.one("quantumvest:storage:Storage")
    children = tier.children(storage.urn)
    assert children and all(child.name.startswith("storage-") for child in children)
    assert {r.parent for r in tier if r.custom and not r.type.startswith("pulumi:providers:")} == {
        storage.urn
    }
