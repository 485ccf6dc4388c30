"""ClusterServices in each stack and alone: pinned Helm releases on the system group, IRSA, issuers, storage."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi_kubernetes as k8s

from components.cluster import NODE_GROUP_LABEL
from components.cluster_service_policies import load_balancer_controller_policy
from components.cluster_services import ClusterServices, ClusterServicesArgs
from components.gateway_crds import GATEWAY_API_VERSION, standard_install
from tools.harness import Graph, Resource, run

RELEASE = "kubernetes:helm.sh/v3:Release"
CRD = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"
SYSTEM_SELECTOR = {NODE_GROUP_LABEL: "system"}
CRITICAL_ADDONS = {"key": "CriticalAddonsOnly", "operator": "Equal", "value": "true", "effect": "NoSchedule"}

#: Where each chart puts its pods' scheduling settings ("" is the top level of the values).
POD_SECTIONS = {
    "metrics-server": [""],
    "cluster-autoscaler": [""],
    "aws-load-balancer-controller": [""],
    "cert-manager": ["", "webhook", "cainjector", "startupapicheck"],
    "external-secrets": ["", "webhook", "certController"],
    "external-dns": [""],
}


def _releases(graph: Graph) -> dict[str, Resource]:
    """The cluster services' Helm releases (Monitoring installs its own, tested with it)."""
    services = graph.one("quantumvest:cluster:ClusterServices")
    return {r.inputs["chart"]: r for r in graph.of_type(RELEASE) if r.parent == services.urn}


def _section(values: dict[str, Any], path: str) -> dict[str, Any]:
    for part in filter(None, path.split(".")):
        values = values[part]
    return values


def _cluster_provider(graph: Graph) -> Resource:
    return graph.one("pulumi:providers:kubernetes")


def _build(args: ClusterServicesArgs, **wiring: Any) -> Graph:
    def program() -> None:
        ClusterServices(
            "svc",
            args,
            k8s_provider=k8s.Provider("k8s", kubeconfig="{}"),
            cluster_name="eks-test",
            oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
            oidc_provider_url="oidc.eks.us-east-1.amazonaws.com/id/ABC",
            vpc_id="vpc-0123456789abcdef0",
            system_node_selector=SYSTEM_SELECTOR,
            system_tolerations=[CRITICAL_ADDONS],
            **wiring,
        )

    return run(program)


def test_every_release_pins_an_exact_chart_version_from_an_https_repository(graph: Graph) -> None:
    releases = _releases(graph)
    # external-dns is off in a DR pair (prod): the program writes the failover records (components/dr.py)
    paired = graph.stack == "prod"
    assert set(POD_SECTIONS) - ({"external-dns"} if paired else set()) <= set(releases)
    for chart, release in releases.items():
        assert re.fullmatch(r"v?\d+\.\d+\.\d+", release.inputs["version"]), chart
        assert release.inputs["repositoryOpts"]["repo"].startswith("https://"), chart
        assert release.inputs["name"] == chart  # stable release names: service accounts keep their names


def test_everything_kubernetes_goes_through_the_cluster_provider(graph: Graph) -> None:
    provider = _cluster_provider(graph)
    assert provider.parent == graph.one("quantumvest:cluster:Cluster").urn
    kube = [r for r in graph if r.custom and r.type.startswith("kubernetes:")]
    assert len(kube) >= 12
    assert {r.provider for r in kube} == {provider.urn}


def test_add_ons_run_on_the_system_group(graph: Graph) -> None:
    releases = _releases(graph)
    for chart, sections in POD_SECTIONS.items():
        if chart not in releases and chart == "external-dns" and graph.stack == "prod":
            continue  # off in a DR pair (see above)
        values = releases[chart].inputs["values"]
        for path in sections:
            section = _section(values, path)
            assert section["nodeSelector"] == SYSTEM_SELECTOR, (chart, path)
            # dev's only group is untainted (the apps share it, issue 21): nothing to tolerate there.
            expected = [] if graph.stack == "dev" else [CRITICAL_ADDONS]
            assert section["tolerations"] == expected, (chart, path)


