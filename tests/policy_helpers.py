"""Weaken a graph one hardening setting at a time and see which guardrail fires.

:data:`HARDENINGS` lists the settings the earlier issues require (RDS storage encryption, the WAF
association, a pod's ``runAsNonRoot``, the S3 TLS-only policy, …) as *(type, path, weakened value,
rule id, message)*. :func:`weaken` returns a copy of a graph with one setting removed or changed;
:func:`fired` says which rules now report something they did not before. The tests apply every entry
to the hardened reference graph and, for the types a stack already has, to each real stack — so when a
component lands, its hardening is checked in dev, staging and prod without a new test. Extend the list
when a component adds a setting a rule relies on.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from components.guardrails import PolicyException
from policy import evaluate
from policy.model import Finding, Rule
from policy.rules import RULES, RULES_BY_ID
from policy.rules import tokens as t
from tools.harness import Graph, Resource

#: The date the tests judge expiry and EKS support by (never the real clock).
TODAY = date(2026, 11, 22)


class _Remove:
    def __repr__(self) -> str:
        return "REMOVE"


#: ``weakened=REMOVE`` deletes the setting; ``path=None`` deletes the whole resource.
REMOVE: Any = _Remove()

_TOKEN = re.compile(r'\.?([A-Za-z0-9_$-]+)|\[(\d+)\]|\["([^"]+)"\]')


def _parse(path: str) -> list[str | int]:
    parts: list[str | int] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if not match:
            raise ValueError(f"cannot parse path {path!r} at {position}")
        name, index, quoted = match.groups()
        parts.append(int(index) if index is not None else (quoted if quoted is not None else name))
        position = match.end()
    return parts


def _set(root: Any, parts: list[str | int], value: Any) -> None:
    *parents, last = parts
    node = root
    for part in parents:
        node = node.setdefault(part, {}) if isinstance(part, str) and isinstance(node, dict) else node[part]
    if value is REMOVE:
        if isinstance(last, int):
            del node[last]
        else:
            node.pop(last, None)
    elif isinstance(last, int) and isinstance(node, list) and last >= len(node):
        node.append(value)  # adding an entry (a leaked secret env) to a shorter list
    else:
        node[last] = value


def _get(root: Any, parts: list[str | int]) -> Any:
    node = root
    for part in parts:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def setting(resource: Resource, path: str) -> Any:
    """The current value at ``path`` (``options.protect`` reads options; anything else, inputs)."""
    parts = _parse(path)
    if parts[0] == "options":
        return _get(resource.options, parts[1:])
    return _get(resource.inputs, parts)


def weaken(graph: Graph, name: str, path: str | None, value: Any = REMOVE) -> Graph:
    """A copy of ``graph`` in which resource ``name`` loses ``path`` (or gets ``value``); ``path=None``
    removes the resource. ``options.protect`` addresses resource options; other paths, inputs."""
    resources = []
    for resource in graph.resources:
        if resource.name != name:
            resources.append(resource)
            continue
        if path is None:
            continue
        parts = _parse(path)
        if parts[0] == "options":
            options = copy.deepcopy(resource.options)
            _set(options, parts[1:], value)
            resources.append(dataclasses.replace(resource, options=options))
        else:
            inputs = copy.deepcopy(resource.inputs)
            _set(inputs, parts, value)
            dependencies = dict(resource.property_dependencies)
            if len(parts) == 1:  # a replaced top-level input no longer depends on anything
                dependencies.pop(str(parts[0]), None)
            resources.append(dataclasses.replace(resource, inputs=inputs, property_dependencies=dependencies))
    return Graph(stack=graph.stack, resources=resources, outputs=graph.outputs)


def _key(finding: Finding) -> tuple[str, str | None, str]:
    return finding.rule_id, finding.resource_name, finding.message


def findings(
    graph: Graph,
    environment: str = "prod",
    exceptions: Iterable[PolicyException] = (),
    rules: Sequence[Rule] = RULES,
) -> list[Finding]:
    return evaluate(graph, environment, list(exceptions), today=TODAY, rules=rules)


def fired(
    before: Graph | list[Finding], after: Graph, environment: str = "prod", *, rule: str | None = None
) -> list[Finding]:
    """The findings ``after`` has that ``before`` had not (what a weakening made fire).

    ``before`` may be its findings already computed (a caller weakening one graph many times computes
    them once). ``rule`` evaluates ``after`` with that rule alone: a resource or stack rule's findings
    do not depend on the other rules' (only the config rules read other findings, and a hardening is
    never judged by one), so asking "does this rule fire?" does not need the whole pack each time.
    """
    selected = RULES if rule is None else (RULES_BY_ID[rule],)
    if rule is not None and selected[0].scope == "config":
        raise ValueError(f"{rule} reads the other rules' findings: evaluate the whole pack")
    before_findings = findings(before, environment) if isinstance(before, Graph) else before
    known = {_key(f) for f in before_findings}
    return [f for f in findings(after, environment, rules=selected) if _key(f) not in known]


@dataclass(frozen=True)
class Hardening:
    """A setting a rule relies on: removing it (or setting ``weakened``) must make ``rule`` fire."""

    rule: str
    type: str
    path: str | None
    message: str
    weakened: Any = REMOVE
    applies: Callable[[Graph, Resource], bool] | None = None

    @property
    def label(self) -> str:
        what = self.path or "(the resource)"
        return f"{self.rule}:{self.type.rsplit(':', 1)[-1]}:{what}"

    def targets(self, graph: Graph) -> list[Resource]:
        """The resources of ``graph`` this weakening applies to (those that have the setting)."""
        found = []
        for resource in graph.of_type(self.type):
            if self.applies is not None and not self.applies(graph, resource):
                continue
            if self.path is not None and self.weakened is REMOVE and setting(resource, self.path) is None:
                continue
            found.append(resource)
        return found

    def apply(self, graph: Graph, resource: Resource) -> Graph:
        return weaken(graph, resource.name, self.path, self.weakened)


def _is_log_target(graph: Graph, bucket: Any) -> bool:
    """S3 access logs land only in SSE-S3 buckets, so AES256 is right for a log target."""
    return any(
        logging.inputs.get("targetBucket") == bucket
        for logging in graph.of_type("aws:s3/bucketLogging:BucketLogging")
    )


def _primary(graph: Graph, resource: Resource) -> bool:
    return not resource.inputs.get("replicateSourceDb")


def _several(graph: Graph, resource: Resource) -> bool:
    return len(graph.of_type(resource.type)) >= 2


_POD = "spec.template.spec"
_C0 = f"{_POD}.containers[0]"
_ANNOTATION = 'metadata.annotations["alb.ingress.kubernetes.io/{}"]'
_WORLD_SSH = [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


_ADMIN_DOC = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
_OPEN_TRUST = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}'

#: A budget filtering on a tag nothing carries: the tags the stack's resources carry are load-bearing.
_FOREIGN_COST_FILTER = [{"name": "TagKeyValue", "values": ["user:CostCenter$someone-else"]}]

HARDENINGS: tuple[Hardening, ...] = (
    # Coverage (issue 16): each removes one covering piece.
    Hardening("backup-coverage", "aws:backup/selection:Selection", None, "is selected by no backup plan"),
    Hardening(
        "scrape-coverage",
        "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
        None,
        "nothing scrapes",
    ),
    Hardening(
        "alert-routing", "aws:cloudwatch/metricAlarm:MetricAlarm", "alarmActions", "has no alarm action"
    ),
    Hardening(
        "cost-attribution", "aws:budgets/budget:Budget", "costFilters", "the budget", _FOREIGN_COST_FILTER
    ),
    # RDS
    Hardening(
        "rds-storage-encrypted",
        t.RDS_INSTANCE,
        "storageEncrypted",
        "storage is not encrypted",
        False,
        _primary,
    ),
    Hardening("rds-storage-encrypted", t.RDS_INSTANCE, "kmsKeyId", "AWS-managed key", applies=_primary),
    Hardening("rds-storage-encrypted", t.RDS_CLUSTER, "storageEncrypted", "storage is not encrypted", False),
    Hardening("rds-not-public", t.RDS_INSTANCE, "publiclyAccessible", "publiclyAccessible is true", True),
    Hardening(
        "rds-not-public", t.RDS_CLUSTER_INSTANCE, "publiclyAccessible", "publiclyAccessible is true", True
    ),
    Hardening(
        "rds-deletion-protection", t.RDS_INSTANCE, "deletionProtection", "deletionProtection is not enabled"
    ),
    Hardening(
        "rds-deletion-protection", t.RDS_CLUSTER, "deletionProtection", "deletionProtection is not enabled"
    ),
    Hardening("rds-multi-az", t.RDS_INSTANCE, "multiAz", "multiAz is not enabled", applies=_primary),
    Hardening(
        "rds-multi-az", t.RDS_CLUSTER_INSTANCE, None, "Multi-AZ needs a writer and a reader", applies=_several
    ),
    Hardening(
        "rds-backup-retention",
        t.RDS_INSTANCE,
        "backupRetentionPeriod",
        "3 day(s); prod needs at least 7",
        3,
        _primary,
    ),
    Hardening("rds-backup-retention", t.RDS_CLUSTER, "backupRetentionPeriod", "not set (AWS default: 1 day)"),
    Hardening(
        "rds-iam-auth", t.RDS_INSTANCE, "iamDatabaseAuthenticationEnabled", "iamDatabaseAuthenticationEnabled"
    ),
    Hardening("rds-logs-exported", t.RDS_INSTANCE, "enabledCloudwatchLogsExports", "no logs are exported"),
    Hardening("rds-logs-exported", t.RDS_CLUSTER, "enabledCloudwatchLogsExports", "no logs are exported"),
    Hardening("rds-force-ssl", t.RDS_PARAMETER_GROUP, "parameters", "does not set rds.force_ssl", []),
    Hardening(
        "rds-force-ssl", t.RDS_INSTANCE, "parameterGroupName", "default parameter group", applies=_primary
    ),
    Hardening(
        "rds-force-ssl",
        t.RDS_CLUSTER_PARAMETER_GROUP,
        "parameters",
        "does not set rds.force_ssl",
        [],
    ),
    Hardening(
        "rds-auto-minor-upgrade", t.RDS_INSTANCE, "autoMinorVersionUpgrade", "security patches wait", False
    ),
    Hardening(
        "rds-auto-minor-upgrade",
        t.RDS_CLUSTER_INSTANCE,
        "autoMinorVersionUpgrade",
        "security patches wait",
        False,
    ),
    Hardening(
        "rds-managed-master-password",
        t.RDS_INSTANCE,
        "manageMasterUserPassword",
        "no rotated secret",
        applies=_primary,
    ),
    Hardening(
        "rds-managed-master-password",
        t.RDS_CLUSTER,
        "masterPassword",
        "sets the master password",
        "hunter2hunter2",
    ),
    # ElastiCache
    Hardening(
        "elasticache-encrypted-at-rest",
        t.CACHE_REPLICATION_GROUP,
        "atRestEncryptionEnabled",
        "atRestEncryptionEnabled is not true",
        False,
    ),
    Hardening("elasticache-encrypted-at-rest", t.CACHE_REPLICATION_GROUP, "kmsKeyId", "AWS-managed key"),
    Hardening(
        "elasticache-in-transit-auth",
        t.CACHE_REPLICATION_GROUP,
        "transitEncryptionEnabled",
        "plain text",
        False,
    ),
    Hardening("elasticache-in-transit-auth", t.CACHE_REPLICATION_GROUP, "authToken", "no AUTH token"),
    Hardening(
        "elasticache-failover-multi-az",
        t.CACHE_REPLICATION_GROUP,
        "automaticFailoverEnabled",
        "automaticFailoverEnabled",
        False,
    ),
    Hardening("elasticache-failover-multi-az", t.CACHE_REPLICATION_GROUP, "multiAzEnabled", "multiAzEnabled"),
    Hardening(
        "elasticache-failover-multi-az", t.CACHE_REPLICATION_GROUP, "numCacheClusters", "a single node", 1
    ),
    Hardening(
        "elasticache-snapshots", t.CACHE_REPLICATION_GROUP, "snapshotRetentionLimit", "no automatic snapshots"
    ),
    # EKS
    Hardening("eks-endpoint-restricted", t.EKS_CLUSTER, "vpcConfig.publicAccessCidrs", "public to 0.0.0.0/0"),
    Hardening("eks-secrets-encrypted", t.EKS_CLUSTER, "encryptionConfig", "not envelope-encrypted"),
    Hardening(
        "eks-control-plane-logs", t.EKS_CLUSTER, "enabledClusterLogTypes", "audit, authenticator", ["api"]
    ),
    Hardening(
        "eks-supported-version", t.EKS_CLUSTER, "version", "left EKS standard support on 2025-03-23", "1.29"
    ),
    Hardening("eks-supported-version", t.EKS_CLUSTER, "version", "not pinned"),
    Hardening("eks-node-hardening", t.EKS_NODE_GROUP, "launchTemplate", "no launch template"),
    Hardening("eks-node-hardening", t.EKS_NODE_GROUP, "remoteAccess", "opens SSH", {"ec2SshKey": "ops"}),
    Hardening(
        "eks-node-hardening",
        t.LAUNCH_TEMPLATE,
        "metadataOptions.httpTokens",
        "IMDSv2 is not required",
        "optional",
    ),
    Hardening(
        "eks-node-hardening",
        t.LAUNCH_TEMPLATE,
        "blockDeviceMappings[0].ebs.encrypted",
        "is not encrypted",
        "false",
    ),
    # S3
    Hardening(
        "s3-public-access-block",
        t.BUCKET_PUBLIC_ACCESS_BLOCK,
        "blockPublicPolicy",
        "leaves blockPublicPolicy off",
        False,
    ),
    Hardening("s3-public-access-block", t.BUCKET_PUBLIC_ACCESS_BLOCK, None, "no public access block"),
    Hardening(
        "s3-encryption-kms",
        t.BUCKET_ENCRYPTION[0],
        "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm",
        "AES256, not SSE-KMS",
        "AES256",
        applies=lambda graph, config: not _is_log_target(graph, config.inputs.get("bucket")),
    ),
    Hardening(
        "s3-encryption-kms",
        t.BUCKET_ENCRYPTION[0],
        "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId",
        "aws/s3 key",
    ),
    Hardening(
        "s3-versioning",
        t.BUCKET_VERSIONING[0],
        "versioningConfiguration.status",
        "versioning is not enabled",
        "Suspended",
    ),
    Hardening("s3-tls-only", t.BUCKET_POLICY, "policy", "aws:SecureTransport"),
    Hardening("s3-access-logging", t.BUCKET_LOGGING[0], None, "server access logging is off"),
    Hardening(
        "s3-backup-replication", t.BUCKET_REPLICATION, "rules[0].status", "does not replicate", "Disabled"
    ),
    # KMS
    Hardening("kms-key-rotation", t.KMS_KEY, "enableKeyRotation", "rotation is off"),
    Hardening("kms-key-policy", t.KMS_KEY, "policy", "no explicit key policy"),
    Hardening(
        "kms-key-policy",
        t.KMS_KEY,
        "policy",
        "allows principal '*' without a condition",
        '{"Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}',
    ),
    # Network
    Hardening("vpc-flow-logs", t.FLOW_LOG, None, "the VPC has no flow log"),
    Hardening("vpc-flow-logs", t.FLOW_LOG, "trafficType", "accepted traffic only", "ACCEPT"),
    Hardening("vpc-default-sg-closed", t.DEFAULT_SECURITY_GROUP, "ingress", "has ingress rules", _WORLD_SSH),
    Hardening("vpc-default-sg-closed", t.DEFAULT_SECURITY_GROUP, None, "keeps AWS's allow-all rules"),
    Hardening("sg-world-ingress-lb-only", t.SG_INGRESS_RULE, "cidrIpv4", "admits 0.0.0.0/0", "0.0.0.0/0"),
    Hardening(
        "sg-world-ingress-lb-only",
        t.SECURITY_GROUP,
        "ingress[0].fromPort",
        "may reach only 80 and 443",
        0,
        applies=lambda g, r: (
            bool(r.inputs.get("ingress")) and "0.0.0.0/0" in (r.inputs["ingress"][0].get("cidrBlocks") or [])
        ),
    ),
    Hardening(
        "db-port-not-public",
        t.SECURITY_GROUP,
        "ingress[0].cidrBlocks",
        "opens 5432 (PostgreSQL) to 0.0.0.0/0",
        ["0.0.0.0/0"],
        applies=lambda g, r: bool(r.inputs.get("ingress")) and r.inputs["ingress"][0].get("fromPort") == 5432,
    ),
    Hardening(
        "db-sg-ingress-within-vpc",
        t.SECURITY_GROUP_RULE,
        "cidrBlocks",
        "admits 192.168.0.0/16",
        ["192.168.0.0/16"],
    ),
    Hardening("nat-gateway-per-az", t.NAT_GATEWAY, None, "lose egress", applies=_several),
    # Edge
    Hardening("alb-behind-waf", t.WEB_ACL_ASSOCIATION, None, "no WAFv2 web ACL association"),
    Hardening(
        "alb-behind-waf",
        t.K8S_INGRESS,
        _ANNOTATION.format("wafv2-acl-arn"),
        "no alb.ingress.kubernetes.io/wafv2-acl-arn",
    ),
    Hardening("alb-behind-waf", t.CLOUDFRONT_DISTRIBUTION, "webAclId", "no web ACL"),
    Hardening("alb-behind-waf", t.K8S_LB_CONFIG, "spec.wafV2", "no web ACL (spec.wafV2.webACL)"),
    Hardening("waf-logging", t.WEB_ACL_LOGGING, None, "no logging configuration"),
    Hardening("waf-managed-rules", t.WEB_ACL, "rules[1]", "AWSManagedRulesKnownBadInputsRuleSet"),
    Hardening("waf-managed-rules", t.WEB_ACL, "rules[2]", "no rate-based rule"),
    Hardening("alb-https-tls12", t.K8S_INGRESS, _ANNOTATION.format("ssl-redirect"), "HTTP is not redirected"),
    Hardening(
        "alb-https-tls12",
        t.K8S_INGRESS,
        _ANNOTATION.format("ssl-policy"),
        "ELBSecurityPolicy-2016-08 (TLS 1.0)",
    ),
    Hardening(
        "alb-https-tls12",
        t.LISTENERS[0],
        "sslPolicy",
        "use a TLS 1.2+ policy",
        "ELBSecurityPolicy-2016-08",
        applies=lambda g, r: r.inputs.get("protocol") == "HTTPS",
    ),
    Hardening(
        "alb-https-tls12",
        t.LISTENERS[0],
        "defaultActions[0].type",
        "instead of redirecting",
        "forward",
        applies=lambda g, r: r.inputs.get("protocol") == "HTTP",
    ),
    Hardening(
        "alb-https-tls12",
        t.K8S_LB_CONFIG,
        "spec.listenerConfigurations[0].sslPolicy",
        "HTTPS:443 sslPolicy is ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-2016-08",
    ),
    Hardening(
        "alb-https-tls12",
        t.K8S_HTTP_ROUTE,
        "spec.parentRefs[0].sectionName",
        "serves traffic",
        "http",
        applies=lambda g, r: bool(r.inputs["spec"]["rules"][0].get("backendRefs")),
    ),
    Hardening(
        "alb-https-tls12",
        t.CLOUDFRONT_DISTRIBUTION,
        "defaultCacheBehavior.viewerProtocolPolicy",
        "allow-all",
        "allow-all",
    ),
    Hardening(
        "cloudfront-own-certificate",
        t.CLOUDFRONT_DISTRIBUTION,
        "viewerCertificate",
        "default *.cloudfront.net certificate",
        {"cloudfrontDefaultCertificate": True},
    ),
    Hardening(
        "cloudfront-own-certificate",
        t.CLOUDFRONT_DISTRIBUTION,
        "viewerCertificate.sslSupportMethod",
        "use sni-only",
        "vip",
    ),
    Hardening(
        "cloudfront-own-certificate",
        t.CLOUDFRONT_DISTRIBUTION,
        "viewerCertificate.minimumProtocolVersion",
        "minimumProtocolVersion is TLSv1.2_2019; use TLSv1.2_2021",
        "TLSv1.2_2019",
    ),
    Hardening(
        "alb-gateway-listeners",
        t.K8S_LB_CONFIG,
        "spec.listenerConfigurations[0].sslPolicy",
        "sslPolicy is not set, so the controller's default ELBSecurityPolicy-2016-08",
    ),
    Hardening(
        "alb-gateway-listeners",
        t.K8S_LB_CONFIG,
        "spec.listenerConfigurations[0].sslPolicy",
        "sslPolicy is ELBSecurityPolicy-TLS-1-2-2017-01; use ELBSecurityPolicy-TLS13",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
    ),
    Hardening(
        "alb-gateway-listeners", t.K8S_GATEWAY, "spec.listeners[1].port", "on port 8080: only port 80", 8080
    ),
    Hardening(
        "alb-gateway-listeners",
        t.K8S_HTTP_ROUTE,
        "spec.rules[0].filters",
        "serves plain HTTP on listener http instead of redirecting",
        applies=lambda g, r: setting(r, "spec.rules[0].filters") is not None,
    ),
    Hardening(
        "alb-gateway-listeners",
        t.K8S_HTTP_ROUTE,
        "spec.parentRefs[0].sectionName",
        "serves plain HTTP on listener http",
        applies=lambda g, r: setting(r, "spec.rules[0].backendRefs") is not None,
    ),
    # IAM and audit
    Hardening("iam-least-privilege", t.IAM_POLICY_DOCUMENTS[1], "policy", "allows every action", _ADMIN_DOC),
    Hardening(
        "iam-least-privilege",
        t.IAM_ATTACHMENTS[0],
        "policyArn",
        "attaches AdministratorAccess",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    ),
    Hardening(
        "iam-least-privilege", t.IAM_ROLE, "assumeRolePolicy", "anyone may assume the role", _OPEN_TRUST
    ),
    # IAM documents (issue 18): one flaw each
    Hardening(
        "iam-wildcard-write",
        t.IAM_POLICY_DOCUMENTS[1],
        "policy",
        "s3:DeleteBucket (Write) on '*' without a condition",
        _doc({"Effect": "Allow", "Action": "s3:DeleteBucket", "Resource": "*"}),
    ),
    Hardening(
        "iam-service-trust-confused-deputy",
        t.IAM_ROLE,
        "assumeRolePolicy",
        "vpc-flow-logs.amazonaws.com is let in without aws:SourceAccount/aws:SourceArn",
        _doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
    ),
    Hardening(
        "iam-workload-trust-one-service-account",
        t.IAM_ROLE,
        "assumeRolePolicy",
        "oidc.eks.us-east-1.amazonaws.com/id/REF:sub is not pinned to one service account",
        _doc(
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/REF"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringLike": {
                        "oidc.eks.us-east-1.amazonaws.com/id/REF:sub": "system:serviceaccount:apps:*"
                    },
                    "StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/REF:aud": "sts.amazonaws.com"},
                },
            }
        ),
    ),
    Hardening(
        "iam-no-not-action-allow",
        t.IAM_POLICY_DOCUMENTS[1],
        "policy",
        "Allow with NotAction grants everything not listed",
        _doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::ref-assets/*"}),
    ),
    Hardening(
        "iam-open-principal",
        t.KMS_KEY,
        "policy",
        "principal '*' without a condition that narrows it",
        _doc(
            {
                "Sid": "Anyone",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            }
        ),
    ),
    Hardening(
        "iam-condition-keys-apply",
        t.IAM_POLICY_DOCUMENTS[1],
        "policy",
        "condition key kms:EncryptionContext:aws:logs:arn does not apply to kms:DescribeKey",
        _doc(
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "arn:aws:kms:us-east-1:123456789012:key/ref",
                "Condition": {
                    "ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:*"}
                },
            }
        ),
    ),
    Hardening("cloudtrail-hardened", t.CLOUDTRAIL, "isMultiRegionTrail", "one region only", False),
    Hardening("cloudtrail-hardened", t.CLOUDTRAIL, "enableLogFileValidation", "log file validation is off"),
    Hardening("cloudtrail-hardened", t.CLOUDTRAIL, "kmsKeyId", "not encrypted with a KMS key"),
    # Pods
    Hardening("k8s-pod-baseline", t.K8S_DEPLOYMENT, f"{_POD}.hostNetwork", "hostNetwork is true", True),
    Hardening(
        "k8s-pod-baseline", t.K8S_DEPLOYMENT, f"{_C0}.securityContext.privileged", "is privileged", True
    ),
    Hardening(
        "k8s-pod-restricted", t.K8S_DEPLOYMENT, f"{_POD}.securityContext.runAsNonRoot", "may run as root"
    ),
    Hardening(
        "k8s-pod-restricted", t.K8S_DEPLOYMENT, f"{_POD}.securityContext.runAsUser", "sets no runAsUser"
    ),
    Hardening(
        "k8s-pod-restricted",
        t.K8S_DEPLOYMENT,
        f"{_C0}.securityContext.allowPrivilegeEscalation",
        "allows privilege escalation",
    ),
    Hardening(
        "k8s-pod-restricted", t.K8S_DEPLOYMENT, f"{_POD}.securityContext.seccompProfile", "unset (Unconfined)"
    ),
    Hardening(
        "k8s-pod-restricted",
        t.K8S_CRONJOB,
        "spec.jobTemplate.spec.template.spec.securityContext.runAsUser",
        "runs as UID 0",
        0,
    ),
    Hardening(
        "k8s-container-hardening",
        t.K8S_DEPLOYMENT,
        f"{_C0}.securityContext.capabilities",
        "does not drop ALL",
    ),
    Hardening(
        "k8s-container-hardening",
        t.K8S_DEPLOYMENT,
        f"{_C0}.securityContext.readOnlyRootFilesystem",
        "writable root filesystem",
    ),
    Hardening(
        "k8s-container-resources",
        t.K8S_DEPLOYMENT,
        f"{_C0}.resources.limits",
        "sets no limits.cpu, limits.memory",
    ),
    Hardening("k8s-container-resources", t.K8S_DEPLOYMENT, f"{_C0}.readinessProbe", "has no readinessProbe"),
    Hardening("k8s-image-pinned", t.K8S_DEPLOYMENT, f"{_C0}.image", "floats (latest)", "backend:latest"),
    Hardening("k8s-image-digest", t.K8S_DEPLOYMENT, f"{_C0}.image", "not pinned by digest", "backend:1.4.2"),
    Hardening(
        "k8s-pod-token-namespace",
        t.K8S_DEPLOYMENT,
        f"{_POD}.automountServiceAccountToken",
        "token is mounted",
    ),
    Hardening("k8s-pod-token-namespace", t.K8S_DEPLOYMENT, "metadata.namespace", "'default' namespace"),
    Hardening(
        "k8s-no-plaintext-secret-env",
        t.K8S_DEPLOYMENT,
        f"{_C0}.env[1]",
        "sets DATABASE_PASSWORD to a literal value",
        {"name": "DATABASE_PASSWORD", "value": "hunter2"},
    ),
    # Cluster objects
    Hardening(
        "k8s-network-policy",
        t.K8S_NETWORK_POLICY,
        None,
        "no default-deny NetworkPolicy",
        # a default deny selects every pod and allows nothing (allow-DNS policies also select every pod)
        applies=lambda g, r: (
            r.inputs.get("spec", {}).get("podSelector") in (None, {})
            and not r.inputs.get("spec", {}).get("ingress")
            and not r.inputs.get("spec", {}).get("egress")
        ),
    ),
    Hardening(
        "k8s-network-policy",
        t.K8S_NETWORK_POLICY,
        None,
        "no NetworkPolicy selects these pods",
        applies=lambda g, r: r.inputs.get("spec", {}).get("podSelector") not in (None, {}),
    ),
    Hardening("k8s-pdb", t.K8S_PDB, None, "no PodDisruptionBudget selects its pods"),
    Hardening(
        "k8s-zone-spread", t.K8S_DEPLOYMENT, f"{_POD}.topologySpreadConstraints", "not spread across zones"
    ),
    Hardening("k8s-hpa-target", t.K8S_HPA, "spec.scaleTargetRef.name", "names no workload", "nonexistent"),
    Hardening("k8s-hpa-target", t.K8S_HPA, "spec.metrics", "no metrics"),
    Hardening("k8s-rbac-least-privilege", t.K8S_ROLE, "rules[0].verbs", "uses '*' in verbs", ["*"]),
    Hardening(
        "k8s-rbac-least-privilege",
        t.K8S_CLUSTER_ROLE,
        "rules[0].resources",
        "reads every secret",
        ["secrets"],
    ),
    # State
    Hardening("state-protected", t.RDS_INSTANCE, "options.protect", "not protected", False),
    Hardening("state-protected", t.BUCKETS[0], "options.protect", "not protected", False),
    Hardening("state-protected", t.KMS_KEY, "options.protect", "not protected", False),
)
