"""Cross-service behaviour of the platform: processes, health, reflection, events end to end."""

from __future__ import annotations

import asyncio
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tenfour.availability.v1 import availability_pb2, availability_pb2_grpc, rules_pb2
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.streams import DEAD_LETTER_STREAM
from tenfour_shared.launcher import SERVICES, health_status
from tenfour_shared.redis_store import connect as connect_redis
from tenfour_shared.rpc_status import field_violations
from tenfour_testing.tokens import TestTokens

from .conftest import System


def reflected_services(target: str) -> set[str]:
    with grpc.insecure_channel(target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        return {s.name for reply in replies for s in reply.list_services_response.service}


def availability(system: System) -> availability_pb2_grpc.AvailabilityServiceStub:
    channel = grpc.insecure_channel(system.services["availability"].target)
    return availability_pb2_grpc.AvailabilityServiceStub(channel)


def set_rules(
    stub: availability_pb2_grpc.AvailabilityServiceStub, tokens: TestTokens, provider: str, zone: str = "UTC"
) -> int:
    reply = stub.SetRules(
        availability_pb2.SetRulesRequest(rules=rules_pb2.RuleSet(provider_id=provider, timezone=zone)),
        timeout=10,
        metadata=tokens.metadata(Role.SYSTEM_ADMIN),
    )
    return reply.version


async def applied_counts(system: System, providers: list[str]) -> dict[str, int]:
    redis = connect_redis(system.redis.url)
    try:
        values = await redis.mget([f"scheduling:applied:{{{p}}}" for p in providers])
        return {p: int(v or 0) for p, v in zip(providers, values, strict=True)}
    finally:
        await redis.aclose()


async def wait_until_applied(system: System, providers: list[str], within: float = 60) -> dict[str, int]:
    deadline = time.monotonic() + within
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        counts = await applied_counts(system, providers)
        if all(counts.values()):
            return counts
        await asyncio.sleep(0.2)
    return counts


def test_every_service_serves_health_and_reflection(system: System) -> None:
    for name, (_, full_name) in SERVICES.items():
        target = system.services[name].target
        assert health_status(target, full_name) == health_pb2.HealthCheckResponse.SERVING
        assert health_status(target, "") == health_pb2.HealthCheckResponse.SERVING
        assert full_name in reflected_services(target)


async def test_event_consumed_exactly_once_across_sigkill(system: System, test_tokens: TestTokens) -> None:
    stub = availability(system)
    providers = [f"prov-{i:03d}" for i in range(60)]
    first, second = providers[:30], providers[30:]

    for p in first:
        assert set_rules(stub, test_tokens, p) == 1
    # Kill the consumer mid-stream: some events are applied, some in flight, some not yet read.
    system.services["scheduling"].kill()
    for p in second:
        assert set_rules(stub, test_tokens, p) == 1
    system.restart("scheduling")

    counts = await wait_until_applied(system, providers)
    assert counts == {p: 1 for p in providers}
    # Redelivery after AckWait or a second restart must not apply anything again.
    system.services["scheduling"].kill()
    system.restart("scheduling")
    await asyncio.sleep(2)
    assert await applied_counts(system, providers) == {p: 1 for p in providers}


async def test_newer_versions_win_in_the_read_model(system: System, test_tokens: TestTokens) -> None:
    stub = availability(system)
    for zone in ("UTC", "Europe/London", "America/New_York"):
        set_rules(stub, test_tokens, "prov-v", zone)
    redis = connect_redis(system.redis.url)
    try:
        deadline = time.monotonic() + 30
        version = b""
        while time.monotonic() < deadline and version != b"3":
            version = await redis.hget("scheduling:provider-rules:{prov-v}", "version") or b""
            await asyncio.sleep(0.1)
        assert version == b"3"
    finally:
        await redis.aclose()


def test_bad_input_is_invalid_argument_and_keeps_stored_rules(
    system: System, test_tokens: TestTokens
) -> None:
    stub = availability(system)
    set_rules(stub, test_tokens, "prov-bad", "Europe/Berlin")
    with pytest.raises(grpc.RpcError) as caught:
        set_rules(stub, test_tokens, "prov-bad", "Mars/Olympus_Mons")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in field_violations(caught.value)] == ["rules.timezone"]
    kept = stub.GetRules(
        availability_pb2.GetRulesRequest(provider_id="prov-bad"),
        metadata=test_tokens.metadata(Role.THERAPIST, "prov-bad"),
    )
    assert (kept.timezone, kept.version) == ("Europe/Berlin", 1)


async def test_corrupt_event_is_dead_lettered_and_does_not_block(
    system: System, test_tokens: TestTokens
) -> None:
    nc, js = await connect_nats(system.nats.url, "test")
    try:
        await js.publish("availability.provider_rules_changed", b"\x00not-protobuf\xff")
        set_rules(availability(system), test_tokens, "prov-after-garbage")
        counts = await wait_until_applied(system, ["prov-after-garbage"])
        assert counts == {"prov-after-garbage": 1}
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            info = await js.stream_info(DEAD_LETTER_STREAM)
            if info.state.messages:
                break
            await asyncio.sleep(0.1)
        msg = await js.get_last_msg(DEAD_LETTER_STREAM, "deadletter.scheduling.>")
        assert msg.data == b"\x00not-protobuf\xff"
    finally:
        await nc.drain()


def test_sigterm_drains_and_exits_cleanly(system: System) -> None:
    proc = system.services["signaling"]
    assert proc.terminate() == 0
    assert health_status(proc.target, SERVICES["signaling"][1]) == health_pb2.HealthCheckResponse.UNKNOWN


def test_rpcs_need_a_valid_token_and_the_right_caller(system: System, test_tokens: TestTokens) -> None:
    stub = availability(system)
    request = availability_pb2.GetRulesRequest(provider_id="prov-x")
    with pytest.raises(grpc.RpcError) as no_token:
        stub.GetRules(request)
    assert no_token.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as officer:
        stub.GetRules(request, metadata=test_tokens.metadata(Role.OFFICER))
    assert officer.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as someone_else:
        stub.GetRules(request, metadata=test_tokens.metadata(Role.THERAPIST, "prov-y"))
    assert someone_else.value.code() == grpc.StatusCode.PERMISSION_DENIED
    forged = TestTokens()  # a key the services were never told about
    with pytest.raises(grpc.RpcError) as bad_key:
        stub.GetRules(request, metadata=forged.metadata(Role.SYSTEM_ADMIN))
    assert bad_key.value.code() == grpc.StatusCode.UNAUTHENTICATED
