"""Helpers for tests: write a stack file with overrides and load it, expecting success or an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from config import ConfigError, StackConfig, load_stack_file

REPO = Path(__file__).resolve().parents[1]


def stack_document(stack: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())


def write_stack(tmp_path: Path, stack: str, overrides: dict[str, Any], name: str | None = None) -> Path:
    """A copy of ``Pulumi.<stack>.yaml`` with ``overrides`` (``{"network": {...}}``) merged into its config."""
    document = stack_document(stack)
    prefixed = {f"quantumvest-infra:{k}" if ":" not in k else k: v for k, v in overrides.items()}
    document["config"] = _merge_keeping_nulls(document["config"], prefixed)
    path = tmp_path / (name or f"Pulumi.{stack}.yaml")
    path.write_text(yaml.safe_dump(document))
    return path


def _merge_keeping_nulls(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge_keeping_nulls(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_with(tmp_path: Path, stack: str, overrides: dict[str, Any]) -> StackConfig:
    return load_stack_file(write_stack(tmp_path, stack, overrides))


def rejected(tmp_path: Path, stack: str, overrides: dict[str, Any]) -> str:
    """Load a stack with ``overrides``, assert it is rejected, return the message."""
    with pytest.raises(ConfigError) as caught:
        load_with(tmp_path, stack, overrides)
    return str(caught.value)
