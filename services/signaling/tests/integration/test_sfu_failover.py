"""Two Janus instances: rooms go to the least loaded; killing the one holding a group moves the
room to the other and every participant resumes (publishes and receives again)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from nats.aio.client import Client
from nats.js import JetStreamContext

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_shared.events.streams import ensure_streams
from tenfour_shared.redis_store import connect
from tenfour_signaling.peers.sfu import SfuParticipant
from tenfour_testing.embedded import NatsServer, RedisServer
from tenfour_testing.janus import JanusServer
from tenfour_testing.signaling import Cluster, settings_for, start_instance
from tenfour_testing.tokens import TestTokens

OFFICERS = ("officer-1", "officer-2")


async def _follow(
    c: Cluster, md: tuple[tuple[str, str]], joined: pb.JoinResponse, who: SfuParticipant
) -> None:
    """A participant's signal stream: a service ice_restart means the room moved."""
    request = pb.SubscribeRequest(session_id=joined.session_id, last_seen_seq=joined.resume_from_seq)
    async for event in c.a.stub.Subscribe(request, metadata=md):
        if event.WhichOneof("body") == "ice_restart" and not event.from_participant_id:
            await who.resume()


async def test_killing_the_janus_of_a_group_moves_it_and_everyone_resumes(
    nats_server: NatsServer,
    redis_server: RedisServer,
    nats_js: tuple[Client, JetStreamContext],
    test_tokens: TestTokens,
    tmp_path: Path,
) -> None:
    nc, js = nats_js
    await ensure_streams(js)
    with (
        JanusServer(tmp_path / "j1") as j1,
        JanusServer(tmp_path / "j2", api_secret=j1.api_secret, room_admin_key=j1.room_admin_key) as j2,
    ):
        overrides = {
            "janus_urls": (j1.url, j2.url),
            "janus_api_secret": j1.api_secret,
            "janus_room_admin_key": j1.room_admin_key,
        }
        a = await start_instance(settings_for(nats_server, redis_server, test_tokens, **overrides))
        b = await start_instance(settings_for(nats_server, redis_server, test_tokens, **overrides))
        c = Cluster(a, b, js, nc, test_tokens, redis_server, nats_server)
        redis = connect(redis_server.url)
        people: list[SfuParticipant] = []
        follows: list[asyncio.Task[None]] = []
        try:
            appt = await c.book(OFFICERS)
            dr = c.md(Role.THERAPIST, "dr-lee")
            joins = [(dr, await c.a.stub.Join(pb.JoinRequest(appointment_id=appt), metadata=dr))]
            for officer in OFFICERS:
                md = c.md(Role.OFFICER, officer)
                j = await c.b.stub.Join(pb.JoinRequest(appointment_id=appt), metadata=md)
                await c.a.stub.Admit(
                    pb.AdmitRequest(appointment_id=appt, participant_id=j.participant_id), metadata=dr
                )
                joins.append((md, j))
            for md, j in joins:
                p = SfuParticipant(c.a.stub, md, j.session_id)
                people.append(p)
                follows.append(asyncio.create_task(_follow(c, md, j, p)))
            await asyncio.gather(*(p.publish() for p in people))
            async with asyncio.timeout(60):
                await asyncio.gather(*(p.wait_feeds(2) for p in people))
                await asyncio.gather(*(p.wait_frames(2, frames=5) for p in people))

            # The room sits on one instance (recorded in Redis); that instance dies.
            record = await redis.hget(f"signaling:sfu:{{{appt}}}", "room")
            assert record is not None
            holder, other = (j1, j2) if j1.url.encode() in record else (j2, j1)
            holder.kill()
            async with asyncio.timeout(60):
                key = f"signaling:sfu:{{{appt}}}"
                while other.url.encode() not in (await redis.hget(key, "room") or b""):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
                while not all(p.resumes for p in people):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
                # Everyone published again on the other instance and receives the two others
                # (resume dropped the old receiving connections: these frames are new).
                await asyncio.gather(*(p.wait_feeds(2) for p in people))
                await asyncio.gather(*(p.wait_frames(2, frames=5) for p in people))
        finally:
            for task in follows:
                task.cancel()
            for task in follows:
                with contextlib.suppress(BaseException):
                    await task
            for p in people:
                await p.close()
            await redis.aclose()
            await a.stop()
            await b.stop()
