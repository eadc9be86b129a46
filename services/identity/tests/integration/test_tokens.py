"""Forged and misused tokens against a second service, which trusts identity's JWKS over gRPC.

The second service is a tiny gRPC server wired exactly as every Tenfour service wires its
auth (tenfour_shared.auth_wiring: RemoteJwks fetching identity's public GetJwks RPC, the
AuthInterceptor, a deny-by-default policy). Identity itself must refuse the same tokens.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import grpc
import pytest
from cryptography.hazmat.primitives import serialization
from grpc import aio

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_identity.adapters.signing_keys import SigningKeyStore
from tenfour_identity.adapters.vault import Vault
from tenfour_shared.auth.jwks import RemoteJwks
from tenfour_shared.auth.keys import SigningKey
from tenfour_shared.auth.policy import AUTHENTICATED, Policy
from tenfour_shared.auth.principal import current_principal
from tenfour_shared.auth_wiring import auth_interceptor, identity_jwks_fetch
from tenfour_shared.config import ServiceSettings
from tenfour_shared.launcher import ServiceProcess
from tenfour_shared.redis_store import connect as connect_redis
from tenfour_shared.server import Runtime
from tenfour_testing.embedded import free_port

from .conftest import KEK, PASSWORD, Stack

PROBE = "tenfour.test.v1.Probe"
WHOAMI = f"/{PROBE}/Whoami"


async def _whoami(_request: bytes, _context: aio.ServicerContext[bytes, bytes]) -> bytes:
    principal = current_principal()
    return f"{principal.subject}|{principal.role.value}".encode()


@dataclass
class Probe:
    target: str
    call: aio.UnaryUnaryMultiCallable[bytes, bytes]

    async def status(self, token: str) -> grpc.StatusCode:
        try:
            await self.call(b"", metadata=(("authorization", f"Bearer {token}"),), timeout=10)
        except aio.AioRpcError as exc:
            return exc.code()
        return grpc.StatusCode.OK


@asynccontextmanager
async def probe_server(stack: Stack, source: RemoteJwks | None = None) -> AsyncIterator[Probe]:
    settings = ServiceSettings(port=0, identity_target=stack.target)
    runtime = Runtime(
        "probe", settings, [PROBE], [auth_interceptor(settings, Policy({WHOAMI: AUTHENTICATED}), source)]
    )
    handler: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(_whoami)
    runtime.server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(PROBE, {"Whoami": handler})]
    )
    async with runtime:
        await runtime.ready()
        async with aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
            yield Probe(f"127.0.0.1:{runtime.port}", channel.unary_unary(WHOAMI))


@pytest.fixture
async def probe(stack: Stack) -> AsyncIterator[Probe]:
    async with probe_server(stack) as server:  # exactly the production wiring, defaults included
        yield server


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def sign(key: SigningKey, claims: dict[str, Any], **header: Any) -> str:
    head = {"alg": "EdDSA", "typ": "at+jwt", "kid": key.kid, **header}
    signing_input = _segments(head, claims)
    return signing_input + "." + _b64(key.private_key.sign(signing_input.encode()))


async def identity_key(stack: Stack) -> SigningKey:
    """Identity's current private key, read the way identity reads it (tests know the KEK)."""
    client = connect_redis(stack.redis.url)
    try:
        store = SigningKeyStore(client, Vault.from_setting(KEK), activation_delay=0, max_token_lifetime=600)
        await store.reload()
        return store.ring().current
    finally:
        await client.aclose()


