"""Resume: a dropped stream picks up where it left off, on any instance; later, it must rejoin."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_signaling.client import GrpcSignaling
from tenfour_signaling.domain import ParticipantLeftSignal
from tenfour_testing.signaling import Cluster, Instance

SDP = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"


async def in_call(cluster: Cluster) -> tuple[str, pb.JoinResponse, pb.JoinResponse]:
    """A booked session with the therapist and the (admitted) officer in the call."""
    appointment_id = await cluster.book(("officer-1",), "dr-lee")
    provider = await cluster.a.stub.Join(
        pb.JoinRequest(appointment_id=appointment_id), metadata=cluster.md(Role.THERAPIST, "dr-lee")
    )
    officer = await cluster.b.stub.Join(
        pb.JoinRequest(appointment_id=appointment_id), metadata=cluster.md(Role.OFFICER, "officer-1")
    )
    await cluster.a.stub.Admit(
        pb.AdmitRequest(appointment_id=appointment_id, participant_id=officer.participant_id),
        metadata=cluster.md(Role.THERAPIST, "dr-lee"),
    )
    return appointment_id, provider, officer


async def events(
    instance: Instance, md: Any, session_id: str, last_seen_seq: int, count: int
) -> list[pb.SignalEvent]:
    """The next ``count`` sequenced events of one Subscribe call (heartbeats skipped)."""
    call = instance.stub.Subscribe(
        pb.SubscribeRequest(session_id=session_id, last_seen_seq=last_seen_seq), metadata=md
    )
    out: list[pb.SignalEvent] = []
    try:
        async with asyncio.timeout(10):
            async for event in call:
                if event.seq or event.WhichOneof("body") == "must_rejoin":
                    out.append(event)
                if len(out) == count or event.WhichOneof("body") == "must_rejoin":
                    break
    finally:
        call.cancel()
    return out


async def send(
    cluster: Cluster, instance: Instance, who: tuple[Role, str], request: pb.SendRequest
) -> pb.SendResponse:
    return await instance.stub.Send(request, metadata=cluster.md(*who))


async def test_a_dropped_stream_resumes_on_another_instance_without_loss(cluster: Cluster) -> None:
    _, provider, officer = await in_call(cluster)
    md = cluster.md(Role.OFFICER, "officer-1")
    seen = await events(cluster.b, md, officer.session_id, officer.resume_from_seq, 2)
    assert [e.WhichOneof("body") for e in seen] == ["waiting", "participant_admitted"]
    last_seen = seen[-1].seq
    # While the officer's stream is down, the therapist sends five signals through instance A.
    for n in range(5):
        request = pb.SendRequest(session_id=provider.session_id, client_msg_id=f"m{n}")
        request.ice_restart.SetInParent() if n % 2 else request.renegotiate.SetInParent()
        await send(cluster, cluster.a, (Role.THERAPIST, "dr-lee"), request)
    resumed = await events(cluster.a, md, officer.session_id, last_seen, 5)
    assert [e.seq for e in resumed] == list(range(last_seen + 1, last_seen + 6))
    assert [e.WhichOneof("body") for e in resumed] == ["renegotiate", "ice_restart"] * 2 + ["renegotiate"]
    assert {e.from_participant_id for e in resumed} == {provider.participant_id}
    # Resuming again from the middle replays just the rest, from either instance.
    again = await events(cluster.b, md, officer.session_id, last_seen + 3, 2)
    assert [e.seq for e in again] == [last_seen + 4, last_seen + 5]


async def test_a_retried_send_is_delivered_once(cluster: Cluster) -> None:
    _, provider, officer = await in_call(cluster)
    request = pb.SendRequest(session_id=provider.session_id, client_msg_id="retry-me")
    request.offer.sdp = SDP
    first = await send(cluster, cluster.a, (Role.THERAPIST, "dr-lee"), request)
    retry = await send(cluster, cluster.b, (Role.THERAPIST, "dr-lee"), request)
    assert not first.duplicate
    assert retry.duplicate
    assert retry.accepted_seq == first.accepted_seq
    after = pb.SendRequest(session_id=provider.session_id, client_msg_id="next")
    after.bye.reason_code = "hung_up"
    assert (
        await send(cluster, cluster.a, (Role.THERAPIST, "dr-lee"), after)
    ).accepted_seq == first.accepted_seq + 1
    got = await events(
        cluster.a, cluster.md(Role.OFFICER, "officer-1"), officer.session_id, officer.resume_from_seq, 4
    )
    assert [e.WhichOneof("body") for e in got] == ["waiting", "participant_admitted", "offer", "bye"]
    assert got[2].offer.sdp == SDP


@pytest.mark.parametrize("cluster", [{"resume_window_seconds": 1.0}], indirect=True)
async def test_after_the_resume_window_the_client_must_rejoin(cluster: Cluster) -> None:
    appointment_id, _, officer = await in_call(cluster)
    provider_port = GrpcSignaling([cluster.a.target], cluster.token(Role.THERAPIST, "dr-lee"))
    md = cluster.md(Role.OFFICER, "officer-1")
    seen = await events(cluster.b, md, officer.session_id, officer.resume_from_seq, 2)
    try:
        await provider_port.join(appointment_id)  # rejoins: the officer is told to drop the old peer
        left = await events(cluster.b, md, officer.session_id, seen[-1].seq, 1)
        assert left[0].participant_left.reason_code == "rejoined"
        # The officer's stream stays down past the window: its seat is let go, the gap is gone.
        await asyncio.sleep(1.5)
        late = await events(cluster.a, md, officer.session_id, left[0].seq, 1)
        assert late[0].WhichOneof("body") == "must_rejoin"
        async with asyncio.timeout(10):
            while (envelope := await provider_port.receive()) is not None:
                if isinstance(envelope.payload, ParticipantLeftSignal):
                    assert envelope.payload.reason == "timed_out"
                    break
        # Joining again works and starts a fresh sequence position.
        again = await cluster.a.stub.Join(pb.JoinRequest(appointment_id=appointment_id), metadata=md)
        assert again.resume_from_seq >= left[0].seq
        fresh = await events(cluster.a, md, again.session_id, again.resume_from_seq, 1)
        assert fresh[0].WhichOneof("body") == "participant_admitted"  # was admitted before: straight back in
    finally:
        await provider_port.close()
    kinds = [kind for kind, _ in await cluster.lifecycle(appointment_id, 7)]
    assert "signaling.participant_left" in kinds


async def test_connect_carries_both_directions_on_one_bidi_call(cluster: Cluster) -> None:
    _, provider, officer = await in_call(cluster)

    async def officer_side() -> AsyncIterator[pb.ClientSignal]:
        yield pb.ClientSignal(
            subscribe=pb.SubscribeRequest(
                session_id=officer.session_id, last_seen_seq=officer.resume_from_seq
            )
        )
        offer = pb.SendRequest(session_id=officer.session_id, client_msg_id="o1")
        offer.offer.sdp = SDP
        yield pb.ClientSignal(send=offer)
        await asyncio.sleep(30)  # keep the call open

    call = cluster.b.stub.Connect(officer_side(), metadata=cluster.md(Role.OFFICER, "officer-1"))
    try:
        got = await events(cluster.a, cluster.md(Role.THERAPIST, "dr-lee"), provider.session_id, 0, 3)
        assert [e.WhichOneof("body") for e in got] == ["participant_joined", "participant_admitted", "offer"]
        answer = pb.SendRequest(session_id=provider.session_id, client_msg_id="a1")
        answer.answer.sdp = SDP
        await send(cluster, cluster.a, (Role.THERAPIST, "dr-lee"), answer)
        kinds = []
        async with asyncio.timeout(10):
            async for event in call:
                if event.WhichOneof("body") == "heartbeat":
                    continue  # a keep-alive a slow machine lets through; not part of the exchange
                kinds.append(event.WhichOneof("body"))
                if kinds[-1] == "answer":
                    break
        assert kinds == ["waiting", "participant_admitted", "answer"]
    finally:
        call.cancel()


async def test_relay_is_refused_to_outsiders_and_needs_a_body(cluster: Cluster) -> None:
    _, provider, _ = await in_call(cluster)

    with pytest.raises(grpc.aio.AioRpcError) as no_body:
        await send(
            cluster, cluster.a, (Role.THERAPIST, "dr-lee"), pb.SendRequest(session_id=provider.session_id)
        )
    assert no_body.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    bad = pb.SendRequest(session_id=provider.session_id)
    bad.ice_candidate.candidate = "candidate:garbage"
    bad.ice_candidate.sdp_mline_index = 0
    with pytest.raises(grpc.aio.AioRpcError) as malformed:
        await send(cluster, cluster.a, (Role.THERAPIST, "dr-lee"), bad)
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "garbage" not in (malformed.value.details() or "")
    spy = pb.SendRequest(session_id=provider.session_id)
    spy.renegotiate.SetInParent()
    with pytest.raises(grpc.aio.AioRpcError) as outsider:
        await send(cluster, cluster.a, (Role.OFFICER, "officer-9"), spy)
    assert outsider.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as listener:
        await events(cluster.a, cluster.md(Role.OFFICER, "officer-9"), provider.session_id, 0, 1)
    assert listener.value.code() == grpc.StatusCode.PERMISSION_DENIED
