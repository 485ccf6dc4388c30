"""The command-line convention (tools/cli.py): arguments refused before anything is evaluated, one
line per error, exit 0 ok / 1 failed check / 2 usage error, the same unknown-stack line everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import aws_values
from tests.helpers import write_stack
from tools import cli, stacks
from tools import policy_report as report
from tools.__main__ import main, prepare

UNKNOWN = "error: unknown stack 'qa': no Pulumi.qa.yaml; stacks here: dev, prod, prod-dr, staging"


@pytest.fixture
def no_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a command gets as far as evaluating a stack."""

    def evaluated(*_args, **_kwargs):
        raise AssertionError("the stack was evaluated before its arguments were refused")

    monkeypatch.setattr(stacks, "load", evaluated)
    monkeypatch.setattr("tools.policy_report.evaluate_stack", evaluated)
    monkeypatch.setattr("tools.rehearse.cli.main", evaluated)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(argv)
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["render", "dev", "README.md"], "argument DIR: README.md: exists and is not a directory"),
        (["deploy-time", "dev", "--parallel", "-3"], "argument --parallel: '-3': a whole number from 1 to"),
        (["deploy-time", "dev", "--parallel", "0"], "argument --parallel: '0': a whole number from 1 to"),
        (["plan", "dev", "--parallel", "many"], "argument --parallel: 'many': a whole number"),
        (["cost", "dev", "--usage", "missing.yml"], "argument --usage: missing.yml: no such file"),
        (["plan", "dev", "--out", "README.md/plan.json"], "README.md is a file, not a directory"),
        (["plan", "dev", "--out", "tools"], "argument --out: tools: is a directory"),
        (["diff", "absent.json", "also-absent.json"], "no such file"),
        (["plan"], "the following arguments are required: STACK"),
        (["launch", "dev"], "invalid choice: 'launch'"),
    ],
)
def test_bad_arguments_are_refused_up_front(argv, expected, capsys, no_evaluation) -> None:
    code, err = _run(argv, capsys)
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and expected in err[0]


def test_images_without_graphviz_are_refused_up_front(capsys, no_evaluation, monkeypatch) -> None:
    monkeypatch.setattr(cli.shutil, "which", lambda _: None)
    code, err = _run(["graph", "dev", "--format", "svg"], capsys)
    assert code == 2 and len(err) == 1 and "needs graphviz's `dot`" in err[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "qa"],
        ["summary", "qa"],
        ["cost", "qa"],
        ["deploy-time", "qa"],
        ["render", "qa", "out"],
        ["graph", "qa"],
        ["validate", "qa"],
        ["rehearse", "qa"],
    ],
)
def test_unknown_stack_is_the_same_line_and_exit_2_everywhere(argv, capsys, no_evaluation) -> None:
    assert _run(argv, capsys) == (2, [UNKNOWN])


def test_policy_report_handles_an_unknown_stack_the_same_way(capsys, no_evaluation) -> None:
    assert report.main(["qa"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [UNKNOWN]


def test_policy_report_refuses_a_bad_date(capsys, no_evaluation) -> None:
    assert report.main(["dev", "--today", "2026-13-01"]) == 2
    assert "'2026-13-01': a date as YYYY-MM-DD" in capsys.readouterr().err


def test_a_usage_file_with_a_typo_fails_before_the_evaluation(tmp_path, capsys, no_evaluation) -> None:
    usage = tmp_path / "usage.yml"
    usage.write_text("version: 1\nresource_usag: {}\n")
    code, err = _run(["cost", "dev", "--usage", str(usage)], capsys)
    assert code == 1 and len(err) == 1 and "unknown key 'resource_usag'" in err[0]


@pytest.mark.parametrize("command", ["plan", "summary", "cost", "deploy-time", "graph", "rehearse"])
def test_rejected_configuration_is_exit_1_before_the_evaluation(
    command, tmp_path, capsys, no_evaluation
) -> None:
    path = write_stack(
        tmp_path, "staging", {"cluster": {"node_groups": {"system": {"instance_types": ["t3.gigantic"]}}}}
    )
    code, err = _run([command, str(path)], capsys)
    assert code == 1
    assert err == [
        "error: Pulumi.staging.yaml: quantumvest-infra:cluster.node_groups.system.instance_types[0] = t3.gigantic: "
        "not an EC2 instance type; t3 offers 2xlarge, large, medium, micro, nano, small, xlarge "
        f"({aws_values.BOTOCORE})"
    ]


def test_policy_report_rejected_configuration_is_exit_1(tmp_path, capsys, no_evaluation) -> None:
    path = write_stack(tmp_path, "dev", {"platform": {"region": "us-east-9"}})
    assert report.main([str(path)]) == 1
    assert "platform.region = us-east-9: not an AWS region" in capsys.readouterr().err


def test_help_is_exit_0(capsys) -> None:
    assert main(["--help"]) == 0
    assert "exit status: 0 ok, 1 a check failed, 2 usage error" in capsys.readouterr().out


def test_prepare_parses_and_checks_without_running(no_evaluation) -> None:

    args = prepare(["deploy-time", "dev", "--parallel", "16"])
    assert (args.stack, args.parallel) == ("dev", 16)


def test_a_new_command_adopts_the_convention_in_two_lines(capsys) -> None:
    root = cli.Parser(prog="demo")
    commands = root.add_subparsers(dest="command", required=True)
    parser = cli.add_command(commands, "trace", lambda args: 0, help="follow a request")
    cli.add_stack(parser)
    assert cli.main(root, ["trace", "dev"]) == 0
    assert cli.main(root, ["trace", "qa"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [UNKNOWN]


def test_output_paths(tmp_path: Path) -> None:
    assert cli.output_dir(str(tmp_path / "new" / "dir")) == tmp_path / "new" / "dir"
    (tmp_path / "file").write_text("x")
    with pytest.raises(Exception, match="exists and is not a directory"):
        cli.output_dir(str(tmp_path / "file"))
    with pytest.raises(Exception, match="is a file, not a directory"):
        cli.output_file(str(tmp_path / "file" / "out.json"))


def test_tables_are_aligned() -> None:
    lines = cli.table([["a", "1", "$3.00"], ["longer name", "12", "$120.00"]], right=(1, 2))
    assert lines == ["  a             1    $3.00", "  longer name  12  $120.00"]
