"""Cluster services per tier: controller replicas and what a deleted claim's volume does.

dev runs one replica of everything and deletes released volumes; staging and prod run two replicas of
each controller (the load balancer controller's second replica takes over while the first drains) and
retain volumes.
"""

PROFILES = {
    "dev": {"replicas": 1, "storage_reclaim_policy": "Delete"},
    "staging": {"replicas": 2, "storage_reclaim_policy": "Retain"},
    "prod": {"replicas": 2, "storage_reclaim_policy": "Retain"},
}
