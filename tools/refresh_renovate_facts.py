"""Record the option names, managers and datasources a Renovate release knows, for the config test.

Renovate reads ``renovate.json`` when it runs on GitHub, long after review: a misspelt option or an
unknown datasource only shows up as a warning on its dashboard. ``tests/test_renovate.py`` checks the
config against these facts, taken from the published ``renovate`` npm package (its
``renovate-schema.json`` and its ``dist/modules`` directories), so the check runs offline:

    npm pack renovate@<version> && tar xzf renovate-<version>.tgz
    python -m tools.refresh_renovate_facts package/
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "data" / "renovate-facts.json"


def _object_options(schema: dict[str, Any], name: str) -> list[str]:
    """Option names of an array-of-objects option (``packageRules``, ``customManagers``)."""
    items = schema["definitions"][name]["items"]
    parts = items.get("allOf", [items])
    return sorted({key for part in parts for key in part.get("properties", {})})


def extract(package: Path) -> dict[str, Any]:
    schema = json.loads((package / "renovate-schema.json").read_text())
    meta = json.loads((package / "package.json").read_text())
    modules = package / "dist" / "modules"
    return {
        "source": {
            "package": f"npm:renovate@{meta['version']}",
            "files": ["renovate-schema.json", "dist/modules/manager/*", "dist/modules/datasource/*"],
            "by": "tools/refresh_renovate_facts.py",
        },
        "version": meta["version"],
        "options": sorted(schema["properties"]),
        "package_rule_options": _object_options(schema, "packageRules"),
        "custom_manager_options": _object_options(schema, "customManagers"),
        "managers": sorted(p.name for p in (modules / "manager").iterdir() if p.is_dir()),
        "custom_managers": sorted(p.name for p in (modules / "manager" / "custom").iterdir() if p.is_dir()),
        "datasources": sorted(p.name for p in (modules / "datasource").iterdir() if p.is_dir()),
        "versionings": sorted(p.name for p in (modules / "versioning").iterdir() if p.is_dir()),
        "enums": {
            name: definition["enum"]
            for name, definition in sorted(schema["definitions"].items())
            if isinstance(definition.get("enum"), list)
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("package", type=Path, help="the unpacked npm package directory (package/)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    facts = extract(args.package)
    args.out.write_text(json.dumps(facts, indent=1) + "\n")
    print(f"{args.out}: renovate {facts['version']}, {len(facts['options'])} options")
    return 0


if __name__ == "__main__":
    sys.exit(main())
