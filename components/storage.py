"""Object, file and edge storage: the S3 buckets, the shared EFS, the assets CDN, public certificates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from .alb_logs import ALB_LOG_PREFIX, alb_log_delivery_statement
from .args import Args, FieldProblem
from .buckets import (
    ACCESS_LOG_PREFIX,
    BUCKET_PREFIX_MAX,
    RESERVED_NAME_STARTS,
    ROLE_PATTERN,
    BucketArgs,
    HardenedBucket,
    attach_policy,
    hardened_bucket,
    server_access_log_statement,
)
from .cdn import Cdn, CdnArgs, assets_cdn, log_delivery_statements
from .dns import DnsArgs, validated_certificate
from .efs import EfsArgs, shared_file_system
from .lifecycle import LifecycleArgs, Transition
from .replication import ReplicaStorageClass, replicate_to_dr


def _default_buckets() -> dict[str, BucketArgs]:
    """The platform's buckets (seeds 000/001: static assets, backups, logs, model artifacts)."""
    return {
        "assets": BucketArgs(),
        "backups": BucketArgs(
            lifecycle=LifecycleArgs(
                transitions=[
                    Transition(days=30, storage_class="STANDARD_IA"),
                    Transition(days=90, storage_class="GLACIER"),
                ],
                expiration_days=365,
                # The nightly pg_dump (components/db_dump.py): seed 004's 30-day retention.
                prefix_expirations={"postgres/": 30},
            ),
            replicate_to_dr=True,
        ),
        "logs": BucketArgs(
            lifecycle=LifecycleArgs(
                transitions=[
                    Transition(days=30, storage_class="STANDARD_IA"),
                    Transition(days=90, storage_class="GLACIER"),
                ],
                expiration_days=365,
                noncurrent_expiration_days=30,
            )
        ),
        "model-artifacts": BucketArgs(
            lifecycle=LifecycleArgs(noncurrent_transitions=[Transition(days=30, storage_class="STANDARD_IA")])
        ),
    }


class StorageArgs(Args):
    """Settings of the storage area. Defaults are production's: protected, backups replicated, CDN on."""

    bucket_prefix: str = Field(
        default="quantumvest-",
        description="Start of every bucket name (then the role and a unique suffix): no fixed names, so stacks "
        "can share an account. Lowercase letters, digits and hyphens; no dots (they break TLS to S3).",
    )
    buckets: dict[str, BucketArgs] = Field(
        default_factory=_default_buckets,
        description="Buckets by role. The role becomes part of the name; set a role to null to drop it.",
    )
    log_bucket: str = Field(
        default="logs",
        description="Role of the bucket receiving S3 server access logs and CDN logs (SSE-S3).",
    )
    protect: bool = Field(
        default=True, description="Pulumi 'protect' on buckets and the file system: no accidental deletion."
    )
    replica_storage_class: ReplicaStorageClass = Field(
        default="STANDARD_IA",
        description="Class of DR replicas: read only in a disaster, so infrequent access.",
    )
    efs: EfsArgs = Field(default_factory=EfsArgs, description="The shared file system for model artifacts.")
    cdn: CdnArgs = Field(default_factory=CdnArgs, description="CloudFront for the static assets.")
    dns: DnsArgs = Field(
        default_factory=DnsArgs,
        description="Public hosts and their certificates (the domain comes from platform.domain).",
    )

    @model_validator(mode="after")
    def _check_names(self) -> StorageArgs:
        prefix = self.bucket_prefix
        if not ROLE_PATTERN.match(prefix.rstrip("-")) or "." in prefix:
            raise FieldProblem(
                "bucket_prefix",
                prefix,
                "S3 bucket names use lowercase letters, digits and hyphens and start with a letter or digit "
                "(dots are allowed by S3 but break TLS to virtual-hosted buckets, so not here)",
            )
        if prefix.startswith(RESERVED_NAME_STARTS):
            raise FieldProblem(
                "bucket_prefix",
                prefix,
                f"S3 reserves bucket names starting with {', '.join(RESERVED_NAME_STARTS)}",
            )
        for role in self.buckets:
            if not ROLE_PATTERN.match(role):
                raise FieldProblem(
                    f"buckets.{role}",
                    role,
                    "a bucket role is lowercase letters, digits and hyphens, starting and ending with a letter or "
                    "digit (it becomes part of the S3 bucket name)",
                )
        for role in sorted(self.all_bucket_roles(), key=len, reverse=True)[:1]:
            full = f"{prefix}{role}-"
            if len(full) > BUCKET_PREFIX_MAX:
                raise FieldProblem(
                    "bucket_prefix",
                    prefix,
                    f"with role {role!r} the name prefix {full!r} is {len(full)} characters; S3 names are at "
                    f"most 63 and Pulumi appends a 26-character unique suffix, so at most {BUCKET_PREFIX_MAX}",
                )
        if self.log_bucket not in self.buckets:
            raise FieldProblem(
                "log_bucket",
                self.log_bucket,
                f"must name one of the buckets ({', '.join(sorted(self.buckets))})",
            )
        if self.buckets[self.log_bucket].replicate_to_dr:
            raise FieldProblem(
                f"buckets.{self.log_bucket}.replicate_to_dr",
                True,
                "the access-log bucket is not replicated (the DR region has its own log bucket)",
            )
        if self.cdn.enabled:
            if self.cdn.origin_bucket not in self.buckets:
                raise FieldProblem(
                    "cdn.origin_bucket",
                    self.cdn.origin_bucket,
                    f"must name one of the buckets ({', '.join(sorted(self.buckets))}) or set cdn.enabled: false",
                )
            if self.cdn.origin_bucket == self.log_bucket:
                raise FieldProblem(
                    "cdn.origin_bucket", self.cdn.origin_bucket, "the log bucket is never served"
                )
        return self

    def replicated_roles(self) -> list[str]:
        """Roles of the buckets replicated to the DR region."""
        return [role for role, bucket in self.buckets.items() if bucket.replicate_to_dr]

    def all_bucket_roles(self) -> list[str]:
        """Every role that becomes a bucket name: configured, DR replicas and the DR log bucket."""
        replicated = self.replicated_roles()
        derived = [f"{role}-replica" for role in replicated] + (
            [f"dr-{self.log_bucket}"] if replicated else []
        )
        return [*self.buckets, *derived]


