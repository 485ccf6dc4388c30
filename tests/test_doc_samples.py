"""Every sample of command output in README.md and docs/*.md is what the command prints today.

The convention and the normalizations are in ``tests/doc_samples.py``. ``UPDATE_SAMPLES=1 pytest
tests/test_doc_samples.py tests/test_rehearse.py`` rewrites the samples from the commands' output
(review the diff). The stacks' graphs come from the session cache (``tests/conftest.py``): the command
runs through its own entry point, only the evaluation of a repository stack is shared with the other
tests, so the samples cost a few seconds, not a program run each. Rehearsals (moto, ~25 s a stack) are
checked by ``tests/test_rehearse.py``, which rehearses every stack anyway.
"""

from __future__ import annotations

import datetime
import importlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import doc_samples as ds
from tests.conftest import STACKS, stack_graph

UPDATE = os.environ.get("UPDATE_SAMPLES") == "1"

#: Commands whose samples another test file checks (it already pays for the run).
CHECKED_ELSEWHERE = ("tools rehearse",)

#: Modules that may hold ``run_stack`` under their own name: imported before patching.
_EVALUATING = (
    "tools.__main__",
    "tools.stacks",
    "tools.harness",
    "policy.engine",
    "tools.policy_report",
    "tools.policy_stack",
)


def _checked_here(command: str) -> bool:
    module, argv = ds.module_argv(command)
    return not " ".join([module, *argv]).startswith(CHECKED_ELSEWHERE)


COMMANDS = [(s, c) for s, c in ds.iter_commands(ds.samples()) if _checked_here(c.command)]
_OUTPUTS: dict[str, ds.Output] = {}


def _repository_stack(stack: str) -> str | None:
    path = Path(stack)
    if stack in STACKS:
        return stack
    for name in STACKS:
        if path.suffix == ".yaml" and path.resolve() == (ds.REPO / f"Pulumi.{name}.yaml").resolve():
            return name
    return None


@pytest.fixture(scope="module", autouse=True)
def shared_graphs() -> Iterator[None]:
    """Evaluate a repository stack once per session: ``run_stack`` answers from the session cache."""
    for name in _EVALUATING:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:  # moved: whatever evaluates stacks now is patched if it is loaded
            continue
    original = sys.modules["tools.harness"].run_stack

    def cached(stack: str, *args: object, **kwargs: object) -> object:
        name = _repository_stack(stack)
        if name is not None and not args and set(kwargs) <= {"on_component"}:
            return stack_graph(name)
        return original(stack, *args, **kwargs)

    patched = [
        module
        for module_name, module in list(sys.modules.items())
        if module_name.split(".")[0] in ("tools", "policy")
        and not module_name.startswith("tools.rehearse")
        and getattr(module, "run_stack", None) is original
    ]
    for module in patched:
        module.run_stack = cached  # type: ignore[attr-defined]
    yield
    for module in patched:
        module.run_stack = original  # type: ignore[attr-defined]
    if UPDATE:
        for path in {sample.path for sample, _ in COMMANDS}:
            ds.rewrite(
                path,
                lambda s: (
                    ds.refreshed(s, _OUTPUTS) if all(c.command in _OUTPUTS for c in s.commands) else s.body
                ),
            )


def test_documents_follow_the_sample_convention() -> None:
    assert ds.convention_problems() == []


def test_there_are_samples_to_check() -> None:
    """The README and the tool pages show real output (a parser that found nothing would pass all)."""
    assert len(COMMANDS) >= 5
    assert any(s.path.name == "README.md" for s, _ in COMMANDS)


@pytest.mark.parametrize(("sample", "command"), COMMANDS, ids=[f"{s.where} {c.command}" for s, c in COMMANDS])
def test_sample_is_what_the_command_prints(sample: ds.Sample, command: ds.Command) -> None:
    output = _OUTPUTS.get(command.command) or ds.run(command.command)
    _OUTPUTS[command.command] = output
    if UPDATE:
        return
    assert ds.matches(command.expected, output.lines), (
        f"{sample.where}: the sample of `{command.command}` no longer matches its output "
        f"(UPDATE_SAMPLES=1 pytest {Path(__file__).relative_to(ds.REPO)} rewrites it):\n"
        + ds.diff(command.expected, output.lines)
    )


