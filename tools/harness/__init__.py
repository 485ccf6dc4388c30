"""Offline runs of the program under Pulumi's mock engine, shared by the tests and the tools.

Importing this package does not import the Pulumi SDK: :func:`run` and :func:`run_stack` import the
engine (and with it ``pulumi``, the providers and grpc, ~3 s) when first called, so that the commands
that only read a plan or a stack file (``validate``, ``diff``, ...) stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tools.harness.graph import Graph, Resource

if TYPE_CHECKING:
    from tools.harness.engine import ComponentListener, MocksFactory

__all__ = ["Graph", "Resource", "run", "run_stack"]


def run(
    program: Callable[[], Any],
    stack: str = "test",
    region: str = "us-east-1",
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mocks_factory: MocksFactory | None = None,
    on_component: ComponentListener | None = None,
    references: dict[str, dict[str, Any]] | None = None,
) -> Graph:
    """:func:`tools.harness.engine.run`: ``program`` under the recording mocks, as a graph."""
    # late import: the SDK, only when something is evaluated
    from tools.harness import engine

    return engine.run(program, stack, region, config, secret_keys, mocks_factory, on_component, references)


def run_stack(
    stack: str,
    mocks_factory: MocksFactory | None = None,
    on_component: ComponentListener | None = None,
    placeholder_references: bool = False,
    references: dict[str, dict[str, Any]] | None = None,
) -> Graph:
    """:func:`tools.harness.engine.run_stack`: a stack's ``__main__.py`` under the recording mocks."""
    # late import: the SDK, only when something is evaluated
    from tools.harness import engine

    return engine.run_stack(
        stack,
        mocks_factory=mocks_factory,
        on_component=on_component,
        placeholder_references=placeholder_references,
        references=references,
    )
