"""The whole platform secure by default: every service on mutual TLS, its own Redis ACL user and
NATS user over TLS, against real servers; an event still travels from availability to scheduling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import nats
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.js.errors import NotFoundError

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc, rules_pb2
from tenfour_shared import certs
from tenfour_shared.access import SERVICES as SERVICES_ACCESS
from tenfour_shared.auth.roles import Role
from tenfour_shared.config import ServiceSettings
from tenfour_shared.events.streams import stream_name
from tenfour_shared.infra import nats_options
from tenfour_shared.launcher import SERVICES, ServiceProcess, health_status
from tenfour_shared.redis_store import connect_service
from tenfour_shared.tls import sync_channel
from tenfour_testing.embedded import NatsServer, RedisServer, Secure, free_port
from tenfour_testing.tokens import TestTokens


@dataclass
class SecureSystem:
    pki: Path
    redis: RedisServer
    nats_url: str
    services: dict[str, ServiceProcess]

    def settings(self, name: str) -> ServiceSettings:
        env = certs.process_env(self.pki, name)
        return ServiceSettings(
            redis_url=self.redis.url,
            nats_url=self.nats_url,
            redis_username=env.get("TENFOUR_REDIS_USERNAME", ""),
            redis_password=env.get("TENFOUR_REDIS_PASSWORD", ""),
            nats_user=env.get("TENFOUR_NATS_USER", ""),
            nats_password=env.get("TENFOUR_NATS_PASSWORD", ""),
            tls_ca_file=env["TENFOUR_TLS_CA_FILE"],
            tls_cert_file=env["TENFOUR_TLS_CERT_FILE"],
            tls_key_file=env["TENFOUR_TLS_KEY_FILE"],
        )


@pytest.fixture
def secure_system(tmp_path: Path, test_tokens: TestTokens) -> Iterator[SecureSystem]:
    pki = tmp_path / "pki"
    certs.generate(pki)
    with (
        NatsServer(tmp_path / "nats", secure=Secure.from_certs(pki, "nats")) as nats,
        RedisServer(tmp_path / "redis", secure=Secure.from_certs(pki, "redis")) as redis,
    ):
        common = {
            "TENFOUR_NATS_URL": nats.url,
            "TENFOUR_REDIS_URL": redis.url,
            "TENFOUR_RETRY_BASE_SECONDS": "0.1",
            "TENFOUR_JWKS_JSON": test_tokens.jwks_json,
        }
        procs = {
            name: ServiceProcess(
                name, free_port(), {**common, **certs.process_env(pki, name)}, tmp_path / f"{name}.log"
            )
            for name in SERVICES
        }
        try:
            for proc in procs.values():
                proc.start()
            for proc in procs.values():
                proc.wait_serving()
            yield SecureSystem(pki, redis, nats.url, procs)
        finally:
            for proc in procs.values():
                proc.terminate()


async def test_services_serve_over_mutual_tls_with_their_own_users(
    secure_system: SecureSystem, test_tokens: TestTokens
) -> None:
    # Each service is SERVING (it reached Redis and NATS as its own user over TLS) to a peer with
    # a certificate, and refuses a plaintext one.
    gateway = secure_system.settings("gateway")
    for name, (_, full_name) in SERVICES.items():
        target = secure_system.services[name].target
        assert (
            health_status(target, full_name, tls_settings=gateway) == health_pb2.HealthCheckResponse.SERVING
        )
        assert health_status(target, full_name) == health_pb2.HealthCheckResponse.UNKNOWN  # plaintext

    with sync_channel(secure_system.services["availability"].target, gateway) as channel:
        stub = availability_pb2_grpc.AvailabilityServiceStub(channel)
        reply = stub.SetRules(
            availability_pb2.SetRulesRequest(rules=rules_pb2.RuleSet(provider_id="prov-tls", timezone="UTC")),
            timeout=10,
            metadata=test_tokens.metadata(Role.SYSTEM_ADMIN),
        )
    assert reply.version == 1

    # availability's event reached scheduling through NATS permissions and scheduling's Redis user.
    admin = connect_service(secure_system.settings("admin"))
    try:
        deadline = time.monotonic() + 60
        applied = None
        while time.monotonic() < deadline and applied is None:
            applied = await admin.get("scheduling:applied:{prov-tls}")
            await asyncio.sleep(0.2)
        assert applied == b"1"
    finally:
        await admin.aclose()

    # Every durable consumer exists: each service's NATS user may create exactly its own.
    settings = secure_system.settings("admin")
    nc = await nats.connect(secure_system.nats_url, allow_reconnect=False, **nats_options(settings, "admin"))
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + 30
        missing = ["?"]
        while missing and time.monotonic() < deadline:
            missing = []
            for name, access in SERVICES_ACCESS.items():
                for source in access.consumes:
                    try:
                        await js.consumer_info(stream_name(source), f"{name}-from-{source}")
                    except NotFoundError:
                        missing.append(f"{name}-from-{source}")
            await asyncio.sleep(0.2)
        assert missing == []
    finally:
        await nc.close()


def test_a_client_without_a_certificate_is_refused(secure_system: SecureSystem) -> None:
    ca = (secure_system.pki / "ca.pem").read_bytes()
    target = secure_system.services["identity"].target
    creds = grpc.ssl_channel_credentials(root_certificates=ca)
    with grpc.secure_channel(target, creds) as channel, pytest.raises(grpc.RpcError) as caught:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
