"""Protobuf <-> domain for signals and rooms; shared by the servicer, the adapters and the client.

Inbound text is validated by the domain models (SDP and candidates never echoed in errors).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.duration_pb2 import Duration

from tenfour.signaling.v1 import signaling_pb2 as pb
from tenfour_signaling.domain import (
    Answer,
    Bye,
    ClientPayload,
    EndOfCandidates,
    EndReason,
    Heartbeat,
    IceCandidate,
    IceRestart,
    IceServer,
    InvalidSignal,
    LeaveReason,
    MustRejoinSignal,
    MuteRequestedSignal,
    Offer,
    OutboundSignal,
    ParticipantAdmittedSignal,
    ParticipantJoinedSignal,
    ParticipantLeftSignal,
    Presence,
    Renegotiate,
    Role,
    Room,
    Seat,
    SessionEndedSignal,
    SignalEnvelope,
    SignalPayload,
    WaitingSignal,
)

__all__ = [
    "TERMINAL_KINDS",
    "client_payload",
    "duration",
    "envelope_from_event",
    "ice_servers_from_pb",
    "ice_servers_pb",
    "outbound_from_request",
    "request_from_outbound",
    "room_state",
    "signal_event",
]

# Bodies after which a stream has nothing more to say.
TERMINAL_KINDS = frozenset({"session_ended", "must_rejoin"})

_Carrier = pb.SignalEvent | pb.SendRequest


def _set_client_body(message: _Carrier, payload: ClientPayload) -> None:
    match payload:
        case Offer(sdp=sdp):
            message.offer.sdp = sdp
        case Answer(sdp=sdp):
            message.answer.sdp = sdp
        case IceCandidate(candidate=line, sdp_mid=mid, sdp_mline_index=index):
            message.ice_candidate.candidate = line
            message.ice_candidate.sdp_mid = mid or ""
            if index is not None:
                message.ice_candidate.sdp_mline_index = index
        case EndOfCandidates():
            message.end_of_candidates.SetInParent()
        case Renegotiate():
            message.renegotiate.SetInParent()
        case IceRestart():
            message.ice_restart.SetInParent()
        case Bye(reason_code=code):
            message.bye.reason_code = code


def _set_body(event: pb.SignalEvent, payload: SignalPayload) -> None:
    match payload:
        case Heartbeat():
            event.heartbeat.SetInParent()
        case ParticipantJoinedSignal(participant=handle, role=role, waiting=waiting):
            event.participant_joined.CopyFrom(
                pb.ParticipantJoined(participant_id=handle, role=role.value, waiting=waiting)
            )
        case ParticipantLeftSignal(participant=handle, reason=reason):
            event.participant_left.CopyFrom(
                pb.ParticipantLeft(participant_id=handle, reason_code=reason.value)
            )
        case ParticipantAdmittedSignal(participant=handle):
            event.participant_admitted.participant_id = handle
        case WaitingSignal(message=text, code=code, provider_role=role):
            event.waiting.CopyFrom(pb.Waiting(message=text, reason_code=code, provider_role=role))
        case SessionEndedSignal(reason=reason):
            event.session_ended.reason_code = reason.value
        case MustRejoinSignal(reason_code=code):
            event.must_rejoin.reason_code = code
        case MuteRequestedSignal():
            event.mute_requested.SetInParent()
        case _:
            _set_client_body(event, payload)


def signal_event(
    session_id: str, payload: SignalPayload, at: datetime, sender: str | None = None, seq: int = 0
) -> pb.SignalEvent:
    """The wire event for one payload; ``seq`` is stamped when it is stored for its recipient."""
    event = pb.SignalEvent(session_id=session_id, seq=seq, from_participant_id=sender or "")
    event.time.FromDatetime(at)
    _set_body(event, payload)
    return event


def client_payload(message: _Carrier) -> ClientPayload:
    """The body of a SendRequest (or a client-kind SignalEvent) as a validated domain payload."""
    match message.WhichOneof("body"):
        case "offer":
            return Offer(sdp=message.offer.sdp)
        case "answer":
            return Answer(sdp=message.answer.sdp)
        case "ice_candidate":
            c = message.ice_candidate
            return IceCandidate(
                candidate=c.candidate,
                sdp_mid=c.sdp_mid or None,
                sdp_mline_index=c.sdp_mline_index if c.HasField("sdp_mline_index") else None,
            )
        case "end_of_candidates":
            return EndOfCandidates()
        case "renegotiate":
            return Renegotiate()
        case "ice_restart":
            return IceRestart()
        case "bye":
            return Bye(reason_code=message.bye.reason_code)
    raise InvalidSignal("a signal needs a body (offer, answer, ice_candidate, ...)")


def outbound_from_request(request: pb.SendRequest) -> OutboundSignal:
    return OutboundSignal(
        session_id=request.session_id,
        recipient=request.to_participant_id or None,
        client_msg_id=request.client_msg_id or None,
        payload=client_payload(request),
    )


def request_from_outbound(signal: OutboundSignal, client_msg_id: str) -> pb.SendRequest:
    request = pb.SendRequest(
        session_id=signal.session_id,
        to_participant_id=signal.recipient or "",
        client_msg_id=signal.client_msg_id or client_msg_id,
    )
    _set_client_body(request, signal.payload)
    return request


def _event_payload(event: pb.SignalEvent) -> SignalPayload:
    match event.WhichOneof("body"):
        case "heartbeat":
            return Heartbeat()
        case "participant_joined":
            j = event.participant_joined
            return ParticipantJoinedSignal(participant=j.participant_id, role=Role(j.role), waiting=j.waiting)
        case "participant_left":
            left = event.participant_left
            return ParticipantLeftSignal(
                participant=left.participant_id, reason=LeaveReason(left.reason_code)
            )
        case "participant_admitted":
            return ParticipantAdmittedSignal(participant=event.participant_admitted.participant_id)
        case "waiting":
            w = event.waiting
            return WaitingSignal(message=w.message, code=w.reason_code, provider_role=w.provider_role)
        case "session_ended":
            return SessionEndedSignal(reason=EndReason(event.session_ended.reason_code))
        case "must_rejoin":
            return MustRejoinSignal(reason_code=event.must_rejoin.reason_code)
        case "mute_requested":
            return MuteRequestedSignal()
    return client_payload(event)


def envelope_from_event(event: pb.SignalEvent, recipient: str) -> SignalEnvelope:
    """Client side: a sequenced event as the domain envelope the aiortc peers consume."""
    return SignalEnvelope(
        session_id=event.session_id,
        seq=event.seq,
        sent_at=event.time.ToDatetime(tzinfo=UTC),
        sender=event.from_participant_id or None,
        recipient=recipient,
        payload=_event_payload(event),
    )


def duration(delta: timedelta) -> Duration:
    out = Duration()
    out.FromTimedelta(max(delta, timedelta(0)))
    return out


def ice_servers_pb(servers: tuple[IceServer, ...]) -> list[pb.IceServer]:
    return [
        pb.IceServer(urls=list(s.urls), username=s.username or "", credential=s.credential or "")
        for s in servers
    ]


def ice_servers_from_pb(servers: list[pb.IceServer]) -> list[IceServer]:
    return [
        IceServer(urls=tuple(s.urls), username=s.username or None, credential=s.credential or None)
        for s in servers
    ]


def _visible(viewer: Seat | None, seat: Seat) -> bool:
    """Officers see providers, admitted participants and themselves; providers see everyone."""
    if viewer is None or viewer.participant.role.is_provider or seat.handle == viewer.handle:
        return True
    return seat.participant.role.is_provider or seat.presence is Presence.ADMITTED


def room_state(room: Room, viewer: Seat | None, now: datetime) -> pb.RoomState:
    state = pb.RoomState(
        appointment_id=room.appointment_id,
        state=room.state_at(now).value,
        session_id=room.session_id,
        urgent=room.urgent,
        end_reason=room.end_reason.value if room.end_reason else "",
        participants=[
            pb.RoomParticipant(participant_id=s.handle, role=s.participant.role.value, state=s.presence.value)
            for s in room.seats
            if _visible(viewer, s)
        ],
    )
    state.opens_at.FromDatetime(room.opens_at)
    state.closes_at.FromDatetime(room.closes_at)
    return state
