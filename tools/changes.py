"""What ``pulumi up`` would do to each resource between two plans: the engine's rules, offline.

For every resource present in both plans, the changed inputs are sorted as the engine sorts them:

- a change under ``ignore_changes`` is **ignored**: ``pulumi up`` keeps the old value (priced at $0);
- a change of a property that forces replacement (:mod:`tools.replacements`, from the provider's
  schema) or listed in ``replace_on_changes`` **replaces** the resource: create-then-delete, or
  delete-then-create under ``delete_before_replace`` (or when the provider always does so);
- a replacement **cascades**: a resource whose input refers to a replaced resource (its id, name or
  ARN are unknown until the new one exists) is replaced when that input forces replacement, updated
  otherwise; transitively, as the engine does;
- a **protected** resource (in the deployed state) that would be replaced or deleted is an error: the
  engine stops there; ``retain_on_delete`` leaves the old cloud resource behind instead of deleting it;
- where the data cannot tell update from replacement (a type it does not know, a provider change,
  a nested input of a cascade), the change is **unknown**, never guessed as an update.

Version upgrades are named for what they are: an RDS major version change needs
``allowMajorVersionUpgrade`` (RDS refuses it otherwise) and a parameter group of the new family.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tools.harness.naming import proposal
from tools.replacements import (
    Replacement,
    covers,
    deletes_first,
    force_new,
    forcing,
    is_stateful,
    knows,
    on_replace,
)

MISSING = object()


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"a": {"b": 1}, "l": [{"x": 1}]}`` -> ``{"a.b": 1, "l[0].x": 1}``; lists of scalars stay whole."""
    if isinstance(value, dict):
        if not value and prefix:
            return {prefix: {}}
        out: dict[str, Any] = {}
        for key, child in value.items():
            out.update(flatten(child, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        out = {}
        for index, child in enumerate(value):
            out.update(flatten(child, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


@dataclass
class Change:
    path: str
    old: Any
    new: Any
    ignored: bool = False


def changed_properties(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    before, after = flatten(old), flatten(new)
    changes = []
    for path in sorted(set(before) | set(after)):
        a, b = before.get(path, MISSING), after.get(path, MISSING)
        if a != b:
            changes.append(Change(path, a, b))
    return changes


@dataclass
class ResourceDiff:
    """One resource's fate: ``add``, ``remove``, ``change``, ``replace``, ``rename`` or ``ignored``."""

    kind: str
    entry: dict[str, Any]
    old_entry: dict[str, Any] | None = None
    changes: list[Change] = field(default_factory=list)
    replacements: list[Replacement] = field(default_factory=list)
    #: The data cannot tell whether this is an update or a replacement: check `pulumi preview`.
    unknown: bool = False
    #: Why, in words, beyond the changed properties (cascade, upgrade, engine options).
    notes: list[str] = field(default_factory=list)
    #: What makes `pulumi up` fail here (protected, a refused upgrade).
    errors: list[str] = field(default_factory=list)

    @property
    def component(self) -> str:
        return self.entry["component"]

    @property
    def stateful(self) -> bool:
        return is_stateful(self.entry["type"])

    @property
    def deployed(self) -> dict[str, Any]:
        """The entry as deployed (base plan); for an addition, the new one."""
        return self.old_entry or self.entry

    @property
    def protected(self) -> bool:
        return bool(self.deployed.get("options", {}).get("protect"))

    @property
    def retained(self) -> bool:
        return bool(self.deployed.get("options", {}).get("retain_on_delete"))


def _ignored(path: str, ignore_changes: list[str]) -> bool:
    return any(
        covers(pattern.replace("[*]", "").replace("*", "").rstrip("."), path) for pattern in ignore_changes
    )


def _alias_urns(entry: dict[str, Any]) -> set[str]:
    """The URNs a resource says it used to have (``aliases`` option): full URNs or a former name."""
    found: set[str] = set()
    head, _, _ = entry["urn"].rpartition("::")
    for alias in entry.get("options", {}).get("aliases", []):
        if isinstance(alias, str):
            found.add(alias)
        elif isinstance(alias, dict):
            if alias.get("urn"):
                found.add(alias["urn"])
            spec = alias.get("spec") or {}
            if spec.get("name") and not spec.get("type") and not spec.get("parentUrn"):
                found.add(f"{head}::{spec['name']}")
    return found


def _short(urn: str | None) -> str | None:
    return urn.rsplit("::", 1)[-1] if urn else urn


def _major(version: Any) -> str | None:
    text = str(version or "")
    return text.split(".")[0] if text[:1].isdigit() else None


def _upgrade_notes(d: ResourceDiff) -> None:
    """RDS/ElastiCache engine version changes: a major one is named, and refused where RDS refuses it."""
    old, new = (d.old_entry or {}).get("inputs", {}), d.entry["inputs"]
    before, after = _major(old.get("engineVersion")), _major(new.get("engineVersion"))
    if before is None or after is None or before == after:
        return
    kind = d.entry["type"]
    engine = new.get("engine", "")
    if kind == "aws:rds/instance:Instance" and not new.get("replicateSourceDb"):
        if not new.get("allowMajorVersionUpgrade"):
            d.errors.append(
                f"major version upgrade {engine} {before} → {after}: RDS refuses it unless "
                "`allowMajorVersionUpgrade` is true (set `database.allow_major_version_upgrade: true` in the "
                "stack file, together with the new version)"
            )
        else:
            d.notes.append(
                f"**major version upgrade {engine} {before} → {after}** in place: the instance is unavailable "
                "while RDS upgrades it (take a snapshot first); replicas follow their source; needs a parameter "
                "group of the new family"
            )
    elif kind == "aws:rds/instance:Instance":
        d.notes.append(f"replica: upgraded by RDS with its source ({before} → {after})")
    elif kind == "aws:rds/cluster:Cluster" and not new.get("allowMajorVersionUpgrade"):
        d.errors.append(
            f"major version upgrade {engine} {before} → {after}: RDS refuses it unless "
            "`allowMajorVersionUpgrade` is true (set `database.allow_major_version_upgrade: true` in the "
            "stack file, together with the new version); a global database upgrades through its global cluster"
        )
    elif kind == "aws:rds/cluster:Cluster":
        d.notes.append(
            f"**major version upgrade {engine} {before} → {after}** of the cluster in place: its instances are "
            "unavailable while Aurora upgrades them (take a snapshot first); needs a cluster parameter group "
            "of the new family"
        )
    elif kind == "aws:elasticache/replicationGroup:ReplicationGroup":
        d.notes.append(
            f"**major version upgrade {engine} {before} → {after}** in place (online for a cluster with replicas); "
            "needs a parameter group of the new family; no downgrade afterwards"
        )


def _classify(previous: dict[str, Any], entry: dict[str, Any], renamed: bool) -> ResourceDiff | None:
    options = entry.get("options", {})
    changes = changed_properties(previous["inputs"], entry["inputs"])
    for change in changes:
        change.ignored = _ignored(change.path, options.get("ignore_changes", []))
    option_changes = [
        Change(f"(option) {c.path}", c.old, c.new)
        for c in changed_properties(previous.get("options", {}), options)
    ]
    unknown = False
    if previous.get("provider") != entry.get("provider"):
        option_changes.append(
            Change("(provider)", _short(previous.get("provider")), _short(entry.get("provider")))
        )
        unknown = True  # whether the engine replaces depends on the providers' configurations
    effective = [c.path for c in changes if not c.ignored]
    replacements = forcing(
        entry["type"], effective, previous["inputs"], entry["inputs"], options.get("replace_on_changes", [])
    )
    if previous["type"] != entry["type"]:
        option_changes.append(Change("(type)", previous["type"], entry["type"]))
        replacements.append(
            Replacement("(type)", "a resource cannot change type", is_stateful(previous["type"]))
        )
    all_changes = changes + option_changes
    if replacements:
        d = ResourceDiff("replace", entry, previous, all_changes, replacements)
    elif renamed:
        d = ResourceDiff("rename", entry, previous, all_changes)
    elif effective or option_changes:
        d = ResourceDiff("change", entry, previous, all_changes)
        d.unknown = unknown or (bool(effective) and not knows(entry["type"]))
    elif changes:
        d = ResourceDiff("ignored", entry, previous, all_changes)
    else:
        return None
    _upgrade_notes(d)
    return d


def _cascade(
    diffs: dict[str, ResourceDiff], new: dict[str, dict[str, Any]], old: dict[str, dict[str, Any]]
) -> None:
    """Replacements flow to the resources whose inputs refer to them, until nothing changes."""
    pending = [urn for urn, d in diffs.items() if d.kind == "replace"]
    while pending:
        replaced = pending.pop()
        for urn, entry in new.items():
            if urn not in old or (urn in diffs and diffs[urn].kind in ("replace", "add")):
                continue
            ignore = entry.get("options", {}).get("ignore_changes", [])
            for prop, urns in sorted(entry.get("property_dependencies", {}).items()):
                if replaced not in urns or _ignored(prop, ignore):
                    continue
                d = diffs.get(urn) or ResourceDiff("change", entry, old[urn])
                if d.kind == "ignored":
                    d.kind = "change"  # its own changes are ignored; the referred value is not
                diffs[urn] = d
                name = _short(replaced)
                forced = [p for p in force_new(entry["type"]) if covers(p, prop)]
                nested = [p for p in force_new(entry["type"]) if covers(prop, p) and p != prop]
                if forced:
                    d.kind = "replace"
                    d.unknown = False
                    d.replacements.append(
                        Replacement(
                            prop, f"refers to `{name}`, which is replaced", is_stateful(entry["type"])
                        )
                    )
                    d.notes.append(f"`{prop}` refers to `{name}` (replaced): forces replacement")
                    pending.append(urn)
                    break
                d.notes.append(f"`{prop}` refers to `{name}` (replaced): its new value is known only then")
                if nested or not knows(entry["type"]):
                    d.unknown = True


def _engine_options(d: ResourceDiff) -> None:
    """Protect, retain-on-delete and delete-before-replace, as the engine applies them."""
    name = d.entry["name"]
    if d.kind in ("replace", "remove") and d.protected:
        d.errors.append(
            f"`{name}` is protected: `pulumi up` refuses to "
            + ("replace" if d.kind == "replace" else "delete")
            + " it until `protect` is lifted in a deployment of its own"
        )
    if d.kind == "replace" and on_replace(d.entry["type"]):
        d.notes.append(f"**{on_replace(d.entry['type'])}**")  # what replacing one loses
    if d.kind == "remove" and d.retained:
        d.notes.append(
            "retain_on_delete: removed from the stack only; the cloud resource stays (and is still billed)"
        )
    if d.kind != "replace":
        return
    options = d.entry.get("options", {})
    physical = proposal(d.entry["type"], name, d.entry["inputs"])
    if options.get("delete_before_replace") or deletes_first(d.entry["type"]):
        d.notes.append("deleted **before** its replacement is created: unavailable in between")
    elif physical is not None and physical.how == "given":
        # Both bridges ask the engine for delete-before-replace when the name is the user's: the new
        # object could not be created next to the old one (pulumi-terraform-bridge
        # nameRequiresDeleteBeforeReplace; pulumi-kubernetes Diff on a named object).
        d.notes.append(
            f"deleted **before** its replacement is created (its {physical.property} `{physical.value}` is "
            "fixed): unavailable in between"
        )
    else:
        d.notes.append("created first, then the old one deleted")
    if d.retained:
        d.notes.append("retain_on_delete: the old cloud resource is left behind, not deleted")


def compare(base: dict[str, Any], head: dict[str, Any]) -> list[ResourceDiff]:
    """Every resource that is added, removed, renamed, changed, ignored or replaced between two plans."""
    old = {e["urn"]: e for e in base["resources"] if e["custom"]}
    new = {e["urn"]: e for e in head["resources"] if e["custom"]}
    renamed: dict[str, str] = {}
    for urn, entry in new.items():
        if urn in old:
            continue
        for alias in _alias_urns(entry):
            if alias in old and alias not in new:
                renamed[urn] = alias
    found: dict[str, ResourceDiff] = {}
    for urn, entry in sorted(new.items()):
        previous = old.get(urn) or old.get(renamed.get(urn, ""))
        if previous is None:
            found[urn] = ResourceDiff("add", entry)
            continue
        d = _classify(previous, entry, urn not in old)
        if d is not None:
            found[urn] = d
    # An old URN a renamed resource took over is matched through ``renamed``; cascade on head URNs.
    matched = {urn: (old.get(urn) or old[renamed[urn]]) for urn in new if urn in old or urn in renamed}
    _cascade(found, new, matched)
    gone = set(old) - set(new) - set(renamed.values())
    for urn in sorted(gone):
        found[urn] = ResourceDiff("remove", old[urn])
    diffs = [found[urn] for urn in sorted(found)]
    for d in diffs:
        _engine_options(d)
    return diffs


def value_text(value: Any) -> str:
    if value is MISSING:
        return "(unset)"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
