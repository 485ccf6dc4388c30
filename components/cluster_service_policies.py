"""IAM permissions of the cluster services that call AWS, each scoped as tightly as the service allows.

Pure functions returning policy JSON (no Pulumi), so the scoping is unit-tested. Resource-level scoping:
the cluster autoscaler may only resize groups tagged for this cluster; cert-manager and external-dns may
only change records in the configured hosted zone; external-secrets may only read the secrets listed
(or this account's secrets in this region) and decrypt through Secrets Manager. The AWS Load Balancer
Controller's statements are the controller's published policy at the version the program installs
(:data:`LBC_POLICY_VERSION`), with the one narrowing its installation guide recommends (see
:func:`load_balancer_controller_policy`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .iam import policy_document
from .versions import chart_version


def cluster_autoscaler_policy(cluster_name: str) -> str:
    """Read every group; resize or terminate only groups tagged ``k8s.io/cluster-autoscaler/<cluster>``."""
    return policy_document(
        {
            "Sid": "Discover",
            "Effect": "Allow",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ResizeOwnGroupsOnly",
            "Effect": "Allow",
            "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
            },
        },
    )


def route53_dns01_policy(partition: str, zone_id: str) -> str:
    """cert-manager's DNS-01 solver: TXT records in one hosted zone, and polling its own changes."""
    return policy_document(
        {
            "Sid": "PollChanges",
            "Effect": "Allow",
            "Action": "route53:GetChange",
            "Resource": f"arn:{partition}:route53:::change/*",
        },
        {
            "Sid": "ChallengeRecordsInTheZone",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": f"arn:{partition}:route53:::hostedzone/{zone_id}",
            "Condition": {
                "ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}
            },
        },
        {
            "Sid": "ReadTheZone",
            "Effect": "Allow",
            "Action": "route53:ListResourceRecordSets",
            "Resource": f"arn:{partition}:route53:::hostedzone/{zone_id}",
        },
        {
            "Sid": "FindTheZone",
            "Effect": "Allow",
            "Action": "route53:ListHostedZonesByName",
            "Resource": "*",
        },
    )


def external_dns_policy(partition: str, zone_id: str) -> str:
    """external-dns: records in one hosted zone; listing zones to find it."""
    return policy_document(
        {
            "Sid": "RecordsInTheZone",
            "Effect": "Allow",
            "Action": [
                "route53:ChangeResourceRecordSets",
                "route53:ListResourceRecordSets",
                "route53:ListTagsForResources",
            ],
            "Resource": f"arn:{partition}:route53:::hostedzone/{zone_id}",
        },
        {
            "Sid": "ListZones",
            "Effect": "Allow",
            "Action": ["route53:ListHostedZones", "route53:ListTagsForResource"],
            "Resource": "*",
        },
    )


