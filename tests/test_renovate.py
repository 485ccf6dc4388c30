"""renovate.json: known options, and custom managers that really find every pin in components/versions.py.

Renovate reports a broken config only on its dashboard, and a regex manager that stops matching a row
silently stops proposing that upgrade. So: every option, manager and datasource named must exist in
the Renovate release recorded in tools/data/renovate-facts.json, and running each custom manager's
regex over the versions module must find every row exactly once, with its name, version and lookup.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from components.versions import KUBERNETES_VERSION, PINS, of_kind
from tests.helpers import REPO

CONFIG: dict[str, Any] = json.loads((REPO / "renovate.json").read_text())
FACTS: dict[str, Any] = json.loads((REPO / "tools" / "data" / "renovate-facts.json").read_text())
VERSIONS = REPO / "components" / "versions.py"


def _python_regex(pattern: str) -> re.Pattern[str]:
    """Renovate's (re2/JavaScript) named groups ``(?<name>`` as Python's ``(?P<name>``."""
    return re.compile(re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", pattern))


def _file_pattern_matches(patterns: list[str], path: str) -> bool:
    return any(p.startswith("/") and re.search(p.strip("/"), path) for p in patterns)


def extracted(text: str) -> list[dict[str, str]]:
    """What Renovate's regex managers extract from the versions module's text (its templates applied)."""
    found: list[dict[str, str]] = []
    for manager in CONFIG["customManagers"]:
        if not _file_pattern_matches(manager["managerFilePatterns"], "components/versions.py"):
            continue
        for pattern in manager["matchStrings"]:
            for match in _python_regex(pattern).finditer(text):
                dep = {k: v for k, v in match.groupdict().items() if v is not None}
                dep["datasource"] = manager["datasourceTemplate"]
                if "packageNameTemplate" in manager:
                    dep["packageName"] = manager["packageNameTemplate"].replace(
                        "{{{depName}}}", dep["depName"]
                    )
                found.append(dep)
    return found


def test_every_option_manager_and_datasource_exists_in_renovate() -> None:
    unknown = [key for key in CONFIG if key not in FACTS["options"] and key != "$schema"]
    for rule in CONFIG["packageRules"]:
        allowed = set(FACTS["package_rule_options"]) | set(FACTS["options"])
        unknown += [f"packageRules.{key}" for key in rule if key not in allowed]
        unknown += [
            f"matchManagers {m}"
            for m in rule.get("matchManagers", [])
            if m.split(".")[0] not in FACTS["managers"]
        ]
        unknown += [
            f"matchDatasources {d}" for d in rule.get("matchDatasources", []) if d not in FACTS["datasources"]
        ]
    for manager in CONFIG["customManagers"]:
        unknown += [f"customManagers.{key}" for key in manager if key not in FACTS["custom_manager_options"]]
        unknown += [] if manager["customType"] in FACTS["custom_managers"] else [manager["customType"]]
        unknown += (
            [] if manager["datasourceTemplate"] in FACTS["datasources"] else [manager["datasourceTemplate"]]
        )
        versioning = manager.get("versioningTemplate", "semver")
        unknown += [] if versioning in FACTS["versionings"] else [versioning]
    for name in CONFIG["enabledManagers"]:
        kind, _, custom = name.partition(".")
        unknown += (
            [] if kind in FACTS["managers"] and (not custom or custom in FACTS["custom_managers"]) else [name]
        )
    assert unknown == [], f"not known to renovate {FACTS['version']}: {unknown}"


def test_options_with_fixed_choices_use_one_of_them() -> None:
    settings = [(k, v) for k, v in CONFIG.items()] + [
        (k, v) for rule in CONFIG["packageRules"] for k, v in rule.items()
    ]
    wrong = [(k, v) for k, v in settings if k in FACTS["enums"] and v not in FACTS["enums"][k]]
    assert wrong == []


def test_match_strings_are_re2_compatible() -> None:
    """Renovate compiles them with re2: no lookarounds or backreferences."""
    for manager in CONFIG["customManagers"]:
        for pattern in manager["matchStrings"]:
            assert not re.search(r"\(\?<?[=!]|\\[1-9]", pattern), pattern


def test_the_regex_managers_find_every_row_of_the_versions_table_once() -> None:
    deps = extracted(VERSIONS.read_text())
    by_name: dict[str, list[dict[str, str]]] = {}
    for dep in deps:
        by_name.setdefault(dep["depName"], []).append(dep)
    assert sorted(by_name) == sorted(p.name for p in PINS)
    for pin in PINS:
        (dep,) = by_name[pin.name]
        assert dep["currentValue"] == pin.version, pin.name
        lookup = dep.get("registryUrl") or dep.get("packageName")
        if pin.kind == "eks-addon":
            assert json.loads(dep["packageName"]) == {
                "addonName": pin.name,
                "kubernetesVersion": KUBERNETES_VERSION,
            }
        else:
            assert lookup == pin.lookup, pin.name


def test_a_row_out_of_shape_is_not_found() -> None:
    """The check above can fail: a row whose version moves below its lookup is no longer extracted."""
    text = VERSIONS.read_text()
    row = '        version="3.13.1",\n        lookup="https://kubernetes-sigs.github.io/metrics-server/",\n'
    assert row in text
    moved = text.replace(
        row,
        '        lookup="https://kubernetes-sigs.github.io/metrics-server/",\n        version="3.13.1",\n',
    )
    assert "metrics-server" not in {dep["depName"] for dep in extracted(moved)}


def test_cluster_version_bound_rules_follow_the_kubernetes_pin() -> None:
    """The autoscaler image's allowed minor and the add-on lookups name the cluster's version."""
    minor = re.escape(KUBERNETES_VERSION)
    rule = next(r for r in CONFIG["packageRules"] if r.get("matchDepNames") == ["cluster-autoscaler-image"])
    assert rule["allowedVersions"] == f"/^v{minor}\\./"
    assert re.match(
        rule["allowedVersions"].strip("/"),
        next(p.version for p in of_kind("image") if p.name == "cluster-autoscaler-image"),
    )


def _workflow_actions() -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()
    for path in [*(REPO / ".github").rglob("*.yml"), *(REPO / ".github").rglob("*.yaml")]:
        for match in re.finditer(r"uses:\s*([\w.-]+/[\w.-]+)@(\S+)", path.read_text()):
            used.add((match.group(1), match.group(2)))
    return used


def test_the_table_lists_exactly_the_actions_the_workflows_use() -> None:
    assert _workflow_actions() == {(p.name, p.version) for p in of_kind("github-action")}


def test_upgrade_pull_requests_run_the_offline_plan() -> None:
    """Renovate opens PRs against main from a branch of this repository: pull-request.yml runs on them."""
    assert CONFIG["baseBranchPatterns"] == ["main"]
    assert "github-actions" in CONFIG["enabledManagers"] and "pep621" in CONFIG["enabledManagers"]
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "pull-request.yml").read_text())
    trigger = workflow[True]["pull_request"]  # YAML 1.1 reads the key `on` as True
    assert trigger["branches"] == ["main"] and not {"paths", "paths-ignore", "branches-ignore"} & set(trigger)
    assert "offline-plan" in workflow["jobs"]
