"""quantumvest-infra's reusable Pulumi components, installed under their own name.

``from quantumvest_infra.components import Network, NetworkArgs`` — the public API is listed in
``quantumvest_infra.components`` (``PUBLIC_API``); the stack-output contract other stacks read with
``StackReference`` is ``quantumvest_infra.components.contract.STACK_OUTPUTS``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("quantumvest-infra")
except PackageNotFoundError:  # running from a source checkout
    __version__ = "0+source"
