"""The edge ALB's name, deterministic from the platform and stack names: the load balancer controller
is told it (LoadBalancerConfiguration) and the alarms, the trace and the DR health checks find the ALB by
it. A module without the SDK, so the offline tools that only read a stack file can compute it.
"""

from __future__ import annotations

import hashlib
import re

#: ALB names: at most 32 characters, letters, digits and hyphens, not starting with 'internal-'.
ALB_NAME_MAX = 32


def load_balancer_name(platform_name: str, stack: str) -> str:
    """``<platform>-<stack>``, or, beyond 32 characters, its start and a hash of the whole (deterministic)."""
    full = re.sub(r"[^A-Za-z0-9-]+", "-", f"{platform_name}-{stack}").strip("-")
    if len(full) <= ALB_NAME_MAX and not full.startswith("internal-"):
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    head = full[: ALB_NAME_MAX - len(digest) - 1].strip("-").removeprefix("internal-")
    return f"{head}-{digest}"
