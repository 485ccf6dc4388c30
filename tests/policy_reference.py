"""A fully hardened example of every resource type the guardrails read, built with the real SDKs.

Run under the harness (:func:`reference_graph`), it shows what the engine receives from a compliant
program: the camelCase property names the rules read come from pulumi-aws and pulumi-kubernetes
themselves, so a rule reading a misspelt property fails the "reference is clean" test. Each rule's
non-compliant case is this graph with one hardening setting removed (``tests/policy_helpers.py``).
It doubles as a reference for the components being built: this is what passes.
"""

from __future__ import annotations

import functools
import json

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from tools.harness import Graph, run

ACCOUNT = "123456789012"
VPC_CIDR = "10.0.0.0/16"
AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
KUBERNETES_VERSION = "1.35"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/backend:1.4.2@sha256:" + "a" * 64
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _key_policy() -> str:
    return _doc(
        {
            "Sid": "AccountRoot",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "ViaServicesInAccount",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "kms:CallerAccount": ACCOUNT,
                    "kms:ViaService": "rds.us-east-1.amazonaws.com",
                }
            },
        },
    )


def _network(protect: pulumi.ResourceOptions) -> dict:
    vpc = aws.ec2.Vpc("ref-vpc", cidr_block=VPC_CIDR, enable_dns_hostnames=True, enable_dns_support=True)
    aws.ec2.DefaultSecurityGroup("ref-default-sg", vpc_id=vpc.id)
    log_group = aws.cloudwatch.LogGroup("ref-flow-logs", retention_in_days=365)
    aws.ec2.FlowLog(
        "ref-flow-log",
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination=log_group.arn,
        iam_role_arn="arn:aws:iam::123456789012:role/flow",
    )
    public, private = [], []
    for index, zone in enumerate(AZS):
        public.append(
            aws.ec2.Subnet(
                f"ref-public-{index}", vpc_id=vpc.id, cidr_block=f"10.0.{index}.0/24", availability_zone=zone
            )
        )
        private.append(
            aws.ec2.Subnet(
                f"ref-private-{index}",
                vpc_id=vpc.id,
                cidr_block=f"10.0.{10 + index}.0/24",
                availability_zone=zone,
            )
        )
        eip = aws.ec2.Eip(f"ref-nat-eip-{index}", domain="vpc")
        aws.ec2.NatGateway(f"ref-nat-{index}", allocation_id=eip.id, subnet_id=public[index].id)
    alb_sg = aws.ec2.SecurityGroup(
        "ref-alb-sg",
        vpc_id=vpc.id,
        description="public ALB",
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"]
            ),
            aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=80, to_port=80, cidr_blocks=["0.0.0.0/0"]
            ),
        ],
    )
    app_sg = aws.ec2.SecurityGroup("ref-app-sg", vpc_id=vpc.id, description="application pods")
    db_sg = aws.ec2.SecurityGroup(
        "ref-db-sg",
        vpc_id=vpc.id,
        description="Postgres from the private subnets",
        ingress=[
            aws.ec2.SecurityGroupIngressArgs(
                protocol="tcp", from_port=5432, to_port=5432, cidr_blocks=["10.0.10.0/24"]
            )
        ],
    )
    aws.vpc.SecurityGroupIngressRule(
        "ref-db-from-app",
        security_group_id=db_sg.id,
        ip_protocol="tcp",
        from_port=5432,
        to_port=5432,
        referenced_security_group_id=app_sg.id,
    )
    cache_sg = aws.ec2.SecurityGroup("ref-cache-sg", vpc_id=vpc.id, description="Redis")
    aws.ec2.SecurityGroupRule(
        "ref-cache-from-vpc",
        type="ingress",
        security_group_id=cache_sg.id,
        protocol="tcp",
        from_port=6379,
        to_port=6379,
        cidr_blocks=[VPC_CIDR],
    )
    return {
        "vpc": vpc,
        "public": public,
        "private": private,
        "alb_sg": alb_sg,
        "db_sg": db_sg,
        "cache_sg": cache_sg,
    }


