"""`plan`: deterministic plan files without secrets; the command line's errors are one line each."""

from __future__ import annotations

import json
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest

from tests.conftest import stack_graph
from tests.helpers import write_stack
from tests.synthetic import platform
from tools import plan as plan_module
from tools import stacks
from tools.__main__ import main
from tools.harness import Graph, run
from tools.redact import REDACTED, redact_paths


def test_two_runs_give_byte_identical_plan_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two independent evaluations: the run's shared one (tests/conftest.py, often made in the other
    xdist worker's process) and this command's own, end to end."""
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    with monkeypatch.context() as shared:
        shared.setattr(stacks, "load", lambda stack, label="plan", quiet=False: stack_graph(stack))
        assert main(["plan", "staging", "--out", str(first), "--parallel", "16"]) == 0
    assert main(["plan", "staging", "--out", str(second), "--parallel", "16"]) == 0
    assert first.read_bytes() == second.read_bytes()
    plan = json.loads(first.read_text())
    urns = [r["urn"] for r in plan["resources"]]
    assert urns == sorted(urns)
    assert all(r["dependencies"] == sorted(r["dependencies"]) for r in plan["resources"])
    out = capsys.readouterr()
    assert (
        "Stack staging:" in out.out and "Monthly cost:" in out.out and "Deploy time from scratch:" in out.out
    )
    assert "policy pack: not present" in out.out or "Policy: policy pack" in out.out
    assert "[plan] quantumvest-network (Network)" in out.err  # a progress line per component


def test_plan_has_no_generated_ids(graph: Graph) -> None:
    plan = plan_module.build_plan(graph, with_estimates=False)
    # ids may appear as input *values* (subnetId: subnet-..., a node group's launchTemplate.id), never as
    # a resource's own id: they would change with every real deployment and churn the plan diff.
    assert all("id" not in entry and "outputs" not in entry for entry in plan["resources"])
    own_ids = {r.id for r in graph if r.custom and r.id}
    assert not own_ids & {entry.get("name") for entry in plan["resources"]}


def _program_with_secrets() -> None:
    password = random.RandomPassword("db-password", length=24, special=False)
    aws.rds.Instance(
        "db",
        instance_class="db.t4g.medium",
        engine="postgres",
        allocated_storage=20,
        username="app",
        password=password.result,
    )
    aws.secretsmanager.SecretVersion(
        "db-secret",
        secret_id="arn:aws:secretsmanager:us-east-1:123456789012:secret:db",
        secret_string=password.result.apply(lambda p: json.dumps({"username": "app", "password": p})),
    )
    pulumi.export("dbPassword", password.result)
    pulumi.export("apiToken", pulumi.Output.secret("tok-0123456789abcdef"))


def test_no_secret_value_reaches_the_plan_file() -> None:
    graph = run(_program_with_secrets)
    secrets = {
        graph.one("random:index/randomPassword:RandomPassword").outputs["result"],
        "tok-0123456789abcdef",
    }
    db = graph.one("aws:rds/instance:Instance")
    assert db.inputs["password"] in secrets and "password" in db.secret_paths  # the harness saw it
    text = plan_module.dumps(plan_module.build_plan(graph, parallelism=4))
    for secret in secrets:
        assert secret not in text
    plan = json.loads(text)
    by_name = {r["name"]: r for r in plan["resources"]}
    assert by_name["db"]["inputs"]["password"] == REDACTED
    assert by_name["db-secret"]["inputs"]["secretString"] == REDACTED
    assert plan["outputs"] == {"apiToken": REDACTED, "dbPassword": REDACTED}


def test_synthetic_secrets_at_marked_paths_are_redacted() -> None:
    text = plan_module.dumps(plan_module.build_plan(platform(), parallelism=4))
    assert "hunter2-secret-value" not in text


def test_redact_paths_handles_nested_and_indexed_paths() -> None:
    value = {"a": {"b": "s1", "c": "ok"}, "l": [{"x": "s2"}, {"x": "ok"}], "top": "s3"}
    assert redact_paths(value, {"a.b", "l[0].x", "top"}) == {
        "a": {"b": REDACTED, "c": "ok"},
        "l": [{"x": REDACTED}, {"x": "ok"}],
        "top": REDACTED,
    }


def test_summary_counts_match_the_graph(graph: Graph) -> None:
    plan = plan_module.build_plan(graph, with_estimates=False)
    assert plan["summary"]["resources"] == sum(1 for r in graph if r.custom)
    network = plan["summary"]["by_component"]["quantumvest-network"]
    for nat_type in ("aws:ec2/natGateway:NatGateway", "aws:ec2/instance:Instance"):  # dev: a NAT instance
        assert network.get(nat_type, 0) == len(graph.of_type(nat_type)), nat_type
    assert sum(network.get(t, 0) for t in ("aws:ec2/natGateway:NatGateway", "aws:ec2/instance:Instance"))


def test_unknown_stack_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "qa"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: unknown stack 'qa': no Pulumi.qa.yaml; stacks here: dev, prod, prod-dr, staging"]


def test_bad_config_is_one_line_per_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_stack(tmp_path, "dev", {"network": {"cidr": "10.0.300.0/24", "az_count": 9}})
    assert main(["plan", str(path), "--out", str(tmp_path / "p.json")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert all(line.startswith("error: Pulumi.dev.yaml: quantumvest-infra:network.") for line in err)
    assert not (tmp_path / "p.json").exists()


def test_plan_of_another_format_version_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format_version": 0, "stack": "dev", "resources": []}))
    good = tmp_path / "good.json"
    plan_module.write_plan(plan_module.build_plan(platform(), with_estimates=False), good)
    assert main(["diff", str(old), str(good)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "plan format version 0, this version of the tools reads version 1" in err[0]
    (tmp_path / "junk.json").write_text("{not json")
    assert main(["diff", str(tmp_path / "junk.json"), str(good)]) == 1
    assert "not a plan file" in capsys.readouterr().err


def test_summary_is_a_screenful_and_verbose_says_everything(graphs: dict[str, Graph]) -> None:
    """The default names each component once and counts the rest; --verbose lists types, outputs,
    every unpriced resource with its reason and every finding. A blocking finding is never hidden."""
    plan = plan_module.build_plan(graphs["dev"])
    short = plan_module.summary(plan)
    long = plan_module.summary(plan, verbose=True)
    assert "aws:ec2/subnet:Subnet" not in short and "aws:ec2/subnet:Subnet" in long
    assert "--verbose lists them" in short and "vpcId:" in long and "vpcId:" not in short
    unpriced = plan["cost"]["not_priced"]
    assert unpriced and f"not priced: {len(unpriced)} resources" in short
    assert all(item["reason"] in long for item in unpriced)
    assert len(short.splitlines()) < len(long.splitlines()) / 3
    blocking = {
        **plan,
        "policy": {
            **plan["policy"],
            "findings": [
                {"rule": "r", "resource": "x", "message": "blocks", "level": "mandatory"},
                {"rule": "s", "resource": "y", "message": "excepted here", "level": "excepted"},
            ],
        },
    }
    shown = plan_module.summary(blocking)
    assert "[mandatory] r: x: blocks" in shown and "excepted here" not in shown
    assert "1 advisory or excepted (--verbose lists them)" in shown