class Storage(pulumi.ComponentResource):
    """S3 buckets, the shared file system, the assets CDN, and the public certificates.

    Creates: one hardened bucket per configured role (components/buckets.py) with its bucket policy,
    the log bucket first; for each bucket with ``replicate_to_dr``, a replica in the DR region and a DR
    log bucket (components/replication.py); EFS with mount targets in the private subnets
    (components/efs.py); with a domain, DNS-validated certificates for the regional hosts and the CDN
    host through the records of ``hosted_zone_id`` (components/dns.py); CloudFront in front of the
    assets bucket (components/cdn.py). The log bucket also admits ALB access logs under
    ``alb_log_prefix`` (components/alb_logs.py): the load balancer the AWS Load Balancer Controller
    creates writes there once its LoadBalancerConfiguration names ``log_bucket_name`` and that prefix.
    """

    bucket_names: dict[str, pulumi.Output[str]]
    bucket_arns: dict[str, pulumi.Output[str]]
    #: DR replica bucket names by source role (prod: ``{"backups": …}``), for restore runbooks.
    replica_bucket_names: dict[str, pulumi.Output[str]]
    efs_file_system_id: pulumi.Output[str] | None
    efs_access_point_id: pulumi.Output[str] | None
    cdn_domain_name: pulumi.Output[str] | None
    certificate_arns: dict[str, pulumi.Output[str]]
    #: The access-log bucket and the prefix ALB access logs go to (the ALB's ``access_logs.s3.*``).
    log_bucket_name: pulumi.Output[str]
    alb_log_prefix: str = ALB_LOG_PREFIX

    def __init__(
        self,
        name: str,
        args: StorageArgs,
        *,
        private_subnet_ids: Sequence[pulumi.Input[str]],
        vpc_id: pulumi.Input[str],
        client_security_group_id: pulumi.Input[str],
        kms_key_arn: pulumi.Input[str],
        cloudfront_web_acl_arn: pulumi.Input[str] | None = None,
        dr_provider: pulumi.ProviderResource | None = None,
        dr_kms_key_arn: pulumi.Input[str] | None = None,
        us_east_1_provider: pulumi.ProviderResource | None = None,
        hosted_zone_id: pulumi.Input[str] | None = None,
        access_logged_buckets: Mapping[str, pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """``private_subnet_ids`` is a list (one id per AZ, e.g. ``[net.private_subnet_ids[i] for i in …]``):
        EFS needs one mount target per subnet, so their number must be known before deployment.
        """
        super().__init__("quantumvest:storage:Storage", name, None, opts)
        replicated = args.replicated_roles()
        if replicated and (dr_provider is None or dr_kms_key_arn is None):
            raise ValueError(
                f"storage: buckets {replicated} replicate to the DR region, which needs dr_provider and "
                "dr_kms_key_arn (a provider for the DR region and the data key there)"
            )
        if args.cdn.enabled and (us_east_1_provider is None or cloudfront_web_acl_arn is None):
            raise ValueError(
                "storage: the CDN needs us_east_1_provider (CloudFront certificates and log delivery live in "
                "us-east-1) and cloudfront_web_acl_arn (a CLOUDFRONT-scope WAF web ACL); or set "
                "storage.cdn.enabled: false"
            )
        if args.dns.enabled and hosted_zone_id is None:
            raise ValueError(
                f"storage: certificates for {args.dns.domain} are validated through its hosted zone; pass "
                "hosted_zone_id (the DnsZone's zone_id)"
            )
        if args.efs.enabled and not private_subnet_ids:
            raise ValueError("storage: EFS needs at least one private subnet id for its mount targets")

        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        region = aws.get_region_output(opts=invoke).region

        # The log bucket and its policy come first: every other bucket's access logging waits for them.
        log_bucket = self._bucket(name, args, args.log_bucket, kms_key_arn=None, log_bucket=None)
        log_statements = [
            server_access_log_statement(log_bucket.arn, args.bucket_prefix, account_id),
            alb_log_delivery_statement(log_bucket.arn, region, account_id, ALB_LOG_PREFIX),
        ]
        if args.cdn.enabled:
            log_statements += log_delivery_statements(log_bucket.arn, account_id)
        attach_policy(name, log_bucket, log_statements, parent=self)

        buckets: dict[str, HardenedBucket] = {args.log_bucket: log_bucket}
        for role in args.buckets:
            if role != args.log_bucket:
                buckets[role] = self._bucket(name, args, role, kms_key_arn=kms_key_arn, log_bucket=log_bucket)

        replicas = self._replicate(
            name, args, buckets, replicated, kms_key_arn, account_id, dr_provider, dr_kms_key_arn
        )

        self.certificate_arns = {}
        if args.dns.enabled:
            assert hosted_zone_id is not None  # checked above
            for host in args.dns.regional_hosts:
                self.certificate_arns[host] = validated_certificate(
                    name, host, args.dns, zone_id=hosted_zone_id, parent=self
                )
            if args.cdn.enabled:
                self.certificate_arns[args.dns.cdn_host] = validated_certificate(
                    name,
                    args.dns.cdn_host,
                    args.dns,
                    zone_id=hosted_zone_id,
                    parent=self,
                    provider=us_east_1_provider,
                )

        cdn: Cdn | None = None
        if args.cdn.enabled:
            assert us_east_1_provider is not None and cloudfront_web_acl_arn is not None  # checked above
            cdn = assets_cdn(
                name,
                args.cdn,
                origin=buckets[args.cdn.origin_bucket],
                log_bucket=log_bucket,
                web_acl_arn=cloudfront_web_acl_arn,
                dns=args.dns,
                zone_id=hosted_zone_id,
                certificate_arn=self.certificate_arns.get(args.dns.cdn_host),
                parent=self,
                us_east_1_provider=us_east_1_provider,
            )
        for role, bucket in buckets.items():
            if role != args.log_bucket:
                extra = cdn.origin_statements if cdn is not None and role == args.cdn.origin_bucket else []
                attach_policy(name, bucket, extra, parent=self)

        self.efs_file_system_id = None
        self.efs_access_point_id = None
        if args.efs.enabled:
            shared = shared_file_system(
                name,
                args.efs,
                private_subnet_ids=private_subnet_ids,
                vpc_id=vpc_id,
                client_security_group_id=client_security_group_id,
                kms_key_arn=kms_key_arn,
                parent=self,
                protect=args.protect,
            )
            self.efs_file_system_id = shared.file_system.id
            self.efs_access_point_id = shared.access_point.id

        # Buckets other areas own (the CloudTrail bucket) log into the same access-log bucket; their names
        # must start with bucket_prefix, which the log bucket's policy admits.
        for label, bucket_name in (access_logged_buckets or {}).items():
            aws.s3.BucketLogging(
                f"{name}-{label}-access-logging",
                bucket=bucket_name,
                target_bucket=log_bucket.name,
                target_prefix=f"{ACCESS_LOG_PREFIX}/{label}/",
                target_object_key_format={"partitioned_prefix": {"partition_date_source": "EventTime"}},
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[log_bucket.policy] if log_bucket.policy else []
                ),
            )

        self.bucket_names = {role: bucket.name for role, bucket in buckets.items()}
        self.bucket_arns = {role: bucket.arn for role, bucket in buckets.items()}
        self.log_bucket_name = log_bucket.name
        #: The buckets that hold data (not the access-log sink): what AWS Backup must protect.
        self.data_bucket_arns = {
            role: arn for role, arn in self.bucket_arns.items() if role != args.log_bucket
        }
        self.efs_file_system_arn = shared.file_system.arn if args.efs.enabled else None
        self.replica_bucket_names = {role: replica.name for role, replica in replicas.items()}
        self.cdn_domain_name = cdn.distribution.domain_name if cdn is not None else None
        self.register_outputs(
            {
                "bucket_names": self.bucket_names,
                "bucket_arns": self.bucket_arns,
                "replica_bucket_names": self.replica_bucket_names,
                "efs_file_system_id": self.efs_file_system_id,
                "efs_access_point_id": self.efs_access_point_id,
                "cdn_domain_name": self.cdn_domain_name,
                "certificate_arns": self.certificate_arns,
                "log_bucket_name": self.log_bucket_name,
            }
        )

    def _bucket(
        self,
        name: str,
        args: StorageArgs,
        role: str,
        *,
        kms_key_arn: pulumi.Input[str] | None,
        log_bucket: HardenedBucket | None,
    ) -> HardenedBucket:
        return hardened_bucket(
            name,
            role,
            bucket_prefix=args.bucket_prefix,
            lifecycle=args.buckets[role].lifecycle,
            kms_key_arn=kms_key_arn,
            log_bucket=log_bucket,
            parent=self,
            protect=args.protect,
        )

    def _replicate(
        self,
        name: str,
        args: StorageArgs,
        buckets: dict[str, HardenedBucket],
        replicated: list[str],
        kms_key_arn: pulumi.Input[str],
        account_id: pulumi.Input[str],
        dr_provider: pulumi.ProviderResource | None,
        dr_kms_key_arn: pulumi.Input[str] | None,
    ) -> dict[str, HardenedBucket]:
        """Replicas in the DR region of the buckets marked ``replicate_to_dr``, logging to a DR log bucket."""
        if not replicated:
            return {}
        assert dr_provider is not None and dr_kms_key_arn is not None  # checked by the constructor
        dr_logs = hardened_bucket(
            name,
            f"dr-{args.log_bucket}",
            bucket_prefix=args.bucket_prefix,
            lifecycle=args.buckets[args.log_bucket].lifecycle,
            kms_key_arn=None,
            log_bucket=None,
            parent=self,
            provider=dr_provider,
            protect=args.protect,
        )
        attach_policy(
            name,
            dr_logs,
            [server_access_log_statement(dr_logs.arn, args.bucket_prefix, account_id)],
            parent=self,
            provider=dr_provider,
        )
        return {
            role: replicate_to_dr(
                name,
                buckets[role],
                bucket_prefix=args.bucket_prefix,
                lifecycle=args.buckets[role].lifecycle,
                source_kms_key_arn=kms_key_arn,
                dr_kms_key_arn=dr_kms_key_arn,
                dr_log_bucket=dr_logs,
                storage_class=args.replica_storage_class,
                parent=self,
                dr_provider=dr_provider,
                protect=args.protect,
            )
            for role in replicated
        }