def _keys(protect: pulumi.ResourceOptions) -> aws.kms.Key:
    return aws.kms.Key(
        "ref-data-key",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=_key_policy(),
        opts=protect,
    )


def _databases(net: dict, key: aws.kms.Key, protect: pulumi.ResourceOptions) -> None:
    params = aws.rds.ParameterGroup(
        "ref-pg-params",
        family="postgres16",
        parameters=[aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1")],
    )
    subnets = aws.rds.SubnetGroup("ref-db-subnets", subnet_ids=[s.id for s in net["private"]])
    primary = aws.rds.Instance(
        "ref-db",
        engine="postgres",
        engine_version="16.4",
        instance_class="db.r6g.large",
        allocated_storage=100,
        storage_encrypted=True,
        kms_key_id=key.arn,
        publicly_accessible=False,
        deletion_protection=True,
        multi_az=True,
        backup_retention_period=14,
        iam_database_authentication_enabled=True,
        enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
        auto_minor_version_upgrade=True,
        manage_master_user_password=True,
        master_user_secret_kms_key_id=key.arn,
        username="quantumvest",
        parameter_group_name=params.id,
        db_subnet_group_name=subnets.name,
        vpc_security_group_ids=[net["db_sg"].id],
        opts=protect,
    )
    aws.rds.Instance(
        "ref-db-replica",
        replicate_source_db=primary.arn,
        instance_class="db.r6g.large",
        kms_key_id=key.arn,
        storage_encrypted=True,
        publicly_accessible=False,
        deletion_protection=True,
        iam_database_authentication_enabled=True,
        enabled_cloudwatch_logs_exports=["postgresql"],
        parameter_group_name=params.id,
        vpc_security_group_ids=[net["db_sg"].id],
        opts=protect,
    )
    cluster_params = aws.rds.ClusterParameterGroup(
        "ref-aurora-params",
        family="aurora-postgresql16",
        parameters=[aws.rds.ClusterParameterGroupParameterArgs(name="rds.force_ssl", value="1")],
    )
    cluster = aws.rds.Cluster(
        "ref-aurora",
        engine="aurora-postgresql",
        engine_version="16.4",
        storage_encrypted=True,
        kms_key_id=key.arn,
        deletion_protection=True,
        backup_retention_period=14,
        iam_database_authentication_enabled=True,
        enabled_cloudwatch_logs_exports=["postgresql"],
        manage_master_user_password=True,
        master_username="quantumvest",
        db_cluster_parameter_group_name=cluster_params.id,
        db_subnet_group_name=subnets.name,
        vpc_security_group_ids=[net["db_sg"].id],
        opts=protect,
    )
    for index in range(2):
        aws.rds.ClusterInstance(
            f"ref-aurora-{index}",
            cluster_identifier=cluster.id,
            engine="aurora-postgresql",
            instance_class="db.r6g.large",
            publicly_accessible=False,
            auto_minor_version_upgrade=True,
        )
    aws.elasticache.ReplicationGroup(
        "ref-cache",
        description="sessions and rate limits",
        engine="redis",
        node_type="cache.r6g.large",
        num_cache_clusters=3,
        automatic_failover_enabled=True,
        multi_az_enabled=True,
        at_rest_encryption_enabled=True,
        kms_key_id=key.arn,
        transit_encryption_enabled=True,
        auth_token="x" * 32,
        snapshot_retention_limit=7,
        security_group_ids=[net["cache_sg"].id],
        opts=protect,
    )


def _cluster(net: dict, key: aws.kms.Key) -> None:
    aws.eks.Cluster(
        "ref-eks",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks",
        version=KUBERNETES_VERSION,
        vpc_config=aws.eks.ClusterVpcConfigArgs(
            subnet_ids=[s.id for s in net["private"]],
            endpoint_private_access=True,
            endpoint_public_access=True,
            public_access_cidrs=["203.0.113.0/24"],
        ),
        encryption_config=aws.eks.ClusterEncryptionConfigArgs(
            provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=key.arn), resources=["secrets"]
        ),
        enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
    )
    template = aws.ec2.LaunchTemplate(
        "ref-node-template",
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
            http_tokens="required", http_put_response_hop_limit=1
        ),
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    encrypted="true", kms_key_id=key.arn, volume_size=80, volume_type="gp3"
                ),
            )
        ],
    )
    aws.eks.NodeGroup(
        "ref-nodes",
        cluster_name="ref-eks",
        node_role_arn=f"arn:aws:iam::{ACCOUNT}:role/nodes",
        subnet_ids=[s.id for s in net["private"]],
        scaling_config=aws.eks.NodeGroupScalingConfigArgs(desired_size=3, max_size=6, min_size=3),
        launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=template.id, version="$Latest"),
    )


