"""The in-VPC runner of the cloud workflows: a CodeBuild project acting as a GitHub Actions runner.

The EKS API endpoint is private, so ``pulumi preview``/``up`` (whose Helm releases and Kubernetes
objects talk to that API) must run inside the VPC. AWS CodeBuild runs GitHub Actions jobs when a job
asks for ``runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}``: the
project's webhook receives ``WORKFLOW_JOB_QUEUED`` and starts an ephemeral build that registers
itself as the job's runner (AWS CodeBuild user guide, "Self-hosted GitHub Actions runners").

The job itself then assumes the stack's deploy role (``pulumi up``) or preview role (preview, drift)
with GitHub's OIDC token, exactly as on a GitHub-hosted runner; the project's own service role can
only write its logs and place its network interfaces in the private subnets. Both pipeline roles get
an EKS access entry (see :class:`components.cluster.Cluster`'s ``pipeline_access``).
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from .args import Args, LogGroupClass, RetentionDays
from .iam import policy_document, service_trust_policy
from .versions import pin

_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_ROLE_REF = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}|[\w+=,.@-]{1,64})$")

#: CodeBuild compute types a Pulumi job fits in (``BUILD_GENERAL1_MEDIUM``: 4 vCPU, 7 GB — a whole
#: stack's preview with the Kubernetes provider needs more than the 3 GB of SMALL).
_COMPUTE_TYPES = ("BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE")


class CiRunnerArgs(Args):
    """The stack's CodeBuild runner. On in every tier: without it no workflow reaches the private API."""

    enabled: bool = Field(
        default=True, description="Create the runner (off only for a stack deployed by hand from the VPN)."
    )
    github_repository: str = Field(
        default="quantumvest/quantumvest-infra",
        description="owner/name of the repository whose workflow jobs the runner takes.",
    )
    project_name: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9][a-z0-9-]{1,60}$",
        description="The CodeBuild project's name, which the workflows put in `runs-on`; default "
        "`<platform.name>-<stack>-runner` (derived by the platform, unique per stack).",
    )
    deploy_role: str | None = Field(
        default=None,
        description="The role `pulumi up` jobs assume by OIDC (ARN or name); default "
        "`<platform.name>-<stack>-deploy`, the name the bootstrap gives it. Gets cluster-admin.",
    )
    preview_role: str | None = Field(
        default=None,
        description="The role preview and drift jobs assume (ARN or name); default "
        "`<platform.name>-<stack>-preview`. Gets read-only (AmazonEKSViewPolicy) cluster access.",
    )
    compute_type: str = Field(
        default="BUILD_GENERAL1_MEDIUM", description=f"One of {', '.join(_COMPUTE_TYPES)}."
    )
    image: str = Field(
        default=f"{pin('codebuild-runner-image').lookup}:{pin('codebuild-runner-image').version}",
        min_length=1,
        description="The CodeBuild-managed image (Amazon Linux 2023, current runtimes).",
    )
    build_timeout_minutes: int = Field(
        default=120, ge=5, le=2160, description="Longest job: prod's first `pulumi up` takes about an hour."
    )
    log_retention_days: RetentionDays = Field(
        default=365, description="Runner logs are deploy records: kept a year by default."
    )
    log_group_class: LogGroupClass = Field(
        default="STANDARD",
        description="Class of the runner's log group. INFREQUENT_ACCESS halves ingestion (no metric "
        "filters, subscriptions or Live Tail; the job's output is read in GitHub Actions anyway).",
    )

    @field_validator("github_repository")
    @classmethod
    def _check_repository(cls, value: str) -> str:
        if not _REPOSITORY.match(value):
            raise ValueError(
                "allowed: a GitHub repository written owner/name, e.g. 'quantumvest/quantumvest-infra'"
            )
        return value

    @field_validator("deploy_role", "preview_role")
    @classmethod
    def _check_role(cls, value: str | None) -> str | None:
        if value is not None and not _ROLE_REF.match(value):
            raise ValueError("allowed: an IAM role ARN (arn:aws:iam::123456789012:role/name) or a role name")
        return value

    @field_validator("compute_type")
    @classmethod
    def _check_compute(cls, value: str) -> str:
        if value not in _COMPUTE_TYPES:
            raise ValueError(f"allowed: {', '.join(_COMPUTE_TYPES)}")
        return value


