"""Tier rules: checks that need the tier or several sections at once (``prod needs three AZs``).

Each area keeps its rules in its own module here as ``RULES``: functions taking the validated
``PlatformArgs`` and yielding :class:`~components.args.FieldProblem` with the key path from the
namespace root (``"network.az_count"``). Modules are discovered, so adding an area is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable

from components.args import FieldProblem
from components.platform import PlatformArgs

Rule = Callable[[PlatformArgs], Iterable[FieldProblem]]

RULES: list[Rule] = [
    rule
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)
    for rule in importlib.import_module(f"{__name__}.{module_info.name}").RULES
]


def problems(cfg: PlatformArgs) -> list[FieldProblem]:
    """Every tier-rule violation of ``cfg``."""
    return [problem for rule in RULES for problem in rule(cfg)]
