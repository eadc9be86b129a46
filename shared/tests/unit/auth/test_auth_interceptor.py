"""The interceptor on a real grpc.aio server over loopback, with byte-level handlers (no protobuf)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import Any

import grpc
import pytest
from grpc import aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from tenfour_shared.auth import (
    AUTHENTICATED,
    PUBLIC,
    Policy,
    RemoteJwks,
    Role,
    Rule,
    SigningKey,
    TokenVerifier,
    current_principal,
    current_principal_or_none,
    require_same_agency,
)
from tenfour_shared.auth.interceptor import AuthInterceptor

SERVICE = "tenfour.test.v1.Probe"
Issue = Callable[..., str]


def _who() -> bytes:
    p = current_principal()
    return f"{p.subject}|{p.role.value}|{p.agency_id}|{p.session_id}".encode()


async def whoami(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
    return _who()


async def public(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
    return b"anonymous" if current_principal_or_none() is None else b"someone"


async def own_agency(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
    require_same_agency(current_principal(), request.decode())
    return b"ok"


async def stream(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> AsyncIterator[bytes]:
    for _ in range(3):
        await asyncio.sleep(0.005)  # interleave with concurrent calls
        yield _who()


async def stream_by_write(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> None:
    await context.write(_who())
    await context.write(_who())


async def stream_agency(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> AsyncIterator[bytes]:
    yield b"first"
    require_same_agency(current_principal(), request.decode())
    yield b"second"


async def upload(requests: AsyncIterator[bytes], context: aio.ServicerContext[bytes, bytes]) -> bytes:
    count = sum([1 async for _ in requests])
    return _who() + f"|{count}".encode()


async def chat(
    requests: AsyncIterator[bytes], context: aio.ServicerContext[bytes, bytes]
) -> AsyncIterator[bytes]:
    async for message in requests:
        yield message + b"|" + current_principal().subject.encode()


HANDLERS: Mapping[str, Any] = {
    "Whoami": grpc.unary_unary_rpc_method_handler(whoami),
    "AdminOnly": grpc.unary_unary_rpc_method_handler(whoami),
    "Unlisted": grpc.unary_unary_rpc_method_handler(whoami),
    "Public": grpc.unary_unary_rpc_method_handler(public),
    "OwnAgency": grpc.unary_unary_rpc_method_handler(own_agency),
    "Stream": grpc.unary_stream_rpc_method_handler(stream),
    "StreamByWrite": grpc.unary_stream_rpc_method_handler(stream_by_write),
    "StreamAgency": grpc.unary_stream_rpc_method_handler(stream_agency),
    "UnlistedStream": grpc.unary_stream_rpc_method_handler(stream),
    "Upload": grpc.stream_unary_rpc_method_handler(upload),
    "Chat": grpc.stream_stream_rpc_method_handler(chat),
}

POLICY = Policy(
    {
        f"/{SERVICE}/Whoami": AUTHENTICATED,
        f"/{SERVICE}/AdminOnly": Rule(roles={Role.AGENCY_ADMIN}),
        f"/{SERVICE}/Public": PUBLIC,
        f"/{SERVICE}/OwnAgency": AUTHENTICATED,
        f"/{SERVICE}/Stream": Rule(roles={Role.OFFICER, Role.PEER_SUPPORTER}),
        f"/{SERVICE}/StreamByWrite": AUTHENTICATED,
        f"/{SERVICE}/StreamAgency": AUTHENTICATED,
        f"/{SERVICE}/Upload": AUTHENTICATED,
        f"/{SERVICE}/Chat": AUTHENTICATED,
    }
)


async def _start(verifier: TokenVerifier) -> tuple[aio.Server, int]:
    server = aio.server(interceptors=[AuthInterceptor(verifier, POLICY)])
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, dict(HANDLERS))])
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    return server, port


@pytest.fixture
async def channel(verifier: TokenVerifier) -> AsyncIterator[aio.Channel]:
    server, port = await _start(verifier)
    async with aio.insecure_channel(f"127.0.0.1:{port}") as chan:
        yield chan
    await server.stop(None)


def _auth(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


async def _unary(channel: aio.Channel, method: str, token: str | None, request: bytes = b"") -> bytes:
    call: aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(f"/{SERVICE}/{method}")
    result: bytes = await call(request, metadata=_auth(token) if token else None, timeout=5)
    return result


async def _stream(channel: aio.Channel, method: str, token: str | None, request: bytes = b"") -> list[bytes]:
    call: aio.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(f"/{SERVICE}/{method}")
    return [r async for r in call(request, metadata=_auth(token) if token else None, timeout=5)]


async def _code(awaitable: Any) -> grpc.StatusCode:
    with pytest.raises(aio.AioRpcError) as caught:
        await awaitable
    code: grpc.StatusCode = caught.value.code()
    return code


async def test_valid_token_reaches_handler_with_principal(channel: aio.Channel, issue: Issue) -> None:
    assert await _unary(channel, "Whoami", issue()) == b"user-1|officer|agency-1|session-1"


async def test_public_rpc_and_health_need_no_token(channel: aio.Channel, issue: Issue) -> None:
    assert await _unary(channel, "Public", None) == b"anonymous"
    assert await _unary(channel, "Public", issue()) == b"anonymous"  # tokens are ignored on public RPCs
    stub = health_pb2_grpc.HealthStub(channel)
    reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize(
    "bad",
    [
        "missing",
        "expired",
        "not_yet_valid",
        "alg_none",
        "hs256_public_key",
        "wrong_audience",
        "wrong_issuer",
        "wrong_typ",
        "tampered",
        "unknown_kid",
    ],
)
async def test_bad_tokens_are_unauthenticated(
    channel: aio.Channel, bad_token: Callable[[str], str | None], bad: str
) -> None:
    token = bad_token(bad)
    assert await _code(_unary(channel, "Whoami", token)) is grpc.StatusCode.UNAUTHENTICATED
    assert await _code(_stream(channel, "Stream", token)) is grpc.StatusCode.UNAUTHENTICATED


@pytest.fixture
def bad_token(
    issue: Issue, forge: Any, valid_claims: Any, ring: Any, hs256: Any, ed25519_signer: Any
) -> Callable[[str], str | None]:
    from cryptography.hazmat.primitives import serialization

    def _make(kind: str) -> str | None:
        kid = ring.ring.current.kid
        pem = ring.ring.current.verification_key.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        header = {"alg": "EdDSA", "typ": "at+jwt", "kid": kid}
        match kind:
            case "missing":
                return None
            case "expired":
                return issue(shift=timedelta(minutes=-30))
            case "not_yet_valid":
                return issue(shift=timedelta(minutes=30))
            case "alg_none":
                return str(forge({**header, "alg": "none"}, valid_claims(), lambda _: b""))
            case "hs256_public_key":
                return str(forge({**header, "alg": "HS256"}, valid_claims(), hs256(pem)))
            case "wrong_audience":
                return issue(audience="tenfour-billing")
            case "wrong_issuer":
                return issue(issuer="https://evil.test")
            case "wrong_typ":
                return str(forge({**header, "typ": "JWT"}, valid_claims(), ed25519_signer))
            case "tampered":
                head, _, sig = issue().split(".")
                _, admin_body, _ = issue(role=Role.AGENCY_ADMIN).split(".")
                return f"{head}.{admin_body}.{sig}"
            case "unknown_kid":
                stranger = SigningKey.generate()
                return str(forge({**header, "kid": stranger.kid}, valid_claims(), stranger.private_key.sign))
        raise AssertionError(kind)

    return _make


async def test_malformed_authorization_header_is_unauthenticated(channel: aio.Channel) -> None:
    call: aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(f"/{SERVICE}/Whoami")
    code = await _code(call(b"", metadata=(("authorization", "Basic dXNlcjpwYXNz"),), timeout=5))
    assert code is grpc.StatusCode.UNAUTHENTICATED


async def test_wrong_role_is_permission_denied(channel: aio.Channel, issue: Issue) -> None:
    assert await _code(_unary(channel, "AdminOnly", issue())) is grpc.StatusCode.PERMISSION_DENIED
    assert await _unary(channel, "AdminOnly", issue(role=Role.AGENCY_ADMIN))
    therapist = issue(role=Role.THERAPIST, agency_id=None)
    assert await _code(_stream(channel, "Stream", therapist)) is grpc.StatusCode.PERMISSION_DENIED


async def test_rpc_absent_from_policy_is_permission_denied(channel: aio.Channel, issue: Issue) -> None:
    assert await _code(_unary(channel, "Unlisted", issue())) is grpc.StatusCode.PERMISSION_DENIED
    assert await _code(_unary(channel, "Unlisted", None)) is grpc.StatusCode.PERMISSION_DENIED
    assert await _code(_stream(channel, "UnlistedStream", issue())) is grpc.StatusCode.PERMISSION_DENIED


async def test_unknown_method_stays_unimplemented(channel: aio.Channel, issue: Issue) -> None:
    assert await _code(_unary(channel, "NoSuchMethod", issue())) is grpc.StatusCode.UNIMPLEMENTED


async def test_handler_agency_check_maps_to_permission_denied(channel: aio.Channel, issue: Issue) -> None:
    assert await _unary(channel, "OwnAgency", issue(), b"agency-1") == b"ok"
    code = await _code(_unary(channel, "OwnAgency", issue(), b"agency-2"))
    assert code is grpc.StatusCode.PERMISSION_DENIED
    call: aio.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(f"/{SERVICE}/StreamAgency")
    received: list[bytes] = []

    async def consume() -> None:
        async for message in call(b"agency-2", metadata=_auth(issue()), timeout=5):
            received.append(message)

    assert await _code(consume()) is grpc.StatusCode.PERMISSION_DENIED
    assert received == [b"first"]  # denied mid-stream, after the first message


async def test_streaming_rpcs_see_their_own_principal(channel: aio.Channel, issue: Issue) -> None:
    tokens = [issue(subject=f"user-{i}", session_id=f"s-{i}") for i in range(8)]
    results = await asyncio.gather(*(_stream(channel, "Stream", t) for t in tokens))
    for i, messages in enumerate(results):
        assert messages == [f"user-{i}|officer|agency-1|s-{i}".encode()] * 3
    assert await _stream(channel, "StreamByWrite", tokens[0]) == [b"user-0|officer|agency-1|s-0"] * 2


async def test_client_and_bidi_streaming_are_covered(channel: aio.Channel, issue: Issue) -> None:
    upload: aio.StreamUnaryMultiCallable[bytes, bytes] = channel.stream_unary(f"/{SERVICE}/Upload")
    chat: aio.StreamStreamMultiCallable[bytes, bytes] = channel.stream_stream(f"/{SERVICE}/Chat")
    token = issue()

    async def messages() -> AsyncIterator[bytes]:
        for part in (b"a", b"b"):
            yield part

    counted = await upload(messages(), metadata=_auth(token), timeout=5)
    assert counted == b"user-1|officer|agency-1|session-1|2"
    echoed = [m async for m in chat(messages(), metadata=_auth(token), timeout=5)]
    assert echoed == [b"a|user-1", b"b|user-1"]

    async def nothing() -> AsyncIterator[bytes]:
        # A refused client still writing may see INTERNAL instead of the server's status: an
        # asyncio-client race (grpc/grpc#36066), not ours. An empty stream avoids the race.
        parts: tuple[bytes, ...] = ()
        for part in parts:
            yield part

    assert await _code(upload(nothing(), timeout=5)) is grpc.StatusCode.UNAUTHENTICATED

    async def anonymous_chat() -> None:
        _ = [m async for m in chat(nothing(), timeout=5)]

    assert await _code(anonymous_chat()) is grpc.StatusCode.UNAUTHENTICATED


async def test_previous_key_accepted_until_retired(channel: aio.Channel, issue: Issue, ring: Any) -> None:
    old_token = issue()
    old_kid = ring.ring.current.kid
    ring.ring = ring.ring.rotate(SigningKey.generate())
    assert await _unary(channel, "Whoami", old_token)
    assert await _unary(channel, "Whoami", issue())
    ring.ring = ring.ring.retire(old_kid)
    assert await _code(_unary(channel, "Whoami", old_token)) is grpc.StatusCode.UNAUTHENTICATED


async def test_key_outage_is_unavailable_not_unauthenticated(issue: Issue) -> None:
    async def identity_down() -> Mapping[str, Any]:
        raise ConnectionError("identity down")

    verifier = TokenVerifier(
        issuer="https://identity.tenfour.test",
        audience="tenfour-scheduling",
        jwks=RemoteJwks(identity_down),
    )
    server, port = await _start(verifier)
    try:
        async with aio.insecure_channel(f"127.0.0.1:{port}") as chan:
            assert await _code(_unary(chan, "Whoami", issue())) is grpc.StatusCode.UNAVAILABLE
    finally:
        await server.stop(None)


async def test_remote_jwks_end_to_end_with_rotation(issue: Issue, ring: Any) -> None:
    async def fetch() -> Mapping[str, Any]:
        jwks: Mapping[str, Any] = ring.ring.jwks()
        return jwks

    verifier = TokenVerifier(
        issuer="https://identity.tenfour.test",
        audience="tenfour-scheduling",
        jwks=RemoteJwks(fetch, min_refresh_interval=0),
    )
    server, port = await _start(verifier)
    try:
        async with aio.insecure_channel(f"127.0.0.1:{port}") as chan:
            assert await _unary(chan, "Whoami", issue())
            ring.ring = ring.ring.rotate(SigningKey.generate())
            assert await _unary(chan, "Whoami", issue())  # unknown kid → refresh → accepted
    finally:
        await server.stop(None)


async def test_tokens_never_reach_the_log(
    channel: aio.Channel,
    bad_token: Callable[[str], str | None],
    caplog: pytest.LogCaptureFixture,
    issue: Issue,
) -> None:
    caplog.set_level("DEBUG")
    tokens = [t for t in (bad_token("expired"), bad_token("tampered"), issue()) if t]
    for token in tokens:
        with contextlib.suppress(aio.AioRpcError):
            await _unary(channel, "AdminOnly", token)
    assert caplog.records  # denials are logged...
    for token in tokens:
        assert all(token.split(".")[2] not in r.getMessage() for r in caplog.records)  # ...tokens are not