def _bucket(
    name: str,
    key: aws.kms.Key,
    log_bucket: aws.s3.Bucket | None,
    protect: pulumi.ResourceOptions,
    **tags: str,
) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, tags=tags or None, opts=protect)
    aws.s3.BucketPublicAccessBlock(
        f"{name}-pab",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-sse",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=key.arn
                ),
                bucket_key_enabled=True,
            )
        ],
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
    )
    aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=bucket.arn.apply(
            lambda arn: _doc(
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            )
        ),
    )
    if log_bucket is not None:
        aws.s3.BucketLogging(
            f"{name}-logging", bucket=bucket.id, target_bucket=log_bucket.id, target_prefix=f"{name}/"
        )
    return bucket


def _storage(key: aws.kms.Key, protect: pulumi.ResourceOptions) -> None:
    logs = _bucket("ref-access-logs", key, None, protect)
    _bucket("ref-assets", key, logs, protect)
    backups = _bucket("ref-backups", key, logs, protect, Purpose="backups")
    aws.s3.BucketReplicationConfig(
        "ref-backups-replication",
        bucket=backups.id,
        role=f"arn:aws:iam::{ACCOUNT}:role/replication",
        rules=[
            aws.s3.BucketReplicationConfigRuleArgs(
                id="dr",
                status="Enabled",
                destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                    bucket="arn:aws:s3:::ref-backups-dr"
                ),
            )
        ],
    )


def _waf_rules() -> list[aws.wafv2.WebAclRuleArgs]:
    def visibility(name: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
        return aws.wafv2.WebAclRuleVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
        )

    managed = [
        aws.wafv2.WebAclRuleArgs(
            name=group,
            priority=priority,
            override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()
            ),
            statement=aws.wafv2.WebAclRuleStatementArgs(
                managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    name=group, vendor_name="AWS"
                )
            ),
            visibility_config=visibility(group),
        )
        for priority, group in enumerate(
            ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"), start=1
        )
    ]
    rate = aws.wafv2.WebAclRuleArgs(
        name="rate-limit",
        priority=10,
        action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                aggregate_key_type="IP", limit=2000
            )
        ),
        visibility_config=visibility("rate-limit"),
    )
    return [*managed, rate]


