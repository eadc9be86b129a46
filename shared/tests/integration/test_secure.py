"""Secure-by-default deployment against real servers: Redis ACL users, NATS permissions, mutual TLS.

Certificates and passwords come from `make certs` (tenfour_shared.certs); Redis is Debian's
redis-server (built with TLS), NATS the pinned nats-server, both with the users rendered from
tenfour_shared.access — the same text the deployment files carry.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import nats
import pytest
import redis.asyncio as aioredis
import redis.exceptions
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.aio.client import Client

from tenfour_shared import certs
from tenfour_shared.config import ServiceSettings, TlsSettings
from tenfour_testing.embedded import NatsServer, RedisServer, Secure, free_port
from tenfour_shared.infra import nats_options
from tenfour_shared.redis_store import connect_service
from tenfour_shared.server import Runtime


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pki")
    certs.generate(out)
    return out


@pytest.fixture
def secure_redis(tmp_path: Path, pki: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path / "redis", secure=Secure.from_certs(pki, "redis")) as server:
        yield server


@pytest.fixture
def secure_nats(tmp_path: Path, pki: Path) -> Iterator[NatsServer]:
    with NatsServer(tmp_path / "nats", secure=Secure.from_certs(pki, "nats")) as server:
        yield server


def settings_for(pki: Path, name: str, **urls: str) -> ServiceSettings:
    env = certs.process_env(pki, name)
    return ServiceSettings(
        tls_ca_file=env["TENFOUR_TLS_CA_FILE"],
        tls_cert_file=env["TENFOUR_TLS_CERT_FILE"],
        tls_key_file=env["TENFOUR_TLS_KEY_FILE"],
        redis_username=env["TENFOUR_REDIS_USERNAME"],
        redis_password=env["TENFOUR_REDIS_PASSWORD"],
        nats_user=env["TENFOUR_NATS_USER"],
        nats_password=env["TENFOUR_NATS_PASSWORD"],
        **urls,  # type: ignore[arg-type]
    )


@pytest.fixture
async def redis_as(secure_redis: RedisServer, pki: Path) -> AsyncIterator[dict[str, aioredis.Redis]]:
    clients = {
        name: connect_service(settings_for(pki, name, redis_url=secure_redis.url))
        for name in ("admin", "identity", "scheduling")
    }
    yield clients
    for client in clients.values():
        await client.aclose()


# ---------------------------------------------------------------- Redis


async def test_scheduling_cannot_read_or_write_identitys_keys(redis_as: dict[str, aioredis.Redis]) -> None:
    await redis_as["identity"].set("identity:user:{dir}:u1", b"secret")
    scheduling = redis_as["scheduling"]
    with pytest.raises(redis.exceptions.NoPermissionError, match="no permissions"):
        await scheduling.get("identity:user:{dir}:u1")
    with pytest.raises(redis.exceptions.NoPermissionError, match="no permissions"):
        await scheduling.set("identity:user:{dir}:u1", b"forged")
    with pytest.raises(redis.exceptions.NoPermissionError):
        await scheduling.flushall()
    await scheduling.set("scheduling:applied:{p1}", b"1")  # its own keys work
    assert await scheduling.get("scheduling:applied:{p1}") == b"1"
    assert await redis_as["identity"].get("identity:user:{dir}:u1") == b"secret"


async def test_scripts_cannot_reach_other_services_keys(redis_as: dict[str, aioredis.Redis]) -> None:
    await redis_as["identity"].set("identity:login:{dir}:jo", b"u1")
    with pytest.raises(redis.exceptions.ResponseError, match=r"(?i)no permissions|NOPERM"):
        await redis_as["scheduling"].eval("return redis.call('GET', KEYS[1])", 1, "identity:login:{dir}:jo")


async def test_redis_refuses_the_default_user_and_clients_without_a_certificate(
    secure_redis: RedisServer, pki: Path
) -> None:
    anonymous = aioredis.Redis.from_url(
        secure_redis.url, ssl_ca_certs=str(pki / "ca.pem"), ssl_certfile=str(pki / "cli.pem"),
        ssl_keyfile=str(pki / "cli-key.pem"),
    )  # fmt: skip
    with pytest.raises(redis.exceptions.AuthenticationError):
        await anonymous.get("identity:user:{dir}:u1")
    await anonymous.aclose()
    password = certs.read_passwords(pki)["identity"]
    no_cert = aioredis.Redis.from_url(
        secure_redis.url, username="identity", password=password, ssl_ca_certs=str(pki / "ca.pem")
    )
    with pytest.raises(redis.exceptions.ConnectionError):
        await no_cert.ping()
    await no_cert.aclose()


async def test_redis_refuses_writes_when_full_instead_of_evicting(
    redis_as: dict[str, aioredis.Redis],
) -> None:
    admin = redis_as["admin"]
    assert await admin.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    await redis_as["identity"].set("identity:keep:{dir}", b"kept")
    await admin.config_set("maxmemory", "1")  # full now
    try:
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            await redis_as["scheduling"].set("scheduling:x:{p}", b"1")
        assert await redis_as["identity"].get("identity:keep:{dir}") == b"kept"
    finally:
        await admin.config_set("maxmemory", "256mb")


# ---------------------------------------------------------------- NATS


async def nats_as(pki: Path, server: NatsServer, name: str, errors: list[Exception]) -> Client:
    async def on_error(exc: Exception) -> None:
        errors.append(exc)

    options = nats_options(settings_for(pki, name, nats_url=server.url), name)
    return await nats.connect(server.url, error_cb=on_error, allow_reconnect=False, **options)


async def wait_for(items: list[Any], count: int = 1, within: float = 10.0) -> None:
    for _ in range(int(within / 0.05)):
        if len(items) >= count:
            return
        await asyncio.sleep(0.05)


async def test_a_service_cannot_publish_on_anothers_subjects(secure_nats: NatsServer, pki: Path) -> None:
    received: list[str] = []
    errors: list[Exception] = []
    admin = await nats_as(pki, secure_nats, "admin", [])
    scheduling = await nats_as(pki, secure_nats, "scheduling", errors)
    try:

        async def seen(msg: nats.aio.msg.Msg) -> None:
            received.append(msg.subject)

        await admin.subscribe(">", cb=seen)
        await admin.flush()
        await scheduling.publish("identity.user_created", b"forged")
        await scheduling.publish("scheduling.appointment_booked", b"own")
        await scheduling.flush()
        await wait_for(errors)
        await wait_for([s for s in received if s.startswith("scheduling.")])
        assert any("permissions violation" in str(e).lower() for e in errors)
        assert "scheduling.appointment_booked" in received
        assert "identity.user_created" not in received
    finally:
        await scheduling.close()
        await admin.close()


async def test_a_service_cannot_read_anothers_replies_or_consumers(
    secure_nats: NatsServer, pki: Path
) -> None:
    errors: list[Exception] = []
    outcomes = await nats_as(pki, secure_nats, "outcomes", errors)
    try:
        await outcomes.subscribe("_INBOX_identity.>")
        await outcomes.subscribe("tenfour-live.signaling.>")
        await outcomes.flush()
        await wait_for(errors, count=2)
        assert all("permissions violation" in str(e).lower() for e in errors)
        assert len(errors) == 2
    finally:
        await outcomes.close()


async def test_nats_refuses_wrong_passwords_and_plaintext(secure_nats: NatsServer, pki: Path) -> None:
    ctx = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    ctx.load_cert_chain(str(pki / "identity.pem"), str(pki / "identity-key.pem"))
    with pytest.raises(Exception, match=r"(?i)authorization"):
        await nats.connect(
            secure_nats.url, user="identity", password="wrong", tls=ctx, allow_reconnect=False,
            max_reconnect_attempts=0, connect_timeout=3,
        )  # fmt: skip
    plain = secure_nats.url.replace("tls://", "nats://")
    with pytest.raises(Exception):  # noqa: B017, PT011 - nats-py reports this refusal in several ways
        await nats.connect(plain, allow_reconnect=False, max_reconnect_attempts=0, connect_timeout=3)


# ---------------------------------------------------------------- gRPC mutual TLS


def health(target: str, creds: grpc.ChannelCredentials) -> int:
    with grpc.secure_channel(target, creds) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        return int(reply.status)


async def test_grpc_requires_a_client_certificate_from_our_ca(pki: Path, tmp_path: Path) -> None:
    env = certs.process_env(pki, "identity")
    settings = ServiceSettings(
        port=free_port(),
        tls_ca_file=env["TENFOUR_TLS_CA_FILE"],
        tls_cert_file=env["TENFOUR_TLS_CERT_FILE"],
        tls_key_file=env["TENFOUR_TLS_KEY_FILE"],
    )
    other_ca = tmp_path / "other"
    certs.generate(other_ca)
    ca = (pki / "ca.pem").read_bytes()
    async with Runtime("identity", settings, ["tenfour.identity.v1.IdentityService"]) as runtime:
        await runtime.ready()
        target = f"127.0.0.1:{runtime.port}"
        no_cert = grpc.ssl_channel_credentials(root_certificates=ca)
        foreign = grpc.ssl_channel_credentials(
            ca, (other_ca / "gateway-key.pem").read_bytes(), (other_ca / "gateway.pem").read_bytes()
        )
        ours = grpc.ssl_channel_credentials(
            ca, (pki / "gateway-key.pem").read_bytes(), (pki / "gateway.pem").read_bytes()
        )
        for refused in (no_cert, foreign):
            with pytest.raises(grpc.RpcError) as caught:
                await asyncio.to_thread(health, target, refused)
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        with pytest.raises(grpc.RpcError), grpc.insecure_channel(target) as plain:
            health_pb2_grpc.HealthStub(plain).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert await asyncio.to_thread(health, target, ours) == health_pb2.HealthCheckResponse.SERVING


def test_tls_settings_need_all_three_files() -> None:
    with pytest.raises(ValueError, match="go together"):
        TlsSettings(tls_ca_file="ca.pem", tls_cert_file="", tls_key_file="")
