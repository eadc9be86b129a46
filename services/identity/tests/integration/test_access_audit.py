"""The access audit trail: session access events from scheduling and signaling, appended by
identity to a hash chain that only system admins read, naming nobody."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import grpc
import pytest
from nats.js import JetStreamContext

from tenfour.events.v1.access_events_pb2 import (
    SchedulingSessionAccessed,
    SessionAccess,
    SignalingSessionAccessed,
)
from tenfour.identity.v1 import identity_pb2 as pb
from tenfour_identity.adapters.access_trail import STREAM
from tenfour_shared.events.bus import connect as connect_nats
from tenfour_shared.events.envelope import build
from tenfour_shared.events.streams import ensure_streams

from .conftest import Account, Stack, unique


@pytest.fixture
async def js(stack: Stack) -> AsyncIterator[JetStreamContext]:
    nc, js = await connect_nats(stack.nats.url, "tests-as-producers")
    await ensure_streams(js)
    yield js
    await nc.drain()


def seen(action: str, appointment_id: str, actor: Account) -> SessionAccess:
    return SessionAccess(
        action=action, appointment_id=appointment_id, actor_id=actor.user_id, actor_role=actor.role.value
    )


async def publish(js: JetStreamContext, source: str, access: SessionAccess, event_id: str = "") -> str:
    payload = (
        SchedulingSessionAccessed(access=access)
        if source == "scheduling"
        else SignalingSessionAccessed(access=access)
    )
    env = build(payload, subject="audit", event_id=event_id)
    await js.publish(f"{source}.session_accessed", env.SerializeToString(), headers={"Nats-Msg-Id": env.id})
    return env.id


def entries(stack: Stack, appointment_id: str = "", **more: int) -> list[pb.AccessAuditEntry]:
    reply = stack.api.stub.ListAccessAudit(
        pb.ListAccessAuditRequest(appointment_id=appointment_id, **more), metadata=stack.root.md, timeout=10
    )
    return list(reply.entries)


def wait_for(stack: Stack, appointment_id: str, count: int) -> list[pb.AccessAuditEntry]:
    deadline = time.monotonic() + 30
    found: list[pb.AccessAuditEntry] = []
    while time.monotonic() < deadline:
        found = entries(stack, appointment_id)
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return found


def verify(stack: Stack) -> pb.VerifyAuditChainResponse:
    return stack.api.stub.VerifyAuditChain(pb.VerifyAuditChainRequest(), metadata=stack.root.md, timeout=10)


async def test_every_access_is_chained_and_names_nobody(stack: Stack, js: JetStreamContext) -> None:
    officer, therapist = stack.a.officer, stack.therapist
    appointment = f"{officer.user_id}.{unique('appt')}"
    await publish(js, "scheduling", seen("view", appointment, officer))
    await publish(js, "signaling", seen("join", appointment, officer))
    await publish(js, "signaling", seen("admit", appointment, therapist))
    await publish(js, "scheduling", seen("cancel", appointment, therapist))

    found = wait_for(stack, appointment, 4)
    assert sorted(e.action for e in found) == ["admit", "cancel", "join", "view"]
    assert {e.source for e in found} == {"scheduling", "signaling"}
    assert len({e.session for e in found}) == 1
    actors = {e.actor_role: e.actor for e in found}
    assert actors["officer"] != actors["therapist"]
    # Pseudonyms only: neither the officer's id nor the appointment id (which embeds it) appears.
    for entry in found:
        text = str(entry)
        assert officer.user_id not in text
        assert therapist.user_id not in text
        assert entry.session.startswith("s-")
        assert entry.actor.startswith("a-")
    seqs = [e.seq for e in entries(stack, limit=1000)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify(stack).intact


async def test_a_redelivered_event_is_appended_once(stack: Stack, js: JetStreamContext) -> None:
    appointment = unique("appt-dup")
    access = SessionAccess(action="reschedule", appointment_id=appointment,
                           actor_id=stack.a.officer.user_id, actor_role="officer")  # fmt: skip
    event_id = await publish(js, "scheduling", access)
    # The same event again, past JetStream's duplicate window (a new Nats-Msg-Id).
    env = build(SchedulingSessionAccessed(access=access), subject="audit", event_id=event_id)
    await js.publish("scheduling.session_accessed", env.SerializeToString(), headers={"Nats-Msg-Id": "again"})
    marker = unique("appt-after")
    await publish(js, "scheduling", seen("view", marker, stack.a.officer))
    assert len(wait_for(stack, marker, 1)) == 1  # everything before it was handled
    assert len(entries(stack, appointment)) == 1


def test_only_system_admins_read_or_verify_the_trail(stack: Stack) -> None:
    for account in (stack.a.admin, stack.a.officer, stack.therapist):
        for call, request in (
            (stack.api.stub.ListAccessAudit, pb.ListAccessAuditRequest()),
            (stack.api.stub.VerifyAuditChain, pb.VerifyAuditChainRequest()),
        ):
            with pytest.raises(grpc.RpcError) as caught:
                call(request, metadata=account.md, timeout=10)
            assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_bad_paging_is_invalid_argument(stack: Stack) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        entries(stack, limit=5000)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_tampering_is_detected_and_located(stack: Stack, js: JetStreamContext) -> None:
    appointment = unique("appt-tamper")
    await publish(js, "scheduling", seen("view", appointment, stack.a.officer))
    (entry,) = wait_for(stack, appointment, 1)
    before = verify(stack)
    assert before.intact
    redis = stack.redis_client()
    # Someone with Redis access rewrites history: a forged entry with a plausible hash…
    forged_id = redis.xadd(STREAM, {
        "seq": str(before.entries + 1), "t": "0", "action": "view", "session": entry.session,
        "actor": "a-000000000000000000000000", "role": "system_admin", "source": "scheduling",
        "prev": before.head_hash, "hash": "f" * 64,
    })  # fmt: skip
    try:
        broken = verify(stack)
        assert not broken.intact
        assert broken.first_broken_seq == before.entries + 1
    finally:
        redis.xdel(STREAM, forged_id)
    # …or removes the newest entry: the chain no longer reaches the recorded head.
    (last_id, last_fields) = redis.xrevrange(STREAM, count=1)[0]
    redis.xdel(STREAM, last_id)
    try:
        truncated = verify(stack)
        assert not truncated.intact
        assert truncated.first_broken_seq == before.entries
    finally:
        # Put it back at the end (a stream only appends), where it was the last entry anyway.
        redis.xadd(STREAM, last_fields)
    assert verify(stack).intact
