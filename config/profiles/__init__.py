"""Tier profiles: what dev, staging and prod change from the secure schema defaults, per section.

Each area keeps its profile in its own module here, named after its config section (``network.py``
for ``quantumvest-infra:network``), as ``PROFILES = {"dev": {...}, "staging": {...}, "prod": {...}}``.
Modules are discovered, so adding an area is adding a file. The stack file is merged on top, so a
stack file holds only what that stack changes from its tier.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

TIERS = ("dev", "staging", "prod")


def _collect() -> dict[str, dict[str, Any]]:
    profiles: dict[str, dict[str, Any]] = {tier: {} for tier in TIERS}
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for tier in TIERS:
            section_profile = module.PROFILES.get(tier)
            if section_profile:
                profiles[tier][module_info.name] = section_profile
    return profiles


TIER_PROFILES: dict[str, dict[str, Any]] = _collect()
