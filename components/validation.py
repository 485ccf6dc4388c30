"""Friendly validation of settings: one line per problem naming the key path, the value as the user
wrote it, and what is allowed, instead of pydantic's raw dump.

The config loader formats a stack file's problems with this module (``config/errors.py``), and it ships
in the wheel, so a consumer who builds ``PlatformArgs`` or a component's settings from their own
configuration gets the same messages::

    from quantumvest_infra.components.validation import SettingsError, validate
    from quantumvest_infra.components import WorkloadsArgs

    try:
        args = validate(WorkloadsArgs, data, source="team.yaml", root="workloads")
    except SettingsError as err:
        print(err)   # team.yaml: workloads.services[0].port = 70000: Input should be less than or equal to 65535

Values are echoed as YAML spells them (``false``, ``null``, ``[t3.large]``), not as Python does.
"""

from __future__ import annotations

import datetime
import difflib
import enum
import ipaddress
import json
from collections.abc import Mapping
from typing import Any, TypeVar

import pydantic
import yaml

from .args import FieldProblem

Model = TypeVar("Model", bound=pydantic.BaseModel)


class SettingsError(ValueError):
    """Settings rejected: ``problems`` are lines of ``<key path> = <value>: <what is allowed>``."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def validate(
    model: type[Model],
    data: Mapping[str, Any],
    *,
    source: str = "settings",
    root: str = "",
    spelled: Mapping[tuple[Any, ...], str] | None = None,
) -> Model:
    """``model`` validated from ``data`` (plain values, e.g. parsed YAML or JSON), or one
    :class:`SettingsError` naming every problem. ``source`` names the file; ``root`` is the key path of
    ``data`` in it (``workloads``, or ``quantumvest-infra:`` for a stack file's sections)."""
    try:
        document = json.dumps(data, default=str, allow_nan=False)
    except (TypeError, ValueError) as err:
        raise SettingsError(
            source, [f"{root or '(top level)'}: cannot be represented as JSON: {err}"]
        ) from None
    try:
        return model.model_validate_json(document)
    except pydantic.ValidationError as err:
        raise SettingsError(source, problems(err, data, model, root=root, spelled=spelled)) from None


def key_path(loc: tuple[Any, ...], root: str = "") -> str:
    """``("network", "private_subnets", 1)`` under ``root`` → ``<root>network.private_subnets[1]``
    (``root`` ending in ``:`` is a prefix, as in ``quantumvest-infra:``; otherwise it is the parent key)."""
    path = root
    for part in loc:
        path = _join(path, f"[{part}]" if isinstance(part, int) else str(part))
    return path


def _join(path: str, part: str) -> str:
    if not path or path.endswith(":") or part.startswith("["):
        return path + part
    return f"{path}.{part}"


def problems(
    err: pydantic.ValidationError,
    data: Any,
    model: type[pydantic.BaseModel],
    *,
    root: str = "",
    spelled: Mapping[tuple[Any, ...], str] | None = None,
) -> list[str]:
    """Each of pydantic's errors on ``data`` as one line, duplicates dropped.

    ``spelled`` maps key paths to the text of unquoted scalars in the source file: a number or boolean
    where text is expected is echoed as written, with the advice to quote it."""
    found: list[str] = []
    seen: set[str] = set()
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, FieldProblem):
            path = key_path(loc, root)
            if cause.subpath:
                path = _join(path, cause.subpath) if loc else path + cause.subpath
            found.append(f"{path} = {yaml_spelling(cause.value)}: {cause.allowed}")
            continue
        path = key_path(loc, root)
        if e["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1]) or []
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            found.append(f"{path}: unknown key{did_you_mean}; allowed keys here: {', '.join(allowed)}")
            continue
        if e["type"] == "missing":
            found.append(f"{path}: required key is missing")
            continue
        value = _lookup(data, loc)
        if e["type"] == "string_type" and isinstance(value, bool | int | float):
            found.append(_quote_hint(path, value, (spelled or {}).get(loc)))
            continue
        message = str(cause) if cause is not None else e["msg"]
        found.append(f"{path} = {yaml_spelling(value)}: {message}")
    return [p for p in found if not (p in seen or seen.add(p))]


def _lookup(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _allowed_keys(model: type[pydantic.BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The field names of the model found at ``loc`` (for 'unknown key' messages)."""
    current: Any = model
    keyed = False  # the last field was a mapping or list of models: this part is a key, not a field
    for part in loc:
        if isinstance(part, int) or not (
            isinstance(current, type) and issubclass(current, pydantic.BaseModel)
        ):
            continue
        field = current.model_fields.get(part)
        if field is None:
            if keyed:
                keyed = False
                continue
            return None
        keyed = getattr(field.annotation, "__origin__", None) in (dict, list)
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, pydantic.BaseModel):
        return sorted(current.model_fields)
    return None


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as ``Foo``, ``Foo | None``, ``list[Foo]``, ``dict[str, Foo]``."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _quote_hint(path: str, value: bool | int | float, written: str | None) -> str:
    """A number or boolean where text is expected: YAML typed an unquoted scalar (``1.30`` → 1.3)."""
    shown = yaml_spelling(value)
    kind = "a boolean" if isinstance(value, bool) else "a number"
    if written is not None and written != shown:
        return f'{path} = {written}: YAML reads unquoted {written} as {kind} ({shown}); quote it: "{written}"'
    text = written if written is not None else shown
    return f'{path} = {text}: expected text, and YAML reads unquoted {text} as {kind}; quote it: "{text}"'


def yaml_spelling(value: Any) -> str:
    """``value`` as YAML writes it in flow style: ``false``, ``null``, ``[t3.large]``, ``'3'``."""
    try:
        text = yaml.safe_dump(
            _plain(value), default_flow_style=True, width=1 << 30, allow_unicode=True, sort_keys=False
        )
    except yaml.YAMLError:
        return str(value)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    elif text.endswith("..."):
        text = text[: -len("...")].rstrip()
    text = text.strip()
    if not text.isprintable():  # a line break or control character: one line, as a JSON (= YAML) string
        return json.dumps(_plain(value), default=str)
    return text


def _plain(value: Any) -> Any:
    """Value reduced to what YAML represents: strings, numbers, booleans, null, lists, mappings."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, ipaddress._BaseNetwork | ipaddress._BaseAddress):
        return str(value)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return _plain(dump(mode="json"))
    return str(value)
