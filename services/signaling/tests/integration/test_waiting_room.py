"""The waiting room: officers wait until their provider admits them; providers remove and end."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_shared.auth.roles import Role
from tenfour_signaling.client import GrpcSignaling, SignalingError
from tenfour_signaling.domain import (
    Offer,
    OutboundSignal,
    ParticipantAdmittedSignal,
    ParticipantJoinedSignal,
    ParticipantLeftSignal,
    SessionEndedSignal,
    SignalPayload,
    WaitingSignal,
)
from tenfour_testing.signaling import Cluster

SDP = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"


async def next_payload(port: GrpcSignaling) -> SignalPayload:
    async with asyncio.timeout(10):
        envelope = await port.receive()
    assert envelope is not None
    return envelope.payload


async def test_admit_remove_and_end_by_the_provider(cluster: Cluster) -> None:
    appointment_id = await cluster.book(("officer-1", "officer-2"), "dr-lee")
    first = GrpcSignaling([cluster.a.target], cluster.token(Role.OFFICER, "officer-1"))
    second = GrpcSignaling([cluster.b.target], cluster.token(Role.OFFICER, "officer-2"))
    provider = GrpcSignaling([cluster.b.target], cluster.token(Role.THERAPIST, "dr-lee"))
    try:
        assert (await first.join(appointment_id)).waiting
        assert await next_payload(first) == WaitingSignal(
            message="Waiting for your therapist to let you in.",
            code="waiting_for_provider",
            provider_role="therapist",
        )
        joined_second = await second.join(appointment_id)
        await next_payload(second)  # its own waiting notice
        # A waiting officer sees the provider and itself, never who else is waiting.
        assert {p.role for p in joined_second.room.participants} == {"therapist", "officer"}
        assert [p.participant_id for p in joined_second.room.participants if p.role == "officer"] == [
            second.handle
        ]
        # Waiting officers cannot signal, nor run the waiting room.
        with pytest.raises(SignalingError) as waiting_send:
            await second.send(OutboundSignal(session_id=second.session_id, payload=Offer(sdp=SDP)))
        assert waiting_send.value.code == grpc.StatusCode.FAILED_PRECONDITION
        with pytest.raises(SignalingError) as officer_admits:
            await second.admit(first.handle)
        assert officer_admits.value.code == grpc.StatusCode.PERMISSION_DENIED

        provider_joined = await provider.join(appointment_id)
        waiting = {p.participant_id for p in provider_joined.room.participants if p.state == "waiting"}
        assert waiting == {first.handle, second.handle}
        here = ParticipantJoinedSignal(participant=provider.handle, role="therapist", waiting=False)
        assert await next_payload(first) == here  # "your therapist is here"
        assert await next_payload(second) == here

        await provider.admit(first.handle)
        assert await next_payload(first) == ParticipantAdmittedSignal(participant=first.handle)
        assert await next_payload(provider) == ParticipantAdmittedSignal(participant=first.handle)

        other = await _refused(
            cluster.a.stub.Admit(
                pb.AdmitRequest(appointment_id=appointment_id, participant_id=second.handle),
                metadata=cluster.md(Role.THERAPIST, "dr-other"),
            )
        )
        assert other.code() == grpc.StatusCode.PERMISSION_DENIED

        await cluster.a.stub.Remove(
            pb.RemoveRequest(appointment_id=appointment_id, participant_id=second.handle),
            metadata=cluster.md(Role.THERAPIST, "dr-lee"),
        )
        assert await next_payload(second) == ParticipantLeftSignal(
            participant=second.handle, reason="removed"
        )
        async with asyncio.timeout(10):
            assert await second.receive() is None  # removal ends the stream
        back = await _refused(
            cluster.a.stub.Join(
                pb.JoinRequest(appointment_id=appointment_id), metadata=cluster.md(Role.OFFICER, "officer-2")
            )
        )
        assert back.code() == grpc.StatusCode.PERMISSION_DENIED
        assert back.details() == "you were removed from this session"

        await cluster.a.stub.EndSession(
            pb.EndSessionRequest(appointment_id=appointment_id), metadata=cluster.md(Role.THERAPIST, "dr-lee")
        )
        assert await next_payload(first) == SessionEndedSignal(reason="provider_ended")
        async with asyncio.timeout(10):
            assert await first.receive() is None
    finally:
        for port in (first, second, provider):
            await port.close()

    kinds = [kind for kind, _ in await cluster.lifecycle(appointment_id, 6)]
    assert kinds == [
        "signaling.session_opened",
        "signaling.participant_joined",
        "signaling.participant_joined",
        "signaling.participant_joined",
        "signaling.participant_left",
        "signaling.session_ended",
    ]


async def _refused(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def test_a_group_session_is_a_mesh_of_everyone_admitted(cluster: Cluster) -> None:
    appointment_id = await cluster.book(("officer-1", "officer-2"), "peer-7")
    provider = GrpcSignaling([cluster.a.target], cluster.token(Role.PEER_SUPPORTER, "peer-7"))
    first = GrpcSignaling([cluster.b.target], cluster.token(Role.OFFICER, "officer-1"))
    second = GrpcSignaling([cluster.a.target], cluster.token(Role.OFFICER, "officer-2"))
    try:
        await provider.join(appointment_id)
        for officer in (first, second):
            await officer.join(appointment_id)
            waiting = await next_payload(officer)
            assert waiting == WaitingSignal(
                message="Your peer supporter is here and will let you in shortly.",
                code="provider_here",
                provider_role="peer_supporter",
            )
            await provider.admit(officer.handle)
        drained = [await next_payload(first) for _ in range(2)]  # admitted, then officer-2 joined
        assert drained == [
            ParticipantAdmittedSignal(participant=first.handle),
            ParticipantAdmittedSignal(participant=second.handle),
        ]
        await next_payload(second)  # its own admission
        await first.send(OutboundSignal(session_id=first.session_id, payload=Offer(sdp=SDP)))  # to everyone
        await first.send(
            OutboundSignal(session_id=first.session_id, recipient=provider.handle, payload=Offer(sdp=SDP))
        )
        assert await next_payload(second) == Offer(sdp=SDP)
        assert [await _skip_presence(provider), await _skip_presence(provider)] == [Offer(sdp=SDP)] * 2
        # The addressed offer went to the provider only: officer-2's next signal is officer-1's reply.
        await first.send(OutboundSignal(session_id=first.session_id, payload=Offer(sdp=SDP + "a=x\r\n")))
        assert await next_payload(second) == Offer(sdp=SDP + "a=x\r\n")
    finally:
        for port in (first, second, provider):
            await port.close()


async def _skip_presence(port: GrpcSignaling) -> SignalPayload:
    while True:
        payload = await next_payload(port)
        if payload.kind not in ("participant_joined", "participant_admitted", "waiting"):
            return payload
