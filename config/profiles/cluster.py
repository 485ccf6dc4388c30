"""EKS per tier (node groups after seed 003; the GPU group for model serving after seed 001).

dev: cheapest that works — ONE small Graviton spot group that runs the add-ons and the apps together
(issue 21). Why each choice is acceptable for dev only:
- Graviton (ARM_64): the seeds' images are multi-arch (seed 004), and a t4g.large costs $0.0672/h against
  $0.0832/h for the t3.large it replaced (tools/data/prices-us-east-1.json); a t4g.medium is $0.0336/h.
- Spot for the system pods too (``spot_system_group``): a reclaim gives a two-minute notice; CoreDNS runs
  two replicas spread over the nodes, and a few minutes of controller disruption is acceptable where
  nobody is paged. Staging and prod keep an on-demand, tainted system group.
- Diversified: four 2 vCPU / 8 GiB Graviton types (the same shape, so the cluster autoscaler's estimates
  hold for whichever type spot hands out) — one capacity pool running dry does not stop the group.
- Capacity rebalance: EKS managed node groups turn on EC2 Auto Scaling Capacity Rebalancing for SPOT
  groups themselves and drain a node on its rebalance recommendation ("Managed node groups — capacity
  types", https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html); ``aws.eks.NodeGroup``
  has no argument for it (pulumi_aws 7, eks/node_group.py), so there is nothing to set.
- Untainted, three 2 vCPU / 4 GiB nodes (issue 21, second pass; they replace two t4g.large): every pod
  lands here. Three t4g.medium spot cost $25.75 a month against $34.34 for two t4g.large. What makes a
  4 GiB node workable is VPC CNI prefix delegation (``vpc_cni_prefix_delegation``): without it a
  t4g.medium takes 17 pods (3 ENIs x (6 IPs - 1) + 2), with it the managed node group sets maxPods to
  110 (the cap below 30 vCPUs; the launch template names no AMI, so EKS computes it). The price of those
  110 slots is memory: nodeadm reserves 255 MiB + 11 MiB x maxPods for the kubelet, so a t4g.medium
  allocates ~2.4 GiB (3.4 GiB at 17 pods). Dev's requests are ~5.5 GiB (apps 1.9 GiB, Prometheus 2 GiB,
  add-ons and daemon sets): two mediums (~4.8 GiB) cannot hold them, three (~7.2 GiB) do, at ~80%.
  That is why three and not the two a first reading suggests. A spot reclaim leaves two nodes (~4.8 GiB):
  some pods go Pending and the cluster autoscaler adds a node (max 5) within a few minutes.
- Diversified at the same shape (2 vCPU / 4 GiB, Graviton, Nitro): t4g.medium, c6g.large, c7g.large,
  c8g.large; the cluster autoscaler's node template holds for whichever type spot hands out.
- 20 GiB root volumes (the EKS managed node group default) instead of 30: a node holds the images of
  ~15 pods (the apps, Prometheus, the add-ons: a few GiB), and the kubelet's image GC frees space at 85%.
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
        "spot_system_group": True,
        "vpc_cni_prefix_delegation": True,
        "node_groups": {
            "system": {
                "instance_types": ["t4g.medium", "c6g.large", "c7g.large", "c8g.large"],
                "ami_type": "AL2023_ARM_64_STANDARD",
                "capacity_type": "SPOT",
                "min_size": 3,
                "desired_size": 3,
                "max_size": 5,
                "labels": {"role": "general", "capacity-type": "spot"},
                "disk_size_gib": 20,
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