def _web_acl(name: str, scope: str) -> aws.wafv2.WebAcl:
    acl = aws.wafv2.WebAcl(
        name,
        scope=scope,
        default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
        visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
        ),
        rules=_waf_rules(),
    )
    aws.wafv2.WebAclLoggingConfiguration(
        f"{name}-logging",
        resource_arn=acl.arn,
        log_destination_configs=[f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:aws-waf-logs-{name}"],
    )
    return acl


def _edge(net: dict) -> aws.wafv2.WebAcl:
    regional = _web_acl("ref-regional-acl", "REGIONAL")
    cloudfront_acl = _web_acl("ref-cloudfront-acl", "CLOUDFRONT")
    lb = aws.lb.LoadBalancer(
        "ref-alb",
        internal=False,
        load_balancer_type="application",
        security_groups=[net["alb_sg"].id],
        subnets=[s.id for s in net["public"]],
    )
    aws.wafv2.WebAclAssociation("ref-alb-waf", resource_arn=lb.arn, web_acl_arn=regional.arn)
    aws.lb.Listener(
        "ref-alb-http",
        load_balancer_arn=lb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    status_code="HTTP_301", protocol="HTTPS", port="443"
                ),
            )
        ],
    )
    aws.lb.Listener(
        "ref-alb-https",
        load_balancer_arn=lb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy=TLS_POLICY,
        certificate_arn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/ref",
        default_actions=[
            aws.lb.ListenerDefaultActionArgs(
                type="fixed-response",
                fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                    content_type="text/plain", status_code="404"
                ),
            )
        ],
    )
    aws.cloudfront.Distribution(
        "ref-cdn",
        enabled=True,
        web_acl_id=cloudfront_acl.arn,
        origins=[
            aws.cloudfront.DistributionOriginArgs(
                domain_name="ref-assets.s3.us-east-1.amazonaws.com", origin_id="assets"
            )
        ],
        default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
            allowed_methods=["GET", "HEAD"],
            cached_methods=["GET", "HEAD"],
            target_origin_id="assets",
            viewer_protocol_policy="redirect-to-https",
        ),
        restrictions=aws.cloudfront.DistributionRestrictionsArgs(
            geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none")
        ),
        viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
            acm_certificate_arn=f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/cdn",
            ssl_support_method="sni-only",
            minimum_protocol_version="TLSv1.2_2021",
        ),
    )
    return regional


def _identity(key: aws.kms.Key) -> None:
    role = aws.iam.Role(
        "ref-app-role",
        assume_role_policy=_doc(
            {
                "Effect": "Allow",
                "Principal": {
                    "Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/REF"
                },
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        "oidc.eks.us-east-1.amazonaws.com/id/REF:sub": "system:serviceaccount:apps:backend",
                        "oidc.eks.us-east-1.amazonaws.com/id/REF:aud": "sts.amazonaws.com",
                    }
                },
            }
        ),
    )
    aws.iam.RolePolicy(
        "ref-app-policy",
        role=role.id,
        policy=key.arn.apply(
            lambda arn: _doc(
                {
                    "Sid": "ReadAssets",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject"],
                    "Resource": "arn:aws:s3:::ref-assets/*",
                },
                {"Sid": "UseDataKey", "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": arn},
            )
        ),
    )
    aws.iam.RolePolicyAttachment(
        "ref-app-ecr", role=role.id, policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
    )
    aws.cloudtrail.Trail(
        "ref-trail",
        s3_bucket_name="ref-access-logs",
        is_multi_region_trail=True,
        enable_log_file_validation=True,
        kms_key_id=key.arn,
        cloud_watch_logs_group_arn=f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:cloudtrail:*",
        cloud_watch_logs_role_arn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail",
    )


def _container(name: str, probes: bool = True) -> k8s.core.v1.ContainerArgs:
    probe = k8s.core.v1.ProbeArgs(http_get=k8s.core.v1.HTTPGetActionArgs(path="/healthz", port=8080))
    return k8s.core.v1.ContainerArgs(
        name=name,
        image=IMAGE,
        env=[
            k8s.core.v1.EnvVarArgs(name="LOG_LEVEL", value="info"),
            k8s.core.v1.EnvVarArgs(
                name="DATABASE_PASSWORD",
                value_from=k8s.core.v1.EnvVarSourceArgs(
                    secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(name="backend-db", key="password")
                ),
            ),
        ],
        resources=k8s.core.v1.ResourceRequirementsArgs(
            requests={"cpu": "250m", "memory": "512Mi"}, limits={"cpu": "1", "memory": "1Gi"}
        ),
        liveness_probe=probe if probes else None,
        readiness_probe=probe if probes else None,
        security_context=k8s.core.v1.SecurityContextArgs(
            allow_privilege_escalation=False,
            read_only_root_filesystem=True,
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
        ),
    )


