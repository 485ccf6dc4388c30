"""Extract the facts the values check needs from a Helm chart's source, into ``tools/data/charts/``.

Helm ignores a values key no template reads, so a misspelt key is a silent no-op. The check in
``tools/chart_facts.py`` compares every key path the program sets with what the chart at its pinned
version defines; this script records those definitions from the chart's own source, with where they
came from, so the check runs offline and a pin bump comes with a refresh:

    # from a git checkout of the chart's repository (a tag of the chart release):
    python -m tools.refresh_chart_facts --git /path/to/repo/.git --ref kube-prometheus-stack-88.5.3 \
        --path charts/kube-prometheus-stack --source https://github.com/prometheus-community/helm-charts
    # or from a packaged chart, unpacked (``helm pull --untar``):
    python -m tools.refresh_chart_facts --dir ./kube-prometheus-stack --source https://prometheus-community.github.io/helm-charts

``--version`` names the chart version when the chart's ``Chart.yaml`` carries a placeholder (cert-manager
stamps ``v0.0.0`` in its repository and the real version at release). What is recorded:

- ``value_paths``: every key path of ``values.yaml`` (maps are descended; lists and scalars are leaves);
- ``template_paths``: every ``.Values.a.b`` the templates read (keys a chart reads without a default);
- ``open_paths``: maps the chart passes through whole (``toYaml``/``tpl``/``range`` over them, or an
  empty ``{}`` default): any key below them is the consumer's (a Kubernetes object, a config file);
- ``subcharts``: dependencies by the values key they are configured under, with their version;
- ``schema``: ``values.schema.json`` when the chart has one (Helm validates values against it).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

OUT_DIR = Path(__file__).resolve().parent / "data" / "charts"

#: ``.Values.a.b`` / ``$.Values.a.b`` in templates; ``index .Values "a-b"`` is read for hyphenated keys.
_VALUES_REF = re.compile(r"\$?\.Values((?:\.[A-Za-z_][\w-]*)+)")
#: A map passed through whole: ``toYaml .Values.x``, ``tpl (toYaml .Values.x)``, ``range $k, $v := .Values.x``.
_OPEN_REF = re.compile(
    r"(?:toYaml|toJson|toPrettyJson|range\s+\$\w+\s*,\s*\$\w+\s*:=)\s*\(?\s*\$?\.Values((?:\.[A-Za-z_][\w-]*)+)"
)
#: ``with .Values.x`` whose body renders ``.`` whole (``toYaml .``) or ranges over it: the nodeSelector idiom.
_WITH_OPEN = re.compile(
    r"with\s+\$?\.Values((?:\.[A-Za-z_][\w-]*)+)\s*-?\}\}(?:(?!\{\{-?\s*end).){0,400}?"
    r"(?:toYaml|toJson|tpl|range\s+\$\w+\s*,\s*\$\w+\s*:=)\s*\(?\s*\.(?=[\s)|}])",
    re.DOTALL,
)
#: Maps merged into others (``merge $x (.Values.nodeSelector | default dict)``) are passed through too.
_MERGE_OPEN = re.compile(
    r"(?:merge|mergeOverwrite)\b[^}]*?\$?\.Values((?:\.[A-Za-z_][\w-]*)+)|"
    r"\$?\.Values((?:\.[A-Za-z_][\w-]*)+)\s*\|\s*default\s+dict"
)
#: ``index .Values "grafana.ini"`` (keys a dotted reference cannot spell), rewritten as a dotted reference.
_INDEX = re.compile(r"index\s+(\$?\.Values(?:\.[A-Za-z_][\w-]*)*)((?:\s+\"[^\"]+\")+)")


def _dotted_index(match: re.Match[str]) -> str:
    return match.group(1) + "".join(f".{key}" for key in re.findall(r"\"([^\"]+)\"", match.group(2)))


class ChartSource:
    """Files of one chart, from a git ref or a directory."""

    def __init__(self, *, git: Path | None, ref: str | None, path: str, directory: Path | None) -> None:
        self.git, self.path, self.directory = git, path.strip("/"), directory
        self.ref: str = ref or "HEAD"  # only a git source reads it, and main() requires --ref with --git

    def read(self, name: str) -> str | None:
        if self.directory is not None:
            file = self.directory / name
            return file.read_text() if file.exists() else None
        result = subprocess.run(
            ["git", f"--git-dir={self.git}", "show", f"{self.ref}:{self.path}/{name}"],
            capture_output=True,
            text=True,
        )
        return result.stdout if result.returncode == 0 else None

    def templates(self) -> Iterator[tuple[str, str]]:
        if self.directory is not None:
            for file in sorted((self.directory / "templates").rglob("*")):
                if file.is_file():
                    yield str(file.relative_to(self.directory)), file.read_text(errors="replace")
            return
        listing = subprocess.run(
            [
                "git",
                f"--git-dir={self.git}",
                "ls-tree",
                "-r",
                "--name-only",
                self.ref,
                f"{self.path}/templates/",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for name in listing:
            text = self.read(name.removeprefix(f"{self.path}/"))
            if text is not None:
                yield name, text

    def commit(self) -> str | None:
        if self.git is None:
            return None
        return subprocess.run(
            ["git", f"--git-dir={self.git}", "rev-list", "-n", "1", self.ref],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()


def value_paths(values: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every dotted key path of a values document, with its default."""
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        path = f"{prefix}{key}"
        yield path, value
        yield from value_paths(value, f"{path}.")


