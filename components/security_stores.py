"""What services pull and read: an ECR repository per service and a Secrets Manager secret per service
with generated values.

Split from ``security.py``; children of the ``Security`` component, same logical names as before.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .security_args import SecurityScope


def repositories(scope: SecurityScope, data_key: aws.kms.Key) -> dict[str, pulumi.Output[str]]:
    """A repository per service: scan on push, immutable tags, KMS, lifecycle keeping the last N."""
    ecr = scope.args.ecr
    lifecycle = json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Remove untagged images after {ecr.untagged_expire_days} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": ecr.untagged_expire_days,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the last {ecr.keep_images} images",
                    "selection": {
                        "tagStatus": "any",
                        "countType": "imageCountMoreThan",
                        "countNumber": ecr.keep_images,
                    },
                    "action": {"type": "expire"},
                },
            ]
        },
        sort_keys=True,
    )
    urls: dict[str, pulumi.Output[str]] = {}
    for service in ecr.repositories:
        repo = aws.ecr.Repository(
            f"{scope.name}-ecr-{service}",
            name=f"{scope.prefix}/{service}",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": data_key.arn}],
            force_delete=not scope.args.protect,
            opts=scope.stateful,
        )
        aws.ecr.LifecyclePolicy(
            f"{scope.name}-ecr-{service}-lifecycle",
            repository=repo.name,
            policy=lifecycle,
            opts=scope.child,
        )
        urls[service] = repo.repository_url
    return urls


def app_secrets(scope: SecurityScope, secrets_key: aws.kms.Key) -> dict[str, pulumi.Output[str]]:
    """A secret per service holding a JSON object of generated values, encrypted with the secrets key."""
    cfg = scope.args.app_secrets
    arns: dict[str, pulumi.Output[str]] = {}
    for service, value_names in cfg.services.items():
        secret = aws.secretsmanager.Secret(
            f"{scope.name}-{service}-secret",
            name_prefix=f"{scope.prefix}/{service}-",
            description=f"{scope.prefix}: generated application secrets of {service}",
            kms_key_id=secrets_key.arn,
            recovery_window_in_days=cfg.recovery_window_days,
            opts=scope.stateful,
        )
        values = {
            value_name: random.RandomPassword(
                f"{scope.name}-{service}-{value_name.lower().replace('_', '-')}",
                length=cfg.length,
                special=False,
                opts=scope.child,
            ).result
            for value_name in value_names
        }
        aws.secretsmanager.SecretVersion(
            f"{scope.name}-{service}-secret-value",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(pulumi.Output.json_dumps(values)),
            opts=scope.child,
        )
        arns[service] = secret.arn
    return arns
