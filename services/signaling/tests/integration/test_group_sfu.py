"""Group sessions through a real Janus: signaling admits, Janus forwards, aiortc peers receive."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.streams import ensure_streams
from tenfour_signaling.peers.sfu import SfuParticipant
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.janus import JanusServer
from tenfour_testing.signaling import Cluster, settings_for, start_instance
from tenfour_testing.tokens import TestTokens

OFFICERS = tuple(f"officer-{n}" for n in range(1, 8))  # 7 officers + the provider: 8 seats


@pytest.fixture
async def sfu_cluster(
    nats_server: NatsServer,
    redis_server: RedisServer,
    nats_js: tuple[Client, JetStreamContext],
    test_tokens: TestTokens,
    janus: JanusServer,
) -> AsyncIterator[Cluster]:
    nc, js = nats_js
    await ensure_streams(js)
    overrides = {
        "janus_urls": (janus.url,),
        "janus_api_secret": janus.api_secret,
        "janus_room_admin_key": janus.room_admin_key,
    }
    a = await start_instance(settings_for(nats_server, redis_server, test_tokens, **overrides))
    b = await start_instance(settings_for(nats_server, redis_server, test_tokens, **overrides))
    try:
        yield Cluster(a, b, js, nc, test_tokens, redis_server, nats_server)
    finally:
        await a.stop()
        await b.stop()


async def _listen(stub: Any, md: Any, joined: pb.JoinResponse) -> None:
    """A participant's signal stream stays open, as a client's does (else the sweeper lets
    them go after the resume window)."""
    request = pb.SubscribeRequest(session_id=joined.session_id, last_seen_seq=joined.resume_from_seq)
    with contextlib.suppress(grpc.aio.AioRpcError):
        async for _ in stub.Subscribe(request, metadata=md):
            pass


async def _refused(call: object) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return caught.value.code()


async def test_six_people_receive_the_five_others_and_outsiders_are_refused(sfu_cluster: Cluster) -> None:
    c = sfu_cluster
    appt = await c.book(OFFICERS)
    dr = c.md(Role.THERAPIST, "dr-lee")
    joined = await c.a.stub.Join(pb.JoinRequest(appointment_id=appt), metadata=dr)
    assert joined.media == "sfu"
    assert not joined.waiting
    session = joined.session_id
    people = [SfuParticipant(c.a.stub, dr, session)]
    streams = [asyncio.create_task(_listen(c.a.stub, dr, joined))]
    officers = OFFICERS[:5]
    handles = {}
    for n, officer in enumerate(officers):
        stub = (c.a if n % 2 else c.b).stub  # both signaling instances serve the same room
        md = c.md(Role.OFFICER, officer)
        j = await stub.Join(pb.JoinRequest(appointment_id=appt), metadata=md)
        assert j.waiting
        handles[officer] = j.participant_id
        people.append(SfuParticipant(stub, md, session))
        streams.append(asyncio.create_task(_listen(stub, md, j)))
    try:
        # In the waiting room: no media in or out.
        waiting = people[1]
        assert await _refused(waiting.publish()) == grpc.StatusCode.FAILED_PRECONDITION
        assert await _refused(waiting.feeds()) == grpc.StatusCode.FAILED_PRECONDITION
        for officer in officers:
            admit = pb.AdmitRequest(appointment_id=appt, participant_id=handles[officer])
            await c.a.stub.Admit(admit, metadata=dr)
        await asyncio.gather(*(p.publish(f"Person {n}") for n, p in enumerate(people)))
        async with asyncio.timeout(90):
            await asyncio.gather(*(p.wait_feeds(5) for p in people))
            await asyncio.gather(*(p.wait_frames(5, frames=5) for p in people))
        names = {f.display_name for f in await people[0].feeds()}
        assert names == {f"Person {n}" for n in range(1, 6)}

        # A 9th person holds no seat: refused, whether joining or sending SDP into the session.
        outsider = c.md(Role.OFFICER, "officer-9")
        assert await _refused(c.a.stub.Join(pb.JoinRequest(appointment_id=appt), metadata=outsider)) == (
            grpc.StatusCode.PERMISSION_DENIED
        )
        assert await _refused(SfuParticipant(c.a.stub, outsider, session).publish()) == (
            grpc.StatusCode.PERMISSION_DENIED
        )

        # The provider removes one officer: they are cut off and cannot come back; the rest go on.
        removed = people.pop()
        await c.a.stub.Remove(
            pb.RemoveRequest(appointment_id=appt, participant_id=handles[officers[-1]]), metadata=dr
        )
        assert await _refused(removed.publish()) == grpc.StatusCode.PERMISSION_DENIED
        assert await _refused(removed.receive(handles[officers[0]])) == grpc.StatusCode.PERMISSION_DENIED
        rejoin = c.a.stub.Join(pb.JoinRequest(appointment_id=appt), metadata=c.md(Role.OFFICER, officers[-1]))
        assert await _refused(rejoin) == grpc.StatusCode.PERMISSION_DENIED
        for p in people:
            assert handles[officers[-1]] not in await p.sync()
        # Frames keep flowing from the four others to each of the five who stayed.
        before = [dict(p.frames()) for p in people]
        async with asyncio.timeout(30):
            for p, seen in zip(people, before, strict=True):
                while sum(1 for f, n in p.frames().items() if n > seen.get(f, 0) + 5) < 4:  # noqa: ASYNC110
                    await asyncio.sleep(0.2)
        await removed.close()
    finally:
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
        for p in people:
            await p.close()
