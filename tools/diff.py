"""``python -m tools diff BASE.json HEAD.json``: what a change does to a stack, as a PR comment.

Markdown, from two plan files of the same stack: a headline with counts and the monthly cost delta
(changes ``pulumi up`` ignores are priced at $0); what would make ``pulumi up`` fail (a protected
resource replaced or deleted, a refused major upgrade); resources that would be **replaced** (a
replace-forcing property changed, or an input refers to a replaced resource; see :mod:`tools.changes`
and :mod:`tools.replacements`) or deleted while holding data, flagged first and loudly, each once;
what the offline data cannot classify ("unknown: check `pulumi preview`"); a Mermaid diagram of the
components touched; then per component every resource with each changed property as old -> new
(secrets stay redacted: plans never contain them).
"""

from __future__ import annotations

import argparse
import copy
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from tools import cli, diagram
from tools.changes import MISSING, Change, ResourceDiff, changed_properties, compare, flatten
from tools.cost import money
from tools.errors import ToolError
from tools.plan import FORMAT_VERSION, load_plan

__all__ = ["Change", "ResourceDiff", "changed_properties", "compare", "flatten", "render_markdown"]

MARKER = "<!-- quantumvest-offline-plan:{stack} -->"
MAX_ROWS = 60
MAX_VALUE = 70


def _short(urn: str | None) -> str | None:
    return urn.rsplit("::", 1)[-1] if urn else urn


# --------------------------------------------------------------------------- rendering


def _value(value: Any) -> str:
    if value is MISSING:
        return "(unset)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = " ".join(text.split())
    if len(text) > MAX_VALUE:
        text = text[: MAX_VALUE - 1] + "…"
    return "`" + text.replace("`", "'").replace("|", "\\|") + "`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


SYMBOL = {
    "add": "🆕 add",
    "remove": "🗑️ delete",
    "change": "🔧 update",
    "replace": "♻️ **REPLACE**",
    "rename": "🏷️ rename",
    "ignored": "⏸️ ignored",
}
ORDER = {"replace": 0, "remove": 1, "rename": 2, "add": 3, "change": 4, "ignored": 5}
WORDS = {
    "replace": "to replace",
    "remove": "to delete",
    "rename": "renamed",
    "add": "to add",
    "change": "to update",
    "ignored": "ignored",
}
UNKNOWN = "**unknown: check `pulumi preview`**"
IGNORED = "ignored by `pulumi up` (`ignore_changes`), $0"


def _symbol(d: ResourceDiff) -> str:
    if d.errors:
        return "❌ " + SYMBOL[d.kind]
    if d.kind == "change" and d.unknown:
        return "❔ update or replace"
    return SYMBOL[d.kind]


def _details(d: ResourceDiff) -> str:
    if d.kind == "add":
        return "new"
    if d.kind == "remove":
        notes = ["**holds data**"] if d.stateful else []
        notes += d.notes + d.errors
        return "; ".join(notes) or "deleted"
    forced = {r.path for r in d.replacements}
    parts = []
    if d.kind == "rename":
        parts.append(f"from `{_short(d.old_entry['urn'])}` (alias: no replacement)")  # type: ignore[index]
    for change in d.changes:
        mark = " **(forces replacement)**" if change.path in forced else ""
        if change.ignored:
            mark = f" — {IGNORED}"
        parts.append(f"`{change.path}`: {_value(change.old)} → {_value(change.new)}{mark}")
    parts += d.notes
    parts += [f"❌ {e}" for e in d.errors]
    if d.unknown:
        parts.append(UNKNOWN)
    return _cell("<br>".join(parts) or "—")


