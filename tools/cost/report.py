"""The estimate as text: a table of components, or every resource with its price breakdown."""

from __future__ import annotations

from collections import defaultdict

from tools import cli
from tools.cost.model import CostLine, CostReport, NotPriced


def money(value: float) -> str:
    return f"${value:,.2f}"


def format_report(report: CostReport, verbose: bool = False) -> str:
    """The estimate: a table of components (default), or every resource with its price breakdown
    (``verbose``); then what could not be priced, each reason said once."""
    out = [
        f"Monthly cost estimate for stack {report.stack}: {money(report.total)} {report.currency}",
        f"  prices: {report.region}, on-demand, dated {report.prices_dated} (tools/data/prices-us-east-1.json); "
        f"usage: {report.usage_source}",
        "",
    ]
    by_component: dict[str, list[CostLine]] = defaultdict(list)
    for line in report.lines:
        by_component[line.component].append(line)
    rows: list[list[str]] = [["component", "resources", "monthly", ""]]
    for component, lines in sorted(by_component.items()):
        rows.append([component, str(len(lines)), money(round(sum(line.monthly for line in lines), 2)), ""])
        if not verbose:
            continue
        for line in sorted(lines, key=lambda x: (-x.monthly, x.name)):
            rows.append([f"  {line.name}", "", money(line.monthly), line.type])
            rows.extend(
                [
                    f"      {item.label}",
                    "",
                    money(item.monthly),
                    f"{item.quantity:,.2f} {item.unit} x ${item.unit_price:g}",
                ]
                for item in line.items
            )
            rows.extend(
                [f"      usage not set: {key} (counted as 0)", "", "", ""] for key in line.missing_usage
            )
            rows.extend([f"      note: {note}", "", "", ""] for note in line.notes)
    rows.append(["total", str(len(report.lines)), money(report.total), ""])
    out.extend(cli.table(rows, right=(1, 2)))
    if report.not_priced:
        out.append(f"\n  Not priced ({len(report.not_priced)}): cost not included above")
        by_reason: dict[str, list[NotPriced]] = defaultdict(list)
        for item in report.not_priced:
            by_reason[item.reason].append(item)
        for reason, items in by_reason.items():
            types = sorted({item.type.rsplit(":", 1)[-1] for item in items})
            out.append(f"    {len(items)} x {', '.join(types)}: {reason}")
            if verbose:
                out.extend(f"      {item.name}" for item in items)
    missing = report.missing_usage()
    if missing and not verbose:  # verbose marks each line instead
        out.append(
            f"\n  Usage not set ({len(missing)}, counted as 0; edit {report.usage_source}): "
            + ", ".join(sorted(f"{line.name}.{key}" for line, key in missing))
        )
    out.append(
        f"\n  {report.free} resources have no charge of their own (subnets, IAM, security groups, Kubernetes objects...)"
    )
    if not verbose:
        out.append("  --verbose: every resource with its price breakdown")
    return "\n".join(out)
