"""Output samples in the documentation, and how they are checked against the commands that print them.

The convention (README.md and docs/*.md):

- **A sample is a fenced block whose info string is ``console``.** Its first line is ``$ <command>``;
  the lines under it are what the command prints: its standard output, then its standard error
  without progress lines (``[cost] quantumvest-network (Network)``), then ``[exit N]`` if the exit
  status is not 0. A block may hold several commands, each starting with ``$ ``.
- **A line ``...`` (alone, indentation allowed) stands for any number of lines**, so a long output can
  show its head and its tail. Every line that is shown is checked, figures included.
- **Output is never shown any other way**: a ``$ `` line outside a ``console`` block, a fence without an
  info string, or a block right after a sentence ending in "prints:" or "output:" that is not a
  ``console`` sample is refused (:func:`convention_problems`). Commands to type, without their output,
  go in ``bash`` blocks without ``$``.

Commands are ``python -m <module> <args>`` (``uv run`` / ``python3 -m uv run --locked`` before it is
accepted): the module's ``main(argv)`` runs in process, the entry point a user's ``python -m`` runs,
from the repository root.

Before comparing, both sides are normalized (:func:`normalize`), so a sample states what does not
change from run to run and nothing else:

====================  =====================================================  ====================
what varies           pattern                                                becomes
====================  =====================================================  ====================
wall-clock times      a number followed by ``s`` or ``ms`` (``24.9 s``)      ``# s``
AWS ids from moto     ``vpc-``, ``subnet-``, ``sg-``, ``rtb-``, … + 8-17 hex   ``vpc-#``
long upper-case ids   20-32 upper-case letters and digits (Route 53 zones)   ``#ID``
hashes                32-64 hex digits                                       ``#hash``
timestamps            ISO 8601 date and time                                 ``#timestamp``
today                 today's date (YYYY-MM-DD)                              ``#today``
paths                 the repository's absolute path                         ``.``
trailing blanks       spaces at the end of a line, blank lines at the end    removed
====================  =====================================================  ====================

Durations the tools *estimate* (``deploy-time``'s minutes) and every figure of cost are not
normalized: a changed estimate is a changed sample. ``UPDATE_SAMPLES=1 pytest tests/test_doc_samples.py``
rewrites every sample from the commands' output, keeping each ``...`` where it was (:func:`refresh`).
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import importlib
import importlib.util
import io
import os
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = (REPO / "README.md", *sorted((REPO / "docs").glob("*.md")))

ELLIPSIS = "..."
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_PREFIXES = ("python3 -m uv run --locked ", "uv run --locked ", "uv run ")
_PROGRESS = re.compile(r"^\[[a-z][a-z -]*\] \S")

_NORMALIZE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?"), "#timestamp"),
    (re.compile(r"\b\d+(\.\d+)?( ?)(ms|s)\b"), r"#\2\3"),
    (
        re.compile(
            r"\b(vpc|subnet|sg|rtb|igw|eni|acl|vpce|pl|nat|eipalloc|i|lt|fs|fsap|cvpn-endpoint|eigw|tgw)"
            r"-[0-9a-f]{8,17}\b"
        ),
        r"\1-#",
    ),
    (re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{20,32}\b"), "#ID"),
    (re.compile(r"\b[0-9a-f]{32,64}\b"), "#hash"),
)


def normalize(line: str, today: datetime.date | None = None) -> str:
    """One line as it is compared: what varies from run to run replaced (see the module's table)."""
    line = line.replace(str(REPO), ".").rstrip()
    for pattern, replacement in _NORMALIZE:
        line = pattern.sub(replacement, line)
    return line.replace((today or datetime.date.today()).isoformat(), "#today")


def _shown(path: Path) -> str:
    """A document's path as messages show it: relative to the repository when it is in it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


@dataclass(frozen=True)
class Command:
    """One ``$ `` line of a sample and the output lines under it (``...`` included)."""

    command: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    """A ``console`` block: where it is, its lines (between the fences), and its commands."""

    path: Path
    line: int  # 1-based line of the opening fence
    body: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"{_shown(self.path)}:{self.line}"

    @property
    def commands(self) -> list[Command]:
        found: list[Command] = []
        for text in self.body:
            if text.startswith("$ "):
                found.append(Command(text[2:].strip(), ()))
            elif found:
                found[-1] = Command(found[-1].command, (*found[-1].expected, text))
        return found


@dataclass(frozen=True)
class Block:
    """Any fenced block of a Markdown file."""

    path: Path
    line: int
    info: str
    body: tuple[str, ...]
    before: str  # the last non-blank line before the fence


def _dedent(line: str, indent: int) -> str:
    """A line of a block whose fence is indented by ``indent`` (in a list item), without that indent."""
    return line[indent:] if line[:indent].isspace() else line.lstrip() if indent else line


def blocks(path: Path, text: str | None = None) -> list[Block]:
    """The fenced blocks of a Markdown file (a block inside a list item keeps its indentation stripped)."""
    lines = (path.read_text() if text is None else text).splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        before = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        j = i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(fence[0] * len(fence)) and not lines[j].strip().strip(fence[0])
        ):
            j += 1
        body = tuple(_dedent(line, indent) for line in lines[i + 1 : j])
        found.append(Block(path, i + 1, opening["info"].strip(), body, before))
        i = j + 1
    return found


def samples(paths: Sequence[Path] = DOCS) -> list[Sample]:
    """Every ``console`` block of the documents."""
    return [Sample(b.path, b.line, b.body) for path in paths for b in blocks(path) if b.info == "console"]


def convention_problems(paths: Sequence[Path] = DOCS) -> list[str]:
    """Blocks that show output without being a checked sample, or samples that are not runnable."""
    problems = []
    for path in paths:
        for block in blocks(path):
            where = f"{_shown(path)}:{block.line}"
            if block.info == "console":
                if not block.body or not block.body[0].startswith("$ "):
                    problems.append(f"{where}: a console sample starts with '$ <command>'")
                for command in Sample(path, block.line, block.body).commands:
                    try:
                        module_argv(command.command)
                    except ValueError as err:
                        problems.append(f"{where}: {err}")
                continue
            if not block.info:
                problems.append(
                    f"{where}: a fence without an info string: mark output as ```console (checked) "
                    "or say what the block is (```bash, ```yaml, ```text, ...)"
                )
            if any(line.startswith("$ ") for line in block.body):
                problems.append(f"{where}: '$ ' shows a command with its output: make the block ```console")
            if block.before.rstrip().endswith(("prints:", "output:")):
                problems.append(
                    f"{where}: shown as a command's output ({block.before[-40:]!r}): use ```console"
                )
    return problems


def module_argv(command: str) -> tuple[str, list[str]]:
    """``python -m tools cost prod`` → ('tools', ['cost', 'prod']); anything else is refused."""
    for prefix in _PREFIXES:
        if command.startswith(prefix):
            command = command[len(prefix) :]
            break
    words = shlex.split(command)
    if len(words) < 3 or words[0] not in ("python", "python3") or words[1] != "-m":
        raise ValueError(f"{command!r}: a sample's command is 'python -m <module> [args]'")
    return words[2], words[3:]


def _entry_point(module: str) -> Callable[[list[str]], int]:
    """What ``python -m module`` runs: the package's ``__main__`` or the module, as ``main(argv)``."""
    spec = importlib.util.find_spec(module)
    if spec is None:
        raise ValueError(f"python -m {module}: no such module")
    if spec.submodule_search_locations is not None:
        module += ".__main__"
    return importlib.import_module(module).main


@dataclass(frozen=True)
class Output:
    lines: tuple[str, ...]
    status: int


def run(command: str) -> Output:
    """Run ``python -m <module> args`` in process, as ``python -m`` would, from the repository root."""
    module, argv = module_argv(command)
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(REPO)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = _entry_point(module)(argv)
            except SystemExit as done:
                status = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        os.chdir(previous)
    lines = out.getvalue().splitlines()
    lines += [line for line in err.getvalue().splitlines() if not _PROGRESS.match(line)]
    if status:
        lines.append(f"[exit {status}]")
    while lines and not lines[-1].strip():
        lines.pop()
    return Output(tuple(lines), int(status or 0))


# ------------------------------------------------------------------------------------ matching


def _segments(expected: Sequence[str]) -> list[list[str]]:
    """Expected lines split at ``...`` lines: [head, interior..., tail] (head/tail may be empty)."""
    parts: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == ELLIPSIS:
            parts.append([])
        else:
            parts[-1].append(line)
    return parts


def _trim(lines: Sequence[str]) -> list[str]:
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def matches(expected: Sequence[str], actual: Sequence[str], today: datetime.date | None = None) -> bool:
    """Whether the output matches the sample: normalized, ``...`` standing for any lines."""
    want = [[normalize(x, today) for x in part] for part in _segments(_trim(expected))]
    got = [normalize(x, today) for x in _trim(actual)]
    if len(want) == 1:
        return want[0] == got
    head, *interior, tail = want
    if got[: len(head)] != head or (tail and got[len(got) - len(tail) :] != tail):
        return False
    position, end = len(head), len(got) - len(tail)
    if end < position:
        return False
    for part in interior:
        found = next(
            (i for i in range(position, end - len(part) + 1) if got[i : i + len(part)] == part),
            None,
        )
        if found is None:
            return False
        position = found + len(part)
    return True


def refresh(expected: Sequence[str], actual: Sequence[str]) -> list[str]:
    """The sample rewritten from ``actual``, keeping its shape: the head's and tail's line counts and
    each interior part at the place in the output most like its first line."""
    actual = _trim(actual)
    parts = _segments(_trim(expected))
    if len(parts) == 1:
        return list(actual)
    head, *interior, tail = parts
    new = list(actual[: len(head)])
    position, end = len(head), max(len(head), len(actual) - len(tail))
    for part in interior:
        new.append(ELLIPSIS)
        if not part:
            continue
        candidates = range(position, max(position, end - len(part)) + 1)
        best = max(
            candidates,
            key=lambda i: difflib.SequenceMatcher(
                None, normalize(part[0]), normalize(actual[i] if i < end else "")
            ).ratio(),
        )
        new += actual[best : best + len(part)]
        position = best + len(part)
    new.append(ELLIPSIS)
    new += actual[end:] if tail else []
    return new


def diff(expected: Sequence[str], actual: Sequence[str]) -> str:
    """A readable unified diff of the normalized sample and output."""
    return "\n".join(
        difflib.unified_diff(
            [normalize(x) for x in _trim(expected)],
            [normalize(x) for x in _trim(actual)],
            "sample (normalized)",
            "output (normalized)",
            lineterm="",
        )
    )


# ------------------------------------------------------------------------------------ rewriting


def rewrite(path: Path, render: Callable[[Sample], Sequence[str]]) -> bool:
    """Replace each console block's body in ``path`` with ``render(sample)``; True if the file changed."""
    text = path.read_text()
    lines = text.splitlines()
    changed = False
    for block in reversed(blocks(path, text)):
        if block.info != "console":
            continue
        body = list(render(Sample(path, block.line, block.body)))
        if tuple(body) == block.body:
            continue
        indent = re.match(r" *", lines[block.line - 1]).group(0)  # type: ignore[union-attr]
        start, stop = block.line, block.line + len(block.body)
        lines[start:stop] = [indent + line if line else line for line in body]
        changed = True
    if changed:
        path.write_text("\n".join(lines) + ("\n" if text.endswith("\n") else ""))
    return changed


def refreshed(sample: Sample, outputs: dict[str, Output]) -> list[str]:
    """The sample's body with each command's output refreshed from ``outputs``."""
    body: list[str] = []
    for command in sample.commands:
        body.append(f"$ {command.command}")
        body += refresh(command.expected, outputs[command.command].lines)
    return body


def iter_commands(found: Sequence[Sample]) -> Iterator[tuple[Sample, Command]]:
    for sample in found:
        for command in sample.commands:
            yield sample, command