def _claims(stack: Stack, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    officer = stack.a.officer
    claims = {
        "iss": "tenfour-identity",
        "aud": "tenfour",
        "sub": officer.user_id,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "forged-1",
        "role": "officer",
        "agency": officer.agency_id,
        "sid": "session-1",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _tamper(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


def _attacks(stack: Stack, key: SigningKey) -> dict[str, str]:
    now = int(time.time())
    public_raw = key.verification_key.public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    public_pem = key.verification_key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    jwk_json = json.dumps(key.verification_key.to_jwk()).encode()

    def hs256(secret: bytes) -> str:
        signing_input = _segments({"alg": "HS256", "typ": "at+jwt", "kid": key.kid}, _claims(stack))
        return signing_input + "." + _b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())

    foreign = SigningKey.generate()
    real = stack.a.officer.access
    return {
        "expired": sign(key, _claims(stack, iat=now - 900, nbf=now - 900, exp=now - 120)),
        "not yet valid": sign(key, _claims(stack, nbf=now + 600, exp=now + 900)),
        "issued in the future": sign(key, _claims(stack, iat=now + 600, nbf=now + 600, exp=now + 900)),
        "alg none": _segments({"alg": "none", "typ": "at+jwt", "kid": key.kid}, _claims(stack)) + ".",
        "HS256 keyed with the raw public key": hs256(public_raw),
        "HS256 keyed with the PEM public key": hs256(public_pem),
        "HS256 keyed with the JWK": hs256(jwk_json),
        "another audience": sign(key, _claims(stack, aud="tenfour-billing")),
        "another issuer": sign(key, _claims(stack, iss="https://evil.example")),
        "typ JWT (an ID token, not an access token)": sign(key, _claims(stack), typ="JWT"),
        "no typ": _segments({"alg": "EdDSA", "kid": key.kid}, _claims(stack)) + ".x",
        "no exp": sign(key, _claims(stack, exp=None)),
        "lifetime over an hour": sign(key, _claims(stack, exp=now + 7200)),
        "jku header": sign(key, _claims(stack), jku="https://evil.example/jwks"),
        "tampered role": _tamper(real, role="system_admin", agency=None),
        "tampered subject": _tamper(real, sub=stack.b.officer.user_id),
        "foreign key claiming identity's kid": sign(foreign, _claims(stack), kid=key.kid),
        "foreign key, unknown kid": sign(foreign, _claims(stack)),
        "truncated signature": real[:-10],
        "refresh token as bearer": stack.a.officer.refresh,
        "garbage": "not-a-token",
    }


async def test_second_service_accepts_identity_tokens(stack: Stack, probe: Probe) -> None:
    reply = await probe.call(b"", metadata=stack.a.officer.md, timeout=10)
    assert reply.decode() == f"{stack.a.officer.user_id}|officer"
    key = await identity_key(stack)
    assert await probe.status(sign(key, _claims(stack))) == grpc.StatusCode.OK  # the forger's control case


async def test_forged_and_misused_tokens_are_unauthenticated_everywhere(stack: Stack, probe: Probe) -> None:
    attacks = _attacks(stack, await identity_key(stack))
    async with aio.insecure_channel(stack.target) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        for name, token in attacks.items():
            assert await probe.status(token) == grpc.StatusCode.UNAUTHENTICATED, name
            with pytest.raises(aio.AioRpcError) as caught:
                await identity.GetMe(pb.GetMeRequest(), metadata=(("authorization", f"Bearer {token}"),))
            assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED, name
    assert await probe.status("") == grpc.StatusCode.UNAUTHENTICATED


async def test_rotation_without_downtime(stack: Stack) -> None:
    # A verifier that re-fetches on an unknown kid at most every 0.2 s (default 10 s) so the
    # test need not wait; identity publishes the next key 1 s before it signs (test setting).
    source = RemoteJwks(identity_jwks_fetch(stack.target), min_refresh_interval=0.2)
    async with probe_server(stack, source) as probe, aio.insecure_channel(stack.target) as channel:
        identity = identity_pb2_grpc.IdentityServiceStub(channel)
        login = pb.LoginRequest(username=stack.a.officer.username, password=PASSWORD)
        before = (await identity.Login(login)).access_token
        assert await probe.status(before) == grpc.StatusCode.OK
        old_kid = _kid(before)

        rotated = await identity.RotateSigningKey(pb.RotateSigningKeyRequest(), metadata=stack.root.md)
        assert rotated.kid != old_kid
        assert {old_kid, rotated.kid} <= set(rotated.published_kids)
        jwks = json.loads((await identity.GetJwks(pb.GetJwksRequest())).jwks_json)
        assert {old_kid, rotated.kid} <= {k["kid"] for k in jwks["keys"]}
        assert all("d" not in k for k in jwks["keys"])  # never a private part

        await asyncio.sleep(max(0.0, rotated.activates_at.ToNanoseconds() / 1e9 + 0.2 - time.time()))
        after = (await identity.Login(login)).access_token
        assert _kid(after) == rotated.kid
        assert await probe.status(after) == grpc.StatusCode.OK  # new key, fetched on first sight
        assert await probe.status(before) == grpc.StatusCode.OK  # old tokens live out their time


def _kid(token: str) -> str:
    header = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"])


def test_instances_share_keys_and_tokens_survive_restarts(stack: Stack, tmp_path: Any) -> None:
    second = ServiceProcess("identity", free_port(), stack.env, tmp_path / "second.log")
    second.start()
    try:
        second.wait_serving()
        with grpc.insecure_channel(second.target) as channel:
            other = identity_pb2_grpc.IdentityServiceStub(channel)
            first_jwks = json.loads(stack.api.stub.GetJwks(pb.GetJwksRequest()).jwks_json)
            second_jwks = json.loads(other.GetJwks(pb.GetJwksRequest()).jwks_json)
            assert {k["kid"] for k in first_jwks["keys"]} == {k["kid"] for k in second_jwks["keys"]}
            me = other.GetMe(pb.GetMeRequest(), metadata=stack.a.officer.md)  # token from the first
            assert me.user_id == stack.a.officer.user_id
            admins = stack.redis_client().scard("identity:system-admins:{dir}")
            assert admins == 1  # the second start did not bootstrap another admin
    finally:
        second.terminate()


def test_an_instance_with_another_master_key_refuses_to_start(stack: Stack, tmp_path: Any) -> None:
    env = {**stack.env, "TENFOUR_IDENTITY_KEY_ENCRYPTION_KEY": "a7" * 32}
    wrong = ServiceProcess("identity", free_port(), env, tmp_path / "wrong.log")
    wrong.start()
    try:
        with pytest.raises(RuntimeError, match="exited"):
            wrong.wait_serving(timeout=20)
    finally:
        wrong.terminate()
