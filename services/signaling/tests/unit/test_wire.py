"""Protobuf <-> domain: every payload survives the trip, and officers see only what they may."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_signaling import wire
from tenfour_signaling.domain import (
    Answer,
    Bye,
    EndOfCandidates,
    Heartbeat,
    IceCandidate,
    IceRestart,
    InvalidSignal,
    MustRejoinSignal,
    Offer,
    OutboundSignal,
    ParticipantAdmittedSignal,
    ParticipantJoinedSignal,
    ParticipantLeftSignal,
    Renegotiate,
    Room,
    SessionEndedSignal,
    SignalPayload,
    WaitingSignal,
    admit,
    join,
)

SDP = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
LINE = "candidate:1 1 udp 2130706431 192.0.2.1 50000 typ host"
HANDLE = "Abcdefgh12345678"
T = datetime(2025, 3, 10, 14, 0, tzinfo=UTC)

PAYLOADS: list[SignalPayload] = [
    Offer(sdp=SDP),
    Answer(sdp=SDP),
    IceCandidate(candidate=LINE, sdp_mid="0", sdp_mline_index=0),
    IceCandidate(candidate=LINE, sdp_mid="video"),
    EndOfCandidates(),
    Renegotiate(),
    IceRestart(),
    Bye(reason_code="hung_up"),
    Heartbeat(),
    ParticipantJoinedSignal(participant=HANDLE, role="therapist", waiting=False),
    ParticipantLeftSignal(participant=HANDLE, reason="timed_out"),
    ParticipantAdmittedSignal(participant=HANDLE),
    WaitingSignal(message="Waiting for your therapist to let you in."),
    SessionEndedSignal(reason="provider_ended"),
    MustRejoinSignal(reason_code="gap_expired"),
]


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: p.kind)
def test_every_payload_survives_the_wire(payload: SignalPayload) -> None:
    event = wire.signal_event("session-1234", payload, T, sender=HANDLE, seq=7)
    back = wire.envelope_from_event(pb.SignalEvent.FromString(event.SerializeToString()), "Recipient1234567")
    assert back.payload == payload
    assert (back.seq, back.sender, back.sent_at) == (7, HANDLE, T)


def test_a_zero_mline_index_is_kept_apart_from_none() -> None:
    request = wire.request_from_outbound(
        OutboundSignal(session_id="s", payload=IceCandidate(candidate=LINE, sdp_mline_index=0)), "id-1"
    )
    assert request.ice_candidate.HasField("sdp_mline_index")
    assert wire.outbound_from_request(request).payload == IceCandidate(candidate=LINE, sdp_mline_index=0)
    assert request.client_msg_id == "id-1"


def test_sends_are_validated_without_echoing_what_was_sent() -> None:
    with pytest.raises(InvalidSignal):
        wire.outbound_from_request(pb.SendRequest(session_id="s"))
    bad = pb.SendRequest(session_id="s")
    bad.offer.sdp = "secret 10.0.0.1 not sdp"
    with pytest.raises(ValidationError) as caught:
        wire.outbound_from_request(bad)
    assert "10.0.0.1" not in str(caught.value)


def test_a_waiting_officer_sees_the_provider_and_itself_only(make_room: Callable[..., Room]) -> None:
    room = make_room("officer-1", "officer-2", "officer-3")
    now = room.start
    room = join(room, "dr-lee", now).room
    for officer in ("officer-1", "officer-2", "officer-3"):
        room = join(room, officer, now).room
    room = admit(room, "dr-lee", room.require_seat("officer-1").handle, now).room
    waiting = room.require_seat("officer-2")
    seen = wire.room_state(room, waiting, now)
    assert {(p.role, p.state) for p in seen.participants} == {
        ("therapist", "admitted"),
        ("officer", "admitted"),
        ("officer", "waiting"),
    }
    assert room.require_seat("officer-3").handle not in str(seen)
    everyone = wire.room_state(room, room.require_seat("dr-lee"), now)
    assert len(everyone.participants) == 4
    assert everyone.state == "live"
    assert everyone.closes_at.ToDatetime(tzinfo=UTC) == room.end + timedelta(minutes=15)
