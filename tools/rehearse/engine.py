"""A mock engine backed by moto: each AWS resource the program registers is created in an in-process
emulated account, so AWS-side validation and real ids apply; types moto lacks are validated against
botocore's service model and their outputs synthesized.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
from moto import mock_aws
from moto import settings as moto_settings

from config.loader import load_stack_file
from tools.harness.engine import (
    RecordingMocks,
    RecordingMonitor,
    plain,
    referenced_outputs,
    run_stack,
    stack_file,
)
from tools.harness.graph import Graph, Resource
from tools.harness.outputs import synthesize_outputs
from tools.rehearse import moto_fixes
from tools.rehearse.context import ACCOUNT_ID, AwsCallError, Ctx, validate_request
from tools.rehearse.handlers import CREATORS, VALIDATIONS

#: Types that are not AWS resources: Pulumi providers, components, Kubernetes and random values.
NOT_AWS_PREFIXES = ("pulumi:", "kubernetes:", "random:", "quantumvest:")


@dataclass
class AwsError:
    """One refusal: which resource, which input (the call with its parameters), AWS's error code."""

    resource: str
    type: str
    call: str
    code: str
    message: str

    def line(self) -> str:
        return f"{self.resource} ({self.type}): {self.call} → {self.code}: {self.message}"


class RehearsalError(Exception):
    """AWS refused part of the stack; ``errors`` says which resource, input and error code."""

    def __init__(self, errors: list[AwsError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.line() for e in errors))


class UncoveredTypeError(Exception):
    """A resource type is neither created in moto nor validated against the AWS API model."""


@dataclass
class Report:
    """What happened per type: created in moto, or only validated against the API model."""

    created: dict[str, int] = field(default_factory=dict)
    validated: dict[str, int] = field(default_factory=dict)
    errors: list[AwsError] = field(default_factory=list)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for child in value.values():
            yield from _strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child)


class MotoMocks(RecordingMocks):
    """Answers registrations by creating the resource in moto (or validating the request)."""

    def __init__(self, recorder: RecordingMonitor) -> None:
        super().__init__(recorder)
        self.report = Report()
        self._failed: set[str] = set()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom or args.typ.startswith(NOT_AWS_PREFIXES):
            return super().new_resource(args)
        region = self.recorder.region_for(args.provider)
        seed = hashlib.sha256(f"{args.typ}::{args.name}".encode()).hexdigest()[:12]
        ctx = Ctx(region=region, name=args.name, seed=seed, type=args.typ)
        inputs = plain(dict(args.inputs), "", set())  # the engine's numbers are floats; AWS wants ints
        if self._failed & set(_strings(inputs)):
            # Built on a resource AWS refused: not attempted, so one mistake is reported once.
            resource_id, state = synthesize_outputs(args.typ, args.name, inputs, region, seed)
            self._failed.add(resource_id)
            return resource_id, state
        try:
            if args.typ in CREATORS:
                resource_id, extra = CREATORS[args.typ](ctx, inputs)
                self.report.created[args.typ] = self.report.created.get(args.typ, 0) + 1
                state = {**inputs, **{k: v for k, v in extra.items() if v is not None}}
                state.setdefault("id", resource_id)
                return resource_id, state
            if args.typ in VALIDATIONS:
                validation = VALIDATIONS[args.typ]
                validate_request(validation.service, validation.operation, validation.params(ctx, inputs))
                self.report.validated[args.typ] = self.report.validated.get(args.typ, 0) + 1
                return synthesize_outputs(args.typ, args.name, inputs, region, seed)
        except AwsCallError as err:
            # Recorded, and the run goes on with placeholder outputs so that every independent refusal
            # is reported; the rehearsal raises them all at the end.
            self.report.errors.append(
                AwsError(args.name, args.typ, str(err).split(" → ")[0], err.code, err.message)
            )
            resource_id, state = synthesize_outputs(args.typ, args.name, inputs, region, seed)
            resource_id = f"refused-{resource_id}"
            self._failed.add(resource_id)
            return resource_id, {**state, "id": resource_id, "arn": resource_id, "name": resource_id}
        raise UncoveredTypeError(
            f"{args.name} ({args.typ}): no moto creator or API-model validation in tools/rehearse/handlers"
        )

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        region = self.recorder.region_for(args.provider)
        ctx = Ctx(region=region, name="invoke", seed="0")
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            zones = ctx.client("ec2").describe_availability_zones(
                Filters=[{"Name": "state", "Values": ["available"]}]
            )["AvailabilityZones"]
            return {
                "id": region,
                "names": [z["ZoneName"] for z in zones],
                "zoneIds": [z["ZoneId"] for z in zones],
                "state": "available",
            }, []
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            identity = ctx.client("sts").get_caller_identity()
            return {
                "accountId": identity["Account"],
                "arn": identity["Arn"],
                "userId": identity["UserId"],
                "id": identity["Account"],
            }, []
        return super().call(args)


