"""Coverage of what the stack stores and spends: every stateful resource is backed up (and copied to
the DR region where the tier has one); every cost-bearing resource carries the budget's cost tags,
including what controllers create from the program's settings.

Both rules judge a resource by what AWS will see, not by what the program meant: a backup selection's
ARNs and tag conditions are evaluated against the resource's ARN and its real tags (the provider's
``default_tags`` merged with its own); a node's tags come from its launch template's tag
specifications (``default_tags`` never reach them), a volume's from the EBS CSI driver's
``extraVolumeTags`` and the StorageClass's ``tagSpecification_N`` parameters, a controller-made load
balancer's from the controller's ``defaultTags``.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator, Mapping
from typing import Any

from policy.model import Context, ResourceLike, Tiering
from policy.rules import tokens as t
from policy.rules.base import as_list, dig, rule
from policy.rules.coverage_data import (
    BACKED_UP_TYPES,
    BACKUP_PLAN,
    BACKUP_SELECTION,
    BACKUP_VAULT,
    BUDGET,
    COST_ALLOCATION_TAG,
    COST_BEARING_TYPES,
    EBS_CSI,
    EBS_CSI_ADDON,
    EKS_ADDON,
    K8S_STORAGE_CLASS,
    LB_CONTROLLER_CHART,
    VOLUME_ARN,
)
from policy.rules.coverage_graph import (
    arn_of,
    effective_tags,
    helm_values,
    region_of,
)
from policy.unknown import Undetermined
from policy.view import StackView

# --- backup ---------------------------------------------------------------------------------------


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)


def _is_copy_or_log_sink(stack: StackView, bucket: ResourceLike) -> bool:
    """Log sinks (access logs, the trail) and replication destinations hold copies, not data."""
    if stack.referrers(bucket, "targetBucket", *t.BUCKET_LOGGING) or stack.referrers(
        bucket, "s3BucketName", t.CLOUDTRAIL
    ):
        return True
    identities = StackView.identities(bucket) | {f"arn:aws:s3:::{i}" for i in StackView.identities(bucket)}
    for replication in stack.of_type(t.BUCKET_REPLICATION):
        if replication is bucket or stack.refers(replication, "bucket", bucket):
            continue
        if bucket.urn in (replication.property_dependencies.get("rules") or ()):
            return True
        if identities & set(_strings_in(replication.inputs.get("rules"))):
            return True
    return False


def _ebs_volume_tags(stack: StackView, storage_class: ResourceLike) -> dict[str, str]:
    """Tags on the volumes a StorageClass creates: the driver's ``extraVolumeTags``, then the class's
    ``tagSpecification_N`` parameters (``key=value``)."""
    tags: dict[str, str] = {}
    for addon in stack.of_type(EKS_ADDON):
        if addon.inputs.get("addonName") != EBS_CSI_ADDON:
            continue
        config = addon.inputs.get("configurationValues")
        try:
            parsed = json.loads(config) if isinstance(config, str) else config
        except ValueError:
            parsed = None
        extra = dig(parsed, "controller.extraVolumeTags") if isinstance(parsed, dict) else None
        if isinstance(extra, Mapping):
            tags.update({str(k): str(v) for k, v in extra.items()})
    for key, value in sorted((storage_class.inputs.get("parameters") or {}).items()):
        if key.lower().startswith("tagspecification_") and isinstance(value, str) and "=" in value:
            tag, _, tag_value = value.partition("=")
            tags[tag.strip()] = tag_value.strip()
    return tags


def _ebs_region(stack: StackView) -> str | None:
    for addon in stack.of_type(EKS_ADDON, t.EKS_CLUSTER):
        region = region_of(stack, addon)
        if region:
            return region
    return None


def _target(stack: StackView, r: ResourceLike) -> tuple[str, str | None, dict[str, str], str | None] | None:
    """``(what, arn, tags, region)`` of a resource that needs a backup, or ``None`` if it does not."""
    if r.type == K8S_STORAGE_CLASS:
        if r.inputs.get("provisioner") != EBS_CSI:
            return None  # EFS classes make access points on a file system that is itself backed up
        region = _ebs_region(stack)
        arn = VOLUME_ARN.format(partition="aws", region=region or "*", account="*")
        return (
            f"the EBS volumes StorageClass {dig(r.inputs, 'metadata.name') or r.name} creates",
            arn,
            _ebs_volume_tags(stack, r),
            region,
        )
    replica = r.inputs.get("replicateSourceDb") or r.inputs.get("replicationSourceIdentifier")
    if r.type in (t.RDS_INSTANCE, t.RDS_CLUSTER) and replica:
        return None  # a replica: its source is backed up, and restores come from the source
    if r.type in t.BUCKETS and _is_copy_or_log_sink(stack, r):
        return None
    arn = arn_of(r)
    return r.name, arn, effective_tags(stack, r), region_of(stack, r)


def _condition_holds(condition: Any, tags: Mapping[str, str]) -> bool:
    """One selection ``conditions`` block: every listed test must hold (AWS Backup ANDs them)."""
    blocks = as_list(condition)
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        for operator, tests in block.items():
            for test in as_list(tests):
                key = str(test.get("key", ""))
                tag = tags.get(key.split("/", 1)[1]) if key.startswith("aws:ResourceTag/") else None
                value = str(test.get("value", ""))
                if operator == "stringEquals" and tag != value:
                    return False
                if operator == "stringNotEquals" and tag == value:
                    return False
                if operator == "stringLike" and (tag is None or not fnmatch.fnmatchcase(tag, value)):
                    return False
                if operator == "stringNotLike" and tag is not None and fnmatch.fnmatchcase(tag, value):
                    return False
    return True


def _arn_matches(patterns: list[str], arn: str | None) -> bool:
    return arn is not None and any(p == "*" or fnmatch.fnmatchcase(arn, p) for p in patterns)


def selects(
    stack: StackView, selection: ResourceLike, r: ResourceLike, arn: str | None, tags: Mapping[str, str]
) -> bool:
    """Does ``selection`` pick ``r``? ``resources`` (ARNs, wildcards) or ``selectionTags`` choose,
    ``notResources`` excludes, and every ``conditions`` test must hold on the real tags."""
    by_reference = r.urn in (selection.property_dependencies.get("resources") or ())
    try:
        patterns = [str(p) for p in as_list(selection.inputs.get("resources"))]
        excluded = [str(p) for p in as_list(selection.inputs.get("notResources"))]
    except Undetermined:
        if not by_reference:
            raise
        patterns, excluded = [], []
    if arn is None and not by_reference and any("*" in p for p in patterns):
        raise Undetermined(f"{r.name}.arn")
    chosen = by_reference or _arn_matches(patterns, arn)
    for tag in as_list(selection.inputs.get("selectionTags")):
        if isinstance(tag, Mapping) and tags.get(str(tag.get("key"))) == str(tag.get("value")):
            chosen = True
    if not chosen or _arn_matches(excluded, arn):
        return False
    return _condition_holds(selection.inputs.get("conditions"), tags)


def _dr_regions(stack: StackView) -> set[str]:
    """Regions the stack builds a network in: the primary and, where the tier has one, the DR region."""
    return {region for vpc in stack.of_type(t.VPC) if (region := region_of(stack, vpc))}


def _copy_regions(stack: StackView, plan: ResourceLike) -> set[str]:
    """Regions a plan's rules copy recovery points to (the destination vaults' regions)."""
    regions: set[str] = set()
    for plan_rule in as_list(plan.inputs.get("rules")):
        for action in as_list(dig(plan_rule, "copyActions")):
            arn = str(action.get("destinationVaultArn") or "")
            if arn.startswith("arn:") and arn.count(":") >= 4:
                regions.add(arn.split(":")[3])
    for vault in stack.of_type(BACKUP_VAULT):
        if vault.urn in (plan.property_dependencies.get("rules") or ()) and (
            region := region_of(stack, vault)
        ):
            regions.add(region)
    return regions


@rule(
    "backup-coverage",
    "Every stateful resource (RDS, EFS, data buckets, CSI volumes) is selected by an AWS Backup plan, "
    "copied to the DR region where the tier has one",
    ids=("FSBP RDS.26", "FSBP EFS.2", "FSBP EC2.28"),
    types=BACKED_UP_TYPES,
    remediation="Select it in a backup selection (components/backup.py): by ARN, or by the selection tag "
    "its provider default tags, CSI extraVolumeTags or StorageClass tagSpecification put on it; give the "
    "plan a copy action to the DR vault.",
    scope="stack",
    tiering=Tiering.HIGH_AVAILABILITY,
)
def backup_coverage(r: ResourceLike, ctx: Context) -> Iterator[str]:
    stack = ctx.stack
    target = _target(stack, r)
    if target is None:
        return
    what, arn, tags, region = target
    plans: list[ResourceLike] = []
    for selection in stack.of_type(BACKUP_SELECTION):
        selection_region = region_of(stack, selection)
        if region and selection_region and region != selection_region:
            continue  # a plan backs up its own region only
        if selects(stack, selection, r, arn, tags):
            plans += stack.referenced(selection, "planId", BACKUP_PLAN)
    if not plans:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(tags.items())) or "none"
        yield f"{what} is selected by no backup plan (its tags: {shown})"
        return
    dr = _dr_regions(stack) - {region}
    if region and dr and not any(_copy_regions(stack, plan) & dr for plan in plans):
        yield f"{what} is backed up but never copied to the DR region ({', '.join(sorted(dr))})"


# --- cost attribution -----------------------------------------------------------------------------


def budget_tags(stack: StackView) -> dict[str, set[str]]:
    """The tags the stack's budgets filter on: key → accepted values (``user:KEY$VALUE`` filters)."""
    wanted: dict[str, set[str]] = {}
    for budget in stack.of_type(BUDGET):
        for cost_filter in as_list(budget.inputs.get("costFilters")):
            if isinstance(cost_filter, Mapping) and cost_filter.get("name") == "TagKeyValue":
                for value in as_list(cost_filter.get("values")):
                    key, _, tag_value = str(value).removeprefix("user:").partition("$")
                    wanted.setdefault(key, set()).add(tag_value)
    return wanted


