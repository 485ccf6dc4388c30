"""A service's identities: the IRSA role (least-privilege S3 access to the buckets it names) and, when
it calls the Kubernetes API, its Role and RoleBinding.

Split from ``k8s_service.py``; the resources are children of the ``K8sService`` passed in ``opts`` (same
logical names as before the split).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .iam import policy_document
from .irsa import irsa_role
from .k8s_service_args import ServiceArgs, ServiceWiring


def bucket_access_policy(
    access: Mapping[str, str], bucket_arns: Mapping[str, str], kms_key_arn: str | None, region: str
) -> str:
    """Least-privilege S3 access: objects and listing of the named buckets, KMS only via S3 in the region."""
    read_objects = ["s3:GetObject", "s3:GetObjectVersion"]
    write_objects = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    statements: list[dict[str, Any]] = []
    for role in sorted(access):
        arn = bucket_arns[role]
        sid = re.sub(r"[^A-Za-z0-9]", "", role.title())
        statements.append(
            {
                "Sid": f"List{sid}",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": arn,
            }
        )
        actions = read_objects + (write_objects if access[role] == "read-write" else [])
        statements.append(
            {"Sid": f"Objects{sid}", "Effect": "Allow", "Action": actions, "Resource": f"{arn}/*"}
        )
    if kms_key_arn:
        writes = any(mode == "read-write" for mode in access.values())
        statements.append(
            {
                "Sid": "BucketKeyViaS3",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", *(["kms:GenerateDataKey"] if writes else [])],
                "Resource": kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            }
        )
    return policy_document(*statements)


def service_irsa_role(
    name: str, args: ServiceArgs, wiring: ServiceWiring, opts: pulumi.ResourceOptions
) -> pulumi.Output[str]:
    """The service account's IRSA role (``{name}-irsa``) granting ``args.aws``; returns its ARN."""
    missing = sorted(set(args.aws.buckets) - set(wiring.bucket_arns))
    if missing:
        raise ValueError(
            f"service '{args.name}': no bucket with role {', '.join(missing)} among the storage side's "
            f"buckets ({', '.join(sorted(wiring.bucket_arns)) or 'none'})"
        )
    roles = sorted(args.aws.buckets)
    policy = pulumi.Output.all(
        [wiring.bucket_arns[r] for r in roles], wiring.bucket_kms_key_arn, wiring.region
    ).apply(
        lambda v: bucket_access_policy(
            dict(args.aws.buckets), dict(zip(roles, v[0], strict=True)), v[1], v[2]
        )
    )
    role = irsa_role(
        f"{name}-irsa",
        namespace=wiring.namespace_name,
        service_account=args.name,
        oidc_provider_arn=wiring.oidc_provider_arn,
        oidc_provider_url=wiring.oidc_provider_url,
        policy_json=policy,
        opts=opts,
    )
    return role.arn


def service_rbac(
    name: str,
    args: ServiceArgs,
    wiring: ServiceWiring,
    meta_labels: dict[str, str],
    opts: pulumi.ResourceOptions,
) -> None:
    """A namespaced Role with ``args.kubernetes_api``'s rules, bound to the service's account."""
    svc, ns = args.name, wiring.namespace
    rules: list[k8s.rbac.v1.PolicyRuleArgsDict] = []
    for r in args.kubernetes_api:
        rule: k8s.rbac.v1.PolicyRuleArgsDict = {
            "api_groups": list(r.api_groups),
            "resources": list(r.resources),
            "verbs": list(r.verbs),
        }
        if r.resource_names:
            rule["resource_names"] = list(r.resource_names)
        rules.append(rule)
    k8s.rbac.v1.Role(
        f"{name}-role",
        metadata={"name": svc, "namespace": ns, "labels": meta_labels},
        rules=rules,
        opts=opts,
    )
    k8s.rbac.v1.RoleBinding(
        f"{name}-rolebinding",
        metadata={"name": svc, "namespace": ns, "labels": meta_labels},
        role_ref={"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": svc},
        subjects=[{"kind": "ServiceAccount", "name": svc, "namespace": wiring.namespace_name}],
        opts=opts,
    )