class CiRunner(pulumi.ComponentResource):
    """A CodeBuild project per stack that runs the workflows' Pulumi jobs inside the private subnets.

    Creates: a security group with no inbound rule (egress 443 only: GitHub, AWS APIs, the EKS API);
    a KMS-encrypted log group; a service role that may write those logs and manage the build's network
    interfaces in the given subnets, nothing else; the project (VPC config, CloudWatch logs, no
    artifacts, no cache); and its webhook on ``WORKFLOW_JOB_QUEUED``. The GitHub credential is the
    account's CodeBuild source credential the bootstrap registers (a token in Secrets Manager).
    """

    security_group_id: pulumi.Output[str]
    project_name: pulumi.Output[str]
    service_role_arn: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    deploy_role_arn: pulumi.Output[str]
    preview_role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: CiRunnerArgs,
        *,
        project_name: str,
        deploy_role: str,
        preview_role: str,
        vpc_id: pulumi.Input[str],
        subnet_ids: pulumi.Input[list[str]],
        logs_kms_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:ci:CiRunner", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        account = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region

        sg = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=vpc_id,
            description="CodeBuild GitHub Actions runner: no inbound; out on 443 only",
            revoke_rules_on_delete=True,
            tags={"Name": f"{name}-runner"},
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-sg-egress-https",
            security_group_id=sg.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="GitHub, AWS APIs and the EKS API endpoint (HTTPS only)",
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name_prefix=f"/quantumvest/ci/{project_name}-",
            retention_in_days=args.log_retention_days,
            log_group_class=args.log_group_class,
            kms_key_id=logs_kms_key_arn,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-service-role",
            description=f"CodeBuild runner {project_name}: logs and VPC network interfaces only",
            # Confused-deputy guard (CodeBuild User Guide, "Cross-service confused deputy prevention"):
            # only this account's runner project may act with the role.
            assume_role_policy=pulumi.Output.all(partition, region, account).apply(
                lambda v: service_trust_policy(
                    "codebuild.amazonaws.com",
                    account=v[2],
                    source_arn=f"arn:{v[0]}:codebuild:{v[1]}:{v[2]}:project/{project_name}",
                )
            ),
            max_session_duration=3600,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-service-role-policy",
            role=role.id,
            policy=pulumi.Output.all(
                log_group.arn, subnet_ids, partition, account, region, logs_kms_key_arn
            ).apply(lambda v: _service_policy(v[0], v[1], v[2], v[3], v[4], v[5])),
            opts=child,
        )
        project = aws.codebuild.Project(
            f"{name}-project",
            name=project_name,
            description="GitHub Actions runner for this stack's preview, deploy and drift jobs",
            service_role=role.arn,
            build_timeout=args.build_timeout_minutes,
            queued_timeout=60,
            concurrent_build_limit=4,
            artifacts={"type": "NO_ARTIFACTS"},
            environment={
                "type": "LINUX_CONTAINER",
                "compute_type": args.compute_type,
                "image": args.image,
                "image_pull_credentials_type": "CODEBUILD",
                "privileged_mode": False,
            },
            source={
                "type": "GITHUB",
                "location": f"https://github.com/{args.github_repository}.git",
                "git_clone_depth": 1,
                "report_build_status": False,
            },
            vpc_config={"vpc_id": vpc_id, "subnets": subnet_ids, "security_group_ids": [sg.id]},
            logs_config={
                "cloudwatch_logs": {"status": "ENABLED", "group_name": log_group.name},
                "s3_logs": {"status": "DISABLED"},
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
        aws.codebuild.Webhook(
            f"{name}-webhook",
            project_name=project.name,
            build_type="BUILD",
            filter_groups=[{"filters": [{"type": "EVENT", "pattern": "WORKFLOW_JOB_QUEUED"}]}],
            opts=child,
        )

        self.security_group_id = sg.id
        self.project_name = project.name
        self.service_role_arn = role.arn
        self.log_group_name = log_group.name
        self.deploy_role_arn = _role_arn(deploy_role, partition, account)
        self.preview_role_arn = _role_arn(preview_role, partition, account)
        self.register_outputs(
            {
                "deploy_role_arn": self.deploy_role_arn,
                "preview_role_arn": self.preview_role_arn,
                "security_group_id": self.security_group_id,
                "project_name": self.project_name,
                "service_role_arn": self.service_role_arn,
                "log_group_name": self.log_group_name,
            }
        )


def _role_arn(role: str, partition: pulumi.Output[str], account: pulumi.Output[str]) -> pulumi.Output[str]:
    """A role ARN from an ARN or a name in this account."""
    if role.startswith("arn:"):
        return pulumi.Output.from_input(role)
    return pulumi.Output.concat("arn:", partition, ":iam::", account, ":role/", role)


def runs_on_label(project_name: str) -> str:
    """The ``runs-on`` value a workflow job uses to land on this project's runner."""
    return f"codebuild-{project_name}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"


def _service_policy(
    log_group_arn: str, subnet_ids: list[str], partition: str, account: str, region: str, key_arn: str
) -> str:
    """What a VPC CodeBuild build needs (CodeBuild user guide, "Allow CodeBuild access to AWS services
    required to create a VPC network interface"), scoped to the runner's log group and subnets."""
    subnets = [f"arn:{partition}:ec2:{region}:{account}:subnet/{s}" for s in subnet_ids]
    return policy_document(
        {
            "Sid": "WriteOwnLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [log_group_arn, f"{log_group_arn.removesuffix(':*')}:*"],
        },
        {
            "Sid": "VpcNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeDhcpOptions",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVpcs",
            ],
            "Resource": "*",
        },
        {
            "Sid": "NetworkInterfacesInTheRunnerSubnetsOnly",
            "Effect": "Allow",
            "Action": "ec2:CreateNetworkInterfacePermission",
            "Resource": f"arn:{partition}:ec2:{region}:{account}:network-interface/*",
            "Condition": {
                "StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"},
                "ArnEquals": {"ec2:Subnet": subnets},
            },
        },
        {
            "Sid": "EncryptedLogGroup",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": key_arn,
        },
    )
