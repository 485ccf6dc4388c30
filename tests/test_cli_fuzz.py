"""Property-based: every command's parser, driven with random arguments and mutated stack files, ends in
exit 0, 1 or 2 with at most a few one-line errors and never a traceback.

Cheap by design: :func:`tools.cli.prepare` parses and checks (the stack file included) without evaluating
the stack, so an example costs milliseconds. Mutations that must be rejected (duplicate keys, a near
miss of the namespace, broken YAML, a non-mapping, an empty file, values AWS does not accept) are
asserted to exit 1: none may be silently accepted.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config import aws_values
from tests.helpers import REPO
from tools import __main__ as tools_main
from tools import policy_report as report

STACKS = ("dev", "staging", "prod")
COMMANDS = ("plan", "summary", "diff", "cost", "deploy-time", "render", "graph", "validate", "rehearse")
OPTIONS = (
    "--out",
    "--usage",
    "--parallel",
    "--format",
    "--verbose",
    "--allow-missing-base",
    "--today",
    "--table",
)
MAX_ERROR_LINES = 5
#: Each test's budget on a busy 2-core machine (an example is a parse and a config load, ~50 ms idle).
BUDGET_SECONDS = float(os.environ.get("CLI_FUZZ_BUDGET", "60"))

_WORK = Path(tempfile.mkdtemp(prefix="cli-fuzz-"))
(_WORK / "a-dir").mkdir(exist_ok=True)
(_WORK / "a-file.txt").write_text("not yaml: [\n")

#: CLI_FUZZ_EXAMPLES=1000 for a deeper run than the suite's.
FUZZ = settings(
    max_examples=int(os.environ.get("CLI_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
_STARTED: dict[str, float] = {}  # test name -> when its first example ran


def _run(entry: str, argv: list[str]) -> tuple[int, str]:
    """Parse and check ``argv`` (``validate`` also runs: it evaluates nothing); return (exit, stderr)."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        if entry == "policy.report":
            code = _prepared(lambda: report.prepare(argv))
        elif argv and argv[0] == "validate":
            code = tools_main.main(argv)
        else:
            code = _prepared(lambda: tools_main.prepare(argv))
    return code, err.getvalue()


def _prepared(prepare: Any) -> int:
    try:
        prepare()
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else -1
    return 0


def _assert_clean(test: str, code: int, stderr: str, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    started = _STARTED.setdefault(test, time.monotonic())
    lines = stderr.strip().splitlines()
    assert code in allowed, (code, stderr)
    assert "Traceback" not in stderr
    assert len(lines) <= MAX_ERROR_LINES, stderr
    assert all(line.startswith("error: ") or ": " in line for line in lines), stderr
    assert time.monotonic() - started < BUDGET_SECONDS, f"{test} exceeded its time budget"


_values = st.one_of(
    st.sampled_from(["0", "-3", "1", "16", "2147483648", "1e3", "", " ", "svg", "png", "dot", "mermaid"]),
    st.sampled_from(["2026-13-01", "2027-01-31", "README.md", "missing.yml", "Pulumi.dev.yaml", "tools"]),
    st.sampled_from([str(_WORK / "a-dir"), str(_WORK / "a-file.txt"), str(_WORK / "a-file.txt" / "x.json")]),
    st.sampled_from([*STACKS, "qa", "Pulumi.qa.yaml", "../etc", "dev/", "-h"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.integers(-5, 5).map(str),
)


@FUZZ
@given(
    command=st.sampled_from(COMMANDS),
    tokens=st.lists(st.one_of(st.sampled_from(OPTIONS), _values), max_size=5),
)
def test_random_arguments_to_every_command(command: str, tokens: list[str]) -> None:
    code, stderr = _run("tools", [command, *tokens])
    _assert_clean("arguments", code, stderr)


@FUZZ
@given(tokens=st.lists(st.one_of(st.sampled_from(OPTIONS), _values), max_size=5))
def test_random_arguments_to_policy_report(tokens: list[str]) -> None:
    code, stderr = _run("policy.report", tokens)
    _assert_clean("policy.report", code, stderr)


# --- stack-file mutations ---------------------------------------------------------------------------------


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))] or [path]
    return [path]


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(min_size=1, max_size=5), st.integers(), max_size=2),
)


@st.composite
def _any_mutation(draw: st.DrawFn) -> tuple[str, str]:
    """A stack file with one random leaf replaced: valid or not, it must never crash."""
    stack = draw(st.sampled_from(STACKS))
    document = yaml.safe_load((REPO / f"Pulumi.{stack}.yaml").read_text())
    path = draw(st.sampled_from(_leaves(document["config"])))
    if path:
        _set(document["config"], path, draw(_scalars))
    return stack, yaml.safe_dump(document)