def _pod_spec(probes: bool = True, restart_policy: str | None = None) -> k8s.core.v1.PodSpecArgs:
    return k8s.core.v1.PodSpecArgs(
        service_account_name="backend",
        automount_service_account_token=False,
        restart_policy=restart_policy,
        security_context=k8s.core.v1.PodSecurityContextArgs(
            run_as_non_root=True,
            run_as_user=10001,
            run_as_group=10001,
            fs_group=10001,
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        topology_spread_constraints=[
            k8s.core.v1.TopologySpreadConstraintArgs(
                max_skew=1,
                topology_key="topology.kubernetes.io/zone",
                when_unsatisfiable="ScheduleAnyway",
                label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"app": "backend"}),
            )
        ],
        containers=[_container("backend", probes)],
    )


def _workloads(acl: aws.wafv2.WebAcl) -> None:
    provider = k8s.Provider("ref-k8s", kubeconfig="{}")
    on_k8s = pulumi.ResourceOptions(provider=provider)
    meta = {"namespace": "apps"}
    labels = {"app": "backend"}
    pod_labels = {**labels, "app.kubernetes.io/part-of": "quantumvest"}  # one of the platform's services
    k8s.core.v1.Namespace("ref-apps", metadata={"name": "apps"}, opts=on_k8s)
    k8s.apps.v1.Deployment(
        "ref-backend",
        metadata={**meta, "name": "backend", "labels": labels},
        spec=k8s.apps.v1.DeploymentSpecArgs(
            replicas=3,
            selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
            template=k8s.core.v1.PodTemplateSpecArgs(metadata={"labels": pod_labels}, spec=_pod_spec()),
        ),
        opts=on_k8s,
    )
    _scraping(on_k8s, meta, labels)
    k8s.batch.v1.CronJob(
        "ref-report",
        metadata={**meta, "name": "report"},
        spec=k8s.batch.v1.CronJobSpecArgs(
            schedule="0 3 * * *",
            job_template=k8s.batch.v1.JobTemplateSpecArgs(
                spec=k8s.batch.v1.JobSpecArgs(
                    template=k8s.core.v1.PodTemplateSpecArgs(
                        metadata={"labels": {"app": "report"}},
                        spec=_pod_spec(probes=False, restart_policy="OnFailure"),
                    )
                )
            ),
        ),
        opts=on_k8s,
    )
    k8s.networking.v1.NetworkPolicy(
        "ref-default-deny",
        metadata={**meta, "name": "default-deny"},
        spec=k8s.networking.v1.NetworkPolicySpecArgs(pod_selector={}, policy_types=["Ingress", "Egress"]),
        opts=on_k8s,
    )
    for app in ("backend", "report"):
        k8s.networking.v1.NetworkPolicy(
            f"ref-{app}-ingress",
            metadata={**meta, "name": app},
            spec=k8s.networking.v1.NetworkPolicySpecArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"app": app}),
                policy_types=["Ingress"],
                ingress=[
                    k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                        # The ALB's nodes (target type ip) in the public subnets.
                        from_=[
                            k8s.networking.v1.NetworkPolicyPeerArgs(
                                ip_block=k8s.networking.v1.IPBlockArgs(cidr="10.0.128.0/20")
                            )
                        ]
                    )
                ],
            ),
            opts=on_k8s,
        )
    k8s.policy.v1.PodDisruptionBudget(
        "ref-backend-pdb",
        metadata={**meta, "name": "backend"},
        spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
            max_unavailable=1, selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels)
        ),
        opts=on_k8s,
    )
    k8s.autoscaling.v2.HorizontalPodAutoscaler(
        "ref-backend-hpa",
        metadata={**meta, "name": "backend"},
        spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
            scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                api_version="apps/v1", kind="Deployment", name="backend"
            ),
            min_replicas=3,
            max_replicas=12,
            metrics=[
                k8s.autoscaling.v2.MetricSpecArgs(
                    type="Resource",
                    resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                        name="cpu",
                        target=k8s.autoscaling.v2.MetricTargetArgs(
                            type="Utilization", average_utilization=70
                        ),
                    ),
                )
            ],
        ),
        opts=on_k8s,
    )
    k8s.rbac.v1.Role(
        "ref-backend-role",
        metadata={**meta, "name": "backend"},
        rules=[
            k8s.rbac.v1.PolicyRuleArgs(
                api_groups=[""], resources=["configmaps"], verbs=["get", "list", "watch"]
            )
        ],
        opts=on_k8s,
    )
    k8s.rbac.v1.ClusterRole(
        "ref-metrics-reader",
        metadata={"name": "metrics-reader"},
        rules=[
            k8s.rbac.v1.PolicyRuleArgs(
                api_groups=["metrics.k8s.io"], resources=["pods", "nodes"], verbs=["get", "list"]
            )
        ],
        opts=on_k8s,
    )
    k8s.networking.v1.Ingress(
        "ref-public-ingress",
        metadata={
            **meta,
            "name": "public",
            "annotations": {
                "alb.ingress.kubernetes.io/scheme": "internet-facing",
                "alb.ingress.kubernetes.io/target-type": "ip",
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
                "alb.ingress.kubernetes.io/ssl-redirect": "443",
                "alb.ingress.kubernetes.io/ssl-policy": TLS_POLICY,
                "alb.ingress.kubernetes.io/certificate-arn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/ref",
                "alb.ingress.kubernetes.io/wafv2-acl-arn": acl.arn,
            },
        },
        spec=k8s.networking.v1.IngressSpecArgs(
            ingress_class_name="alb",
            default_backend=k8s.networking.v1.IngressBackendArgs(
                service=k8s.networking.v1.IngressServiceBackendArgs(
                    name="backend", port=k8s.networking.v1.ServiceBackendPortArgs(number=80)
                )
            ),
        ),
        opts=on_k8s,
    )


