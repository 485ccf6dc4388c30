"""The AWS hops of a public path, read from a stack's offline graph: DNS, certificate and the CDN leg.

Each function looks for one fact in the graph and returns a :class:`~tools.trace_model.Hop` saying
what it found, or which link is missing and why. Links are followed by value, as AWS would follow them
(a record's ``zoneId`` is the zone's id, a policy's ``AWS:SourceArn`` is the distribution's ARN), never
by logical name: a resource that exists but is wired to something else breaks the path.

- ``dns``: regional hosts are published by external-dns from the HTTPRoutes (the ALB is created by the
  controller, so the program cannot know its name): external-dns must be installed, filter on the
  stack's domain, read ``gateway-httproute`` sources, write the stack's zone and be allowed to.
  The CDN host's alias records are the program's: they must sit in the stack's zone and target the
  distribution.
- ``certificate``: an ACM certificate covering the host (exact or one-label wildcard) in the region
  that serves it, its DNS validation record in the stack's zone, and a CertificateValidation waiting
  for that record.
- ``distribution`` → ``origin-access`` → ``bucket-policy``: CloudFront serving the host with its own
  certificate, ``sni-only``, ``TLSv1.2_2021`` and a CLOUDFRONT web ACL; an origin access control on
  the S3 origin; the origin bucket's policy admitting that distribution and no other reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tools.harness import Graph, Resource
from tools.trace_model import Hop

ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
CERTIFICATE = "aws:acm/certificate:Certificate"
VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
ORIGIN_ACCESS = "aws:cloudfront/originAccessControl:OriginAccessControl"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
RELEASE = "kubernetes:helm.sh/v3:Release"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"

IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"
#: What CloudFront must enforce on its own host (DESIGN.md, the request path).
CLOUDFRONT_TLS = "TLSv1.2_2021"
#: The record types external-dns writes for an ALB (alias A/AAAA) and its ownership TXT records.
EXTERNAL_DNS_RECORD_TYPES = ("A", "AAAA", "TXT")


@dataclass(frozen=True)
class Zone:
    """The stack's public hosted zone: created in the plan, or adopted by id from the configuration."""

    domain: str
    zone_id: str
    adopted: bool

    def describe(self) -> str:
        return f"zone {self.domain} ({self.zone_id}{', adopted' if self.adopted else ''})"


def find_zone(graph: Graph, domain: str, adopted_id: str | None) -> Zone | None:
    """The zone of ``domain``: the adopted id when configured, else the created zone in the plan."""
    if adopted_id is not None:
        return Zone(domain, adopted_id, adopted=True)
    for zone in graph.of_type(ZONE):
        if str(zone.inputs.get("name", "")).rstrip(".") == domain:
            return Zone(domain, str(zone.outputs.get("zoneId") or zone.id), adopted=False)
    return None


def covers(name: str, host: str) -> bool:
    """Whether a certificate name covers ``host``: the same name, or a wildcard over exactly one label."""
    if name == host:
        return True
    return name.startswith("*.") and host.split(".", 1)[-1] == name[2:] and "." in host


def region_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[3] if len(parts) > 3 else ""


def _strip(name: Any) -> str:
    return str(name or "").rstrip(".")


# --- dns ---------------------------------------------------------------------------------------------


