"""Workloads per tier. Every tier runs the four seed services with the seeds' ports, probes and
resources; tiers differ in size. dev: one replica of each (autoscaling to 3, no PDB), a small quota,
zone spread best-effort, ALB deletion protection off; staging: prod-shaped at two replicas; prod: the
seed sizes (3 replicas, HPA 3-10; model serving 2-6). ``image_tag`` is the release the stacks run
until the pipeline sets another (``pulumi config set --path quantumvest-infra:workloads.image_tag …``)."""

from config.seed_services import PROD_SIZES, seed_services

DEV_SIZES = {
    "backend": (1, 1, 3),
    "frontend": (1, 1, 3),
    "model-serving": (1, 1, 2),
    "celery-worker": (1, 1, 3),
}
RELEASE = "v1.0.0"
STAGING_SIZES = {
    "backend": (2, 2, 6),
    "frontend": (2, 2, 6),
    "model-serving": (2, 2, 4),
    "celery-worker": (2, 2, 6),
}

PROFILES = {
    "dev": {
        "image_tag": RELEASE,
        "services": seed_services(DEV_SIZES),
        "zone_spread": "ScheduleAnyway",
        "quota": {
            "requests_cpu": "6",
            "requests_memory": "12Gi",
            "limits_cpu": "20",
            "limits_memory": "32Gi",
            "pods": 30,
            "requests_storage": "50Gi",
        },
        "edge": {"deletion_protection": False},
    },
    "staging": {
        "image_tag": RELEASE,
        "services": seed_services(STAGING_SIZES),
        "quota": {
            "requests_cpu": "10",
            "requests_memory": "20Gi",
            "limits_cpu": "32",
            "limits_memory": "48Gi",
            "pods": 50,
            "requests_storage": "100Gi",
        },
    },
    "prod": {
        "image_tag": RELEASE,
        "services": seed_services(PROD_SIZES),
    },
}
