"""The ``workloads`` config section: tier defaults, and each bad input named by file, key, value and rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from config import load_stack_file
from config.profiles.workloads import DEV_SIZES, STAGING_SIZES
from config.seed_services import PROD_SIZES, seed_services
from tests.helpers import REPO, load_with, rejected

SIZES = {"dev": DEV_SIZES, "staging": STAGING_SIZES, "prod": PROD_SIZES}


def services(stack: str) -> list[dict[str, Any]]:
    """The tier's services as config values (a stack file overriding services gives the whole list)."""
    return copy.deepcopy(seed_services(SIZES[stack]))


def with_services(stack: str, services_list: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"workloads": {"services": services_list, **extra}}


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_every_tier_runs_the_four_seed_services(stack: str) -> None:
    cfg = load_stack_file(REPO / f"Pulumi.{stack}.yaml").workloads
    assert [s.name for s in cfg.services] == ["backend", "frontend", "model-serving", "celery-worker"]
    by_name = {s.name: s for s in cfg.services}
    assert (by_name["backend"].port, by_name["frontend"].port, by_name["model-serving"].port) == (
        5000,
        80,
        8001,
    )
    assert by_name["celery-worker"].port is None
    assert {
        n: (s.replicas, s.autoscaling.min_replicas, s.autoscaling.max_replicas) for n, s in by_name.items()
    } == SIZES[stack]
    assert cfg.image_tag == "v1.0.0"
    assert (
        cfg.domain
        == {"dev": "dev.quantumvest.com", "staging": "staging.quantumvest.com", "prod": "quantumvest.com"}[
            stack
        ]
    )


def test_prod_sizes_are_the_seeds() -> None:
    cfg = load_stack_file(REPO / "Pulumi.prod.yaml").workloads
    backend = cfg.services[0]
    assert backend.replicas == 3  # seed 000
    hpa = backend.autoscaling
    assert (hpa.min_replicas, hpa.max_replicas, hpa.cpu_percent, hpa.memory_percent) == (
        3,
        10,
        70,
        80,
    )  # seed 004
    assert (hpa.scale_up.percent, hpa.scale_up.period_seconds) == (100, 60)
    assert (hpa.scale_down.percent, hpa.scale_down.period_seconds) == (50, 60)
    assert [(r.host, r.path, r.rate_limit_rps) for r in backend.ingress] == [
        ("api", "/", 100),
        ("api", "/auth", 5),
        ("api", "/upload", 1),
    ]


# -- images: pinned in staging and prod (a tier rule) ------------------------------------------------


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_latest_image_rejected_in_staging_and_prod(tmp_path, stack: str) -> None:
    svcs = services(stack)
    svcs[0]["image"] = {"tag": "latest"}
    message = rejected(tmp_path, stack, with_services(stack, svcs))
    assert message == (
        f"Pulumi.{stack}.yaml: quantumvest-infra:workloads.services[0].image.tag = latest: "
        f"{stack} runs pinned images: service 'backend' needs a version tag (not 'latest') or an image digest"
    )


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_no_image_tag_rejected_in_staging_and_prod(tmp_path, stack: str) -> None:
    message = rejected(tmp_path, stack, {"workloads": {"image_tag": None}})
    assert (
        f"Pulumi.{stack}.yaml: quantumvest-infra:workloads.image_tag = null: {stack} runs pinned images"
        in message
    )
    assert "backend, frontend, model-serving, celery-worker take this tag" in message


