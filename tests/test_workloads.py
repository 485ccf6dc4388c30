"""The Workloads component alone, per stack: seed services, hardening, isolation, scaling, ingress, secrets."""

from __future__ import annotations

import json
import re

import pytest

from components.db_bootstrap import SEED_DATABASES
from components.k8s_service import ServiceArgs
from components.workloads import WorkloadsArgs, check_wiring
from config.secrets import SECRET_KEY_PATTERN
from tests.workloads_wiring import (
    BACKEND_APP_SECRET,
    BUCKETS,
    CACHE_AUTH_SECRET,
    CERTIFICATES,
    DATA_KEY,
    DB_HOST,
    DB_MASTER_SECRET,
    ECR,
    KUBERNETES_VERSION,
    OIDC_URL,
    WEB_ACL,
    build,
    database_cidrs,
    public_cidrs,
    settings,
    workloads_graph,
)
from tools.harness import Graph, Resource
from tools.k8s_manifests import render, to_yaml, validate

STACKS = ("dev", "staging", "prod")
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
JOB = "kubernetes:batch/v1:Job"
SERVICE = "kubernetes:core/v1:Service"
NAMESPACE = "kubernetes:core/v1:Namespace"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
LB_CONFIG = "kubernetes:gateway.k8s.aws/v1:LoadBalancerConfiguration"
TARGET_GROUP_CONFIG = "kubernetes:gateway.k8s.aws/v1:TargetGroupConfiguration"
CONFIGMAP = "kubernetes:core/v1:ConfigMap"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"
SECRET_STORE = "kubernetes:external-secrets.io/v1:SecretStore"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"

#: Replicas and autoscaler range per tier: (replicas, min, max). prod is the seeds' (000, 004).
SIZES = {
    "dev": {
        "backend": (1, 1, 3),
        "frontend": (1, 1, 3),
        "model-serving": (1, 1, 2),
        "celery-worker": (1, 1, 3),
    },
    "staging": {
        "backend": (2, 2, 6),
        "frontend": (2, 2, 6),
        "model-serving": (2, 2, 4),
        "celery-worker": (2, 2, 6),
    },
    "prod": {
        "backend": (3, 3, 10),
        "frontend": (3, 3, 10),
        "model-serving": (2, 2, 6),
        "celery-worker": (3, 3, 10),
    },
}


@pytest.fixture(scope="module", params=STACKS)
def wl(request: pytest.FixtureRequest) -> Graph:
    return workloads_graph(request.param)


def k8s_named(graph: Graph, type_token: str, name: str, namespace: str | None = None) -> Resource:
    found = [
        r
        for r in graph.of_type(type_token)
        if r.inputs["metadata"]["name"] == name and namespace in (None, r.inputs["metadata"].get("namespace"))
    ]
    assert len(found) == 1, f"{len(found)} {type_token} named {name}"
    return found[0]


def container(deployment: Resource) -> dict:
    (only,) = deployment.inputs["spec"]["template"]["spec"]["containers"]
    return only


def env_of(deployment: Resource) -> dict[str, dict]:
    return {e["name"]: e for e in container(deployment).get("env", [])}


# -- the seed services ------------------------------------------------------------------------------


