"""The Compose file and server configs keep the promises the README makes about them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tenfour_shared import access

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "availability", "scheduling", "signaling", "outcomes", "notifications")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


IMAGE = "deploy/service.Dockerfile"
SERVICE_NAMES = {
    "identity": "IdentityService",
    "availability": "AvailabilityService",
    "scheduling": "SchedulingService",
    "signaling": "SignalingService",
    "outcomes": "OutcomesService",
    "notifications": "NotificationService",
}


def test_every_service_is_built_from_the_one_dockerfile_with_its_port_and_health_probe(
    compose: dict[str, Any],
) -> None:
    assert (ROOT / IMAGE).exists()
    for name in (*SERVICES, "gateway"):
        build = compose["services"][name]["build"]
        assert build["dockerfile"] == IMAGE
        args = build["args"]
        assert args["SERVICE"] == name
        assert (ROOT / "services" / name / "src" / f"tenfour_{name}" / "__main__.py").exists()
        assert [p.split(":")[1] for p in compose["services"][name].get("ports", [])] in ([], [args["PORT"]])
        if name == "gateway":
            assert (
                args["HEALTHCHECK"] == f"tenfour_gateway.healthcheck http://127.0.0.1:{args['PORT']}/healthz"
            )
        else:
            full = f"tenfour.{name}.v1.{SERVICE_NAMES[name]}"
            assert args["HEALTHCHECK"] == f"tenfour_shared.healthcheck 127.0.0.1:{args['PORT']} {full}"


def test_services_wait_for_healthy_nats_and_redis(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        deps = compose["services"][name]["depends_on"]
        assert deps == {"nats": {"condition": "service_healthy"}, "redis": {"condition": "service_healthy"}}
    assert "healthcheck" in compose["services"]["nats"]
    assert "healthcheck" in compose["services"]["redis"]


def test_gateway_waits_for_every_backend(compose: dict[str, Any]) -> None:
    gateway = compose["services"]["gateway"]
    assert gateway["build"]["dockerfile"] == IMAGE
    assert gateway["depends_on"] == {name: {"condition": "service_healthy"} for name in SERVICES}


def test_containers_are_hardened_and_restart(compose: dict[str, Any]) -> None:
    for name in (*SERVICES, "gateway"):
        svc = compose["services"][name]
        assert svc["read_only"] is True
        assert svc["cap_drop"] == ["ALL"]
        assert svc["restart"] == "unless-stopped"


def test_dockerfile_is_multi_stage_non_root_hash_checked_with_healthcheck() -> None:
    text = (ROOT / IMAGE).read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 2
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user
    assert not user[-1].startswith(("0", "root"))
    assert "--require-hashes -r requirements.lock" in text
    assert "CMD python -m $TENFOUR_HEALTHCHECK" in text
    assert 'exec python -m \\"tenfour_${TENFOUR_SERVICE}\\"' in text


def test_locks_pin_every_file_by_hash() -> None:
    for lock in ("requirements.lock", "requirements-dev.lock"):
        pins = re.findall(
            r"^[A-Za-z0-9._-]+==\S+ \\\n(?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+",
            (ROOT / lock).read_text(),
            re.M,
        )
        assert len(pins) == len(re.findall(r"^[A-Za-z0-9._-]+==", (ROOT / lock).read_text(), re.M)) > 20, lock


def test_nats_fsyncs_always_and_redis_appends() -> None:
    assert re.search(r"^\s*sync_interval:\s*always", (ROOT / "deploy/nats.conf").read_text(), re.M)
    redis_conf = (ROOT / "deploy/redis.conf").read_text()
    assert re.search(r"^appendonly yes", redis_conf, re.M)


# ---------------------------------------------------------------- secure by default (issue 17)


def test_redis_is_protected_limited_and_tls_only() -> None:
    lines = {line.strip() for line in (ROOT / "deploy/redis.conf").read_text().splitlines()}
    assert {"protected-mode yes", "port 0", "tls-auth-clients yes", "maxmemory-policy noeviction"} <= lines
    assert any(line.startswith("maxmemory ") for line in lines)
    assert "aclfile /secrets/redis-users.acl" in lines


def test_nats_monitoring_is_on_loopback_and_users_match_the_access_table() -> None:
    text = (ROOT / "deploy/nats.conf").read_text()
    assert re.search(r'^http: "127\.0\.0\.1:8222"$', text, re.M)
    assert re.search(r"^\s*verify: true$", text, re.M)
    assert access.nats_authorization() in text, "deploy/nats.conf is out of date with access.py"


def test_each_service_gets_only_its_own_credentials(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        env = compose["services"][name]["environment"]
        assert env["TENFOUR_NATS_URL"].startswith("tls://")
        assert env["TENFOUR_REDIS_URL"].startswith("rediss://")
        assert env["TENFOUR_NATS_USER"] == env["TENFOUR_REDIS_USERNAME"] == name
        assert env["TENFOUR_TLS_CERT_FILE"] == f"/secrets/{name}.pem"
        passwords = [
            v for k, v in env.items() if "PASSWORD" in k and k.startswith(("TENFOUR_NATS", "TENFOUR_REDIS"))
        ]
        assert len(passwords) == 2, name
        assert all(f"_PASSWORD_{name.upper()}:" in v for v in passwords), name
    gateway = compose["services"]["gateway"]["environment"]
    assert gateway["TENFOUR_TLS_CERT_FILE"] == "/secrets/gateway.pem"
    assert "6379" not in str(compose["services"]["redis"].get("ports", ""))
    assert "8222" not in str(compose["services"]["nats"].get("ports", ""))


def test_only_signaling_reaches_janus_and_browsers_only_its_media_ports(compose: dict[str, Any]) -> None:
    services = compose["services"]
    janus = services["janus"]
    assert janus["build"]["dockerfile"] == "deploy/janus/Dockerfile"
    assert janus["networks"] == ["sfu"]
    on_sfu = {name for name, svc in services.items() if "sfu" in svc.get("networks", [])}
    assert on_sfu == {"janus", "signaling"}
    published = [str(p) for p in janus["ports"]]
    assert published
    assert all(p.endswith("/udp") for p in published), "API/admin ports must stay unpublished"
    assert services["signaling"]["environment"]["TENFOUR_JANUS_URLS"] == "http://janus:8088/janus"
    assert janus["read_only"] is True
    assert janus["cap_drop"] == ["ALL"]
    dockerfile = (ROOT / "deploy" / "janus" / "Dockerfile").read_text()
    user = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert user
    assert not user[-1].startswith(("0", "root"))
