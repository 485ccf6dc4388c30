"""The QuantumVest platform program: load this stack's settings, build the Platform, export its outputs."""

import pulumi

from components.platform import Platform
from config import load_from_pulumi

settings = load_from_pulumi()
platform = Platform(settings.platform.name, settings)
for output_name, value in platform.stack_outputs().items():
    pulumi.export(output_name, value)
