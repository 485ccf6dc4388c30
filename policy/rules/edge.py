"""Guardrails for the public entry points: the ALB (a Gateway of the AWS Load Balancer Controller's
class, an Ingress of class ``alb``, or a raw load balancer), its WAF web ACL, and CloudFront.

The platform's public ALB is created by the AWS Load Balancer Controller from a Gateway, so its WAF
association and TLS settings live in the Gateway's LoadBalancerConfiguration (``gateway.k8s.aws/v1``,
``docs/guide/gateway/loadbalancerconfig.md`` at v3.5.0) and its plaintext listener's behaviour in the
HTTPRoutes attached to it. Ingresses carry the same settings as annotations
(https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from policy.model import Context, ResourceLike
from policy.rules.base import as_list, dig, has, present, rule
from policy.rules.tokens import (
    CLOUDFRONT_DISTRIBUTION,
    K8S_GATEWAY,
    K8S_GATEWAY_CLASS,
    K8S_HTTP_ROUTE,
    K8S_INGRESS,
    K8S_INGRESS_CLASS,
    K8S_LB_CONFIG,
    LISTENERS,
    LOAD_BALANCERS,
    WEB_ACL,
    WEB_ACL_ASSOCIATION,
    WEB_ACL_LOGGING,
)
from policy.unknown import Undetermined
from policy.view import StackView

ALB = "alb.ingress.kubernetes.io/"
ALB_CONTROLLER = "ingress.k8s.aws/alb"
ALB_GATEWAY_CONTROLLER = "gateway.k8s.aws/alb"

#: ELB security policies that allow TLS 1.2 and later only (TLS-1-2, FS-1-2, TLS13-1-2/1-3 families).
TLS12_POLICY = re.compile(r"^ELBSecurityPolicy-(TLS-1-2|FS-1-2|TLS13-1-[23])")
WAFV2_ARN = re.compile(r"^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/")
#: CloudFront minimum protocol versions of TLS 1.2 and later.
CLOUDFRONT_TLS12 = re.compile(r"^TLSv1\.[23]")

#: Managed rule groups every web ACL runs, and why.
REQUIRED_MANAGED_GROUPS = {
    "AWSManagedRulesCommonRuleSet": "OWASP top-10 baseline",
    "AWSManagedRulesKnownBadInputsRuleSet": "known-bad inputs incl. Log4Shell (CKV_AWS_192)",
}


def alb_classes(stack: StackView) -> set[str]:
    """Ingress class names served by the AWS Load Balancer Controller (``alb`` plus declared ones)."""
    names = {"alb"}
    for ingress_class in stack.of_type(K8S_INGRESS_CLASS):
        if dig(ingress_class.inputs, "spec.controller") == ALB_CONTROLLER:
            name = dig(ingress_class.inputs, "metadata.name")
            if name:
                names.add(str(name))
    return names


def object_annotations(r: ResourceLike) -> dict[str, Any]:
    found = dig(r.inputs, "metadata.annotations", {})
    return found if isinstance(found, dict) else {}


def is_alb_ingress(r: ResourceLike, stack: StackView) -> bool:
    class_name = dig(r.inputs, "spec.ingressClassName") or object_annotations(r).get(
        "kubernetes.io/ingress.class"
    )
    return str(class_name) in alb_classes(stack)


def is_alb_gateway(r: ResourceLike, stack: StackView) -> bool:
    """A Gateway whose class the AWS Load Balancer Controller serves as an ALB."""
    name = dig(r.inputs, "spec.gatewayClassName")
    return any(
        dig(c.inputs, "metadata.name") == name
        and dig(c.inputs, "spec.controllerName") == ALB_GATEWAY_CONTROLLER
        for c in stack.of_type(K8S_GATEWAY_CLASS)
    )


def is_internet_facing(r: ResourceLike) -> bool:
    if r.type == K8S_LB_CONFIG:
        return dig(r.inputs, "spec.scheme") == "internet-facing"
    if r.type == K8S_INGRESS:
        return object_annotations(r).get(f"{ALB}scheme") == "internet-facing"
    if r.type in LOAD_BALANCERS:
        return r.inputs.get("internal") is not True and str(
            r.inputs.get("loadBalancerType") or "application"
        ) == ("application")
    return r.type == CLOUDFRONT_DISTRIBUTION


@rule(
    "alb-behind-waf",
    "Every public entry point (internet-facing ALB, CloudFront) is behind a WAF web ACL",
    ids=("CKV2_AWS_28", "CKV_AWS_68"),
    types=(K8S_LB_CONFIG, K8S_INGRESS, *LOAD_BALANCERS, CLOUDFRONT_DISTRIBUTION),
    remediation="Gateway: set spec.wafV2.webACL of its LoadBalancerConfiguration to the Security component's "
    "regional_web_acl_arn (an alb Ingress: the alb.ingress.kubernetes.io/wafv2-acl-arn annotation; "
    "CloudFront: web_acl_id = cloudfront_web_acl_arn).",
    scope="stack",
)
def alb_behind_waf(r: ResourceLike, ctx: Context) -> Iterator[str]:
    stack = ctx.stack
    if r.type == K8S_LB_CONFIG:
        if not is_internet_facing(r):
            return
        if dig(r.inputs, "spec.wafV2.webACL") is None:
            yield "internet-facing LoadBalancerConfiguration has no web ACL (spec.wafV2.webACL)"
            return
        yield from _acl_arn(stack, lambda: str(dig(r.inputs, "spec.wafV2.webACL") or ""), "spec.wafV2.webACL")
        return
    if r.type == K8S_INGRESS:
        if not (is_alb_ingress(r, stack) and is_internet_facing(r)):
            return
        notes, key = object_annotations(r), f"{ALB}wafv2-acl-arn"
        if key not in notes:
            yield f"internet-facing ALB Ingress has no {key} annotation"
            return
        yield from _acl_arn(stack, lambda: str(notes[key] or ""), key)
        return
    if r.type in LOAD_BALANCERS:
        if is_internet_facing(r) and not stack.referrers(r, "resourceArn", WEB_ACL_ASSOCIATION):
            yield "internet-facing application load balancer has no WAFv2 web ACL association"
        return
    if not present(r, "webAclId"):
        yield "CloudFront distribution has no web ACL (webAclId)"


def _acl_arn(stack: StackView, read: Any, key: str) -> Iterator[str]:
    """The ACL ``read()`` names is a REGIONAL WAFv2 web ACL (unknown in a preview: nothing to say)."""
    try:
        acl = read()
    except Undetermined:
        return  # the ACL's ARN is known once it exists; the setting is there
    matching = [a for a in stack.of_type(WEB_ACL) if acl in stack.identities(a)]
    if not matching and not WAFV2_ARN.match(acl):
        yield f"{key} is not a WAFv2 web ACL ARN ({acl or 'empty'})"
    for web_acl in matching:
        if str(web_acl.inputs.get("scope")) != "REGIONAL":
            yield f"{key} names {web_acl.name}, a {web_acl.inputs.get('scope')} ACL; an ALB needs a REGIONAL one"


@rule(
    "waf-logging",
    "Every WAF web ACL logs its decisions",
    ids=("CKV2_AWS_31",),
    types=WEB_ACL,
    remediation="Add an aws.wafv2.WebAclLoggingConfiguration to a log group named 'aws-waf-logs-…'.",
    scope="stack",
)
def waf_logging(acl: ResourceLike, ctx: Context) -> Iterator[str]:
    if not ctx.stack.referrers(acl, "resourceArn", WEB_ACL_LOGGING):
        yield "the web ACL has no logging configuration"


def _acl_rules(acl: ResourceLike) -> list[dict[str, Any]]:
    """The ACL's rules from ``rules`` (camelCase) or ``ruleJson`` (the API's PascalCase JSON)."""
    rules = [r for r in as_list(acl.inputs.get("rules")) if isinstance(r, dict)]
    raw = acl.inputs.get("ruleJson")
    if isinstance(raw, str) and raw.strip():
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = []
        rules.extend(_camel(r) for r in as_list(parsed) if isinstance(r, dict))
    return rules


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {(k[:1].lower() + k[1:]): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _statements(statement: Any) -> Iterator[dict[str, Any]]:
    """A statement and the statements nested in and/or/not/rate-based scope-downs."""
    if not isinstance(statement, dict):
        return
    yield statement
    for key in ("andStatement", "orStatement"):
        for inner in as_list(dig(statement, f"{key}.statements")):
            yield from _statements(inner)
    yield from _statements(dig(statement, "notStatement.statement"))


@rule(
    "waf-managed-rules",
    "Web ACLs run the AWS common and known-bad-inputs rule sets and a rate limit",
    ids=("CKV_AWS_192",),
    types=WEB_ACL,
    remediation="Add managed rule groups AWSManagedRulesCommonRuleSet and AWSManagedRulesKnownBadInputsRuleSet "
    "and a rate_based_statement rule (per-IP limit).",
)
def waf_managed_rules(acl: ResourceLike, ctx: Context) -> Iterator[str]:
    found: set[str] = set()
    rate_limited = False
    for entry in _acl_rules(acl):
        for statement in _statements(entry.get("statement")):
            name = dig(statement, "managedRuleGroupStatement.name")
            if name and str(dig(statement, "managedRuleGroupStatement.vendorName") or "AWS") == "AWS":
                found.add(str(name))
            # Only a limit over every request counts: a path-scoped one leaves the rest of the site open.
            rate = dig(statement, "rateBasedStatement")
            if (
                isinstance(rate, dict)
                and rate.get("limit") is not None
                and not rate.get("scopeDownStatement")
            ):
                rate_limited = True
    for group, why in REQUIRED_MANAGED_GROUPS.items():
        if group not in found:
            yield f"managed rule group {group} ({why}) is missing"
    if not rate_limited:
        yield "no rate-based rule over every request: one client can flood the API"


@rule(
    "alb-https-tls12",
    "Public HTTP redirects to HTTPS, and HTTPS accepts TLS 1.2 or later only",
    ids=("CKV2_AWS_20", "CKV_AWS_103", "CKV_AWS_34", "CKV_AWS_174"),
    types=(K8S_GATEWAY, K8S_LB_CONFIG, K8S_INGRESS, *LISTENERS, CLOUDFRONT_DISTRIBUTION),
    remediation="Gateway: an HTTPS listener; only redirect routes (RequestRedirect to https) on its HTTP "
    "listener; its LoadBalancerConfiguration's HTTPS listeners set sslPolicy "
    "ELBSecurityPolicy-TLS13-1-2-2021-06. ALB Ingress: listen-ports HTTPS 443, ssl-redirect '443', that "
    "ssl-policy. Listener: HTTP redirects to HTTPS; HTTPS sets that ssl_policy. "
    "CloudFront: viewer_protocol_policy redirect-to-https, minimum_protocol_version TLSv1.2_2021.",
    scope="stack",
)
def alb_https_tls12(r: ResourceLike, ctx: Context) -> Iterator[str]:
    if r.type == K8S_GATEWAY:
        if is_alb_gateway(r, ctx.stack):
            yield from _gateway_listeners(r, ctx.stack)
    elif r.type == K8S_LB_CONFIG:
        yield from _lb_config_tls(r)
    elif r.type == K8S_INGRESS:
        if is_alb_ingress(r, ctx.stack):
            yield from _ingress_tls(object_annotations(r))
    elif r.type in LISTENERS:
        yield from _listener_tls(r)
    else:
        yield from _cloudfront_tls(r)


def _ingress_tls(notes: dict[str, Any]) -> Iterator[str]:
    try:
        ports = json.loads(str(notes.get(f"{ALB}listen-ports") or '[{"HTTP": 80}]'))
    except ValueError:
        ports = []
    protocols = {str(k).upper() for entry in as_list(ports) if isinstance(entry, dict) for k in entry}
    if "HTTPS" not in protocols:
        yield f"the ALB has no HTTPS listener ({ALB}listen-ports)"
    if "HTTP" in protocols and not notes.get(f"{ALB}ssl-redirect"):
        yield f"HTTP is not redirected to HTTPS ({ALB}ssl-redirect is not set)"
    policy = str(notes.get(f"{ALB}ssl-policy") or "")
    if "HTTPS" in protocols and not TLS12_POLICY.match(policy):
        shown = policy or "not set, so the controller's default ELBSecurityPolicy-2016-08 (TLS 1.0)"
        yield f"ssl-policy is {shown}; use a TLS 1.2+ policy"


def _gateway_listeners(gateway: ResourceLike, stack: StackView) -> Iterator[str]:
    listeners = [entry for entry in as_list(dig(gateway.inputs, "spec.listeners")) if isinstance(entry, dict)]
    if not any(entry.get("protocol") == "HTTPS" for entry in listeners):
        yield "the Gateway has no HTTPS listener"
    for listener in (entry for entry in listeners if entry.get("protocol") == "HTTP"):
        section = listener.get("name")
        for route in stack.of_type(K8S_HTTP_ROUTE):
            if _attaches(route, gateway, section) and not _redirects_only(route):
                yield (
                    f"HTTP listener {section} serves traffic: HTTPRoute {dig(route.inputs, 'metadata.name')} "
                    "attaches to it without redirecting to HTTPS"
                )


def _attaches(route: ResourceLike, gateway: ResourceLike, section: Any) -> bool:
    namespace = dig(gateway.inputs, "metadata.namespace")
    if dig(route.inputs, "metadata.namespace") != namespace:
        return False
    return any(
        isinstance(ref, dict)
        and ref.get("name") == dig(gateway.inputs, "metadata.name")
        and ref.get("kind", "Gateway") == "Gateway"
        and ref.get("namespace", namespace) == namespace
        and ref.get("sectionName") in (None, section)
        for ref in as_list(dig(route.inputs, "spec.parentRefs"))
    )


def _redirects_only(route: ResourceLike) -> bool:
    rules = [r for r in as_list(dig(route.inputs, "spec.rules")) if isinstance(r, dict)]
    return bool(rules) and all(
        not as_list(rule.get("backendRefs"))
        and any(
            isinstance(f, dict)
            and f.get("type") == "RequestRedirect"
            and str(dig(f, "requestRedirect.scheme")).lower() == "https"
            for f in as_list(rule.get("filters"))
        )
        for rule in rules
    )


def _lb_config_tls(config: ResourceLike) -> Iterator[str]:
    for entry in as_list(dig(config.inputs, "spec.listenerConfigurations")):
        if not isinstance(entry, dict) or not str(entry.get("protocolPort") or "").upper().startswith(
            "HTTPS"
        ):
            continue
        policy = str(entry.get("sslPolicy") or "")
        if not TLS12_POLICY.match(policy):
            shown = policy or "not set, so the controller's default ELBSecurityPolicy-2016-08 (TLS 1.0)"
            yield f"{entry.get('protocolPort')} sslPolicy is {shown}; use a TLS 1.2+ policy"


def _listener_tls(listener: ResourceLike) -> Iterator[str]:
    protocol = str(listener.inputs.get("protocol") or "HTTP").upper()
    if protocol == "HTTP":
        actions = [a for a in as_list(listener.inputs.get("defaultActions")) if isinstance(a, dict)]
        redirects = [
            a for a in actions if a.get("type") == "redirect" and dig(a, "redirect.protocol") == "HTTPS"
        ]
        if not actions or len(redirects) != len(actions):
            yield "the HTTP listener serves traffic instead of redirecting to HTTPS"
    elif protocol in ("HTTPS", "TLS"):
        policy = str(listener.inputs.get("sslPolicy") or "")
        if not TLS12_POLICY.match(policy):
            yield f"sslPolicy is {policy or 'not set (ELBSecurityPolicy-2016-08)'}; use a TLS 1.2+ policy"


def _cloudfront_tls(distribution: ResourceLike) -> Iterator[str]:
    behaviors = [
        dig(distribution.inputs, "defaultCacheBehavior"),
        *as_list(distribution.inputs.get("orderedCacheBehaviors")),
    ]
    for behavior in behaviors:
        if isinstance(behavior, dict) and behavior.get("viewerProtocolPolicy") == "allow-all":
            yield f"a cache behavior ({behavior.get('pathPattern', 'default')}) serves plain HTTP (allow-all)"
    certificate = dig(distribution.inputs, "viewerCertificate", {})
    if isinstance(certificate, dict) and (
        has(certificate, "acmCertificateArn") or has(certificate, "iamCertificateId")
    ):
        version = str(certificate.get("minimumProtocolVersion") or "TLSv1")
        if not CLOUDFRONT_TLS12.match(version):
            yield f"minimumProtocolVersion is {version}; use TLSv1.2_2021"


# --- CloudFront's own certificate ------------------------------------------------------------------

#: CloudFront security policies of TLS 1.2 with modern ciphers and later (CloudFront developer guide,
#: "Supported protocols and ciphers between viewers and CloudFront").
CLOUDFRONT_MODERN_TLS = re.compile(r"^TLSv1\.2_202[1-9]$|^TLSv1\.3_")


@rule(
    "cloudfront-own-certificate",
    "CloudFront serves its own ACM certificate by SNI with TLSv1.2_2021 or later",
    ids=("CKV_AWS_174",),
    types=CLOUDFRONT_DISTRIBUTION,
    remediation="viewer_certificate: acm_certificate_arn = a us-east-1 certificate for the alias, "
    "ssl_support_method sni-only, minimum_protocol_version TLSv1.2_2021.",
)
def cloudfront_own_certificate(distribution: ResourceLike, ctx: Context) -> Iterator[str]:
    certificate = dig(distribution.inputs, "viewerCertificate", {})
    certificate = certificate if isinstance(certificate, dict) else {}
    if certificate.get("cloudfrontDefaultCertificate") or not has(certificate, "acmCertificateArn"):
        yield (
            "serves the default *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1: "
            "give it an ACM certificate for its alias"
        )
        return
    method = str(certificate.get("sslSupportMethod") or "")
    if method != "sni-only":
        yield f"sslSupportMethod is {method or 'not set'}; use sni-only (dedicated IPs add cost, not safety)"
    version = str(certificate.get("minimumProtocolVersion") or "TLSv1")
    if not CLOUDFRONT_MODERN_TLS.match(version):
        yield f"minimumProtocolVersion is {version}; use TLSv1.2_2021"


# --- the ALB Gateway's listeners (AWS Load Balancer Controller, Gateway API) -----------------------

ALB_GATEWAY_CONTROLLER = "gateway.k8s.aws/alb"
#: What the controller puts on an HTTPS listener whose LoadBalancerConfiguration names no sslPolicy.
CONTROLLER_DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
TLS13_POLICY = re.compile(r"^ELBSecurityPolicy-TLS13-")


def _name(r: ResourceLike) -> str:
    return str(dig(r.inputs, "metadata.name") or r.name)


def _namespace(r: ResourceLike) -> str:
    return str(dig(r.inputs, "metadata.namespace") or "default")


def _listener_configs(gateway: ResourceLike, gateway_class: ResourceLike, stack: StackView) -> dict[str, Any]:
    """``PROTOCOL:PORT`` → listener configuration, from the class's and the Gateway's
    LoadBalancerConfiguration (the class's wins: the controller's default merging mode)."""
    refs = [
        (dig(gateway.inputs, "spec.infrastructure.parametersRef"), _namespace(gateway)),
        (dig(gateway_class.inputs, "spec.parametersRef"), None),
    ]
    merged: dict[str, Any] = {}
    for ref, namespace in refs:
        if not isinstance(ref, dict) or ref.get("kind") != "LoadBalancerConfiguration":
            continue
        wanted = (str(ref.get("name")), str(ref.get("namespace") or namespace or "default"))
        for config in stack.of_type(K8S_LB_CONFIG):
            if (_name(config), _namespace(config)) == wanted:
                for entry in as_list(dig(config.inputs, "spec.listenerConfigurations")):
                    if isinstance(entry, dict) and entry.get("protocolPort"):
                        merged[str(entry["protocolPort"]).upper()] = entry
    return merged


def _attached(route: ResourceLike, gateway: ResourceLike, listener: dict[str, Any]) -> bool:
    for ref in as_list(dig(route.inputs, "spec.parentRefs")):
        if not isinstance(ref, dict) or str(ref.get("name")) != _name(gateway):
            continue
        if str(ref.get("namespace") or _namespace(route)) != _namespace(gateway):
            continue
        section, port = ref.get("sectionName"), ref.get("port")
        if (section is None or section == listener.get("name")) and (
            port is None or port == listener.get("port")
        ):
            return True
    return False


def _redirects_to_https(rule_: dict[str, Any]) -> bool:
    filters = [f for f in as_list(rule_.get("filters")) if isinstance(f, dict)]
    redirect = any(
        f.get("type") == "RequestRedirect" and dig(f, "requestRedirect.scheme") == "https" for f in filters
    )
    return redirect and not as_list(rule_.get("backendRefs"))


@rule(
    "alb-gateway-listeners",
    "The ALB Gateway's HTTPS listener uses a TLS 1.3 policy; HTTP is only port 80, only redirecting to HTTPS",
    ids=("CKV2_AWS_20", "CKV_AWS_103"),
    types=K8S_GATEWAY,
    remediation="LoadBalancerConfiguration listenerConfigurations: protocolPort HTTPS:443, sslPolicy "
    "ELBSecurityPolicy-TLS13-1-2-2021-06; the HTTP listener on port 80 with one HTTPRoute (sectionName "
    "of that listener) whose rule is a RequestRedirect filter to scheme https and no backendRefs.",
    scope="stack",
)
def alb_gateway_listeners(gateway: ResourceLike, ctx: Context) -> Iterator[str]:
    stack = ctx.stack
    classes = [
        c
        for c in stack.of_type(K8S_GATEWAY_CLASS)
        if _name(c) == dig(gateway.inputs, "spec.gatewayClassName")
    ]
    if not classes or dig(classes[0].inputs, "spec.controllerName") != ALB_GATEWAY_CONTROLLER:
        return  # not a Gateway of the AWS Load Balancer Controller: nothing here to judge
    configs = _listener_configs(gateway, classes[0], stack)
    routes = stack.of_type(K8S_HTTP_ROUTE)
    for listener in as_list(dig(gateway.inputs, "spec.listeners")):
        if not isinstance(listener, dict):
            continue
        protocol, port, name = (
            str(listener.get("protocol", "")).upper(),
            listener.get("port"),
            listener.get("name"),
        )
        if protocol == "HTTPS":
            policy = str((configs.get(f"HTTPS:{port}") or {}).get("sslPolicy") or "")
            if not TLS13_POLICY.match(policy):
                shown = (
                    policy
                    or f"not set, so the controller's default {CONTROLLER_DEFAULT_SSL_POLICY} (TLS 1.0)"
                )
                yield f"listener {name} (HTTPS:{port}): sslPolicy is {shown}; use ELBSecurityPolicy-TLS13-1-2-2021-06"
        elif protocol == "HTTP":
            if port != 80:
                yield f"listener {name} speaks plain HTTP on port {port}: only port 80, and only to redirect"
            attached = [r for r in routes if _attached(r, gateway, listener)]
            redirecting = False
            for route in attached:
                for entry in as_list(dig(route.inputs, "spec.rules")):
                    if isinstance(entry, dict) and _redirects_to_https(entry):
                        redirecting = True
                    elif isinstance(entry, dict):
                        yield f"HTTPRoute {_name(route)} serves plain HTTP on listener {name} instead of redirecting"
            if not redirecting:
                yield f"listener {name} (HTTP:{port}) has no HTTPRoute redirecting to HTTPS"
