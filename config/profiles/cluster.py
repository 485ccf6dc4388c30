"""EKS per tier (node groups after seed 003; the GPU group for model serving after seed 001).

dev: cheapest that works — one on-demand system node and a small spot group the apps run on.
staging: prod-shaped (system, trading, analytics, spot), smaller instances and counts.
prod: seed 003's system (t3.medium 2-4), trading (c5.xlarge 3-20, 5) and analytics (r5.2xlarge 2-10, 3)
groups, a tainted spot group for interruptible work, and a GPU group that idles at zero nodes until a
model-serving pod asks for a GPU.
"""

_SYSTEM_TAINT = [{"key": "CriticalAddonsOnly", "value": "true", "effect": "NoSchedule"}]
_SPOT_TAINT = [{"key": "capacity-type", "value": "spot", "effect": "NoSchedule"}]

PROFILES = {
    "dev": {
        # SSM sessions on nodes in dev; staging and prod keep the default (off: the admin path is the VPN).
        "node_ssm_access": True,
        "log_retention_days": 30,
        "deletion_protection": False,
        "zonal_shift": False,
        "kms_deletion_window_days": 7,
        "coredns_replicas": 2,
        "node_groups": {
            "system": {
                "instance_types": ["t3.large"],
                "min_size": 1,
                "desired_size": 1,
                "max_size": 2,
                "labels": {"role": "system"},
                "taints": _SYSTEM_TAINT,
                "disk_size_gib": 30,
            },
            # The only general-purpose capacity in dev: untainted, so every service lands here.
            "spot": {
                "instance_types": ["t3.large", "m5.large", "m6i.large"],
                "capacity_type": "SPOT",
                "min_size": 1,
                "desired_size": 2,
                "max_size": 4,
                "labels": {"role": "general", "capacity-type": "spot"},
                "disk_size_gib": 30,
            },
        },
    },
    "staging": {
        "log_retention_days": 90,
        "deletion_protection": False,
        "kms_deletion_window_days": 14,
        "node_groups": {
            "system": {
                "instance_types": ["t3.medium"],
                "min_size": 2,
                "desired_size": 2,
                "max_size": 4,
                "labels": {"role": "system"},
                "taints": _SYSTEM_TAINT,
            },
            "trading": {
                "instance_types": ["c5.large"],
                "min_size": 2,
                "desired_size": 2,
                "max_size": 6,
                "labels": {"role": "trading"},
            },
            "analytics": {
                "instance_types": ["r5.large"],
                "min_size": 1,
                "desired_size": 1,
                "max_size": 4,
                "labels": {"role": "analytics"},
            },
            "spot": {
                "instance_types": ["m5.large", "m6i.large"],
                "capacity_type": "SPOT",
                "min_size": 0,
                "desired_size": 1,
                "max_size": 6,
                "labels": {"role": "batch", "capacity-type": "spot"},
                "taints": _SPOT_TAINT,
            },
        },
    },
    "prod": {
        "log_retention_days": 365,
        "deletion_protection": True,
        "kms_deletion_window_days": 30,
        "coredns_replicas": 3,
        "node_groups": {
            "system": {
                "instance_types": ["t3.medium"],
                "min_size": 2,
                "desired_size": 2,
                "max_size": 4,
                "labels": {"role": "system"},
                "taints": _SYSTEM_TAINT,
            },
            "trading": {
                "instance_types": ["c5.xlarge"],
                "min_size": 3,
                "desired_size": 5,
                "max_size": 20,
                "labels": {"role": "trading"},
            },
            "analytics": {
                "instance_types": ["r5.2xlarge"],
                "min_size": 2,
                "desired_size": 3,
                "max_size": 10,
                "labels": {"role": "analytics"},
            },
            "spot": {
                "instance_types": ["m5.xlarge", "m6i.xlarge"],
                "capacity_type": "SPOT",
                "min_size": 0,
                "desired_size": 2,
                "max_size": 20,
                "labels": {"role": "batch", "capacity-type": "spot"},
                "taints": _SPOT_TAINT,
            },
            "gpu": {
                "instance_types": ["g5.xlarge"],
                "ami_type": "AL2023_x86_64_NVIDIA",
                "min_size": 0,
                "desired_size": 0,
                "max_size": 4,
                "labels": {"role": "model-serving"},
                "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"}],
                "disk_size_gib": 100,
            },
        },
    },
}
