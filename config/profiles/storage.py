"""Storage per tier. dev: cheapest that works (no DR copy, short retention, North America/Europe edges,
unprotected so a dev stack can be torn down); staging: prod's lifecycle without the DR copy; prod:
protected, backups replicated to the DR region, every edge location.

Profiles list every bucket, so a stack file can change one key of one bucket (the loader merges
mappings key by key) and drop a bucket by setting its role to null.
"""

from typing import Any


def _tiered(
    ia: int, glacier: int, expire: int, noncurrent: int = 90, deep_archive: int | None = None
) -> dict[str, Any]:
    transitions = [
        {"days": ia, "storage_class": "STANDARD_IA"},
        {"days": glacier, "storage_class": "GLACIER"},
    ]
    if deep_archive is not None:
        transitions.append({"days": deep_archive, "storage_class": "DEEP_ARCHIVE"})
    return {"transitions": transitions, "expiration_days": expire, "noncurrent_expiration_days": noncurrent}


def _buckets(*, backups: dict[str, Any], logs: dict[str, Any], replicate_backups: bool) -> dict[str, Any]:
    return {
        "assets": {"lifecycle": {"noncurrent_expiration_days": 30}},
        "backups": {"lifecycle": backups, "replicate_to_dr": replicate_backups},
        "logs": {"lifecycle": logs},
        "model-artifacts": {
            "lifecycle": {"noncurrent_transitions": [{"days": 30, "storage_class": "STANDARD_IA"}]}
        },
    }


PROFILES = {
    "dev": {
        "bucket_prefix": "quantumvest-dev-",
        "protect": False,
        "buckets": _buckets(
            backups={"expiration_days": 30, "noncurrent_expiration_days": 7},
            logs={"expiration_days": 30, "noncurrent_expiration_days": 7},
            replicate_backups=False,
        ),
        "efs": {"transition_to_ia": "AFTER_7_DAYS"},
        "cdn": {"price_class": "PriceClass_100"},
    },
    "staging": {
        "bucket_prefix": "quantumvest-staging-",
        "protect": False,
        "buckets": _buckets(
            backups=_tiered(30, 90, 180),
            logs=_tiered(30, 90, 180, noncurrent=30),
            replicate_backups=False,
        ),
        "cdn": {"price_class": "PriceClass_100"},
    },
    "prod": {
        "bucket_prefix": "quantumvest-prod-",
        "protect": True,
        "buckets": _buckets(
            # Seven years: the record-keeping horizon of broker-dealer rules (SEC 17a-4), mostly in Deep Archive.
            backups=_tiered(30, 90, 2555, deep_archive=180),
            logs=_tiered(30, 90, 400, noncurrent=30),
            # The DR standby (prod-dr) holds the cross-region copy: AWS Backup copies the bucket into
            # its vault (config/rules/storage.py asks for replication only without a standby).
            replicate_backups=False,
        ),
        "cdn": {"price_class": "PriceClass_All"},
    },
}
