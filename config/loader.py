"""Load a stack's settings: secure schema defaults → tier profile → ``Pulumi.<stack>.yaml``.

Two entry points: :func:`load_from_pulumi` inside the program (the engine has decrypted the secrets),
and :func:`load_stack_file` for tools and tests (no engine; secrets stay opaque). Both end in
:func:`build`, which rejects bad input with one :class:`ConfigError` before any resource exists.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
from pydantic import Field

from components.args import FieldProblem
from components.guardrails import PolicyArgs
from components.platform import PlatformArgs
from components.secret_keys import plaintext_secrets, unwrap_secure
from config import rules
from config.errors import PROJECT, ConfigError, for_engine, format_validation_error
from config.profiles import TIER_PROFILES, TIERS
from config.profiles.dr import DATABASE_PROMOTION_KEY, STANDBY_IDLE
from config.yaml_reader import YamlFileError, read_yaml_file, yaml_spelling


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
    """Defaults that follow another section, so each fact is set in one place: ``platform.domain`` is the name of the hosted zone (``dns.domain``)
    and the default of ``cluster_services.dns_zone``, ``workloads.domain`` and ``storage.dns.domain``."""
    merged = derive_dr(merged)
    platform = merged.get("platform")
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


def standby_layer(profile: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The tier profile, with the pilot light (config/profiles/dr.py ``STANDBY_IDLE``) on top for a
    standby that is not active; the stack file is merged over the result. Activating the standby drops
    the layer, so it runs exactly the tier's (the primary's) sizes. Only node groups the merged
    configuration has are shrunk (a stack with its own groups keeps its names)."""
    dr = values.get("dr")
    if not isinstance(dr, dict) or dr.get("role") != "standby" or dr.get("active") is True:
        return profile
    groups = deep_merge(profile, values).get("cluster", {}).get("node_groups", {})
    layer = dict(STANDBY_IDLE)
    if isinstance(groups, dict):
        idle_groups = {k: v for k, v in STANDBY_IDLE["cluster"]["node_groups"].items() if k in groups}
        layer = {**layer, "cluster": {**STANDBY_IDLE["cluster"], "node_groups": idle_groups}}
    return deep_merge(profile, layer)