def test_backend_is_seed_000s(wl: Graph) -> None:
    deployment = k8s_named(wl, DEPLOYMENT, "backend")
    c = container(deployment)
    assert c["ports"] == [{"name": "http", "containerPort": 5000, "protocol": "TCP"}]
    assert c["resources"] == {
        "requests": {"cpu": "100m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
    live, ready = c["livenessProbe"], c["readinessProbe"]
    assert (
        live["httpGet"]["path"],
        live["httpGet"]["port"],
        live["initialDelaySeconds"],
        live["periodSeconds"],
    ) == (
        "/health",
        5000,
        30,
        10,
    )
    assert (
        ready["httpGet"]["path"],
        ready["httpGet"]["port"],
        ready["initialDelaySeconds"],
        ready["periodSeconds"],
    ) == (
        "/ready",
        5000,
        5,
        5,
    )
    env = env_of(deployment)
    assert env["DATABASE_URL"]["valueFrom"] == {
        "secretKeyRef": {"name": "app-secrets", "key": "database-url"}
    }
    assert env["REDIS_URL"]["valueFrom"] == {"secretKeyRef": {"name": "app-secrets", "key": "redis-url"}}
    assert deployment.inputs["spec"]["replicas"] == SIZES[wl.stack]["backend"][0]
    service = k8s_named(wl, SERVICE, "backend")
    assert service.inputs["spec"]["ports"] == [
        {"name": "http", "port": 5000, "targetPort": "http", "protocol": "TCP"},
        # Prometheus scrapes the named metrics port (the app serves /metrics on its http port).
        {"name": "metrics", "port": 9090, "targetPort": "http", "protocol": "TCP"},
    ]


def test_frontend_is_seed_000s_on_an_unprivileged_container_port(wl: Graph) -> None:
    deployment = k8s_named(wl, DEPLOYMENT, "frontend")
    c = container(deployment)
    # The Service keeps seed 000's port 80; the non-root container listens on 8080 behind it.
    service = k8s_named(wl, SERVICE, "frontend")
    assert service.inputs["spec"]["ports"][0]["port"] == 80
    assert c["ports"][0]["containerPort"] == 8080
    assert c["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "300m", "memory": "256Mi"},
    }
    for probe, delay, period in (("livenessProbe", 30, 10), ("readinessProbe", 5, 5)):
        assert c[probe]["httpGet"]["path"] == "/"
        assert c[probe]["httpGet"]["port"] == 8080
        assert (c[probe]["initialDelaySeconds"], c[probe]["periodSeconds"]) == (delay, period)
    assert env_of(deployment)["API_URL"]["valueFrom"] == {
        "configMapKeyRef": {"name": "app-configmap", "key": "api-url"}
    }
    assert deployment.inputs["spec"]["replicas"] == SIZES[wl.stack]["frontend"][0]


def test_model_serving_is_seed_001s(wl: Graph) -> None:
    deployment = k8s_named(wl, DEPLOYMENT, "model-serving")
    c = container(deployment)
    assert c["ports"][0]["containerPort"] == 8001
    assert {c[p]["httpGet"]["path"] for p in ("livenessProbe", "readinessProbe", "startupProbe")} == {
        "/health"
    }
    # Model artifacts on a volume: the EFS access point through a static PV, read-only.
    mounts = {m["mountPath"]: m for m in c["volumeMounts"]}
    assert mounts["/models"]["readOnly"] is True
    volumes = {v["name"]: v for v in deployment.inputs["spec"]["template"]["spec"]["volumes"]}
    claim = volumes[mounts["/models"]["name"]]["persistentVolumeClaim"]["claimName"]
    pvc = k8s_named(wl, "kubernetes:core/v1:PersistentVolumeClaim", claim)
    pv = wl.one("kubernetes:core/v1:PersistentVolume")
    assert pvc.inputs["spec"]["volumeName"] == pv.inputs["metadata"]["name"]
    assert pv.inputs["spec"]["csi"]["driver"] == "efs.csi.aws.com"
    assert pv.inputs["spec"]["csi"]["volumeHandle"] == "fs-0123456789abcdef0::fsap-0123456789abcdef0"
    assert (
        env_of(deployment)["MODEL_BUCKET"]["valueFrom"]["configMapKeyRef"]["key"] == "bucket-model-artifacts"
    )
    assert deployment.inputs["spec"]["replicas"] == SIZES[wl.stack]["model-serving"][0]
    assert "nvidia.com/gpu" not in c["resources"]["limits"]  # GPU optional, off by default


def test_celery_workers_have_no_port_an_exec_probe_and_a_long_grace(wl: Graph) -> None:
    deployment = k8s_named(wl, DEPLOYMENT, "celery-worker")
    c = container(deployment)
    # No serving port: only the metrics port its PodMonitor scrapes (issue 16).
    assert c["ports"] == [{"name": "metrics", "containerPort": 9808, "protocol": "TCP"}]
    assert "celery" in " ".join(c["livenessProbe"]["exec"]["command"])
    assert c["image"] == f"{ECR['backend']}:v1.0.0"  # workers run the backend's image
    assert env_of(deployment)["CELERY_BROKER_URL"]["valueFrom"]["secretKeyRef"]["key"] == "redis-url"
    spec = deployment.inputs["spec"]["template"]["spec"]
    assert spec["terminationGracePeriodSeconds"] == 120
    assert "lifecycle" not in c
    assert not [s for s in wl.of_type(SERVICE) if s.inputs["metadata"]["name"] == "celery-worker"]


def test_images_come_from_ecr_pinned_to_the_release(wl: Graph) -> None:
    for name in ("backend", "frontend", "model-serving"):
        assert container(k8s_named(wl, DEPLOYMENT, name))["image"] == f"{ECR[name]}:v1.0.0"


# -- hardening ---------------------------------------------------------------------------------------


def pod_templates(graph: Graph) -> list[tuple[Resource, dict]]:
    return [(r, r.inputs["spec"]["template"]["spec"]) for r in graph.of_type(DEPLOYMENT) + graph.of_type(JOB)]


def test_every_pod_template_is_hardened(wl: Graph) -> None:
    templates = pod_templates(wl)
    assert len(templates) == 5  # four services and the bootstrap Job
    for resource, spec in templates:
        where = resource.inputs["metadata"]["name"]
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, where
        assert pod["runAsUser"] > 10000, where
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert spec["automountServiceAccountToken"] is False, where
        assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), where
        for c in spec["containers"]:
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False, where
            assert sc["readOnlyRootFilesystem"] is True, where
            assert sc["capabilities"] == {"drop": ["ALL"]}, where
            assert sc.get("privileged") is False, where
            assert sc["runAsUser"] > 10000, where
            assert c["resources"]["requests"] and c["resources"]["limits"], where
            assert not c["image"].endswith(":latest") and ":" in c["image"].rsplit("/", 1)[-1], where
            tmp = [m for m in c["volumeMounts"] if m["mountPath"] == "/tmp"]
            assert tmp, where
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes[tmp[0]["name"]], where


def test_deployments_spread_over_zones_and_drain_gracefully(wl: Graph) -> None:
    when = "ScheduleAnyway" if wl.stack == "dev" else "DoNotSchedule"
    for deployment in wl.of_type(DEPLOYMENT):
        spec = deployment.inputs["spec"]
        pod = spec["template"]["spec"]
        zone = [
            t for t in pod["topologySpreadConstraints"] if t["topologyKey"] == "topology.kubernetes.io/zone"
        ]
        assert zone and zone[0]["whenUnsatisfiable"] == when
        assert zone[0]["labelSelector"]["matchLabels"] == spec["selector"]["matchLabels"]
        assert spec["strategy"]["rollingUpdate"] == {"maxSurge": "25%", "maxUnavailable": 0}
        c = container(deployment)
        if any(p["name"] == "http" for p in c.get("ports", [])):  # serving pods sleep before stopping
            assert c["lifecycle"]["preStop"]["sleep"]["seconds"] < pod["terminationGracePeriodSeconds"]


def test_service_accounts_mount_no_token_and_only_model_serving_has_an_aws_role(wl: Graph) -> None:
    accounts = {r.inputs["metadata"]["name"]: r for r in wl.of_type(SERVICE_ACCOUNT)}
    for name in ("backend", "frontend", "model-serving", "celery-worker", "db-bootstrap"):
        assert accounts[name].inputs["automountServiceAccountToken"] is False
    annotated = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"])
        for r in wl.of_type(SERVICE_ACCOUNT)
        if "eks.amazonaws.com/role-arn" in (r.inputs["metadata"].get("annotations") or {})
    }
    assert annotated == {
        ("quantumvest", "model-serving"),
        ("quantumvest", "external-secrets-reader"),
        ("quantumvest-db-bootstrap", "external-secrets-reader"),
        ("quantumvest-db-bootstrap", "db-dump"),  # puts the nightly pg_dump into the backups bucket
    }


