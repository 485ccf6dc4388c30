"""A plan file depends on the commit only: not on PULUMI_PARALLEL, the CPU count or the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import stack_graph
from tools import deploy_time, stacks
from tools.__main__ import main
from tools.plan import load_plan


def test_plan_is_byte_identical_whatever_the_machines_parallelism(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(stacks, "load", lambda stack, label="plan", quiet=False: stack_graph(stack))
    outs = []
    for parallel, cpus in (("32", 64), ("", 1)):
        monkeypatch.setenv("PULUMI_PARALLEL", parallel)
        monkeypatch.setattr(deploy_time.os, "cpu_count", lambda cpus=cpus: cpus)
        out = tmp_path / f"plan-{parallel or 'default'}.json"
        assert main(["plan", "dev", "--out", str(out)]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert load_plan(tmp_path / "plan-32.json")["deploy_time"]["parallelism"] == deploy_time.PLAN_PARALLELISM
    printed = capsys.readouterr().out
    assert "on this machine (32 at once; not in the plan file)" in printed  # reported, separately