def dns_regional(graph: Graph, host: str, zone: Zone | None) -> Hop:
    """``host`` is published by external-dns from an HTTPRoute into the stack's zone."""
    if zone is None:
        return Hop("dns", False, "no hosted zone for the domain in the plan and no dns.hosted_zone_id")
    releases = [r for r in graph.of_type(RELEASE) if r.inputs.get("chart") == "external-dns"]
    if not releases:
        return Hop(
            "dns", False, f"external-dns is not installed: nothing publishes {host} in {zone.describe()}"
        )
    release = releases[0]
    values = release.inputs.get("values") or {}
    filters = [str(f) for f in values.get("domainFilters") or []]
    if not any(_within(host, f) and _within(f, zone.domain) for f in filters):
        return Hop("dns", False, f"external-dns domainFilters {filters} do not admit {host} in {zone.domain}")
    sources = [str(s) for s in values.get("sources") or []]
    if "gateway-httproute" not in sources:
        return Hop(
            "dns",
            False,
            f"external-dns sources {sources} lack gateway-httproute: the routes' hosts are never read",
        )
    id_filters = [
        str(a).split("=", 1)[1]
        for a in values.get("extraArgs") or []
        if str(a).startswith("--zone-id-filter=")
    ]
    if id_filters and zone.zone_id not in id_filters:
        return Hop(
            "dns", False, f"external-dns writes only zone {', '.join(id_filters)}, not {zone.describe()}"
        )
    problem = _external_dns_permission(graph, values, zone.zone_id)
    if problem:
        return Hop("dns", False, problem)
    owner = values.get("txtOwnerId") or "?"
    return Hop(
        "dns",
        True,
        f"{zone.describe()}: {host} alias to the ALB, published by external-dns from the HTTPRoute "
        f"(ownership TXT records, owner {owner})",
    )


def _within(name: str, domain: str) -> bool:
    return name == domain or name.endswith(f".{domain}")


def _external_dns_permission(graph: Graph, values: dict[str, Any], zone_id: str) -> str | None:
    """Why external-dns may not change ``zone_id``'s records, or None when its IAM role allows it."""
    annotations = (values.get("serviceAccount") or {}).get("annotations") or {}
    role_arn = annotations.get(IRSA_ANNOTATION)
    if not role_arn:
        return (
            f"external-dns's service account has no IAM role ({IRSA_ANNOTATION}): it cannot write {zone_id}"
        )
    roles = [r for r in graph.of_type(ROLE) if r.outputs.get("arn") == role_arn]
    if not roles:
        return f"external-dns's IAM role {role_arn} is not in the plan"
    zone_arn = f"arn:aws:route53:::hostedzone/{zone_id}"
    for document in _role_policies(graph, roles[0]):
        for statement in _statements(document):
            if _allows(statement, "route53:ChangeResourceRecordSets", zone_arn):
                return None
    return f"external-dns's IAM role {roles[0].name} may not route53:ChangeResourceRecordSets on {zone_arn}"


def _role_policies(graph: Graph, role: Resource) -> Iterator[Any]:
    keys = {role.id, role.outputs.get("name"), role.outputs.get("arn")} - {None}
    for policy in graph.of_type(ROLE_POLICY):
        if policy.inputs.get("role") in keys:
            yield _json(policy.inputs.get("policy"))
    managed = {a.inputs.get("policyArn") for a in graph.of_type(ATTACHMENT) if a.inputs.get("role") in keys}
    for policy in graph.of_type(POLICY):
        if policy.outputs.get("arn") in managed:
            yield _json(policy.inputs.get("policy"))


def _json(text: Any) -> Any:
    if isinstance(text, dict):
        return text
    try:
        return json.loads(str(text or "{}"))
    except ValueError:
        return {}


def _statements(document: Any) -> list[dict[str, Any]]:
    found = document.get("Statement", []) if isinstance(document, dict) else []
    return [s for s in ([found] if isinstance(found, dict) else found) if isinstance(s, dict)]


def _listed(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value]) if v is not None]


def _allows(statement: dict[str, Any], action: str, resource: str) -> bool:
    """An Allow statement granting ``action`` on ``resource`` for the record types external-dns writes."""
    if statement.get("Effect") != "Allow":
        return False
    service = action.split(":")[0]
    if not any(a in (action, f"{service}:*", "*") for a in _listed(statement.get("Action"))):
        return False
    if not any(
        r in (resource, "*", resource.rsplit("/", 1)[0] + "/*") for r in _listed(statement.get("Resource"))
    ):
        return False
    for operator, conditions in (statement.get("Condition") or {}).items():
        types = (conditions or {}).get("route53:ChangeResourceRecordSetsRecordTypes")
        if (
            "StringEquals" in operator
            and types is not None
            and not set(EXTERNAL_DNS_RECORD_TYPES) <= set(_listed(types))
        ):
            return False
    return True


