"""Exceptions: declared in the stack file with a reason and an expiry; expired or unexplained ones fail.

Whether an exception has expired depends on the date, so every test passes ``today`` explicitly.
"""

from __future__ import annotations

from datetime import date

import pytest

from config import load_stack_file
from config.yaml_reader import yaml_spelling
from policy import Enforcement, PolicyException, Subject, evaluate
from policy.model import ConfigView
from policy.rules import tokens as t
from tests.helpers import REPO, load_with, rejected, write_stack
from tests.policy_helpers import TODAY
from tools.harness import Graph
from tools.policy_stack import evaluate_stack

REASON = "Single NAT in dev to save ~$66/month; egress loss in one AZ is acceptable for dev (PLAT-101)."


def _exception(**fields: object) -> dict[str, object]:
    return {
        "rule": "nat-gateway-per-az",
        "resource": "quantumvest-network-*",
        "reason": REASON,
        "expires": "2027-01-31",
        **fields,
    }


def test_a_stack_file_declares_exceptions(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {"policy": {"exceptions": [_exception()]}})
    (exception,) = cfg.policy.exceptions
    assert (exception.rule, exception.resource, exception.expires) == (
        "nat-gateway-per-az",
        "quantumvest-network-*",
        date(2027, 1, 31),
    )


def test_the_shipped_stacks_declare_explained_unexpired_exceptions() -> None:
    for stack in ("dev", "staging", "prod"):
        for exception in load_stack_file(REPO / f"Pulumi.{stack}.yaml").policy.exceptions:
            assert len(exception.reason) > 40 and exception.expires > TODAY


def test_an_unquoted_yaml_date_is_accepted(tmp_path) -> None:
    cfg = load_with(tmp_path, "dev", {"policy": {"exceptions": [_exception(expires=date(2027, 1, 31))]}})
    assert cfg.policy.exceptions[0].expires == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("reason", "todo", "unexplained exception; say why the rule does not apply"),
        ("reason", "temporary fix", "at least 20 characters"),
        ("rule", "rds-multiaz", "no such rule (did you mean 'rds-multi-az'?); allowed: alb-behind-waf, "),
        ("rule", "policy-exception-valid", "cannot be excepted"),
        ("resource", "*", "name the resources"),
        ("expires", "next month", "not a date; write it as YYYY-MM-DD"),
    ],
)
def test_bad_exceptions_are_rejected_naming_file_key_and_value(
    tmp_path, field: str, value: str, expected: str
) -> None:
    message = rejected(tmp_path, "dev", {"policy": {"exceptions": [_exception(**{field: value})]}})
    assert message.startswith(
        f"Pulumi.dev.yaml: quantumvest-infra:policy.exceptions[0].{field} = {yaml_spelling(value)}: "
    )
    assert expected in message


def _single_nat_vpc() -> list[Subject]:
    vpc = Subject(t.VPC, "quantumvest-network-vpc", id="vpc-1")
    subnets = [
        Subject(
            t.SUBNET,
            f"s{i}",
            id=f"subnet-{i}",
            inputs={"vpcId": "vpc-1", "availabilityZone": f"us-east-1{z}"},
        )
        for i, z in enumerate("ab")
    ]
    return [vpc, *subnets, Subject(t.NAT_GATEWAY, "nat", inputs={"subnetId": "subnet-0"})]


def _by_rule(findings: list) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in findings:
        out.setdefault(f.rule_id, []).append(f)
    return out


def test_an_unexpired_exception_covers_its_finding_until_the_last_day() -> None:
    exception = PolicyException.model_validate(_exception())
    (nat,) = _by_rule(evaluate(_single_nat_vpc(), "prod", [exception], today=date(2027, 1, 31)))[
        "nat-gateway-per-az"
    ]
    assert nat.excepted_by is exception and not nat.blocking
    assert nat.enforcement is Enforcement.MANDATORY


def test_an_expired_exception_fails_and_stops_covering() -> None:
    exception = PolicyException.model_validate(_exception())
    found = _by_rule(evaluate(_single_nat_vpc(), "prod", [exception], today=date(2027, 2, 1)))
    assert found["nat-gateway-per-az"][0].blocking
    (expired,) = found["policy-exception-valid"]
    assert (
        expired.message
        == "policy.exceptions[0] (nat-gateway-per-az on quantumvest-network-*): expired on 2027-01-31"
    )
    assert expired.blocking


def test_an_exception_longer_than_a_year_fails() -> None:
    exception = PolicyException.model_validate(_exception(expires="2028-06-30"))
    (too_long,) = _by_rule(evaluate(_single_nat_vpc(), "prod", [exception], today=TODAY))[
        "policy-exception-valid"
    ]
    assert too_long.message.endswith("expires 2028-06-30, more than a year ahead")


def test_an_exception_that_matches_nothing_is_reported_as_stale() -> None:
    exception = PolicyException.model_validate(_exception(resource="quantumvest-database-*"))
    found = _by_rule(evaluate(_single_nat_vpc(), "prod", [exception], today=TODAY))
    assert found["nat-gateway-per-az"][0].blocking  # the glob does not match the VPC
    (stale,) = found["policy-exception-unused"]
    assert stale.enforcement is Enforcement.ADVISORY
    assert (
        stale.message
        == "policy.exceptions[0] (nat-gateway-per-az on quantumvest-database-*) covers no finding"
    )


def test_a_pack_that_received_an_unexplained_exception_still_fails_it() -> None:
    """The pack may read config the loader never validated; the rule repeats the reason check."""
    unexplained = PolicyException.model_construct(
        rule="nat-gateway-per-az", resource="x", reason="tbd", expires=date(2027, 1, 1)
    )
    (problem,) = _by_rule(evaluate([], "dev", [unexplained], today=TODAY))["policy-exception-valid"]
    assert problem.message == "policy.exceptions[0] (nat-gateway-per-az on x): unexplained (reason: 'tbd')"


def test_exceptions_flow_from_the_stack_file_through_evaluate_stack(
    tmp_path, graphs: dict[str, Graph]
) -> None:
    path = write_stack(tmp_path, "dev", {"policy": {"exceptions": [_exception()]}})
    (nat,) = [
        f for f in evaluate_stack(path, graph=graphs["dev"], today=TODAY) if f.rule_id == "nat-gateway-per-az"
    ]
    assert nat.rule_id == "nat-gateway-per-az" and nat.excepted_by is not None
    late = evaluate_stack(path, graph=graphs["dev"], today=date(2027, 3, 1))
    assert [f.rule_id for f in late if f.blocking] == ["policy-exception-valid"]


def test_plaintext_secret_in_the_stack_file_is_a_finding() -> None:
    view = ConfigView(
        source="Pulumi.dev.yaml", values={"database": {"master_password": "hunter2", "port": 5432}}
    )
    (leak,) = _by_rule(evaluate([], "dev", today=TODAY, config=view))["config-no-plaintext-secrets"]
    assert leak.message == "Pulumi.dev.yaml: quantumvest-infra:database.master_password holds plain text"
    encrypted = ConfigView(values={"database": {"master_password": {"secure": "v1:abc"}}})
    assert "config-no-plaintext-secrets" not in _by_rule(evaluate([], "dev", today=TODAY, config=encrypted))
