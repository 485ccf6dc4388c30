"""The resource graph a program run registers: what tests assert on and what the offline tools read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Type tokens of this project's own components.
COMPONENT_PREFIX = "quantumvest:"


@dataclass
class Resource:
    """One registered resource, with plain-Python inputs and the options that matter for review."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    secret_paths: set[str]
    options: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    id: str | None = None

    @property
    def protect(self) -> bool:
        return bool(self.options.get("protect"))

    @property
    def retain_on_delete(self) -> bool:
        return bool(self.options.get("retain_on_delete"))

    @property
    def ignore_changes(self) -> list[str]:
        return list(self.options.get("ignore_changes", []))


@dataclass
class Graph:
    """Every resource of one run, in registration order, plus the stack outputs."""

    stack: str
    resources: list[Resource]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: set[str] = field(default_factory=set)
    component_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_urn = {r.urn: r for r in self.resources}

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def by_urn(self, urn: str) -> Resource:
        return self._by_urn[urn]

    def get(self, urn: str | None) -> Resource | None:
        return self._by_urn.get(urn) if urn else None

    def of_type(self, type_token: str) -> list[Resource]:
        """All resources of one type token, e.g. ``aws:ec2/subnet:Subnet``."""
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> Resource:
        """The one resource with this logical name."""
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]

    def one(self, type_token: str, name_contains: str = "") -> Resource:
        """The single resource of a type (whose name contains ``name_contains``); error if not exactly one."""
        found = [r for r in self.of_type(type_token) if name_contains in r.name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources of {type_token} matching {name_contains!r}")
        return found[0]

    def children(self, urn: str) -> list[Resource]:
        return [r for r in self.resources if r.parent == urn]

    def ancestors(self, resource: Resource) -> Iterator[Resource]:
        parent = self.get(resource.parent)
        while parent is not None:
            yield parent
            parent = self.get(parent.parent)

    def component_of(self, resource: Resource) -> str:
        """The logical name of the area component holding ``resource`` (the child of the Platform)."""
        own = [r for r in [resource, *self.ancestors(resource)] if r.type.startswith(COMPONENT_PREFIX)]
        areas = [r for r in own if r.type != "quantumvest:platform:Platform"]
        if areas:
            return areas[-1].name
        return own[-1].name if own else "(stack)"

    def provider_of(self, resource: Resource) -> Resource | None:
        return self.get(resource.provider)

    def depends_on(self, resource: Resource) -> set[str]:
        """URNs this resource waits for: explicit and input dependencies."""
        deps = set(resource.dependencies)
        for urns in resource.property_dependencies.values():
            deps.update(urns)
        return deps
