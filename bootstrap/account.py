"""What must exist in an empty account before the platform's first ``pulumi up`` (and before any workflow
can run): the Pulumi state bucket and secrets key, GitHub's OIDC provider, each stack's deploy and
preview roles, the CodeBuild GitHub credential the runners use, and each VPN stack's server
certificate. Why a separate program: docs/decisions/bootstrap-from-an-empty-account.md.
"""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws
from pydantic import Field, field_validator

from components.access import pipeline_names
from components.args import Args
from components.buckets import attach_policy, hardened_bucket
from components.iam import policy_document
from components.lifecycle import LifecycleArgs

GITHUB_OIDC = "token.actions.githubusercontent.com"
_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class BootstrapArgs(Args):
    """The bootstrap stack's settings (``bootstrap/Pulumi.<account>.yaml``)."""

    platform_name: str = Field(default="quantumvest", pattern=r"^[a-z][a-z0-9-]{1,20}[a-z0-9]$")
    github_repository: str = Field(description="owner/name whose workflows assume the roles.")
    stacks: list[str] = Field(
        default_factory=lambda: ["dev", "staging", "prod"],
        min_length=1,
        description="Platform stacks this account hosts: each gets a deploy and a preview role.",
    )
    vpn_domains: dict[str, str] = Field(
        default_factory=dict,
        description="stack → the platform domain whose `vpn.<domain>` ACM certificate the admin VPN uses "
        "(stacks with the VPN on: staging and prod).",
    )
    state_retention_days: int = Field(
        default=90, ge=1, le=3650, description="How long noncurrent versions of state files are kept."
    )

    @field_validator("github_repository")
    @classmethod
    def _check_repository(cls, value: str) -> str:
        if not _REPOSITORY.match(value):
            raise ValueError("allowed: owner/name, e.g. quantumvest/quantumvest-infra")
        return value

    @field_validator("vpn_domains")
    @classmethod
    def _check_domains(cls, domains: dict[str, str]) -> dict[str, str]:
        for stack, domain in domains.items():
            if not _DOMAIN.match(domain):
                raise ValueError(f"{stack}: {domain!r} is not a lowercase DNS name")
        return domains


def oidc_trust(provider_arn: str, repository: str, subjects: list[str]) -> str:
    """Trust for GitHub's OIDC tokens of ``repository`` whose ``sub`` is one of ``subjects``."""
    return policy_document(
        {
            "Sid": "GitHubActionsOidc",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {f"{GITHUB_OIDC}:aud": "sts.amazonaws.com"},
                "StringLike": {f"{GITHUB_OIDC}:sub": [f"repo:{repository}:{s}" for s in subjects]},
            },
        }
    )


#: Who may assume each role: deploys only from the stack's GitHub environment (prod's has required
#: reviewers); previews from pull requests, and the drift check from main's schedule.
ROLE_SUBJECTS: dict[str, list[str]] = {
    "deploy": ["environment:{stack}"],
    "preview": ["pull_request", "ref:refs/heads/main"],
}


