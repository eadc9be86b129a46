"""A room: the video session of one booked appointment, and the time window it is open in."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from tenfour_shared.timeline import Interval, as_utc

from .errors import NotFound, RoomStateError
from .participants import HANDLE_PATTERN, MAX_PARTICIPANTS, Participant

__all__ = [
    "DEFAULT_GRACE_AFTER",
    "DEFAULT_OPEN_BEFORE",
    "EndReason",
    "Presence",
    "Room",
    "RoomState",
    "Seat",
]

DEFAULT_OPEN_BEFORE = timedelta(minutes=10)
DEFAULT_GRACE_AFTER = timedelta(minutes=15)


class RoomState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    LIVE = "live"
    ENDED = "ended"


class EndReason(StrEnum):
    PROVIDER_ENDED = "provider_ended"
    CANCELLED = "cancelled"
    WINDOW_CLOSED = "window_closed"


class Presence(StrEnum):
    """Where a participant is right now; REMOVED is final for the session."""

    ABSENT = "absent"
    WAITING = "waiting"
    ADMITTED = "admitted"
    LEFT = "left"
    REMOVED = "removed"


class Seat(BaseModel):
    """A participant together with their presence in this room."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    participant: Participant
    presence: Presence = Presence.ABSENT
    # Lets an officer who dropped out come straight back in (decision: a flaky phone network
    # must not send someone in crisis back to the waiting room).
    was_admitted: bool = False
    # First entry (waiting room or call): "did this officer show up" for arrived/no-show.
    entered_at: AwareDatetime | None = None
    # Hide this participant's address: relay candidates only (their opt-in or agency policy).
    relay_only: bool = False

    @property
    def handle(self) -> str:
        return self.participant.handle

    @property
    def is_present(self) -> bool:
        return self.presence in (Presence.WAITING, Presence.ADMITTED)


def _new_session_id() -> str:
    return secrets.token_urlsafe(12)


class Room(BaseModel):
    """Immutable room state; every change returns a new Room."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    session_id: str = Field(default_factory=_new_session_id, pattern=HANDLE_PATTERN)
    appointment_id: str = Field(min_length=1, max_length=255)
    seats: tuple[Seat, ...]
    start: AwareDatetime
    end: AwareDatetime
    created_at: AwareDatetime
    open_before: timedelta = DEFAULT_OPEN_BEFORE
    grace_after: timedelta = DEFAULT_GRACE_AFTER
    urgent: bool = False
    agency_id: str = Field(default="", max_length=255)
    live_since: AwareDatetime | None = None
    ended_at: AwareDatetime | None = None
    end_reason: EndReason | None = None

    @field_validator("start", "end", "created_at", "live_since", "ended_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else as_utc(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.end <= self.start:
            raise ValueError("a room must end after it starts")
        if self.open_before < timedelta(0) or self.grace_after < timedelta(0):
            raise ValueError("open_before and grace_after must not be negative")
        people = [seat.participant for seat in self.seats]
        if not 2 <= len(people) <= MAX_PARTICIPANTS:
            raise ValueError(f"a room holds 2 to {MAX_PARTICIPANTS} participants")
        if len({p.subject for p in people}) != len(people) or len({p.handle for p in people}) != len(people):
            raise ValueError("participants must be distinct")
        if not any(p.role.is_provider for p in people) or all(p.role.is_provider for p in people):
            raise ValueError("a room needs at least one provider and one officer")
        return self

    @classmethod
    def from_appointment(
        cls,
        appointment_id: str,
        participants: Iterable[Participant],
        start: datetime,
        end: datetime,
        *,
        now: datetime,
        urgent: bool = False,
        agency_id: str = "",
        open_before: timedelta = DEFAULT_OPEN_BEFORE,
        grace_after: timedelta = DEFAULT_GRACE_AFTER,
    ) -> Room:
        """A room for a booked appointment; urgent (crisis) rooms open as soon as they exist."""
        return cls(
            appointment_id=appointment_id,
            seats=tuple(Seat(participant=p) for p in participants),
            start=start,
            end=end,
            created_at=now,
            open_before=open_before,
            grace_after=grace_after,
            urgent=urgent,
            agency_id=agency_id,
        )

    @property
    def opens_at(self) -> datetime:
        scheduled = self.start - self.open_before
        return min(scheduled, self.created_at) if self.urgent else scheduled

    @property
    def closes_at(self) -> datetime:
        return self.end + self.grace_after

    @property
    def window(self) -> Interval:
        """The half-open interval in which participants may join."""
        return Interval(self.opens_at, self.closes_at)

    def state_at(self, now: datetime) -> RoomState:
        now = as_utc(now)
        if self.ended_at is not None or now >= self.closes_at:
            return RoomState.ENDED
        if self.live_since is not None:
            return RoomState.LIVE
        return RoomState.OPEN if now >= self.opens_at else RoomState.SCHEDULED

    @property
    def any_officer_entered(self) -> bool:
        return any(s.entered_at is not None and not s.participant.role.is_provider for s in self.seats)

    @property
    def anyone_entered(self) -> bool:
        return any(s.entered_at is not None for s in self.seats)

    def seat_of(self, subject: str) -> Seat | None:
        return next((s for s in self.seats if s.participant.subject == subject), None)

    def seat_by_handle(self, handle: str) -> Seat | None:
        return next((s for s in self.seats if s.handle == handle), None)

    def require_seat(self, subject: str) -> Seat:
        seat = self.seat_of(subject)
        if seat is None:
            raise NotFound("no such participant in this room")
        return seat

    def with_seat(self, seat: Seat) -> Room:
        """This room with one seat replaced (matched by subject)."""
        subject = seat.participant.subject
        seats = tuple(seat if s.participant.subject == subject else s for s in self.seats)
        return self.model_copy(update={"seats": seats})

    def reschedule(self, start: datetime, end: datetime, *, now: datetime) -> Room:
        """Move a room that has not gone live; the join window follows the new times."""
        state = self.state_at(now)
        if state in (RoomState.LIVE, RoomState.ENDED):
            raise RoomStateError(f"cannot reschedule a room that is {state}")
        # Re-validate through the constructor: model_copy would skip the end > start check.
        return Room.model_validate({**self.model_dump(), "start": start, "end": end})

    def with_participants(self, participants: Iterable[Participant]) -> Room:
        """The booked list changed (group members came or went): add new seats, keep handles.

        A seat is dropped only if its participant never entered; someone who is or was in the
        session stays, so events and the call are not cut under them.
        """
        wanted = {p.subject: p for p in participants}
        kept = [s for s in self.seats if s.participant.subject in wanted or s.entered_at is not None]
        known = {s.participant.subject for s in kept}
        added = [Seat(participant=p) for subject, p in wanted.items() if subject not in known]
        return Room.model_validate({**self.model_dump(), "seats": (*kept, *added)})

    def ended(self, reason: EndReason, *, now: datetime) -> Room:
        """This room, ended now for ``reason`` (callers emit the SessionEnded event)."""
        return self.model_copy(update={"ended_at": as_utc(now), "end_reason": reason})