def template_facts(templates: Iterator[tuple[str, str]]) -> tuple[set[str], set[str]]:
    """(paths read, paths passed through whole) from the chart's templates."""
    read: set[str] = set()
    opened: set[str] = set()
    for _name, raw in templates:
        text = _INDEX.sub(_dotted_index, raw)
        read.update(m.group(1)[1:] for m in _VALUES_REF.finditer(text))
        opened.update(m.group(1)[1:] for m in _OPEN_REF.finditer(text))
        opened.update(m.group(1)[1:] for m in _WITH_OPEN.finditer(text))
        opened.update((m.group(1) or m.group(2))[1:] for m in _MERGE_OPEN.finditer(text))
    return read, opened


def schema_open_paths(schema: Any) -> set[str]:
    """Paths the schema types as free-form maps (``additionalProperties`` allowed, no fixed properties)."""
    found: set[str] = set()

    def resolve(node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            target: Any = schema
            for part in node["$ref"][2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            node, seen = target, seen + 1
            if seen > 50:
                break
        return node

    def walk(node: Any, path: str, depth: int) -> None:
        node = resolve(node)
        if not isinstance(node, dict) or depth > 30:
            return
        extra = node.get("additionalProperties")
        if path and extra not in (None, False) and not node.get("properties"):
            found.add(path)
        for key, child in (node.get("properties") or {}).items():
            walk(child, f"{path}.{key}" if path else key, depth + 1)
        for combinator in ("allOf", "anyOf", "oneOf"):
            for child in node.get(combinator) or []:
                walk(child, path, depth + 1)

    walk(schema, "", 0)
    return found


def extract(source: ChartSource, *, origin: str, version: str | None) -> dict[str, Any]:
    """The facts document of one chart."""
    chart_yaml = source.read("Chart.yaml")
    if chart_yaml is None:
        raise SystemExit(f"no Chart.yaml under {source.path or source.directory}")
    chart = yaml.safe_load(chart_yaml)
    if version is None and str(chart["version"]).lstrip("v") == "0.0.0":
        raise SystemExit(
            f"{chart['name']}: Chart.yaml holds the placeholder {chart['version']}; pass --version"
        )
    values = yaml.safe_load(source.read("values.yaml") or "{}") or {}
    schema_text = source.read("values.schema.json")
    read, opened = template_facts(source.templates())
    defaults = dict(value_paths(values))
    opened |= {path for path, default in defaults.items() if default == {}}
    schema = json.loads(schema_text) if schema_text else None
    if schema is not None:
        opened |= schema_open_paths(schema)
    subcharts = {
        (dep.get("alias") or dep["name"]): {"chart": dep["name"], "version": str(dep.get("version", ""))}
        for dep in chart.get("dependencies") or []
    }
    return {
        "chart": chart["name"],
        "version": version or str(chart["version"]),
        "appVersion": str(chart.get("appVersion", "")),
        "kubeVersion": chart.get("kubeVersion"),
        "source": {
            "repository": origin,
            "ref": source.ref,
            "commit": source.commit(),
            "path": source.path or None,
            "extracted": datetime.now(UTC).date().isoformat(),
            "by": "tools/refresh_chart_facts.py",
        },
        "value_paths": sorted(defaults),
        "template_paths": sorted(read),
        "open_paths": sorted(opened),
        "subcharts": subcharts,
        "schema": schema,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--git", type=Path, help="a git directory of the chart's repository")
    where.add_argument("--dir", type=Path, help="an unpacked chart (helm pull --untar)")
    parser.add_argument("--ref", help="with --git: the chart release's tag or commit")
    parser.add_argument("--path", default="", help="with --git: the chart's directory in the repository")
    parser.add_argument("--source", required=True, help="the public repository the chart came from (cited)")
    parser.add_argument("--version", help="the chart version, when Chart.yaml holds a placeholder")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    if args.git is not None and not args.ref:
        parser.error("--git needs --ref")
    source = ChartSource(git=args.git, ref=args.ref, path=args.path, directory=args.dir)
    facts = extract(source, origin=args.source, version=args.version)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"{facts['chart']}-{facts['version']}.json"
    target.write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n")
    print(f"{target}: {len(facts['value_paths'])} value paths, {len(facts['template_paths'])} template paths")
    return 0


if __name__ == "__main__":
    sys.exit(main())
