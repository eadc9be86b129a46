"""Waiting-room transitions: pure functions from a room to the next room plus the events to emit.

Officers wait until a provider admits them; providers join directly, admit, remove and end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tenfour_shared.timeline import as_utc

from .admission import authorize_join
from .errors import NotAllowed, NotFound, RoomStateError
from .events import (
    LeaveReason,
    ParticipantAdmitted,
    ParticipantJoined,
    ParticipantLeft,
    RoomEvent,
    SessionEnded,
)
from .room import EndReason, Presence, Room, RoomState, Seat

__all__ = [
    "Transition",
    "admit",
    "cancel",
    "close_if_due",
    "end_session",
    "join",
    "leave",
    "remove",
]


@dataclass(frozen=True, slots=True)
class Transition:
    """The room before and after one command, and the events the command produced."""

    before: Room
    room: Room
    events: tuple[RoomEvent, ...] = ()


def _provider_present(room: Room) -> bool:
    return any(s.participant.role.is_provider and s.presence is Presence.ADMITTED for s in room.seats)


def join(room: Room, subject: str, now: datetime) -> Transition:
    """Enter the room: providers straight in, officers into the waiting room (raises JoinDenied)."""
    now = as_utc(now)
    seat = authorize_join(room, subject, now)
    if seat.is_present:
        # A second stream from the same person (reconnect racing the old stream): nothing changes.
        return Transition(room, room)
    role = seat.participant.role
    direct = role.is_provider or (seat.was_admitted and _provider_present(room))
    entered = seat.model_copy(
        update={
            "presence": Presence.ADMITTED if direct else Presence.WAITING,
            "was_admitted": seat.was_admitted or direct,
            "entered_at": seat.entered_at or now,
        }
    )
    after = room.with_seat(entered)
    if role.is_provider and after.live_since is None:
        after = after.model_copy(update={"live_since": now})
    events: list[RoomEvent] = [
        ParticipantJoined(
            session_id=room.session_id, at=now, participant=seat.handle, role=role, waiting=not direct
        )
    ]
    if direct and not role.is_provider:
        events.append(
            ParticipantAdmitted(session_id=room.session_id, at=now, participant=seat.handle, admitted_by=None)
        )
    return Transition(room, after, tuple(events))


def _acting_provider(room: Room, actor: str, now: datetime) -> Seat:
    if room.state_at(now) is RoomState.ENDED:
        raise RoomStateError("the session has ended")
    seat = room.seat_of(actor)
    if seat is None or not seat.participant.role.is_provider:
        raise NotAllowed("only the session's provider may do this")
    if seat.presence is not Presence.ADMITTED:
        raise RoomStateError("join the session first")
    return seat


def _target(room: Room, handle: str) -> Seat:
    seat = room.seat_by_handle(handle)
    if seat is None:
        raise NotFound("no such participant in this room")
    return seat


def admit(room: Room, actor: str, target: str, now: datetime) -> Transition:
    """A present provider admits a waiting participant (``target`` is a handle)."""
    by = _acting_provider(room, actor, now)
    seat = _target(room, target)
    if seat.presence is not Presence.WAITING:
        raise RoomStateError("that participant is not waiting")
    after = room.with_seat(seat.model_copy(update={"presence": Presence.ADMITTED, "was_admitted": True}))
    event = ParticipantAdmitted(
        session_id=room.session_id, at=now, participant=seat.handle, admitted_by=by.handle
    )
    return Transition(room, after, (event,))


def remove(room: Room, actor: str, target: str, now: datetime) -> Transition:
    """A present provider removes an officer for the rest of the session; removal is final."""
    _acting_provider(room, actor, now)
    seat = _target(room, target)
    if seat.participant.role.is_provider:
        raise NotAllowed("a provider cannot be removed")
    if seat.presence is Presence.REMOVED:
        return Transition(room, room)
    after = room.with_seat(seat.model_copy(update={"presence": Presence.REMOVED}))
    event = ParticipantLeft(
        session_id=room.session_id,
        at=now,
        participant=seat.handle,
        role=seat.participant.role,
        reason=LeaveReason.REMOVED,
    )
    return Transition(room, after, (event,))


def leave(room: Room, subject: str, now: datetime, reason: LeaveReason = LeaveReason.LEFT) -> Transition:
    """A participant hangs up, their stream is gone for good or they rejoin; a no-op if not present."""
    if reason is LeaveReason.REMOVED:
        raise ValueError("removal is remove(), which checks the actor")
    seat = room.require_seat(subject)
    if not seat.is_present:
        return Transition(room, room)
    after = room.with_seat(seat.model_copy(update={"presence": Presence.LEFT}))
    event = ParticipantLeft(
        session_id=room.session_id,
        at=now,
        participant=seat.handle,
        role=seat.participant.role,
        reason=reason,
    )
    return Transition(room, after, (event,))


def _end(room: Room, reason: EndReason, now: datetime) -> Transition:
    if room.ended_at is not None:
        return Transition(room, room)
    event = SessionEnded(session_id=room.session_id, at=now, reason=reason)
    return Transition(room, room.ended(reason, now=now), (event,))


def end_session(room: Room, actor: str, now: datetime) -> Transition:
    """The provider ends the session for everyone."""
    _acting_provider(room, actor, now)
    return _end(room, EndReason.PROVIDER_ENDED, now)


def cancel(room: Room, now: datetime) -> Transition:
    """The appointment was cancelled: close the room (idempotent)."""
    return _end(room, EndReason.CANCELLED, now)


def close_if_due(room: Room, now: datetime) -> Transition:
    """Close a room whose window has passed (for a periodic sweeper); otherwise a no-op."""
    if now < room.closes_at:
        return Transition(room, room)
    return _end(room, EndReason.WINDOW_CLOSED, now)
