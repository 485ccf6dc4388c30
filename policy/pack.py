"""The CrossGuard adapters: the same rules as :mod:`policy.engine`, as pulumi-policy ``Policy`` objects.

* a **resource** rule becomes a ``ResourceValidationPolicy``: it runs before each resource is created
  or updated, on the inputs the engine sends, so a violation stops ``pulumi up`` before the change;
* a **stack** or **config** rule becomes a ``StackValidationPolicy``: it runs once over every resource
  of the stack (their state, with property dependencies linking them), after the preview.

The tier (and with it each rule's enforcement level) and the exceptions come from the stack being
previewed, as a :class:`PackContext`: the one interface through which the stack file reaches the pack
(built by ``tools.policy_stack.pack_context``, which reads the file through the config loader, so
nothing here imports ``config`` or ``tools``).
Values unknown during a preview make a rule report "can't run during preview" (advisory), as the SDK
does, instead of a false violation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, _DictProxy, _is_unknown, _ListProxy

from policy.engine import apply_exceptions, check_subject, config_findings, resource_findings
from policy.model import Context, Finding, PackContext, Rule, Subject
from policy.rules import RULES
from policy.unknown import wrap
from policy.view import StackView

PACK_NAME = "quantumvest-guardrails"
PROJECT = "quantumvest-infra"


# --- turning the SDK's arguments into subjects -----------------------------------------------------


def plain(value: Any) -> Any:
    """The SDK's unknown-checking proxies unwrapped into dicts and lists (unknown sentinels kept)."""
    if isinstance(value, _DictProxy | _ListProxy):
        value = value["__target"]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def known(props: Any) -> Any:
    """Plain properties in which reading an unknown value raises ``Undetermined``."""
    return wrap(plain(props), _is_unknown)


def subject_from_args(args: ResourceValidationArgs) -> Subject:
    """The resource under validation, with its inputs as the rules read them."""
    inputs = known(args.props)
    return Subject(
        type=args.resource_type,
        name=args.name,
        urn=args.urn,
        inputs=inputs,
        outputs=inputs,
        options={"protect": bool(args.opts.protect), "ignore_changes": list(args.opts.ignore_changes)},
        parent=args.opts.parent,
    )


def subject_from_resource(resource: PolicyResource) -> Subject:
    """One resource of the stack (its state), linked to others through its property dependencies."""
    props = known(resource.props)
    identity = dict.get(props, "id") if isinstance(props, dict) else None
    return Subject(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        inputs=props,
        outputs=props,
        options={"protect": bool(resource.opts.protect)},
        property_dependencies={k: [d.urn for d in v] for k, v in resource.property_dependencies.items()},
        parent=resource.parent.urn if resource.parent is not None else None,
        id=identity if isinstance(identity, str) else None,
        provider=resource.provider.urn if resource.provider is not None else None,
    )


def provider_subjects(resources: Sequence[PolicyResource]) -> list[Subject]:
    """The providers the resources were registered with, as subjects (their region and default tags),
    for those the engine did not list among the stack's resources."""
    listed = {r.urn for r in resources}
    found: dict[str, Subject] = {}
    for resource in resources:
        provider = resource.provider
        if provider is None or provider.urn in listed or provider.urn in found:
            continue
        props = known(provider.props)
        found[provider.urn] = Subject(
            type=provider.resource_type, name=provider.name, urn=provider.urn, inputs=props, outputs=props
        )
    return list(found.values())


# --- reporting -----------------------------------------------------------------------------------


def _report(findings: Sequence[Finding], report_violation: ReportViolation, with_urn: bool) -> None:
    """Report determined, unexcepted findings; then say which could not be judged yet (advisory)."""
    undetermined = [f for f in findings if f.undetermined]
    for finding in findings:
        if finding.excepted_by is None and not finding.undetermined:
            report_violation(finding.message, finding.resource_urn if with_urn else None)
    if undetermined:
        unknown = UnknownValueError(UNKNOWN_STRING_VALUE, [])
        unknown.message = "; ".join(f"{f.resource_name}: {f.message}" for f in undetermined)
        raise unknown  # the SDK reports it as "can't run policy ... during preview" (advisory)


def resource_policy(rule: Rule, pack: PackContext) -> ResourceValidationPolicy:
    """A resource rule as a ``ResourceValidationPolicy`` (runs before each create/update)."""
    types = frozenset(rule.types)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        subject = subject_from_args(args)
        ctx = Context(
            environment=pack.environment, today=pack.day(), stack=StackView([subject]), config=pack.config
        )
        findings = apply_exceptions(check_subject(rule, subject, ctx), pack.exceptions, pack.day())
        _report(findings, report_violation, with_urn=False)

    return ResourceValidationPolicy(validate=validate, **_metadata(rule, pack))


def stack_policy(rule: Rule, pack: PackContext) -> StackValidationPolicy:
    """A stack or config rule as a ``StackValidationPolicy`` (runs over the whole stack)."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = list(args.resources)
        view = StackView([*(subject_from_resource(r) for r in resources), *provider_subjects(resources)])
        ctx = Context(environment=pack.environment, today=pack.day(), stack=view, config=pack.config)
        if rule.scope == "config":
            # Only the stale-exception check needs every other rule's findings.
            found = (
                apply_exceptions(resource_findings(RULES, ctx), pack.exceptions, pack.day())
                if pack.exceptions
                else []
            )
            findings = config_findings([rule], replace(ctx, findings=tuple(found)))
        else:
            findings = apply_exceptions(resource_findings([rule], ctx), pack.exceptions, pack.day())
        _report(findings, report_violation, with_urn=True)

    return StackValidationPolicy(validate=validate, **_metadata(rule, pack))


def _metadata(rule: Rule, pack: PackContext) -> dict[str, Any]:
    ids = ", ".join(i for i in rule.external_ids if i != "—")
    return {
        "name": rule.id,
        "description": rule.description,
        "enforcement_level": EnforcementLevel(rule.enforcement(pack.environment).value),
        "remediation_steps": rule.remediation,
        "tags": [rule.area, rule.tiering.value, *([ids] if ids else [])],
    }


def policies(pack: PackContext, rules: Sequence[Rule] = RULES) -> list[Policy]:
    """Every rule as a CrossGuard policy, at its enforcement level for ``pack.environment``."""
    return [resource_policy(r, pack) if r.scope == "resource" else stack_policy(r, pack) for r in rules]
