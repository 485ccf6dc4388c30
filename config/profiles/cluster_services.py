"""Cluster services per tier: controller replicas, ingress replicas, what a deleted claim's volume does.

dev runs one replica of everything and deletes released volumes; staging and prod run two replicas of
each controller (three ingress-nginx replicas in prod, one per AZ) and retain volumes.
"""

PROFILES = {
    "dev": {"replicas": 1, "ingress_replicas": 1, "storage_reclaim_policy": "Delete"},
    "staging": {"replicas": 2, "ingress_replicas": 2, "storage_reclaim_policy": "Retain"},
    "prod": {"replicas": 2, "ingress_replicas": 3, "storage_reclaim_policy": "Retain"},
}
