"""Facts the coverage rules read off the graph: a resource's region, its real tags (the provider's
default tags included), Kubernetes label selection, Helm values, and SNS receivers.

Providers: a resource's ``provider`` is the provider's URN, optionally followed by ``::<id>`` (how the
engine writes a provider reference); the provider itself is a resource of the stack whose inputs hold
``region`` and ``defaultTags``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from policy.model import ResourceLike
from policy.rules.base import as_list, dig, policy_document, principals, statements, words
from policy.rules.coverage_data import PAGER_PROTOCOLS, SNS_SUBSCRIPTION, SNS_TOPIC, SNS_TOPIC_POLICY
from policy.rules.tokens import K8S_HELM_RELEASE
from policy.unknown import Undetermined
from policy.view import StackView


def provider_of(stack: StackView, r: ResourceLike) -> ResourceLike | None:
    """The explicit provider resource ``r`` was registered with (``None``: the default provider)."""
    reference = getattr(r, "provider", None)
    if not reference:
        return None
    found = stack.get(reference)
    if found is None and "::" in reference:
        found = stack.get(reference.rsplit("::", 1)[0])
    return found


def arn_of(r: ResourceLike) -> str | None:
    """The resource's ARN when known (the harness and a deployed stack know it; a preview may not)."""
    for source in (r.outputs, r.inputs):
        try:
            value = source.get("arn") if isinstance(source, dict) else None
        except Undetermined:
            continue
        if isinstance(value, str) and value.startswith("arn:"):
            return value
    return None


def region_of(stack: StackView, r: ResourceLike) -> str | None:
    """The region ``r`` lives in: its provider's ``region``, else the region in its ARN."""
    provider = provider_of(stack, r)
    if provider is not None:
        region = provider.inputs.get("region")
        if isinstance(region, str) and region:
            return region
    arn = arn_of(r)
    if arn and arn.count(":") >= 4 and arn.split(":")[3]:
        return arn.split(":")[3]
    return None


def default_tags(stack: StackView, r: ResourceLike) -> dict[str, str]:
    """The tags ``r``'s provider adds to every resource it creates (``default_tags``)."""
    provider = provider_of(stack, r)
    if provider is None:
        return {}
    tags = dig(provider.inputs, "defaultTags.tags")
    if isinstance(tags, str):  # the engine may send provider config as JSON text
        try:
            tags = json.loads(tags)
        except ValueError:
            return {}
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else {}


def effective_tags(stack: StackView, r: ResourceLike) -> dict[str, str]:
    """The tags AWS will show on ``r``: the provider's default tags, overridden by the resource's own."""
    own = r.inputs.get("tags")
    return {
        **default_tags(stack, r),
        **({str(k): str(v) for k, v in own.items()} if isinstance(own, Mapping) else {}),
    }


def labels_match(selector: Any, labels: Mapping[str, Any] | None) -> bool:
    """Does a Kubernetes label selector (``matchLabels``/``matchExpressions``) select ``labels``?"""
    if not isinstance(selector, Mapping):
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key"), expression.get("operator")
        values = expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return bool(selector.get("matchLabels") or selector.get("matchExpressions"))


def namespace_selected(selector: Any, own_namespace: str | None, target_namespace: str | None) -> bool:
    """A monitor's ``namespaceSelector``: absent → its own namespace; ``any: true`` or a list otherwise."""
    if isinstance(selector, Mapping):
        if selector.get("any") is True:
            return True
        if selector.get("matchNames"):
            return target_namespace in selector["matchNames"]
    return own_namespace == target_namespace


def helm_values(release: ResourceLike) -> dict[str, Any]:
    """A Helm release's values as a dict (the engine may send them as JSON text)."""
    values = release.inputs.get("values")
    if isinstance(values, str):
        try:
            values = json.loads(values)
        except ValueError:
            return {}
    return values if isinstance(values, dict) else {}


def releases_of(stack: StackView, chart: str) -> list[ResourceLike]:
    """Helm releases of ``chart`` (by chart name, with or without a repository prefix)."""
    found = []
    for release in stack.of_type(K8S_HELM_RELEASE):
        name = str(release.inputs.get("chart") or "")
        if name == chart or name.endswith(f"/{chart}"):
            found.append(release)
    return found


def chart_setting(release: ResourceLike, path: str, default: Any) -> Any:
    """``path`` in a release's values, or the chart's ``default`` when the release does not set it."""
    value = dig(helm_values(release), path)
    return default if value is None else value


def topics_named(stack: StackView, r: ResourceLike, prop: str) -> tuple[list[ResourceLike], list[str]]:
    """The SNS topics ``r``'s input ``prop`` names, and the values that name no topic of the stack."""
    topics = stack.referenced(r, prop, SNS_TOPIC)
    identities = {i for topic in topics for i in StackView.identities(topic)}
    try:
        values = [str(v) for v in as_list(r.inputs.get(prop))]
    except Undetermined:
        values = []
    strangers = [v for v in values if v not in identities and ":sns:" in v]
    return topics, strangers


def subscriptions(stack: StackView, topic: ResourceLike) -> list[ResourceLike]:
    """The subscriptions of ``topic`` in the stack."""
    return stack.referrers(topic, "topic", SNS_SUBSCRIPTION)


def pager_subscriptions(stack: StackView, topic: ResourceLike) -> list[ResourceLike]:
    """The subscriptions of ``topic`` that reach a pager (an HTTPS integration endpoint)."""
    return [s for s in subscriptions(stack, topic) if s.inputs.get("protocol") in PAGER_PROTOCOLS]


def publishers_allowed(stack: StackView, topic: ResourceLike) -> set[str]:
    """The service principals the topic's policy lets publish (``sns:Publish`` allowed)."""
    allowed: set[str] = set()
    documents = [topic.inputs.get("policy")]
    documents += [p.inputs.get("policy") for p in stack.referrers(topic, "arn", SNS_TOPIC_POLICY)]
    for document in documents:
        for statement in statements(policy_document(document)):
            actions = words(statement.get("Action"))
            if statement.get("Effect") == "Allow" and any(
                a in ("sns:Publish", "sns:*", "*") for a in actions
            ):
                allowed.update(principals(statement))
    return allowed


def receiver_problems(
    stack: StackView, topic: ResourceLike, publisher: str | None, needs_pager: bool
) -> Iterator[str]:
    """Why ``topic`` is not a working receiver: nobody subscribed, the sender may not publish, no pager."""
    subs = subscriptions(stack, topic)
    if not subs:
        yield f"topic {topic.name} has no subscription: nobody receives what reaches it"
    elif needs_pager and not pager_subscriptions(stack, topic):
        yield (
            f"topic {topic.name} has no pager subscription (protocol https): set monitoring.pager_endpoint; "
            "prod pages someone"
        )
    if publisher is not None and publisher not in publishers_allowed(stack, topic):
        yield f"topic {topic.name}'s policy does not let {publisher} publish: delivery would be refused"