def dns_alias(graph: Graph, host: str, zone: Zone | None) -> Hop:
    """``host`` has alias records in the stack's zone targeting a CloudFront distribution of the plan."""
    if zone is None:
        return Hop("dns", False, "no hosted zone for the domain in the plan and no dns.hosted_zone_id")
    records = [r for r in graph.of_type(RECORD) if _strip(r.inputs.get("name")) == host]
    if not records:
        return Hop("dns", False, f"no record named {host} in the plan ({zone.describe()})")
    in_zone = [r for r in records if r.inputs.get("zoneId") == zone.zone_id]
    if not in_zone:
        other = ", ".join(sorted({str(r.inputs.get("zoneId")) for r in records}))
        return Hop("dns", False, f"{host}'s records are in zone {other}, not the stack's {zone.describe()}")
    distributions = {d.outputs.get("domainName"): d for d in graph.of_type(DISTRIBUTION)}
    targets: dict[str, Resource] = {}
    for record in in_zone:
        for alias in record.inputs.get("aliases") or []:
            distribution = distributions.get(_strip(alias.get("name")))
            if distribution is not None and alias.get("zoneId") == distribution.outputs.get("hostedZoneId"):
                targets[str(record.inputs.get("type"))] = distribution
    if "A" not in targets:
        return Hop("dns", False, f"no A alias record for {host} in {zone.describe()} targets a distribution")
    distribution = targets["A"]
    if distribution.inputs.get("isIpv6Enabled") and targets.get("AAAA") is not distribution:
        return Hop("dns", False, f"the distribution serves IPv6 but {host} has no AAAA alias to it")
    return Hop(
        "dns",
        True,
        f"{zone.describe()}: {host} A/AAAA alias -> {distribution.outputs.get('domainName')} (created by the program)",
    )


# --- certificate -------------------------------------------------------------------------------------


def certificate(graph: Graph, host: str, zone: Zone | None, region: str) -> Hop:
    """An ACM certificate in ``region`` covering ``host``, DNS-validated through the stack's zone."""
    in_region = [c for c in graph.of_type(CERTIFICATE) if region_of(str(c.outputs.get("arn", ""))) == region]
    covering = [c for c in in_region if any(covers(n, host) for n in _names(c))]
    if not covering:
        names = sorted({n for c in in_region for n in _names(c)})
        return Hop(
            "certificate",
            False,
            f"no ACM certificate in {region} covers {host} (certificates there: {', '.join(names) or 'none'})",
        )
    reasons = []
    for cert in covering:
        problem = _validation_problem(graph, cert, host, zone)
        if problem is None:
            return Hop(
                "certificate",
                True,
                f"{cert.inputs.get('domainName')} ({region}), DNS-validated in {zone.describe() if zone else '?'}, "
                "issued before use (CertificateValidation)",
            )
        reasons.append(problem)
    return Hop("certificate", False, "; ".join(reasons))


def _names(cert: Resource) -> list[str]:
    return [
        str(cert.inputs.get("domainName", "")),
        *[str(n) for n in cert.inputs.get("subjectAlternativeNames") or []],
    ]


