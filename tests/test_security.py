"""The Security component alone (with DR and us-east-1 providers, and with features switched off) and in
each stack: keys, WAF, CloudTrail, GuardDuty, ECR, application secrets, backups and the budget."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.key_policies import DATA_KEY_SERVICES
from components.security import (
    AppSecretsArgs,
    BackupArgs,
    BudgetArgs,
    CloudTrailArgs,
    EcrArgs,
    GuardDutyArgs,
    Security,
    SecurityArgs,
    WafArgs,
    derive_prefix,
)
from components.waf_rules import MANAGED_RULE_GROUPS
from config import load_stack_file
from tests.dr_region import dr_region_graph
from tests.helpers import REPO as REPO_ROOT
from tests.helpers import rejected
from tools.harness import Graph, run
from tools.harness.invokes import ACCOUNT_ID

KEY = "aws:kms/key:Key"
ALIAS = "aws:kms/alias:Alias"
ACL = "aws:wafv2/webAcl:WebAcl"
ACL_LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TRAIL = "aws:cloudtrail/trail:Trail"
REPO = "aws:ecr/repository:Repository"
SECRET = "aws:secretsmanager/secret:Secret"
VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
BUDGET = "aws:budgets/budget:Budget"

KEEP_IMAGES = {"dev": 10, "staging": 20, "prod": 50}
BACKUP_RETENTION = {"dev": 7, "staging": 30, "prod": 30}
DELETION_WINDOW = {"dev": 7, "staging": 14, "prod": 30}


def statements(policy_json: str) -> list[dict[str, Any]]:
    return json.loads(policy_json)["Statement"]


def _is_wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws_principal = principal.get("AWS")
        return aws_principal == "*" or (isinstance(aws_principal, list) and "*" in aws_principal)
    return False


def unconditioned_wildcards(policy_json: str) -> list[dict[str, Any]]:
    """Allow statements whose principal is ``*`` and that do not pin the caller to this account."""
    bad = []
    for statement in statements(policy_json):
        if statement["Effect"] != "Allow" or not _is_wildcard(statement.get("Principal")):
            continue
        equals = statement.get("Condition", {}).get("StringEquals", {})
        if equals.get("kms:CallerAccount") != ACCOUNT_ID or not equals.get("kms:ViaService"):
            bad.append(statement)
    return bad


def region_of(graph: Graph, resource) -> str:
    return graph.provider_of(resource).inputs["region"]


# --- the component alone --------------------------------------------------------------------------


FULL_ARGS = SecurityArgs(
    alias_prefix="qv-test",
    waf=WafArgs(rate_limit=750, count_only_rules={"AWSManagedRulesCommonRuleSet": ["SizeRestrictions_BODY"]}),
    ecr=EcrArgs(repositories=["api", "web"], keep_images=7),
    app_secrets=AppSecretsArgs(services={"api": ["SECRET_KEY", "JWT_SIGNING_KEY"], "web": ["SESSION_KEY"]}),
    budget=BudgetArgs(alert_emails=["ops@example.com"], cost_filter_tags={"CostCenter": "qv"}),
)


def _full_program() -> None:
    primary = aws.Provider("primary", region="eu-west-1")
    dr = aws.Provider("dr", region="eu-central-1")
    edge = aws.Provider("edge", region="us-east-1")
    Security(
        "sec",
        FULL_ARGS,
        dr_provider=dr,
        us_east_1_provider=edge,
        opts=pulumi.ResourceOptions(providers={"aws": primary}),
    )


@pytest.fixture(scope="module")
def full() -> Graph:
    """Security with a DR provider and a us-east-1 provider, primary region eu-west-1."""
    return run(_full_program, region="eu-west-1")


@pytest.fixture(scope="module")
def minimal() -> Graph:
    """Security with every switchable feature off and no extra providers."""
    args = SecurityArgs(
        cloudtrail=CloudTrailArgs(enabled=False),
        guardduty=GuardDutyArgs(enabled=False),
        backup=BackupArgs(enabled=False),
        budget=BudgetArgs(enabled=False),
        ecr=EcrArgs(repositories=[]),
        app_secrets=AppSecretsArgs(services={}),
    )
    return run(lambda: Security("sec", args))


def test_dr_data_key_lives_in_the_dr_region_with_a_policy_for_that_region(full: Graph) -> None:
    dr_key = full.named("sec-dr-data-key")
    assert region_of(full, dr_key) == "eu-central-1"
    assert dr_key.outputs["arn"].startswith("arn:aws:kms:eu-central-1:")
    (via,) = [
        s for s in statements(dr_key.inputs["policy"]) if s["Sid"] == "AccountPrincipalsThroughListedServices"
    ]
    assert "backup.eu-central-1.amazonaws.com" in via["Condition"]["StringEquals"]["kms:ViaService"]
    assert full.named("sec-dr-data-alias").inputs["name"] == "alias/qv-test-dr-data"


def test_primary_keys_are_built_for_the_primary_region(full: Graph) -> None:
    data = full.named("sec-data-key")
    assert region_of(full, data) == "eu-west-1"
    (via,) = [
        s for s in statements(data.inputs["policy"]) if s["Sid"] == "AccountPrincipalsThroughListedServices"
    ]
    assert via["Condition"]["StringEquals"]["kms:ViaService"] == [
        f"{service}.eu-west-1.amazonaws.com" for service in DATA_KEY_SERVICES
    ]


def test_cloudfront_acl_is_created_through_the_us_east_1_provider(full: Graph) -> None:
    acls = {acl.inputs["scope"]: acl for acl in full.of_type(ACL)}
    assert set(acls) == {"REGIONAL", "CLOUDFRONT"}
    assert region_of(full, acls["CLOUDFRONT"]) == "us-east-1"
    assert region_of(full, acls["REGIONAL"]) == "eu-west-1"
    # Its logs stay in us-east-1 too, encrypted with a key of that region.
    logging = full.one(ACL_LOGGING, "cloudfront")
    group = full.one(LOG_GROUP, "cloudfront-waf-logs")
    edge_key = full.named("sec-edge-logs-key")
    assert logging.inputs["logDestinationConfigs"] == [group.outputs["arn"]]
    assert region_of(full, logging) == region_of(full, group) == region_of(full, edge_key) == "us-east-1"
    assert group.inputs["kmsKeyId"] == edge_key.outputs["arn"]


def test_configured_rate_limit_and_count_overrides_reach_the_rules(full: Graph) -> None:
    rules = {r["name"]: r for r in full.one(ACL, "regional").inputs["rules"]}
    assert rules["RateLimitPerIp"]["statement"]["rateBasedStatement"]["limit"] == 750
    common = rules["AWSManagedRulesCommonRuleSet"]["statement"]["managedRuleGroupStatement"]
    assert common["ruleActionOverrides"] == [{"name": "SizeRestrictions_BODY", "actionToUse": {"count": {}}}]
    sqli = rules["AWSManagedRulesSQLiRuleSet"]["statement"]["managedRuleGroupStatement"]
    assert "ruleActionOverrides" not in sqli


def test_backups_copy_to_a_vault_in_the_dr_region_encrypted_with_the_dr_key(full: Graph) -> None:
    dr_vault = full.named("sec-dr-backup-vault")
    assert region_of(full, dr_vault) == "eu-central-1"
    assert dr_vault.inputs["kmsKeyArn"] == full.named("sec-dr-data-key").outputs["arn"]
    (rule,) = full.one(PLAN).inputs["rules"]
    assert rule["copyActions"] == [
        {"destinationVaultArn": dr_vault.outputs["arn"], "lifecycle": {"deleteAfter": 30}}
    ]


def test_one_repository_and_one_secret_per_configured_service(full: Graph) -> None:
    repos = {r.inputs["name"]: r for r in full.of_type(REPO)}
    assert set(repos) == {"qv-test/api", "qv-test/web"}
    policies = full.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    keep = [json.loads(p.inputs["policy"])["rules"][-1]["selection"] for p in policies]
    assert keep == [{"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 7}] * 2
    secrets = {s.name: s for s in full.of_type(SECRET)}
    assert set(secrets) == {"sec-api-secret", "sec-web-secret"}
    web_value = full.named("sec-web-secret-value")
    assert set(json.loads(web_value.inputs["secretString"])) == {"SESSION_KEY"}


def test_switched_off_features_create_nothing(minimal: Graph) -> None:
    for token in (TRAIL, "aws:guardduty/detector:Detector", VAULT, PLAN, SELECTION, BUDGET, REPO, SECRET):
        assert minimal.of_type(token) == []
    # Without a DR or us-east-1 provider: three keys in one region and one ACL.
    assert len(minimal.of_type(KEY)) == 3
    assert [a.inputs["scope"] for a in minimal.of_type(ACL)] == ["REGIONAL"]
    # Without a trail, the logs key does not mention CloudTrail.
    logs_key = minimal.named("sec-logs-key")
    assert "cloudtrail" not in logs_key.inputs["policy"]


def test_alias_prefix_defaults_to_the_component_name(minimal: Graph) -> None:
    assert {a.inputs["name"] for a in minimal.of_type(ALIAS)} == {
        "alias/sec-data",
        "alias/sec-logs",
        "alias/sec-secrets",
    }


def test_guardduty_features_follow_their_switches() -> None:
    args = SecurityArgs(guardduty=GuardDutyArgs(rds_protection=False), budget=BudgetArgs(enabled=False))
    graph = run(lambda: Security("sec", args))
    features = {
        f.inputs["name"]: f.inputs["status"]
        for f in graph.of_type("aws:guardduty/detectorFeature:DetectorFeature")
    }
    assert features == {
        "EKS_AUDIT_LOGS": "ENABLED",
        "S3_DATA_EVENTS": "ENABLED",
        "RDS_LOGIN_EVENTS": "DISABLED",
    }


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("quantumvest", "prod"), "quantumvest-prod"),
        (("QV", "Dev_2.x"), "qv-dev-2-x"),
        (("a" * 60,), "a" * 40),
        (("awsome", "dev"), "p-awsome-dev"),
        (("--",), "p"),
    ],
)
def test_derive_prefix_is_a_lowercase_bounded_label(parts: tuple[str, ...], expected: str) -> None:
    assert derive_prefix(*parts) == expected


# --- every stack ----------------------------------------------------------------------------------


def test_every_key_rotates_and_has_an_explicit_policy_without_unconditioned_wildcards(graph: Graph) -> None:
    keys = graph.of_type(KEY)
    # data, logs, secrets; + the CDN's logs key in us-east-1 (CDN on in every tier). prod's DR keys moved to
    # its standby, prod-dr (issue 22; tests/test_dr.py); a stack with platform.dr_region has them (below).
    assert len(keys) == 4
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["rotationPeriodInDays"] == 365
        assert key.inputs["deletionWindowInDays"] == DELETION_WINDOW[graph.stack]
        assert key.protect == (graph.stack == "prod")
        assert unconditioned_wildcards(key.inputs["policy"]) == []
        for statement in statements(key.inputs["policy"]):
            if "Service" in statement["Principal"]:
                assert statement.get("Condition"), statement["Sid"]


def test_wildcard_check_catches_a_bare_star_principal() -> None:
    bare = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}
    )
    assert len(unconditioned_wildcards(bare)) == 1


def test_aliases_name_platform_stack_and_data_class(graph: Graph) -> None:
    aliases = {a.inputs["name"] for a in graph.of_type(ALIAS)}
    expected = {f"alias/quantumvest-{graph.stack}-{c}" for c in ("data", "logs", "secrets", "edge-logs")}
    assert aliases == expected
    keys = {k.urn: k for k in graph.of_type(KEY)}
    targets = {a.inputs["targetKeyId"] for a in graph.of_type(ALIAS)}
    assert targets == {k.outputs["keyId"] for k in keys.values()}


def test_logs_key_lets_cloudwatch_logs_and_this_trail_use_it(graph: Graph) -> None:
    logs_key = graph.named("quantumvest-security-logs-key")
    trail = graph.one(TRAIL)
    by_sid = {s["Sid"]: s for s in statements(logs_key.inputs["policy"])}
    logs = by_sid["CloudWatchLogsEncryptsThisAccountsLogGroups"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == (
        f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:*"
    )
    for sid in ("CloudTrailEncryptsThisTrailsLogFiles", "CloudTrailDescribesTheKey"):
        assert by_sid[sid]["Condition"]["StringEquals"]["aws:SourceArn"] == trail.outputs["arn"]
    assert by_sid["LogDeliveryForThisAccount"]["Condition"]["StringEquals"] == {
        "aws:SourceAccount": ACCOUNT_ID
    }


def test_flow_logs_are_encrypted_with_the_logs_key(graph: Graph) -> None:
    flow_group = graph.named("quantumvest-network-flow-logs")
    assert flow_group.inputs["kmsKeyId"] == graph.named("quantumvest-security-logs-key").outputs["arn"]


def test_regional_acl_has_rate_rule_managed_groups_visibility_and_logging(graph: Graph) -> None:
    acl = graph.one(ACL, "regional")
    assert acl.inputs["scope"] == "REGIONAL"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    rules = sorted(acl.inputs["rules"], key=lambda r: r["priority"])
    assert len({r["priority"] for r in rules}) == len(rules)
    rate = [r for r in rules if r["name"] == "RateLimitPerIp"]
    assert len(rate) == 1
    assert rate[0]["statement"]["rateBasedStatement"] == {
        "limit": 2000,
        "evaluationWindowSec": 300,
        "aggregateKeyType": "IP",
    }
    assert "block" in rate[0]["action"]
    groups = [
        r["statement"]["managedRuleGroupStatement"]
        for r in rules
        if "managedRuleGroupStatement" in r["statement"]
    ]
    assert [g["name"] for g in groups] == list(MANAGED_RULE_GROUPS)
    assert {g["vendorName"] for g in groups} == {"AWS"}
    assert all(
        r["overrideAction"] == {"none": {}} for r in rules if "managedRuleGroupStatement" in r["statement"]
    )
    for config in [acl.inputs["visibilityConfig"], *(r["visibilityConfig"] for r in rules)]:
        assert (
            config["cloudwatchMetricsEnabled"] and config["sampledRequestsEnabled"] and config["metricName"]
        )

    logging = graph.one(ACL_LOGGING, "regional")
    group = graph.one(LOG_GROUP, "regional-waf-logs")
    assert logging.inputs["resourceArn"] == acl.outputs["arn"]
    assert logging.inputs["logDestinationConfigs"] == [group.outputs["arn"]]
    assert group.inputs["namePrefix"].startswith("aws-waf-logs-")
    assert group.inputs["kmsKeyId"] == graph.named("quantumvest-security-logs-key").outputs["arn"]
    assert {f["singleHeader"]["name"] for f in logging.inputs["redactedFields"]} == {
        "authorization",
        "cookie",
    }


def _path_rule(acl_rules: list[dict], suffix: str) -> dict:
    (found,) = [r for r in acl_rules if r["name"] == f"RateLimitPath{suffix}"]
    return found


def test_seed_004_per_path_limits_are_waf_rate_rules_per_minute_scoped_to_host_and_path(graph: Graph) -> None:
    domain = load_stack_file(REPO_ROOT / f"Pulumi.{graph.stack}.yaml").platform.domain
    rules = graph.one(ACL, "regional").inputs["rules"]
    # req/s x 60 s: the shortest WAF window (components/waf_rules.py).
    expected = {"Api": 6000, "Auth": 300, "Uploads": 60, "General": 600}
    for suffix, limit in expected.items():
        rate = _path_rule(rules, suffix)["statement"]["rateBasedStatement"]
        assert (rate["limit"], rate["evaluationWindowSec"], rate["aggregateKeyType"]) == (limit, 60, "IP")
        assert _path_rule(rules, suffix)["action"] == {"block": {"customResponse": {"responseCode": 429}}}

    def matches(statement: dict) -> list[tuple[bool, str, str]]:
        inner = statement.get("andStatement", {}).get("statements", [statement])
        found = []
        for part in inner:
            negated = "notStatement" in part
            byte = (part["notStatement"]["statement"] if negated else part)["byteMatchStatement"]
            found.append((negated, byte["positionalConstraint"], byte["searchString"]))
        return found

    scope = {
        s: matches(_path_rule(rules, s)["statement"]["rateBasedStatement"]["scopeDownStatement"])
        for s in expected
    }
    assert scope["Uploads"] == [(False, "EXACTLY", f"api.{domain}"), (False, "STARTS_WITH", "/upload")]
    assert scope["Auth"] == [(False, "EXACTLY", f"api.{domain}"), (False, "STARTS_WITH", "/auth")]
    # The API's own limit does not count what the auth and upload limits count (the most specific path wins).
    assert scope["Api"] == [
        (False, "EXACTLY", f"api.{domain}"),
        (True, "STARTS_WITH", "/auth"),
        (True, "STARTS_WITH", "/upload"),
    ]
    assert scope["General"] == [(False, "EXACTLY", f"www.{domain}")]
    cdn_rules = graph.one(ACL, "cloudfront").inputs["rules"]
    assert not [r for r in cdn_rules if r["name"].startswith("RateLimitPath")]


def test_per_path_limits_need_a_public_host_and_waf_s_lowest_limit(tmp_path) -> None:
    message = rejected(
        tmp_path,
        "dev",
        {
            "security": {
                "waf": {"path_rate_limits": [{"name": "Admin", "host": "admin", "requests_per_second": 1}]}
            }
        },
    )
    assert "security.waf.path_rate_limits[0].host = admin: one of the load balancer's hosts" in message
    message = rejected(
        tmp_path,
        "dev",
        {
            "security": {
                "waf": {
                    "path_rate_limits": [
                        {"name": "Slow", "host": "api", "requests_per_second": 1, "window_seconds": 60},
                        {"name": "Slow", "host": "www", "requests_per_second": 1},
                    ]
                }
            }
        },
    )
    assert "path_rate_limits[1].name = Slow: names are unique" in message


def test_regional_acl_arn_is_a_stack_output(graph: Graph) -> None:
    assert graph.outputs["regionalWebAclArn"] == graph.one(ACL, "regional").outputs["arn"]
    assert ":regional/webacl/" in graph.outputs["regionalWebAclArn"]


def test_cloudtrail_is_multi_region_validated_encrypted_and_delivered_to_s3_and_logs(graph: Graph) -> None:
    trail = graph.one(TRAIL)
    logs_key = graph.named("quantumvest-security-logs-key")
    bucket = graph.one("aws:s3/bucket:Bucket", "trail-bucket")
    group = graph.one(LOG_GROUP, "trail-logs")
    role = graph.one("aws:iam/role:Role", "trail-logs-role")
    assert trail.inputs["isMultiRegionTrail"] is True
    assert trail.inputs["includeGlobalServiceEvents"] is True
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    assert trail.inputs["s3BucketName"] == bucket.id
    assert trail.inputs["cloudWatchLogsGroupArn"] == group.outputs["arn"] + ":*"
    assert trail.inputs["cloudWatchLogsRoleArn"] == role.outputs["arn"]
    assert group.inputs["kmsKeyId"] == logs_key.outputs["arn"]
    # CloudTrail checks the bucket policy when the trail is created: it must come first.
    policy = graph.one("aws:s3/bucketPolicy:BucketPolicy", "trail-policy")
    assert policy.urn in graph.depends_on(trail)


def test_trail_bucket_admits_only_this_trail_over_tls(graph: Graph) -> None:
    trail = graph.one(TRAIL)
    bucket = graph.one("aws:s3/bucket:Bucket", "trail-bucket")
    policy = graph.one("aws:s3/bucketPolicy:BucketPolicy", "trail-policy")
    by_sid = {s["Sid"]: s for s in statements(policy.inputs["policy"])}
    assert by_sid["CloudTrailWrite"]["Resource"] == f"{bucket.outputs['arn']}/AWSLogs/{ACCOUNT_ID}/*"
    for sid in ("CloudTrailAclCheck", "CloudTrailWrite"):
        assert by_sid[sid]["Condition"]["StringEquals"]["aws:SourceArn"] == trail.outputs["arn"]
    deny = by_sid["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    block = graph.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "trail-public-access")
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.inputs[flag] is True
    (sse,) = graph.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "trail"
    ).inputs["rules"]
    assert sse["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    versioning = graph.one("aws:s3/bucketVersioning:BucketVersioning", "trail")
    assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert bucket.protect == (graph.stack == "prod")


def test_guardduty_detector_with_eks_s3_and_rds_protection(graph: Graph) -> None:
    detector = graph.one("aws:guardduty/detector:Detector")
    features = graph.of_type("aws:guardduty/detectorFeature:DetectorFeature")
    assert {f.inputs["name"]: f.inputs["status"] for f in features} == {
        "EKS_AUDIT_LOGS": "ENABLED",
        "S3_DATA_EVENTS": "ENABLED",
        "RDS_LOGIN_EVENTS": "ENABLED",
    }
    assert {f.inputs["detectorId"] for f in features} == {detector.id}


def test_ecr_repositories_scan_on_push_immutable_kms_and_keep_last_n(graph: Graph) -> None:
    repos = graph.of_type(REPO)
    assert sorted(r.inputs["name"] for r in repos) == [
        f"quantumvest-{graph.stack}/{service}" for service in ("backend", "frontend", "model-serving")
    ]
    data_key = graph.named("quantumvest-security-data-key")
    for repo in repos:
        assert repo.inputs["imageScanningConfiguration"] == {"scanOnPush": True}
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["encryptionConfigurations"] == [
            {"encryptionType": "KMS", "kmsKey": data_key.outputs["arn"]}
        ]
        (lifecycle,) = [
            p
            for p in graph.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
            if p.inputs["repository"] == repo.outputs["name"]
        ]
        rules = json.loads(lifecycle.inputs["policy"])["rules"]
        assert rules[-1]["selection"]["tagStatus"] == "any"  # ECR requires 'any' to be the last rule
        assert rules[-1]["selection"]["countNumber"] == KEEP_IMAGES[graph.stack]
    assert graph.outputs["ecrRepositoryUrls"]["backend"].endswith(f"/quantumvest-{graph.stack}/backend")


def test_app_secrets_are_generated_encrypted_with_the_secrets_key_and_kept_secret(graph: Graph) -> None:
    secrets_key = graph.named("quantumvest-security-secrets-key")
    security = graph.one("quantumvest:security:Security")
    (secret,) = [s for s in graph.of_type(SECRET) if s.parent == security.urn]
    assert secret.inputs["kmsKeyId"] == secrets_key.outputs["arn"]
    (version,) = [
        v for v in graph.of_type("aws:secretsmanager/secretVersion:SecretVersion") if v.parent == security.urn
    ]
    assert version.inputs["secretId"] == secret.id
    assert "secretString" in version.secret_paths
    values = json.loads(version.inputs["secretString"])
    passwords = {
        p.outputs["result"]
        for p in graph.of_type("random:index/randomPassword:RandomPassword")
        if p.parent == security.urn
    }
    assert set(values) == {"SECRET_KEY", "JWT_SIGNING_KEY"}
    assert set(values.values()) == passwords and all(len(v) == 64 for v in values.values())
    assert graph.outputs["appSecretArns"] == {"backend": secret.outputs["arn"]}


def test_backup_plan_daily_with_tier_retention_and_selections(graph: Graph) -> None:
    vault = graph.named("quantumvest-security-backup-vault")
    assert vault.inputs["kmsKeyArn"] == graph.named("quantumvest-security-data-key").outputs["arn"]
    (rule,) = graph.one(PLAN).inputs["rules"]
    assert rule["schedule"] == "cron(0 5 ? * * *)"
    assert rule["targetVaultName"] == vault.outputs["name"]
    assert rule["lifecycle"] == {"deleteAfter": BACKUP_RETENTION[graph.stack]}
    by_arn = graph.one(SELECTION, "by-arn")
    volumes = graph.one(SELECTION, "volumes")
    assert by_arn.inputs["planId"] == volumes.inputs["planId"] == graph.one(PLAN).id
    # The data stores by their own ARNs (components/backup.py), the CSI volumes by the tag they carry.
    assert sorted(arn.split(":")[2] for arn in by_arn.inputs["resources"]) == [
        "elasticfilesystem",
        "rds",
        "s3",
        "s3",
        "s3",
    ]
    assert volumes.inputs["resources"] == ["arn:aws:ec2:*:*:volume/*"]
    assert volumes.inputs["conditions"] == [
        {"stringEquals": [{"key": "aws:ResourceTag/backup-plan", "value": f"quantumvest-{graph.stack}"}]}
    ]
    role = graph.one("aws:iam/role:Role", "backup-role")
    assert by_arn.inputs["iamRoleArn"] == volumes.inputs["iamRoleArn"] == role.outputs["arn"]
    assert graph.outputs["backupVaultName"] == vault.outputs["name"]


def test_a_dr_region_stack_copies_backups_to_a_vault_in_the_dr_region(graphs: dict[str, Graph]) -> None:
    for stack in ("dev", "staging"):
        (rule,) = graphs[stack].one(PLAN).inputs["rules"]
        assert not rule.get("copyActions")
        assert len(graphs[stack].of_type(VAULT)) == 1
    prod = (
        dr_region_graph()
    )  # prod with platform.dr_region, no standby (prod itself copies to prod-dr's vault)
    (rule,) = prod.one(PLAN).inputs["rules"]
    dr_vault = prod.named("quantumvest-security-dr-backup-vault")
    assert rule["copyActions"] == [
        {"destinationVaultArn": dr_vault.outputs["arn"], "lifecycle": {"deleteAfter": 30}}
    ]
    assert region_of(prod, dr_vault) == "us-west-2"
    assert dr_vault.inputs["kmsKeyArn"] == prod.named("quantumvest-security-dr-data-key").outputs["arn"]
    assert dr_vault.protect


def test_dr_provider_carries_the_same_default_tags(graphs: dict[str, Graph]) -> None:
    prod = dr_region_graph()
    primary = prod.named("quantumvest-aws")
    dr = prod.named("quantumvest-aws-dr")
    assert dr.inputs["region"] == "us-west-2"
    assert dr.inputs["defaultTags"] == primary.inputs["defaultTags"]
    assert graphs["dev"].of_type("pulumi:providers:aws") == [graphs["dev"].named("quantumvest-aws")]


def test_monthly_budget_alerts_at_80_and_100_percent_forecast_and_actual(graph: Graph) -> None:
    budget = graph.one(BUDGET)
    assert budget.inputs["budgetType"] == "COST" and budget.inputs["timeUnit"] == "MONTHLY"
    assert budget.inputs["limitUnit"] == "USD"
    alerts = {(n["notificationType"], n["threshold"]) for n in budget.inputs["notifications"]}
    assert alerts == {(kind, pct) for kind in ("FORECASTED", "ACTUAL") for pct in (80, 100)}
    for notification in budget.inputs["notifications"]:
        assert notification["thresholdType"] == "PERCENTAGE"
        assert notification["comparisonOperator"] == "GREATER_THAN"
        assert notification["subscriberEmailAddresses"] == ["platform-alerts@quantumvest.com"]
    assert budget.inputs["costFilters"] == [
        {"name": "TagKeyValue", "values": [f"user:CostCenter$quantumvest-{graph.stack}"]}
    ]


def test_security_children_are_named_after_the_component(graph: Graph) -> None:
    security = graph.one("quantumvest:security:Security")
    children = graph.children(security.urn)
    assert children
    assert all(child.name.startswith(security.name + "-") for child in children)


def test_every_resource_has_an_explicit_provider(graph: Graph) -> None:
    """Stack files disable default providers (random's too): a resource without one fails at deploy."""
    explicit = {p.urn for p in graph if p.type.startswith("pulumi:providers:")}
    for resource in graph:
        if resource.custom and not resource.type.startswith("pulumi:providers:"):
            assert resource.provider in explicit, resource.name
    assert graph.provider_of(graph.of_type("random:index/randomPassword:RandomPassword")[0]).type == (
        "pulumi:providers:random"
    )
