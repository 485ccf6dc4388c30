"""Workload rules that depend on the tier."""

from __future__ import annotations

from collections.abc import Iterator

from components.args import FieldProblem
from components.platform import PlatformArgs

PINNED_TIERS = ("staging", "prod")


def images_pinned_outside_dev(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """Staging and prod run a named build: a version tag (not 'latest') or a digest (CKV_K8S_14/43).

    dev may follow 'latest' while iterating; a mutable tag elsewhere means two pods of one Deployment
    can run different code and a rollback cannot name what it rolls back to.
    """
    if cfg.platform.environment not in PINNED_TIERS:
        return
    workloads = cfg.workloads
    on_release: list[str] = []
    for index, svc in enumerate(workloads.services):
        if svc.image.digest is not None:
            continue
        if svc.image.tag is None:
            on_release.append(svc.name)
        elif svc.image.tag == "latest":
            yield FieldProblem(
                f"workloads.services[{index}].image.tag",
                svc.image.tag,
                f"{cfg.platform.environment} runs pinned images: service '{svc.name}' needs a version tag "
                "(not 'latest') or an image digest",
            )
    if on_release and workloads.image_tag in (None, "latest"):
        yield FieldProblem(
            "workloads.image_tag",
            workloads.image_tag,
            f"{cfg.platform.environment} runs pinned images: services {', '.join(on_release)} take this tag; "
            "set a version (not 'latest', not empty) or give each an image digest",
        )


def prod_public_services_replicated(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """In prod a service behind the ingress never runs a single pod (and so always has a PDB)."""
    if cfg.platform.environment != "prod":
        return
    for index, svc in enumerate(cfg.workloads.services):
        if svc.ingress and svc.baseline_replicas < 2:
            key = "autoscaling.min_replicas" if svc.autoscaling else "replicas"
            yield FieldProblem(
                f"workloads.services[{index}].{key}",
                svc.baseline_replicas,
                f"prod: service '{svc.name}' serves the ingress and needs at least 2 replicas",
            )


RULES = [images_pinned_outside_dev, prod_public_services_replicated]


def images_come_from_the_platforms_registries(cfg: PlatformArgs) -> Iterator[FieldProblem]:
    """A service pulling from this platform's ECR must name a repository the security section creates."""
    repositories = set(cfg.security.ecr.repositories)
    for index, service in enumerate(cfg.workloads.services):
        if service.image.repository is not None:
            continue  # an external registry
        wanted = service.image.ecr_repository or service.name
        if wanted not in repositories:
            yield FieldProblem(
                f"workloads.services[{index}].image",
                wanted,
                f"no such ECR repository in security.ecr.repositories ({', '.join(sorted(repositories))})",
            )


RULES = [*RULES, images_come_from_the_platforms_registries]