def _missing(tags: Mapping[str, str], wanted: Mapping[str, set[str]]) -> list[str]:
    """The budget's tags absent from ``tags`` (a resource with any one of them counts)."""
    if any(tags.get(key) in values for key, values in wanted.items()):
        return []
    return [f"{key}={'|'.join(sorted(values))}" for key, values in sorted(wanted.items())]


def _launch_template_gaps(r: ResourceLike, wanted: Mapping[str, set[str]]) -> Iterator[str]:
    specs = {
        str(s.get("resourceType")): s.get("tags") or {} for s in as_list(r.inputs.get("tagSpecifications"))
    }
    for kind in ("instance", "volume"):
        missing = _missing(specs.get(kind, {}), wanted)
        if missing:
            yield (
                f"the {kind}s its node groups launch lack {', '.join(missing)}: add them to the launch "
                f"template's {kind} tag specification (provider default tags do not reach them)"
            )


def _controller_gaps(r: ResourceLike, wanted: Mapping[str, set[str]]) -> Iterator[str]:
    chart = str(r.inputs.get("chart") or "")
    if not chart.endswith(LB_CONTROLLER_CHART):
        return
    tags = helm_values(r).get("defaultTags") or {}
    missing = _missing(tags if isinstance(tags, Mapping) else {}, wanted)
    if missing:
        yield f"the load balancers it creates lack {', '.join(missing)}: set the chart's defaultTags"


