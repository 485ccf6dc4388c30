"""The stack-output contract: other stacks read these names, so every stack exports exactly them."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.contract import STACK_OUTPUTS, markdown_table
from config import load_stack_file
from tests.helpers import REPO
from tools.harness import Graph, run


def _present(spec_when: str | None, stack: str) -> bool:
    """Whether a conditional output should exist in ``stack`` (from its loaded settings)."""
    if spec_when is None:
        return True
    value: object = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    for part in spec_when.split("."):
        value = getattr(value, part)
    return bool(value)


def test_every_stack_exports_exactly_the_contract(graph: Graph) -> None:
    expected = {name for name, spec in STACK_OUTPUTS.items() if _present(spec.when, graph.stack)}
    assert set(graph.outputs) == expected


def test_output_types_and_secrecy_match_the_contract(graph: Graph) -> None:
    for name, value in graph.outputs.items():
        spec = STACK_OUTPUTS[name]
        assert isinstance(value, spec.type), (name, type(value))
        assert (name in graph.secret_outputs) == spec.secret, name


def test_reuse_page_documents_the_contract() -> None:
    assert markdown_table() in (REPO / "docs" / "reuse.md").read_text(), (
        "regenerate docs/reuse.md's output table with: uv run python -c "
        "'from components.contract import markdown_table; print(markdown_table())'"
    )


def test_a_moved_resource_keeps_its_identity_through_an_alias() -> None:
    """The convention for moving a child (docs/reuse.md: "Renaming without replacing"): the new logical
    name or parent carries an alias to the old one, so `pulumi up` updates it in place."""

    class Renamed(pulumi.ComponentResource):
        def __init__(self, name: str) -> None:
            super().__init__("quantumvest:test:Renamed", name)
            aws.ec2.Vpc(
                f"{name}-network-vpc",
                cidr_block="10.0.0.0/16",
                opts=pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(name=f"{name}-vpc")]),
            )
            self.register_outputs({})

    graph = run(lambda: Renamed("net"))
    vpc = graph.named("net-network-vpc")
    assert [alias["spec"]["name"] for alias in vpc.options["aliases"]] == ["net-vpc"]
