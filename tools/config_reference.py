"""Generate ``docs/configuration.md`` from the settings models: every section and field a stack file may
set, with its type, description, schema default and each tier's default.

    python -m tools.config_reference            # rewrite docs/configuration.md
    python -m tools.config_reference --check    # exit 1 if the file is not what the models say

The models are the truth (``config.StackConfig``: one pydantic model per section, in the component's own
file); the tier defaults are ``config.profiles.TIER_PROFILES``. A field's row is found by walking the
models: a nested model's fields get a dotted key (``monitoring.thresholds.rds_cpu_percent``), the item
model of a list or mapping of models a ``[]`` or ``.<name>`` step (``workloads.services[].port``,
``storage.buckets.<role>.replicate_to_dr``). A tier column is filled where that tier's profile sets the
key; a blank means the schema default applies. ``tests/test_config_reference.py`` fails when the file
is stale.
"""

from __future__ import annotations

import argparse
import datetime
import enum
import inspect
import ipaddress
import json
import sys
import types
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET = REPO_ROOT / "docs" / "configuration.md"
PROJECT = "quantumvest-infra"

#: A default or tier value longer than this is cut, and the row points at the model's file.
MAX_VALUE = 90
_MISSING = object()


@dataclass(frozen=True)
class Row:
    """One settable key: its dotted path, type, description, schema default and tier values."""

    key: str
    type: str
    description: str
    default: str
    tiers: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """A top-level key of the stack file (``quantumvest-infra:<name>``) and its rows."""

    name: str
    model: type[BaseModel]
    summary: str
    rows: tuple[Row, ...]


# --------------------------------------------------------------------------------------- types


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type under ``Annotated[...]`` and its metadata."""
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata.extend(extra)
    return annotation, metadata


def _optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True)."""
    annotation, _ = _unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) < len(typing.get_args(annotation)):
            return (args[0] if len(args) == 1 else typing.Union[tuple(args)]), True  # noqa: UP007
    return annotation, False


