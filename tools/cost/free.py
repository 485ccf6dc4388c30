"""The types that cost nothing by themselves (their cost, if any, shows up on another resource).

One table of data: a type that is neither here nor priced by a rule in :mod:`tools.cost.rules` is
listed as *not priced*, never silently zero.
"""

from __future__ import annotations

from tools.harness import Resource

#: Types that cost nothing by themselves (their cost, if any, shows up on another resource).
FREE_TYPES = {
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
    "aws:ec2/defaultRouteTable:DefaultRouteTable",
    "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/networkAclRule:NetworkAclRule",
    "aws:ec2/networkAclAssociation:NetworkAclAssociation",
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
    "aws:ec2/vpnGateway:VpnGateway",
    "aws:ec2/vpnGatewayRoutePropagation:VpnGatewayRoutePropagation",
    "aws:ec2/vpnGatewayAttachment:VpnGatewayAttachment",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/keyPair:KeyPair",
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:rds/globalCluster:GlobalCluster",
    "aws:rds/optionGroup:OptionGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:elasticache/user:User",
    "aws:elasticache/userGroup:UserGroup",
    "aws:elasticache/userGroupAssociation:UserGroupAssociation",
    "aws:kms/alias:Alias",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:kms/grant:Grant",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "aws:wafv2/ipSet:IpSet",
    "aws:wafv2/regexPatternSet:RegexPatternSet",
    "aws:wafv2/ruleGroup:RuleGroup",
    "aws:cloudwatch/logStream:LogStream",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    # The two ends of a vended-log delivery: the charge is on the LogDelivery (tools.cost.rules.monitoring).
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:route53/record:Record",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:efs/mountTarget:MountTarget",
    "aws:efs/accessPoint:AccessPoint",
    "aws:efs/backupPolicy:BackupPolicy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
    "aws:eks/addon:Addon",
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    "aws:eks/identityProviderConfig:IdentityProviderConfig",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/cachePolicy:CachePolicy",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:backup/plan:Plan",
    "aws:backup/selection:Selection",
    "aws:backup/vaultPolicy:VaultPolicy",
    "aws:ssm/parameter:Parameter",
    "aws:budgets/budget:Budget",
    "aws:guardduty/detectorFeature:DetectorFeature",
    # Issue 16: selections, tag activation and Cost Anomaly Detection carry no charge of their own
    # (AWS Cost Management pricing: anomaly detection is free); a restore test's cost is on its plan.
    "aws:backup/restoreTestingSelection:RestoreTestingSelection",
    "aws:costexplorer/costAllocationTag:CostAllocationTag",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
    "aws:costexplorer/anomalySubscription:AnomalySubscription",
    # Access to the private API (the admin Client VPN, the CodeBuild runner): usage-priced elsewhere.
    "aws:ec2clientvpn/authorizationRule:AuthorizationRule",
    "aws:codebuild/webhook:Webhook",
}


#: Whole modules with no charge of their own.
FREE_PREFIXES = (
    "aws:iam/",
    "aws:s3/bucket",  # bucket sub-configurations (policy, versioning, encryption...); Bucket itself is priced
    "pulumi:providers:",
    "random:",
    "tls:",
    "command:",
)


def is_free(resource: Resource) -> bool:
    if not resource.custom or resource.type in FREE_TYPES or resource.type.startswith(FREE_PREFIXES):
        return True
    # Kubernetes objects run on the priced nodes; those that create AWS resources have pricers above.
    return resource.type.startswith("kubernetes:")
