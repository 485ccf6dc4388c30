"""Reuse, proven end to end: build the wheel, install it into a fresh virtual environment that does not
contain this repository, and run the consumer example's own tests there; a consumer's bad settings get
the platform's messages; and the example installs and passes by following its README, from a copy of
the checkout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "service-stack"
#: The fenced block after this marker in the example's README: the steps a newcomer follows.
README_STEPS = re.compile(r"<!-- install-and-test:[^>]*-->\s*```bash\n(.*?)```", re.S)


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


def test_a_consumer_building_settings_gets_the_platforms_message_not_pydantics(
    consumer_python: Path, tmp_path: Path
) -> None:
    probe = (
        "from quantumvest_infra.components import SettingsError, WorkloadsArgs, validate\n"
        "service = {'name': 'reports', 'image': {'repository': 'ghcr.io/q/reports'}, 'port': 70000}\n"
        "try:\n"
        "    validate(WorkloadsArgs, {'services': [service]}, source='team.yaml', root='workloads')\n"
        "except SettingsError as err:\n"
        "    print(err)\n"
    )
    out = _run(consumer_python, "-c", probe, cwd=tmp_path, env=_clean_env())
    assert out.strip() == "team.yaml: workloads.services[0].port = 70000: not a TCP port; allowed: 1-65535"


def _checkout_copy(into: Path) -> Path:
    """The files a clean checkout of this working tree has (tracked and new, not ignored), copied."""
    listed = _run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    return into


def test_the_example_installs_and_passes_by_following_its_readme(tmp_path: Path) -> None:
    assert shutil.which("uv"), "the README's steps use uv"
    (steps,) = README_STEPS.findall((EXAMPLE / "README.md").read_text())
    checkout = _checkout_copy(tmp_path / "checkout")
    assert not (checkout / "examples" / "service-stack" / ".venv").exists()
    env = {**_clean_env(), "UV_PYTHON": sys.executable}  # which interpreter uv's venv starts from
    out = _run("bash", "-euo", "pipefail", "-c", steps, cwd=checkout, env=env)
    assert re.search(r"^5 passed", out, re.M), out
    installed = _run(
        checkout / "examples" / "service-stack" / ".venv" / "bin" / "python",
        "-c",
        "import quantumvest_infra; print(quantumvest_infra.__file__)",
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert "site-packages" in installed  # the built wheel, not the source tree


def test_the_examples_constraints_are_the_platforms_lock(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv
    out = tmp_path / "constraints.txt"
    _run(uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "-o", out, "--quiet")

    def pins(path: Path) -> list[str]:
        return [line for line in path.read_text().splitlines() if not line.startswith("#    uv export")]

    assert pins(out) == pins(EXAMPLE / "constraints.txt"), (
        "regenerate: uv export --frozen --no-dev --no-hashes --no-emit-project "
        "-o examples/service-stack/constraints.txt"
    )
