"""The secret scan finds a leaked token, and finds none in the data tier of any stack."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest

from tests.conftest import STACKS
from tests.data_graphs import data_graph
from tests.secret_scan import generated_secrets, plaintext_leaks
from tools.harness import Graph, run


def _program(leak: bool) -> None:
    token = random.RandomPassword("token", length=32, special=False)
    secret = aws.secretsmanager.Secret("secret")
    aws.secretsmanager.SecretVersion("value", secret_id=secret.id, secret_string=token.result)
    if leak:
        aws.secretsmanager.Secret("oops", description=pulumi.Output.unsecret(token.result))
        pulumi.export("oopsToken", pulumi.Output.unsecret(token.result))
    pulumi.export("tokenSecret", token.result)  # still a secret output: allowed


def test_scan_reports_each_plaintext_copy_and_nothing_else() -> None:
    graph = run(lambda: _program(leak=True))
    (token,) = generated_secrets(graph)
    leaks = plaintext_leaks(graph, [token])
    assert len(leaks) == 3, leaks
    assert leaks[0].endswith("aws:secretsmanager/secret:Secret::oops inputs.description")
    assert leaks[1].endswith("aws:secretsmanager/secret:Secret::oops outputs.description")
    assert leaks[2] == "stack output oopsToken"


def test_scan_accepts_secrets_that_stay_secret() -> None:
    graph = run(lambda: _program(leak=False))
    (token,) = generated_secrets(graph)
    version = graph.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert version.inputs["secretString"] == token  # the value is there, marked secret
    assert plaintext_leaks(graph, [token]) == []


@pytest.mark.parametrize("stack", STACKS)
def test_cache_auth_token_never_in_plain_text(stack: str) -> None:
    graph = data_graph("cache", stack)
    tokens = generated_secrets(graph)
    assert len(tokens) == 1 and len(tokens[0]) == 64
    assert plaintext_leaks(graph, tokens) == []


@pytest.mark.parametrize("stack", STACKS)
def test_database_master_password_never_in_the_graph(stack: str) -> None:
    graph: Graph = data_graph("database", stack)
    assert generated_secrets(graph) == []  # nothing to leak: RDS generates and rotates the password
    cluster = graph.one("aws:rds/cluster:Cluster", "cluster")
    assert "masterPassword" not in cluster.inputs and "masterPasswordWo" not in cluster.inputs
    assert cluster.inputs["manageMasterUserPassword"] is True
    assert graph.outputs["databaseMasterSecretArn"].startswith("arn:aws:secretsmanager:us-east-1:")
