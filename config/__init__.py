"""The stack's settings: pydantic models (in each component's file), tier profiles and the loader."""

from config.errors import ConfigError
from config.loader import StackConfig, build, load_from_pulumi, load_stack_file

__all__ = ["ConfigError", "StackConfig", "build", "load_from_pulumi", "load_stack_file"]
