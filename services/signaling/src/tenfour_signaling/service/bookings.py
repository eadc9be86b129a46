"""Scheduling's bookings -> rooms: created when booked, moved when rescheduled, closed when cancelled."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from tenfour_signaling.domain import Participant, Role, Room, RoomStateError, Transition, cancel
from tenfour_signaling.service.writer import RoomWriter, expire_at

__all__ = ["Booking", "Bookings"]

log = logging.getLogger("tenfour.signaling.bookings")


@dataclass(frozen=True, slots=True)
class Booking:
    appointment_id: str
    agency_id: str
    provider_id: str
    officer_ids: tuple[str, ...]
    start: datetime
    end: datetime
    urgent: bool


def _participants(booking: Booking) -> list[Participant]:
    # Bookings do not say which kind of provider: a peer supporter's token corrects it at Join.
    people = [Participant(subject=booking.provider_id, role=Role.THERAPIST)]
    people += [Participant(subject=o, role=Role.OFFICER) for o in dict.fromkeys(booking.officer_ids)]
    return people


def _participants_keeping_roles(room: Room, booking: Booking) -> list[Participant]:
    """The booking's people, reusing existing participants (handles, learnt provider kind)."""
    out = []
    for fresh in _participants(booking):
        seat = room.seat_of(fresh.subject)
        out.append(seat.participant if seat is not None else fresh)
    return out


class Bookings:
    def __init__(self, writer: RoomWriter) -> None:
        self._writer = writer

    async def book(self, booking: Booking) -> None:
        """Create the room of a booked appointment, or bring an existing one up to date."""
        writer, now = self._writer, self._writer.clock()
        if await writer.store.get(booking.appointment_id) is None:
            room = Room.from_appointment(
                booking.appointment_id,
                _participants(booking),
                booking.start,
                booking.end,
                now=now,
                urgent=booking.urgent,
                agency_id=booking.agency_id,
                open_before=writer.times.open_before,
                grace_after=writer.times.grace_after,
            )
            if room.closes_at <= now:
                log.info("booking already over: no room", extra={"appointment_id": booking.appointment_id})
                return
            if await writer.create(room):
                log.info("room created", extra={"appointment_id": booking.appointment_id})
                return
        await self._update(booking)

    async def _update(self, booking: Booking) -> None:
        def change(room: Room) -> Transition:
            if room.ended_at is not None:
                return Transition(room, room)
            after = room.with_participants(_participants_keeping_roles(room, booking))
            if (after.start, after.end) != (booking.start, booking.end):
                after = after.reschedule(booking.start, booking.end, now=self._writer.clock())
            return Transition(room, after)

        try:
            t, _ = await self._writer.apply(booking.appointment_id, change)
        except RoomStateError:
            log.warning("cannot move a live session", extra={"appointment_id": booking.appointment_id})
            return
        if t.room.ended_at is None:
            await self._writer.store.index_session(t.room, expire_at(t.room, self._writer.times))
            await self._writer.store.mark_closing(t.room.appointment_id, t.room.closes_at)

    async def cancel(self, appointment_id: str) -> None:
        store = self._writer.store
        if await store.get(appointment_id) is None:
            return
        await self._writer.apply(appointment_id, lambda room: cancel(room, self._writer.clock()))
        await store.unmark_closing(appointment_id)
        await store.unmark_occupied(appointment_id)
