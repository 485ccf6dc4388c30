"""Container logs to CloudWatch Logs: a log group per namespace, Fluent Bit as a DaemonSet to fill them.

Each namespace gets ``/aws/eks/<cluster>/containers/<namespace>`` with the tier's retention and the
logs KMS key, created here (Fluent Bit may not create groups: ``auto_create_group false``, and its
role has no ``logs:CreateLogGroup``). Fluent Bit (aws-for-fluent-bit) tails
``/var/log/containers``; one ``cloudwatch_logs`` output per namespace matches that namespace's files
by tag, so a namespace without a group ships nothing rather than failing. Its IRSA role may write
log streams and events to those groups and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .irsa import irsa_role

RELEASE_NAME = "aws-for-fluent-bit"
SERVICE_ACCOUNT = "aws-for-fluent-bit"
CHART_REPO = "https://aws.github.io/eks-charts"
#: The chart's tail input tags each file ``kube.var.log.containers.<pod>_<namespace>_<container>-<id>.log``.
INPUT_TAG_PREFIX = "kube.var.log.containers."


def log_group_name(cluster_name: pulumi.Input[str], namespace: str) -> pulumi.Output[str]:
    """The log group of one namespace, scoped by the (auto-named, per-stack) cluster name."""
    return pulumi.Output.concat("/aws/eks/", cluster_name, "/containers/", namespace)


def fluent_bit_outputs(
    group_names: Mapping[str, pulumi.Input[str]], region: pulumi.Input[str]
) -> pulumi.Output[str]:
    """Fluent Bit ``[OUTPUT]`` sections, one per namespace, for the chart's ``additionalOutputs``."""

    def render(args: list[str]) -> str:
        region_name, *names = args
        sections = []
        for namespace, group in zip(group_names, names, strict=True):
            sections.append(
                "\n".join(
                    [
                        "[OUTPUT]",
                        "    Name                cloudwatch_logs",
                        f"    Match               {INPUT_TAG_PREFIX}*_{namespace}_*",
                        f"    region              {region_name}",
                        f"    log_group_name      {group}",
                        f"    log_stream_prefix   {namespace}-",
                        "    log_stream_template $kubernetes['pod_name'].$kubernetes['container_name']",
                        "    auto_create_group   false",
                        "    retry_limit         5",
                    ]
                )
            )
        return "\n".join(sections) + "\n"

    return pulumi.Output.all(region, *group_names.values()).apply(render)


def fluent_bit_policy(group_arns: Sequence[pulumi.Input[str]]) -> pulumi.Output[str]:
    """Write-only access to exactly the given log groups and their streams."""
    resources: list[Any] = []
    for arn in group_arns:
        resources.extend([arn, pulumi.Output.concat(arn, ":*")])
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "WriteContainerLogs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    "Resource": resources,
                }
            ],
        }
    )


def create_log_groups(
    name: str,
    *,
    namespaces: Sequence[str],
    cluster_name: pulumi.Input[str],
    retention_days: int,
    kms_key_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    log_group_class: str = "STANDARD",
) -> dict[str, aws.cloudwatch.LogGroup]:
    """One encrypted log group per namespace, with the tier's retention and log class."""
    return {
        namespace: aws.cloudwatch.LogGroup(
            f"{name}-logs-{namespace}",
            name=log_group_name(cluster_name, namespace),
            retention_in_days=retention_days,
            log_group_class=log_group_class,
            kms_key_id=kms_key_arn,
            tags={"KubernetesNamespace": namespace},
            opts=opts,
        )
        for namespace in namespaces
    }


def create_fluent_bit(
    name: str,
    *,
    groups: Mapping[str, aws.cloudwatch.LogGroup],
    namespace: pulumi.Input[str],
    namespace_name: str,
    region: pulumi.Input[str],
    chart_version: str,
    oidc_provider_arn: pulumi.Input[str],
    oidc_provider_url: pulumi.Input[str],
    aws_opts: pulumi.ResourceOptions,
    k8s_opts: pulumi.ResourceOptions,
) -> k8s.helm.v3.Release:
    """The IRSA role and the aws-for-fluent-bit release writing to ``groups``."""
    role = irsa_role(
        f"{name}-fluent-bit",
        namespace=namespace_name,
        service_account=SERVICE_ACCOUNT,
        oidc_provider_arn=oidc_provider_arn,
        oidc_provider_url=oidc_provider_url,
        policy_json=fluent_bit_policy([g.arn for g in groups.values()]),
        opts=aws_opts,
    )
    values = {
        "serviceAccount": {
            "create": True,
            "name": SERVICE_ACCOUNT,
            "annotations": {"eks.amazonaws.com/role-arn": role.arn},
        },
        # The chart's own outputs write to one fixed group or create groups: off, ours are below.
        "cloudWatch": {"enabled": False},
        "cloudWatchLogs": {"enabled": False},
        "firehose": {"enabled": False},
        "kinesis": {"enabled": False},
        "elasticsearch": {"enabled": False},
        "additionalOutputs": fluent_bit_outputs({ns: g.name for ns, g in groups.items()}, region),
        "priorityClassName": "system-node-critical",
        "tolerations": [{"operator": "Exists"}],  # every node, tainted or not, has logs to ship
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "250Mi"}},
    }
    return k8s.helm.v3.Release(
        f"{name}-fluent-bit",
        name=RELEASE_NAME,
        chart="aws-for-fluent-bit",
        version=chart_version,
        repository_opts={"repo": CHART_REPO},
        namespace=namespace,
        values=values,
        atomic=True,
        cleanup_on_fail=True,
        timeout=600,
        opts=pulumi.ResourceOptions.merge(
            k8s_opts, pulumi.ResourceOptions(depends_on=[*groups.values(), role])
        ),
    )
