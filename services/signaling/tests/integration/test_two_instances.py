"""Two aiortc peers meet through two different signaling instances sharing one Redis and NATS."""

from __future__ import annotations

import asyncio

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_signaling.client import SessionClient
from tenfour_testing.signaling import Cluster


async def test_officer_and_therapist_on_different_instances_exchange_video_and_data(cluster: Cluster) -> None:
    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    therapist = SessionClient([cluster.a.target], cluster.token(Role.THERAPIST, "dr-lee"))
    officer = SessionClient([cluster.b.target], cluster.token(Role.OFFICER, "officer-1"))
    try:
        async with asyncio.timeout(30):
            provider_joined = await therapist.join(appointment_id)
            assert not provider_joined.waiting
            officer_joined = await officer.join(appointment_id)
            assert officer_joined.waiting  # the therapist admits (automatically, in this client)
            assert officer_joined.session_id == provider_joined.session_id
            officer_peer, therapist_peer = await asyncio.gather(officer.connected(), therapist.connected())
            await asyncio.gather(officer_peer.wait_frames(5), therapist_peer.wait_frames(5))
            await officer_peer.channel_open.wait()
            await therapist_peer.channel_open.wait()
            officer_peer.send_text("hello from the officer")
            assert await therapist_peer.wait_message() == "hello from the officer"
            therapist_peer.send_text("hello from the therapist")
            assert await officer_peer.wait_message() == "hello from the therapist"
        assert officer.waiting_messages == ["Your therapist is here and will let you in shortly."]
        assert officer_peer.report().candidate_pair == ("host", "host")
        # Peers only ever see opaque handles, never user ids.
        room = await cluster.a.stub.GetRoom(
            pb.GetRoomRequest(appointment_id=appointment_id), metadata=cluster.md(Role.THERAPIST, "dr-lee")
        )
        assert {p.state for p in room.participants} == {"admitted"}
        assert "officer-1" not in str(room)
        assert "dr-lee" not in str(room)
        await cluster.b.stub.EndSession(
            pb.EndSessionRequest(appointment_id=appointment_id), metadata=cluster.md(Role.THERAPIST, "dr-lee")
        )
        async with asyncio.timeout(10):
            await officer_peer.closed.wait()  # session_ended ends the officer's signaling
        assert officer.port.ended == "session_ended: provider_ended"
    finally:
        await officer.close()
        await therapist.close()

    events = await cluster.lifecycle(appointment_id, 6)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "signaling.session_ended"  # leaving an ended session adds nothing
    assert kinds[:2] == ["signaling.session_opened", "signaling.participant_joined"]
    assert kinds.count("signaling.participant_joined") == 2
    assert "signaling.participant_connected" in kinds
    ended = next(payload for kind, payload in events if kind == "signaling.session_ended")
    assert ended.any_officer_joined
    assert ended.officers_joined == 1
    assert ended.reason_code == "provider_ended"
    assert ended.duration.ToTimedelta().total_seconds() > 0
    joined = [p for kind, p in events if kind == "signaling.participant_joined"]
    assert {(p.participant_id, p.role, p.waiting) for p in joined} == {
        ("dr-lee", "therapist", False),
        ("officer-1", "officer", True),
    }
    connected = [p for kind, p in events if kind == "signaling.participant_connected"]
    assert all(
        p.candidate_type == "host" and p.setup_time.ToTimedelta().total_seconds() > 0 for p in connected
    )