def derive_dr(merged: dict[str, Any]) -> dict[str, Any]:
    """What follows from ``dr`` (components/dr.py): a standby scales its node groups by config (its
    activation raises ``min_size``); a primary leads a global database, a standby's database joins it as
    a secondary and an active standby detaches it (promotion); either side of a pair leaves the CDN host's record to the failover records."""
    dr = merged.get("dr")
    role = dr.get("role") if isinstance(dr, dict) else None
    if not isinstance(dr, dict) or role not in ("primary", "standby"):
        return merged
    storage = merged.get("storage", {})
    cdn = storage.get("cdn", {}) if isinstance(storage, dict) else None
    if isinstance(cdn, dict) and "alias_record" not in cdn:
        merged = {**merged, "storage": {**storage, "cdn": {**cdn, "alias_record": False}}}
    if role == "primary":
        # A primary with a standby leads the global database the standby's secondary cluster joins.
        merged = _default(merged, "database", "global_database", True)
    if role == "standby":
        merged = _default(merged, "cluster", "scale_by_config", True)
        # The standby's database is the secondary cluster of the primary's global database.
        merged = _default(merged, "database", "role", "standby")
        merged = _default(merged, "database", DATABASE_PROMOTION_KEY, dr.get("active") is True)
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
    aws_region: Any = None,
    spelled: dict[tuple[Any, ...], str] | None = None,
) -> StackConfig:
    """Validate the project's config values (section → value) into settings, or raise :class:`ConfigError`.

    ``secret_sections`` are sections the engine holds as secrets (their plaintext is allowed);
    ``spelled`` maps key paths (section first) to the text of unquoted scalars, for "quote it" hints.
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
    if platform is not None and not isinstance(platform, dict):
        raise ConfigError(
            source,
            [
                f"{PROJECT}:platform = {yaml_spelling(platform)}: must be a mapping "
                f"(environment: {'|'.join(TIERS)}, region: ..., domain: ...)"
            ],
        )
    tier = platform.get("environment") if isinstance(platform, dict) else None
    if not isinstance(tier, str) or tier not in TIERS:
        shown = "" if tier is None else f" = {yaml_spelling(tier)}"
        raise ConfigError(
            source,
            [f"{PROJECT}:platform.environment{shown}: required; allowed: {', '.join(TIERS)}"],
        )
    stack_values = unwrap_secure(values)
    profile = standby_layer(TIER_PROFILES[tier], stack_values)
    merged = derive_defaults(deep_merge(profile, stack_values))
    try:
        document = json.dumps(merged, default=str, allow_nan=False)
    except (TypeError, ValueError) as err:  # a mapping key YAML allows and JSON does not; .nan/.inf
        raise ConfigError(source, [f"{PROJECT}: cannot be represented as JSON config: {err}"]) from None
    try:
        cfg = StackConfig.model_validate_json(document)
    except pydantic.ValidationError as err:
        raise format_validation_error(err, source, merged, StackConfig, spelled) from None
    found = rules.problems(cfg)
    if aws_region is not None and aws_region != cfg.platform.region:
        found.insert(0, _region_mismatch(aws_region, cfg.platform.region))
    if found:
        raise ConfigError(
            source, [f"{PROJECT}:{p.subpath} = {yaml_spelling(p.value)}: {p.allowed}" for p in found]
        )
    return cfg


def _region_mismatch(aws_region: str, region: str) -> FieldProblem:
    return FieldProblem(
        "platform.region",
        region,
        f"differs from aws:region ({aws_region}); the program uses platform.region, so remove aws:region "
        "or set both to the same region",
    )


#: Top-level keys of a Pulumi stack file (pulumi/pulumi ``workspace.ProjectStack``); a near miss of one
#: is a typo that would silently drop the section.
STACK_FILE_KEYS = ("config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt")


@dataclass(frozen=True)
class StackFile:
    """The ``quantumvest-infra:`` values of a stack file (section → raw value), its ``aws:region``,
    the text of each unquoted non-string scalar under those sections (for "quote it" hints), and the
    whole ``config:`` mapping, every namespace (what the engine hands the program)."""

    values: dict[str, Any]
    aws_region: Any
    spelled: dict[tuple[Any, ...], str]
    config: dict[str, Any]


def read_stack(path: str | Path) -> StackFile:
    """Read a stack file strictly, or raise :class:`ConfigError` with one line per problem: missing,
    empty, not YAML, not a mapping, duplicate keys, and config keys outside ``namespace:name`` or in a
    near miss of the project's namespace (other namespaces, such as ``aws:``, are Pulumi's business)."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(path.name, ["no such stack file"])
    if not path.is_file():
        raise ConfigError(path.name, ["not a file"])
    try:
        document = read_yaml_file(path)
    except YamlFileError as err:
        raise ConfigError(path.name, [str(p) for p in err.problems]) from None
    except OSError as err:
        raise ConfigError(path.name, [f"cannot read: {err.strerror}"]) from None
    data = document.data
    if data is None:
        raise ConfigError(
            path.name,
            [f"empty stack file; it needs at least {PROJECT}:platform: {{environment: {'|'.join(TIERS)}}}"],
        )
    if not isinstance(data, dict):
        line, column = document.start
        raise ConfigError(
            path.name,
            [f"line {line}, column {column}: a stack file is a mapping (config: ...), not {_kind(data)}"],
        )
    problems = [
        f"line {document.key_lines.get((key,), 1)}: unknown top-level key {yaml_spelling(key)} "
        f"(did you mean '{hint[0]}'?)"
        for key in data
        if key not in STACK_FILE_KEYS
        and (hint := difflib.get_close_matches(str(key), STACK_FILE_KEYS, n=1, cutoff=0.75))
    ]
    config = data.get("config")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        line = document.key_lines.get(("config",), 1)
        problems.append(
            f"line {line}: config = {yaml_spelling(config)}: must be a mapping of 'namespace:key' to values, "
            f"not {_kind(config)}"
        )
        raise ConfigError(path.name, problems)
    for key in config:
        problem = _config_key_problem(key)
        if problem:
            problems.append(f"line {document.key_lines.get(('config', key), 1)}: {problem}")
    if problems:
        raise ConfigError(path.name, problems)
    prefix = f"{PROJECT}:"
    values = {k[len(prefix) :]: v for k, v in config.items() if k.startswith(prefix)}
    spelled = {
        (where[1][len(prefix) :], *where[2:]): text
        for where, (text, _line) in document.plain_scalars.items()
        if len(where) > 2 and where[0] == "config" and str(where[1]).startswith(prefix)
    }
    return StackFile(values, config.get("aws:region"), spelled, config)


def _config_key_problem(key: Any) -> str | None:
    """Why a key under ``config:`` is not one Pulumi and this project would both read, or None."""
    if not isinstance(key, str) or ":" not in key:
        shown = yaml_spelling(key)
        if isinstance(key, str) and key in StackConfig.model_fields:
            return f"config key {shown} has no namespace (did you mean '{PROJECT}:{key}'?)"
        return f"config key {shown} is not of the form namespace:name (e.g. '{PROJECT}:network')"
    namespace, name = key.split(":", 1)
    if namespace == PROJECT:
        return None
    if difflib.get_close_matches(namespace.lower(), [PROJECT], n=1, cutoff=0.6):
        return (
            f"config key {key}: namespace '{namespace}' is not the project's (did you mean '{PROJECT}:{name}'?); "
            f"settings outside {PROJECT}: would be ignored and the stack would fall back to defaults"
        )
    return None


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return f"a {type(value).__name__}"


def read_stack_file(path: str | Path) -> tuple[dict[str, Any], str | None]:
    """The ``quantumvest-infra:`` values of a stack file (section → raw value) and its ``aws:region``."""
    stack = read_stack(path)
    return stack.values, stack.aws_region


def load_stack_file(path: str | Path) -> StackConfig:
    """Settings from a stack file by path, with no Pulumi engine (secrets stay opaque placeholders)."""
    return load_stack(path)[0]


def load_stack(path: str | Path) -> tuple[StackConfig, StackFile]:
    """The settings and the file they came from, read once (the offline engine needs both)."""
    path = Path(path)
    stack = read_stack(path)
    return build(stack.values, path.name, aws_region=stack.aws_region, spelled=stack.spelled), stack


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
    try:
        return build(values, source, frozenset(secret_sections), pulumi.Config("aws").get("region"))
    except ConfigError as err:
        raise for_engine(err) from None
