"""The bootstrap (bootstrap/ program + `python -m tools bootstrap`): what an empty account gets, that the
names agree with what the platform and the workflows expect, and that the temporary public API endpoint
is for one CIDR, one run, and never in a stack file."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pulumi
import pytest

from bootstrap.account import Bootstrap, BootstrapArgs
from components.access import pipeline_names
from config import load_stack_file
from tests.conftest import stack_graph
from tests.helpers import REPO
from tools.bootstrap import admin_cidr, steps, write_temporary_stack_file
from tools.errors import ToolError
from tools.harness import Graph, run
from tools.rehearse.engine import emulated_account, rehearse

REPOSITORY = "quantumvest/quantumvest-infra"
TOKEN = "offline-test-token-value"


@pytest.fixture(scope="module")
def account() -> Graph:
    args = BootstrapArgs(github_repository=REPOSITORY, vpn_domains={"staging": "staging.quantumvest.com"})
    return run(
        lambda: Bootstrap("bootstrap", args, github_token=pulumi.Output.secret(TOKEN)), stack="account"
    )


def _trust(graph: Graph, name: str) -> dict:
    return json.loads(graph.named(name).inputs["assumeRolePolicy"])["Statement"][0]


def test_state_bucket_is_versioned_encrypted_private_and_tls_only(account: Graph) -> None:
    bucket = account.named("bootstrap-state-bucket")
    assert bucket.protect and bucket.retain_on_delete
    assert (
        account.named("bootstrap-state-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    )
    (rule,) = account.named("bootstrap-state-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    block = account.named("bootstrap-state-public-access-block").inputs
    assert all(
        block[k]
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    statements = json.loads(account.named("bootstrap-state-policy").inputs["policy"])["Statement"]
    assert [(s["Effect"], s["Condition"]) for s in statements] == [
        ("Deny", {"Bool": {"aws:SecureTransport": "false"}}),
        ("Deny", {"NumericLessThan": {"s3:TlsVersion": "1.2"}}),
    ]
    (lifecycle,) = account.named("bootstrap-state-lifecycle").inputs["rules"]
    assert lifecycle["noncurrentVersionExpiration"]["noncurrentDays"] == 90
    assert account.named("bootstrap-state-key").inputs["enableKeyRotation"] is True


def test_roles_have_the_names_the_platform_gives_access_entries(account: Graph) -> None:
    """The platform's access entries name `<platform>-<stack>-deploy|preview`; the bootstrap creates them."""
    for stack in ("dev", "staging", "prod"):
        names = pipeline_names("quantumvest", stack)
        entries = {
            e.inputs["principalArn"] for e in stack_graph(stack).of_type("aws:eks/accessEntry:AccessEntry")
        }
        for kind in ("deploy", "preview"):
            assert account.named(f"bootstrap-{stack}-{kind}").inputs["name"] == names[kind]
            assert f"arn:aws:iam::123456789012:role/{names[kind]}" in entries


def test_deploys_only_from_the_stacks_environment_previews_from_pull_requests_and_main(
    account: Graph,
) -> None:
    deploy = _trust(account, "bootstrap-prod-deploy")
    assert deploy["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert deploy["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] == [
        f"repo:{REPOSITORY}:environment:prod"
    ]
    assert deploy["Condition"]["StringEquals"] == {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
    }
    preview = _trust(account, "bootstrap-prod-preview")
    assert preview["Condition"]["StringLike"]["token.actions.githubusercontent.com:sub"] == [
        f"repo:{REPOSITORY}:pull_request",
        f"repo:{REPOSITORY}:ref:refs/heads/main",
    ]
    assert account.named("bootstrap-prod-preview-managed").inputs["policyArn"].endswith("/ReadOnlyAccess")


def test_the_runner_token_is_a_secret_and_codebuild_reads_it_from_secrets_manager(account: Graph) -> None:
    version = account.named("bootstrap-github-runner-token-value")
    assert "secretString" in version.secret_paths
    credential = account.named("bootstrap-codebuild-github").inputs
    assert credential["authType"] == "SECRETS_MANAGER" and credential["serverType"] == "GITHUB"
    assert credential["token"] == account.named("bootstrap-github-runner-token").outputs["arn"]
    assert TOKEN not in json.dumps(account.outputs)


