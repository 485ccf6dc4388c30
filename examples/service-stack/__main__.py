"""A team's stack: one more service in the QuantumVest platform's cluster."""

import pulumi
from reports_service import deploy

config = pulumi.Config()
deploy(
    config.require("platformStack"),
    image_tag=config.require("imageTag"),
    region=pulumi.Config("aws").require("region"),
)