def effective_cost(
    base: dict[str, Any], head: dict[str, Any], diffs: list[ResourceDiff]
) -> dict[str, Any] | None:
    """Head's cost with every ignored resource at its base price: `pulumi up` does not apply the change."""
    if "cost" not in head:
        return None
    cost = copy.deepcopy(head["cost"])
    before = base.get("cost", {}).get("resources", {})
    for d in diffs:
        urn = d.entry["urn"]
        if d.kind != "ignored" or urn not in cost.get("resources", {}) or urn not in before:
            continue
        delta = before[urn] - cost["resources"][urn]
        cost["resources"][urn] = before[urn]
        cost["monthly_total"] = round(cost["monthly_total"] + delta, 2)
        component = d.component
        cost["by_component"][component] = round(cost["by_component"].get(component, 0.0) + delta, 2)
    return cost


def _cost_lines(base: dict[str, Any], head: dict[str, Any], diffs: list[ResourceDiff]) -> list[str]:
    if "cost" not in base or "cost" not in head:
        return []
    old, new = base["cost"], effective_cost(base, head, diffs) or head["cost"]
    delta = round(new["monthly_total"] - old["monthly_total"], 2)
    sign = "+" if delta >= 0 else "-"
    ignored = any(d.kind == "ignored" for d in diffs)
    lines = [
        f"**Monthly cost:** {money(old['monthly_total'])} → {money(new['monthly_total'])} "
        f"(**{sign}{money(abs(delta))}** {new['currency']}/month; {new['prices_region']} prices dated {new['prices_dated']}, "
        f"usage from `{new['usage_file']}`"
        + ("; changes `pulumi up` ignores are priced at $0" if ignored else "")
        + ")"
    ]
    components = sorted(set(old["by_component"]) | set(new["by_component"]))
    rows = []
    for component in components:
        a, b = old["by_component"].get(component, 0.0), new["by_component"].get(component, 0.0)
        if round(b - a, 2):
            d = round(b - a, 2)
            rows.append(f"| {component} | {money(a)} | {money(b)} | {'+' if d > 0 else '-'}{money(abs(d))} |")
    if rows:
        lines += ["", "| component | before | after | delta |", "|---|---:|---:|---:|", *rows]
    added_unpriced = {n["urn"] for n in new["not_priced"]} - {n["urn"] for n in old["not_priced"]}
    if added_unpriced:
        lines += [
            "",
            f"Not priced (new in this change): {', '.join(f'`{_short(u)}`' for u in sorted(added_unpriced))}",
        ]
    return lines


