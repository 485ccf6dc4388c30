"""``python -m tools.refresh_provider_facts --terraform-aws PATH [--pulumi-aws PATH]``: re-derive the
provider facts in ``tools/data/`` from provider checkouts, so they follow provider upgrades.

For every AWS type in ``replacements.json`` whose source names a terraform-provider-aws file
(``internal/service/<svc>/<file>.go``), the resource schema in that file is read:

- SDKv2 (``map[string]*schema.Schema{``): top-level attributes with ``ForceNew: true``;
- plugin framework (``Attributes: map[string]schema.Attribute{``): attributes with ``RequiresReplace()``;
- the auto-named attribute's ``validation.StringLenBetween(min, max)`` -> its maximum length.

Keys written as ``names.AttrXxx`` are resolved through ``internal/names/attr_consts_gen.go``. With
``--pulumi-aws``, ``provider/resources.go`` gives the ``tfbridge.AutoName("<prop>", <max>, "<sep>")``
declarations and property renames (``alarm_name`` -> ``name``). Top-level ``force_new`` lists are
replaced by what the files say; nested paths (``launchTemplate.id``), notes, conditions, constraints
and Kubernetes entries are kept as they are (they come from elsewhere). ``--check`` reports what would
change and exits 1 if anything would, without writing.

Limits: the Terraform type name is derived from the file (``iam/role.go`` -> ``aws_iam_role``); where
the provider names it otherwise (``ec2/vpc_subnet.go`` is ``aws_subnet``) the ``AutoName`` declaration
is not matched and that type's auto-naming entry is left as it is. Enumerations and patterns are not
re-derived (validators built from SDK enums need the AWS SDK's values): review them on upgrades.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
TF_PREFIX = "terraform-provider-aws internal/service/"


def _block(text: str, start: int) -> str:
    """The text from the ``{`` at or after ``start`` to its matching ``}`` (exclusive of both)."""
    open_at = text.index("{", start)
    depth = 0
    for index in range(open_at, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[open_at + 1 : index]
    raise ValueError("unbalanced braces")


def _top_level_entries(body: str) -> dict[str, str]:
    """``"key": {...}`` / ``names.AttrKey: {...}`` / ``"key": schema.XAttribute{...}`` at depth 0 of ``body``."""
    entries: dict[str, str] = {}
    depth = 0
    index = 0
    key_re = re.compile(r'\s*("([a-z0-9_]+)"|names\.(Attr[A-Za-z0-9]+))\s*:\s*([A-Za-z0-9_.]*)\{')
    while index < len(body):
        char = body[index]
        if depth == 0:
            match = key_re.match(body, index)
            if match:
                key = match.group(2) or match.group(3)
                inner = _block(body, match.end() - 1)
                entries[key] = inner
                index = match.end() + len(inner) + 1
                continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        index += 1
    return entries


def _shallow(block: str) -> str:
    """``block`` without its nested ``{...}`` parts (so a nested attribute's ForceNew does not count)."""
    out, depth = [], 0
    for char in block:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def attr_names(checkout: Path) -> dict[str, str]:
    """``AttrKMSKeyID`` -> ``kms_key_id`` from ``internal/names/attr_consts_gen.go`` (heuristic otherwise)."""
    found: dict[str, str] = {}
    path = checkout / "internal" / "names" / "attr_consts_gen.go"
    if path.exists():
        for const, value in re.findall(r'(Attr[A-Za-z0-9]+)\s*=\s*"([a-z0-9_]+)"', path.read_text()):
            found[const] = value
    return found


def _resolve(key: str, names: dict[str, str]) -> str:
    if not key.startswith("Attr"):
        return key
    if key in names:
        return names[key]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", key[4:])
    return words.lower()


def camel(snake: str) -> str:
    """terraform ``kms_key_id`` -> pulumi ``kmsKeyId``."""
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def parse_schema(text: str, names: dict[str, str]) -> tuple[list[str], dict[str, int]]:
    """(replace-forcing attributes, attribute -> maximum length) of a resource file's top-level schema."""
    forcing: list[str] = []
    max_lengths: dict[str, int] = {}
    for marker, forces in (
        ("map[string]*schema.Schema{", re.compile(r"ForceNew:\s*true")),
        ("Attributes: map[string]schema.Attribute{", re.compile(r"RequiresReplace(If)?\(")),
    ):
        at = text.find(marker)
        if at < 0:
            continue
        for key, block in _top_level_entries(_block(text, at + len(marker) - 1)).items():
            name = _resolve(key, names)
            scope = _shallow(block) if marker.startswith("map[string]*schema") else block
            if forces.search(scope):
                forcing.append(name)
            length = re.search(r"StringLenBetween\(\s*\d+\s*,\s*(\d+)\s*\)", block)
            if length:
                max_lengths[name] = int(length.group(1))
    return sorted(set(forcing)), max_lengths


def parse_autonames(resources_go: str) -> dict[str, dict[str, tuple[str, int, bool]]]:
    """terraform type -> {tf attribute: (pulumi property, max length, lower-case)} from resources.go:
    ``tfbridge.AutoName("prop", N, "-")`` and ``tfbridge.AutoNameTransform("prop", N, <strings.ToLower>)``."""
    found: dict[str, dict[str, tuple[str, int, bool]]] = {}
    declaration = re.compile(r'"([a-z0-9_]+)":\s*tfbridge\.AutoName(Transform)?\("([A-Za-z0-9]+)",\s*(\d+),')
    for match in re.finditer(r'"(aws_[a-z0-9_]+)":\s*\{', resources_go):
        body = _block(resources_go, match.end() - 1)
        for hit in declaration.finditer(body):
            lower = bool(hit.group(2)) and "ToLower" in body[hit.end() : hit.end() + 120]
            found.setdefault(match.group(1), {})[hit.group(1)] = (hit.group(3), int(hit.group(4)), lower)
    return found


def _tf_file(source: str) -> str | None:
    if not source.startswith(TF_PREFIX):
        return None
    rest = source[len(TF_PREFIX) :]
    match = re.match(r"([a-z0-9_]+/[a-z0-9_]+\.go)", rest)
    return match.group(1) if match else None


def refresh(
    replacements: dict[str, Any],
    limits: dict[str, Any],
    terraform: Path,
    pulumi_aws: Path | None = None,
) -> list[str]:
    """Update both documents in place from the checkouts; return what changed, one line each."""
    names = attr_names(terraform)
    autonames = parse_autonames((pulumi_aws / "provider" / "resources.go").read_text()) if pulumi_aws else {}
    changed: list[str] = []
    for type_token, entry in sorted(replacements["types"].items()):
        relative = _tf_file(entry.get("source", ""))
        if relative is None or entry.get("force_new") is None:
            continue
        path = terraform / "internal" / "service" / relative
        if not path.exists():
            changed.append(f"{type_token}: {path} not found (the resource moved?): kept as is")
            continue
        forcing, max_lengths = parse_schema(path.read_text(), names)
        tf_type = "aws_" + relative.split("/")[0] + "_" + Path(relative).stem
        renames = {attr: spec[0] for attr, spec in autonames.get(tf_type, {}).items()}
        top = sorted({renames.get(a, camel(a)) for a in forcing})
        nested = [p for p in entry["force_new"] if "." in p]
        updated = sorted(set(top) | set(nested))
        if updated != sorted(entry["force_new"]):
            changed.append(f"{type_token}: force_new {sorted(entry['force_new'])} -> {updated}")
            entry["force_new"] = updated
        autoname = (limits["types"].get(type_token) or {}).get("autoname")
        for prop, length, lower in autonames.get(tf_type, {}).values():
            if (
                autoname
                and prop == autoname["property"]
                and (length, lower)
                != (
                    autoname["max_length"],
                    autoname["lowercase"],
                )
            ):
                changed.append(f"{type_token}: auto-name of {prop} -> at most {length}, lower-case {lower}")
                autoname.update(max_length=length, lowercase=lower)
        if autoname:
            for attr, length in max_lengths.items():
                if (
                    renames.get(attr, camel(attr)) == autoname["property"]
                    and length != autoname["max_length"]
                ):
                    changed.append(
                        f"{type_token}: {autoname['property']} max {autoname['max_length']} -> {length}"
                    )
                    autoname["max_length"] = length
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.refresh_provider_facts", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument(
        "--terraform-aws", type=Path, required=True, help="checkout of hashicorp/terraform-provider-aws"
    )
    parser.add_argument(
        "--pulumi-aws", type=Path, help="checkout of pulumi/pulumi-aws (AutoName declarations)"
    )
    parser.add_argument(
        "--data", type=Path, default=DATA, help="folder with replacements.json and provider-limits.json"
    )
    parser.add_argument("--check", action="store_true", help="report changes, write nothing, exit 1 if any")
    args = parser.parse_args(argv)
    files = {name: args.data / f"{name}.json" for name in ("replacements", "provider-limits")}
    documents = {name: json.loads(path.read_text()) for name, path in files.items()}
    changed = refresh(
        documents["replacements"], documents["provider-limits"], args.terraform_aws, args.pulumi_aws
    )
    for line in changed:
        print(line)
    if args.check:
        return 1 if changed else 0
    for name, path in files.items():
        path.write_text(json.dumps(documents[name], indent=1, sort_keys=True) + "\n")
    print(f"{len(changed)} change(s) written to {args.data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
