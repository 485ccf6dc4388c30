"""The commands that only read files do not import the Pulumi SDK (issue 21: tools that feel instant).

Importing ``pulumi`` and the providers takes seconds; ``diff`` of two plan files, ``--help`` and
``validate`` of a stack file need none of it. Each command runs in a fresh interpreter (this process has
long imported the SDK) that reports, after the command finished, which SDK modules were loaded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synthetic import platform
from tools.plan import build_plan, write_plan

REPO = Path(__file__).resolve().parents[1]
SDK_PACKAGES = ("pulumi", "pulumi_aws", "pulumi_kubernetes", "pulumi_random", "pulumi_tls", "pulumi_policy")

_RUN = """
import contextlib, importlib, io, json, sys
from tools.__main__ import main
for name in json.loads(sys.argv[2]):
    importlib.import_module(name)
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(json.loads(sys.argv[1]))
sdk = sorted(m for m in sys.modules if m.split(".")[0] in {packages!r})
print(json.dumps({{"code": code, "stdout": out.getvalue(), "sdk": sdk}}))
"""


def _run(argv: list[str], also_import: tuple[str, ...] = ()) -> dict:
    """``python -m tools ARGV`` in a fresh interpreter: exit code, stdout, the SDK modules it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", _RUN.format(packages=SDK_PACKAGES), json.dumps(argv), json.dumps(also_import)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A base plan and a head plan with one more service (synthetic graphs: no evaluation)."""
    directory = tmp_path_factory.mktemp("plans")
    base, head = directory / "base.json", directory / "head.json"
    write_plan(build_plan(platform(), parallelism=16), base)  # type: ignore[arg-type]
    write_plan(build_plan(platform(ledger_service=True), parallelism=16), head)  # type: ignore[arg-type]
    return base, head


def test_diff_of_plan_files_imports_no_sdk(plans: tuple[Path, Path]) -> None:
    base, head = plans
    result = _run(["diff", str(base), str(head)])
    assert result["code"] == 0
    assert "Offline plan" in result["stdout"] and "ledger" in result["stdout"]  # it really diffed
    assert result["sdk"] == []


def test_help_imports_no_sdk() -> None:
    result = _run(["--help"])
    assert result["code"] == 0
    assert "rehearse" in result["stdout"]  # every command registered
    assert result["sdk"] == []


def test_the_probe_sees_an_sdk_import() -> None:
    """The mock engine imports the SDK: the probe reports it (otherwise the tests above prove nothing)."""
    result = _run(["--help"], also_import=("tools.harness.engine",))
    assert "pulumi" in result["sdk"] and "pulumi.runtime" in result["sdk"]


@pytest.mark.xfail(
    strict=True,
    reason="the settings models live in the component modules, which import the SDK at the top "
    "(docs/decisions/sdk-free-commands.md); remove this marker when validate passes",
)
def test_validate_imports_no_sdk() -> None:
    result = _run(["validate", "dev"])
    assert result["code"] == 0
    assert "Pulumi.dev.yaml: valid" in result["stdout"]
    assert result["sdk"] == []