def _validation_problem(graph: Graph, cert: Resource, host: str, zone: Zone | None) -> str | None:
    label = f"certificate {cert.inputs.get('domainName')}"
    if cert.inputs.get("validationMethod") != "DNS":
        return f"{label} is not DNS-validated (validationMethod {cert.inputs.get('validationMethod')})"
    if zone is None:
        return f"{label}: no hosted zone to validate through"
    options = [
        o for o in cert.outputs.get("domainValidationOptions") or [] if covers(str(o.get("domainName")), host)
    ]
    if not options:
        return f"{label} has no DNS validation option for {host}"
    option = options[0]
    name, value = _strip(option.get("resourceRecordName")), option.get("resourceRecordValue")
    records = [
        r
        for r in graph.of_type(RECORD)
        if _strip(r.inputs.get("name")) == name and value in (r.inputs.get("records") or [])
    ]
    if not records:
        return f"{label}: its validation record {name} is not in the plan"
    in_zone = [r for r in records if r.inputs.get("zoneId") == zone.zone_id]
    if not in_zone:
        other = ", ".join(sorted({str(r.inputs.get("zoneId")) for r in records}))
        return f"{label}: its validation record {name} is in zone {other}, not the stack's {zone.describe()}"
    fqdns = {r.outputs.get("fqdn") for r in in_zone}
    arn = cert.outputs.get("arn")
    waits = [
        v
        for v in graph.of_type(VALIDATION)
        if v.inputs.get("certificateArn") == arn and fqdns & set(v.inputs.get("validationRecordFqdns") or [])
    ]
    if not waits:
        return f"{label}: no CertificateValidation waits for its validation record (it may be used unissued)"
    return None


# --- the CDN leg -------------------------------------------------------------------------------------


def cdn_distribution(graph: Graph, host: str) -> Resource | None:
    found = [d for d in graph.of_type(DISTRIBUTION) if host in (d.inputs.get("aliases") or [])]
    return found[0] if found else None


def distribution_hop(graph: Graph, host: str) -> Hop:
    """CloudFront serves ``host`` with its own us-east-1 certificate, sni-only, TLSv1.2_2021 and a web ACL."""
    distribution = cdn_distribution(graph, host)
    if distribution is None:
        return Hop("distribution", False, f"no CloudFront distribution has {host} among its aliases")
    viewer = distribution.inputs.get("viewerCertificate") or {}
    arn = viewer.get("acmCertificateArn")
    if viewer.get("cloudfrontDefaultCertificate") or not arn:
        return Hop(
            "distribution", False, "serves the default *.cloudfront.net certificate, not one for the host"
        )
    certs = [c for c in graph.of_type(CERTIFICATE) if c.outputs.get("arn") == arn]
    if not certs or not any(covers(n, host) for n in _names(certs[0])):
        return Hop("distribution", False, f"its certificate {arn} does not cover {host}")
    if region_of(arn) != "us-east-1":
        return Hop(
            "distribution", False, f"its certificate is in {region_of(arn)}; CloudFront takes us-east-1 only"
        )
    if viewer.get("sslSupportMethod") != "sni-only":
        return Hop(
            "distribution", False, f"sslSupportMethod is {viewer.get('sslSupportMethod')}, not sni-only"
        )
    if viewer.get("minimumProtocolVersion") != CLOUDFRONT_TLS:
        return Hop(
            "distribution",
            False,
            f"minimumProtocolVersion is {viewer.get('minimumProtocolVersion')}, not {CLOUDFRONT_TLS}",
        )
    behaviour = distribution.inputs.get("defaultCacheBehavior") or {}
    if behaviour.get("viewerProtocolPolicy") not in ("redirect-to-https", "https-only"):
        return Hop(
            "distribution",
            False,
            f"viewerProtocolPolicy {behaviour.get('viewerProtocolPolicy')} serves plain HTTP",
        )
    acls = [a for a in graph.of_type(WEB_ACL) if a.outputs.get("arn") == distribution.inputs.get("webAclId")]
    if not acls or acls[0].inputs.get("scope") != "CLOUDFRONT":
        return Hop("distribution", False, "no CLOUDFRONT-scope web ACL of the plan is attached (webAclId)")
    return Hop(
        "distribution",
        True,
        f"{distribution.outputs.get('id')} alias {host}, certificate {certs[0].inputs.get('domainName')} "
        f"(us-east-1), sni-only, {CLOUDFRONT_TLS}, web ACL {acls[0].name}",
    )