def _gateway(acl: aws.wafv2.WebAcl) -> None:
    """The Gateway API edge: an ALB Gateway, its LoadBalancerConfiguration, a route and the 80→443 redirect."""
    on_k8s = pulumi.ResourceOptions(provider=k8s.Provider("ref-k8s-gateway", kubeconfig="{}"))
    meta = {"namespace": "apps"}

    def custom(name: str, api_version: str, kind: str, metadata: dict, spec: dict) -> None:
        k8s.apiextensions.CustomResource(
            name, api_version=api_version, kind=kind, metadata=metadata, spec=spec, opts=on_k8s
        )

    gateway_api = "gateway.networking.k8s.io/v1"
    custom(
        "ref-gateway-class",
        gateway_api,
        "GatewayClass",
        {"name": "alb"},
        {"controllerName": "gateway.k8s.aws/alb"},
    )
    custom(
        "ref-lb-config",
        "gateway.k8s.aws/v1",
        "LoadBalancerConfiguration",
        {**meta, "name": "edge"},
        {
            "scheme": "internet-facing",
            "listenerConfigurations": [
                {
                    "protocolPort": "HTTPS:443",
                    "sslPolicy": TLS_POLICY,
                    "defaultCertificate": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/ref",
                },
                {"protocolPort": "HTTP:80"},
            ],
            "wafV2": {"webACL": acl.arn},
        },
    )
    custom(
        "ref-gateway",
        gateway_api,
        "Gateway",
        {**meta, "name": "edge"},
        {
            "gatewayClassName": "alb",
            "infrastructure": {
                "parametersRef": {
                    "group": "gateway.k8s.aws",
                    "kind": "LoadBalancerConfiguration",
                    "name": "edge",
                }
            },
            "listeners": [
                {"name": "https", "protocol": "HTTPS", "port": 443},
                {"name": "http", "protocol": "HTTP", "port": 80},
            ],
        },
    )
    parent = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge"}
    custom(
        "ref-route-backend",
        gateway_api,
        "HTTPRoute",
        {**meta, "name": "backend"},
        {
            "parentRefs": [{**parent, "sectionName": "https"}],
            "hostnames": ["api.example.com"],
            "rules": [{"backendRefs": [{"name": "backend", "port": 80}]}],
        },
    )
    custom(
        "ref-route-redirect",
        gateway_api,
        "HTTPRoute",
        {**meta, "name": "https-redirect"},
        {
            "parentRefs": [{**parent, "sectionName": "http"}],
            "rules": [
                {
                    "filters": [
                        {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
                    ]
                }
            ],
        },
    )


def _scraping(on_k8s: pulumi.ResourceOptions, meta: dict, labels: dict) -> None:
    """The backend scraped (Service with a metrics port, ServiceMonitor) and a rule reading its metric."""
    k8s.core.v1.Service(
        "ref-backend-service",
        metadata={**meta, "name": "backend", "labels": labels},
        spec=k8s.core.v1.ServiceSpecArgs(
            selector=labels, ports=[k8s.core.v1.ServicePortArgs(name="metrics", port=8080)]
        ),
        opts=on_k8s,
    )
    k8s.apiextensions.CustomResource(
        "ref-backend-monitor",
        api_version="monitoring.coreos.com/v1",
        kind="ServiceMonitor",
        metadata={**meta, "name": "backend"},
        spec={"selector": {"matchLabels": labels}, "endpoints": [{"port": "metrics"}]},
        opts=on_k8s,
    )
    k8s.apiextensions.CustomResource(
        "ref-rules",
        api_version="monitoring.coreos.com/v1",
        kind="PrometheusRule",
        metadata={**meta, "name": "backend"},
        spec={
            "groups": [
                {
                    "name": "backend",
                    "rules": [
                        {
                            "alert": "BackendErrors",
                            "expr": 'sum(rate(http_requests_total{status=~"5.."}[5m])) > 1',
                            "labels": {"severity": "critical"},
                        }
                    ],
                }
            ]
        },
        opts=on_k8s,
    )


def _coverage(protect: pulumi.ResourceOptions) -> None:
    """A backup plan selecting every database, file system and bucket; an alarm paging through a subscribed
    topic; a budget (no tag filter: nothing to attribute)."""
    vault = aws.backup.Vault("ref-vault", opts=protect)
    plan = aws.backup.Plan(
        "ref-plan",
        rules=[
            aws.backup.PlanRuleArgs(
                rule_name="daily", target_vault_name=vault.name, schedule="cron(0 5 ? * * *)"
            )
        ],
    )
    aws.backup.Selection(
        "ref-selection",
        name="ref-everything",
        plan_id=plan.id,
        iam_role_arn=f"arn:aws:iam::{ACCOUNT}:role/backup",
        resources=[
            "arn:aws:rds:*:*:db:*",
            "arn:aws:rds:*:*:cluster:*",
            "arn:aws:s3:::*",
            "arn:aws:elasticfilesystem:*:*:file-system/*",
        ],
    )
    topic = aws.sns.Topic("ref-alerts")
    aws.sns.TopicSubscription(
        "ref-pager", topic=topic.arn, protocol="https", endpoint="https://events.example.com/integration/ref"
    )
    aws.cloudwatch.MetricAlarm(
        "ref-db-cpu",
        namespace="AWS/RDS",
        metric_name="CPUUtilization",
        statistic="Average",
        period=60,
        evaluation_periods=5,
        threshold=80,
        comparison_operator="GreaterThanThreshold",
        alarm_actions=[topic.arn],
    )
    aws.budgets.Budget(
        "ref-budget", budget_type="COST", time_unit="MONTHLY", limit_amount="100", limit_unit="USD"
    )


def reference_program() -> None:
    """Register one hardened example of every resource type the rules read (prod-shaped, protected)."""
    protect = pulumi.ResourceOptions(protect=True)
    net = _network(protect)
    key = _keys(protect)
    _databases(net, key, protect)
    _cluster(net, key)
    _storage(key, protect)
    acl = _edge(net)
    _identity(key)
    _workloads(acl)
    _gateway(acl)
    _coverage(protect)


@functools.cache
def reference_graph() -> Graph:
    """The reference program's graph under the harness (prod, us-east-1); built once, never mutated."""
    return run(reference_program, stack="prod", region="us-east-1")
