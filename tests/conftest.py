"""Shared fixtures: each stack's graph is built once per test session and read by many tests."""

from __future__ import annotations

import pytest

from tools.harness import Graph, run_stack

STACKS = ("dev", "staging", "prod")
_GRAPHS: dict[str, Graph] = {}


def stack_graph(stack: str) -> Graph:
    """The whole program's graph for ``stack``, built on first use and cached for the session."""
    if stack not in _GRAPHS:
        _GRAPHS[stack] = run_stack(stack)
    return _GRAPHS[stack]


@pytest.fixture(scope="session", params=STACKS)
def graph(request: pytest.FixtureRequest) -> Graph:
    """Each stack's graph in turn (tests using it run once per stack)."""
    return stack_graph(request.param)


@pytest.fixture(scope="session")
def graphs() -> dict[str, Graph]:
    """All three stacks' graphs by name."""
    return {stack: stack_graph(stack) for stack in STACKS}
