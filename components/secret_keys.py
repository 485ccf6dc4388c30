"""Secret hygiene for stack files: secret-looking keys must hold Pulumi secrets, never plain text.

Plain functions over plain values, on the ground floor so that the config loader, the policy pack's
``config-no-plaintext-secrets`` and ``k8s-no-plaintext-secret-env`` rules and the offline engine all
share one definition of "secret-looking" without importing each other.

A stack file stores a Pulumi secret as ``{secure: v1:...}`` (what ``pulumi config set --secret``
writes); the engine hands the program the decrypted value and marks the whole top-level key secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: Key names that must never carry a plain-text value.
SECRET_KEY_PATTERN = re.compile(
    r"(pass(word|wd|phrase)?|secret|token|private[_-]?key|api[_-]?key|access[_-]?key|credential)",
    re.IGNORECASE,
)

#: Keys that name or size a secret rather than hold one (``db_secret_arn``, ``token_length``).
REFERENCE_KEY_SUFFIX = re.compile(
    r"_(arn|arns|name|names|id|ids|length|days|enabled|kms_key)$", re.IGNORECASE
)

#: What an encrypted value decrypts to when a stack file is read without the Pulumi engine.
OFFLINE_SECRET_PLACEHOLDER = "[secret: decrypted by the Pulumi engine at deploy time]"


def is_secure_value(value: Any) -> bool:
    """True for the ``{secure: ...}`` form the Pulumi CLI writes for a secret."""
    return isinstance(value, dict) and set(value) == {"secure"} and isinstance(value["secure"], str)


def plaintext_secrets(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(key_path, value)`` for every secret-looking key below ``value`` holding plain text."""
    if isinstance(value, dict) and not is_secure_value(value):
        for key, child in value.items():
            child_path = f"{path}.{key}"
            if (
                SECRET_KEY_PATTERN.search(str(key))
                and not REFERENCE_KEY_SUFFIX.search(str(key))
                and isinstance(child, str | int | float)
                and not isinstance(child, bool)
                and child != ""
            ):
                yield child_path, child
            else:
                yield from plaintext_secrets(child, child_path)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from plaintext_secrets(child, f"{path}[{index}]")


def unwrap_secure(value: Any) -> Any:
    """Replace ``{secure: ...}`` values by a placeholder (their plaintext needs the engine)."""
    if is_secure_value(value):
        return OFFLINE_SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {k: unwrap_secure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secure(v) for v in value]
    return value
