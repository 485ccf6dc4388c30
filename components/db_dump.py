"""The nightly logical database dump (seed 000: "full database dumps stored in object storage").

RDS snapshots and AWS Backup restore the whole instance; a ``pg_dump`` per database restores one
database, into any PostgreSQL, and survives the loss of the account's snapshots. A CronJob in the
bootstrap namespace (where the master credentials already live, synced from the RDS-managed secret by
the bootstrap's SecretStore) dumps each database in the custom format into an ``emptyDir``; a second
container uploads the files to the backups bucket under ``<prefix><date>/``, encrypted with the data
key (SSE-KMS), with an IRSA role that may only put objects under that prefix. The bucket's lifecycle
expires the prefix after its own retention (``storage.buckets.backups.expire_prefixes``), and its
replication copies the dumps to the DR region.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s
from pydantic import Field, model_validator

from .args import Args, FieldProblem
from .irsa import irsa_role
from .k8s_pod import container_security_context, labels, pod_security_context, selector, writable_dirs
from .k8s_service import ip_blocks
from .versions import pin

APP = "db-dump"
#: The key prefix of the dumps in the backups bucket (its lifecycle rule expires exactly this prefix).
DUMP_PREFIX = "postgres/"


class DatabaseDumpArgs(Args):
    """When and how the database is dumped to the backups bucket."""

    enabled: bool = True
    schedule: str = Field(
        default="30 1 * * *",
        pattern=r"^(\S+\s+){4}\S+$",
        description="Cron (UTC): 01:30, before seed 003's 03:00-04:00 RDS backup window and AWS Backup's 05:00.",
    )
    pg_image: str = Field(
        default=f"{pin('postgres-client-image').lookup}:{pin('postgres-client-image').version}",
        description="pg_dump's major version must be ≥ the server's (PostgreSQL 17); pinned, from ECR Public.",
    )
    aws_cli_image: str = Field(
        default=f"{pin('aws-cli-image').lookup}:{pin('aws-cli-image').version}",
        description="Uploads the dump (IRSA credentials through the SDK's web-identity provider).",
    )
    scratch_size: str = Field(
        default="20Gi",
        pattern=r"^\d+(Mi|Gi)$",
        description="emptyDir size limit for the dumps of one night (custom format, compressed).",
    )
    active_deadline_seconds: int = Field(
        default=10800, ge=600, le=86400, description="A dump still running after 3 hours is stopped."
    )
    backoff_limit: int = Field(default=2, ge=0, le=10, description="Retries of a failed night.")

    @model_validator(mode="after")
    def _check(self) -> DatabaseDumpArgs:
        for key in ("pg_image", "aws_cli_image"):
            image = getattr(self, key)
            if "@" not in image and (":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest")):
                raise FieldProblem(key, image, "pin the image with a version tag (not 'latest') or a digest")
        return self


def upload_policy(bucket_arn: str, kms_key_arn: str | None) -> str:
    """Put objects under the dump prefix of the backups bucket, encrypting with the data key."""
    statements: list[dict[str, object]] = [
        {
            "Sid": "PutDumps",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": f"{bucket_arn}/{DUMP_PREFIX}*",
        }
    ]
    if kms_key_arn is not None:
        statements.append(
            {
                "Sid": "EncryptDumps",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey", "kms:Encrypt"],
                "Resource": kms_key_arn,
            }
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def dump_script(databases: Sequence[str]) -> str:
    """pg_dump of each database (custom format), failing the pod on the first error."""
    lines = ["set -eu"]
    lines += [
        f'pg_dump --format=custom --no-password --dbname="{db}" --file="/dump/{db}.dump"' for db in databases
    ]
    return "\n".join(lines)


UPLOAD_SCRIPT = (
    "set -eu\n"
    'stamp="$(date -u +%Y-%m-%dT%H%MZ)"\n'
    'aws s3 cp /dump "s3://${BUCKET}/${PREFIX}${stamp}/" --recursive --only-show-errors '
    '--sse aws:kms ${KMS_KEY_ID:+--sse-kms-key-id "$KMS_KEY_ID"}\n'
)


def create_database_dump(
    name: str,
    args: DatabaseDumpArgs,
    *,
    namespace: pulumi.Input[str],
    namespace_name: str,
    databases: Sequence[str],
    master_secret: str,
    db_host: pulumi.Input[str],
    db_port: pulumi.Input[int],
    database_subnet_cidrs: pulumi.Input[Sequence[str]],
    bucket_name: pulumi.Input[str],
    bucket_arn: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str] | None,
    oidc_provider_arn: pulumi.Input[str],
    oidc_provider_url: pulumi.Input[str],
    sslmode: str,
    opts: pulumi.ResourceOptions,
) -> k8s.batch.v1.CronJob | None:
    """The dump's IRSA role, ServiceAccount, egress policy and CronJob (``None`` when disabled)."""
    if not args.enabled:
        return None
    meta = labels(APP, "database-dump")
    role = irsa_role(
        f"{name}-role",
        namespace=namespace_name,
        service_account=APP,
        oidc_provider_arn=oidc_provider_arn,
        oidc_provider_url=oidc_provider_url,
        policy_json=pulumi.Output.all(bucket_arn, kms_key_arn).apply(lambda v: upload_policy(v[0], v[1])),
        opts=opts,
    )
    k8s.core.v1.ServiceAccount(
        f"{name}-sa",
        metadata={
            "name": APP,
            "namespace": namespace,
            "labels": meta,
            "annotations": {"eks.amazonaws.com/role-arn": role.arn},
        },
        automount_service_account_token=False,
        opts=opts,
    )
    k8s.networking.v1.NetworkPolicy(
        f"{name}-egress",
        metadata={"name": f"{APP}-egress", "namespace": namespace, "labels": meta},
        spec={
            "pod_selector": {"match_labels": selector(APP)},
            "policy_types": ["Egress"],
            "egress": [
                {"to": ip_blocks(database_subnet_cidrs), "ports": [{"protocol": "TCP", "port": db_port}]},
                # S3 and STS (web identity) over HTTPS.
                {"to": [{"ip_block": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 443}]},
            ],
        },
        opts=opts,
    )
    volumes, mounts = writable_dirs(["/tmp"], size_limit="64Mi")
    volumes.append({"name": "dump", "empty_dir": {"size_limit": args.scratch_size}})
    dump_mount: k8s.core.v1.VolumeMountArgsDict = {"name": "dump", "mount_path": "/dump"}

    def from_secret(env: str, key: str) -> k8s.core.v1.EnvVarArgsDict:
        return {"name": env, "value_from": {"secret_key_ref": {"name": master_secret, "key": key}}}

    def hardened(container: k8s.core.v1.ContainerArgsDict) -> k8s.core.v1.ContainerArgsDict:
        container["image_pull_policy"] = "IfNotPresent"
        container["security_context"] = container_security_context()
        container["termination_message_policy"] = "FallbackToLogsOnError"
        return container

    return k8s.batch.v1.CronJob(
        f"{name}-cronjob",
        metadata={"name": APP, "namespace": namespace, "labels": meta},
        spec={
            "schedule": args.schedule,
            "time_zone": "Etc/UTC",
            "concurrency_policy": "Forbid",
            "starting_deadline_seconds": 3600,
            "successful_jobs_history_limit": 3,
            "failed_jobs_history_limit": 3,
            "job_template": {
                "metadata": {"labels": meta},
                "spec": {
                    "backoff_limit": args.backoff_limit,
                    "active_deadline_seconds": args.active_deadline_seconds,
                    "template": {
                        "metadata": {"labels": meta},
                        "spec": {
                            "restart_policy": "Never",
                            "service_account_name": APP,
                            # The SDK reads the projected web-identity token, not the API token.
                            "automount_service_account_token": False,
                            "enable_service_links": False,
                            "security_context": pod_security_context(),
                            "init_containers": [
                                hardened(
                                    {
                                        "name": "pg-dump",
                                        "image": args.pg_image,
                                        "command": ["sh", "-c", dump_script(databases)],
                                        "env": [
                                            {"name": "PGHOST", "value": db_host},
                                            {
                                                "name": "PGPORT",
                                                "value": pulumi.Output.from_input(db_port).apply(str),
                                            },
                                            {"name": "PGSSLMODE", "value": sslmode},
                                            {"name": "PGCONNECT_TIMEOUT", "value": "10"},
                                            {"name": "PGAPPNAME", "value": APP},
                                            {"name": "HOME", "value": "/tmp"},
                                            from_secret("PGUSER", "username"),
                                            from_secret("PGPASSWORD", "password"),
                                        ],
                                        "resources": {
                                            "requests": {"cpu": "100m", "memory": "128Mi"},
                                            "limits": {"cpu": "500m", "memory": "512Mi"},
                                        },
                                        "volume_mounts": [*mounts, dump_mount],
                                    }
                                )
                            ],
                            "containers": [
                                hardened(
                                    {
                                        "name": "upload",
                                        "image": args.aws_cli_image,
                                        "command": ["sh", "-c", UPLOAD_SCRIPT],
                                        "env": [
                                            {"name": "BUCKET", "value": bucket_name},
                                            {"name": "PREFIX", "value": DUMP_PREFIX},
                                            {"name": "KMS_KEY_ID", "value": kms_key_arn or ""},
                                            {"name": "HOME", "value": "/tmp"},
                                        ],
                                        "resources": {
                                            "requests": {"cpu": "50m", "memory": "128Mi"},
                                            "limits": {"cpu": "250m", "memory": "256Mi"},
                                        },
                                        "volume_mounts": [
                                            *mounts,
                                            {"name": "dump", "mount_path": "/dump", "read_only": True},
                                        ],
                                    }
                                )
                            ],
                            "volumes": volumes,
                        },
                    },
                },
            },
        },
        opts=opts,
    )
