"""docs/configuration.md is generated from the settings models and the tier profiles, and stays so."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from config import StackConfig
from config.profiles import TIER_PROFILES
from tools import config_reference as ref


def test_the_reference_is_what_the_models_say() -> None:
    assert ref.TARGET.read_text() == ref.render(), "regenerate it: python -m tools.config_reference"


def test_every_field_of_every_section_has_a_row() -> None:
    found = {s.name: {r.key for r in s.rows} for s in ref.sections()}
    assert set(found) == set(StackConfig.model_fields)
    for name, info in StackConfig.model_fields.items():
        model = info.annotation
        assert isinstance(model, type) and issubclass(model, BaseModel), name
        missing = {f"{name}.{field}" for field in model.model_fields} - found[name]
        assert not missing, missing


def test_tier_values_come_from_the_profiles() -> None:
    rows = {r.key: r for s in ref.sections() for r in s.rows}
    dev, staging, prod = rows["database.backup_retention_days"].tiers
    profile = TIER_PROFILES
    assert dev == f"`{profile['dev']['database']['backup_retention_days']}`"
    assert staging == f"`{profile['staging']['database']['backup_retention_days']}`"
    assert prod == ""  # prod keeps the schema default
    assert rows["database.backup_retention_days"].default == "`30`"


class _Item(BaseModel):
    port: int = Field(default=80, ge=1, le=65535, description="The port.")


class _Inner(BaseModel):
    size: int = Field(default=2, description="How many.")


class _Section(BaseModel):
    """A made-up section."""

    mode: Literal["a", "b"] = Field(default="a", description="The mode.")
    inner: _Inner = Field(default_factory=_Inner)
    items: list[_Item] = Field(default_factory=list, description="Some items.")
    named: dict[str, _Item] = Field(default_factory=dict)


class _Root(BaseModel):
    only: _Section = Field(default_factory=lambda: _Section(mode="b"), description="The section.")


def test_the_walk_over_a_small_model() -> None:
    """Nested models get dotted keys, list and map items '[]' and '.<name>', the section's own default
    (its factory) wins over the model's, and a tier cell is set only where its profile sets the key."""
    (section,) = ref.sections(_Root, {"dev": {"only": {"inner": {"size": 1}}}, "prod": {}})
    rows = {r.key: r for r in section.rows}
    assert list(rows) == [
        "only.mode",
        "only.inner",
        "only.inner.size",
        "only.items",
        "only.items[].port",
        "only.named",
        "only.named.<name>.port",
    ]
    assert rows["only.mode"].default == '`"b"`'  # the section's factory, not the field's "a"
    assert rows["only.mode"].type == '"a" \\| "b"'
    assert rows["only.inner.size"].tiers == ("`1`", "")
    assert rows["only.items[].port"].type == "int (1-65535)"
    assert rows["only.items[].port"].description == "The port."
    assert section.summary == "The section."
    text = ref.render([section], tiers=("dev", "prod"))
    assert "| `inner.size` | int | `2` | `1` |  | How many. |" in text


def test_check_fails_on_a_stale_file_and_passes_on_a_fresh_one(tmp_path: Path) -> None:
    out = tmp_path / "configuration.md"
    out.write_text(ref.render().replace("| `cidr` |", "| `cidr_block` |", 1))
    assert ref.main(["--check", "--out", str(out)]) == 1
    assert ref.main(["--out", str(out)]) == 0
    assert ref.main(["--check", "--out", str(out)]) == 0
    assert out.read_text() == ref.render()
