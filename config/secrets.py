"""Secret hygiene for stack files; the definitions live in :mod:`components.secret_keys` (shared with
the policy pack and the tools, which must not import ``config``)."""

from components.secret_keys import (
    OFFLINE_SECRET_PLACEHOLDER,
    REFERENCE_KEY_SUFFIX,
    SECRET_KEY_PATTERN,
    is_secure_value,
    plaintext_secrets,
    unwrap_secure,
)

__all__ = [
    "OFFLINE_SECRET_PLACEHOLDER",
    "REFERENCE_KEY_SUFFIX",
    "SECRET_KEY_PATTERN",
    "is_secure_value",
    "plaintext_secrets",
    "unwrap_secure",
]
