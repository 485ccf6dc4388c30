"""``python -m tools cost STACK``: a monthly cost estimate per resource and component.

Driven by resource *type*, not by component: whatever component registers a NAT gateway, a node group
or an RDS instance, it is priced the same way from the inputs the engine recorded. Rules:

- monthly = hourly x 730 (the table's ``hours_per_month``); fixed monthly fees as listed;
- usage-based parts (GB processed, stored, ingested) come from the usage file (:mod:`tools.pricing`);
  when a usage figure is missing the line says so instead of counting zero;
- spot capacity is priced at 0.35 x on-demand (the table's planning figure), RDS Multi-AZ at 2x
  instance and 2x storage, each read replica as one more instance with its own storage, ElastiCache per
  node (primary and replicas), EKS control plane at the standard-support rate;
- resources with no charge of their own (subnets, IAM, security groups, Kubernetes objects without
  volumes or load balancers...) are counted as free; anything else is listed as *not priced* with the
  reason, never silently zero.

Modules: :mod:`~tools.cost.model` (results, context, rule registry), :mod:`~tools.cost.lookup` (price
and usage lookups), :mod:`~tools.cost.rules` (one module of per-type rules per area),
:mod:`~tools.cost.free` (types with no charge of their own), :mod:`~tools.cost.estimate`,
:mod:`~tools.cost.report` (text output) and :mod:`~tools.cost.command` (the CLI command).
"""

from tools.cost.command import check_usage, register, run
from tools.cost.estimate import check_usage_keys, estimate
from tools.cost.lookup import storage_gb
from tools.cost.model import CostItem, CostLine, CostReport, NotPriced, Priced, Unpriceable
from tools.cost.report import format_report, money

__all__ = [
    "CostItem",
    "CostLine",
    "CostReport",
    "NotPriced",
    "Priced",
    "Unpriceable",
    "check_usage",
    "check_usage_keys",
    "estimate",
    "format_report",
    "money",
    "register",
    "run",
    "storage_gb",
]
