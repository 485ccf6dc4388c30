"""Values a preview cannot know yet (an ARN of a resource not created), made safe for plain rules.

During ``pulumi preview`` the engine sends unknown values as sentinel strings. Rules are written
against plain dicts and lists, so the pack wraps properties in :class:`KnownDict` / :class:`KnownList`:
reading an unknown value raises :class:`Undetermined` instead of handing a rule a string that would
compare as "not encrypted". The engine turns that into an *undetermined* finding (advisory): the
value is judged on the next preview, once it exists. The harness never produces unknowns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Undetermined(Exception):
    """A rule needed a value that is unknown until the resource is deployed."""

    def __init__(self, path: str = "") -> None:
        self.path = path
        super().__init__(f"a value{f' at {path}' if path else ''} is unknown until deployment")


class _Unknown:
    """The marker an unknown value becomes inside a :class:`KnownDict`/:class:`KnownList`."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


def _check(value: Any, path: str) -> Any:
    if value is UNKNOWN:
        raise Undetermined(path)
    return value


class KnownDict(dict):
    """A dict whose reads raise :class:`Undetermined` on an unknown value."""

    _path: str = ""

    def __getitem__(self, key: Any) -> Any:
        return _check(super().__getitem__(key), f"{self._path}.{key}".lstrip("."))

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self:
            return self[key]
        return default

    def values(self) -> Iterator[Any]:  # type: ignore[override]
        return (self[k] for k in self)

    def items(self) -> Iterator[tuple[Any, Any]]:  # type: ignore[override]
        return ((k, self[k]) for k in self)


class KnownList(list):
    """A list whose reads raise :class:`Undetermined` on an unknown element."""

    _path: str = ""

    def __getitem__(self, index: Any) -> Any:
        value = super().__getitem__(index)
        if isinstance(index, slice):
            return value
        return _check(value, f"{self._path}[{index}]")

    def __iter__(self) -> Iterator[Any]:
        for index in range(len(self)):
            yield self[index]


def wrap(value: Any, is_unknown: Callable[[Any], bool], path: str = "") -> Any:
    """``value`` with dicts/lists replaced by Known* containers, unknown leaves by :data:`UNKNOWN` and
    integral floats by ints (as the harness records them).

    An unknown at the top level raises :class:`Undetermined` on access by the caller, so it is
    returned as :data:`UNKNOWN` too.
    """
    if is_unknown(value):
        return UNKNOWN
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire carries numbers as doubles; rules compare ports and counts as ints
    if isinstance(value, dict):
        out = KnownDict({k: wrap(v, is_unknown, f"{path}.{k}".lstrip(".")) for k, v in value.items()})
        out._path = path
        return out
    if isinstance(value, list | tuple):
        items = KnownList(wrap(v, is_unknown, f"{path}[{i}]") for i, v in enumerate(value))
        items._path = path
        return items
    return value
