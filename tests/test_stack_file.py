"""Reading a stack file: one line per problem (file, line, column) and never a traceback; values echoed
as YAML spells them."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_stack_file
from config.yaml_reader import YamlFileError, read_yaml, yaml_spelling
from tests.helpers import REPO, write_stack


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_stack_file(path)
    return str(caught.value).splitlines()


def _dev_with(tmp_path: Path, text: str, name: str = "Pulumi.dev.yaml") -> Path:
    """Pulumi.dev.yaml with ``text`` appended under ``config:`` (the file ends inside that mapping)."""
    path = tmp_path / name
    path.write_text((REPO / "Pulumi.dev.yaml").read_text() + text)
    return path


@pytest.mark.parametrize(
    ("value", "spelled"),
    [
        (False, "false"),
        (None, "null"),
        (["t3.large"], "[t3.large]"),
        ("3", "'3'"),
        ("yes", "'yes'"),
        ([], "[]"),
    ],
)
def test_values_are_echoed_in_yaml_spelling(value, spelled) -> None:
    assert yaml_spelling(value) == spelled


def test_yaml_spelling_in_a_config_message(tmp_path) -> None:
    path = write_stack(
        tmp_path, "dev", {"cluster": {"node_groups": {"system": {"instance_types": ["t4g.large"]}}}}
    )
    message = "\n".join(_problems(path))
    assert "instance_types = [t4g.large]:" in message and "['t4g.large']" not in message


def test_empty_stack_file_says_so(tmp_path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("# nothing yet\n")
    assert _problems(path) == [
        "Pulumi.dev.yaml: empty stack file; it needs at least quantumvest-infra:platform: "
        "{environment: dev|staging|prod}"
    ]


def test_a_stack_file_without_the_environment_names_the_key_not_a_null(tmp_path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  aws:region: us-east-1\n")
    assert _problems(path) == [
        "Pulumi.dev.yaml: quantumvest-infra:platform.environment: required; allowed: dev, staging, prod"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "- config\n- other\n",
            "Pulumi.dev.yaml: line 1, column 1: a stack file is a mapping (config: ...), not a list",
        ),
        (
            "just words\n",
            "Pulumi.dev.yaml: line 1, column 1: a stack file is a mapping (config: ...), not a string",
        ),
        (
            "config: [a, b]\n",
            "Pulumi.dev.yaml: line 1: config = [a, b]: must be a mapping of 'namespace:key' to values, not a list",
        ),
    ],
)
def test_not_a_mapping_is_one_line_with_its_position(tmp_path, text, expected) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(text)
    assert _problems(path) == [expected]


def test_malformed_yaml_is_one_line_with_file_line_and_column(tmp_path) -> None:
    path = _dev_with(tmp_path, "  quantumvest-infra:cache:\n    node_type: [cache.t4g.micro\n")
    (problem,) = _problems(path)
    assert problem.startswith("Pulumi.dev.yaml: line ")
    assert ", column " in problem and "not valid YAML" in problem and "<unicode string>" not in problem


def test_duplicate_section_is_rejected_naming_both_lines(tmp_path) -> None:
    original = (REPO / "Pulumi.dev.yaml").read_text().splitlines()
    first = next(i for i, line in enumerate(original, 1) if line.startswith("  quantumvest-infra:network:"))
    path = _dev_with(tmp_path, "  quantumvest-infra:network:\n    cidr: 10.99.0.0/16\n")
    assert _problems(path) == [
        f"Pulumi.dev.yaml: line {len(original) + 1}, column 3: duplicate key config.quantumvest-infra:network "
        f"(first at line {first}); YAML would keep only the last and Pulumi rejects the file: merge the two"
    ]


def test_duplicate_keys_at_any_depth_each_named() -> None:
    with pytest.raises(YamlFileError) as caught:
        read_yaml("a:\n  b:\n    - {c: 1, c: 2}\n  d: 1\n  d: 2\n")
    assert [str(p) for p in caught.value.problems] == [
        "line 3, column 14: duplicate key a.b[0].c (first at line 3); YAML would keep only the last and "
        "Pulumi rejects the file: merge the two",
        "line 5, column 3: duplicate key a.d (first at line 4); YAML would keep only the last and Pulumi "
        "rejects the file: merge the two",
    ]


def test_alias_bomb_is_read_without_walking_every_copy() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(6)
    )
    assert read_yaml(bomb).data is not None  # composed once; the duplicate walk visits each node once


def test_near_miss_of_the_project_namespace_is_rejected_with_did_you_mean(tmp_path) -> None:
    path = _dev_with(tmp_path, "  quantumvest:network:\n    cidr: 10.0.0.0/16\n")
    (problem,) = _problems(path)
    assert "config key quantumvest:network: namespace 'quantumvest' is not the project's" in problem
    assert "(did you mean 'quantumvest-infra:network'?)" in problem


def test_a_section_without_namespace_is_rejected(tmp_path) -> None:
    (problem,) = _problems(_dev_with(tmp_path, "  database:\n    multi_az: true\n"))
    assert "config key database has no namespace (did you mean 'quantumvest-infra:database'?)" in problem


def test_other_namespaces_remain_allowed(tmp_path) -> None:
    path = _dev_with(tmp_path, "  aws:skipMetadataApiCheck: true\n  kubernetes:enableServerSideApply: true\n")
    assert load_stack_file(path).platform.environment == "dev"


def test_near_miss_of_a_top_level_key_is_rejected(tmp_path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text((REPO / "Pulumi.dev.yaml").read_text().replace("config:", "confg:", 1))
    problems = _problems(path)
    assert any("unknown top-level key confg (did you mean 'config'?)" in p for p in problems)


@pytest.mark.parametrize(
    ("section", "key", "written", "read"),
    [("cluster", "kubernetes_version", "1.30", "1.3"), ("database", "engine_version", "17.10", "17.1")],
)
def test_unquoted_version_read_as_a_number_says_to_quote_it(tmp_path, section, key, written, read) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(
        f"config:\n  quantumvest-infra:platform:\n    environment: dev\n"
        f"  quantumvest-infra:{section}:\n    {key}: {written}\n"
    )
    assert _problems(path) == [
        f"Pulumi.dev.yaml: quantumvest-infra:{section}.{key} = {written}: YAML reads unquoted {written} as a "
        f'number ({read}); quote it: "{written}"'
    ]


def test_unquoted_whole_number_where_text_is_expected_says_to_quote_it(tmp_path) -> None:
    (problem,) = _problems(_dev_with(tmp_path, "  quantumvest-infra:database:\n    engine_version: 17\n"))
    assert problem.endswith(
        'engine_version = 17: expected text, and YAML reads unquoted 17 as a number; quote it: "17"'
    )


def test_the_quoted_version_is_accepted(tmp_path) -> None:
    path = _dev_with(tmp_path, '  quantumvest-infra:database:\n    engine_version: "17"\n')
    assert load_stack_file(path).database.engine_version == "17"