@dataclass
class Rehearsal:
    """A finished rehearsal: the graph, what was created or validated, and the emulated account."""

    graph: Graph
    report: Report
    regions: list[str]
    #: What the stack's StackReference read (a standby: its primary's outputs from emulated AWS).
    references: dict[str, dict[str, Any]] = field(default_factory=dict)


def rehearse(
    run_program: Callable[[Callable], Graph], progress: Callable[[Resource], None] | None = None
) -> Rehearsal:
    """Run a program (given a mocks factory) inside a fresh emulated account and return what happened.

    The caller queries the account (boto3 clients) before leaving :func:`emulated_account`.
    """
    holder: dict[str, MotoMocks] = {}

    def factory(recorder: RecordingMonitor) -> MotoMocks:
        holder["mocks"] = MotoMocks(recorder)
        recorder.on_register = progress
        return holder["mocks"]

    try:
        graph = run_program(factory)
    except Exception:
        # A program that failed after AWS refused something reports the refusals, not the echo.
        mocks = holder.get("mocks")
        if mocks and mocks.report.errors:
            raise RehearsalError(mocks.report.errors) from None
        raise
    if holder["mocks"].report.errors:
        raise RehearsalError(holder["mocks"].report.errors)
    regions = sorted(
        {r.inputs["region"] for r in graph.of_type("pulumi:providers:aws") if r.inputs.get("region")}
    )
    return Rehearsal(graph=graph, report=holder["mocks"].report, regions=regions)


def emulated_account() -> Any:
    """A fresh, empty emulated AWS account (moto), with AWS managed IAM policies loaded."""
    moto_fixes.apply()
    # Certificates stay PENDING_VALIDATION, as they do in AWS until the stack's domain is delegated:
    # moto would mark them ISSUED once 60 s have passed, so a slow run would report something else.
    moto_settings.ACM_VALIDATION_WAIT = 10**9
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ[key] = value
    return mock_aws()


def rehearse_stack(stack: str, progress: Callable[[Resource], None] | None = None) -> Rehearsal:
    """Rehearse ``pulumi up`` of a stack in emulated AWS (call inside :func:`emulated_account`).

    A DR standby reads its primary's outputs from the primary's mock run (tools/harness/stack_refs.py):
    the primary is not rehearsed into the same account, because the offline auto-names derive from the
    logical name alone (the same for both stacks), so their IAM roles would collide where real Pulumi's
    random suffixes do not; the standby's records in the primary's zone are validated against the API
    model (a zone the account does not hold), everything else is created in its regions."""
    settings = load_stack_file(stack_file(stack))
    references = referenced_outputs(settings)
    rehearsal = rehearse(
        lambda factory: run_stack(stack, mocks_factory=factory, references=references), progress
    )
    rehearsal.references = references
    return rehearsal


__all__ = [
    "ACCOUNT_ID",
    "AwsError",
    "Rehearsal",
    "RehearsalError",
    "Report",
    "UncoveredTypeError",
    "emulated_account",
    "rehearse",
    "rehearse_stack",
    "validate_request",
]
