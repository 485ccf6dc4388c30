"""`validate`: configuration only, one line per problem, non-zero exit on any."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import REPO, write_stack
from tools.__main__ import main


def test_valid_stack_files(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(REPO / f"Pulumi.{s}.yaml") for s in ("dev", "staging", "prod")]
    assert main(["validate", *files]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Pulumi.dev.yaml: valid (dev tier, us-east-1; sections: ")
    assert "network" in out[0] and out[2].startswith("Pulumi.prod.yaml: valid (prod tier")
    assert len(out) == 3


def test_invalid_file_is_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_stack(tmp_path, "prod", {"network": {"az_count": 2, "nat_stratgy": "single"}})
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1  # the typo is reported first; unknown keys stop validation of the section
    assert err[0].startswith(
        "Pulumi.prod.yaml: quantumvest-infra:network.nat_stratgy: unknown key (did you mean 'nat_strategy'?)"
    )


def test_tier_rule_names_key_and_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_stack(tmp_path, "prod", {"network": {"az_count": 2}})
    assert main(["validate", str(bad)]) == 1
    assert capsys.readouterr().err.strip() == (
        "Pulumi.prod.yaml: quantumvest-infra:network.az_count = 2: prod needs at least 3 availability zones"
    )


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "Pulumi.qa.yaml")]) == 2  # usage: no such file
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'Pulumi.qa.yaml'}: no such stack file"
