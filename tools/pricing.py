"""The dated price table and the usage file the cost estimate reads.

Prices live in ``tools/data/prices-us-east-1.json`` (copied, with its ``_about`` sources and date, from
the project's shared reference data). Anything that depends on how the platform is *used* (GB through
NAT, log volume, objects stored) comes from a usage file in Infracost's shape, which the user edits::

    version: 0.1
    resource_type_default_usage:          # by Pulumi type token
      aws:ec2/natGateway:NatGateway:
        monthly_data_processed_gb: 100
    resource_usage:                       # by logical name; wins over the type defaults
      quantumvest-network-flow-logs:
        monthly_data_ingested_gb: 40
    stacks:                               # per stack, the same two sections again; wins over the above
      prod:
        resource_type_default_usage: {...}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.errors import ToolError
from tools.harness.paths import REPO_ROOT

DATA = Path(__file__).resolve().parent / "data"
PRICE_FILE = DATA / "prices-us-east-1.json"
DEFAULT_USAGE_FILE = REPO_ROOT / "cost-usage.yml"
USAGE_VERSION = "0.1"


class PriceTable:
    """On-demand prices for one region, read from the dated JSON table."""

    def __init__(self, path: Path = PRICE_FILE) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text())
        about = self.data["_about"]
        self.region: str = about["region"]
        self.currency: str = about["currency"]
        self.hours: int = about["hours_per_month"]
        self.dated: str = about["on_demand_dated"]

    def rate(self, section: str, key: str) -> float | None:
        """A price from a section (``ec2_hourly``, ``per_resource``...), or None when the table lacks it."""
        value = self.data.get(section, {}).get(key)
        return float(value) if isinstance(value, int | float) else None

    def per_resource(self, key: str) -> float:
        value = self.rate("per_resource", key)
        if value is None:  # a programming error: the pricers only ask for keys the table has
            raise KeyError(f"{self.path.name} has no per_resource.{key}")
        return value


@dataclass
class Usage:
    """Usage assumptions, merged per resource: type defaults, then by logical name; stack-specific last."""

    source: str
    type_defaults: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_resource(self, type_token: str, name: str) -> dict[str, Any]:
        return {**self.type_defaults.get(type_token, {}), **self.by_name.get(name, {})}


def _section(document: dict[str, Any], key: str, where: str) -> dict[str, dict[str, Any]]:
    value = document.get(key) or {}
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ToolError(f"{where}{key}: must map names to mappings of usage keys to numbers")
    for name, values in value.items():
        for usage_key, number in values.items():
            if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
                raise ToolError(f"{where}{key}.{name}.{usage_key} = {number!r}: must be a number >= 0")
    return value


def load_usage(path: Path | None, stack: str) -> Usage:
    """The usage assumptions for ``stack``; ``path=None`` reads ``cost-usage.yml`` if it exists."""
    explicit = path is not None
    path = path or DEFAULT_USAGE_FILE
    if not path.is_file():
        if explicit:
            raise ToolError(f"{path}: no such usage file")
        return Usage(source="(no usage file)")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ToolError(f"{path.name}: not valid YAML: {' '.join(str(err).split())}") from None
    if not isinstance(document, dict):
        raise ToolError(f"{path.name}: must be a mapping with 'version' and usage sections")
    allowed = {"version", "resource_type_default_usage", "resource_usage", "stacks"}
    unknown = sorted(set(document) - allowed)
    if unknown:
        raise ToolError(f"{path.name}: unknown key {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}")
    if str(document.get("version")) != USAGE_VERSION:
        raise ToolError(
            f"{path.name}: version = {document.get('version')!r}: this tool reads version {USAGE_VERSION}"
        )
    usage = Usage(
        source=path.name,
        type_defaults={
            k: dict(v) for k, v in _section(document, "resource_type_default_usage", f"{path.name}: ").items()
        },
        by_name={k: dict(v) for k, v in _section(document, "resource_usage", f"{path.name}: ").items()},
    )
    stacks = document.get("stacks") or {}
    if not isinstance(stacks, dict):
        raise ToolError(f"{path.name}: stacks: must map stack names to usage sections")
    override = stacks.get(stack) or {}
    if not isinstance(override, dict):
        raise ToolError(f"{path.name}: stacks.{stack}: must be a mapping")
    unknown = sorted(set(override) - {"resource_type_default_usage", "resource_usage"})
    if unknown:
        raise ToolError(f"{path.name}: stacks.{stack}: unknown key {unknown[0]!r}")
    where = f"{path.name}: stacks.{stack}."
    for type_token, values in _section(override, "resource_type_default_usage", where).items():
        usage.type_defaults[type_token] = {**usage.type_defaults.get(type_token, {}), **values}
    for name, values in _section(override, "resource_usage", where).items():
        usage.by_name[name] = {**usage.by_name.get(name, {}), **values}
    return usage
