"""Offline runs of the program under Pulumi's mock engine, shared by the tests and the tools."""

from tools.harness.engine import run, run_stack
from tools.harness.graph import Graph, Resource

__all__ = ["Graph", "Resource", "run", "run_stack"]
