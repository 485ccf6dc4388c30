"""The policy pack over a stack file: the code that reads ``Pulumi.<stack>.yaml`` (through the config
loader), runs the stack offline and applies the guardrails.

The pack itself (``policy/``) reads only a resource graph and a :class:`policy.model.ConfigView`; what it
needs from the stack file reaches it through :class:`policy.pack.PackContext` (tier, exceptions, the
raw values for the plaintext-secret check, and why the configuration was rejected, if it was), which
this module builds. ``policy/__main__.py`` (the CrossGuard entry point) calls :func:`pack_context`.

```python
from tools.policy_stack import evaluate_stack

findings = evaluate_stack("prod")                    # stack file → graph → findings
blocking = [f for f in findings if f.blocking]       # what fails CI
```
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from components.guardrails import PolicyArgs, PolicyException
from config import ConfigError, load_stack_file
from config.loader import build, engine_values, read_stack_file
from policy.engine import evaluate
from policy.model import TIERS, ConfigView, Finding, PackContext, ResourceLike
from tools.harness import run_stack
from tools.harness.paths import REPO_ROOT, stack_file


def evaluate_stack(
    stack: str | Path, *, today: date | None = None, graph: Iterable[ResourceLike] | None = None
) -> list[Finding]:
    """Load ``Pulumi.<stack>.yaml`` (a name or a path), build its graph offline unless given, evaluate.

    Raises ``config.ConfigError`` if the stack file is rejected, as ``pulumi up`` would.
    """
    path = stack_file(str(stack))
    settings = load_stack_file(path)
    values, _ = read_stack_file(path)
    if graph is None:
        graph = run_stack(str(path))
    view = ConfigView(source=path.name, values=values)
    return evaluate(
        graph, settings.platform.environment, settings.policy.exceptions, today=today, config=view
    )


def _current_stack() -> str:
    import pulumi  # the SDK: only the CrossGuard entry point asks for the stack under preview

    try:
        return pulumi.get_stack()
    except Exception:
        return os.environ.get("PULUMI_STACK", "")


def _runtime_values() -> tuple[dict[str, Any], frozenset[str]]:
    """The project's config values the engine handed the pack (section → value) and the secret sections.

    The engine hands over secrets decrypted; if it does not say which keys were secret, every section
    is treated as secret, so a decrypted password is never mistaken for plain text in the stack file.
    """
    values, secret = engine_values()
    if "PULUMI_CONFIG_SECRET_KEYS" not in os.environ:
        secret = set(values)
    return values, frozenset(secret)


def pack_context(stack: str | None = None, root: Path = REPO_ROOT, today: date | None = None) -> PackContext:
    """The tier, exceptions and raw config of ``stack`` (default: the stack under preview): its
    ``Pulumi.<stack>.yaml`` in ``root`` (the file the offline tools read), else the config the engine
    hands the pack; a stack that cannot be identified is judged as prod."""
    stack = stack if stack is not None else _current_stack()
    path = root / f"Pulumi.{stack}.yaml"
    secret_sections: frozenset[str] = frozenset()
    if stack and path.is_file():
        values, _ = read_stack_file(path)
        source = path.name
    else:
        values, secret_sections = _runtime_values()
        source = f"Pulumi.{stack or '<stack>'}.yaml"
    problems: list[str] = []
    environment = stack if stack in TIERS else "prod"
    exceptions: tuple[PolicyException, ...] = ()
    platform = values.get("platform")
    if isinstance(platform, dict) and platform.get("environment") in TIERS:
        environment = str(platform["environment"])
    try:
        settings = build(values, source, secret_sections) if values else None
    except ConfigError as err:
        problems.append(f"the stack configuration is rejected: {err}")
        settings = None
        try:
            exceptions = tuple(
                PolicyArgs.model_validate_json(json.dumps(values.get("policy") or {})).exceptions
            )
        except ValueError:
            exceptions = ()
    if settings is not None:
        environment = settings.platform.environment
        exceptions = tuple(settings.policy.exceptions)
    config = ConfigView(
        source=source,
        values=values,
        secret_sections=secret_sections,
        exceptions=exceptions,
        problems=problems,
    )
    return PackContext(
        stack=stack, environment=environment, exceptions=exceptions, config=config, today=today
    )
