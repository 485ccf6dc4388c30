"""The platform's four services as the seeds describe them, as config values (``workloads.services``).

Seed 000: backend on 5000 (``/health`` liveness after 30 s every 10 s, ``/ready`` readiness after 5 s
every 5 s, 3 replicas, requests 256Mi/100m, limits 512Mi/500m, ``DATABASE_URL`` from a secret) and
frontend on 80 (``/`` probes with the same timings, requests 128Mi/100m, limits 256Mi/300m, ``API_URL``
from the config map); its routes send ``api.`` to backend:5000 and ``www.`` to frontend:80 over TLS.
Seed 001: model serving on 8001 with ``/health``, optional GPU, model artifacts on a
volume. Seed 004: Celery workers, the HPA (3-10, 70% CPU, 80% memory, +100%/60 s, -50%/60 s) and the
rate limits (API 100 r/s, authentication 5 r/s, file uploads 1 r/s, general traffic 10 r/s) and session
affinity (the frontend's).

Where the seeds are silent (model serving and worker sizes, worker probes) the figures are ours and say
so. One deliberate departure: the frontend container listens on 8080, not 80 — pods run as non-root
with every capability dropped and cannot bind port 80 — while its Service keeps port 80, so the
ingress still reaches ``frontend:80`` as seed 000 has it.

Tiers resize with :func:`seed_services`; the profile of each tier passes its sizes.
"""

from __future__ import annotations

from typing import Any

#: (replicas, autoscaler minimum, autoscaler maximum) per service.
Sizes = dict[str, tuple[int, int, int]]

PROD_SIZES: Sizes = {
    "backend": (3, 3, 10),
    "frontend": (3, 3, 10),
    "model-serving": (2, 2, 6),
    "celery-worker": (3, 3, 10),
}


def _hpa(sizes: Sizes, name: str) -> dict[str, Any]:
    _, low, high = sizes[name]
    return {"min_replicas": low, "max_replicas": high}


def seed_services(sizes: Sizes = PROD_SIZES) -> list[dict[str, Any]]:
    """The four seed services with the given sizes (everything else as the seeds give it)."""
    return [
        {
            "name": "backend",
            "port": 5000,
            "replicas": sizes["backend"][0],
            "resources": {
                "requests": {"cpu": "100m", "memory": "256Mi"},
                "limits": {"cpu": "500m", "memory": "512Mi"},
            },
            "liveness": {"path": "/health", "initial_delay_seconds": 30, "period_seconds": 10},
            "readiness": {"path": "/ready", "initial_delay_seconds": 5, "period_seconds": 5},
            "env": {"MODEL_SERVING_URL": "http://model-serving:8001"},
            "secret_env": {"DATABASE_URL": "database-url", "REDIS_URL": "redis-url"},
            "ingress": [
                {"host": "api", "path": "/", "rate_limit_rps": 100},
                {"host": "api", "path": "/auth", "rate_limit_rps": 5, "burst_multiplier": 2},
                # Seed 004's file uploads: 1 req/s (the path is ours; the seed names none).
                {"host": "api", "path": "/upload", "rate_limit_rps": 1, "burst_multiplier": 1},
            ],
            "cors_allow_origins": ["www"],
            "autoscaling": _hpa(sizes, "backend"),
            "data_access": ["postgres", "redis"],
            "https_egress": True,
        },
        {
            "name": "frontend",
            "port": 80,
            "container_port": 8080,
            "replicas": sizes["frontend"][0],
            "resources": {
                "requests": {"cpu": "100m", "memory": "128Mi"},
                "limits": {"cpu": "300m", "memory": "256Mi"},
            },
            "liveness": {"path": "/", "initial_delay_seconds": 30, "period_seconds": 10},
            "readiness": {"path": "/", "initial_delay_seconds": 5, "period_seconds": 5},
            "config_env": {"API_URL": "api-url"},
            "ingress": [{"host": "www", "path": "/", "rate_limit_rps": 10}],
            # Seed 004's session affinity: the web front keeps a visitor on one pod (its server-side
            # session); the API stays stateless (tokens), so any pod serves any request.
            "session_affinity_seconds": 3600,
            "autoscaling": _hpa(sizes, "frontend"),
        },
        {
            "name": "model-serving",
            "port": 8001,
            "replicas": sizes["model-serving"][0],
            # Not in the seeds: sized for a CPU model server; set resources.gpu and a node selector for the GPU group.
            "resources": {
                "requests": {"cpu": "500m", "memory": "1Gi"},
                "limits": {"cpu": "2", "memory": "4Gi"},
            },
            "liveness": {"path": "/health", "initial_delay_seconds": 30, "period_seconds": 10},
            "readiness": {"path": "/health", "initial_delay_seconds": 5, "period_seconds": 5},
            "startup": {"path": "/health", "period_seconds": 10, "failure_threshold": 30},
            "env": {"MODEL_DIR": "/models"},
            "config_env": {"MODEL_BUCKET": "bucket-model-artifacts"},
            "volumes": [{"name": "models", "kind": "efs", "mount_path": "/models", "read_only": True}],
            "aws": {"buckets": {"model-artifacts": "read"}},
            "https_egress": True,
            "allow_from": ["backend", "celery-worker"],
            "autoscaling": _hpa(sizes, "model-serving"),
        },
        {
            "name": "celery-worker",
            "image": {"ecr_repository": "backend"},
            "command": ["celery"],
            "args": ["-A", "app", "worker", "--loglevel=INFO", "--concurrency=2"],
            "replicas": sizes["celery-worker"][0],
            # Not in the seeds: a worker runs two task processes.
            "resources": {
                "requests": {"cpu": "250m", "memory": "512Mi"},
                "limits": {"cpu": "1", "memory": "1Gi"},
            },
            "liveness": {
                "kind": "exec",
                "command": ["sh", "-c", "celery -A app inspect ping -d celery@$HOSTNAME --timeout 10"],
                "initial_delay_seconds": 30,
                "period_seconds": 60,
                "timeout_seconds": 20,
            },
            # Ready once the worker answers its broker: a rollout waits for new workers to consume.
            "readiness": {
                "kind": "exec",
                "command": ["sh", "-c", "celery -A app inspect ping -d celery@$HOSTNAME --timeout 10"],
                "initial_delay_seconds": 15,
                "period_seconds": 30,
                "timeout_seconds": 20,
            },
            "secret_env": {"DATABASE_URL": "database-url", "CELERY_BROKER_URL": "redis-url"},
            "env": {"MODEL_SERVING_URL": "http://model-serving:8001"},
            "data_access": ["postgres", "redis"],
            "https_egress": True,
            "autoscaling": _hpa(sizes, "celery-worker"),
            # Warm shutdown: SIGTERM lets running tasks finish; no traffic to drain, so no preStop.
            "termination_grace_seconds": 120,
            "pre_stop_sleep_seconds": 0,
            # Task metrics (queue wait, failures) from prometheus_client's HTTP server in the worker.
            "metrics": {"port": 9808},
        },
    ]
