"""Join authorization: deny by default, allow only a listed, not removed participant in the window."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from tenfour_shared.errors import DomainError, NotAllowed, WrongState
from tenfour_shared.timeline import as_utc

from .room import Presence, Room, Seat

__all__ = ["JoinDenial", "JoinDenied", "NotInvited", "NotOpenNow", "authorize_join", "join_denial"]


class JoinDenial(StrEnum):
    NOT_PARTICIPANT = "not_participant"
    TOO_EARLY = "too_early"
    TOO_LATE = "too_late"
    ENDED = "ended"
    REMOVED = "removed"

    @property
    def about_who(self) -> bool:
        """Who you are (not invited, removed) rather than when you come."""
        return self in (JoinDenial.NOT_PARTICIPANT, JoinDenial.REMOVED)

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    JoinDenial.NOT_PARTICIPANT: "you are not a participant of this session",
    JoinDenial.TOO_EARLY: "this session is not open yet",
    JoinDenial.TOO_LATE: "this session's time has passed",
    JoinDenial.ENDED: "this session has ended",
    JoinDenial.REMOVED: "you were removed from this session",
}


class JoinDenied(DomainError):
    """Raised by authorize_join: `NotInvited` for who you are, `NotOpenNow` for when you come."""

    def __new__(cls, reason: JoinDenial) -> JoinDenied:
        if cls is JoinDenied:
            cls = NotInvited if reason.about_who else NotOpenNow
        return super().__new__(cls, reason)

    def __init__(self, reason: JoinDenial) -> None:
        super().__init__(reason.message)
        self.reason = reason


class NotInvited(JoinDenied, NotAllowed):
    """Not a participant of this session, or removed from it."""


class NotOpenNow(JoinDenied, WrongState):
    """The session is not open yet, its time has passed, or it has ended."""


def join_denial(room: Room, subject: str, now: datetime) -> JoinDenial | None:
    """Why ``subject`` may not join now, or None when every check passes.

    Membership is checked first so that outsiders learn nothing about the room's times or state.
    """
    now = as_utc(now)
    seat = room.seat_of(subject)
    if seat is None:
        return JoinDenial.NOT_PARTICIPANT
    if seat.presence is Presence.REMOVED:
        return JoinDenial.REMOVED
    if room.ended_at is not None:
        return JoinDenial.ENDED
    if now < room.opens_at:
        return JoinDenial.TOO_EARLY
    if now >= room.closes_at:
        return JoinDenial.TOO_LATE
    return None


def authorize_join(room: Room, subject: str, now: datetime) -> Seat:
    """The subject's seat if they may join now; otherwise raise JoinDenied."""
    reason = join_denial(room, subject, now)
    if reason is not None:
        raise JoinDenied(reason)
    seat = room.seat_of(subject)
    assert seat is not None  # join_denial returned None, so the seat exists
    return seat
