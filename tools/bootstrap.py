"""``python -m tools bootstrap STACK --admin-cidr CIDR --repository OWNER/NAME``: bring a stack up in an
account where nothing exists, without a console step.

The sequence (printed; run with ``--run``, which needs the pulumi, aws and gh CLIs and admin credentials):

1. the ``bootstrap/`` program with local state (nothing to keep it in yet): state bucket, secrets key,
   GitHub OIDC provider, every stack's deploy and preview roles, the CodeBuild GitHub credential, the
   VPN certificates;
2. the bootstrap's state moves into the bucket it created, its secrets under the KMS key;
3. the GitHub environments get the role ARNs (``gh variable set``), the workflows' only inputs;
4. the platform's first ``pulumi up`` from the administrator's machine, which cannot reach a private
   API endpoint: the endpoint is public for this one run, **only for the one CIDR given here**, through
   a temporary copy of the stack file (``--config-file``); the stack file itself never turns it on;
5. the deploy workflow (on the runner the previous step created, inside the VPC) applies the stack
   file as committed: the public endpoint goes off, and the runner's reach is proven.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import config
from tools import cli, stacks
from tools.errors import ToolError

PROJECT = "quantumvest-infra"
TEMPORARY_FILE_NOTE = (
    "# TEMPORARY (python -m tools bootstrap): public API endpoint for one CIDR, one run. Delete."
)


#: Blocks the API endpoint would never see a request from (RFC 1918, CGNAT, loopback, link-local).
_NOT_PUBLIC = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
)
ACCOUNT = "$(aws sts get-caller-identity --query Account --output text)"
STATE_BUCKET = "$(pulumi -C bootstrap stack output stateBucket)"


@dataclass(frozen=True)
class Step:
    """One command of the sequence, with why it is there."""

    why: str
    argv: list[str]
    stdin_from: str | None = None  # an environment variable whose value is piped in (never echoed)

    def line(self) -> str:
        command = shell_command(self.argv)
        return f'{command} <<< "${self.stdin_from}"' if self.stdin_from else command


def shell_command(argv: list[str]) -> str:
    """The command as a shell line: arguments quoted, except that ``$(...)`` look-ups still expand."""
    return " ".join(f'"{a}"' if "$(" in a else shlex.quote(a) for a in argv)


def admin_cidr(value: str) -> str:
    """The one network the temporary public endpoint admits: a public IPv4 block of /24 or narrower."""
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as err:
        raise ToolError(f"--admin-cidr {value!r}: not an IPv4 CIDR block ({err})") from None
    if network.prefixlen < 24:
        raise ToolError(
            f"--admin-cidr {value}: at most a /24 (the administrator's own address, e.g. 203.0.113.7/32)"
        )
    if any(network.subnet_of(ipaddress.IPv4Network(block)) for block in _NOT_PUBLIC):
        raise ToolError(f"--admin-cidr {value}: a public address is needed (the API sees the NAT's address)")
    return str(network)


def temporary_stack_document(stack: str, cidr: str) -> dict[str, Any]:
    """The stack file with the public endpoint on for ``cidr`` alone; validated like any stack file."""
    path = stacks.resolve(stack)
    document = yaml.safe_load(path.read_text())
    key = f"{PROJECT}:cluster"
    cluster = dict(document["config"].get(key) or {})
    cluster.update({"endpoint_public_access": True, "public_access_cidrs": [cidr]})
    document["config"][key] = cluster
    return document


def write_temporary_stack_file(stack: str, cidr: str, directory: Path) -> Path:
    """Write (and validate) the temporary copy; a bad value fails here, before any AWS call."""
    document = temporary_stack_document(stack, cidr)
    target = directory / f"Pulumi.{stack}.yaml"
    target.write_text(TEMPORARY_FILE_NOTE + "\n" + yaml.safe_dump(document, sort_keys=False))
    config.load_stack_file(target)
    return target


def steps(
    stack: str, cidr: str, repository: str, temporary_file: Path, region: str = "us-east-1"
) -> list[Step]:
    """The whole sequence for one stack, in order."""
    # late import: the SDK: not for `python -m tools --help`
    from components.access import pipeline_names

    cfg = config.load_stack_file(stacks.resolve(stack))
    names = pipeline_names(cfg.platform.name, stack)
    boot = ["pulumi", "-C", "bootstrap"]
    vpn = (
        ["--path", f"vpn_domains.{stack}", cfg.platform.domain]
        if cfg.admin_vpn.enabled and cfg.platform.domain
        else []
    )
    return [
        Step("1. bootstrap with local state: nothing exists to hold it yet", [*boot, "login", "--local"]),
        Step("   the account's bootstrap stack", [*boot, "stack", "select", "--create", "account"]),
        Step(
            "   whose workflows may assume the roles",
            [*boot, "config", "set", "github_repository", repository],
        ),
        *(
            [Step("   the VPN certificate for this stack's domain", [*boot, "config", "set", *vpn])]
            if vpn
            else []
        ),
        Step(
            "   the GitHub token the CodeBuild runners use (from $GITHUB_RUNNER_TOKEN; stored encrypted)",
            [*boot, "config", "set", "--secret", "github_runner_token"],
            stdin_from="GITHUB_RUNNER_TOKEN",
        ),
        Step(
            "   state bucket, secrets key, OIDC provider, roles, CodeBuild credential", [*boot, "up", "--yes"]
        ),
        Step(
            "2. re-encrypt the bootstrap's secrets with the new KMS key",
            [
                *boot,
                "stack",
                "change-secrets-provider",
                f"awskms://alias/{cfg.platform.name}-pulumi-secrets?region={region}",
            ],
        ),
        Step("   export the bootstrap's state", [*boot, "stack", "export", "--file", "bootstrap-state.json"]),
        Step("   log in to the new state bucket", [*boot, "login", f"s3://{STATE_BUCKET}"]),
        Step(
            "   import the bootstrap's state there",
            [*boot, "stack", "import", "--stack", "account", "--file", "bootstrap-state.json"],
        ),
        Step(
            "3. the workflows' inputs, per GitHub environment",
            [
                "gh",
                "variable",
                "set",
                "AWS_DEPLOY_ROLE_ARN",
                "--env",
                stack,
                "--body",
                f"arn:aws:iam::{ACCOUNT}:role/{names['deploy']}",
            ],
        ),
        Step(
            "",
            [
                "gh",
                "variable",
                "set",
                "AWS_PREVIEW_ROLE_ARN",
                "--body",
                f"arn:aws:iam::{ACCOUNT}:role/{names['preview']}",
            ],
        ),
        Step("", ["gh", "variable", "set", "PULUMI_BACKEND_URL", "--body", f"s3://{STATE_BUCKET}"]),
        Step(
            "4. the platform's stack, secrets under the KMS key",
            [
                "pulumi",
                "stack",
                "select",
                "--create",
                stack,
                "--secrets-provider",
                f"awskms://alias/{cfg.platform.name}-pulumi-secrets?region={region}",
            ],
        ),
        Step(
            f"   first up from this machine: public API endpoint for {cidr} only, this run only",
            ["pulumi", "up", "--yes", "--stack", stack, "--config-file", str(temporary_file)],
        ),
        Step(
            "5. the committed stack file from the runner inside the VPC: the public endpoint goes off",
            ["gh", "workflow", "run", "deploy.yml", "--ref", "main"],
        ),
        Step(
            "   and the check that only the runner, the VPN and the nodes reach the API",
            ["python", "-m", "tools", "trace", stack, "--api"],
        ),
    ]


def register(commands: argparse._SubParsersAction) -> None:
    parser = cli.add_command(
        commands, "bootstrap", run, help="bring a stack up in an empty account (prints the sequence)"
    )
    cli.add_stack(parser)
    parser.add_argument(
        "--admin-cidr",
        type=_admin_cidr_argument,
        required=True,
        help="the one public CIDR the temporary API endpoint admits",
    )
    parser.add_argument("--repository", required=True, help="GitHub owner/name whose workflows deploy")
    parser.add_argument("--run", action="store_true", help="run the commands (pulumi, aws, gh CLIs needed)")


def _admin_cidr_argument(value: str) -> str:
    """``--admin-cidr`` checked while parsing: a bad block is a usage error (exit 2), one line."""
    try:
        return admin_cidr(value)
    except ToolError as err:
        message = str(err).removeprefix(f"--admin-cidr {value!r}: ").removeprefix(f"--admin-cidr {value}: ")
        raise argparse.ArgumentTypeError(message) from None


def run(args: argparse.Namespace) -> int:
    cidr = admin_cidr(args.admin_cidr)
    directory = Path(tempfile.mkdtemp(prefix="quantumvest-bootstrap-"))
    temporary = write_temporary_stack_file(args.stack, cidr, directory)
    sequence = steps(args.stack, cidr, args.repository, temporary)
    for step in sequence:
        if step.why:
            print(f"# {step.why}")
        print(step.line())
    if not args.run:
        print(f"\n(printed only; --run executes it. Temporary stack file: {temporary}; delete it afterwards)")
        return 0
    try:
        for step in sequence:
            stdin = None
            if step.stdin_from:
                stdin = os.environ.get(step.stdin_from)
                if not stdin:
                    raise ToolError(f"${step.stdin_from} is not set")
            subprocess.run(shell_command(step.argv), shell=True, check=True, input=stdin, text=True)
    except subprocess.CalledProcessError as err:
        print(f"error: step failed ({err.returncode}): {err.cmd}", file=sys.stderr)
        return 1
    finally:
        temporary.unlink(missing_ok=True)
    return 0
