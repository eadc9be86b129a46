"""Periodic upkeep: close rooms whose window passed, let go of participants whose stream is gone."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from tenfour_signaling.domain import LeaveReason, Room, Transition, close_if_due, leave
from tenfour_signaling.service.writer import RoomWriter

__all__ = ["Sweeper"]

log = logging.getLogger("tenfour.signaling.sweeper")


def _timed_out(subject: str, now: datetime) -> Callable[[Room], Transition]:
    return lambda room: leave(room, subject, now, LeaveReason.TIMED_OUT)


class Sweeper:
    def __init__(self, writer: RoomWriter) -> None:
        self._writer = writer

    async def sweep(self) -> None:
        writer, store = self._writer, self._writer.store
        now = writer.clock()
        for appointment_id in await store.due(now):
            stored = await store.get(appointment_id)
            if stored is not None and stored.room.ended_at is None:
                if stored.room.closes_at > now:  # rescheduled meanwhile
                    await store.mark_closing(appointment_id, stored.room.closes_at)
                    continue
                await writer.apply(appointment_id, lambda room: close_if_due(room, now))
            await store.unmark_closing(appointment_id)
            await store.unmark_occupied(appointment_id)
        for appointment_id in await store.occupied():
            await self._time_out_absent(appointment_id, now)

    async def _time_out_absent(self, appointment_id: str, now: datetime) -> None:
        store = self._writer.store
        stored = await store.get(appointment_id)
        if stored is None or stored.room.ended_at is not None:
            # Only final rooms leave the index: a concurrent join could not re-add a live one.
            await store.unmark_occupied(appointment_id)
            return
        present = [s for s in stored.room.seats if s.is_present]
        alive = await store.connected(appointment_id, [s.handle for s in present])
        for seat in present:
            if seat.handle not in alive:
                _, done = await self._writer.apply(
                    appointment_id,
                    _timed_out(seat.participant.subject, now),
                    # Re-checked atomically: a stream that resumed meanwhile keeps its seat.
                    must_be_absent=[store.connection_key(appointment_id, seat.handle)],
                )
                if done is not None:
                    log.info("participant timed out", extra={"appointment_id": appointment_id})
