"""Read a YAML stack file strictly, the way Pulumi's own reader does, and spell values back in YAML.

``yaml.safe_load`` merges a repeated key silently (the last one wins) and reports a syntax error as a
multi-line dump naming ``"<unicode string>"``. Pulumi's stack-file reader rejects duplicate keys, and a
user needs the file, line and column. :func:`read_yaml` composes the node tree first, so that every
duplicate key at any depth is reported with both lines, then constructs the document. It also keeps
the source text of each plain (unquoted) scalar, so a message can say "you wrote 1.30, YAML read the
number 1.3: quote it".

:func:`yaml_spelling` echoes a value as the user would write it in the stack file (``false``,
``null``, ``[t3.large]``), not in Python's spelling (``False``, ``None``, ``['t3.large']``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from components.validation import yaml_spelling as yaml_spelling  # the stack file's spelling of a value

#: A key path inside the document: mapping keys (as written) and list indexes.
KeyPath = tuple[Any, ...]

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STRING_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class YamlProblem:
    """One problem in a YAML file, at a 1-based line and column."""

    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class YamlFileError(ValueError):
    """The file is not YAML, or not YAML Pulumi would accept; one :class:`YamlProblem` per problem."""

    def __init__(self, problems: list[YamlProblem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


@dataclass(frozen=True)
class YamlDocument:
    """A parsed document, with the source text and position of each plain non-string scalar."""

    data: Any
    plain_scalars: dict[KeyPath, tuple[str, int]] = field(default_factory=dict)
    """Key path → (text as written, line) for unquoted scalars YAML did not read as a string."""
    key_lines: dict[KeyPath, int] = field(default_factory=dict)
    """Key path → the line of the key (1-based)."""
    start: tuple[int, int] = (1, 1)
    """Line and column where the document's content starts."""


def read_yaml(text: str) -> YamlDocument:
    """Parse one YAML document; raise :class:`YamlFileError` for a syntax error or duplicate keys."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as err:
            raise YamlFileError([_marked(err)]) from None
        except yaml.YAMLError as err:  # e.g. more than one document
            raise YamlFileError([YamlProblem(1, 1, f"not valid YAML: {_one_line(str(err))}")]) from None
        except RecursionError:
            raise YamlFileError([YamlProblem(1, 1, "not valid YAML: nested too deeply")]) from None
        if node is None:
            return YamlDocument(None)
        plain: dict[KeyPath, tuple[str, int]] = {}
        key_lines: dict[KeyPath, int] = {}
        duplicates = list(_walk(node, (), plain, key_lines, set()))
        if duplicates:
            raise YamlFileError(duplicates)
        try:
            data = loader.construct_document(node)
        except yaml.MarkedYAMLError as err:  # unhashable keys, bad tags, bad timestamps
            raise YamlFileError([_marked(err)]) from None
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as err:
            raise YamlFileError([YamlProblem(1, 1, f"not valid YAML: {_one_line(str(err))}")]) from None
        start = (node.start_mark.line + 1, node.start_mark.column + 1)
        return YamlDocument(data, plain, key_lines, start)
    finally:
        loader.dispose()


def read_yaml_file(path: Path) -> YamlDocument:
    """:func:`read_yaml` of a file (UTF-8); a file that is not text is reported as not YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise YamlFileError([YamlProblem(1, 1, f"not a UTF-8 text file ({err.reason})")]) from None
    return read_yaml(text)


def _walk(
    node: yaml.Node,
    path: KeyPath,
    plain: dict[KeyPath, tuple[str, int]],
    key_lines: dict[KeyPath, int],
    visited: set[int],
) -> Iterator[YamlProblem]:
    """Duplicate keys below ``node`` (each with both lines); fills ``plain`` and ``key_lines``.

    An aliased node is walked once (``visited``), so a document of nested aliases cannot blow up."""
    if id(node) in visited:
        return
    visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = dotted((*path, key))
                yield YamlProblem(
                    line,
                    key_node.start_mark.column + 1,
                    f"duplicate key {where} (first at line {seen[key]}); YAML would keep only the last and "
                    "Pulumi rejects the file: merge the two",
                )
                continue
            seen[key] = line
            key_lines[(*path, key)] = line
            yield from _walk(value_node, (*path, key), plain, key_lines, visited)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _walk(item, (*path, index), plain, key_lines, visited)
    elif isinstance(node, yaml.ScalarNode) and node.style is None and node.tag != _STRING_TAG:
        plain[path] = (node.value, node.start_mark.line + 1)


def dotted(path: KeyPath) -> str:
    """``("config", "quantumvest-infra:network", "subnets", 0)`` → ``config.quantumvest-infra:network.subnets[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _marked(err: yaml.MarkedYAMLError) -> YamlProblem:
    mark = err.problem_mark or err.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = " ".join(part for part in (err.context, err.problem) if part)
    return YamlProblem(line, column, f"not valid YAML: {_one_line(what) or 'cannot parse'}")


def _one_line(text: str) -> str:
    return " ".join(text.split())
