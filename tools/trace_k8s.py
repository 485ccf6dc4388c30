"""The hops of a public request inside the cluster, read from the offline plan.

For one host: the Gateway's HTTPS listener (TLS 1.3 policy, a certificate for the host, from its
LoadBalancerConfiguration) → port 80 redirecting only → the WAF web ACL associated through that
configuration → per HTTPRoute of the host (one per path): the route → the Service and port it names →
the pods of a Deployment the Service selects, exposing the target port with a readiness probe → a
NetworkPolicy admitting the load balancer's addresses (the subnets internet-facing ALBs are placed in,
tagged ``kubernetes.io/role/elb`` in the controller's VPC) on that port.

``tools/trace.py`` puts these after the DNS and certificate hops. Only the plan is read.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import Any

from tools.harness import Graph, Resource
from tools.trace_model import Hop

GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
LB_CONFIG = "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration"
SERVICE = "kubernetes:core/v1:Service"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
SUBNET = "aws:ec2/subnet:Subnet"
CERTIFICATE = "aws:acm/certificate:Certificate"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
#: TLS 1.3 ELB security policies (ELBSecurityPolicy-TLS13-1-2-2021-06 and newer).
TLS13_POLICY = re.compile(r"^ELBSecurityPolicy-TLS13-1-[23]-")
LOAD_BALANCER_CONTROLLER = "aws-load-balancer-controller"


def dig(value: Any, path: str, default: Any = None) -> Any:
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(r: Resource) -> str:
    return str(dig(r.inputs, "metadata.name") or r.name)


def _namespace(r: Resource) -> str:
    return str(dig(r.inputs, "metadata.namespace") or "default")


def _covers(pattern: str | None, host: str) -> bool:
    """A listener or certificate name covering ``host`` (none: every host; ``*.x``: one label under x)."""
    if not pattern:
        return True
    if pattern.startswith("*."):
        return host.count(".") == pattern.count(".") and host.endswith(pattern[1:])
    return pattern == host


def _identities(r: Resource) -> set[str]:
    return {str(v) for v in (r.id, r.outputs.get("arn"), r.outputs.get("id")) if v}


# -- the Gateway and its configuration ---------------------------------------------------------------


def _https_listener(gateway: Resource, host: str) -> dict[str, Any] | None:
    for listener in _list(dig(gateway.inputs, "spec.listeners")):
        if (
            isinstance(listener, dict)
            and listener.get("protocol") == "HTTPS"
            and listener.get("port") == 443
            and _covers(listener.get("hostname"), host)
        ):
            return listener
    return None


def _lb_config(graph: Graph, gateway: Resource) -> Resource | None:
    ref = dig(gateway.inputs, "spec.infrastructure.parametersRef") or {}
    if ref.get("kind") != "LoadBalancerConfiguration" or ref.get("group") != "gateway.k8s.aws":
        return None
    for config in graph.of_type(LB_CONFIG):
        if _name(config) == ref.get("name") and _namespace(config) == _namespace(gateway):
            return config
    return None


def _listener_config(config: Resource, protocol_port: str) -> dict[str, Any] | None:
    for entry in _list(dig(config.inputs, "spec.listenerConfigurations")):
        if isinstance(entry, dict) and entry.get("protocolPort") == protocol_port:
            return entry
    return None


def _certificate_hosts(graph: Graph, arns: list[str]) -> dict[str, list[str]]:
    """Each listener certificate ARN → the names its ACM certificate in the plan covers."""
    found: dict[str, list[str]] = {}
    for certificate in graph.of_type(CERTIFICATE):
        names = [str(certificate.inputs.get("domainName") or "")]
        names += [str(n) for n in _list(certificate.inputs.get("subjectAlternativeNames"))]
        for arn in arns:
            if arn in _identities(certificate):
                found[arn] = names
    return found


def _listener_hop(graph: Graph, gateway: Resource, config: Resource | None, host: str) -> Hop:
    listener = _https_listener(gateway, host)
    if listener is None:
        return Hop(
            "listener-443", False, f"Gateway {_name(gateway)} has no HTTPS:443 listener covering {host}"
        )
    if config is None:
        return Hop("listener-443", False, f"Gateway {_name(gateway)} names no LoadBalancerConfiguration")
    scheme = dig(config.inputs, "spec.scheme")
    if scheme != "internet-facing":
        return Hop("listener-443", False, f"LoadBalancerConfiguration {_name(config)} scheme is {scheme}")
    https = _listener_config(config, "HTTPS:443")
    if https is None:
        return Hop(
            "listener-443", False, f"LoadBalancerConfiguration {_name(config)} does not configure HTTPS:443"
        )
    policy = str(https.get("sslPolicy") or "")
    if not TLS13_POLICY.match(policy):
        return Hop(
            "listener-443", False, f"HTTPS:443 ssl policy {policy or 'not set'} is not a TLS 1.3 policy"
        )
    arns = [str(a) for a in [https.get("defaultCertificate"), *_list(https.get("certificates"))] if a]
    covering = [
        arn for arn, names in _certificate_hosts(graph, arns).items() if any(_covers(n, host) for n in names)
    ]
    if not covering:
        return Hop("listener-443", False, f"HTTPS:443 has no certificate for {host} ({len(arns)} attached)")
    return Hop(
        "listener-443",
        True,
        f"Gateway {_namespace(gateway)}/{_name(gateway)} listener {listener.get('name')} HTTPS:443, "
        f"{policy}, certificate {covering[0].rsplit('/', 1)[-1]} for {host}",
    )


def _attached(route: Resource, gateway: Resource, section: str | None) -> bool:
    """Whether ``route`` attaches to ``gateway`` (to listener ``section``, or to all when it names none)."""
    if _namespace(route) != _namespace(gateway):
        return False
    for ref in _list(dig(route.inputs, "spec.parentRefs")):
        if not isinstance(ref, dict) or ref.get("name") != _name(gateway):
            continue
        if ref.get("kind", "Gateway") != "Gateway" or ref.get("namespace", _namespace(route)) != _namespace(
            gateway
        ):
            continue
        if section is None or ref.get("sectionName") in (None, section):
            return True
    return False


def _listener_name(gateway: Resource, protocol: str, port: int) -> str | None:
    for listener in _list(dig(gateway.inputs, "spec.listeners")):
        if (
            isinstance(listener, dict)
            and listener.get("protocol") == protocol
            and listener.get("port") == port
        ):
            return str(listener.get("name"))
    return None


def _only_redirects(route: Resource) -> bool:
    rules = [r for r in _list(dig(route.inputs, "spec.rules")) if isinstance(r, dict)]
    return bool(rules) and all(
        not _list(rule.get("backendRefs"))
        and any(
            f.get("type") == "RequestRedirect" and dig(f, "requestRedirect.scheme") == "https"
            for f in _list(rule.get("filters"))
            if isinstance(f, dict)
        )
        for rule in rules
    )


def _redirect_hop(graph: Graph, gateway: Resource) -> Hop:
    http = _listener_name(gateway, "HTTP", 80)
    if http is None:
        return Hop("redirect-80", False, f"Gateway {_name(gateway)} has no HTTP:80 listener to redirect from")
    routes = [r for r in graph.of_type(HTTP_ROUTE) if _attached(r, gateway, http)]
    serving = [_name(r) for r in routes if not _only_redirects(r)]
    if serving:
        return Hop("redirect-80", False, f"HTTP listener {http} serves traffic: {', '.join(serving)}")
    if not routes:
        return Hop("redirect-80", False, f"no route on HTTP listener {http}: nothing redirects to HTTPS")
    return Hop("redirect-80", True, f"HTTP:80 ({http}) only redirects to HTTPS ({_name(routes[0])})")


def _waf_hop(graph: Graph, config: Resource | None) -> Hop:
    acl = str(dig(config.inputs, "spec.wafV2.webACL") or "") if config is not None else ""
    if not acl:
        return Hop("waf", False, "no web ACL in the LoadBalancerConfiguration (spec.wafV2.webACL)")
    for web_acl in graph.of_type(WEB_ACL):
        if acl in _identities(web_acl):
            if web_acl.inputs.get("scope") != "REGIONAL":
                return Hop(
                    "waf", False, f"web ACL {web_acl.name} is {web_acl.inputs.get('scope')}, not REGIONAL"
                )
            return Hop("waf", True, f"web ACL {web_acl.name} (REGIONAL) on the load balancer")
    return Hop("waf", False, f"web ACL {acl} is not in the plan")


# -- routes to pods -------------------------------------------------------------------------------------


def _load_balancer_cidrs(graph: Graph) -> list[ipaddress.IPv4Network]:
    """The subnets the controller places internet-facing ALBs in: tagged role/elb in its VPC."""
    vpcs = {
        str(dig(r.inputs, "values.vpcId"))
        for r in graph.of_type(HELM_RELEASE)
        if r.inputs.get("chart") == LOAD_BALANCER_CONTROLLER
    }
    return [
        ipaddress.IPv4Network(
            str(s.inputs["cidrBlock"])
        )  # a subnet's cidrBlock is IPv4 (IPv6: ipv6CidrBlock)
        for s in graph.of_type(SUBNET)
        if dig(s.inputs, "tags", {}).get("kubernetes.io/role/elb") == "1"
        and str(s.inputs.get("vpcId")) in vpcs
        and s.inputs.get("cidrBlock")
    ]


def _service(graph: Graph, namespace: str, name: str) -> Resource | None:
    for service in graph.of_type(SERVICE):
        if _name(service) == name and _namespace(service) == namespace:
            return service
    return None


def _selects(selector: dict[str, Any], pod_labels: dict[str, Any]) -> bool:
    return bool(selector) and all(pod_labels.get(k) == v for k, v in selector.items())


def _container_port(container: dict[str, Any], target: Any) -> int | None:
    for port in _list(container.get("ports")):
        if isinstance(port, dict) and target in (port.get("name"), port.get("containerPort")):
            return int(port["containerPort"])
    return None


def _admits(policy: Resource, sources: list[ipaddress.IPv4Network], port: int, port_name: str | None) -> bool:
    for rule in _list(dig(policy.inputs, "spec.ingress")):
        if not isinstance(rule, dict):
            continue
        ports = _list(rule.get("ports"))
        if ports and not any(isinstance(p, dict) and p.get("port") in (port, port_name) for p in ports):
            continue
        peers = _list(rule.get("from"))
        if not peers:
            return True
        blocks = [dig(p, "ipBlock") for p in peers if isinstance(p, dict) and dig(p, "ipBlock")]
        if sources and all(any(_block_covers(b, source) for b in blocks) for source in sources):
            return True
    return False


def _block_covers(block: dict[str, Any], source: ipaddress.IPv4Network) -> bool:
    try:
        cidr = ipaddress.ip_network(str(block.get("cidr")))
        excepted = [ipaddress.ip_network(str(e)) for e in _list(block.get("except"))]
    except ValueError:
        return False
    return source.subnet_of(cidr) and not any(source.overlaps(e) for e in excepted)  # type: ignore[arg-type]


def _route_hops(graph: Graph, route: Resource, host: str) -> Iterator[Hop]:
    namespace = _namespace(route)
    for rule in [r for r in _list(dig(route.inputs, "spec.rules")) if isinstance(r, dict)]:
        paths = [
            str(dig(m, "path.value") or "/") for m in _list(rule.get("matches")) if isinstance(m, dict)
        ] or ["/"]
        refs = [b for b in _list(rule.get("backendRefs")) if isinstance(b, dict)]
        if not refs:
            yield Hop("route", False, f"HTTPRoute {_name(route)} {host}{paths[0]} has no backend")
            return
        ref = refs[0]
        yield Hop(
            "route",
            True,
            f"HTTPRoute {namespace}/{_name(route)} {host}{','.join(paths)} → {ref.get('name')}:{ref.get('port')}",
        )
        yield from _backend_hops(graph, namespace, ref)


def _backend_hops(graph: Graph, namespace: str, ref: dict[str, Any]) -> Iterator[Hop]:
    if ref.get("kind", "Service") != "Service" or ref.get("group", "") != "":
        yield Hop("service", False, f"backend {ref.get('kind')} {ref.get('name')} is not a Service")
        return
    service = _service(graph, namespace, str(ref.get("name")))
    if service is None:
        yield Hop("service", False, f"no Service {namespace}/{ref.get('name')} in the plan")
        return
    ports = [
        p
        for p in _list(dig(service.inputs, "spec.ports"))
        if isinstance(p, dict) and p.get("port") == ref.get("port")
    ]
    if not ports:
        yield Hop("service", False, f"Service {_name(service)} has no port {ref.get('port')}")
        return
    target = ports[0].get("targetPort", ports[0].get("port"))
    yield Hop(
        "service", True, f"Service {namespace}/{_name(service)} port {ref.get('port')} → targetPort {target}"
    )

    selector = dig(service.inputs, "spec.selector", {})
    matches: list[tuple[Resource, dict[str, Any], int]] = []
    selected: list[str] = []
    for deployment in graph.of_type(DEPLOYMENT):
        pod_labels = dig(deployment.inputs, "spec.template.metadata.labels", {})
        if _namespace(deployment) != namespace or not _selects(selector, pod_labels):
            continue
        selected.append(_name(deployment))
        for container in _list(dig(deployment.inputs, "spec.template.spec.containers")):
            port = _container_port(container, target) if isinstance(container, dict) else None
            if port is not None and container.get("readinessProbe"):
                matches.append((deployment, container, port))
    if not matches:
        why = (
            f"Deployment {', '.join(selected)}: no container exposes {target} with a readiness probe"
            if selected
            else f"no Deployment matches the selector {selector}"
        )
        yield Hop("pods", False, why)
        return
    deployment, container, port = matches[0]
    yield Hop(
        "pods",
        True,
        f"Deployment {_name(deployment)} container {container.get('name')} :{port}, readiness probe",
    )

    pod_labels = dig(deployment.inputs, "spec.template.metadata.labels", {})
    sources = _load_balancer_cidrs(graph)
    isolating = [
        p
        for p in graph.of_type(NETWORK_POLICY)
        if _namespace(p) == namespace
        and all(
            pod_labels.get(k) == v
            for k, v in (dig(p.inputs, "spec.podSelector.matchLabels", {}) or {}).items()
        )
        and "Ingress" in (_list(dig(p.inputs, "spec.policyTypes")) or ["Ingress"])
    ]
    name = target if isinstance(target, str) else None
    admitting = [p for p in isolating if _admits(p, sources, port, name)]
    if isolating and not admitting:
        shown = ", ".join(str(s) for s in sources) or "no role/elb subnet found"
        yield Hop(
            "network-policy", False, f"no NetworkPolicy admits the load balancer ({shown}) on port {port}"
        )
        return
    detail = (
        f"NetworkPolicy {_name(admitting[0])} admits {len(sources)} load balancer subnet(s) on port {port}"
        if admitting
        else "no NetworkPolicy isolates the pods"
    )
    yield Hop("network-policy", True, detail)


def edge_hops(graph: Graph, host: str) -> list[Hop]:
    """Every in-cluster hop of ``host``'s public path, in request order (route onward once per route)."""
    gateways = [g for g in graph.of_type(GATEWAY) if _https_listener(g, host) is not None] or graph.of_type(
        GATEWAY
    )
    if not gateways:
        return [Hop("listener-443", False, "no Gateway in the plan")]
    gateway = gateways[0]
    config = _lb_config(graph, gateway)
    hops = [
        _listener_hop(graph, gateway, config, host),
        _redirect_hop(graph, gateway),
        _waf_hop(graph, config),
    ]
    https = _listener_name(gateway, "HTTPS", 443)
    routes = sorted(  # by name: the program registers them on several threads, in no fixed order
        (
            r
            for r in graph.of_type(HTTP_ROUTE)
            if host in [str(h) for h in _list(dig(r.inputs, "spec.hostnames"))]
            and _attached(r, gateway, https)
        ),
        key=_name,
    )
    if not routes:
        hops.append(
            Hop("route", False, f"no HTTPRoute for {host} on Gateway {_name(gateway)}'s HTTPS listener")
        )
    for route in routes:
        hops.extend(_route_hops(graph, route, host))
    return hops
