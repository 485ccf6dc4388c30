"""Run the program, or one component, under Pulumi's mock engine and return the resource graph.

The mock monitor is wrapped so that each ``RegisterResource`` request is recorded as sent: inputs as
plain Python values (integral numbers back to ``int``, secrets unwrapped and their paths flagged),
dependencies, parent, provider, and the resource options that ``MockResourceArgs`` drops
(``protect``, ``retain_on_delete``, ``ignore_changes``, ``delete_before_replace``, aliases).

Invokes the program makes get realistic answers (:mod:`tools.harness.invokes`); an invoke the harness
does not know raises, so a program never runs on silently empty data.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import runpy
import sys
from collections.abc import Callable
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import Stack, run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from components.secret_keys import OFFLINE_SECRET_PLACEHOLDER, is_secure_value, unwrap_secure
from config.loader import StackFile, load_stack
from tools.harness.graph import Graph, Resource
from tools.harness.invokes import answer_invoke
from tools.harness.naming import refuse_over_limit
from tools.harness.outputs import synthesize_outputs
from tools.harness.paths import REPO_ROOT, stack_file
from tools.harness.stack_refs import (
    STACK_REFERENCE,
    contract_placeholders,
    recalled,
    reference_state,
    remember,
    stack_of,
)

PROJECT = "quantumvest-infra"
_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17": "asset", "0def7320c3a5731c473e5ecbe522c990": "archive"}
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def plain(value: Any, path: str, secrets: set[str]) -> Any:
    """A deserialized property value as plain Python; records the paths of secret values."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [plain(v, f"{path}[{i}]", secrets) for i, v in enumerate(value)]
    if isinstance(value, dict):
        sig = value.get(_SIG)
        if sig == _SECRET_SIG:
            secrets.add(path)
            return plain(value.get("value"), path, secrets)
        if sig == _RESOURCE_SIG:
            return value.get("id") or value.get("urn")
        if sig == _OUTPUT_SIG:
            if value.get("secret"):
                secrets.add(path)
            return plain(value.get("value"), path, secrets)
        if sig in _ASSET_SIGS:
            return {"__" + _ASSET_SIGS[sig]: {k: v for k, v in value.items() if k != _SIG}}
        return {k: plain(v, f"{path}.{k}" if path else k, secrets) for k, v in value.items()}
    if value == UNKNOWN:
        return None
    return value


