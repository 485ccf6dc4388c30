"""Where the program and its stack files are (no Pulumi SDK: plan-file readers import this)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def stack_file(stack: str) -> Path:
    """``Pulumi.<stack>.yaml`` in the repository root (a path is accepted as is)."""
    candidate = Path(stack)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate
    return REPO_ROOT / f"Pulumi.{stack}.yaml"