def external_secrets_policy(secret_arns: Sequence[str], kms_key_arn: str | None, region: str) -> str:
    """Read (never write) the listed Secrets Manager secrets; decrypt only through Secrets Manager."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadSecrets",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "secretsmanager:GetResourcePolicy",
                "secretsmanager:ListSecretVersionIds",
            ],
            "Resource": list(secret_arns),
        }
    ]
    if kms_key_arn:
        statements.append(
            {
                "Sid": "DecryptThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            }
        )
    return policy_document(*statements)


_LB_TAG = "elbv2.k8s.aws/cluster"

#: The controller release whose ``docs/install/iam_policy.json`` the statements below reproduce:
#: kubernetes-sigs/aws-load-balancer-controller tag v3.5.0 (commit 11eb202c97e4ae2ee45e0658c4cde9a4b59f33d4,
#: chart 3.5.0). A copy of that file is ``tests/data/aws-load-balancer-controller-iam-policy-v3.5.0.json``;
#: a test compares the two. Bump both with the chart.
LBC_POLICY_VERSION = f"v{chart_version('aws-load-balancer-controller')}"  # chart 3.5.0 = controller v3.5.0


def load_balancer_controller_policy(partition: str, cluster_name: str) -> str:
    """The AWS Load Balancer Controller's IAM policy at :data:`LBC_POLICY_VERSION`.

    Describe freely; create load balancers, target groups and security groups only with the
    ``elbv2.k8s.aws/cluster`` tag; modify or delete only what carries it. One change from the published
    file, the narrowing its installation guide (``docs/deploy/installation.md`` at the same tag)
    recommends: the rules the controller adds to the *targets'* security group (``SecurityGroupRules``,
    unconditioned upstream) are allowed only on groups tagged ``kubernetes.io/cluster/<cluster_name>``,
    which is exactly the group the controller looks for on a target ENI (the EKS cluster security
    group). Without it the controller could open any group in the account, the database's included.
    """
    elb = f"arn:{partition}:elasticloadbalancing:*:*"
    owned = {"Null": {f"aws:ResourceTag/{_LB_TAG}": "false"}}
    return policy_document(
        {
            "Sid": "ServiceLinkedRole",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {
            "Sid": "Describe",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeRouteTables",
                "ec2:DescribeIpamPools",
                "ec2:GetCoipPoolUsage",
                "ec2:DescribeCoipPools",
                "ec2:GetSecurityGroupsForVpc",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeCapacityReservation",
            ],
            "Resource": "*",
        },
        {
            "Sid": "CertificatesWafShield",
            "Effect": "Allow",
            "Action": [
                "cognito-idp:DescribeUserPoolClient",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "iam:ListServerCertificates",
                "iam:GetServerCertificate",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
                "shield:CreateProtection",
                "shield:DeleteProtection",
            ],
            "Resource": "*",
        },
        {
            "Sid": "SecurityGroupRules",
            "Effect": "Allow",
            "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            "Resource": "*",
            "Condition": {"Null": {f"aws:ResourceTag/kubernetes.io/cluster/{cluster_name}": "false"}},
        },
        {
            "Sid": "CreateSecurityGroup",
            "Effect": "Allow",
            "Action": "ec2:CreateSecurityGroup",
            "Resource": "*",
        },
        {
            "Sid": "TagNewSecurityGroups",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": f"arn:{partition}:ec2:*:*:security-group/*",
            "Condition": {
                "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                "Null": {f"aws:RequestTag/{_LB_TAG}": "false"},
            },
        },
        {
            "Sid": "RetagOwnSecurityGroups",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": f"arn:{partition}:ec2:*:*:security-group/*",
            "Condition": {
                "Null": {f"aws:RequestTag/{_LB_TAG}": "true", f"aws:ResourceTag/{_LB_TAG}": "false"}
            },
        },
        {
            "Sid": "ChangeOwnSecurityGroups",
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            "Resource": "*",
            "Condition": owned,
        },
        {
            "Sid": "CreateTaggedLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            "Resource": "*",
            "Condition": {"Null": {f"aws:RequestTag/{_LB_TAG}": "false"}},
        },
        {
            "Sid": "ListenersAndRules",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            "Resource": "*",
        },
        {
            "Sid": "RetagOwnLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": [
                f"{elb}:targetgroup/*/*",
                f"{elb}:loadbalancer/net/*/*",
                f"{elb}:loadbalancer/app/*/*",
            ],
            "Condition": {
                "Null": {f"aws:RequestTag/{_LB_TAG}": "true", f"aws:ResourceTag/{_LB_TAG}": "false"}
            },
        },
        {
            "Sid": "TagListenersAndRules",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": [
                f"{elb}:listener/net/*/*/*",
                f"{elb}:listener/app/*/*/*",
                f"{elb}:listener-rule/net/*/*/*",
                f"{elb}:listener-rule/app/*/*/*",
            ],
        },
        {
            "Sid": "ChangeOwnLoadBalancers",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
                "elasticloadbalancing:ModifyIpPools",
            ],
            "Resource": "*",
            "Condition": owned,
        },
        {
            "Sid": "TagOnCreate",
            "Effect": "Allow",
            "Action": "elasticloadbalancing:AddTags",
            "Resource": [
                f"{elb}:targetgroup/*/*",
                f"{elb}:loadbalancer/net/*/*",
                f"{elb}:loadbalancer/app/*/*",
            ],
            "Condition": {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]
                },
                "Null": {f"aws:RequestTag/{_LB_TAG}": "false"},
            },
        },
        {
            "Sid": "Targets",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            "Resource": f"{elb}:targetgroup/*/*",
        },
        {
            "Sid": "ListenerSettings",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:SetWebAcl",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            "Resource": "*",
        },
    )


#: Metric namespaces the CloudWatch agent of the amazon-cloudwatch-observability add-on publishes to.
CLOUDWATCH_AGENT_NAMESPACES = ("CWAgent", "ContainerInsights", "ContainerInsights/Prometheus")


def cloudwatch_agent_policy(partition: str, region: str, account: str, cluster_name: str) -> str:
    """The CloudWatch agent (Container Insights) scoped to this cluster, instead of
    CloudWatchAgentServerPolicy's log and metric writes on ``*``: metrics only in the agent's
    namespaces (``cloudwatch:namespace``), log groups only under ``/aws/containerinsights/<cluster>/``,
    SSM parameters only ``AmazonCloudWatch-*`` of this account. X-Ray trace writes stay on ``*``: X-Ray
    has no resource type and no condition key for them (listed in the policy pack's allowlist)."""
    log_groups = f"arn:{partition}:logs:{region}:{account}:log-group:/aws/containerinsights/{cluster_name}/*"
    return policy_document(
        {
            "Sid": "MetricsInAgentNamespaces",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": list(CLOUDWATCH_AGENT_NAMESPACES)}},
        },
        {
            "Sid": "ClusterLogGroups",
            "Effect": "Allow",
            "Action": [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "logs:PutRetentionPolicy",
                "logs:DescribeLogStreams",
            ],
            "Resource": [log_groups, f"{log_groups}:log-stream:*"],
        },
        {
            "Sid": "Discover",
            "Effect": "Allow",
            "Action": [
                "logs:DescribeLogGroups",
                "ec2:DescribeVolumes",
                "ec2:DescribeTags",
                "xray:GetSamplingRules",
                "xray:GetSamplingTargets",
                "xray:GetSamplingStatisticSummaries",
            ],
            "Resource": "*",
        },
        {
            "Sid": "Traces",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        },
        {
            "Sid": "AgentConfiguration",
            "Effect": "Allow",
            "Action": "ssm:GetParameter",
            "Resource": f"arn:{partition}:ssm:{region}:{account}:parameter/AmazonCloudWatch-*",
        },
    )