def _json_or_value(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class RecordingMocks(pulumi.runtime.Mocks):
    """Answers resource registrations with deterministic ids and realistic outputs."""

    def __init__(self, recorder: RecordingMonitor) -> None:
        self.recorder = recorder

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        if args.typ == STACK_REFERENCE:
            name = str(args.inputs.get("name") or args.name)
            return name, reference_state(name, self.recorder.reference_outputs(name))
        if not args.custom:
            return None, {}
        region = self.recorder.region_for(args.provider)
        seed = hashlib.sha256(f"{args.typ}::{args.name}".encode()).hexdigest()[:12]
        if args.typ.startswith("pulumi:providers:"):
            return f"provider-{seed}", dict(args.inputs)
        resource_id, state = synthesize_outputs(args.typ, args.name, dict(args.inputs), region, seed)
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return answer_invoke(args.token, dict(args.args), self.recorder.region_for(args.provider)), []


MocksFactory = Callable[["RecordingMonitor"], pulumi.runtime.Mocks]

#: Told about each component resource as the program registers it (the tools print progress with it).
ComponentListener = Callable[[Resource], None]


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The mock monitor, recording every request as the engine would receive it."""

    def __init__(self, default_region: str, mocks_factory: MocksFactory | None = None) -> None:
        #: Called with each record as it registers (the tools print progress from it).
        self.on_register: Callable[[Resource], None] | None = None
        super().__init__((mocks_factory or RecordingMocks)(self))
        self.default_region = default_region
        self.records: list[Resource] = []
        self.component_outputs: dict[str, dict[str, Any]] = {}
        self._regions: dict[str, str] = {}
        #: Outputs per referenced stack name (its last segment), for StackReference reads.
        self.references: dict[str, dict[str, Any]] = {}

    def reference_outputs(self, name: str) -> dict[str, Any]:
        """What a StackReference to ``name`` reads: the referenced stack's outputs, supplied by the run."""
        stack = stack_of(name)
        if stack not in self.references:
            raise KeyError(
                f"StackReference {name!r}: the offline run has no outputs for stack {stack!r} "
                "(tools/harness/stack_refs.py answers references to stacks with a Pulumi.<stack>.yaml)"
            )
        return self.references[stack]

    def region_for(self, provider_ref: str | None) -> str:
        if not provider_ref:
            return self.default_region
        return self._regions.get(provider_ref.rsplit("::", 1)[0], self.default_region)

    def RegisterResource(self, request):
        """The mock monitor's registration, plus what the real engine does with additionalSecretOutputs."""
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        resource_args = pulumi.runtime.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=rpc.deserialize_properties(request.object),
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        secrets: set[str] = set()
        raw = json_format.MessageToDict(request.object, preserving_proto_field_name=True)
        inputs = plain(raw, "", secrets)
        if request.custom:
            # What the provider's Check would refuse, refused here (one line), before anything is "created".
            refuse_over_limit(request.type, request.name, inputs)
        id_, state = self.mocks.new_resource(resource_args)
        for key in request.additionalSecretOutputs:
            if key in state:
                state[key] = {_SIG: _SECRET_SIG, "value": state[key]}
        obj_proto = _sync_await(rpc.serialize_properties(state, {}))
        # A component has no id: pulumi's own MockMonitor stores new_resource's None here too (its NamedTuple says str).
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, id_, state)  # pyright: ignore[reportArgumentType]
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=obj_proto)  # "": unset
        provider = request.provider.rsplit("::", 1)[0] if request.provider else None
        if request.type.startswith("pulumi:providers:"):
            inputs = {k: _json_or_value(v) for k, v in inputs.items()}  # providers take nested config as JSON
            if isinstance(inputs.get("region"), str):
                self._regions[response.urn] = inputs["region"]
        options: dict[str, Any] = {
            "protect": request.protect if request.HasField("protect") else False,
            "retain_on_delete": request.retainOnDelete if request.HasField("retainOnDelete") else False,
            "ignore_changes": list(request.ignoreChanges),
            "delete_before_replace": request.deleteBeforeReplace,
            "replace_on_changes": list(request.replaceOnChanges),
            "additional_secret_outputs": list(request.additionalSecretOutputs),
            "aliases": [json_format.MessageToDict(a) for a in request.aliases] + list(request.aliasURNs),
        }
        registered = self.resources.get(response.urn)
        self.records.append(
            Resource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent or None,
                provider=provider,
                dependencies=list(request.dependencies),
                property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
                inputs=inputs,
                secret_paths=secrets,
                options=options,
                outputs=plain(dict(registered.state), "", set()) if registered else {},
                id=registered.id if registered else None,
            )
        )
        if self.on_register is not None:
            self.on_register(self.records[-1])
        return response

    def RegisterResourceOutputs(self, request):
        secrets: set[str] = set()
        raw = json_format.MessageToDict(request.outputs, preserving_proto_field_name=True)
        self.component_outputs[request.urn] = plain(raw, "", secrets)
        return super().RegisterResourceOutputs(request)


def _quiet_after_a_failed_run(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if context.get("message") != "Future exception was never retrieved":
        loop.default_exception_handler(context)


def _reset_runtime() -> None:
    """Forget the previous run, so several runs can share one process.

    A run that failed (an expected error in a test) leaves tasks pending on the event loop and
    finished-with-error outputs in ``SETTINGS.outputs``; they would resume, or be awaited, inside the
    next run and fail it with the old error. They are cancelled, their errors retrieved (so asyncio does
    not log them as never retrieved), and the runtime's per-run state cleared.
    """
    loop = _ensure_event_loop()
    for _ in range(100):  # cancelling can schedule follow-up tasks; repeat until the loop is idle
        leftovers = [task for task in asyncio.all_tasks(loop) if not task.done()]
        if not leftovers:
            break
        for task in leftovers:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
    # Settings declares these through a context-property decorator pyright cannot follow (the SDK marks
    # the same lines `# type: ignore`); at run time they are the set of output tasks and the RPC manager.
    settings: Any = pulumi_settings.SETTINGS
    for task in settings.outputs:
        if task.done() and not task.cancelled():
            task.exception()
    settings.outputs = set()
    settings.rpc_manager.clear()
    pulumi_settings.ROOT.set(None)


def run(
    program: Callable[[], Any],
    stack: str = "test",
    region: str = "us-east-1",
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    mocks_factory: MocksFactory | None = None,
    on_component: ComponentListener | None = None,
    references: dict[str, dict[str, Any]] | None = None,
) -> Graph:
    """Run ``program`` under the recording mocks and return its graph (stack outputs included).

    ``mocks_factory`` replaces the mocks (the moto rehearsal); ``on_component``, if given, is called
    with each component resource as it is registered; ``references`` answers StackReference reads
    (stack name → its outputs).
    """
    _reset_runtime()
    monitor = RecordingMonitor(region, mocks_factory)
    monitor.references = dict(references or {})
    if on_component is not None:
        before = monitor.on_register

        def notify(record: Resource) -> None:
            if before is not None:
                before(record)
            if not record.custom:
                on_component(record)

        monitor.on_register = notify
    set_all_config(config or {}, secret_keys or [])
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor)
    root = pulumi_settings.get_root_resource()
    assert isinstance(root, Stack), "the program ran without its root Stack resource"

    async def _outputs() -> tuple[dict[str, Any], set[str]]:
        values: dict[str, Any] = {}
        secret: set[str] = set()
        for key, value in dict(root.outputs).items():
            out = pulumi.Output.from_input(value)
            values[key] = plain(await out.future(), key, set())
            if await out.is_secret():
                secret.add(key)
        return values, secret

    def body() -> None:
        program()

    try:
        _sync_await(run_pulumi_func(body))
    except BaseException:
        # The run's error is re-raised here; the futures that carried it would otherwise be reported
        # again, as "never retrieved", when they are garbage-collected (often at interpreter exit).
        _ensure_event_loop().set_exception_handler(_quiet_after_a_failed_run)
        raise
    outputs, secret_outputs = _sync_await(_outputs())
    return Graph(
        stack=stack,
        resources=monitor.records,
        outputs=outputs,
        secret_outputs=secret_outputs,
        component_outputs=monitor.component_outputs,
    )