def type_name(annotation: Any) -> str:
    """A short, readable spelling of a field's type (``int``, ``list[str]``, ``'a' | 'b'``, ``CIDR``)."""
    annotation, metadata = _unwrap(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return " \\| ".join(json.dumps(a) if isinstance(a, str) else str(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(type_name(a) for a in args)
    if origin in (list, tuple, set, frozenset, Sequence):
        inner = ", ".join(type_name(a) for a in args if a is not Ellipsis)
        return f"list[{inner}]"
    if origin in (dict, Mapping):
        return f"map[{', '.join(type_name(a) for a in args)}]"
    if annotation is type(None):
        return "null"
    if annotation is ipaddress.IPv4Network:
        return "CIDR"
    if annotation is SecretStr:
        return "secret"
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(json.dumps(m.value) for m in annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    if annotation is datetime.date:
        return "date"
    name = getattr(annotation, "__name__", None) or str(annotation)
    return name + _bounds(metadata)


def _bounds(metadata: Sequence[Any]) -> str:
    low = high = None
    for item in metadata:
        for attr in ("ge", "gt"):
            low = getattr(item, attr, low) if getattr(item, attr, None) is not None else low
        for attr in ("le", "lt"):
            high = getattr(item, attr, high) if getattr(item, attr, None) is not None else high
        if isinstance(item, annotated_types.Interval):
            low = item.ge if item.ge is not None else low
            high = item.le if item.le is not None else high
    if low is None and high is None:
        return ""
    if high is None:
        return f" (≥ {low})"
    if low is None:
        return f" (≤ {high})"
    return f" ({low}-{high})"


def _field_type(info: FieldInfo) -> str:
    return type_name(info.annotation) + _bounds(info.metadata)


# ----------------------------------------------------------------------------------- values


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (ipaddress.IPv4Network, datetime.date)):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def show(value: Any) -> str:
    """A value as a stack file spells it, in code, cut at :data:`MAX_VALUE` characters."""
    if value is _MISSING:
        return ""
    plain = _plain(value)
    if isinstance(plain, list) and plain and all(isinstance(v, dict) and "name" in v for v in plain):
        return f"{len(plain)}: " + ", ".join(f"`{v['name']}`" for v in plain)  # a list of named entries
    if isinstance(plain, dict) and plain and all(isinstance(v, dict) for v in plain.values()):
        return f"{len(plain)}: " + ", ".join(f"`{k}`" for k in plain)  # a map of named entries
    text = json.dumps(plain, ensure_ascii=False, separators=(", ", ": "), default=str)
    if len(text) > MAX_VALUE:
        text = text[: MAX_VALUE - 1] + "…"
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        try:
            value = info.default_factory()  # type: ignore[call-arg]
        except TypeError:  # a factory of the validated data: the default depends on other fields
            return "derived"
        return show(value)
    if info.default is PydanticUndefined:
        return ""
    return show(info.default)


def _at(profile: Any, path: Sequence[str]) -> Any:
    for step in path:
        if not isinstance(profile, Mapping) or step not in profile:
            return _MISSING
        profile = profile[step]
    return profile


# ------------------------------------------------------------------------------------- walk


def _models_in(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """The model a field leads into, with the key step to it: '' (a model), '[]' (a list of models),
    '.<name>' (a mapping of names to models)."""
    annotation, _ = _optional(annotation)
    annotation, _ = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "", annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (list, tuple, Sequence) and args:
        inner, _ = _unwrap(args[0])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "[]", inner
    if origin in (dict, Mapping) and len(args) == 2:
        inner, _ = _unwrap(args[1])
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return ".<name>", inner
    return None


def _description(info: FieldInfo) -> str:
    text = " ".join((info.description or "").split())
    return text.replace("|", "\\|")


def _rows(
    model: type[BaseModel],
    prefix: str,
    profile_path: Sequence[str] | None,
    tiers: Mapping[str, Any],
    base: Any = _MISSING,
) -> Iterator[Row]:
    """The rows of ``model``'s fields. ``base`` is the section's default instance where there is one:
    a section's default may differ from its model's field defaults (``dr_network``'s factory)."""
    for name, info in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else name
        path = None if profile_path is None else [*profile_path, name]
        values = tuple(show(_at(tiers[t], path)) if path is not None else "" for t in tiers)
        value = getattr(base, name, _MISSING) if isinstance(base, BaseModel) else _MISSING
        default = _default(info) if value is _MISSING else show(value)
        nested = _models_in(info.annotation)
        if nested is None or (nested[0] == "" and not _has_fields(nested[1])):
            yield Row(key, _field_type(info), _description(info), default, values)
            continue
        step, inner = nested
        if step == "":  # a sub-section: a row saying what it is, then a row per key (the tiers' values there)
            about = _description(info) or _first_paragraph(inner).replace("|", "\\|")
            yield Row(key, "mapping", about, "", tuple("" for _ in tiers))
            yield from _rows(inner, key, path, tiers, value)
        else:
            kind = "list" if step == "[]" else "map"
            yield Row(key, f"{kind} of mapping", _description(info), default, values)
            # Keys inside a list item or a named entry: a profile sets the whole list, not one item's key.
            yield from _rows(inner, key + step, None, tiers)


def _has_fields(model: type[BaseModel]) -> bool:
    return bool(model.model_fields)


def _instance(info: FieldInfo) -> Any:
    """A section's default value (a model instance), or nothing for a required section."""
    if info.default_factory is not None:
        try:
            return info.default_factory()  # type: ignore[call-arg]
        except TypeError:
            return _MISSING
    return _MISSING if info.default is PydanticUndefined else info.default


def _first_paragraph(model: type[BaseModel]) -> str:
    """The first paragraph of the model's own docstring (not one it inherits)."""
    own = model.__dict__.get("__doc__") or ""
    return " ".join(inspect.cleandoc(own).split("\n\n")[0].split())


def _summary(model: type[BaseModel], info: FieldInfo) -> str:
    """The section's own description where it has one (it says more than the model's), else the model's."""
    return " ".join((info.description or "").split()) or _first_paragraph(model)


def sections(root: type[BaseModel] | None = None, profiles: Mapping[str, Any] | None = None) -> list[Section]:
    """Every top-level section of ``root`` (the stack config) with its rows, tier values from ``profiles``."""
    if root is None:
        # late import: the settings models import the SDK; only when no model is passed in
        from config import StackConfig

        root = StackConfig
    if profiles is None:
        # late import: the tier profiles come with the settings models (the SDK); only when none are passed in
        from config.profiles import TIER_PROFILES

        profiles = TIER_PROFILES
    found = []
    for name, info in root.model_fields.items():
        nested = _models_in(info.annotation)
        if nested is None or nested[0] != "":
            raise TypeError(f"section {name!r} of {root.__name__} is not a settings model")
        model = nested[1]
        tiers = {tier: _at(profile, [name]) for tier, profile in profiles.items()}
        tiers = {tier: value if value is not _MISSING else {} for tier, value in tiers.items()}
        rows = tuple(_rows(model, name, [], tiers, _instance(info)))
        found.append(Section(name, model, _summary(model, info), rows))
    return found


# ----------------------------------------------------------------------------------- render


def _source(model: type[BaseModel]) -> str:
    path = Path(inspect.getfile(model)).resolve()
    try:
        return path.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name


def render(found: Sequence[Section] | None = None, tiers: Sequence[str] = ("dev", "staging", "prod")) -> str:
    """The Markdown of the configuration reference."""
    found = sections() if found is None else found
    total = sum(len(s.rows) for s in found)
    undocumented = sum(1 for s in found for r in s.rows if not r.description)
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m tools.config_reference` from the settings models and the tier",
        "     profiles; do not edit by hand (tests/test_config_reference.py fails when it is stale). -->",
        "",
        f"Every key a stack file may set under `{PROJECT}:`, one table per section. Layers, later wins:",
        "the **schema default** (the section's pydantic model, in the component's file) → the **tier**",
        "**profile** (`config/profiles/<section>.py`, chosen by `platform.environment`) → the **stack file**",
        "(`Pulumi.<stack>.yaml`). A `null` in the stack file restores the schema default. A blank tier cell",
        "means the tier keeps the schema default; a list is replaced whole, so a tier value of a list (such",
        "as `workloads.services`) is the whole list. `platform.domain` and `platform.dr_region` are also the",
        "defaults of `cluster_services.dns_zone`, `workloads.domain`, `dns.domain`, `storage.dns.domain` and",
        "`database.dr_region` (`config/loader.py`, `derive_defaults`). A list or map of named entries",
        "(services, node groups, buckets) is shown by its names, and other values longer than",
        f"{MAX_VALUE} characters are cut (`…`): the model's file and the tier profile have them whole.",
        "",
        "Check a stack file without deploying: `python -m tools validate Pulumi.dev.yaml`. Rules that need",
        "the tier or several sections (prod requires Multi-AZ, …) are in `config/rules/`. A description citing",
        '"seed 003" takes its figure from one of the requirement documents: [requirements.md](requirements.md).',
        "",
        f"{total} keys in {len(found)} sections; {undocumented} have no description in their model yet.",
        "",
    ]
    lines += [f"- [`{s.name}`](#{s.name}) — `{_source(s.model)}`" for s in found]
    header = "| key | type | default | " + " | ".join(tiers) + " | description |"
    rule = "|---|---|---|" + "---|" * len(tiers) + "---|"
    for section in found:
        lines += ["", f"## {section.name}", ""]
        lines += [f"`{section.model.__name__}` in `{_source(section.model)}`. {section.summary}".rstrip(), ""]
        lines += [header, rule]
        for row in section.rows:
            key = row.key.split(".", 1)[1] if "." in row.key else row.key
            cells = [f"`{key}`", row.type, row.default, *row.tiers, row.description]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.config_reference", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale; write nothing")
    parser.add_argument(
        "--out", type=Path, default=TARGET, help="where the reference lives (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    text = render()
    current = args.out.read_text() if args.out.is_file() else None
    if args.check:
        if current != text:
            print(
                f"error: {args.out.name} is stale; regenerate it with: python -m tools.config_reference",
                file=sys.stderr,
            )
            return 1
        print(f"{args.out.name}: up to date")
        return 0
    if current != text:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"wrote {args.out.name}")
    else:
        print(f"{args.out.name}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
