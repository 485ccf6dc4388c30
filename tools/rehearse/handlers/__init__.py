"""Per-type handlers: how each resource type the program registers becomes real in emulated AWS.

A type is either **created** (its AWS API calls run in moto, which returns real ids and checks what
AWS checks) or **validated** (moto lacks the API: the request is checked against botocore's service
model for the operation, no call is sent, and the outputs are synthesized). Handlers live in one
module per AWS service; modules are discovered.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tools.rehearse.context import Ctx

Outputs = dict[str, Any]
Creator = Callable[[Ctx, Outputs], tuple[str, Outputs]]
ParamsBuilder = Callable[[Ctx, Outputs], dict[str, Any]]


@dataclass(frozen=True)
class Validation:
    """A type moto cannot create: the operation whose input shape its request must satisfy."""

    service: str
    operation: str
    params: ParamsBuilder


CREATORS: dict[str, Creator] = {}
VALIDATIONS: dict[str, Validation] = {}


def creates(type_token: str) -> Callable[[Creator], Creator]:
    """Register a function creating ``type_token`` in moto; it returns ``(id, outputs)``."""

    def register(fn: Creator) -> Creator:
        CREATORS[type_token] = fn
        return fn

    return register


def validates(type_token: str, service: str, operation: str) -> Callable[[ParamsBuilder], ParamsBuilder]:
    """Register the botocore operation (e.g. ``"eks", "CreateAddon"``) that validates ``type_token``."""

    def register(fn: ParamsBuilder) -> ParamsBuilder:
        VALIDATIONS[type_token] = Validation(service, operation, fn)
        return fn

    return register


def _load() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        importlib.import_module(f"{__name__}.{module_info.name}")


_load()
