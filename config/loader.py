"""Load a stack's settings: secure schema defaults → tier profile → ``Pulumi.<stack>.yaml``.

Two entry points: :func:`load_from_pulumi` inside the program (the engine has decrypted the secrets),
and :func:`load_stack_file` for tools and tests (no engine; secrets stay opaque). Both end in
:func:`build`, which rejects bad input with one :class:`ConfigError` before any resource exists.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pydantic
import yaml
from pydantic import Field

from components.args import FieldProblem
from components.platform import PlatformArgs
from config import rules
from config.errors import PROJECT, ConfigError, format_validation_error
from config.profiles import TIER_PROFILES, TIERS
from config.secrets import plaintext_secrets, unwrap_secure
from policy.settings import PolicyArgs


class StackConfig(PlatformArgs):
    """A stack file's settings: the platform's (what ``Platform`` takes) plus the stack's guardrail
    exceptions, which the policy pack reads and the components never see."""

    policy: PolicyArgs = Field(default_factory=PolicyArgs)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge mappings recursively, ``override`` winning; lists are replaced whole; ``None`` deletes a key."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def derive_defaults(merged: dict[str, Any]) -> dict[str, Any]:
    """Defaults that follow another section, so each fact is set in one place: the database's DR replica
    goes to ``platform.dr_region``, and ``platform.domain`` is the name of the hosted zone (``dns.domain``)
    and the default of ``cluster_services.dns_zone``, ``workloads.domain`` and ``storage.dns.domain``."""
    platform = merged.get("platform")
    database = merged.get("database", {})
    dr_region = platform.get("dr_region") if isinstance(platform, dict) else None
    if dr_region and isinstance(database, dict) and "dr_region" not in database:
        merged = {**merged, "database": {**database, "dr_region": dr_region}}
    domain = platform.get("domain") if isinstance(platform, dict) else None
    if domain:
        merged = _default(merged, "cluster_services", "dns_zone", domain)
        merged = _default(merged, "workloads", "domain", domain)
        merged = _default(merged, "dns", "domain", domain)
        storage = merged.get("storage", {})
        dns = storage.get("dns", {}) if isinstance(storage, dict) else None
        if isinstance(dns, dict) and "domain" not in dns:
            merged = {**merged, "storage": {**storage, "dns": {**dns, "domain": domain}}}
    return merged


def _default(merged: dict[str, Any], section: str, key: str, value: Any) -> dict[str, Any]:
    current = merged.get(section, {})
    if isinstance(current, dict) and key not in current:
        return {**merged, section: {**current, key: value}}
    return merged


def build(
    values: dict[str, Any],
    source: str,
    secret_sections: frozenset[str] = frozenset(),
    aws_region: str | None = None,
) -> StackConfig:
    """Validate the project's config values (section → value) into settings, or raise :class:`ConfigError`.

    ``secret_sections`` are sections the engine holds as secrets (their plaintext is allowed).
    """
    leaks = [
        f"{PROJECT}:{path.lstrip('.')} = <{len(str(leaked))} characters of plain text>: a secret-looking key "
        f"must be set as a Pulumi secret (pulumi config set --secret --path '{PROJECT}:{path.lstrip('.')}' …)"
        for section, value in values.items()
        if section not in secret_sections
        for path, leaked in plaintext_secrets({section: value}, "")
    ]
    if leaks:
        raise ConfigError(source, leaks)

    platform = values.get("platform")
    tier = platform.get("environment") if isinstance(platform, dict) else None
    if tier not in TIERS:
        raise ConfigError(
            source,
            [f"{PROJECT}:platform.environment = {tier!r}: required; allowed: {', '.join(TIERS)}"],
        )
    merged = derive_defaults(deep_merge(TIER_PROFILES[tier], unwrap_secure(values)))
    try:
        cfg = StackConfig.model_validate_json(json.dumps(merged, default=str))
    except pydantic.ValidationError as err:
        raise format_validation_error(err, source, merged, StackConfig) from None
    found = rules.problems(cfg)
    if aws_region is not None and aws_region != cfg.platform.region:
        found.insert(0, _region_mismatch(aws_region, cfg.platform.region))
    if found:
        raise ConfigError(source, [f"{PROJECT}:{p.subpath} = {p.value!r}: {p.allowed}" for p in found])
    return cfg


def _region_mismatch(aws_region: str, region: str) -> FieldProblem:
    return FieldProblem(
        "platform.region",
        region,
        f"differs from aws:region ({aws_region}); the program uses platform.region, so remove aws:region "
        "or set both to the same region",
    )


def read_stack_file(path: str | Path) -> tuple[dict[str, Any], str | None]:
    """The ``quantumvest-infra:`` values of a stack file (section → raw value) and its ``aws:region``."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigError(path.name, ["no such stack file"]) from None
    except yaml.YAMLError as err:
        raise ConfigError(path.name, [f"not valid YAML: {err}"]) from None
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(path.name, ["'config' must be a mapping of 'namespace:key' to values"])
    values = {k.split(":", 1)[1]: v for k, v in config.items() if k.startswith(f"{PROJECT}:")}
    return values, config.get("aws:region")


def load_stack_file(path: str | Path) -> StackConfig:
    """Settings from a stack file by path, with no Pulumi engine (secrets stay opaque placeholders)."""
    path = Path(path)
    values, aws_region = read_stack_file(path)
    return build(values, path.name, aws_region=aws_region)


def engine_values() -> tuple[dict[str, Any], set[str]]:
    """The project's config values as the engine hands them to a program or a policy pack (section →
    value, structured values parsed from JSON) and the sections the engine marks secret."""
    from pulumi.runtime import config as runtime_config

    every = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    values: dict[str, Any] = {}
    secret_sections: set[str] = set()
    for key, raw in every.items():
        if not key.startswith(f"{PROJECT}:"):
            continue
        section = key.split(":", 1)[1]
        try:
            values[section] = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            values[section] = raw
        if runtime_config.is_config_secret(key):
            secret_sections.add(section)
    return values, secret_sections


def load_from_pulumi() -> StackConfig:
    """Settings from ``pulumi.Config`` inside a running program (the engine has decrypted secrets)."""
    import pulumi

    values, secret_sections = engine_values()
    source = f"Pulumi.{pulumi.get_stack()}.yaml"
    return build(values, source, frozenset(secret_sections), pulumi.Config("aws").get("region"))