def test_vpn_certificate_is_issued_by_acm_for_the_domain_the_platform_looks_up(account: Graph) -> None:
    certificate = account.named("bootstrap-staging-vpn").inputs
    assert (
        certificate["domainName"] == "vpn.staging.quantumvest.com"
        and certificate["validationMethod"] == "DNS"
    )
    assert "privateKey" not in certificate and "certificateBody" not in certificate
    cfg = load_stack_file(REPO / "Pulumi.staging.yaml")
    assert cfg.admin_vpn.server_certificate_arn is None and cfg.platform.domain == "staging.quantumvest.com"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_no_stack_file_leaves_the_public_endpoint_on(stack: str) -> None:
    cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
    assert cfg.cluster.endpoint_public_access is False and cfg.cluster.public_access_cidrs == []
    cluster = stack_graph(stack).one("aws:eks/cluster:Cluster")
    assert cluster.inputs["vpcConfig"]["endpointPublicAccess"] is False


@pytest.mark.parametrize(
    "bad", ["0.0.0.0/0", "203.0.113.0/16", "10.1.2.3/32", "192.168.1.0/24", "not-a-cidr", "203.0.113.7/24"]
)
def test_the_temporary_endpoint_cidr_is_one_public_narrow_block(bad: str) -> None:
    with pytest.raises(ToolError, match="--admin-cidr"):
        admin_cidr(bad)


def test_the_temporary_stack_file_opens_the_endpoint_for_that_cidr_only(tmp_path: Path) -> None:
    committed = (REPO / "Pulumi.prod.yaml").read_text()
    temporary = write_temporary_stack_file("prod", admin_cidr("203.0.113.7/32"), tmp_path)
    cfg = load_stack_file(temporary)
    assert cfg.cluster.endpoint_public_access is True and cfg.cluster.public_cidrs() == ["203.0.113.7/32"]
    assert (REPO / "Pulumi.prod.yaml").read_text() == committed


def test_only_the_first_up_uses_the_temporary_file_and_the_runner_applies_the_committed_one(
    tmp_path: Path,
) -> None:
    temporary = tmp_path / "Pulumi.dev.yaml"
    sequence = steps("dev", "203.0.113.7/32", REPOSITORY, temporary)
    commands = [step.argv for step in sequence]
    with_file = [i for i, argv in enumerate(commands) if "--config-file" in argv]
    assert len(with_file) == 1 and commands[with_file[0]][:2] == ["pulumi", "up"]
    after = commands[with_file[0] + 1 :]
    assert ["gh", "workflow", "run", "deploy.yml", "--ref", "main"] in after
    assert after[-1] == ["python", "-m", "tools", "trace", "dev", "--api"]
    # the state bucket and secrets key exist before the platform stack is created
    first_platform = next(i for i, argv in enumerate(commands) if argv[:2] == ["pulumi", "stack"])
    assert any(argv[-2:] == ["up", "--yes"] for argv in commands[:first_platform])
    token = next(step for step in sequence if "github_runner_token" in step.argv)
    assert token.stdin_from == "GITHUB_RUNNER_TOKEN" and "--secret" in token.argv


def test_bootstrap_rehearses_in_moto() -> None:
    """The account foundation is accepted by emulated AWS; the roles exist with their GitHub trust."""
    args = BootstrapArgs(github_repository=REPOSITORY, stacks=["dev"])
    with emulated_account():
        result = rehearse(
            lambda factory: run(
                lambda: Bootstrap("bootstrap", args, github_token=pulumi.Output.secret(TOKEN)),
                stack="account",
                mocks_factory=factory,
            )
        )
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.get_role(RoleName="quantumvest-dev-deploy")["Role"]
        (bucket,) = boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"]
    assert result.report.errors == []
    assert result.report.validated == {"aws:codebuild/sourceCredential:SourceCredential": 1}
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"]["Federated"].endswith("oidc-provider/token.actions.githubusercontent.com")
    assert bucket["Name"].startswith("quantumvest-pulumi-state-")