def _near_misses() -> st.SearchStrategy[str]:
    return st.sampled_from(
        ["quantumvest", "quantumvest_infra", "quantumvest-infr", "Quantumvest-Infra", "quantumvestinfra"]
    )


@st.composite
def _invalid_mutation(draw: st.DrawFn) -> tuple[str, str]:
    """A stack file broken in one way the loader must reject (exit 1)."""
    stack = draw(st.sampled_from(STACKS))
    text = (REPO / f"Pulumi.{stack}.yaml").read_text()
    lines = text.splitlines(keepends=True)
    document = yaml.safe_load(text)
    sections = [k for k in document["config"] if k.startswith("quantumvest-infra:")]
    kind = draw(
        st.sampled_from(
            [
                "duplicate",
                "namespace",
                "not-mapping",
                "broken",
                "empty",
                "tab",
                "instance",
                "region",
                "cron",
                "rds",
            ]
        )
    )
    if kind == "duplicate":
        return stack, text + f"  {draw(st.sampled_from(sections))}:\n    {{}}\n"
    if kind == "namespace":
        section = draw(st.sampled_from(sections))
        return stack, text.replace(
            f"  {section}:", f"  {draw(_near_misses())}:{section.split(':', 1)[1]}:", 1
        )
    if kind == "not-mapping":
        return stack, yaml.safe_dump(
            draw(
                st.one_of(
                    st.lists(st.integers(), min_size=1),
                    st.integers(),
                    st.text(min_size=1).filter(
                        lambda t: not isinstance(yaml.safe_load(t) if _parses(t) else {}, dict | type(None))
                    ),
                )
            )
        )
    if kind == "broken":
        at = draw(st.integers(1, len(lines)))
        return stack, "".join([*lines[:at], "  broken: [unclosed\n", *lines[at:]])
    if kind == "empty":
        return stack, draw(st.sampled_from(["", "\n", "# only a comment\n", "---\n", "   \n"]))
    if kind == "tab":
        indented = [
            i
            for i, line in enumerate(lines)
            if line.startswith("  ") and line.strip() and not line.lstrip().startswith("#")
        ]
        i = draw(st.sampled_from(indented))
        lines[i] = "\t" + lines[i].lstrip(" ")
        return stack, "".join(lines)
    config = document["config"]
    if kind == "instance":
        bad = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.", min_size=1, max_size=12))
        bad = bad if bad not in aws_values.ec2_instance_types() else bad + ".gigantic"
        config.setdefault("quantumvest-infra:cluster", {}).setdefault("node_groups", {})["system"] = {
            "instance_types": [bad]
        }
    elif kind == "region":
        bad = draw(
            st.from_regex(r"[a-z]{2}-[a-z]{4,9}-[0-9]", fullmatch=True).filter(
                lambda r: r not in aws_values.regions()
            )
        )
        config["quantumvest-infra:platform"]["region"] = bad
    elif kind == "cron":
        minute = draw(st.integers(60, 999))
        config.setdefault("quantumvest-infra:security", {}).setdefault("backup", {})["schedule"] = (
            f"cron({minute} 5 ? * * *)"
        )
    else:
        config.setdefault("quantumvest-infra:database", {})["instance_class"] = "db." + draw(
            st.sampled_from(["t3.gigantic", "q9.large", "m5"])
        )
    return stack, yaml.safe_dump(document)


def _parses(text: str) -> bool:
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return True


_STACK_COMMANDS = ("plan", "summary", "cost", "deploy-time", "graph", "rehearse", "validate", "policy.report")


def _with_stack_file(command: str, stack: str, text: str) -> tuple[int, str]:
    path = Path(tempfile.mkdtemp(dir=_WORK)) / f"Pulumi.{stack}.yaml"
    path.write_text(text)
    if command == "policy.report":
        return _run("policy.report", [str(path)])
    return _run("tools", [command, str(path)])


@FUZZ
@given(command=st.sampled_from(_STACK_COMMANDS), mutation=_any_mutation())
def test_random_stack_file_mutations_never_crash(command: str, mutation: tuple[str, str]) -> None:
    code, stderr = _with_stack_file(command, *mutation)
    _assert_clean("any mutation", code, stderr, allowed=(0, 1))


@FUZZ
@given(command=st.sampled_from(_STACK_COMMANDS), mutation=_invalid_mutation())
def test_invalid_stack_files_are_never_silently_accepted(command: str, mutation: tuple[str, str]) -> None:
    code, stderr = _with_stack_file(command, *mutation)
    _assert_clean("invalid mutation", code, stderr, allowed=(1,))
    assert stderr.strip(), "rejected without saying why"
