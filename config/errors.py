"""One clear error for bad stack configuration: file, key path, value and what is allowed.

Pydantic's ``ValidationError`` is turned into a :class:`ConfigError` whose lines each read::

    Pulumi.dev.yaml: quantumvest-infra:network.cidr = 10.0.300.0/24: not a valid IPv4 network ...

Values are echoed as the stack file spells them (``false``, ``null``, ``[t3.large]``), not as Python does.

Inside ``pulumi up`` the loader raises it as :func:`for_engine` makes it, a ``pulumi.RunError`` too, so
that the engine prints the message without a Python traceback; the class itself does not import the
Pulumi SDK, so that ``validate`` and the tools that read plan files stay fast.
"""

from __future__ import annotations

from typing import Any

import pydantic

from components import validation

PROJECT = "quantumvest-infra"


class ConfigError(validation.SettingsError):
    """Stack configuration rejected before any resource is registered."""

    def __init__(self, source: str, problems: list[str]):
        validation.SettingsError.__init__(self, source, problems)


def for_engine(err: ConfigError) -> ConfigError:
    """``err`` as a ``ConfigError`` that is also a ``pulumi.RunError`` (printed without a traceback)."""
    from pulumi.errors import (
        RunError,  # the SDK: only inside a running program (keeps validate/diff SDK-free)
    )

    class EngineConfigError(ConfigError, RunError):
        pass

    return EngineConfigError(err.source, err.problems)


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