def test_dev_may_run_latest_and_a_digest_pins_anywhere(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["image"] = {"tag": "latest"}
    assert load_with(tmp_path, "dev", with_services("dev", svcs)).workloads.services[0].image.tag == "latest"
    prod = services("prod")
    for svc in prod:
        svc["image"] = {**svc.get("image", {}), "digest": "sha256:" + "a" * 64}
    cfg = load_with(tmp_path, "prod", with_services("prod", prod, image_tag=None))
    assert all(s.image.digest for s in cfg.workloads.services)


# -- each bad input of the issue ---------------------------------------------------------------------


def test_cpu_request_above_limit(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["resources"]["requests"]["cpu"] = "600m"
    assert rejected(tmp_path, "dev", with_services("dev", svcs)) == (
        "Pulumi.dev.yaml: quantumvest-infra:workloads.services[0].resources.requests.cpu = 600m: above its "
        "limit (500m); a request must not exceed the limit (limits.cpu = '500m')"
    )


def test_memory_request_above_limit(tmp_path) -> None:
    svcs = services("dev")
    svcs[1]["resources"]["requests"]["memory"] = "1Gi"
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert (
        "quantumvest-infra:workloads.services[1].resources.requests.memory = 1Gi: above its limit (256Mi)"
        in message
    )


def test_hpa_min_above_max(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["autoscaling"] = {"min_replicas": 5, "max_replicas": 3}
    assert rejected(tmp_path, "dev", with_services("dev", svcs)) == (
        "Pulumi.dev.yaml: quantumvest-infra:workloads.services[0].autoscaling.min_replicas = 5: above "
        "max_replicas (3); the autoscaler needs min_replicas <= max_replicas"
    )


def test_two_services_with_one_name(tmp_path) -> None:
    svcs = services("dev")
    svcs[3]["name"] = "backend"
    assert rejected(tmp_path, "dev", with_services("dev", svcs)) == (
        "Pulumi.dev.yaml: quantumvest-infra:workloads.services[3].name = backend: services[0] already has "
        "this name; service names must be unique"
    )


@pytest.mark.parametrize("port", [0, 65536, 70000])
def test_port_outside_1_to_65535(tmp_path, port: int) -> None:
    svcs = services("dev")
    svcs[0]["port"] = port
    assert rejected(tmp_path, "dev", with_services("dev", svcs)) == (
        f"Pulumi.dev.yaml: quantumvest-infra:workloads.services[0].port = {port}: not a TCP port; allowed: 1-65535"
    )


def test_probe_on_a_port_the_service_does_not_expose(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["readiness"]["port"] = 8080
    assert rejected(tmp_path, "dev", with_services("dev", svcs)) == (
        "Pulumi.dev.yaml: quantumvest-infra:workloads.services[0].readiness.port = 8080: service 'backend' does "
        "not expose this port; it listens on container port 5000 only"
    )


def test_http_probe_on_a_service_without_a_port(tmp_path) -> None:
    svcs = services("dev")
    svcs[3]["readiness"] = {"path": "/ready"}
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert "workloads.services[3].readiness.kind = http: service 'celery-worker' exposes no port" in message


def test_ingress_host_outside_the_configured_domain(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["ingress"][0]["host"] = "api.quantumvest.io"
    assert rejected(tmp_path, "dev", with_services("dev", svcs)) == (
        "Pulumi.dev.yaml: quantumvest-infra:workloads.services[0].ingress[0].host = api.quantumvest.io: "
        "outside the configured domain 'dev.quantumvest.com'; use a label ('api') or a name ending in "
        "'.dev.quantumvest.com'"
    )


def test_a_full_host_inside_the_domain_is_accepted(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["ingress"][0]["host"] = "api.dev.quantumvest.com"
    cfg = load_with(tmp_path, "dev", with_services("dev", svcs)).workloads
    assert cfg.host(cfg.services[0].ingress[0].host) == "api.dev.quantumvest.com"


@pytest.mark.parametrize("name", ["Backend", "back_end", "-backend", "backend-", "1backend", "b" * 64])
def test_name_that_is_not_a_dns_1123_label(tmp_path, name: str) -> None:
    svcs = services("dev")
    svcs[0]["name"] = name
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert message.startswith(
        f"Pulumi.dev.yaml: quantumvest-infra:workloads.services[0].name = {name}: not a valid DNS-1123 label"
    )


def test_namespace_that_is_reserved(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"workloads": {"namespace": "default"}})
    assert "quantumvest-infra:workloads.namespace = default: reserved by Kubernetes" in message


# -- further checks that would otherwise fail at deploy time ----------------------------------------


def test_container_port_below_1024_cannot_be_bound_by_a_non_root_pod(tmp_path) -> None:
    svcs = services("dev")
    del svcs[1]["container_port"]  # frontend would listen on 80 itself
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert "workloads.services[1].port = 80: pods run as non-root with all capabilities dropped" in message


def test_quota_too_small_for_the_autoscaling_maximum(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"workloads": {"quota": {"requests_cpu": "1"}}})
    assert message == (
        "Pulumi.dev.yaml: quantumvest-infra:workloads.quota.requests_cpu = '1': the services need 3300m at their "
        "autoscaling maximum plus rollout surge; raise the quota or lower max_replicas"
    )


def test_container_limit_above_the_namespace_maximum(tmp_path) -> None:
    message = rejected(
        tmp_path, "dev", {"workloads": {"container_defaults": {"max": {"cpu": "1", "memory": "8Gi"}}}}
    )
    assert (
        "workloads.services[2].resources.limits.cpu = '2': above the namespace's largest container (1"
        in message
    )


def test_replicas_outside_the_autoscaler_range(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["replicas"] = 5
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert "workloads.services[0].replicas = 5: outside the autoscaler's range 1-3" in message


def test_prod_public_service_needs_two_replicas(tmp_path) -> None:
    svcs = services("prod")
    svcs[1]["replicas"] = 1
    svcs[1]["autoscaling"] = {"min_replicas": 1, "max_replicas": 10}
    assert rejected(tmp_path, "prod", with_services("prod", svcs)) == (
        "Pulumi.prod.yaml: quantumvest-infra:workloads.services[1].autoscaling.min_replicas = 1: prod: service "
        "'frontend' serves the ingress and needs at least 2 replicas"
    )


def test_secret_env_without_network_access_to_the_store(tmp_path) -> None:
    svcs = services("dev")
    svcs[1]["secret_env"] = {"DATABASE_URL": "database-url"}
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert (
        "workloads.services[1].secret_env.DATABASE_URL = database-url: service 'frontend' has no network access "
        "to postgres; add 'postgres' to data_access" in message
    )


def test_plain_env_under_a_secret_looking_name_must_be_a_pulumi_secret(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["env"] = {"JWT_SECRET": "hunter2-hunter2"}
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert "quantumvest-infra:workloads.services[0].env.JWT_SECRET = <15 characters of plain text>" in message


def test_allow_from_an_unknown_service(tmp_path) -> None:
    svcs = services("dev")
    svcs[2]["allow_from"] = ["backend", "scheduler"]
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert "workloads.services[2].allow_from[1] = scheduler: not another service" in message


def test_rbac_rules_without_wildcards_or_read_all_secrets(tmp_path) -> None:
    svcs = services("dev")
    svcs[0]["kubernetes_api"] = [{"api_groups": [""], "resources": ["secrets"], "verbs": ["get"]}]
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert (
        "workloads.services[0].kubernetes_api[0].resource_names = []: reading Secrets needs resource_names"
        in message
    )
    svcs[0]["kubernetes_api"] = [{"api_groups": ["*"], "resources": ["pods"], "verbs": ["get"]}]
    assert "kubernetes_api[0].api_groups = ['*']: no wildcards" in rejected(
        tmp_path, "dev", with_services("dev", svcs)
    )


def test_bootstrap_app_database_must_be_one_of_the_databases(tmp_path) -> None:
    message = rejected(tmp_path, "dev", {"workloads": {"database_bootstrap": {"app_database": "analytics"}}})
    assert (
        "workloads.database_bootstrap.app_database = analytics: not one of databases (market_data" in message
    )


def test_gpus_beyond_the_quota(tmp_path) -> None:
    svcs = services("dev")
    svcs[2]["resources"]["gpu"] = 1
    message = rejected(tmp_path, "dev", with_services("dev", svcs))
    assert "quantumvest-infra:workloads.quota.gpus = 0: the services need 3 GPUs at their peak" in message