def _policy_lines(base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    policy = head.get("policy")
    if not policy:
        return []
    before = {json.dumps(f, sort_keys=True) for f in base.get("policy", {}).get("findings", [])}
    new = [f for f in policy["findings"] if json.dumps(f, sort_keys=True) not in before]
    if policy["status"].endswith("not present"):
        return [f"- **Policy:** {policy['status']}"]
    lines = [
        f"- **Policy:** {policy['status']}: {len(policy['findings'])} findings, {len(new)} new in this change"
    ]
    lines += [
        f"  - [{f['level']}] `{f['rule']}` on `{_short(f['resource']) or '-'}`: {f['message']}" for f in new
    ]
    return lines


def _deploy_line(base: dict[str, Any], head: dict[str, Any]) -> list[str]:
    if "deploy_time" not in head:
        return []
    new = head["deploy_time"]["estimate_minutes"]
    old = base.get("deploy_time", {}).get("estimate_minutes")
    was = f"{old} → " if old is not None else ""
    return [
        f"- **Deploy from scratch:** {was}{new} min (critical path, {head['deploy_time']['parallelism']} operations at once)"
    ]


def _touched_diagram(base: dict[str, Any], head: dict[str, Any], diffs: list[ResourceDiff]) -> list[str]:
    kinds: dict[str, set[str]] = defaultdict(set)
    for d in diffs:
        kinds[d.component].add(d.kind)
    if not kinds:
        return []
    head_components = set(diagram.components(head))
    base_components = set(diagram.components(base))
    styles: dict[str, str] = {}
    for component, found in kinds.items():
        if component not in head_components:
            styles[component] = "removed"
        elif component not in base_components:
            styles[component] = "added"
        elif "replace" in found:
            styles[component] = "replaced"
        else:
            styles[component] = "changed"
    merged = dict(head)
    present = {e["urn"] for e in head["resources"]}
    merged["resources"] = head["resources"] + [e for e in base["resources"] if e["urn"] not in present]
    touched = set(styles)
    neighbours = {a for (a, b) in diagram.edges(merged) if b in touched} | {
        b for (a, b) in diagram.edges(merged) if a in touched
    }
    for name in neighbours - touched:
        styles[name] = "context"
    return ["```mermaid", diagram.mermaid(merged, only=touched | neighbours, styles=styles), "```"]


def _replaced_table(replaced: list[ResourceDiff]) -> list[str]:
    """The CAUTION block: each replaced resource once, with every reason."""
    stateful = sum(d.stateful for d in replaced)
    out = [
        "",
        "> [!CAUTION]",
        f"> **{len(replaced)} resource(s) will be REPLACED** — deleted and re-created, not updated in place"
        + (
            f"; **{stateful} hold data**, which is lost unless restored from a snapshot." if stateful else "."
        ),
        ">",
        "> | resource | type | forced by | old → new | why |",
        "> |---|---|---|---|---|",
    ]
    for d in sorted(replaced, key=lambda x: x.entry["urn"]):
        by_path = {c.path: c for c in d.changes}
        paths = ", ".join(f"`{r.path}`" for r in d.replacements)
        values = (
            "<br>".join(
                f"{_value(by_path[r.path].old)} → {_value(by_path[r.path].new)}"
                for r in d.replacements
                if r.path in by_path
            )
            or "(computed)"
        )
        why = "<br>".join(dict.fromkeys(_cell(r.source) for r in d.replacements))
        out.append(f"> | `{d.entry['name']}` | `{d.entry['type']}` | {paths} | {values} | {why} |")
    return out


def render_markdown(base: dict[str, Any], head: dict[str, Any], base_note: str | None = None) -> str:
    """The PR comment for one stack."""
    if base["stack"] != head["stack"]:
        raise ToolError(f"the plans are of different stacks ({base['stack']!r} and {head['stack']!r})")
    stack = head["stack"]
    diffs = compare(base, head)
    count: dict[str, int] = defaultdict(int)
    for d in diffs:
        count[d.kind] += 1
    unknown = [d for d in diffs if d.unknown]
    out = [MARKER.format(stack=stack), f"### Offline plan: `{stack}`", ""]
    if base_note:
        out += [f"> [!NOTE]\n> {base_note}", ""]
    if not diffs:
        out.append(f"**No resource changes** ({head['summary']['resources']} resources).")
    else:
        out.append(
            f"**{count['add']} to add · {count['change']} to update · {count['replace']} to replace · "
            f"{count['remove']} to delete · {count['rename']} renamed"
            + (f" · {count['ignored']} ignored by `pulumi up`" if count["ignored"] else "")
            + f"** (of {head['summary']['resources']} resources)"
            + (f" · **{len(unknown)} unknown: check `pulumi preview`**" if unknown else "")
        )
    out += ["", *_cost_lines(base, head, diffs)]
    failing = [d for d in diffs if d.errors]
    if failing:
        out += ["", "> [!CAUTION]", "> **`pulumi up` would fail:**"]
        out += [f"> - `{d.entry['name']}`: {_cell(e)}" for d in failing for e in d.errors]
    replaced = [d for d in diffs if d.kind == "replace"]
    if replaced:
        out += _replaced_table(replaced)
    lost = [d for d in diffs if d.kind == "remove" and d.stateful]
    if lost:
        out += ["", "> [!CAUTION]", f"> **{len(lost)} resource(s) holding data will be DELETED:** "
                + ", ".join(f"`{d.entry['name']}` (`{d.entry['type']}`)" + (" (retained: left in the account)" if d.retained else "") for d in lost)]  # fmt: skip
    if unknown:
        out += ["", "> [!WARNING]", "> The offline data cannot tell whether these are updated or replaced: "
                "check `pulumi preview`: " + ", ".join(f"`{d.entry['name']}`" for d in unknown)]  # fmt: skip
    ignored = [d for d in diffs if d.kind == "ignored"]
    if ignored:
        out += ["", "> [!NOTE]", "> Changed in the program but ignored by `pulumi up` (`ignore_changes`; "
                "the running value is managed elsewhere, e.g. the cluster autoscaler): "
                + ", ".join(f"`{d.entry['name']}`" for d in ignored)]  # fmt: skip
    extra = _deploy_line(base, head) + _policy_lines(base, head)
    if extra:
        out += ["", *extra]
    picture = _touched_diagram(base, head, [d for d in diffs if d.kind != "ignored"])
    if picture:
        out += ["", "#### Components touched", "", *picture]
    by_component: dict[str, list[ResourceDiff]] = defaultdict(list)
    for d in diffs:
        by_component[d.component].append(d)
    for component in sorted(by_component):
        items = sorted(by_component[component], key=lambda d: (ORDER[d.kind], d.entry["name"]))
        summary = ", ".join(
            f"{sum(d.kind == k for d in items)} {WORDS[k]}" for k in ORDER if any(d.kind == k for d in items)
        )
        out += [
            "",
            f"#### {component} ({summary})",
            "",
            "| | resource | type | changes |",
            "|---|---|---|---|",
        ]
        for d in items[:MAX_ROWS]:
            out.append(f"| {_symbol(d)} | `{d.entry['name']}` | `{d.entry['type']}` | {_details(d)} |")
        if len(items) > MAX_ROWS:
            out.append(f"| | … and {len(items) - MAX_ROWS} more | | |")
    out += ["", "<sub>Offline plan: the program run under Pulumi's mock engine (`python -m tools plan`); "
            "no cloud credentials, no state. The real `pulumi preview` is posted separately.</sub>", ""]  # fmt: skip
    return "\n".join(out)


#: GitHub rejects comments over 65,536 characters.
COMMENT_LIMIT = 60_000


def fit_comment(text: str, limit: int = COMMENT_LIMIT) -> str:
    """``text`` cut at a line boundary to fit a PR comment, saying so (code fences closed)."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit("\n", 1)[0]
    if cut.count("```") % 2:
        cut += "\n```"
    return cut + "\n\n**Truncated** to fit a comment: run `python -m tools diff` locally for the rest.\n"


def empty_plan(stack: str) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "stack": stack,
        "resources": [],
        "outputs": {},
        "summary": {"resources": 0, "by_component": {}},
    }


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands, "diff", run, help="Markdown diff of two plan files, for a pull-request comment"
    )
    parser.add_argument("base", type=Path, help="plan of the base commit")
    parser.add_argument("head", type=cli.existing_file, help="plan of the head commit")
    parser.add_argument("--out", type=cli.output_file, help="write the Markdown here instead of stdout")
    parser.add_argument(
        "--allow-missing-base",
        action="store_true",
        help="treat a missing base plan as an empty stack (the base commit predates the offline plan)",
    )
    cli.add_check(parser, _check_base)


def _check_base(args: argparse.Namespace) -> None:
    """The base plan exists unless ``--allow-missing-base`` says a missing one is expected."""
    if not args.allow_missing_base:
        cli.existing_file(str(args.base))


def run(args: argparse.Namespace) -> int:
    head = load_plan(args.head)
    note = None
    if args.allow_missing_base and not args.base.exists():
        base = empty_plan(head["stack"])
        note = (
            "No usable plan for the base commit (it predates `python -m tools plan`, or wrote another plan "
            "format): everything shows as added."
        )
    else:
        base = load_plan(args.base)
    text = fit_comment(render_markdown(base, head, note))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    else:
        print(text, end="")
    return 0
