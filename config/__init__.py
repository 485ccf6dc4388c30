"""The stack's settings: pydantic models (in each component's file), tier profiles and the loader.

The loader is imported on first use of one of its names, so that ``from config import ConfigError``
(every command line's error handling) costs nothing more than the error module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from config.errors import ConfigError

if TYPE_CHECKING:
    from config.loader import StackConfig, build, load_from_pulumi, load_stack_file, read_stack

__all__ = ["ConfigError", "StackConfig", "build", "load_from_pulumi", "load_stack_file", "read_stack"]

_LOADER_NAMES = frozenset(__all__) - {"ConfigError"}


def __getattr__(name: str) -> Any:
    if name in _LOADER_NAMES:
        # late import: the loader imports the settings models (the SDK); `from config import ConfigError` stays cheap
        from config import loader

        return getattr(loader, name)
    raise AttributeError(f"module 'config' has no attribute {name!r}")
