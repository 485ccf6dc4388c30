"""Storage rules that depend on the tier."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs


def prod_protects_storage(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Production buckets and the file system hold state nobody can recreate: ``protect`` stays on."""
    if cfg.platform.environment == "prod" and not cfg.storage.protect:
        yield FieldProblem(
            "storage.protect",
            cfg.storage.protect,
            "prod keeps buckets and the file system protected from deletion (pulumi state unprotect "
            "one resource on purpose instead)",
        )


def prod_replicates_backups(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Production backups survive the loss of the region (CKV_AWS_144; seeds 000 and 001)."""
    backups = cfg.storage.buckets.get("backups")
    # A DR pair copies the backups bucket through AWS Backup into the standby's vault instead.
    paired = cfg.dr.role != "none"
    if (
        cfg.platform.environment == "prod"
        and backups is not None
        and not backups.replicate_to_dr
        and not paired
    ):
        yield FieldProblem(
            "storage.buckets.backups.replicate_to_dr",
            False,
            "prod replicates the backups bucket to the DR region",
        )


RULES = [prod_protects_storage, prod_replicates_backups]
