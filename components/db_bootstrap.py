"""The database bootstrap: the logical databases and the application role, created idempotently in-cluster.

RDS creates one database; seed 003 lists four (``market_data``, ``trading_decisions``,
``portfolio_management``, ``reporting``). A Kubernetes Job inside the VPC (the database is private)
connects with the RDS-managed master secret and creates what is missing: ``CREATE ... WHERE NOT
EXISTS`` through ``\\gexec``, grants that are no-ops the second time, and the role's password set from
its Secrets Manager secret on every run, so running it again is always safe.

It runs in its own namespace so the master credentials never exist as a Secret in the application
namespace.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Annotated, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random
from pydantic import AfterValidator, Field, model_validator

from .args import Args, FieldProblem
from .k8s_namespace import NamespaceQuota
from .k8s_pod import (
    container_security_context,
    labels,
    pod_security_context,
    selector,
    writable_dirs,
)
from .k8s_secret_store import ExternalSecretSpec, SecretsManagerStore
from .k8s_service import ip_blocks
from .versions import pin

_SQL_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: The databases of seed 003's PostgreSQL configuration.
SEED_DATABASES = ["market_data", "trading_decisions", "portfolio_management", "reporting"]

APP = "db-bootstrap"
MASTER_SECRET = "db-master-credentials"
APP_SECRET = "db-app-credentials"


def _sql_identifier(value: str) -> str:
    if not _SQL_IDENTIFIER.match(value):
        raise ValueError(
            "a lower-case PostgreSQL identifier: a letter or '_', then letters, digits or '_', at most 63 characters"
        )
    return value


SqlIdentifier = Annotated[str, AfterValidator(_sql_identifier)]


class DatabaseBootstrapArgs(Args):
    """What the bootstrap Job creates, and with what image."""

    databases: list[SqlIdentifier] = Field(
        default_factory=lambda: list(SEED_DATABASES),
        min_length=1,
        description="Logical databases (seed 003).",
    )
    app_role: SqlIdentifier = Field(
        default="quantumvest_app",
        description="The login role the services use: owner of nothing, granted CONNECT and schema use only.",
    )
    app_database: SqlIdentifier = Field(
        default="trading_decisions",
        description="The database DATABASE_URL points at; each database also has its own 'database-url-<db>'.",
    )
    image: str = Field(
        default=f"{pin('postgres-client-image').lookup}:{pin('postgres-client-image').version}",
        description="An image with psql ≥ 15 (for \\getenv), pinned; from ECR Public, so no Docker Hub limits.",
    )
    sslmode: Literal["require", "verify-ca", "verify-full"] = Field(
        default="require",
        description="'require' encrypts (the parameter group forces SSL); verify-* needs the RDS CA bundle in the image.",
    )
    backoff_limit: int = Field(default=6, ge=0, le=20, description="Retries while the database comes up.")
    active_deadline_seconds: int = Field(
        default=900, ge=60, le=7200, description="Gives up after 15 minutes."
    )
    quota: NamespaceQuota = Field(
        default_factory=lambda: NamespaceQuota(
            requests_cpu="500m",
            requests_memory="512Mi",
            limits_cpu="1",
            limits_memory="1Gi",
            pods=4,
            persistent_volume_claims=0,
            requests_storage="0",
        ),
        description="The bootstrap namespace runs one small pod at a time.",
    )

    @model_validator(mode="after")
    def _check(self) -> DatabaseBootstrapArgs:
        for index, db in enumerate(self.databases):
            if self.databases.index(db) != index:
                raise FieldProblem(f"databases[{index}]", db, "listed twice")
        if self.app_database not in self.databases:
            raise FieldProblem(
                "app_database", self.app_database, f"not one of databases ({', '.join(self.databases)})"
            )
        if "@" not in self.image and (
            ":" not in self.image.rsplit("/", 1)[-1] or self.image.endswith(":latest")
        ):
            raise FieldProblem(
                "image", self.image, "pin the image with a version tag (not 'latest') or a digest"
            )
        return self


def bootstrap_sql(databases: Sequence[str], app_role: str) -> str:
    """The psql script: idempotent role and databases, least-privilege grants, password from the environment.

    Identifiers are validated (``SqlIdentifier``) and quoted; the password never appears on a command
    line or in the script (``\\getenv`` reads it, psql quotes it).
    """
    array = ", ".join(f"'{db}'" for db in databases)
    lines = [
        "\\set ON_ERROR_STOP on",
        "\\getenv app_password APP_DB_PASSWORD",
        "-- The application role: created once, password (re)set on every run so rotations apply.",
        f"SELECT format('CREATE ROLE %I LOGIN', '{app_role}') WHERE NOT EXISTS "
        f"(SELECT FROM pg_roles WHERE rolname = '{app_role}')\\gexec",
        f"ALTER ROLE \"{app_role}\" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';",
        "-- The logical databases (seed 003): created only when missing.",
        f"SELECT format('CREATE DATABASE %I', d) FROM unnest(ARRAY[{array}]) AS d "
        "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d)\\gexec",
    ]
    for db in databases:
        lines += [
            f'REVOKE ALL ON DATABASE "{db}" FROM PUBLIC;',
            f'GRANT CONNECT, TEMPORARY ON DATABASE "{db}" TO "{app_role}";',
            f"\\connect {db}",
            f'GRANT USAGE, CREATE ON SCHEMA public TO "{app_role}";',
        ]
    return "\n".join(lines) + "\n"


def host_of(endpoint: str) -> str:
    """``db.xyz.rds.amazonaws.com:5432`` → ``db.xyz.rds.amazonaws.com`` (RDS ``endpoint`` vs ``address``)."""
    return re.sub(r":\d+$", "", endpoint)


class DatabaseBootstrap(pulumi.ComponentResource):
    """Creates the logical databases and the application role, from inside the cluster.

    Creates: the application role's password (pulumi-random, secret) in a Secrets Manager secret
    (KMS); a SecretStore whose IRSA role reads only that secret and the RDS-managed master secret, and
    the two Kubernetes Secrets synced from them; the SQL as a ConfigMap; a ServiceAccount without a
    token; an egress NetworkPolicy to the database subnets on the Postgres port; and the Job, hardened
    like every pod here. The Job is replaced (and so runs again) whenever the SQL or the role's secret
    version changes, and when a previous run failed (``pulumi.com/replaceUnready``).
    """

    app_credentials_secret_arn: pulumi.Output[str]
    job_name: str

    def __init__(
        self,
        name: str,
        args: DatabaseBootstrapArgs,
        *,
        namespace: pulumi.Input[str],
        namespace_name: str,
        db_endpoint: pulumi.Input[str],
        db_port: pulumi.Input[int],
        db_master_secret_arn: pulumi.Input[str],
        database_subnet_cidrs: pulumi.Input[Sequence[str]],
        region: pulumi.Input[str],
        oidc_provider_arn: pulumi.Input[str],
        oidc_provider_url: pulumi.Input[str],
        secrets_kms_key_arn: pulumi.Input[str] | None = None,
        decrypt_kms_key_arns: Sequence[pulumi.Input[str]] = (),
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("quantumvest:workloads:DatabaseBootstrap", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        meta = labels(APP, "database-bootstrap")

        password = random.RandomPassword(
            f"{name}-app-password",
            length=40,
            special=False,  # goes into a connection URL: no characters that need escaping
            opts=child,
        )
        secret = aws.secretsmanager.Secret(
            f"{name}-app-credentials",
            description=f"{name}: PostgreSQL login of the application role '{args.app_role}'",
            kms_key_id=secrets_kms_key_arn,
            recovery_window_in_days=7,
            opts=child,
        )
        version = aws.secretsmanager.SecretVersion(
            f"{name}-app-credentials-version",
            secret_id=secret.id,
            secret_string=pulumi.Output.json_dumps({"username": args.app_role, "password": password.result}),
            opts=child,
        )
        self.app_credentials_secret_arn = secret.arn

        kms_keys = [k for k in [secrets_kms_key_arn, *decrypt_kms_key_arns] if k is not None]
        store = SecretsManagerStore(
            f"{name}-secrets",
            namespace=namespace,
            namespace_name=namespace_name,
            secret_arns=[db_master_secret_arn, secret.arn],
            kms_key_arns=kms_keys,
            region=region,
            oidc_provider_arn=oidc_provider_arn,
            oidc_provider_url=oidc_provider_url,
            secrets=[
                ExternalSecretSpec(
                    target=MASTER_SECRET,
                    data=[
                        {"secretKey": key, "remoteRef": {"key": db_master_secret_arn, "property": key}}
                        for key in ("username", "password")
                    ],
                ),
                ExternalSecretSpec(
                    target=APP_SECRET,
                    data=[
                        {"secretKey": "password", "remoteRef": {"key": secret.arn, "property": "password"}}
                    ],
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[version]),
        )

        sql = bootstrap_sql(args.databases, args.app_role)
        k8s.core.v1.ConfigMap(
            f"{name}-sql",
            metadata={"name": f"{APP}-sql", "namespace": namespace, "labels": meta},
            data={"bootstrap.sql": sql},
            immutable=False,
            opts=child,
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata={"name": APP, "namespace": namespace, "labels": meta},
            automount_service_account_token=False,
            opts=child,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-egress",
            metadata={"name": f"{APP}-egress", "namespace": namespace, "labels": meta},
            spec={
                "pod_selector": {"match_labels": selector(APP)},
                "policy_types": ["Egress"],
                "egress": [
                    {
                        "to": ip_blocks(database_subnet_cidrs),
                        "ports": [{"protocol": "TCP", "port": db_port}],
                    }
                ],
            },
            opts=child,
        )

        volumes, mounts = writable_dirs(["/tmp"], size_limit="64Mi")
        volumes.append({"name": "sql", "config_map": {"name": f"{APP}-sql"}})
        mounts.append({"name": "sql", "mount_path": "/sql", "read_only": True})

        def from_secret(env: str, secret_name: str, key: str) -> k8s.core.v1.EnvVarArgsDict:
            return {"name": env, "value_from": {"secret_key_ref": {"name": secret_name, "key": key}}}

        job = k8s.batch.v1.Job(
            f"{name}-job",
            metadata={
                "name": APP,
                "namespace": namespace,
                "labels": meta,
                # A Job that failed is replaced on the next deploy rather than left failed.
                "annotations": {"pulumi.com/replaceUnready": "true"},
            },
            spec={
                "backoff_limit": args.backoff_limit,
                "active_deadline_seconds": args.active_deadline_seconds,
                "template": {
                    "metadata": {
                        "labels": meta,
                        "annotations": {
                            "quantumvest.io/sql-hash": hashlib.sha256(sql.encode()).hexdigest()[:16],
                            "quantumvest.io/app-credentials-version": version.version_id,
                        },
                    },
                    "spec": {
                        "restart_policy": "Never",
                        "service_account_name": account.metadata.name,
                        "automount_service_account_token": False,
                        "enable_service_links": False,
                        "security_context": pod_security_context(),
                        "containers": [
                            {
                                "name": "psql",
                                "image": args.image,
                                "image_pull_policy": "IfNotPresent",
                                "command": ["psql", "--no-psqlrc", "--file=/sql/bootstrap.sql"],
                                "env": [
                                    {
                                        "name": "PGHOST",
                                        "value": pulumi.Output.from_input(db_endpoint).apply(host_of),
                                    },
                                    {"name": "PGPORT", "value": pulumi.Output.from_input(db_port).apply(str)},
                                    {"name": "PGDATABASE", "value": "postgres"},
                                    {"name": "PGSSLMODE", "value": args.sslmode},
                                    {"name": "PGCONNECT_TIMEOUT", "value": "10"},
                                    {"name": "PGAPPNAME", "value": APP},
                                    {"name": "HOME", "value": "/tmp"},
                                    from_secret("PGUSER", MASTER_SECRET, "username"),
                                    from_secret("PGPASSWORD", MASTER_SECRET, "password"),
                                    from_secret("APP_DB_PASSWORD", APP_SECRET, "password"),
                                ],
                                "resources": {
                                    "requests": {"cpu": "50m", "memory": "64Mi"},
                                    "limits": {"cpu": "500m", "memory": "256Mi"},
                                },
                                "security_context": container_security_context(),
                                "volume_mounts": mounts,
                                "termination_message_policy": "FallbackToLogsOnError",
                            }
                        ],
                        "volumes": volumes,
                    },
                },
            },
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(store.secrets.values()), delete_before_replace=True
            ),
        )
        self.job_name = APP
        self.register_outputs(
            {
                "app_credentials_secret_arn": self.app_credentials_secret_arn,
                "job_name": self.job_name,
                "job": job.id,
            }
        )
