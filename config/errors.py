"""One clear error for bad stack configuration: file, key path, value and what is allowed.

Pydantic's ``ValidationError`` is turned into a :class:`ConfigError` whose lines each read::

    Pulumi.dev.yaml: quantumvest-infra:network.cidr = 10.0.300.0/24: not a valid IPv4 network ...

Values are echoed as the stack file spells them (``false``, ``null``, ``[t3.large]``), not as Python does.

``ConfigError`` subclasses ``pulumi.RunError`` so that ``pulumi up`` prints the message without a
Python traceback.
"""

from __future__ import annotations

from typing import Any

import pydantic
from pulumi.errors import RunError

from components import validation

PROJECT = "quantumvest-infra"


class ConfigError(RunError, validation.SettingsError):
    """Stack configuration rejected before any resource is registered."""

    def __init__(self, source: str, problems: list[str]):
        validation.SettingsError.__init__(self, source, problems)


def key_path(loc: tuple[Any, ...]) -> str:
    """``("network", "private_subnets", 1)`` → ``quantumvest-infra:network.private_subnets[1]``."""
    return validation.key_path(loc, f"{PROJECT}:")


def format_validation_error(
    err: pydantic.ValidationError,
    source: str,
    data: Any,
    model: type[pydantic.BaseModel],
    spelled: dict[tuple[Any, ...], str] | None = None,
) -> ConfigError:
    """Turn a pydantic error on ``data`` (the merged config mapping) into a :class:`ConfigError`, one
    line per problem as :func:`components.validation.problems` writes them (the wheel carries that
    module, so a consumer of the components gets the same messages)."""
    return ConfigError(source, validation.problems(err, data, model, root=f"{PROJECT}:", spelled=spelled))