def _origin(distribution: Resource) -> dict[str, Any] | None:
    target = (distribution.inputs.get("defaultCacheBehavior") or {}).get("targetOriginId")
    found = [o for o in distribution.inputs.get("origins") or [] if o.get("originId") == target]
    return found[0] if found else None


def _origin_bucket(graph: Graph, origin: dict[str, Any]) -> Resource | None:
    found = [
        b
        for b in graph.of_type(BUCKET)
        if b.outputs.get("bucketRegionalDomainName") == origin.get("domainName")
    ]
    return found[0] if found else None


def origin_access_hop(graph: Graph, host: str) -> Hop:
    """The distribution's default origin is an S3 bucket of the plan reached through an origin access control."""
    distribution = cdn_distribution(graph, host)
    origin = _origin(distribution) if distribution is not None else None
    if distribution is None or origin is None:
        return Hop("origin-access", False, "no distribution origin to check")
    bucket = _origin_bucket(graph, origin)
    if bucket is None:
        return Hop(
            "origin-access", False, f"the origin {origin.get('domainName')} is not a bucket of the plan"
        )
    controls = [c for c in graph.of_type(ORIGIN_ACCESS) if c.id == origin.get("originAccessControlId")]
    if not controls:
        return Hop(
            "origin-access",
            False,
            f"the S3 origin {bucket.outputs.get('bucket')} has no origin access control",
        )
    control = controls[0].inputs
    if (
        control.get("originAccessControlOriginType"),
        control.get("signingBehavior"),
        control.get("signingProtocol"),
    ) != (
        "s3",
        "always",
        "sigv4",
    ):
        return Hop(
            "origin-access",
            False,
            f"origin access control {controls[0].name} does not always sign with SigV4",
        )
    return Hop(
        "origin-access",
        True,
        f"{controls[0].id} signs every request to {bucket.outputs.get('bucket')} (SigV4)",
    )


def bucket_policy_hop(graph: Graph, host: str) -> Hop:
    """The origin bucket's policy lets this distribution read, and nothing else."""
    distribution = cdn_distribution(graph, host)
    origin = _origin(distribution) if distribution is not None else None
    bucket = _origin_bucket(graph, origin) if origin is not None else None
    if distribution is None or bucket is None:
        return Hop("bucket-policy", False, "no origin bucket to check")
    name = bucket.outputs.get("bucket")
    policies = [p for p in graph.of_type(BUCKET_POLICY) if p.inputs.get("bucket") == name]
    if not policies:
        return Hop(
            "bucket-policy", False, f"{name} has no bucket policy: CloudFront's signed reads are refused"
        )
    readers = [s for s in _statements(_json(policies[0].inputs.get("policy"))) if _grants_read(s)]
    arn = distribution.outputs.get("arn")
    admitted = {_source_arn(s) for s in readers}
    if arn not in admitted:
        shown = ", ".join(sorted(str(a) for a in admitted)) or "no one"
        return Hop("bucket-policy", False, f"{name}'s policy admits {shown}, not this distribution {arn}")
    others = admitted - {arn}
    if others:
        return Hop(
            "bucket-policy", False, f"{name}'s policy also admits {', '.join(sorted(map(str, others)))}"
        )
    return Hop("bucket-policy", True, f"{name} admits only {distribution.outputs.get('id')} (AWS:SourceArn)")


def _grants_read(statement: dict[str, Any]) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    return any(a in ("s3:GetObject", "s3:*", "*") for a in _listed(statement.get("Action")))


def _source_arn(statement: dict[str, Any]) -> str | None:
    """The distribution a read grant is limited to; None for a grant to anyone else (a wider reader)."""
    principal = statement.get("Principal")
    if principal != {"Service": "cloudfront.amazonaws.com"}:
        return f"principal {json.dumps(principal)}"
    for operator in ("StringEquals", "ArnEquals"):
        value = ((statement.get("Condition") or {}).get(operator) or {}).get("AWS:SourceArn")
        if value:
            return str(value)
    return "every CloudFront distribution (no AWS:SourceArn condition)"
