"""Secrets Manager → Kubernetes Secrets for one namespace, through external-secrets, with its own identity.

A namespaced ``SecretStore`` (not a ``ClusterSecretStore``) authenticated as a service account of this
namespace whose IRSA role may read only the secrets listed here: the app namespace cannot read the
database master secret, and no other namespace can read this one's.

External Secrets Operator serves ``external-secrets.io/v1`` since v0.16 and stopped serving
``v1beta1`` in v0.17 (May 2025), so the objects here are ``v1``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from .iam import policy_document
from .irsa import irsa_role
from .k8s_pod import labels

ESO_API_VERSION = "external-secrets.io/v1"
#: How often external-secrets re-reads Secrets Manager: rotations reach pods within the hour.
REFRESH_INTERVAL = "1h"
STORE_NAME = "aws-secrets-manager"
READER_SERVICE_ACCOUNT = "external-secrets-reader"


def secrets_read_policy(secret_arns: Sequence[str], kms_key_arns: Sequence[str], region: str) -> str:
    """Read exactly these secrets; decrypt with their keys only when Secrets Manager asks."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadListedSecrets",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": sorted(set(secret_arns)),
        }
    ]
    if kms_key_arns:
        statements.append(
            {
                "Sid": "DecryptViaSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": sorted(set(kms_key_arns)),
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
            }
        )
    return policy_document(*statements)


@dataclass(frozen=True)
class ExternalSecretSpec:
    """One Kubernetes Secret to write from Secrets Manager.

    ``data`` entries are ``{"secretKey": ..., "remoteRef": {"key": <arn>, "property": ...}}`` and
    ``data_from`` entries ``{"extract": {"key": <arn>}}`` (the CRD's own camelCase); ``template_data``
    builds the Secret's keys from the fetched values (Go templates, e.g. a connection URL).
    """

    target: str
    data: Sequence[Mapping[str, Any]] = ()
    data_from: Sequence[Mapping[str, Any]] = ()
    template_data: pulumi.Input[Mapping[str, str]] | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


class SecretsManagerStore(pulumi.ComponentResource):
    """A SecretStore for one namespace, and the identity it reads Secrets Manager with.

    Creates: an IRSA role allowed ``GetSecretValue``/``DescribeSecret`` on the listed secret ARNs (and
    ``kms:Decrypt`` through Secrets Manager on the listed keys), a ServiceAccount bound to it (no token
    mounted: only the operator requests tokens for it), a ``SecretStore`` using that account, and one
    ``ExternalSecret`` per spec. Pulumi waits for each ExternalSecret's ``Ready`` condition, so
    consumers (Deployments, the bootstrap Job) start after the first sync.
    """

    store_name: str
    role_arn: pulumi.Output[str]
    secrets: dict[str, k8s.apiextensions.CustomResource]

    def __init__(
        self,
        name: str,
        *,
        namespace: pulumi.Input[str],
        namespace_name: str,
        secret_arns: Sequence[pulumi.Input[str]],
        kms_key_arns: Sequence[pulumi.Input[str]] = (),
        region: pulumi.Input[str],
        oidc_provider_arn: pulumi.Input[str],
        oidc_provider_url: pulumi.Input[str],
        secrets: Sequence[ExternalSecretSpec] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:workloads:SecretStore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = pulumi.Output.all(list(secret_arns), list(kms_key_arns), region).apply(
            lambda v: secrets_read_policy(v[0], v[1], v[2])
        )
        role = irsa_role(
            f"{name}-irsa",
            namespace=namespace_name,
            service_account=READER_SERVICE_ACCOUNT,
            oidc_provider_arn=oidc_provider_arn,
            oidc_provider_url=oidc_provider_url,
            policy_json=policy,
            opts=child,
        )
        meta = labels("external-secrets", "secrets")
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata={
                "name": READER_SERVICE_ACCOUNT,
                "namespace": namespace,
                "labels": meta,
                "annotations": {"eks.amazonaws.com/role-arn": role.arn},
            },
            automount_service_account_token=False,
            opts=child,
        )
        store = k8s.apiextensions.CustomResource(
            f"{name}-store",
            api_version=ESO_API_VERSION,
            kind="SecretStore",
            metadata={"name": STORE_NAME, "namespace": namespace, "labels": meta},
            spec={
                "provider": {
                    "aws": {
                        "service": "SecretsManager",
                        "region": region,
                        "auth": {"jwt": {"serviceAccountRef": {"name": account.metadata.name}}},
                    }
                }
            },
            opts=child,
        )
        self.store_name = STORE_NAME
        self.role_arn = role.arn
        self.secrets = {
            spec.target: _external_secret(f"{name}-{spec.target}", spec, namespace, store, child)
            for spec in secrets
        }
        self.register_outputs({"store_name": self.store_name, "role_arn": self.role_arn})


def _external_secret(
    name: str,
    spec: ExternalSecretSpec,
    namespace: pulumi.Input[str],
    store: k8s.apiextensions.CustomResource,
    child: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    body: dict[str, Any] = {
        "refreshInterval": REFRESH_INTERVAL,
        "secretStoreRef": {"name": STORE_NAME, "kind": "SecretStore"},
        "target": {"name": spec.target, "creationPolicy": "Owner", "deletionPolicy": "Retain"},
    }
    if spec.data:
        body["data"] = [dict(d) for d in spec.data]
    if spec.data_from:
        body["dataFrom"] = [dict(d) for d in spec.data_from]
    if spec.template_data is not None:
        body["target"]["template"] = {"engineVersion": "v2", "type": "Opaque", "data": spec.template_data}
    return k8s.apiextensions.CustomResource(
        name,
        api_version=ESO_API_VERSION,
        kind="ExternalSecret",
        metadata={
            "name": spec.target,
            "namespace": namespace,
            "labels": {**labels(spec.target, "secrets"), **spec.labels},
            "annotations": {"pulumi.com/waitFor": "condition=Ready"},
        },
        spec=body,
        opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[store])),
    )