def test_each_irsa_role_trusts_exactly_its_own_service_account(wl: Graph) -> None:
    accounts = {
        r.inputs["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]: r.inputs["metadata"]
        for r in wl.of_type(SERVICE_ACCOUNT)
        if "eks.amazonaws.com/role-arn" in (r.inputs["metadata"].get("annotations") or {})
    }
    roles = wl.of_type(ROLE)
    assert len(roles) == len(accounts) == 4  # three services with AWS access and the database dump
    issuer = OIDC_URL.removeprefix("https://")
    for role in roles:
        meta = accounts[role.outputs["arn"]]
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Condition"]["StringEquals"] == {
            f"{issuer}:sub": f"system:serviceaccount:{meta['namespace']}:{meta['name']}",
            f"{issuer}:aud": "sts.amazonaws.com",
        }


def _policy_of(graph: Graph, role_name_part: str) -> dict:
    (policy,) = [p for p in graph.of_type(ROLE_POLICY) if role_name_part in p.name]
    return json.loads(policy.inputs["policy"])


def test_model_serving_reads_only_the_model_bucket(wl: Graph) -> None:
    statements = _policy_of(wl, "model-serving")["Statement"]
    bucket = f"arn:aws:s3:::{BUCKETS['model-artifacts']}"
    resources = {r for s in statements if s["Action"][0].startswith("s3:") for r in [s["Resource"]]}
    assert resources == {bucket, f"{bucket}/*"}
    actions = {a for s in statements for a in s["Action"]}
    assert not {a for a in actions if a.startswith("s3:Put") or a.startswith("s3:Delete")}
    (kms,) = [s for s in statements if s["Sid"] == "BucketKeyViaS3"]
    assert (
        kms["Resource"] == DATA_KEY
        and kms["Condition"]["StringEquals"]["kms:ViaService"] == "s3.us-east-1.amazonaws.com"
    )