class Bootstrap(pulumi.ComponentResource):
    """Creates: a KMS key (rotation on) for Pulumi secrets and the state bucket, with an alias the stacks'
    ``awskms://`` secrets provider names; the state bucket (versioned, SSE-KMS, public access blocked,
    TLS only, old versions expire); GitHub's OIDC provider; per stack a deploy role (AdministratorAccess:
    it creates IAM roles, keys and clusters) and a preview role (ReadOnlyAccess), both with the state
    bucket and the key; a Secrets Manager secret holding the GitHub token the CodeBuild runners use and
    the account's CodeBuild source credential pointing at it; and per VPN stack the ``vpn.<domain>`` ACM
    certificate, DNS-validated (the private key never leaves ACM)."""

    def __init__(
        self,
        name: str,
        args: BootstrapArgs,
        *,
        github_token: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:bootstrap:Bootstrap", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition
        key = aws.kms.Key(
            f"{name}-state-key",
            description="Pulumi state bucket and stack secrets (awskms:// secrets provider)",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            opts=kept,
        )
        alias = aws.kms.Alias(
            f"{name}-state-key-alias",
            name=f"alias/{args.platform_name}-pulumi-secrets",
            target_key_id=key.id,
            opts=child,
        )
        # The platform's bucket hardening (components/buckets.py): versioned, SSE-KMS with the state key,
        # public access blocked, owner-enforced, TLS 1.2+ only; old state versions expire after the
        # retention. Kept (protect, retain on delete): the state of every stack lives in it.
        state = hardened_bucket(
            name,
            "state",
            bucket_prefix=f"{args.platform_name}-pulumi-",
            lifecycle=LifecycleArgs(noncurrent_expiration_days=args.state_retention_days),
            kms_key_arn=key.arn,
            log_bucket=None,
            parent=self,
            protect=True,
            retain_on_delete=True,
        )
        attach_policy(name, state, [], parent=self)
        bucket = state.bucket

        oidc = aws.iam.OpenIdConnectProvider(
            f"{name}-github-oidc",
            url=f"https://{GITHUB_OIDC}",
            client_id_lists=["sts.amazonaws.com"],
            opts=child,
        )
        state_access = pulumi.Output.all(bucket.arn, key.arn).apply(
            lambda v: policy_document(
                {
                    "Sid": "PulumiState",
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    "Resource": [v[0], f"{v[0]}/*"],
                },
                {
                    "Sid": "PulumiSecrets",
                    "Effect": "Allow",
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                    "Resource": v[1],
                },
            )
        )
        managed = {"deploy": "AdministratorAccess", "preview": "ReadOnlyAccess"}
        self.role_arns: dict[str, pulumi.Output[str]] = {}
        for stack in args.stacks:
            names = pipeline_names(args.platform_name, stack)
            for kind in ("deploy", "preview"):
                subjects = [s.format(stack=stack) for s in ROLE_SUBJECTS[kind]]
                role = aws.iam.Role(
                    f"{name}-{stack}-{kind}",
                    name=names[kind],  # the name the platform's access entry and the workflows expect
                    description=f"GitHub Actions {kind} of stack {stack} (OIDC)",
                    assume_role_policy=oidc.arn.apply(
                        lambda arn, subjects=subjects: oidc_trust(arn, args.github_repository, subjects)
                    ),
                    max_session_duration=3600 * (2 if kind == "deploy" else 1),
                    opts=child,
                )
                aws.iam.RolePolicyAttachment(
                    f"{name}-{stack}-{kind}-managed",
                    role=role.name,
                    policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", managed[kind]),
                    opts=child,
                )
                aws.iam.RolePolicy(
                    f"{name}-{stack}-{kind}-state", role=role.id, policy=state_access, opts=child
                )
                self.role_arns[f"{stack}-{kind}"] = role.arn

        token = aws.secretsmanager.Secret(
            f"{name}-github-runner-token",
            description="GitHub token CodeBuild uses to register the runners and their webhooks",
            kms_key_id=key.arn,
            recovery_window_in_days=30,
            opts=child,
        )
        version = aws.secretsmanager.SecretVersion(
            f"{name}-github-runner-token-value",
            secret_id=token.id,
            secret_string=pulumi.Output.secret(github_token),
            opts=child,
        )
        aws.codebuild.SourceCredential(
            f"{name}-codebuild-github",
            auth_type="SECRETS_MANAGER",
            server_type="GITHUB",
            token=token.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[version]),
        )

        self.vpn_certificate_arns: dict[str, pulumi.Output[str]] = {}
        for stack, domain in args.vpn_domains.items():
            self.vpn_certificate_arns[stack] = self._vpn_certificate(f"{name}-{stack}-vpn", domain)

        self.state_bucket = bucket.bucket
        self.secrets_provider = pulumi.Output.concat(
            "awskms://", alias.name, "?region=", aws.get_region_output(opts=invoke).region
        )
        self.github_oidc_provider_arn = oidc.arn
        self.register_outputs(
            {
                "state_bucket": self.state_bucket,
                "secrets_provider": self.secrets_provider,
                "role_arns": self.role_arns,
                "vpn_certificate_arns": self.vpn_certificate_arns,
            }
        )

    def _vpn_certificate(self, name: str, domain: str) -> pulumi.Output[str]:
        """The admin VPN's server certificate: an ACM public certificate for ``vpn.<domain>``, validated in
        the domain's zone. ACM holds the private key; nothing of it reaches config, state or outputs."""
        child = pulumi.ResourceOptions(parent=self)
        zone = aws.route53.get_zone_output(
            name=domain, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        certificate = aws.acm.Certificate(
            name,
            domain_name=f"vpn.{domain}",
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            opts=child,
        )
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            f"{name}-validation",
            zone_id=zone.zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            allow_overwrite=True,
            opts=child,
        )
        validated = aws.acm.CertificateValidation(
            f"{name}-validated",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=child,
        )
        return validated.certificate_arn
