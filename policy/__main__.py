"""CrossGuard entry point: ``pulumi preview --policy-pack policy`` runs this file.

Constructing :class:`pulumi_policy.PolicyPack` starts the analyzer's gRPC server and blocks, so this
module does nothing else and nothing imports it; the rules and adapters live in plain modules
(``policy.rules``, ``policy.pack``) that the tests and the offline tools import.

This is the pack's composition root, the one file of ``policy/`` that imports ``tools``: the pack
reads a resource graph and a :class:`policy.pack.PackContext`, and :mod:`tools.policy_stack` builds
that context from the stack file under preview (through the config loader, which the pack's modules
must not import). ``tests/test_import_direction.py`` allows exactly this import here.
"""

import sys
from pathlib import Path

# The CLI runs this directory as a script, so sys.path starts with policy/ itself. Put the project
# root first instead, so `policy`, `config` and `components` import as packages (and no module in
# this directory shadows a top-level one).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from pulumi_policy import PolicyPack  # noqa: E402

from policy.pack import PACK_NAME, policies  # noqa: E402
from tools.policy_stack import pack_context  # noqa: E402

_context = pack_context()

PolicyPack(
    name=PACK_NAME,
    policies=policies(_context),
    description=f"QuantumVest guardrails for stack {_context.stack or '?'} (tier {_context.environment})",
)
