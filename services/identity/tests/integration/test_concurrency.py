"""Races that the Lua scripts must win: one refresh token used at once, codes over-redeemed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc
import pytest
from grpc import aio

from tenfour.identity.v1 import identity_pb2 as pb
from tenfour.identity.v1 import identity_pb2_grpc
from tenfour_identity.adapters import keys
from tenfour_identity.domain.enrolment import CODE_REFUSED_MESSAGE

from .conftest import PASSWORD, Stack, code_key, unique

Stub: TypeAlias = "identity_pb2_grpc.IdentityServiceAsyncStub"  # only in the .pyi stubs


async def _outcome(call: object) -> grpc.StatusCode:
    try:
        await call  # type: ignore[misc]
    except aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


@pytest.fixture
async def stub(stack: Stack) -> AsyncIterator[Stub]:
    async with aio.insecure_channel(stack.target) as channel:
        yield identity_pb2_grpc.IdentityServiceStub(channel)


async def test_one_refresh_token_used_concurrently(stack: Stack, stub: Stub) -> None:
    login = await stub.Login(pb.LoginRequest(username=stack.a.officer.username, password=PASSWORD))
    token = login.refresh_token
    calls = [stub.Refresh(pb.RefreshRequest(refresh_token=token)) for _ in range(12)]
    results = await asyncio.gather(*calls, return_exceptions=True)
    winners = [r for r in results if isinstance(r, pb.AuthResult)]
    losers = [r for r in results if isinstance(r, aio.AioRpcError)]
    assert len(winners) == 1
    assert {r.code() for r in losers} == {grpc.StatusCode.UNAUTHENTICATED}
    # Reuse was detected: the family is revoked, the winner's fresh token included.
    fresh = winners[0].refresh_token
    assert (
        await _outcome(stub.Refresh(pb.RefreshRequest(refresh_token=fresh)))
        == grpc.StatusCode.UNAUTHENTICATED
    )
    # And identity refuses the session's access tokens too (other services: until they expire).
    md = (("authorization", f"Bearer {winners[0].access_token}"),)
    assert await _outcome(stub.GetMe(pb.GetMeRequest(), metadata=md)) == grpc.StatusCode.UNAUTHENTICATED
    audit = await stub.ListAuditEvents(pb.ListAuditEventsRequest(limit=1000), metadata=stack.root.md)
    assert any(e.kind == "token_reuse" and e.user_id == stack.a.officer.user_id for e in audit.events)


async def test_sequential_rotation_and_replay_of_an_old_token(stack: Stack, stub: Stub) -> None:
    first = await stub.Login(pb.LoginRequest(username=stack.b.officer.username, password=PASSWORD))
    second = await stub.Refresh(pb.RefreshRequest(refresh_token=first.refresh_token))
    third = await stub.Refresh(pb.RefreshRequest(refresh_token=second.refresh_token))
    assert third.user.user_id == stack.b.officer.user_id
    stale = stub.Refresh(pb.RefreshRequest(refresh_token=first.refresh_token))
    assert await _outcome(stale) == grpc.StatusCode.UNAUTHENTICATED
    current = stub.Refresh(pb.RefreshRequest(refresh_token=third.refresh_token))
    assert await _outcome(current) == grpc.StatusCode.UNAUTHENTICATED  # the whole family is gone


@pytest.mark.parametrize(("cap", "officers"), [(1, 8), (5, 20)])
async def test_enrolment_code_cap_under_concurrent_redemption(
    stack: Stack, stub: Stub, cap: int, officers: int
) -> None:
    agency = stack.b
    code = await stub.CreateEnrolmentCode(
        pb.CreateEnrolmentCodeRequest(agency_id=agency.id, max_redemptions=cap), metadata=agency.admin.md
    )
    stats = keys.code_stats(agency.id)
    before = stack.redis_client().hget(stats, "redeemed")
    calls = [
        stub.RedeemEnrolmentCode(
            pb.RedeemEnrolmentCodeRequest(
                code=code.code, username=unique("rush"), display_name="Rush", password=PASSWORD
            ),
            timeout=30,
        )
        for _ in range(officers)
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    codes = Counter(r.code() if isinstance(r, aio.AioRpcError) else grpc.StatusCode.OK for r in results)
    assert codes == {grpc.StatusCode.OK: cap, grpc.StatusCode.FAILED_PRECONDITION: officers - cap}
    refusals = {r.details() for r in results if isinstance(r, aio.AioRpcError)}
    assert refusals == {CODE_REFUSED_MESSAGE}
    after = stack.redis_client().hget(stats, "redeemed")
    assert int(after or 0) - int(before or 0) == cap
    assert stack.redis_client().hget(code_key(code.code), "uses") == str(cap).encode()


async def test_same_username_raced_by_two_officers(stack: Stack, stub: Stub) -> None:
    agency = stack.a
    code = await stub.CreateEnrolmentCode(
        pb.CreateEnrolmentCodeRequest(agency_id=agency.id, max_redemptions=10), metadata=agency.admin.md
    )
    name = unique("twin")
    request = pb.RedeemEnrolmentCodeRequest(
        code=code.code, username=name, display_name="Twin", password=PASSWORD
    )
    outcomes = await asyncio.gather(*(_outcome(stub.RedeemEnrolmentCode(request)) for _ in range(4)))
    assert sorted(o.name for o in outcomes) == ["ALREADY_EXISTS"] * 3 + ["OK"]
    assert stack.redis_client().hget(code_key(code.code), "uses") == b"1"  # one use spent on the name
