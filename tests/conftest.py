"""Shared fixtures: each stack's graph is built once per test run and read by many tests.

Under pytest-xdist every worker is its own process, so a session-scoped cache alone would evaluate
each stack once *per worker*. :func:`stack_graph` therefore also keeps the evaluated graph as a pickle
in the run's shared temporary directory (the parent of each worker's ``basetemp``), behind a file
lock: the first worker to need a stack evaluates it, the others wait for the file and load it
(milliseconds against seconds). Without xdist the in-process dictionary is all there is.
See docs/testing.md.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import settings

from tools.harness import Graph, run_stack

try:  # POSIX; elsewhere each worker evaluates for itself (correct, only slower)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

STACKS = ("dev", "staging", "prod")
_GRAPHS: dict[str, Graph] = {}
_SHARED: dict[str, Path] = {}  # "dir" -> the run's directory shared by the xdist workers, when there is one

T = TypeVar("T")

#: Property tests: 100 examples each (they cost milliseconds; tests/test_cli_fuzz.py sets its own 60).
#: In CI (``CI`` set, as GitHub Actions does) the examples are derandomized, so a red build replays
#: the same way on a laptop with ``CI=1``; locally each run explores new ones. Pick with
#: ``--hypothesis-profile``. No per-example deadline: on a busy 2-core machine a 0.1 ms example was
#: seen taking 380 ms once and failing as "flaky"; these tests check values, not speed.
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True, database=None, print_blob=True
)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(scope="session", autouse=True)
def _shared_results_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Find the directory every worker of this run shares (only under xdist, only on POSIX): a
    worker's ``basetemp`` is ``<the run's basetemp>/popen-gwN``, made afresh for each run."""
    if os.environ.get("PYTEST_XDIST_WORKER") and fcntl is not None:
        shared = tmp_path_factory.getbasetemp().parent / "shared-results"
        shared.mkdir(exist_ok=True)
        _SHARED["dir"] = shared


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.with_suffix(".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_result(key: str, compute: Callable[[], T]) -> T:
    """``compute()`` once per test run: pickled for the other xdist workers, computed here otherwise.

    ``key`` names the result (a file name); the value must be picklable and must not depend on which
    worker computes it. A failure is not stored: each worker that needs the value sees it itself.
    """
    shared = _SHARED.get("dir")
    if shared is None:
        return compute()
    path = shared / f"{key}.pickle"
    with _locked(path):
        if path.exists():
            return pickle.loads(path.read_bytes())
        value = compute()
        partial = path.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        partial.replace(path)
        return value


def stack_graph(stack: str) -> Graph:
    """The whole program's graph for ``stack``, evaluated once per run (see the module docstring).

    Tests treat it as read-only: a test that changes a graph works on a copy (``tests.policy_helpers.weaken``).
    """
    if stack not in _GRAPHS:
        _GRAPHS[stack] = shared_result(f"graph-{stack}", lambda: run_stack(stack))
    return _GRAPHS[stack]


@pytest.fixture(scope="session", params=STACKS)
def graph(request: pytest.FixtureRequest) -> Graph:
    """Each stack's graph in turn (tests using it run once per stack)."""
    return stack_graph(request.param)


@pytest.fixture(scope="session")
def graphs() -> dict[str, Graph]:
    """All three stacks' graphs by name."""
    return {stack: stack_graph(stack) for stack in STACKS}
