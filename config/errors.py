"""One clear error for bad stack configuration: file, key path, value and what is allowed.

Pydantic's ``ValidationError`` is turned into a :class:`ConfigError` whose lines each read::

    Pulumi.dev.yaml: quantumvest-infra:network.cidr = 10.0.300.0/24: not a valid IPv4 network ...

Values are echoed as the stack file spells them (``false``, ``null``, ``[t3.large]``), not as Python does.

Inside ``pulumi up`` the loader raises it as :func:`for_engine` makes it, a ``pulumi.RunError`` too, so
that the engine prints the message without a Python traceback; the class itself does not import the
Pulumi SDK, so that ``validate`` and the tools that read plan files stay fast.
"""

from __future__ import annotations

import difflib
from typing import Any

import pydantic

from components.args import FieldProblem
from config.yaml_reader import yaml_spelling

PROJECT = "quantumvest-infra"


class ConfigError(ValueError):
    """Stack configuration rejected before any resource is registered."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def for_engine(err: ConfigError) -> ConfigError:
    """``err`` as a ``ConfigError`` that is also a ``pulumi.RunError`` (printed without a traceback)."""
    from pulumi.errors import RunError  # the SDK: only inside a running program

    class EngineConfigError(ConfigError, RunError):
        pass

    return EngineConfigError(err.source, err.problems)


def key_path(loc: tuple[Any, ...]) -> str:
    """``("network", "private_subnets", 1)`` → ``quantumvest-infra:network.private_subnets[1]``."""
    if not loc:
        return f"{PROJECT}:"
    head, *rest = loc
    out = f"{PROJECT}:{head}"
    for part in rest:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


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


def format_validation_error(
    err: pydantic.ValidationError,
    source: str,
    data: Any,
    model: type[pydantic.BaseModel],
    spelled: dict[tuple[Any, ...], str] | None = None,
) -> ConfigError:
    """Turn a pydantic error on ``data`` (the merged config mapping) into a :class:`ConfigError`.

    ``spelled`` maps key paths to the text of unquoted scalars in the stack file: a number or boolean
    where text is expected is echoed as written, with the advice to quote it."""
    problems: list[str] = []
    seen: set[str] = set()
    for e in err.errors(include_url=False):
        loc = tuple(e["loc"])
        cause = (e.get("ctx") or {}).get("error")
        if isinstance(cause, FieldProblem):
            path = key_path(loc) if loc else f"{PROJECT}:"
            if cause.subpath:
                path += ("." if loc and not cause.subpath.startswith("[") else "") + cause.subpath
            problems.append(f"{path} = {yaml_spelling(cause.value)}: {cause.allowed}")
            continue
        path = key_path(loc)
        if e["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1]) or []
            hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            did_you_mean = f" (did you mean '{hint[0]}'?)" if hint else ""
            problems.append(f"{path}: unknown key{did_you_mean}; allowed keys here: {', '.join(allowed)}")
            continue
        if e["type"] == "missing":
            problems.append(f"{path}: required key is missing")
            continue
        value = _lookup(data, loc)
        if e["type"] == "string_type" and isinstance(value, bool | int | float):
            problems.append(_quote_hint(path, value, (spelled or {}).get(loc)))
            continue
        message = str(cause) if cause is not None else e["msg"]
        problems.append(f"{path} = {yaml_spelling(value)}: {message}")
    unique = [p for p in problems if not (p in seen or seen.add(p))]
    return ConfigError(source, unique)


def _quote_hint(path: str, value: bool | int | float, written: str | None) -> str:
    """A number or boolean where text is expected: YAML typed an unquoted scalar (``1.30`` → 1.3)."""
    shown = yaml_spelling(value)
    kind = "a boolean" if isinstance(value, bool) else "a number"
    if written is not None and written != shown:
        return f'{path} = {written}: YAML reads unquoted {written} as {kind} ({shown}); quote it: "{written}"'
    text = written if written is not None else shown
    return f'{path} = {text}: expected text, and YAML reads unquoted {text} as {kind}; quote it: "{text}"'