def engine_config(stack: StackFile) -> tuple[dict[str, str], list[str]]:
    """The config map the engine would hand the program for a stack file (secrets as placeholders),
    from the file as the config loader read it (one strict parse: duplicate keys and the rest refused)."""
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in stack.config.items():
        if is_secure_value(value):
            config[key] = OFFLINE_SECRET_PLACEHOLDER
            secret_keys.append(key)
            continue
        if json.dumps(value, default=str) != json.dumps(unwrap_secure(value), default=str):
            secret_keys.append(key)
        value = unwrap_secure(value)
        config[key] = value if isinstance(value, str) else json.dumps(value, default=str)
    return config, secret_keys


def referenced_outputs(settings: Any, *, placeholders_only: bool = False) -> dict[str, dict[str, Any]]:
    """The outputs of the stack this one references (its DR pair), from that stack's own mock run; the
    pair's reference back is answered from the contract (tools/harness/stack_refs.py)."""
    paired = settings.dr.paired_stack
    if paired is None:
        return {}
    other = stack_of(paired)
    path = stack_file(other)
    if not path.is_file():
        raise FileNotFoundError(f"dr: StackReference {paired!r}: no {path.name} to run offline")
    other_settings, _ = load_stack(path)
    if placeholders_only:
        return {other: contract_placeholders(other, other_settings.platform.region)}
    outputs = recalled(path)
    if outputs is None:
        outputs = run_stack(other, placeholder_references=True).outputs
    return {other: outputs}


def run_stack(
    stack: str,
    mocks_factory: MocksFactory | None = None,
    on_component: ComponentListener | None = None,
    placeholder_references: bool = False,
    references: dict[str, dict[str, Any]] | None = None,
) -> Graph:
    """Run ``__main__.py`` for a stack exactly as ``pulumi up`` would, under the recording mocks.

    A stack that references its DR pair first runs the pair (remembered per process) so the reference
    reads the pair's real outputs; ``placeholder_references`` answers them from the contract instead,
    ``references`` (stack name → outputs) with given outputs (the rehearsal's, from emulated AWS).
    """
    path = stack_file(stack)
    settings, document = load_stack(path)  # fails fast, naming the file, before the engine starts
    if references is None:
        references = referenced_outputs(settings, placeholders_only=placeholder_references)
    config, secret_keys = engine_config(document)
    name = path.stem.split(".", 1)[1] if path.stem.startswith("Pulumi.") else path.stem

    def program() -> None:
        cwd = os.getcwd()
        sys.path.insert(0, str(REPO_ROOT))
        try:
            os.chdir(REPO_ROOT)
            runpy.run_path(str(REPO_ROOT / "__main__.py"), run_name="__pulumi_program__")
        finally:
            os.chdir(cwd)
            sys.path.remove(str(REPO_ROOT))

    graph = run(
        program,
        stack=name,
        region=settings.platform.region,
        config=config,
        secret_keys=secret_keys,
        mocks_factory=mocks_factory,
        on_component=on_component,
        references=references,
    )
    if mocks_factory is None and not placeholder_references:
        remember(path, graph.outputs)
    return graph