def test_load_balancer_controller_serves_the_gateway_api_after_its_crds(graph: Graph) -> None:
    lbc = _releases(graph)["aws-load-balancer-controller"]
    values = lbc.inputs["values"]
    assert lbc.inputs["version"] == "3.5.0"  # controller v3.5.0: Gateway API GA since v3.0.0
    assert values["controllerConfig"]["featureGates"]["ALBGatewayAPI"] is True
    assert values["createIngressClassResource"] is False  # nothing public is an Ingress any more
    # The ALB it creates carries the cost tags the budget filters on.
    assert values["defaultTags"]["CostCenter"] == f"quantumvest-{graph.stack}"
    assert values["clusterName"] == graph.outputs["clusterName"] and values["vpcId"] == graph.outputs["vpcId"]
    crds = graph.of_type(CRD)
    names = {c.inputs["metadata"]["name"] for c in crds}
    assert {
        f"{kind}.gateway.networking.k8s.io"
        for kind in ("gatewayclasses", "gateways", "httproutes", "grpcroutes")
    } <= names
    for crd in crds:
        annotations = crd.inputs["metadata"]["annotations"]
        assert annotations["gateway.networking.k8s.io/bundle-version"] == GATEWAY_API_VERSION
        assert annotations["gateway.networking.k8s.io/channel"] == "standard"
        assert crd.retain_on_delete  # removing the code must not delete every Gateway and route
    # The controller detects the CRDs at start-up: it is installed after every one of them.
    assert {c.urn for c in crds} <= graph.depends_on(lbc)
    (gateway_class,) = graph.of_type("kubernetes:gateway.networking.k8s.io/v1:GatewayClass")
    assert gateway_class.inputs["metadata"]["name"] == "alb"
    assert gateway_class.inputs["spec"]["controllerName"] == "gateway.k8s.aws/alb"
    assert lbc.urn in graph.depends_on(gateway_class)


def test_vendored_gateway_api_is_the_pinned_standard_install() -> None:
    documents = standard_install()
    assert [d["kind"] for d in documents].count("CustomResourceDefinition") == 10
    for document in documents:
        assert document["metadata"]["annotations"]["gateway.networking.k8s.io/bundle-version"] == "v1.6.0"


