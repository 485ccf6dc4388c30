"""Reuse, proven end to end: build the wheel, install it into a fresh virtual environment that does not
contain this repository, and run the consumer example's own tests there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "service-stack"


def _run(*args: str | Path, cwd: Path = REPO, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def consumer_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    uv = shutil.which("uv")
    assert uv, "uv is needed to build the wheel (the README's commands install it)"
    work = tmp_path_factory.mktemp("consumer")
    _run(uv, "build", "--wheel", "--out-dir", work / "dist", "--quiet")
    (wheel,) = (work / "dist").glob("quantumvest_infra-*.whl")
    _run(
        uv,
        "export",
        "--frozen",
        "--no-dev",
        "--no-hashes",
        "--no-emit-project",
        "-o",
        work / "constraints.txt",
    )
    _run(uv, "venv", "--quiet", "--python", sys.executable, work / "venv")
    python = work / "venv" / "bin" / "python"
    _run(uv, "pip", "install", "--quiet", "--python", python, "-c", work / "constraints.txt", wheel, "pytest")
    return python


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def test_the_wheel_installs_the_components_under_their_own_name(
    consumer_python: Path, tmp_path: Path
) -> None:
    probe = (
        "import importlib.util, quantumvest_infra, quantumvest_infra.components as c;"
        "print(quantumvest_infra.__version__, sorted(c.PUBLIC_API)[:3],"
        " importlib.util.find_spec('components'), importlib.util.find_spec('config'))"
    )
    out = _run(consumer_python, "-c", probe, cwd=tmp_path, env=_clean_env())
    assert out.strip() == "0.2.0 ['Cache', 'CacheArgs', 'Cluster'] None None"


def test_the_consumer_example_passes_its_tests_against_the_installed_wheel(consumer_python: Path) -> None:
    out = _run(
        consumer_python,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests",
        cwd=EXAMPLE,
        env=_clean_env(),
    )
    assert "5 passed" in out