@rule(
    "cost-attribution",
    "Every cost-bearing resource, and what controllers create from our settings (nodes, volumes, load "
    "balancers), carries the tags the budget filters on, activated as cost-allocation tags",
    ids=("—",),
    types=(*COST_BEARING_TYPES, t.LAUNCH_TEMPLATE, t.K8S_HELM_RELEASE, K8S_STORAGE_CLASS, BUDGET),
    remediation="Put the budget's tags in the provider default tags, the launch templates' instance and "
    "volume tag specifications, the EBS CSI driver's extraVolumeTags and the LB controller's defaultTags; "
    "activate each with aws.costexplorer.CostAllocationTag (components/cost_controls.py).",
    scope="stack",
)
def cost_attribution(r: ResourceLike, ctx: Context) -> Iterator[str]:
    stack = ctx.stack
    wanted = budget_tags(stack)
    if not wanted:
        return
    if r.type == BUDGET:
        active = {
            str(tag.inputs.get("tagKey"))
            for tag in stack.of_type(COST_ALLOCATION_TAG)
            if tag.inputs.get("status") == "Active"
        }
        for key in sorted(set(wanted) - active):
            yield f"the budget filters on tag {key}, which is not activated as a cost-allocation tag"
        return
    if r.type == t.LAUNCH_TEMPLATE:
        yield from _launch_template_gaps(r, wanted)
        return
    if r.type == t.K8S_HELM_RELEASE:
        yield from _controller_gaps(r, wanted)
        return
    if r.type == K8S_STORAGE_CLASS:
        if r.inputs.get("provisioner") == EBS_CSI:
            missing = _missing(_ebs_volume_tags(stack, r), wanted)
            if missing:
                yield (
                    f"the EBS volumes it creates lack {', '.join(missing)}: set the EBS CSI driver's "
                    "extraVolumeTags (or tagSpecification_N parameters)"
                )
        return
    missing = _missing(effective_tags(stack, r), wanted)
    if missing:
        yield f"carries none of the budget's tags ({', '.join(missing)}), so its cost is unattributed"
