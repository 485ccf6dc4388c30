"""How a rule is declared, and the small readers rules share (paths, booleans, policy documents).

A rule is a plain function; :func:`rule` attaches its metadata (``fn.__rule__``) and returns the
function unchanged, so ``rds_storage_encrypted(resource, ctx)`` stays callable from anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from policy.model import Check, ResourceLike, Rule, Scope, Tiering
from policy.unknown import Undetermined

F = TypeVar("F", bound=Check)


def rule(
    rule_id: str,
    description: str,
    *,
    ids: tuple[str, ...],
    types: tuple[str, ...] | str,
    remediation: str,
    scope: Scope = "resource",
    tiering: Tiering = Tiering.ALWAYS,
) -> Callable[[F], F]:
    """Declare ``fn`` a guardrail. ``types`` are the subjects' type tokens; ``scope`` is ``resource``
    when the subject alone answers, ``stack`` when the check looks at other resources, ``config`` for
    checks of the stack configuration."""
    subject_types = (types,) if isinstance(types, str) else tuple(types)

    def register(fn: F) -> F:
        fn.__rule__ = Rule(  # type: ignore[attr-defined]
            id=rule_id,
            description=description,
            external_ids=ids,
            remediation=remediation,
            types=subject_types,
            scope=scope,
            tiering=tiering,
            check=fn,
            area=fn.__module__.rsplit(".", 1)[-1],
        )
        return fn

    return register


def rules_in(namespace: dict[str, Any]) -> list[Rule]:
    """The rules declared in a module, in definition order."""
    return [value.__rule__ for value in namespace.values() if hasattr(value, "__rule__")]


def dig(value: Any, path: str, default: Any = None) -> Any:
    """``dig(inputs, "vpcConfig.endpointPublicAccess")``: a nested value, or ``default`` if absent.

    An object given as a one-element list (how some providers shape single blocks) is looked into.
    """
    current = value
    for key in path.split("."):
        if isinstance(current, list) and len(current) == 1:
            current = current[0]
        if not isinstance(current, dict) or key not in current:
            return default
        current = current[key]
        if current is None:
            return default
    return current


def has(value: Any, path: str) -> bool:
    """Is the nested value at ``path`` set? A value unknown until deployment counts as set."""
    try:
        found = dig(value, path)
    except Undetermined:
        return True
    return found not in (None, "", [], {})


def present(r: ResourceLike, key: str) -> bool:
    """Is input ``key`` set? A dependency on another resource, or an unknown value, counts as set:
    in a preview the ARN of a key created in the same update is not known yet, but it is there."""
    if r.property_dependencies.get(key):
        return True
    return has(r.inputs, key)


def is_true(value: Any) -> bool:
    """True for ``True`` and the string ``"true"`` (some nested AWS fields are strings)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    """Explicitly false: ``False`` or ``"false"``."""
    return value is False or (isinstance(value, str) and value.lower() == "false")


def as_list(value: Any) -> list[Any]:
    """``None`` → ``[]``, a scalar or mapping → ``[value]``, a list → itself."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def as_int(value: Any, default: int | None = None) -> int | None:
    """An int from an int, a float or a numeric string."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default


def policy_document(value: Any) -> dict[str, Any] | None:
    """An IAM/KMS/S3 policy document from a JSON string or a mapping; ``None`` if absent or not JSON."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def statements(document: dict[str, Any] | None) -> Iterator[dict[str, Any]]:
    """The statements of a policy document (a single statement object counts as one)."""
    if not document:
        return
    for statement in as_list(document.get("Statement")):
        if isinstance(statement, dict):
            yield statement


def principals(statement: dict[str, Any]) -> list[str]:
    """Every principal value of a statement, flattened (``"*"``, account ARNs, service names…)."""
    principal = statement.get("Principal")
    if isinstance(principal, str):
        return [principal]
    found: list[str] = []
    if isinstance(principal, dict):
        for value in principal.values():
            found.extend(str(v) for v in as_list(value))
    return found


def words(value: Any) -> list[str]:
    """A policy field (``Action``, ``Resource``) as a list of strings."""
    return [str(v) for v in as_list(value)]
