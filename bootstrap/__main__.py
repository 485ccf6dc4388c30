"""The bootstrap program: read this account's settings, build :class:`bootstrap.account.Bootstrap`.

Run by ``python -m tools bootstrap`` (docs/decisions/bootstrap-from-an-empty-account.md); its first run
keeps its state locally because the state bucket does not exist yet, then moves into that bucket.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: components/, bootstrap/

import pulumi
import pulumi_aws as aws

from bootstrap.account import Bootstrap, BootstrapArgs

config = pulumi.Config()
settings = BootstrapArgs.model_validate(
    {
        "github_repository": config.require("github_repository"),
        **({"stacks": config.require_object("stacks")} if config.get("stacks") else {}),
        **({"vpn_domains": config.require_object("vpn_domains")} if config.get("vpn_domains") else {}),
    },
    strict=False,
)
provider = aws.Provider("aws", region=config.get("region") or "us-east-1")
account = Bootstrap(
    "bootstrap",
    settings,
    github_token=config.require_secret("github_runner_token"),
    opts=pulumi.ResourceOptions(providers={"aws": provider}),
)
pulumi.export("stateBucket", account.state_bucket)
pulumi.export("secretsProvider", account.secrets_provider)
pulumi.export("roleArns", account.role_arns)
pulumi.export("vpnCertificateArns", account.vpn_certificate_arns)