def test_cluster_autoscaler_discovers_and_resizes_only_this_cluster(graph: Graph) -> None:
    values = _releases(graph)["cluster-autoscaler"].inputs["values"]
    cluster_name = graph.outputs["clusterName"]
    assert values["autoDiscovery"]["clusterName"] == cluster_name
    assert values["image"]["tag"].startswith(f"v{graph.outputs['kubernetesVersion']}.")
    role_arn = values["rbac"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"]
    (role,) = [r for r in graph.of_type("aws:iam/role:Role") if r.outputs["arn"] == role_arn]
    (policy,) = [p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["ResizeOwnGroupsOnly"]["Condition"] == {
        "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
    }


def test_letsencrypt_issuers_solve_dns01_in_the_configured_zone(graph: Graph) -> None:
    zone = {"dev": "dev.quantumvest.com", "staging": "staging.quantumvest.com", "prod": "quantumvest.com"}[
        graph.stack
    ]
    issuers = {
        i.inputs["metadata"]["name"]: i.inputs["spec"]["acme"]
        for i in graph.of_type("kubernetes:cert-manager.io/v1:ClusterIssuer")
    }
    assert set(issuers) == {"letsencrypt-prod", "letsencrypt-staging"}
    acme = issuers["letsencrypt-prod"]
    assert acme["email"] == "platform-team@quantumvest.com"
    assert acme["server"] == "https://acme-v02.api.letsencrypt.org/directory"
    (solver,) = acme["solvers"]
    assert solver["selector"] == {"dnsZones": [zone]}
    zone_id = solver["dns01"]["route53"]["hostedZoneID"]
    assert zone_id.startswith("Z") and solver["dns01"]["route53"]["region"] == "us-east-1"
    dns01 = graph.one("aws:iam/rolePolicy:RolePolicy", "cert-manager-role")
    changes = [
        s for s in json.loads(dns01.inputs["policy"])["Statement"] if s["Sid"] == "ChallengeRecordsInTheZone"
    ]
    assert changes[0]["Resource"] == f"arn:aws:route53:::hostedzone/{zone_id}"


def test_external_secrets_store_reads_secrets_manager(graph: Graph) -> None:
    store = graph.one("kubernetes:external-secrets.io/v1:ClusterSecretStore").inputs
    assert store["metadata"]["name"] == "aws-secrets-manager"
    assert store["spec"]["provider"]["aws"] == {"service": "SecretsManager", "region": "us-east-1"}
    policy = json.loads(graph.one("aws:iam/rolePolicy:RolePolicy", "external-secrets-role").inputs["policy"])
    actions = {a for s in policy["Statement"] for a in s["Action"]}
    assert not any(
        a.startswith("secretsmanager:Put") or a.startswith("secretsmanager:Create") for a in actions
    )


def test_default_storage_class_is_encrypted_gp3(graph: Graph) -> None:
    (gp3,) = [
        c
        for c in graph.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
        if c.inputs["metadata"]["name"] == "gp3"
    ]
    assert gp3.inputs["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"
    assert gp3.inputs["parameters"]["type"] == "gp3" and gp3.inputs["parameters"]["encrypted"] == "true"
    assert gp3.inputs["volumeBindingMode"] == "WaitForFirstConsumer"
    assert gp3.inputs["reclaimPolicy"] == ("Delete" if graph.stack == "dev" else "Retain")


# --- the component alone ------------------------------------------------------------------------------


def test_load_balancer_controller_deletes_and_reconfigures_only_what_it_tagged() -> None:
    statements = json.loads(load_balancer_controller_policy("aws", "quantumvest-cluster-0a1b2c3d"))[
        "Statement"
    ]
    destructive = {
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteTargetGroup",
        "ec2:DeleteSecurityGroup",
    }
    for statement in statements:
        actions = {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])
        if actions & destructive:
            assert statement["Condition"] == {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
    assert not any(s["Action"] == "*" or "elasticloadbalancing:*" in s["Action"] for s in statements)


def test_efs_class_data_key_and_secret_scope_when_wired() -> None:
    graph = _build(
        ClusterServicesArgs(),
        efs_file_system_id="fs-0123456789abcdef0",
        ebs_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/data",
        secret_arns=["arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"],
        secrets_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/secrets",
    )
    eso = json.loads(graph.one("aws:iam/rolePolicy:RolePolicy", "external-secrets-role").inputs["policy"])
    statements = {s["Sid"]: s for s in eso["Statement"]}
    assert statements["ReadSecrets"]["Resource"] == [
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    ]
    assert statements["DecryptThroughSecretsManager"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}
    }
    classes = {
        c.inputs["metadata"]["name"]: c.inputs
        for c in graph.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
    }
    assert classes["gp3"]["parameters"]["kmsKeyId"].endswith("key/data")
    assert classes["efs"]["provisioner"] == "efs.csi.aws.com"
    assert classes["efs"]["parameters"]["fileSystemId"] == "fs-0123456789abcdef0"


def test_external_dns_publishes_httproute_hosts_in_the_given_zone_only() -> None:
    args = ClusterServicesArgs(dns_zone="example.com", acme_email="ops@example.com", external_dns=True)
    graph = _build(args, hosted_zone_id="Z0123456789EXAMPLE")
    values = _releases(graph)["external-dns"].inputs["values"]
    assert values["sources"] == ["gateway-httproute"]
    assert values["domainFilters"] == ["example.com"]
    assert values["txtOwnerId"] == "eks-test"
    assert "--zone-id-filter=Z0123456789EXAMPLE" in values["extraArgs"]
    # Its role may change records in that zone only.
    policies = [
        p.inputs["policy"] for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if "external-dns" in p.name
    ]
    assert policies and all("hostedzone/Z0123456789EXAMPLE" in p for p in policies)


def test_without_a_zone_there_is_no_external_dns_issuer_or_route53_access() -> None:
    graph = _build(ClusterServicesArgs())
    assert "external-dns" not in _releases(graph)
    assert graph.of_type("kubernetes:cert-manager.io/v1:ClusterIssuer") == []
    assert "serviceAccount" not in _releases(graph)["cert-manager"].inputs["values"]
    assert not any("route53" in p.inputs["policy"] for p in graph.of_type("aws:iam/rolePolicy:RolePolicy"))
    assert graph.of_type("kubernetes:storage.k8s.io/v1:StorageClass")[0].inputs["metadata"]["name"] == "gp3"