def test_the_app_namespace_cannot_read_the_database_master_secret(wl: Graph) -> None:
    app = _policy_of(wl, "workloads-secrets-irsa")["Statement"][0]["Resource"]
    bootstrap = _policy_of(wl, "db-bootstrap-secrets-irsa")["Statement"][0]["Resource"]
    assert DB_MASTER_SECRET in bootstrap and DB_MASTER_SECRET not in app
    assert {CACHE_AUTH_SECRET, BACKEND_APP_SECRET} <= set(app)
    assert not {CACHE_AUTH_SECRET, BACKEND_APP_SECRET} & set(bootstrap)


# -- isolation --------------------------------------------------------------------------------------


def test_every_namespace_is_restricted_and_denies_by_default(wl: Graph) -> None:
    namespaces = [n.inputs["metadata"] for n in wl.of_type(NAMESPACE)]
    assert {n["name"] for n in namespaces} == {"quantumvest", "quantumvest-db-bootstrap"}
    for ns in namespaces:
        assert ns["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert ns["labels"]["pod-security.kubernetes.io/enforce-version"] == "v1.33"
        in_ns = [p.inputs for p in wl.of_type(NETPOL) if p.inputs["metadata"]["namespace"] == ns["name"]]
        deny = [
            p
            for p in in_ns
            if p["spec"]["podSelector"] == {} and "ingress" not in p["spec"] and "egress" not in p["spec"]
        ]
        assert len(deny) == 1 and sorted(deny[0]["spec"]["policyTypes"]) == ["Egress", "Ingress"]
        dns = [p for p in in_ns if p["metadata"]["name"] == "allow-dns"]
        (rule,) = dns[0]["spec"]["egress"]
        assert rule["to"][0]["namespaceSelector"]["matchLabels"] == {
            "kubernetes.io/metadata.name": "kube-system"
        }
        assert {(p["protocol"], p["port"]) for p in rule["ports"]} == {("UDP", 53), ("TCP", 53)}
        quota = [
            q.inputs
            for q in wl.of_type("kubernetes:core/v1:ResourceQuota")
            if q.inputs["metadata"]["namespace"] == ns["name"]
        ]
        assert quota[0]["spec"]["hard"]["services.loadbalancers"] == "0"
        assert [
            lr
            for lr in wl.of_type("kubernetes:core/v1:LimitRange")
            if lr.inputs["metadata"]["namespace"] == ns["name"]
        ]


def test_every_pod_is_selected_by_an_allow_policy_only_for_what_it_needs(wl: Graph) -> None:
    policies = {p.inputs["metadata"]["name"]: p.inputs["spec"] for p in wl.of_type(NETPOL)}
    cidrs = set(database_cidrs(wl.stack))

    def egress_ports(name: str) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for rule in policies.get(f"{name}-egress", {}).get("egress", []):
            for port in rule["ports"]:
                targets = {t["ipBlock"]["cidr"] if "ipBlock" in t else json.dumps(t) for t in rule["to"]}
                out.setdefault(port["port"], set()).update(targets)
        return out

    backend = egress_ports("backend")
    assert backend[5432] == cidrs and backend[6379] == cidrs  # database subnets only, on their ports
    assert backend[443] == {"0.0.0.0/0"}
    assert "8001" not in {str(p) for p in backend if backend[p] == {"0.0.0.0/0"}}
    assert egress_ports("frontend") == {}  # the frontend reaches nothing but DNS
    assert set(egress_ports("model-serving")) == {443}
    # The ALB (target type ip: its nodes in the public subnets) reaches each public service on its
    # container port, and nothing else from outside the cluster does; nothing reaches workers.
    for name, port in (("backend", 5000), ("frontend", 8080)):
        (from_alb,) = [r for r in policies[f"{name}-ingress"]["ingress"] if "ipBlock" in r["from"][0]]
        assert [f["ipBlock"] for f in from_alb["from"]] == [{"cidr": c} for c in public_cidrs(wl.stack)]
        assert from_alb["ports"] == [{"protocol": "TCP", "port": port}]
    assert "celery-worker-ingress" not in policies
    callers = [r for r in policies["model-serving-ingress"]["ingress"] if "podSelector" in r["from"][0]]
    assert {f["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for f in callers[0]["from"]} == {
        "backend",
        "celery-worker",
    }
    boot = policies["db-bootstrap-egress"]["egress"]
    assert {t["ipBlock"]["cidr"] for t in boot[0]["to"]} == cidrs and boot[0]["ports"] == [
        {"protocol": "TCP", "port": 5432}
    ]


# -- scaling and availability -----------------------------------------------------------------------


def test_every_replicated_deployment_has_a_pdb_and_the_seed_004_autoscaler(wl: Graph) -> None:
    pdbs = {p.inputs["metadata"]["name"]: p.inputs["spec"] for p in wl.of_type(PDB)}
    hpas = {h.inputs["metadata"]["name"]: h.inputs["spec"] for h in wl.of_type(HPA)}
    for deployment in wl.of_type(DEPLOYMENT):
        name = deployment.inputs["metadata"]["name"]
        replicas, low, high = SIZES[wl.stack][name]
        hpa = hpas[name]
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert (hpa["minReplicas"], hpa["maxReplicas"]) == (low, high)
        targets = {
            m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["metrics"]
        }
        assert targets == {"cpu": 70, "memory": 80}
        assert hpa["behavior"]["scaleUp"]["policies"] == [
            {"type": "Percent", "value": 100, "periodSeconds": 60}
        ]
        assert hpa["behavior"]["scaleDown"]["policies"] == [
            {"type": "Percent", "value": 50, "periodSeconds": 60}
        ]
        assert "spec.replicas" in deployment.ignore_changes  # the autoscaler owns the count
        if replicas >= 2:
            assert (
                pdbs[name]["selector"]["matchLabels"] == deployment.inputs["spec"]["selector"]["matchLabels"]
            )
            assert pdbs[name]["maxUnavailable"] == 1
        else:
            assert name not in pdbs
    assert (len(pdbs) == 0) == (wl.stack == "dev")


# -- the public edge --------------------------------------------------------------------------------


def test_each_public_route_is_an_httproute_on_the_gateways_https_listener(wl: Graph) -> None:
    domain = settings(wl.stack).workloads.domain
    routes = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in wl.of_type(HTTP_ROUTE)
        if r.inputs["metadata"]["name"] != "edge-https-redirect"
    }
    expected = {
        "backend": (f"api.{domain}", "/", "backend", 5000),
        "backend-api-auth": (f"api.{domain}", "/auth", "backend", 5000),
        "backend-api-upload": (f"api.{domain}", "/upload", "backend", 5000),
        "frontend": (f"www.{domain}", "/", "frontend", 80),
    }
    assert set(routes) == set(expected)
    for name, (host, path, service, port) in expected.items():
        spec = routes[name]
        assert spec["parentRefs"] == [
            {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge", "sectionName": "https"}
        ]
        assert spec["hostnames"] == [host]
        (rule,) = spec["rules"]
        assert rule["matches"] == [{"path": {"type": "PathPrefix", "value": path}}]
        assert rule["backendRefs"] == [{"kind": "Service", "name": service, "port": port}]
    assert wl.outputs["ingressHosts"] == [f"api.{domain}", f"www.{domain}"]


def test_app_pods_wait_for_their_alb_target_to_be_healthy(wl: Graph) -> None:
    namespaces = {n.inputs["metadata"]["name"]: n.inputs["metadata"]["labels"] for n in wl.of_type(NAMESPACE)}
    assert namespaces["quantumvest"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
    assert "elbv2.k8s.aws/pod-readiness-gate-inject" not in namespaces["quantumvest-db-bootstrap"]


def test_target_groups_are_pod_ips_health_checked_on_readiness_and_the_frontend_is_sticky(wl: Graph) -> None:
    configs = {c.inputs["metadata"]["name"]: c.inputs["spec"] for c in wl.of_type(TARGET_GROUP_CONFIG)}
    assert set(configs) == {"backend", "frontend"}  # the services with public routes
    for name, path in (("backend", "/ready"), ("frontend", "/")):
        spec = configs[name]
        assert spec["targetReference"] == {"kind": "Service", "name": name}
        defaults = spec["defaultConfiguration"]
        assert defaults["targetType"] == "ip"
        assert defaults["healthCheckConfig"]["healthCheckPath"] == path  # seed 000's readiness paths
        attributes = {a["key"]: a["value"] for a in defaults["targetGroupAttributes"]}
        assert attributes["deregistration_delay.timeout_seconds"] == "30"
        sticky = name == "frontend"  # seed 004's session affinity, on the web front only
        assert (attributes.get("stickiness.enabled") == "true") == sticky
        if sticky:
            assert attributes["stickiness.type"] == "lb_cookie"


def test_one_gateway_with_tls13_certificates_waf_headers_and_logs(wl: Graph) -> None:
    (gateway,) = wl.of_type(GATEWAY)
    (config,) = wl.of_type(LB_CONFIG)
    spec = gateway.inputs["spec"]
    assert spec["gatewayClassName"] == "alb"
    assert spec["infrastructure"]["parametersRef"] == {
        "group": "gateway.k8s.aws",
        "kind": "LoadBalancerConfiguration",
        "name": config.inputs["metadata"]["name"],
    }
    assert gateway.inputs["metadata"]["namespace"] == config.inputs["metadata"]["namespace"] == "quantumvest"
    assert [(lis["name"], lis["protocol"], lis["port"]) for lis in spec["listeners"]] == [
        ("https", "HTTPS", 443),
        ("http", "HTTP", 80),
    ]
    lb = config.inputs["spec"]
    assert lb["scheme"] == "internet-facing" and lb["loadBalancerName"] == f"quantumvest-{wl.stack}"
    assert wl.outputs["loadBalancerName"] == lb["loadBalancerName"]
    assert lb["wafV2"] == {"webACL": WEB_ACL}
    https, http = lb["listenerConfigurations"]
    assert https["protocolPort"] == "HTTPS:443" and http == {"protocolPort": "HTTP:80"}
    assert https["sslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert [https["defaultCertificate"], *https["certificates"]] == CERTIFICATES
    headers = {
        a["key"].removeprefix("routing.http.response."): a["value"] for a in https["listenerAttributes"]
    }
    assert headers["strict_transport_security.header_value"].startswith("max-age=31536000")
    assert headers["x_content_type_options.header_value"] == "nosniff"
    assert headers["x_frame_options.header_value"] == "DENY"
    domain = settings(wl.stack).workloads.domain
    assert f"https://api.{domain}" in headers["content_security_policy.header_value"]
    assert headers["access_control_allow_origin.header_value"] == f"https://www.{domain}"  # backend's CORS
    attributes = {a["key"]: a["value"] for a in lb["loadBalancerAttributes"]}
    assert attributes["deletion_protection.enabled"] == ("false" if wl.stack == "dev" else "true")
    assert attributes["access_logs.s3.bucket"] == BUCKETS["logs"]
    assert attributes["access_logs.s3.enabled"] == "true"


def test_port_80_only_redirects_to_https(wl: Graph) -> None:
    on_http = [
        r.inputs
        for r in wl.of_type(HTTP_ROUTE)
        if any(ref.get("sectionName") in (None, "http") for ref in r.inputs["spec"]["parentRefs"])
    ]
    (redirect,) = on_http
    (rule,) = redirect["spec"]["rules"]
    assert "backendRefs" not in rule
    assert rule["filters"] == [
        {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "port": 443, "statusCode": 301}}
    ]


def test_a_public_service_without_an_http_readiness_probe_is_rejected() -> None:
    services = settings("dev").workloads.services
    frontend = next(s for s in services if s.name == "frontend").model_dump()
    frontend["readiness"] = {"kind": "tcp"}
    with pytest.raises(ValueError, match=r"readiness.*http readiness probe"):
        ServiceArgs.model_validate(frontend)


# -- secrets and config -----------------------------------------------------------------------------


def test_connection_settings_reach_pods_through_external_secrets_only(wl: Graph) -> None:
    stores = wl.of_type(SECRET_STORE)
    assert {s.inputs["spec"]["provider"]["aws"]["service"] for s in stores} == {"SecretsManager"}
    app = k8s_named(wl, EXTERNAL_SECRET, "app-secrets").inputs["spec"]
    refs = {d["secretKey"]: d["remoteRef"] for d in app["data"]}
    assert refs["redis_auth_token"] == {"key": CACHE_AUTH_SECRET}
    assert refs["db_password"]["key"] == wl.outputs["appDbCredentialsSecretArn"]
    template = app["target"]["template"]["data"]
    assert template["database-url"] == (
        "postgresql://{{ .db_username }}:{{ .db_password }}@"
        + f"{DB_HOST}:5432/trading_decisions?sslmode=require"
    )
    assert template["redis-url"].startswith(
        "rediss://:{{ .redis_auth_token | urlquery }}@master.quantumvest-cache"
    )
    assert {f"database-url-{db.replace('_', '-')}" for db in SEED_DATABASES} <= set(template)
    own = k8s_named(wl, EXTERNAL_SECRET, "backend-secrets").inputs["spec"]
    assert own["dataFrom"] == [{"extract": {"key": BACKEND_APP_SECRET}}]
    assert container(k8s_named(wl, DEPLOYMENT, "backend"))["envFrom"] == [
        {"secretRef": {"name": "backend-secrets"}}
    ]
    assert not wl.of_type("kubernetes:core/v1:Secret")  # no Secret object carries a value from Pulumi


def test_config_map_holds_endpoints_and_bucket_names(wl: Graph) -> None:
    data = k8s_named(wl, CONFIGMAP, "app-configmap").inputs["data"]
    domain = settings(wl.stack).workloads.domain
    assert data["database-host"] == DB_HOST and data["database-port"] == "5432"
    assert data["redis-host"] == "master.quantumvest-cache.abc123.use1.cache.amazonaws.com"
    assert data["api-url"] == f"https://api.{domain}"
    assert {k: v for k, v in data.items() if k.startswith("bucket-")} == {
        f"bucket-{r}": b for r, b in BUCKETS.items()
    }


def _secret_values(graph: Graph) -> set[str]:
    """Every value the graph marks secret (generated passwords, secret strings), as text."""
    values: set[str] = set()
    for resource in graph:
        for path in resource.secret_paths:
            value: object = resource.inputs
            for part in re.findall(r"[^.\[\]]+", path):
                value = value[int(part)] if isinstance(value, list) else value.get(part)  # type: ignore[union-attr]
            values.add(json.dumps(value) if not isinstance(value, str) else value)
        if resource.type == "random:index/randomPassword:RandomPassword":
            values.add(resource.outputs["result"])
    return {v for v in values if v}


def test_no_secret_value_appears_in_any_config_map_env_value_or_manifest(wl: Graph) -> None:
    secrets = _secret_values(wl)
    password = wl.one("random:index/randomPassword:RandomPassword").outputs["result"]
    assert password in secrets and len(secrets) >= 2  # the password, and the secret string holding it
    manifests = to_yaml(render(wl))
    for value in secrets:
        assert value not in manifests
        for fragment in (value[:12], json.dumps(value)[1:13]):
            assert fragment not in manifests
    for config_map in wl.of_type(CONFIGMAP):
        for key, value in (config_map.inputs.get("data") or {}).items():
            assert not SECRET_KEY_PATTERN.search(key), key
            assert value not in secrets
    for deployment in wl.of_type(DEPLOYMENT) + wl.of_type(JOB):
        for entry in deployment.inputs["spec"]["template"]["spec"]["containers"][0].get("env", []):
            if "value" in entry:
                assert not SECRET_KEY_PATTERN.search(entry["name"]), entry
                assert entry["value"] not in secrets


# -- the database bootstrap -------------------------------------------------------------------------


def test_bootstrap_job_creates_seed_003_databases_idempotently_with_the_master_secret(wl: Graph) -> None:
    job = k8s_named(wl, JOB, "db-bootstrap")
    sql = k8s_named(wl, CONFIGMAP, "db-bootstrap-sql").inputs["data"]["bootstrap.sql"]
    assert "unnest(ARRAY['market_data', 'trading_decisions', 'portfolio_management', 'reporting'])" in sql
    assert "WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d)\\gexec" in sql
    assert "WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'quantumvest_app')\\gexec" in sql
    assert ":'app_password'" in sql and "\\getenv app_password APP_DB_PASSWORD" in sql
    env = {e["name"]: e for e in job.inputs["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["PGPASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "db-master-credentials",
        "key": "password",
    }
    assert env["PGHOST"]["value"] == DB_HOST
    master = k8s_named(wl, EXTERNAL_SECRET, "db-master-credentials").inputs
    assert master["metadata"]["namespace"] == "quantumvest-db-bootstrap"
    assert {d["remoteRef"]["key"] for d in master["spec"]["data"]} == {DB_MASTER_SECRET}
    assert job.options["delete_before_replace"] is True
    assert job.inputs["metadata"]["annotations"]["pulumi.com/replaceUnready"] == "true"
    version = wl.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert "secretString" in version.secret_paths


def test_every_kubernetes_object_goes_through_the_cluster_provider(wl: Graph) -> None:
    (provider,) = wl.of_type("pulumi:providers:kubernetes")
    objects = [r for r in wl if r.custom and r.type.startswith("kubernetes:")]
    assert len(objects) > 40
    assert {r.provider for r in objects} == {provider.urn}


# -- wiring errors ----------------------------------------------------------------------------------


def test_a_bucket_the_storage_side_does_not_provide_is_named() -> None:
    args = settings("dev").workloads
    with pytest.raises(
        ValueError,
        match=r"^Workloads wiring: service 'model-serving' uses bucket 'model-artifacts', which the storage side does not provide \(buckets: assets, backups, logs; ECR",
    ):
        check_wiring(args, {k: v for k, v in BUCKETS.items() if k != "model-artifacts"}, ECR)
    check_wiring(args, BUCKETS, ECR)  # complete wiring passes


def test_an_ecr_repository_the_security_side_does_not_provide_is_named() -> None:
    args = settings("prod").workloads
    with pytest.raises(ValueError) as caught:
        check_wiring(args, BUCKETS, {k: v for k, v in ECR.items() if k != "backend"})
    # The backend and the workers (which run the backend's image) both name it.
    assert "service 'backend' runs ECR repository 'backend'" in str(caught.value)
    assert "service 'celery-worker' runs ECR repository 'backend'" in str(caught.value)


def test_gpu_node_placement_and_kubernetes_api_access_when_configured() -> None:
    data = settings("prod").workloads.model_dump()
    model = next(s for s in data["services"] if s["name"] == "model-serving")
    model["resources"]["gpu"] = 1
    model["node_selector"] = {"quantumvest.io/node-group": "gpu"}
    model["tolerations"] = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    backend = next(s for s in data["services"] if s["name"] == "backend")
    backend["kubernetes_api"] = [{"api_groups": [""], "resources": ["configmaps"], "verbs": ["get", "watch"]}]
    data["quota"]["gpus"] = 8
    graph = build("prod", args=WorkloadsArgs.model_validate(data))

    pod = k8s_named(graph, DEPLOYMENT, "model-serving").inputs["spec"]["template"]["spec"]
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "1"
    assert pod["nodeSelector"] == {"quantumvest.io/node-group": "gpu"}
    assert pod["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    quota = [
        q
        for q in graph.of_type("kubernetes:core/v1:ResourceQuota")
        if q.inputs["metadata"]["namespace"] == "quantumvest"
    ]
    assert quota[0].inputs["spec"]["hard"]["requests.nvidia.com/gpu"] == "8"

    role = k8s_named(graph, "kubernetes:rbac.authorization.k8s.io/v1:Role", "backend").inputs
    assert role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "watch"]}]
    binding = k8s_named(graph, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "backend").inputs
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "backend", "namespace": "quantumvest"}]
    assert (
        k8s_named(graph, DEPLOYMENT, "backend").inputs["spec"]["template"]["spec"][
            "automountServiceAccountToken"
        ]
        is True
    )
    assert k8s_named(graph, SERVICE_ACCOUNT, "backend").inputs["automountServiceAccountToken"] is True
    assert validate(render(graph), KUBERNETES_VERSION).errors == []
