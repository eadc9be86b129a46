"""Participants' use cases: join (and rejoin), leave, the provider's waiting-room controls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tenfour_shared.auth.roles import Role as AuthRole
from tenfour_signaling.domain import (
    InvalidSignal,
    JoinDenied,
    LeaveReason,
    Role,
    Room,
    RoomStateError,
    Seat,
    Transition,
    admit,
    deliveries,
    end_session,
    join,
    join_denial,
    leave,
    remove,
)
from tenfour_signaling.domain.candidates import CANDIDATE_TYPES
from tenfour_signaling.service.access import Caller, acting_subject, require_seat
from tenfour_signaling.service.lifecycle import connected_event
from tenfour_signaling.service.writer import RoomWriter

__all__ = ["Joined", "Rooms"]

_MAX_SETUP = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Joined:
    room: Room
    seat: Seat
    resume_from_seq: int  # the first Subscribe's last_seen_seq


class Rooms:
    def __init__(self, writer: RoomWriter) -> None:
        self._writer = writer

    async def join(self, caller: Caller, appointment_id: str, *, relay_only: bool) -> Joined:
        writer = self._writer
        now = writer.clock()
        seat = require_seat((await writer.fresh(appointment_id)).room, caller)

        def change(room: Room) -> Transition:
            seat = require_seat(room, caller)
            reason = join_denial(room, caller.subject, now)
            if reason is not None:
                raise JoinDenied(reason)
            role = seat.participant.role
            if role.is_provider and caller.role is AuthRole.PEER_SUPPORTER:
                role = Role.PEER_SUPPORTER  # bookings do not say which kind of provider
            participant = seat.participant.model_copy(update={"role": role})
            ready = room.with_seat(
                seat.model_copy(update={"participant": participant, "relay_only": relay_only})
            )
            if seat.is_present:
                # A fresh client while the old one still counts as present: peers drop it first.
                gone = leave(ready, caller.subject, now, LeaveReason.REJOINED)
                back = join(gone.room, caller.subject, now)
                return Transition(room, back.room, gone.events + back.events)
            entered = join(ready, caller.subject, now)
            return Transition(room, entered.room, entered.events)

        # Before the commit, so the sweeper cannot time out someone who has not subscribed yet.
        await writer.store.touch_connection(appointment_id, seat.handle, writer.times.resume_window)
        await writer.store.mark_occupied(appointment_id)
        t, committed = await writer.apply(appointment_id, change, report_seq_of=seat.handle)
        assert committed is not None  # a join always changes the room
        own = [s for d, s in zip(deliveries(t), committed.seqs, strict=True) if d[0] == seat.handle]
        resume_from = own[0] - 1 if own else committed.reported_seq
        return Joined(t.room, t.room.require_seat(caller.subject), resume_from)

    async def leave(self, caller: Caller, session_id: str) -> None:
        writer = self._writer
        appointment_id = await writer.appointment_for(session_id)
        seat = require_seat((await writer.fresh(appointment_id)).room, caller)

        def change(room: Room) -> Transition:
            if room.ended_at is not None:
                return Transition(room, room)  # everyone left with the session already
            return leave(room, caller.subject, writer.clock())

        await writer.apply(appointment_id, change)
        await writer.store.drop_connection(appointment_id, seat.handle)

    async def admit(self, caller: Caller, appointment_id: str, handle: str) -> Room:
        now = self._writer.clock()
        t, _ = await self._writer.apply(
            appointment_id, lambda r: admit(r, acting_subject(r, caller), handle, now)
        )
        return t.room

    async def remove(self, caller: Caller, appointment_id: str, handle: str) -> Room:
        now = self._writer.clock()
        t, _ = await self._writer.apply(
            appointment_id, lambda r: remove(r, acting_subject(r, caller), handle, now)
        )
        await self._writer.store.drop_connection(appointment_id, handle)
        return t.room

    async def end(self, caller: Caller, appointment_id: str) -> Room:
        now = self._writer.clock()
        t, _ = await self._writer.apply(
            appointment_id, lambda r: end_session(r, acting_subject(r, caller), now)
        )
        await self._writer.store.unmark_closing(appointment_id)
        await self._writer.store.unmark_occupied(appointment_id)
        return t.room

    async def report_connection(
        self, caller: Caller, session_id: str, candidate_type: str, setup: timedelta
    ) -> None:
        """What ICE chose and how long set-up took, for scheduling (never an address)."""
        if candidate_type not in CANDIDATE_TYPES:
            raise InvalidSignal("candidate_type must be host, srflx, prflx or relay")
        if not timedelta(0) < setup <= _MAX_SETUP:
            raise InvalidSignal("setup_time must be positive and at most 10 minutes")
        writer = self._writer
        appointment_id = await writer.appointment_for(session_id)
        room = (await writer.fresh(appointment_id)).room
        seat = require_seat(room, caller)
        if not seat.is_present or room.ended_at is not None:
            raise RoomStateError("not in the session")
        await writer.store.stage_events(
            appointment_id, [connected_event(room, seat, candidate_type, setup, writer.clock())]
        )
        await writer.notify(appointment_id)
