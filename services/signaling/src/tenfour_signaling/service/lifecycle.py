"""Lifecycle events for scheduling (arrived / fulfilled / noshow), derived from room transitions.

They name participants by user id (the bus is internal) and never carry addresses or SDP.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from google.protobuf.message import Message

from tenfour.events.v1 import signaling_events_pb2 as ev
from tenfour.events.v1.envelope_pb2 import Envelope
from tenfour_shared.events.envelope import build
from tenfour_signaling.domain import (
    EndReason,
    ParticipantJoined,
    ParticipantLeft,
    Room,
    Seat,
    SessionEnded,
    Transition,
)
from tenfour_signaling.wire import duration

__all__ = ["connected_event", "lifecycle_events"]


def _subject(room: Room, handle: str) -> str:
    seat = room.seat_by_handle(handle)
    return "" if seat is None else seat.participant.subject


def _ended(room: Room, event: SessionEnded) -> ev.SessionEnded:
    officers = sum(1 for s in room.seats if s.entered_at is not None and not s.participant.role.is_provider)
    live = room.live_since
    return ev.SessionEnded(
        appointment_id=room.appointment_id,
        any_officer_joined=officers > 0,
        duration=duration(event.at - live if live is not None else timedelta(0)),
        reason_code=event.reason.value,
        officers_joined=officers,
    )


def lifecycle_events(t: Transition) -> list[Envelope]:
    room, appointment_id = t.room, t.room.appointment_id
    out: list[tuple[Message, datetime]] = []
    for event in t.events:
        if isinstance(event, ParticipantJoined) and not t.before.anyone_entered and not out:
            out.append((ev.SessionOpened(appointment_id=appointment_id), event.at))
        match event:
            case ParticipantJoined():
                payload: Message = ev.ParticipantJoined(
                    appointment_id=appointment_id,
                    participant_id=_subject(room, event.participant),
                    role=event.role.value,
                    waiting=event.waiting,
                )
            case ParticipantLeft():
                payload = ev.ParticipantLeft(
                    appointment_id=appointment_id,
                    participant_id=_subject(room, event.participant),
                    reason_code=event.reason.value,
                    role=event.role.value,
                )
            case SessionEnded() if event.reason is not EndReason.CANCELLED:
                # Scheduling cancelled the appointment itself; an "ended" would read as a no-show.
                payload = _ended(room, event)
            case _:
                continue
        out.append((payload, event.at))
    return [build(payload, subject=appointment_id, when=at) for payload, at in out]


def connected_event(room: Room, seat: Seat, candidate_type: str, setup: timedelta, at: datetime) -> Envelope:
    payload = ev.ParticipantConnected(
        appointment_id=room.appointment_id,
        participant_id=seat.participant.subject,
        candidate_type=candidate_type,
        setup_time=duration(setup),
        role=seat.participant.role.value,
    )
    return build(payload, subject=room.appointment_id, when=at)