# --------------------------------------------------------------- the checker itself is sharp


def _cost_sample() -> ds.Command:
    (found,) = [c for _, c in COMMANDS if c.command == "python -m tools cost prod"]
    return found


def test_a_changed_figure_in_a_sample_is_detected() -> None:
    """Tamper with the total of the cost sample by one cent: the sample no longer matches its output."""
    if UPDATE:
        pytest.skip("the samples are being rewritten")
    command = _cost_sample()
    output = _OUTPUTS.get(command.command) or ds.run(command.command)
    _OUTPUTS[command.command] = output
    assert ds.matches(command.expected, output.lines)
    (total,) = [i for i, line in enumerate(command.expected) if line.lstrip().startswith("total")]
    line = command.expected[total]
    cents = line.rstrip()[-1]
    tampered = [*command.expected]
    tampered[total] = line.rstrip()[:-1] + str((int(cents) + 1) % 10)
    assert not ds.matches(tampered, output.lines)
    assert f"+{ds.normalize(line)}" in ds.diff(tampered, output.lines)


def test_normalization_hides_only_what_varies() -> None:
    today = datetime.date(2026, 12, 7)
    assert ds.normalize("Done in 24.9 s: 244 resources", today) == ds.normalize(
        "Done in 3.1 s: 244 resources"
    )
    assert ds.normalize("Done in 24.9 s: 244 resources") != ds.normalize("Done in 24.9 s: 245 resources")
    assert ds.normalize("VPC vpc-89fab145ddd7afb1f 10.10.0.0/16") == "VPC vpc-# 10.10.0.0/16"
    assert ds.normalize("zone (CGIB0Q8KE67DYYGU1LINM9): CNAME: 3") == "zone (#ID): CNAME: 3"
    assert ds.normalize(f"{ds.REPO}/Pulumi.dev.yaml") == "./Pulumi.dev.yaml"
    assert ds.normalize("expires 2026-12-07", today) == "expires #today"
    # Figures a tool computes stay as they are: a cost, an estimated duration, a count, a past date.
    for kept in ("total  118  $5,626.38", "prod: 36.5 min (range 28.7-67.0 min", "dated 2026-08-08"):
        assert ds.normalize(kept, today) == kept


def test_an_ellipsis_stands_for_lines_and_nothing_else() -> None:
    output = ["head", "a", "b", "c", "tail"]
    assert ds.matches(["head", "...", "tail"], output)
    assert ds.matches(["head", "...", "b", "...", "tail"], output)
    assert ds.matches(["head", "a", "..."], output)
    assert not ds.matches(["head", "...", "x", "...", "tail"], output)  # an interior line not printed
    assert not ds.matches(["head", "...", "c", "...", "a", "..."], output)  # out of order
    assert not ds.matches(["head", "...", "other tail"], output)
    assert not ds.matches(["head", "a", "b", "c"], output)  # no ellipsis: every line
    refreshed = ds.refresh(["old head", "...", "b", "...", "old tail"], output)
    assert refreshed == ["head", "...", "b", "...", "tail"]
    assert ds.matches(refreshed, output)


def test_unmarked_output_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    cases = {
        "```\nplain\n```\n": "without an info string",
        "```bash\n$ python -m tools cost dev\nMonthly cost\n```\n": "make the block ```console",
        "It prints:\n\n```text\nMonthly cost\n```\n": "use ```console",
        "```console\npython -m tools cost dev\n```\n": "starts with '$ <command>'",
        "```console\n$ pulumi up\n```\n": "python -m <module>",
    }
    for text, problem in cases.items():
        page.write_text(text)
        (found,) = ds.convention_problems([page])
        assert problem in found, (text, found)
    page.write_text(
        "```console\n$ python -m tools cost dev\n...\n```\n\n```bash\npython -m tools cost dev\n```\n"
    )
    assert ds.convention_problems([page]) == []


def test_a_failing_command_shows_its_error_and_exit_status() -> None:
    output = ds.run("python -m tools plan qa")
    assert output.status == 2
    assert output.lines[-1] == "[exit 2]"
    assert output.lines[0].startswith("error: unknown stack 'qa'")
