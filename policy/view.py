"""The whole stack as stack rules see it: resources by type and the links between them.

Links are found the way the engine knows them: an input's *property dependencies* (the URNs the value
was computed from), which are known even in a preview where the ids themselves are not; failing that,
by value (an input equal to the other resource's id, ARN or name, as in the harness graph or when a
program passes a literal).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from policy.model import ResourceLike
from policy.unknown import Undetermined

#: Output attributes that identify a resource when another resource refers to it by value.
_IDENTITY_KEYS = ("id", "arn", "name", "bucket", "identifier", "clusterIdentifier", "keyId")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, str):
                yield item


class StackView:
    """Every resource of one stack, with lookups by type and by reference."""

    def __init__(self, resources: Iterable[ResourceLike]) -> None:
        self.resources: list[ResourceLike] = list(resources)
        self._by_urn = {r.urn: r for r in self.resources}
        self._by_type: dict[str, list[ResourceLike]] = {}
        for r in self.resources:
            self._by_type.setdefault(r.type, []).append(r)

    def __iter__(self) -> Iterator[ResourceLike]:
        return iter(self.resources)

    def get(self, urn: str | None) -> ResourceLike | None:
        return self._by_urn.get(urn) if urn else None

    def of_type(self, *types: str) -> list[ResourceLike]:
        """Resources of any of ``types``, in registration order."""
        if len(types) == 1:
            return list(self._by_type.get(types[0], []))
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted]

    @staticmethod
    def identities(target: ResourceLike) -> set[str]:
        """The values by which another resource may name ``target``: id, ARN, name…"""
        found = {target.id} if target.id else set()
        for source in (target.outputs, target.inputs):
            for key in _IDENTITY_KEYS:
                try:
                    value = source.get(key) if isinstance(source, dict) else None
                except Undetermined:  # not known yet in a preview: dependencies link it instead
                    continue
                if isinstance(value, str) and value:
                    found.add(value)
        return found

    def refers(self, resource: ResourceLike, prop: str, target: ResourceLike) -> bool:
        """Does ``resource``'s input ``prop`` refer to ``target`` (by dependency, or by value)?"""
        if target.urn in (resource.property_dependencies.get(prop) or ()):
            return True
        try:
            values = set(_strings(resource.inputs.get(prop)))
        except Undetermined:  # unknown in a preview: only the dependency above can link it
            return False
        return bool(values & self.identities(target))

    def referenced(self, resource: ResourceLike, prop: str, *types: str) -> list[ResourceLike]:
        """The resources (of ``types``, if given) that ``resource``'s input ``prop`` refers to."""
        candidates = self.of_type(*types) if types else self.resources
        return [t for t in candidates if t is not resource and self.refers(resource, prop, t)]

    def referrers(self, target: ResourceLike, prop: str, *types: str) -> list[ResourceLike]:
        """The resources (of ``types``) whose input ``prop`` refers to ``target``."""
        candidates = self.of_type(*types) if types else self.resources
        return [r for r in candidates if r is not target and self.refers(r, prop, target)]
